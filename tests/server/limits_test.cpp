// The server stays up and answers while clients misbehave: a thousand long-polls, slow and idle
// connections, huge and compressed bodies, many ranges, many workspaces; and its data folder is
// its user's alone. A real crm-server process over raw sockets on 127.0.0.1.
#include <doctest/doctest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "../unit/temp_dir.h"
#include "api.h"
#include "hlc.h"
#include "ids.h"
#include "raw_http.h"
#include "server_process.h"

using nlohmann::json;
using raw_http::Clock;

namespace {

struct Folders {
    TempDir dir;
    std::string data = dir.file("data"), web = dir.file("web");
    Folders() {
        std::filesystem::create_directories(web);
        std::ofstream(web + "/index.html") << "<!doctype html><title>CRM</title>";
        std::ofstream font(web + "/font.ttf", std::ios::binary);
        for (int i = 0; i < 100'000; ++i) font << static_cast<char>('a' + i % 26);
    }
};

// Signs up a new account with a new workspace; returns its token.
std::string new_workspace(int port, int n) {
    httplib::Client cli("127.0.0.1", port);
    cli.set_read_timeout(60, 0);
    auto j = test_api::sign_up(cli, "owner" + std::to_string(n) + "@example.com", "Team " + std::to_string(n));
    return j["token"].get<std::string>();
}

json one_change(int64_t wall) {
    static const std::string replica = crm::new_id();
    return json::array({{{"type", "contact"}, {"id", crm::new_id()}, {"field", "name"}, {"value", "Ada"},
                         {"hlc", crm::Hlc{wall, 0}.encode()}, {"replica", replica}}});
}

int push_one(int port, const std::string& token, int64_t wall) {
    const std::string body = json{{"batch_id", crm::new_id()}, {"changes", one_change(wall)}}.dump();
    return raw_http::request(port, raw_http::post("/api/v1/push", body, token), 60'000).status();
}

// The log's last sequence number: a new workspace's log starts with its seeded records.
int64_t latest_of(int port, const std::string& token) {
    auto r = raw_http::request(port, raw_http::get("/api/v1/pull?after=0&limit=1", token), 60'000);
    REQUIRE(r.status() == 200);
    return json::parse(r.body())["latest"].get<int64_t>();
}

int count_entries(const std::string& dir) {
    int n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
    return n;
}

// Polls `done` until it is true or `seconds` pass.
template <class F>
bool eventually(F done, int seconds = 60) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    while (!done()) {
        if (Clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

struct Sockets {
    std::vector<int> fds;
    ~Sockets() {
        for (int fd : fds)
            if (fd >= 0) close(fd);
    }
};

}  // namespace

TEST_CASE("a thousand long-polls over ten workspaces are held while health checks and pushes answer and one more gets 503 too_many_waits") {
    REQUIRE(raw_http::raise_fd_limit() > 1200);
    Folders f;
    ServerProcess server(f.data, f.web, {"--max-waits", "1000", "--max-waits-per-session", "100"});
    std::vector<std::string> tokens;
    for (int i = 0; i < 11; ++i) tokens.push_back(new_workspace(server.port, i));  // the 11th takes the pushes
    const int64_t seeded = latest_of(server.port, tokens[0]);  // every new log holds the same seed
    const std::string wait_path = "/api/v1/wait?after=" + std::to_string(seeded) + "&timeout=55";

    Sockets waits;
    std::vector<raw_http::Response> answers(1000);
    for (int i = 0; i < 1000; ++i) {
        int fd = raw_http::connect_to(server.port);
        REQUIRE(fd >= 0);
        waits.fds.push_back(fd);
        REQUIRE(raw_http::send_all(fd, raw_http::get(wait_path, tokens[static_cast<size_t>(i % 10)])));
    }
    // Once the server counts all of them, one more is refused at once. (The probe asks with
    // timeout=0, so if it is let in it leaves at once; one of the thousand refused while a probe
    // was in asks again, as a client would.)
    raw_http::Response extra;
    REQUIRE(eventually([&] {
        for (size_t i = 0; i < waits.fds.size(); ++i) {
            raw_http::read_some(waits.fds[i], answers[i]);
            if (!answers[i].complete()) continue;
            REQUIRE(answers[i].status() == 503);
            close(waits.fds[i]);
            waits.fds[i] = raw_http::connect_to(server.port);
            answers[i] = {};
            REQUIRE(raw_http::send_all(waits.fds[i], raw_http::get(wait_path, tokens[i % 10])));
        }
        extra = raw_http::request(server.port, raw_http::get("/api/v1/wait?after=0&timeout=0", tokens[10]), 30'000);
        return extra.status() == 503;
    }));
    CHECK(extra.headers().find("retry-after: ") != std::string::npos);
    CHECK(json::parse(extra.body())["code"] == "too_many_waits");

    // The server answers everyone else meanwhile: health checks and pushes to another workspace.
    for (int i = 0; i < 20; ++i) {
        auto health = raw_http::request(server.port, raw_http::get("/api/v1/health"), 30'000);
        CHECK(health.status() == 200);
        CHECK(push_one(server.port, tokens[10], 1000 + i) == 200);
    }
    // None of the thousand has answered yet: they are waiting for their workspace's log.
    int answered_early = 0;
    for (size_t i = 0; i < waits.fds.size(); ++i) {
        raw_http::read_some(waits.fds[i], answers[i]);
        answered_early += !answers[i].bytes.empty();
    }
    CHECK(answered_early == 0);

    // A push to each of the ten workspaces answers all thousand.
    for (int w = 0; w < 10; ++w) CHECK(push_one(server.port, tokens[static_cast<size_t>(w)], 5000) == 200);
    int answered = 0;
    for (size_t i = 0; i < waits.fds.size(); ++i) {
        raw_http::read_response(waits.fds[i], answers[i], 60'000);
        if (answers[i].status() == 200 && json::parse(answers[i].body(), nullptr, false).value("latest", int64_t{0}) == seeded + 1) ++answered;
    }
    CHECK(answered == 1000);
    // With the thousand connections still open (idle now), the server stops cleanly at once.
    CHECK(server.stop() == 0);
}

TEST_CASE("one session's long-polls beyond its cap get 503 too_many_waits with Retry-After") {
    Folders f;
    ServerProcess server(f.data, f.web, {"--max-waits-per-session", "2"});
    const std::string token = new_workspace(server.port, 1);
    const std::string wait_path = "/api/v1/wait?after=" + std::to_string(latest_of(server.port, token)) + "&timeout=55";
    Sockets held;
    for (int i = 0; i < 2; ++i) {
        held.fds.push_back(raw_http::connect_to(server.port));
        REQUIRE(raw_http::send_all(held.fds.back(), raw_http::get(wait_path, token)));
    }
    raw_http::Response third;
    std::vector<raw_http::Response> early(2);
    REQUIRE(eventually([&] {
        // A held one refused while a probe was in (timeout=0, it leaves at once) asks again.
        for (size_t i = 0; i < held.fds.size(); ++i) {
            raw_http::read_some(held.fds[i], early[i]);
            if (!early[i].complete()) continue;
            REQUIRE(early[i].status() == 503);
            close(held.fds[i]);
            held.fds[i] = raw_http::connect_to(server.port);
            early[i] = {};
            REQUIRE(raw_http::send_all(held.fds[i], raw_http::get(wait_path, token)));
        }
        third = raw_http::request(server.port, raw_http::get("/api/v1/wait?after=0&timeout=0", token));
        return third.status() == 503;
    }));
    CHECK(third.headers().find("retry-after: 30") != std::string::npos);
    CHECK(json::parse(third.body())["code"] == "too_many_waits");
    // Another session of the same workspace still gets its own.
    httplib::Client cli("127.0.0.1", server.port);
    auto other = cli.Post("/api/v1/auth/login", json{{"email", "owner1@example.com"}, {"password", "correct horse battery"}}.dump(),
                          "application/json");
    REQUIRE(other);
    REQUIRE(other->status == 200);
    auto w = raw_http::request(server.port, raw_http::get("/api/v1/wait?after=0&timeout=1", json::parse(other->body)["token"]));
    CHECK(w.status() == 200);
}

TEST_CASE("slow and idle connections do not stop the server answering and are closed with 408") {
    REQUIRE(raw_http::raise_fd_limit() > 700);
    Folders f;
    ServerProcess server(f.data, f.web, {"--header-timeout", "3", "--body-timeout", "3", "--idle-timeout", "3"});
    Sockets slow_headers, slow_bodies, idle;
    const std::string partial = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    for (int i = 0; i < 200; ++i) {
        slow_headers.fds.push_back(raw_http::connect_to(server.port));
        REQUIRE(raw_http::send_all(slow_headers.fds.back(), partial));
        slow_bodies.fds.push_back(raw_http::connect_to(server.port));
        REQUIRE(raw_http::send_all(slow_bodies.fds.back(),
                                   "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"));
        idle.fds.push_back(raw_http::connect_to(server.port));
    }
    // Each slow client keeps sending a byte a second; meanwhile others are answered.
    std::atomic<bool> stop{false};
    std::thread trickle([&] {
        while (!stop) {
            for (int fd : slow_headers.fds) (void)!::send(fd, "a", 1, MSG_NOSIGNAL);
            for (int fd : slow_bodies.fds) (void)!::send(fd, " ", 1, MSG_NOSIGNAL);
            for (int i = 0; i < 10 && !stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    for (int i = 0; i < 10; ++i) {
        auto health = raw_http::request(server.port, raw_http::get("/api/v1/health"), 20'000);
        CHECK(health.status() == 200);
    }
    // The slow ones run out of time: each is answered 408 request_timeout and closed.
    int timed_out = 0, closed_idle = 0;
    for (auto* group : {&slow_headers, &slow_bodies}) {
        for (int fd : group->fds) {
            raw_http::Response r;
            raw_http::read_response(fd, r, 60'000);
            if (r.status() == 408 && json::parse(r.body(), nullptr, false).value("code", "") == "request_timeout") ++timed_out;
        }
    }
    for (int fd : idle.fds) {
        raw_http::Response r;
        raw_http::read_response(fd, r, 60'000);
        closed_idle += r.closed && r.bytes.empty();
    }
    stop = true;
    trickle.join();
    CHECK(timed_out == 400);
    CHECK(closed_idle == 200);
}

TEST_CASE("a connection serves a bounded number of requests and then says Connection: close") {
    Folders f;
    ServerProcess server(f.data, f.web, {"--max-requests-per-connection", "3"});
    int fd = raw_http::connect_to(server.port);
    REQUIRE(fd >= 0);
    for (int i = 1; i <= 3; ++i) {
        REQUIRE(raw_http::send_all(fd, raw_http::get("/api/v1/health")));
        raw_http::Response r;
        REQUIRE(raw_http::read_response(fd, r));
        CHECK(r.status() == 200);
        CHECK((r.headers().find("connection: close") != std::string::npos) == (i == 3));
    }
    raw_http::Response after;
    raw_http::read_response(fd, after, 10'000);
    CHECK(after.closed);
    close(fd);
}

TEST_CASE("connections beyond --max-connections get 503 too_many_connections and the listen queue is long") {
    Folders f;
    ServerProcess server(f.data, f.web, {"--max-connections", "16", "--idle-timeout", "60"});
    Sockets open;
    for (int i = 0; i < 16; ++i) open.fds.push_back(raw_http::connect_to(server.port));
    raw_http::Response refused;
    REQUIRE(eventually([&] {
        // One of the sixteen refused while a probe was in connects again.
        for (int& fd : open.fds) {
            raw_http::Response r;
            raw_http::read_some(fd, r);
            if (!r.bytes.empty() || r.closed) {
                close(fd);
                fd = raw_http::connect_to(server.port);
            }
        }
        refused = raw_http::request(server.port, raw_http::get("/api/v1/health"));
        return refused.status() == 503;
    }));
    CHECK(json::parse(refused.body())["code"] == "too_many_connections");
    CHECK(refused.headers().find("retry-after: ") != std::string::npos);
    // Closing one makes room again.
    close(open.fds.back());
    open.fds.pop_back();
    CHECK(eventually([&] { return raw_http::request(server.port, raw_http::get("/api/v1/health")).status() == 200; }));

    // The listen queue (ss shows it as Send-Q of the listening socket) is far above the library's 5.
    FILE* ss = popen(("ss -ltnH 'sport = :" + std::to_string(server.port) + "'").c_str(), "r");
    REQUIRE(ss);
    char line[512] = {};
    REQUIRE(fgets(line, sizeof line, ss));
    pclose(ss);
    unsigned recv_q = 0, send_q = 0;
    char state[32];
    REQUIRE(sscanf(line, "%31s %u %u", state, &recv_q, &send_q) == 3);
    CHECK(send_q >= 1024);
}

TEST_CASE("a chunked body past the 8 MiB limit is refused with 413 without reading it and before authentication") {
    Folders f;
    ServerProcess server(f.data, f.web);
    int fd = raw_http::connect_to(server.port);
    REQUIRE(fd >= 0);
    REQUIRE(raw_http::send_all(fd, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                   "Transfer-Encoding: chunked\r\n\r\n"));
    const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";  // 64 KiB a chunk
    size_t sent = 0;
    raw_http::Response r;
    const size_t max = 64u << 20;
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    size_t at = 0;
    while (sent < max && !r.closed && !r.complete() && Clock::now() < deadline) {
        pollfd p{fd, POLLIN | POLLOUT, 0};
        if (poll(&p, 1, 1000) <= 0) continue;
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            raw_http::read_some(fd, r);
            continue;
        }
        ssize_t n = ::send(fd, chunk.data() + at, chunk.size() - at, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN) break;
        if (n > 0) {
            sent += static_cast<size_t>(n);
            at = (at + static_cast<size_t>(n)) % chunk.size();
        }
    }
    raw_http::read_response(fd, r, 30'000);
    close(fd);
    CHECK(r.status() == 413);
    CHECK(json::parse(r.body(), nullptr, false).value("code", "") == "too_large");
    // The server stopped reading near the limit: what got out is the limit plus socket buffers.
    CHECK(sent < (32u << 20));
    // And it still answers.
    CHECK(raw_http::request(server.port, raw_http::get("/api/v1/health")).status() == 200);
}

TEST_CASE("oversized headers get 431 and compressed request bodies 415 before anything is inflated") {
    Folders f;
    ServerProcess server(f.data, f.web);
    std::string many = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 2000; ++i) many += "X-Filler-" + std::to_string(i) + ": " + std::string(60, 'x') + "\r\n";
    many += "\r\n";
    auto big = raw_http::request(server.port, many);
    CHECK(big.status() == 431);
    CHECK(json::parse(big.body(), nullptr, false).value("code", "") == "headers_too_large");

    const std::string gz = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00";  // empty gzip
    auto zipped = raw_http::request(server.port, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                                 "Content-Encoding: gzip\r\nContent-Length: " +
                                                     std::to_string(gz.size()) + "\r\n\r\n" + gz);
    CHECK(zipped.status() == 415);
    CHECK(json::parse(zipped.body(), nullptr, false).value("code", "") == "unsupported_encoding");
    CHECK(raw_http::request(server.port, raw_http::get("/api/v1/health")).status() == 200);
}

TEST_CASE("a Range header with many ranges gets the file once and a single range its part") {
    Folders f;
    ServerProcess server(f.data, f.web);
    std::string ranges = "bytes=0-";
    for (int i = 0; i < 49; ++i) ranges += ",0-";
    auto many = raw_http::request(server.port, raw_http::get("/font.ttf", "", "Range: " + ranges + "\r\n"));
    CHECK(many.status() == 200);
    CHECK(many.body().size() == 100'000);
    auto one = raw_http::request(server.port, raw_http::get("/font.ttf", "", "Range: bytes=10-19\r\n"));
    CHECK(one.status() == 206);
    CHECK(one.body() == "klmnopqrst");
}

TEST_CASE("a hundred unread downloads of an 8 MB file do not hold a hundred copies of it in memory") {
    REQUIRE(raw_http::raise_fd_limit() > 300);
    Folders f;
    {
        std::ofstream big(f.web + "/big.ttf", std::ios::binary);
        const std::string block(1 << 20, 'x');
        for (int i = 0; i < 8; ++i) big << block;
    }
    ServerProcess server(f.data, f.web);
    auto rss_mib = [&] {
        std::ifstream status("/proc/" + std::to_string(server.pid) + "/status");
        std::string line;
        while (std::getline(status, line))
            if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6)) / 1024;
        return -1L;
    };
    Sockets downloads;
    std::vector<raw_http::Response> heads(100);
    for (int i = 0; i < 100; ++i) {
        downloads.fds.push_back(raw_http::connect_to(server.port));
        REQUIRE(raw_http::send_all(downloads.fds.back(), raw_http::get("/big.ttf")));
    }
    // Every download has started (its headers arrived), and none is read further.
    REQUIRE(eventually([&] {
        for (size_t i = 0; i < downloads.fds.size(); ++i)
            if (heads[i].header_end() == std::string::npos) {
                raw_http::read_some(downloads.fds[i], heads[i]);
                if (heads[i].header_end() == std::string::npos) return false;
            }
        return true;
    }));
    for (const auto& h : heads) CHECK(h.status() == 200);
    const long rss = rss_mib();
    INFO("server RSS " << rss << " MiB");
    CHECK(rss > 0);
    CHECK(rss < 300);  // a copy per download would be 800 MiB
    // A range of the large file is still served.
    auto part = raw_http::request(server.port, raw_http::get("/big.ttf", "", "Range: bytes=100-109\r\n"));
    CHECK(part.status() == 206);
    CHECK(part.body() == "xxxxxxxxxx");
}

TEST_CASE("more workspaces than --max-open-workspaces all keep working with a bounded number of open stores and threads and files") {
    Folders f;
    ServerProcess server(f.data, f.web, {"--max-open-workspaces", "4", "--signup-limit", "0"});  // 24 sign-ups from one address
    const std::string proc = "/proc/" + std::to_string(server.pid);
    std::vector<std::string> tokens;
    int max_fds = 0, max_threads = 0;
    for (int i = 0; i < 24; ++i) {
        tokens.push_back(new_workspace(server.port, i));
        REQUIRE(push_one(server.port, tokens.back(), 1000 + i) == 200);
        max_fds = std::max(max_fds, count_entries(proc + "/fd"));
        max_threads = std::max(max_threads, count_entries(proc + "/task"));
    }
    // Every workspace still answers with its own change, reopening its store as needed.
    for (size_t i = 0; i < tokens.size(); ++i) {
        const int64_t seeded = latest_of(server.port, tokens[i]) - 1;  // the seed, then the test's change
        auto r = raw_http::request(server.port, raw_http::get("/api/v1/pull?after=" + std::to_string(seeded), tokens[i]));
        REQUIRE(r.status() == 200);
        auto j = json::parse(r.body());
        CHECK(j["changes"].size() == 1);
        CHECK(j["changes"][0]["hlc"] == crm::Hlc{1000 + static_cast<int64_t>(i), 0}.encode());
        max_fds = std::max(max_fds, count_entries(proc + "/fd"));
        max_threads = std::max(max_threads, count_entries(proc + "/task"));
    }
    // 24 open workspaces would hold about 24 * 5 descriptors and 24 merger threads.
    INFO("descriptors " << max_fds << ", threads " << max_threads);
    CHECK(max_fds < 70);
    CHECK(max_threads < 30);
}

TEST_CASE("the data folder and everything in it are the server's user's alone even when an older version made it") {
    Folders f;
    std::filesystem::create_directories(f.data + "/workspaces");
    std::ofstream(f.data + "/older.txt") << "made by an older version";
    chmod(f.data.c_str(), 0755);
    chmod((f.data + "/workspaces").c_str(), 0755);
    chmod((f.data + "/older.txt").c_str(), 0644);
    ServerProcess server(f.data, f.web);
    const std::string token = new_workspace(server.port, 1);
    REQUIRE(push_one(server.port, token, 1000) == 200);
    auto mode = [](const std::filesystem::path& p) {
        struct stat st {};
        REQUIRE(stat(p.c_str(), &st) == 0);
        return st.st_mode & 0777;
    };
    CHECK(mode(f.data) == 0700);
    int files = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(f.data)) {
        INFO(e.path().string());
        CHECK(mode(e.path()) == (e.is_directory() ? 0700u : 0600u));
        files += e.is_regular_file();
    }
    CHECK(files >= 3);  // older.txt, accounts.db, the workspace's database
}

TEST_CASE("a request's body length is told one way only, a POST without one has no body, and other methods get 405") {
    Folders f;
    // Timeouts far past the client's wait below: a server that waited for a body would not answer.
    ServerProcess server(f.data, f.web, {"--body-timeout", "300", "--header-timeout", "300", "--idle-timeout", "300"});
    const std::string json_post = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
    // Two different lengths, a length beside chunked, a length that is no number: refused as
    // malformed, before any handler reads a body a proxy may have read otherwise.
    for (const std::string& headers : {std::string("Content-Length: 2\r\nContent-Length: 20\r\n"),
                                       std::string("Content-Length: 2\r\nTransfer-Encoding: chunked\r\n"),
                                       std::string("Content-Length: 2abc\r\n"),
                                       std::string("Transfer-Encoding: identity\r\n")}) {
        auto r = raw_http::request(server.port, json_post + headers + "Connection: close\r\n\r\n{}", 30'000);
        INFO(headers);
        CHECK(r.status() == 400);
        CHECK(json::parse(r.body())["code"] == "invalid_request");
    }
    // No Content-Length and no Transfer-Encoding: an empty body, answered without waiting for
    // more (it used to read until the connection closed, then answer 400 "malformed").
    auto empty = raw_http::request(server.port, json_post + "Connection: close\r\n\r\n", 60'000);
    CHECK(empty.status() == 400);
    CHECK(json::parse(empty.body(), nullptr, false).value("code", "") == "invalid_json");  // an empty body is not JSON

    // Methods the server does not take: 405 with Allow, not 400 "malformed".
    auto put = raw_http::request(server.port, "PUT /api/v1/push HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 30'000);
    CHECK(put.status() == 405);
    CHECK(put.headers().find("allow: post") != std::string::npos);
    CHECK(json::parse(put.body())["code"] == "method_not_allowed");
    auto post_file = raw_http::request(server.port, "POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 30'000);
    CHECK(post_file.status() == 405);
    CHECK(post_file.headers().find("allow: get, head") != std::string::npos);
}

TEST_CASE("a client that refuses gzip (q=0) gets the client files uncompressed") {
    Folders f;
    std::ofstream(f.web + "/client.wasm", std::ios::binary) << "plain wasm";
    std::ofstream(f.web + "/client.wasm.gz", std::ios::binary) << "gzipped wasm";
    ServerProcess server(f.data, f.web);
    auto fetch = [&](const std::string& accept) {
        return raw_http::request(server.port, "GET /client.wasm HTTP/1.1\r\nHost: x\r\nAccept-Encoding: " + accept + "\r\nConnection: close\r\n\r\n", 30'000);
    };
    CHECK(fetch("gzip, deflate, br").body() == "gzipped wasm");
    CHECK(fetch("gzip;q=0, identity").body() == "plain wasm");
    CHECK(fetch("identity").body() == "plain wasm");
}
