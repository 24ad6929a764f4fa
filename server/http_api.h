#pragma once
// The HTTP surface of the sync server: the sync API under /api/v1 and the web client's files.
#include <cstdint>
#include <functional>
#include <string>

namespace httplib {
class Server;
}

namespace crm {

class AccountStore;
class WorkspaceStores;

struct HttpOptions {
    std::string web_root;                      // folder with index.html, client.js, client.wasm, ...
    std::function<int64_t()> now_ms;           // the server's wall clock (replaceable in tests)
    // A reverse proxy's address (--trusted-proxy): requests from it are counted against the client
    // address in its X-Real-IP header. Empty: every request is the TCP peer's.
    std::string trusted_proxy;
};

// What the routes work with; outlives the server.
struct Api {
    AccountStore& accounts;
    WorkspaceStores& workspaces;
    HttpOptions options;
};

// Registers every route, the JSON error handler and the exception handler on `server`.
void install_routes(httplib::Server& server, Api& api);

}  // namespace crm
