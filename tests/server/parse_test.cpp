// Integration tests: every JSON and header the server reads is read strictly, refused with a
// 4xx naming what is wrong and a machine-readable code, and the server keeps serving.
#include <doctest/doctest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "../unit/temp_dir.h"
#include "api.h"
#include "hlc.h"
#include "ids.h"
#include "server_process.h"

using nlohmann::json;
using test_api::body_of;
using test_api::sign_up;

using test_api::Fixture;

namespace {


const std::string kReplica = crm::new_id();

// One change as JSON text, its value given as raw JSON text.
std::string change_text(const std::string& type, const std::string& field, const std::string& raw_value,
                        const std::string& id = crm::new_id()) {
    return R"({"type":")" + type + R"(","id":")" + id + R"(","field":")" + field + R"(","value":)" + raw_value +
           R"(,"hlc":")" + crm::Hlc{1000, 0}.encode() + R"(","replica":")" + kReplica + R"("})";
}

// A push body around changes given as text. `general`: starts with a byte-order mark, which the
// quick reader leaves to the general one, so both readers are tried with the same content.
std::string push_text(const std::string& changes, bool general = false) {
    return (general ? "\xEF\xBB\xBF" : "") + std::string(R"({"batch_id":"b-1","changes":[)") + changes + "]}";
}

void expect_refusal(const httplib::Result& r, int status, const std::string& code, const std::string& words) {
    REQUIRE(r);
    CHECK(r->status == status);
    json j = body_of(r);
    REQUIRE(j.is_object());
    CHECK(j.value("code", "") == code);
    CHECK_MESSAGE(j.value("error", "").find(words) != std::string::npos, j.value("error", ""));
    CHECK(j["time"].is_number_integer());
}

// The server still answers, and nothing was written.
void expect_alive_and_empty(httplib::Client& cli) {
    auto health = cli.Get("/api/v1/health");
    REQUIRE(health);
    CHECK(health->status == 200);
    auto pulled = cli.Get("/api/v1/pull");
    REQUIRE(pulled);
    // Only the workspace's seeded records (the server's replica of zeros) are in its log.
    for (const auto& c : body_of(pulled)["changes"]) CHECK(c["replica"] == std::string(32, '0'));
}

// Resident memory at its peak, from /proc (kB).
long peak_rss_kb(int pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

std::string raw_request(int port, const std::string& bytes) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    close(fd);
    return out;
}

}  // namespace

TEST_CASE(
    "a push whose value nests arrays deeply is refused as too deep, on both readers, and the server keeps serving") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli);
    for (bool general : {false, true}) {
        CAPTURE(general);
        // 65,600 deep in ~131 KB once killed the server; 5,000 deep fits in the 10,000 bytes a
        // custom value may take and broke other clients' parsers.
        for (size_t depth : {65600, 5000, 40}) {
            CAPTURE(depth);
            const std::string deep = std::string(depth, '[') + std::string(depth, ']');
            auto r = cli.Post("/api/v1/push", push_text(change_text("contact", "custom.x", deep), general),
                              "application/json");
            expect_refusal(r, 400, "too_deep", "changes[0].value");
        }
        // Within the document's limit but deeper than a custom value may nest.
        auto r =
            cli.Post("/api/v1/push", push_text(change_text("contact", "custom.x", "[[[[[[[[[[1]]]]]]]]]]"), general),
                     "application/json");
        expect_refusal(r, 400, "invalid_value", "deeper than 8");
    }
    expect_alive_and_empty(cli);
}

TEST_CASE("sign-in bodies of deep or huge JSON are refused before they are built, without taking memory") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    cli.set_read_timeout(60, 0);
    sign_up(cli);
    const std::string brackets = std::string(4'000'000, '[') + std::string(4'000'000, ']');  // 8 MB
    for (int i = 0; i < 4; ++i) {
        auto r = cli.Post("/api/v1/auth/login", brackets, "application/json");
        REQUIRE(r);
        CHECK(r->status == 413);
        CHECK(body_of(r).value("code", "") == "too_large");
    }
    // Small but deep: refused as too deep, naming where.
    auto deep = cli.Post("/api/v1/auth/login", std::string(1000, '[') + std::string(1000, ']'), "application/json");
    expect_refusal(deep, 400, "too_deep", "deeper than 32");
    // The 8 MB bodies themselves pass through memory; building them as trees took 280 MB each.
    CHECK(peak_rss_kb(server.pid) < 120 * 1024);
    CHECK(cli.Get("/api/v1/health")->status == 200);
}

