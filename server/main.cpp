// crm-server: the self-hosted sync server. Serves the web client and the sync API.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "accounts.h"
#include "http_api.h"
#include "workspaces.h"

namespace {

struct Args {
    std::string host = "127.0.0.1";
    int port = 8080;
    std::string data = "data";
    std::string web = "web";
    int64_t session_ttl_s = 30LL * 24 * 3600;
    std::string trusted_proxy;
    int signup_limit = crm::AccountOptions{}.max_sign_ups_per_address;
};

void usage(FILE* out) {
    std::fprintf(out,
                 "usage: crm-server [--host ADDR] [--port N] [--data DIR] [--web DIR] [--session-ttl SECONDS]\n"
                 "                  [--trusted-proxy ADDR] [--signup-limit N]\n"
                 "  --host ADDR  address to listen on (default 127.0.0.1)\n"
                 "  --port N     port (default 8080; 0 picks a free one)\n"
                 "  --data DIR   folder for the workspace database (default ./data)\n"
                 "  --web DIR    folder with the built web client (default ./web)\n"
                 "  --session-ttl SECONDS  how long an unused sign-in lasts (default 2592000, 30 days)\n"
                 "  --trusted-proxy ADDR   the reverse proxy's address (e.g. 127.0.0.1): for requests from it,\n"
                 "                         sign-in limits count the client address in its X-Real-IP header\n"
                 "  --signup-limit N       sign-up attempts per client address per hour (default 20; 0: no limit)\n");
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
        } else if (k == "--port") {
            auto v = value("--port"); if (!v) return false;
            char* end = nullptr;
            long p = std::strtol(v, &end, 10);
            if (*v == '\0' || *end != '\0' || p < 0 || p > 65535) {
                std::fprintf(stderr, "crm-server: --port must be a number from 0 to 65535, got '%s'\n", v);
                return false;
            }
            a.port = static_cast<int>(p);
        } else if (k == "--session-ttl") {
            auto v = value("--session-ttl"); if (!v) return false;
            char* end = nullptr;
            long long t = std::strtoll(v, &end, 10);
            if (*v == '\0' || *end != '\0' || t < 1 || t > 10LL * 365 * 24 * 3600) {
                std::fprintf(stderr, "crm-server: --session-ttl must be a number of seconds from 1 to 315360000, got '%s'\n", v);
                return false;
            }
            a.session_ttl_s = t;
        } else if (k == "--trusted-proxy") {
            auto v = value("--trusted-proxy"); if (!v) return false; a.trusted_proxy = v;
        } else if (k == "--signup-limit") {
            auto v = value("--signup-limit"); if (!v) return false;
            char* end = nullptr;
            long n = std::strtol(v, &end, 10);
            if (*v == '\0' || *end != '\0' || n < 0 || n > 1000000) {
                std::fprintf(stderr, "crm-server: --signup-limit must be a number from 0 to 1000000, got '%s'\n", v);
                return false;
            }
            a.signup_limit = static_cast<int>(n);
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

}  // namespace

int main(int argc, char** argv) {
    Args args;
    if (!parse_args(argc, argv, args)) return 2;

    std::error_code ec;
    std::filesystem::create_directories(args.data, ec);
    if (ec) {
        std::fprintf(stderr, "crm-server: cannot create the data folder '%s': %s\n", args.data.c_str(), ec.message().c_str());
        return 1;
    }
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
    crm::WorkspaceStores workspaces(args.data + "/workspaces");

    // Ctrl-C and SIGTERM stop the server from a thread of their own, not inside a signal handler.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    httplib::Server server;
    // Small JSON answers go out at once instead of waiting on Nagle's algorithm (about 25 ms
    // per request on a reused connection).
    server.set_tcp_nodelay(true);
    // Each open tab keeps one long-poll (/api/v1/wait) waiting: enough threads for a team.
    server.new_task_queue = [] { return new httplib::ThreadPool(64); };
    crm::Api api{*std::get<std::unique_ptr<crm::AccountStore>>(accounts), workspaces, {args.web, [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    }}};
    api.options.trusted_proxy = args.trusted_proxy;
    crm::install_routes(server, api);

    int port = args.port;
    if (port == 0) {
        port = server.bind_to_any_port(args.host);
    } else if (!server.bind_to_port(args.host, port)) {
        port = -1;
    }
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
            server.stop();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    });
    std::printf("crm-server listening on http://%s:%d/ (data in %s)\n", args.host.c_str(), port, args.data.c_str());
    std::fflush(stdout);
    server.listen_after_bind();
    listening_done = true;
    // listen_after_bind also returns when the socket fails; wake the signal thread so it can end.
    if (server.is_running()) server.stop();
    pthread_kill(stopper.native_handle(), SIGTERM);
    stopper.join();
    std::printf("crm-server stopped\n");
    return 0;
}
