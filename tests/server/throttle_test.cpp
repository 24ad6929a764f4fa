// Sign-in, sign-up and invite throttling, against a real crm-server process: the limits hold
// under concurrent bursts, per email and per client address, behind a trusted proxy, and
// across a restart.
#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "../unit/temp_dir.h"
#include "api.h"
#include "server_process.h"

using nlohmann::json;
using test_api::body_of;
using test_api::sign_up;

using test_api::Fixture;

namespace {

constexpr const char* kPassword = "correct horse battery";


httplib::Result log_in(httplib::Client& cli, const std::string& email, const std::string& password,
                       const httplib::Headers& headers = {}) {
    return cli.Post("/api/v1/auth/login", headers, json{{"email", email}, {"password", password}}.dump(),
                    "application/json");
}

// A 429 as the protocol describes it: the code, a Retry-After within the window, a message.
void check_throttled(const httplib::Result& r, const std::string& code, int max_retry_after_s) {
    REQUIRE(r);
    CHECK(r->status == 429);
    const json j = json::parse(r->body, nullptr, false);
    REQUIRE(j.is_object());
    CHECK(j["code"] == code);
    CHECK(j["error"].get<std::string>().find("try again in") != std::string::npos);
    REQUIRE(r->has_header("Retry-After"));
    const int retry_after = std::stoi(r->get_header_value("Retry-After"));
    CHECK(retry_after >= 1);
    CHECK(retry_after <= max_retry_after_s);
}

}  // namespace

TEST_CASE(
    "a burst of concurrent wrong passwords evaluates at most the limit, and the right one is refused during the "
    "lockout") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client owner("127.0.0.1", server.port);
    sign_up(owner, "target@example.com");

    constexpr int kGuesses = 40;
    std::atomic<int> ready{0}, wrong{0}, throttled{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kGuesses; ++i)
        threads.emplace_back([&, i] {
            httplib::Client cli("127.0.0.1", server.port);
            cli.set_read_timeout(120, 0);
            // Connected before the burst (the server's accept queue is short), so that every
            // guess reaches the server at about the same time over an open connection.
            cli.set_keep_alive(true);
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            while (!cli.Get("/api/v1/health") && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            ++ready;
            while (!go) std::this_thread::yield();
            auto r = log_in(cli, "target@example.com", "guess number " + std::to_string(i));
            if (r && r->status == 401)
                ++wrong;
            else if (r && r->status == 429)
                ++throttled;
            else
                ++other;
        });
    while (ready < kGuesses) std::this_thread::yield();
    go = true;
    for (auto& t : threads) t.join();
    CAPTURE(wrong.load());
    CAPTURE(throttled.load());
    CHECK(other == 0);
    CHECK(wrong + throttled == kGuesses);
    CHECK(wrong <= 5);  // the limit: 5 wrong passwords per email per 15 minutes
    CHECK(wrong >= 1);

    // The right password, now: refused without being looked at.
    httplib::Client owner2("127.0.0.1", server.port);
    check_throttled(log_in(owner2, "target@example.com", kPassword), "locked_out", 15 * 60);
    // The account's existing session is untouched.
    CHECK(owner.Get("/api/v1/pull")->status == 200);
}

TEST_CASE("failed sign-ins from one address are limited whatever the emails, and X-Real-IP is not trusted by default") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli, "real@example.com");
    // A spray over many emails, each tried once; a forged X-Real-IP changes nothing.
    for (int i = 0; i < 20; ++i) {
        CAPTURE(i);
        auto r = log_in(cli, "user" + std::to_string(i) + "@example.com", "Summer2026!",
                        {{"X-Real-IP", "198.51.100." + std::to_string(i)}});
        REQUIRE(r);
        CHECK(r->status == 401);
    }
    check_throttled(log_in(cli, "user20@example.com", "Summer2026!"), "rate_limited", 15 * 60);
    // The address is limited, not the account: from there even the right password waits.
    check_throttled(log_in(cli, "real@example.com", kPassword), "rate_limited", 15 * 60);
}

TEST_CASE("behind a trusted proxy, the limits count the client address the proxy names in X-Real-IP") {
    Fixture f;
    ServerProcess server(f.data, f.web, {"--trusted-proxy", "127.0.0.1"});
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli, "real@example.com");
    const httplib::Headers sprayer = {{"X-Real-IP", "203.0.113.7"}}, colleague = {{"X-Real-IP", "203.0.113.8"}};
    for (int i = 0; i < 20; ++i)
        REQUIRE(log_in(cli, "user" + std::to_string(i) + "@example.com", "Summer2026!", sprayer)->status == 401);
    check_throttled(log_in(cli, "user20@example.com", "Summer2026!", sprayer), "rate_limited", 15 * 60);
    // Another client behind the same proxy is not held back by the first one.
    auto r = log_in(cli, "real@example.com", kPassword, colleague);
    REQUIRE(r);
    CHECK(r->status == 200);
}

TEST_CASE("IPv6 clients are counted by their /64 network") {
    Fixture f;
    ServerProcess server(f.data, f.web, {"--trusted-proxy", "127.0.0.1"});
    httplib::Client cli("127.0.0.1", server.port);
    // Twenty addresses of one /64 network, written in different ways.
    for (int i = 0; i < 20; ++i) {
        const std::string address = i % 2 == 0 ? "2001:db8:aa:bb::" + std::to_string(i + 1)
                                               : "2001:0db8:00aa:00bb:0:0:0:" + std::to_string(i + 1);
        CAPTURE(address);
        REQUIRE(
            log_in(cli, "user" + std::to_string(i) + "@example.com", "Summer2026!", {{"X-Real-IP", address}})->status ==
            401);
    }
    check_throttled(
        log_in(cli, "user20@example.com", "Summer2026!", {{"X-Real-IP", "2001:db8:aa:bb:1234:5678:9abc:def0"}}),
        "rate_limited", 15 * 60);
    // The next /64 is another network.
    CHECK(log_in(cli, "user21@example.com", "Summer2026!", {{"X-Real-IP", "2001:db8:aa:bc::1"}})->status == 401);
}

