// crm-server: the self-hosted sync server. Serves the web client and the sync API.
#include <httplib.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "accounts.h"
#include "http_api.h"
#include "http_server.h"
#include "workspaces.h"

namespace {

struct Args {
    std::string host = "127.0.0.1";
    int port = 8080;
    std::string data = "data";
    std::string web = "web";
    int64_t session_ttl_s = 30LL * 24 * 3600;
    crm::ConnectionLimits limits;
    crm::WorkspaceOptions workspaces;
    bool max_connections_set = false;
    std::string trusted_proxy;
    int signup_limit = crm::AccountOptions{}.max_sign_ups_per_address;
};

// The server options that are whole numbers within a range: name, minimum, maximum, help.
struct IntOption {
    const char* name;
    int64_t min, max;
    const char* help;
};
constexpr IntOption kIntOptions[] = {
    {"--port", 0, 65535, "port to listen on (default 8080; 0 picks a free one)"},
    {"--session-ttl", 1, 10LL * 365 * 24 * 3600, "seconds an unused sign-in lasts (default 2592000, 30 days)"},
    {"--signup-limit", 0, 1'000'000, "sign-up attempts per client address per hour (default 20; 0: no limit)"},
    {"--max-connections", 16, 1'000'000, "open connections at once; more get 503 too_many_connections (default 4096, less when the descriptor limit is low)"},
    {"--max-waits", 1, 1'000'000, "long-polls (/wait) open at once; more get 503 too_many_waits (default 2048)"},
    {"--max-waits-per-session", 1, 1'000'000, "long-polls open at once per session token (default 4)"},
    {"--max-open-workspaces", 1, 100'000, "workspace stores kept open; the least recently used idle one is closed (default 64)"},
    {"--header-timeout", 1, 3600, "seconds from a request's first byte to the end of its headers; then 408 (default 10)"},
    {"--body-timeout", 1, 3600, "seconds for a request's whole body; then 408 (default 60)"},
    {"--idle-timeout", 1, 3600, "seconds a connection may wait for its next request (default 5)"},
    {"--max-requests-per-connection", 1, 1'000'000, "requests on one connection before it is closed (default 100)"},
};

void set_int_option(Args& a, const std::string& name, int64_t v) {
    if (name == "--port") a.port = static_cast<int>(v);
    else if (name == "--session-ttl") a.session_ttl_s = v;
    else if (name == "--signup-limit") a.signup_limit = static_cast<int>(v);
    else if (name == "--max-connections") a.limits.max_connections = static_cast<int>(v), a.max_connections_set = true;
    else if (name == "--max-waits") a.workspaces.max_waits = static_cast<int>(v);
    else if (name == "--max-waits-per-session") a.workspaces.max_waits_per_session = static_cast<int>(v);
    else if (name == "--max-open-workspaces") a.workspaces.max_open_stores = static_cast<int>(v);
    else if (name == "--header-timeout") a.limits.header_timeout_ms = v * 1000;
    else if (name == "--body-timeout") a.limits.body_timeout_ms = v * 1000;
    else if (name == "--idle-timeout") a.limits.idle_timeout_ms = v * 1000;
    else if (name == "--max-requests-per-connection") a.limits.max_requests_per_connection = static_cast<int>(v);
}

void usage(FILE* out) {
    std::fprintf(out,
                 "usage: crm-server [--host ADDR] [--port N] [--data DIR] [--web DIR] [--session-ttl SECONDS]\n"
                 "                  [--trusted-proxy ADDR] [--signup-limit N]\n"
                 "  --host ADDR  address to listen on (default 127.0.0.1)\n"
                 "  --data DIR   folder for the workspace database (default ./data)\n"
                 "  --web DIR    folder with the built web client (default ./web)\n"
                 "  --trusted-proxy ADDR   the reverse proxy's address (e.g. 127.0.0.1): for requests from it,\n"
                 "                         sign-in limits count the client address in its X-Real-IP header\n");
    for (const auto& o : kIntOptions) std::fprintf(out, "  %s N  %s\n", o.name, o.help);
}

bool parse_args(int argc, char** argv, Args& a) {
    for (int i = 1; i < argc; ++i) {
        std::string k = argv[i];
        auto value = [&](const char* name) -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "crm-server: %s needs a value\n", name);
                return nullptr;
            }
            return argv[++i];
        };
        if (k == "--help" || k == "-h") {
            usage(stdout);
            std::exit(0);
        } else if (k == "--host") {
            auto v = value("--host"); if (!v) return false; a.host = v;
        } else if (auto o = std::find_if(std::begin(kIntOptions), std::end(kIntOptions), [&](const IntOption& x) { return k == x.name; });
                   o != std::end(kIntOptions)) {
            auto v = value(o->name); if (!v) return false;
            char* end = nullptr;
            errno = 0;
            long long n = std::strtoll(v, &end, 10);
            if (*v == '\0' || *end != '\0' || errno != 0 || n < o->min || n > o->max) {
                std::fprintf(stderr, "crm-server: %s must be a whole number from %lld to %lld, got '%s'\n", o->name,
                             static_cast<long long>(o->min), static_cast<long long>(o->max), v);
                return false;
            }
            set_int_option(a, k, n);
        } else if (k == "--trusted-proxy") {
            auto v = value("--trusted-proxy"); if (!v) return false; a.trusted_proxy = v;
        } else if (k == "--data") {
            auto v = value("--data"); if (!v) return false; a.data = v;
        } else if (k == "--web") {
            auto v = value("--web"); if (!v) return false; a.web = v;
        } else {
            std::fprintf(stderr, "crm-server: unknown option '%s'\n", k.c_str());
            usage(stderr);
            return false;
        }
    }
    return true;
}