TEST_CASE("text that is cut or not UTF-8 gets a 4xx with a readable message, never a 500") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli);
    SUBCASE("a record type whose quoted prefix would end inside a character") {
        std::string type = "x";
        for (int i = 0; i < 30; ++i) type += "\xC3\xA9";  // é: the message quotes 40 bytes, the 40th inside an é
        auto r = cli.Post("/api/v1/push", push_text(change_text(type, "name", R"("x")")), "application/json");
        expect_refusal(r, 400, "invalid_value", "is not a known record type");
    }
    SUBCASE("an unknown member whose name would be cut inside a character") {
        std::string key(39, 'k');
        key += "\xE2\x82\xAC";  // €: bytes 40-42
        auto r = cli.Post("/api/v1/push", R"({"batch_id":"b","changes":[],")" + key + R"(":1})", "application/json");
        expect_refusal(r, 400, "unknown_member", "unknown member");
    }
    SUBCASE("a whole-number field given long text") {
        auto r =
            cli.Post("/api/v1/push",
                     push_text(change_text("pipeline", "position", "\"" + std::string(57, 'a') + "\xF0\x9F\x98\x80\"")),
                     "application/json");
        expect_refusal(r, 400, "invalid_value", "must be a whole number");
        CHECK(json::parse(r->body)["error"].get<std::string>().find("\xF0\x9F") == std::string::npos);
    }
    SUBCASE("a body that is not UTF-8") {
        auto r = cli.Post("/api/v1/push", push_text(change_text("contact", "name", "\"caf\xE9\"")), "application/json");
        expect_refusal(r, 400, "invalid_json", "UTF-8");
    }
    SUBCASE("a path that is not UTF-8") {
        for (const char* path : {"/%FF%FE", "/api/v1/%C3", "/caf%E9.html"}) {
            CAPTURE(path);
            auto r = cli.Get(path);
            expect_refusal(r, 400, "invalid_path", "UTF-8");
        }
    }
    SUBCASE("a query parameter that is not UTF-8") {
        auto r = cli.Get("/api/v1/pull?after=%FF%FE");
        expect_refusal(r, 400, "invalid_value", "after");
    }
    SUBCASE("a content type that is not UTF-8") {
        auto r = cli.Post("/api/v1/push", "{}", "text/\xFF\xFE");
        expect_refusal(r, 415, "not_json", "application/json");
    }
    expect_alive_and_empty(cli);
}

TEST_CASE("whole numbers outside int64 are refused on both readers, and other numbers keep their meaning") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli);
    for (bool general : {false, true}) {
        CAPTURE(general);
        for (const char* number : {"9223372036854775808", "18446744073709551615", "18446744073709551616",
                                   "-9223372036854775809", "100000000000000000000000"}) {
            CAPTURE(number);
            auto r = cli.Post("/api/v1/push", push_text(change_text("pipeline", "position", number), general),
                              "application/json");
            expect_refusal(r, 400, "invalid_value", "outside the whole numbers");
            auto custom = cli.Post("/api/v1/push", push_text(change_text("contact", "custom.n", number), general),
                                   "application/json");
            expect_refusal(custom, 400, "invalid_value", "changes[0].value");
        }
        for (const char* number : {"1.0", "1e2", "-0.0"}) {
            CAPTURE(number);
            auto r = cli.Post("/api/v1/push", push_text(change_text("pipeline", "position", number), general),
                              "application/json");
            expect_refusal(r, 400, "invalid_value", "must be a whole number");
        }
        for (const char* text : {"1e400", "NaN", "Infinity", "-", "0x10", "01"}) {
            CAPTURE(text);
            auto r = cli.Post("/api/v1/push", push_text(change_text("contact", "custom.n", text), general),
                              "application/json");
            expect_refusal(r, 400, "invalid_json", "not valid JSON");
        }
    }
    expect_alive_and_empty(cli);
    // The edges themselves are whole numbers, and come back as they went.
    const std::string id = crm::new_id();
    const int64_t seeded = body_of(cli.Get("/api/v1/pull"))["latest"].get<int64_t>();  // the workspace's seed
    auto r = cli.Post("/api/v1/push",
                      push_text(change_text("pipeline", "position", "9223372036854775807", id) + "," +
                                change_text("contact", "custom.n", "-9223372036854775808")),
                      "application/json");
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 200, r->body);
    json pulled = body_of(cli.Get(("/api/v1/pull?after=" + std::to_string(seeded)).c_str()));
    CHECK(pulled["changes"][0]["value"].get<int64_t>() == INT64_MAX);
    CHECK(pulled["changes"][1]["value"].get<int64_t>() == INT64_MIN);
}

TEST_CASE("repeated keys are refused on every body, naming the key") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli);
    const std::string c = change_text("contact", "name", R"("Ada")");
    const std::string dup_member = c.substr(0, c.size() - 1) + R"(,"value":"Bob"})";
    struct Case {
        std::string body;
        std::string where;
    };
    const Case cases[] = {
        {R"({"batch_id":"a","batch_id":"b","changes":[]})", "batch_id"},
        {R"({"batch_id":"b","changes":[],"changes":[]})", "changes"},
        {push_text(dup_member), "changes[0].value"},
        {push_text(change_text("contact", "address", R"({"city":"Oslo","city":"Bergen"})")), "changes[0].value.city"},
    };
    for (const auto& k : cases) {
        CAPTURE(k.body);
        for (bool general : {false, true}) {
            auto r = cli.Post("/api/v1/push", (general ? "\xEF\xBB\xBF" : "") + k.body, "application/json");
            expect_refusal(r, 400, "duplicate_key", k.where + ": is given twice");
        }
    }
    auto login =
        cli.Post("/api/v1/auth/login", R"({"email":"owner@example.com","email":"x@example.com","password":"p"})",
                 "application/json");
    expect_refusal(login, 400, "duplicate_key", "email: is given twice");
    expect_alive_and_empty(cli);
}