TEST_CASE("sign-ups from one address are limited") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    for (int i = 0; i < 20; ++i) {
        CAPTURE(i);
        auto r = cli.Post(
            "/api/v1/auth/signup",
            json{
                {"email", "new" + std::to_string(i) + "@example.com"}, {"password", kPassword}, {"workspace_name", "W"}}
                .dump(),
            "application/json");
        REQUIRE(r);
        CHECK(r->status == 201);
    }
    auto r = cli.Post("/api/v1/auth/signup",
                      json{{"email", "one-more@example.com"}, {"password", kPassword}, {"workspace_name", "W"}}.dump(),
                      "application/json");
    check_throttled(r, "rate_limited", 3600);
    // Nothing was created: the address can sign in to the accounts it made.
    CHECK(log_in(cli, "new0@example.com", kPassword)->status == 200);
    CHECK(log_in(cli, "one-more@example.com", kPassword)->status == 401);
}

TEST_CASE("the sign-up limit is a server option, and 0 turns it off") {
    Fixture f;
    ServerProcess server(f.data, f.web, {"--signup-limit", "2"});
    httplib::Client cli("127.0.0.1", server.port);
    auto up = [&](int i) {
        return cli.Post(
            "/api/v1/auth/signup",
            json{{"email", "n" + std::to_string(i) + "@example.com"}, {"password", kPassword}, {"workspace_name", "W"}}
                .dump(),
            "application/json");
    };
    CHECK(up(0)->status == 201);
    CHECK(up(1)->status == 201);
    check_throttled(up(2), "rate_limited", 3600);
    server.stop();
    ServerProcess unlimited(f.data, f.web, {"--signup-limit", "0"});
    httplib::Client again("127.0.0.1", unlimited.port);
    CHECK(again
              .Post("/api/v1/auth/signup",
                    json{{"email", "n2@example.com"}, {"password", kPassword}, {"workspace_name", "W"}}.dump(),
                    "application/json")
              ->status == 201);
}

TEST_CASE("wrong invite codes from one address are limited, on sign-up and on sign-in") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client owner("127.0.0.1", server.port), guesser("127.0.0.1", server.port);
    sign_up(owner, "owner@example.com");
    sign_up(guesser, "guesser@example.com", "Mine");
    const std::string real = body_of(owner.Post("/api/v1/invites", "", "application/json"))["code"];
    for (int i = 0; i < 10; ++i) {
        CAPTURE(i);
        const std::string guess = "guessed-code-" + std::to_string(i);
        // Half on sign-up, half on sign-in with an invite: both count.
        auto r = i % 2 == 0
                     ? guesser.Post("/api/v1/auth/signup",
                                    json{{"email", "g" + std::to_string(i) + "@example.com"},
                                         {"password", kPassword},
                                         {"invite", guess}}
                                        .dump(),
                                    "application/json")
                     : guesser.Post(
                           "/api/v1/auth/login",
                           json{{"email", "guesser@example.com"}, {"password", kPassword}, {"invite", guess}}.dump(),
                           "application/json");
        REQUIRE(r);
        CHECK(r->status == 403);
        CHECK(body_of(r)["code"] == "invalid_invite");
    }
    // The 11th guess is not evaluated, even when it is the right code.
    check_throttled(guesser.Post("/api/v1/auth/signup",
                                 json{{"email", "g10@example.com"}, {"password", kPassword}, {"invite", real}}.dump(),
                                 "application/json"),
                    "rate_limited", 3600);
    check_throttled(
        guesser.Post("/api/v1/auth/login",
                     json{{"email", "guesser@example.com"}, {"password", kPassword}, {"invite", real}}.dump(),
                     "application/json"),
        "rate_limited", 3600);
}

TEST_CASE("a lockout survives a restart of the server") {
    Fixture f;
    {
        ServerProcess server(f.data, f.web);
        httplib::Client cli("127.0.0.1", server.port);
        sign_up(cli, "target@example.com");
        for (int i = 0; i < 5; ++i)
            REQUIRE(log_in(cli, "target@example.com", "guess " + std::to_string(i))->status == 401);
        check_throttled(log_in(cli, "target@example.com", kPassword), "locked_out", 15 * 60);
        CHECK(server.stop() == 0);
    }
    ServerProcess restarted(f.data, f.web);
    httplib::Client cli("127.0.0.1", restarted.port);
    check_throttled(log_in(cli, "target@example.com", kPassword), "locked_out", 15 * 60);
    // ... and so does the address's count, even after a SIGKILL.
    for (int i = 0; i < 14; ++i)
        REQUIRE(log_in(cli, "spray" + std::to_string(i) + "@example.com", "wrong wrong")->status == 401);
    restarted.kill_hard();
    ServerProcess again(f.data, f.web);
    httplib::Client cli2("127.0.0.1", again.port);
    // 5 + 14 failures counted for this address so far: one more is evaluated, then the limit.
    CHECK(log_in(cli2, "spray14@example.com", "wrong wrong")->status == 401);
    check_throttled(log_in(cli2, "spray15@example.com", "wrong wrong"), "rate_limited", 15 * 60);
}