// Raises the soft limit of open files to the hard limit (each connection and each open
// workspace holds descriptors) and returns it.
rlim_t raise_file_limit() {
    rlimit r{};
    if (getrlimit(RLIMIT_NOFILE, &r) != 0) return 1024;
    if (r.rlim_cur < r.rlim_max) {
        rlimit want = r;
        want.rlim_cur = r.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &want) == 0) r = want;
    }
    return r.rlim_cur;
}

// The data folder holds password hashes and every workspace: only the server's user may read
// it. Folders 0700, files 0600, also those an older version made readable by everyone.
void tighten(const std::filesystem::path& folder) {
    std::error_code ec;
    chmod(folder.c_str(), 0700);
    for (auto it = std::filesystem::recursive_directory_iterator(folder, ec); !ec && it != std::filesystem::recursive_directory_iterator();
         it.increment(ec)) {
        const auto st = it->symlink_status(ec);
        if (ec) break;
        if (std::filesystem::is_symlink(st)) continue;
        if (std::filesystem::is_directory(st)) chmod(it->path().c_str(), 0700);
        else if (std::filesystem::is_regular_file(st)) chmod(it->path().c_str(), 0600);
    }
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    if (!parse_args(argc, argv, args)) return 2;

    // Everything the server creates is its user's alone (folders 0700, files 0600).
    umask(077);
    const rlim_t files = raise_file_limit();
    // Keep descriptors for the open workspaces (about 5 each) and the server's own files.
    const int fd_room = static_cast<int>(std::min<rlim_t>(files, 1'000'000)) - 64 - 6 * args.workspaces.max_open_stores;
    if (!args.max_connections_set) args.limits.max_connections = std::max(16, std::min(args.limits.max_connections, fd_room));
    else if (args.limits.max_connections > fd_room)
        std::fprintf(stderr, "crm-server: warning: --max-connections %d is more than the open-file limit (%llu) leaves room for\n",
                     args.limits.max_connections, static_cast<unsigned long long>(files));
    // A connection waiting to be refused needs a thread too.
    args.limits.max_threads = args.limits.max_connections + 64;

    std::error_code ec;
    std::filesystem::create_directories(args.data, ec);
    if (ec) {
        std::fprintf(stderr, "crm-server: cannot create the data folder '%s': %s\n", args.data.c_str(), ec.message().c_str());
        return 1;
    }
    tighten(args.data);
    if (!std::filesystem::is_regular_file(args.web + "/index.html"))
        std::fprintf(stderr, "crm-server: warning: '%s' has no index.html; the web client will not load\n", args.web.c_str());

    if (std::filesystem::exists(args.data + "/workspace.db"))
        std::fprintf(stderr,
                     "crm-server: note: %s/workspace.db is from a version without accounts and is no longer read; "
                     "clients send their data again after signing in\n", args.data.c_str());
    crm::AccountOptions account_options;
    account_options.session_ttl_ms = args.session_ttl_s * 1000;
    account_options.max_sign_ups_per_address = args.signup_limit;
    auto accounts = crm::AccountStore::open(args.data + "/accounts.db", account_options);
    if (auto* r = std::get_if<crm::Refusal>(&accounts)) {
        std::fprintf(stderr, "crm-server: %s\n", r->message.c_str());
        return 1;
    }
    crm::WorkspaceStores workspaces(args.data + "/workspaces", args.workspaces);

    // Ctrl-C and SIGTERM stop the server from a thread of their own, not inside a signal handler.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    // Connection limits, threads on demand and TCP_NODELAY on every connection: http_server.h.
    crm::HttpServer server(args.limits);
    // Small JSON answers go out at once instead of waiting on Nagle's algorithm (about 25 ms
    // per request on a reused connection).
    server.set_tcp_nodelay(true);
    crm::Api api{*std::get<std::unique_ptr<crm::AccountStore>>(accounts), workspaces, {args.web, [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    }}};
    api.options.trusted_proxy = args.trusted_proxy;
    crm::install_routes(server, api);

    const int port = server.bind(args.host, args.port);
    if (port < 0) {
        std::fprintf(stderr, "crm-server: cannot listen on %s:%d (is another server using the port?)\n", args.host.c_str(), args.port);
        return 1;
    }

    std::atomic<bool> listening_done{false};
    std::thread stopper([&server, &workspaces, &listening_done, signals] {
        int sig = 0;
        sigwait(&signals, &sig);
        std::fprintf(stderr, "crm-server: stopping\n");
        workspaces.shutdown();  // long-polls answer now instead of holding the stop for 25 s
        // A stop that arrives before the accept loop has started does nothing: repeat it until
        // the loop has returned.
        while (!listening_done) {
            server.shutdown();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    });
    std::printf("crm-server listening on http://%s:%d/ (data in %s)\n", args.host.c_str(), port, args.data.c_str());
    std::fflush(stdout);
    server.listen_after_bind();
    listening_done = true;
    // listen_after_bind also returns when the socket fails; wake the signal thread so it can end.
    if (server.is_running()) server.shutdown();
    pthread_kill(stopper.native_handle(), SIGTERM);
    stopper.join();
    std::printf("crm-server stopped\n");
    return 0;
}
