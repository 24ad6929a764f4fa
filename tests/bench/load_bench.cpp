// crm-bench-load: the sync server's responsiveness under many connections, for ./crm bench.
// Prints one JSON object.
//
//   crm-bench-load WORKDIR [WAITS]
//       Starts a crm-server and measures, over keep-alive connections, the latency of health checks
//       (one every 20 ms) and pushes of one change (one every 100 ms) for 10 s, three times:
//         baseline   nothing else open;
//         longpolls  WAITS (default 1,000) long-polls held open on 10 workspaces (raw sockets),
//                    the pushes going to an 11th;
//         slow       200 connections sending their headers a byte a second, 200 sending a body a
//                    byte a second, and 200 idle connections.
//       Each: median and p99 of each kind, in ms, and how many got no answer.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "../server/raw_http.h"
#include "../server/server_process.h"
#include "hlc.h"
#include "ids.h"

using nlohmann::json;
using raw_http::Clock;

namespace {

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return -1;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

std::string sign_up(int port, int n) {
    httplib::Client cli("127.0.0.1", port);
    cli.set_read_timeout(60, 0);
    auto r = cli.Post("/api/v1/auth/signup",
                      json{{"email", "load" + std::to_string(n) + "@example.com"}, {"password", "correct horse battery"},
                           {"workspace_name", "Load " + std::to_string(n)}}
                          .dump(),
                      "application/json");
    if (!r || r->status != 201) {
        std::fprintf(stderr, "crm-bench-load: sign-up failed\n");
        std::exit(1);
    }
    return json::parse(r->body)["token"].get<std::string>();
}

// The log's last sequence number (a new workspace's log starts with its seeded records).
int64_t latest_of(int port, const std::string& token) {
    httplib::Client cli("127.0.0.1", port);
    cli.set_bearer_token_auth(token);
    auto r = cli.Get("/api/v1/pull?after=0&limit=1");
    if (!r || r->status != 200) {
        std::fprintf(stderr, "crm-bench-load: pull failed\n");
        std::exit(1);
    }
    return json::parse(r->body)["latest"].get<int64_t>();
}

// Health checks and pushes at a steady rate for `seconds`; their latencies.
json measure(int port, const std::string& token, int seconds) {
    httplib::Client health("127.0.0.1", port), pusher("127.0.0.1", port);
    for (auto* c : {&health, &pusher}) {
        c->set_keep_alive(true);
        c->set_read_timeout(60, 0);
        c->set_bearer_token_auth(token);
    }
    static const std::string replica = crm::new_id();
    static int64_t wall = 1000;
    std::vector<double> h, p;
    int h_failed = 0, p_failed = 0;
    const auto start = Clock::now();
    for (int i = 0; Clock::now() - start < std::chrono::seconds(seconds); ++i) {
        auto t0 = Clock::now();
        auto r = health.Get("/api/v1/health");
        if (r && r->status == 200) h.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        else ++h_failed;
        if (i % 5 == 0) {
            const std::string body =
                json{{"batch_id", crm::new_id()},
                     {"changes", json::array({{{"type", "contact"}, {"id", crm::new_id()}, {"field", "name"}, {"value", "Ada"},
                                               {"hlc", crm::Hlc{++wall, 0}.encode()}, {"replica", replica}}})}}
                    .dump();
            t0 = Clock::now();
            auto pr = pusher.Post("/api/v1/push", body, "application/json");
            if (pr && pr->status == 200) p.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            else ++p_failed;
        }
        std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * (i + 1)));  // pacing, not a wait for state
    }
    return {{"health_p50_ms", percentile(h, 0.5)}, {"health_p99_ms", percentile(h, 0.99)}, {"health_n", h.size()},
            {"health_failed", h_failed},        {"push_p50_ms", percentile(p, 0.5)},   {"push_p99_ms", percentile(p, 0.99)},
            {"push_n", p.size()},               {"push_failed", p_failed}};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: crm-bench-load WORKDIR [WAITS]\n");
        return 2;
    }
    const std::string work = argv[1];
    const int waits = argc > 2 ? std::atoi(argv[2]) : 1000;
    raw_http::raise_fd_limit();
    std::filesystem::remove_all(work);
    std::filesystem::create_directories(work + "/web");
    std::ofstream(work + "/web/index.html") << "<!doctype html>";
    const int per_session = (waits + 9) / 10;
    ServerProcess server(work + "/data", work + "/web",
                         {"--max-waits", std::to_string(per_session * 10), "--max-waits-per-session", std::to_string(per_session)});
    std::vector<std::string> tokens;
    for (int i = 0; i < 11; ++i) tokens.push_back(sign_up(server.port, i));
    const std::string wait_path = "/api/v1/wait?after=" + std::to_string(latest_of(server.port, tokens[0])) + "&timeout=55";
    const int seconds = 10;
    json out;
    out["baseline"] = measure(server.port, tokens[10], seconds);

    // The long-polls, held by the server until the 11th session's extra one is refused.
    std::vector<int> fds;
    for (int i = 0; i < waits; ++i) {
        int fd = raw_http::connect_to(server.port);
        if (fd < 0 || !raw_http::send_all(fd, raw_http::get(wait_path, tokens[static_cast<size_t>(i % 10)]))) {
            std::fprintf(stderr, "crm-bench-load: could not open long-poll %d\n", i);
            return 1;
        }
        fds.push_back(fd);
    }
    const auto opened = Clock::now();
    // A probe let in (timeout=0) leaves at once; a long-poll refused meanwhile asks again.
    std::vector<raw_http::Response> early(fds.size());
    while (raw_http::request(server.port, raw_http::get("/api/v1/wait?after=0&timeout=0", tokens[10])).status() != 503) {
        for (size_t i = 0; i < fds.size(); ++i) {
            raw_http::read_some(fds[i], early[i]);
            if (!early[i].complete()) continue;
            close(fds[i]);
            fds[i] = raw_http::connect_to(server.port);
            early[i] = {};
            raw_http::send_all(fds[i], raw_http::get(wait_path, tokens[i % 10]));
        }
        if (Clock::now() - opened > std::chrono::seconds(40)) {
            std::fprintf(stderr, "crm-bench-load: the long-polls were not all held within 40 s\n");
            return 1;
        }
    }
    out["longpolls"] = measure(server.port, tokens[10], seconds);
    out["longpolls"]["open"] = waits;
    out["longpolls"]["held_after_s"] = std::chrono::duration<double>(Clock::now() - opened).count() - seconds;
    for (int fd : fds) close(fd);
    fds.clear();

    // Slow and idle clients.
    std::vector<int> slow;
    for (int i = 0; i < 200; ++i) {
        int a = raw_http::connect_to(server.port), b = raw_http::connect_to(server.port), c = raw_http::connect_to(server.port);
        raw_http::send_all(a, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        raw_http::send_all(b, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{");
        slow.push_back(a);
        slow.push_back(b);
        fds.push_back(c);
    }
    std::atomic<bool> stop{false};
    std::thread trickle([&] {
        while (!stop) {
            for (int fd : slow) (void)!::send(fd, " ", 1, MSG_NOSIGNAL);
            for (int i = 0; i < 10 && !stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    out["slow"] = measure(server.port, tokens[10], seconds);
    stop = true;
    trickle.join();
    for (int fd : slow) close(fd);
    for (int fd : fds) close(fd);
    std::printf("%s\n", out.dump().c_str());
    return 0;
}