TEST_CASE("the Authorization scheme is read without case, and a token without one is refused") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    const std::string token = sign_up(cli)["token"];
    httplib::Client bare("127.0.0.1", server.port);
    for (const char* scheme : {"Bearer ", "bearer ", "BEARER "}) {
        CAPTURE(scheme);
        auto r = bare.Get("/api/v1/pull", {{"Authorization", scheme + token}});
        REQUIRE(r);
        CHECK(r->status == 200);
    }
    auto raw = bare.Get("/api/v1/pull", {{"Authorization", token}});
    expect_refusal(raw, 401, "malformed_token", "Bearer <token>");
    CHECK(raw->get_header_value("WWW-Authenticate") == "Bearer");
    auto basic = bare.Get("/api/v1/pull", {{"Authorization", "Basic b3duZXI6cHc="}});
    expect_refusal(basic, 401, "malformed_token", "Bearer <token>");
    expect_refusal(bare.Get("/api/v1/pull"), 401, "missing_token", "sign in first");
    expect_refusal(bare.Get("/api/v1/pull", {{"Authorization", "Bearer " + std::string(43, 'A')}}), 401,
                   "unknown_token", "not known");
}

TEST_CASE("only application/json, with optional parameters, is read as JSON") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli);
    const std::string body = push_text(change_text("contact", "name", R"("Ada")"));
    for (const char* type :
         {"application/json-garbage", "application/jsonx", "text/json", "application/json; charset=latin1",
          "application/json;charset", "", "application/x-www-form-urlencoded"}) {
        CAPTURE(type);
        expect_refusal(cli.Post("/api/v1/push", body, type), 415, "not_json", "application/json");
        expect_refusal(cli.Post("/api/v1/auth/login", R"({"email":"a@b.c","password":"p"})", type), 415, "not_json",
                       "application/json");
    }
    int batch = 0;
    for (const char* type : {"application/json", "Application/JSON", "application/json; charset=utf-8",
                             "application/json;charset=\"UTF-8\"", " application/json ; charset=utf-8 ;"}) {
        CAPTURE(type);
        const std::string b = R"({"batch_id":"ok-)" + std::to_string(++batch) + R"(","changes":[)" +
                              change_text("contact", "name", R"("Ada")") + "]}";
        auto r = cli.Post("/api/v1/push", b, type);
        REQUIRE(r);
        CHECK_MESSAGE(r->status == 200, r->body);
    }
}

TEST_CASE("every JSON answer carries the server's clock, errors included") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    httplib::Client anonymous("127.0.0.1", server.port);
    sign_up(cli);
    std::vector<std::pair<std::string, httplib::Result>> answers;
    answers.emplace_back("health", cli.Get("/api/v1/health"));
    answers.emplace_back("session", cli.Get("/api/v1/auth/session"));
    answers.emplace_back("invite", cli.Post("/api/v1/invites", "", "application/json"));
    answers.emplace_back("pull", cli.Get("/api/v1/pull"));
    answers.emplace_back("wait", cli.Get("/api/v1/wait?timeout=0"));
    answers.emplace_back("bad push", cli.Post("/api/v1/push", "{", "application/json"));
    answers.emplace_back("bad pull", cli.Get("/api/v1/pull?limit=0"));
    answers.emplace_back("no token", anonymous.Get("/api/v1/pull"));
    answers.emplace_back("no endpoint", cli.Get("/api/v1/teleport"));
    answers.emplace_back("no file", cli.Get("/nope.js"));
    answers.emplace_back("wrong method", cli.Delete("/api/v1/pull"));
    answers.emplace_back("bad sign-in",
                         anonymous.Post("/api/v1/auth/login", R"({"email":"x@example.com","password":"wrong one"})",
                                        "application/json"));
    answers.emplace_back("logout", cli.Post("/api/v1/auth/logout", "", "application/json"));
    const auto before =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    for (auto& [what, r] : answers) {
        CAPTURE(what);
        REQUIRE(r);
        json j = body_of(r);
        REQUIRE(j.is_object());
        REQUIRE(j["time"].is_number_integer());
        CHECK(std::llabs(j["time"].get<int64_t>() - before) < 10 * 60 * 1000);
        if (r->status >= 400) CHECK(j["code"].is_string());
    }
}

TEST_CASE("a body with a NUL byte after the JSON is refused on both readers") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli);
    const std::string body = push_text(change_text("contact", "name", R"("Ada")")) + std::string(1, '\0') + "anything";
    expect_refusal(cli.Post("/api/v1/push", body, "application/json"), 400, "invalid_json", "NUL");
    expect_alive_and_empty(cli);
}
