// Accounts, sessions and workspace isolation, against a real crm-server process.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "../unit/temp_dir.h"
#include "api.h"
#include "hlc.h"
#include "ids.h"
#include "schema.h"
#include "server_process.h"
#include "sqlite_db.h"

using nlohmann::json;
using test_api::body_of;
using test_api::push;
using test_api::sign_up;

using test_api::Fixture;

namespace {


json change(const std::string& id, const std::string& value) {
    static const std::string replica = crm::new_id();
    return {{"type", "contact"}, {"id", id}, {"field", "name"}, {"value", value}, {"hlc", crm::Hlc{1000, 0}.encode()}, {"replica", replica}};
}

httplib::Result post_json(httplib::Client& cli, const std::string& path, const json& body) {
    return cli.Post(path, body.dump(), "application/json");
}

// Calls every endpoint that needs a session with whatever token `cli` carries, and checks that
// each one refuses with 401, a JSON error containing `expected`, and a WWW-Authenticate header.
void every_endpoint_refuses(httplib::Client& cli, const std::string& expected) {
    const json batch = {{"batch_id", "refused"}, {"changes", json::array({change(crm::new_id(), "Intruder")})}};
    std::vector<std::pair<std::string, httplib::Result>> answers;
    answers.emplace_back("push", cli.Post("/api/v1/push", batch.dump(), "application/json"));
    answers.emplace_back("pull", cli.Get("/api/v1/pull?after=0"));
    answers.emplace_back("wait", cli.Get("/api/v1/wait?after=0&timeout=1"));
    answers.emplace_back("snapshot", cli.Get("/api/v1/snapshot"));
    answers.emplace_back("session", cli.Get("/api/v1/auth/session"));
    answers.emplace_back("invites", cli.Post("/api/v1/invites", "", "application/json"));
    answers.emplace_back("logout", cli.Post("/api/v1/auth/logout", "", "application/json"));
    for (auto& [name, r] : answers) {
        CAPTURE(name);
        REQUIRE(r);
        CHECK(r->status == 401);
        CHECK(r->get_header_value("WWW-Authenticate") == "Bearer");
        json j = json::parse(r->body, nullptr, false);
        REQUIRE(j.is_object());
        CHECK(j["error"].get<std::string>().find(expected) != std::string::npos);
    }
}

std::vector<std::string> pulled_names(httplib::Client& cli) {
    std::vector<std::string> out;
    json j = body_of(cli.Get("/api/v1/pull?after=" + std::to_string(crm::seed_changes().size())));
    for (auto& c : j["changes"]) out.push_back(c["value"].get<std::string>());
    return out;
}

}  // namespace

TEST_CASE("sign up, sign in, see the session, sign out") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client owner("127.0.0.1", server.port);
    json up = sign_up(owner, "Ada@Example.com", "Analytical Engines");
    CHECK(up["token"].get<std::string>().size() == 43);  // 256 random bits, base64url
    CHECK(up["account"]["email"] == "Ada@Example.com");
    CHECK(up["workspace"]["name"] == "Analytical Engines");
    CHECK(up["workspace"]["role"] == "owner");
    REQUIRE(push(owner, "b1", json::array({change(crm::new_id(), "Charles")}))->status == 200);

    // Another device signs in to the same account (email case does not matter) and sees the data.
    httplib::Client laptop("127.0.0.1", server.port);
    json in = body_of(post_json(laptop, "/api/v1/auth/login", {{"email", "ada@example.com"}, {"password", "correct horse battery"}}));
    REQUIRE(in.contains("token"));
    CHECK(in["token"] != up["token"]);
    CHECK(in["workspace"]["id"] == up["workspace"]["id"]);
    laptop.set_bearer_token_auth(in["token"].get<std::string>());
    CHECK(pulled_names(laptop) == std::vector<std::string>{"Charles"});
    json session = body_of(laptop.Get("/api/v1/auth/session"));
    CHECK(session["account"]["email"] == "Ada@Example.com");
    CHECK(session["workspaces"].size() == 1);

    // Signing out ends that session only.
    CHECK(laptop.Post("/api/v1/auth/logout", "", "application/json")->status == 200);
    every_endpoint_refuses(laptop, "not known");
    CHECK(owner.Get("/api/v1/pull")->status == 200);
}

TEST_CASE("every endpoint refuses a request with no token, a malformed one, or an expired one") {
    Fixture f;
    // Long enough that sign-up (an argon2 hash) and one pull fit in it on a loaded machine.
    ServerProcess server(f.data, f.web, {"--session-ttl", "5"});
    httplib::Client cli("127.0.0.1", server.port);
    every_endpoint_refuses(cli, "sign in first");
    cli.set_bearer_token_auth("not-a-token");
    every_endpoint_refuses(cli, "malformed");
    cli.set_bearer_token_auth(std::string(43, 'A'));
    every_endpoint_refuses(cli, "not known");

    json up = sign_up(cli);
    CHECK(cli.Get("/api/v1/pull")->status == 200);
    // Waits until the server's own clock has passed the session's end, asking it (not sleeping).
    // (Each use may extend the session: take its end from the last authenticated request.)
    auto session = cli.Get("/api/v1/auth/session");
    REQUIRE(session);
    REQUIRE(session->status == 200);
    const int64_t expires_at = json::parse(session->body)["expires_at"].get<int64_t>();
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
        auto h = cli.Get("/api/v1/health");
        REQUIRE(h);
        if (json::parse(h->body)["time"].get<int64_t>() > expires_at) break;
        REQUIRE(std::chrono::steady_clock::now() < give_up);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    every_endpoint_refuses(cli, "expired");
    // Signing in again gives a fresh session; nothing pushed with the expired one was written.
    json in = body_of(post_json(cli, "/api/v1/auth/login", {{"email", "owner@example.com"}, {"password", "correct horse battery"}}));
    cli.set_bearer_token_auth(in["token"].get<std::string>());
    CHECK(pulled_names(cli).empty());
}

TEST_CASE("a token for one workspace can neither read nor write another") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client a("127.0.0.1", server.port), b("127.0.0.1", server.port);
    json wa = sign_up(a, "a@example.com", "A Corp");
    json wb = sign_up(b, "b@example.com", "B Corp");
    REQUIRE(wa["workspace"]["id"] != wb["workspace"]["id"]);
    const std::string shared_id = crm::new_id();  // the same record id in both workspaces
    REQUIRE(push(a, "a1", json::array({change(shared_id, "A's contact")}))->status == 200);
    REQUIRE(push(b, "b1", json::array({change(shared_id, "B's contact")}))->status == 200);
    CHECK(pulled_names(a) == std::vector<std::string>{"A's contact"});
    CHECK(pulled_names(b) == std::vector<std::string>{"B's contact"});

    // Even the same batch id is a different batch in another workspace.
    json again = body_of(push(b, "a1", json::array({change(crm::new_id(), "B again")})));
    CHECK(again["duplicate"] == false);

    // A batch that names A's workspace, sent with B's token: refused, nothing written anywhere.
    json aimed = {{"batch_id", "aimed"}, {"workspace_id", wa["workspace"]["id"]}, {"changes", json::array({change(crm::new_id(), "Smuggled")})}};
    auto r = post_json(b, "/api/v1/push", aimed);
    REQUIRE(r);
    CHECK(r->status == 403);
    CHECK(body_of(r)["error"].get<std::string>().find("nothing was written") != std::string::npos);
    CHECK(pulled_names(a) == std::vector<std::string>{"A's contact"});
    CHECK(pulled_names(b) == std::vector<std::string>{"B's contact", "B again"});
    // Naming its own workspace is fine.
    aimed["workspace_id"] = wb["workspace"]["id"];
    CHECK(post_json(b, "/api/v1/push", aimed)->status == 200);

    // The live channel of A does not wake for B's pushes.
    httplib::Client a_wait("127.0.0.1", server.port);
    a_wait.set_bearer_token_auth(wa["token"].get<std::string>());
    auto start = std::chrono::steady_clock::now();
    std::thread t([&] { REQUIRE(push(b, "b9", json::array({change(crm::new_id(), "B later")}))->status == 200); });
    const int64_t a_latest = static_cast<int64_t>(crm::seed_changes().size()) + 1;  // the seed and A's contact
    json waited = body_of(a_wait.Get("/api/v1/wait?after=" + std::to_string(a_latest) + "&timeout=1"));
    t.join();
    CHECK(waited["latest"] == a_latest);
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(900));

    // Signing in to a workspace one is not a member of is refused.
    auto wrong = post_json(a, "/api/v1/auth/login",
                           {{"email", "a@example.com"}, {"password", "correct horse battery"}, {"workspace_id", wb["workspace"]["id"]}});
    REQUIRE(wrong);
    CHECK(wrong->status == 403);
}

TEST_CASE("an invite lets a colleague join a workspace, once") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client owner("127.0.0.1", server.port), colleague("127.0.0.1", server.port), third("127.0.0.1", server.port);
    json wo = sign_up(owner);
    REQUIRE(push(owner, "o1", json::array({change(crm::new_id(), "Shared deal contact")}))->status == 200);
    auto inv = owner.Post("/api/v1/invites", "", "application/json");
    REQUIRE(inv);
    REQUIRE(inv->status == 201);
    const std::string code = body_of(inv)["code"];

    json joined = body_of(post_json(colleague, "/api/v1/auth/signup", {{"email", "col@example.com"}, {"password", "another long one"}, {"invite", code}}));
    REQUIRE(joined.contains("token"));
    CHECK(joined["workspace"]["id"] == wo["workspace"]["id"]);
    CHECK(joined["workspace"]["role"] == "member");
    colleague.set_bearer_token_auth(joined["token"].get<std::string>());
    CHECK(pulled_names(colleague) == std::vector<std::string>{"Shared deal contact"});

    auto reused = post_json(third, "/api/v1/auth/signup", {{"email", "third@example.com"}, {"password", "yet another one"}, {"invite", code}});
    REQUIRE(reused);
    CHECK(reused->status == 403);
    CHECK(body_of(reused)["error"].get<std::string>().find("used already") != std::string::npos);
    auto bogus = post_json(third, "/api/v1/auth/signup", {{"email", "third@example.com"}, {"password", "yet another one"}, {"invite", "nonsense"}});
    REQUIRE(bogus);
    CHECK(bogus->status == 403);
    // The refused sign-ups created no account: the address is still free.
    CHECK(post_json(third, "/api/v1/auth/signup", {{"email", "third@example.com"}, {"password", "yet another one"}, {"workspace_name", "T"}})->status == 201);
}

TEST_CASE("sign-up and sign-in refuse bad input with a message naming the problem") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli, "taken@example.com");
    struct Case {
        const char* what;
        json body;
        int status;
        const char* message;
    };
    const Case cases[] = {
        {"invalid email", {{"email", "bob@"}, {"password", "long enough pw"}, {"workspace_name", "W"}}, 400, "email"},
        {"no email", {{"password", "long enough pw"}, {"workspace_name", "W"}}, 400, "email: is required"},
        {"short password", {{"email", "n@example.com"}, {"password", "short"}, {"workspace_name", "W"}}, 400, "at least 8"},
        {"no workspace", {{"email", "n@example.com"}, {"password", "long enough pw"}}, 400, "workspace_name"},
        {"both", {{"email", "n@example.com"}, {"password", "long enough pw"}, {"workspace_name", "W"}, {"invite", "x"}}, 400, "not both"},
        {"unknown member", {{"email", "n@example.com"}, {"password", "long enough pw"}, {"workspace_name", "W"}, {"admin", "yes"}}, 400, "admin"},
        {"not a string", {{"email", "n@example.com"}, {"password", 12345678}, {"workspace_name", "W"}}, 400, "password: must be a string"},
        {"workspace name on two lines", {{"email", "n@example.com"}, {"password", "long enough pw"}, {"workspace_name", "Acme\nEvil"}}, 400,
         "workspace_name: must be one line of text without control characters"},
        {"workspace name that turns text around", {{"email", "n@example.com"}, {"password", "long enough pw"}, {"workspace_name", "Acme \u202Eexe.gnp"}},
         400, "direction of text"},
        {"workspace name of 101 characters", {{"email", "n@example.com"}, {"password", "long enough pw"}, {"workspace_name", std::string(101, 'w')}},
         400, "at most 100 characters"},
        {"taken email, any case", {{"email", "TAKEN@example.com"}, {"password", "long enough pw"}, {"workspace_name", "W"}}, 409, "exists already"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        auto r = post_json(cli, "/api/v1/auth/signup", c.body);
        REQUIRE(r);
        CHECK(r->status == c.status);
        CHECK(body_of(r)["error"].get<std::string>().find(c.message) != std::string::npos);
    }
    // A name's limit counts characters, not bytes: 100 CJK characters (300 bytes) are fine.
    std::string hundred;
    for (int i = 0; i < 100; ++i) hundred += "名";
    CHECK(body_of(post_json(cli, "/api/v1/auth/signup", {{"email", "cjk@example.com"}, {"password", "long enough pw"}, {"workspace_name", hundred}}))
              ["workspace"]["name"] == hundred);
    auto garbage = cli.Post("/api/v1/auth/signup", "{\"email\": ", "application/json");
    REQUIRE(garbage);
    CHECK(garbage->status == 400);
    CHECK(cli.Post("/api/v1/auth/login", "email=x", "application/x-www-form-urlencoded")->status == 415);

    // A wrong password and an unknown email get the same answer.
    auto wrong = post_json(cli, "/api/v1/auth/login", {{"email", "taken@example.com"}, {"password", "not the password"}});
    auto unknown = post_json(cli, "/api/v1/auth/login", {{"email", "nobody@example.com"}, {"password", "not the password"}});
    REQUIRE(wrong);
    REQUIRE(unknown);
    CHECK(wrong->status == 401);
    CHECK(unknown->status == 401);
    // The same answer but for the server's clock ("time").
    json w = body_of(wrong), u = body_of(unknown);
    w.erase("time");
    u.erase("time");
    CHECK(w == u);
}

TEST_CASE("repeated wrong passwords lock sign-in for that email for a while") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli, "target@example.com");
    for (int i = 0; i < 5; ++i)
        CHECK(post_json(cli, "/api/v1/auth/login", {{"email", "target@example.com"}, {"password", "guess " + std::to_string(i)}})->status == 401);
    auto locked = post_json(cli, "/api/v1/auth/login", {{"email", "target@example.com"}, {"password", "correct horse battery"}});
    REQUIRE(locked);
    CHECK(locked->status == 429);
    CHECK(body_of(locked)["error"].get<std::string>().find("try again in") != std::string::npos);
    // Other accounts are not affected, and the existing session keeps working.
    sign_up(cli, "bystander@example.com");
    CHECK(cli.Get("/api/v1/pull")->status == 200);
}

TEST_CASE("the server keeps passwords as argon2id hashes and tokens only as hashes") {
    Fixture f;
    std::string token;
    {
        ServerProcess server(f.data, f.web);
        httplib::Client cli("127.0.0.1", server.port);
        token = sign_up(cli, "secret@example.com", "W", "my very secret words")["token"];
        CHECK(server.stop() == 0);
    }
    auto db = crm::Db::open(f.data + "/accounts.db");
    REQUIRE(db);
    auto st = db->prepare("SELECT password_hash FROM accounts");
    REQUIRE(st);
    REQUIRE(*st->step());
    CHECK(st->text(0).rfind("$argon2id$", 0) == 0);
    for (const char* file : {"/accounts.db", "/accounts.db-wal"}) {
        std::ifstream in(f.data + file, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        CHECK(ss.str().find("my very secret words") == std::string::npos);
        CHECK(ss.str().find(token) == std::string::npos);
    }
}

TEST_CASE("a new password is counted in characters, and blank or common passwords are refused") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    struct Case {
        const char* what;
        std::string password;
        const char* message;
    };
    const Case refused[] = {
        {"the most common password", "password", "password: is one of the most commonly used passwords; choose another"},
        {"a common one in capitals", "PassWord1", "password: is one of the most commonly used passwords; choose another"},
        {"a common long one", "1qaz2wsx3edc", "password: is one of the most commonly used passwords; choose another"},
        {"eight spaces", "        ", "password: is only spaces"},
        {"tabs and ideographic spaces", "\t\t\u3000\u3000\u3000\u00a0\u2003 ", "password: is only spaces"},
        {"seven accented letters are 14 bytes but 7 characters", "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9",
         "password: must be at least 8 characters, got 7"},
        {"seven CJK characters are 21 bytes", "\u5bc6\u7801\u5bc6\u7801\u5bc6\u7801\u5bc6", "password: must be at least 8 characters, got 7"},
        {"too long", std::string(1025, 'x'), "password: must be at most 1024 bytes"},
    };
    int i = 0;
    for (const auto& c : refused) {
        CAPTURE(c.what);
        auto r = post_json(cli, "/api/v1/auth/signup",
                           {{"email", "p" + std::to_string(i++) + "@example.com"}, {"password", c.password}, {"workspace_name", "W"}});
        REQUIRE(r);
        CHECK(r->status == 400);
        CHECK(body_of(r)["error"].get<std::string>().find(c.message) != std::string::npos);
    }
    // Eight characters of any script will do, spaces inside a password too.
    for (const std::string ok : {"\u00e9t\u00e9 \u00e0 Paris", "\u5bc6\u7801\u5bc6\u7801\u5bc6\u7801\u5bc6\u7801", "  my pass  "}) {
        CAPTURE(ok);
        auto r = post_json(cli, "/api/v1/auth/signup", {{"email", "ok" + std::to_string(i++) + "@example.com"}, {"password", ok}, {"workspace_name", "W"}});
        REQUIRE(r);
        CHECK(r->status == 201);
    }
}

TEST_CASE("an existing account joins a second workspace by signing in with an invite") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client ada("127.0.0.1", server.port), bob("127.0.0.1", server.port), eve("127.0.0.1", server.port);
    json wa = sign_up(ada, "ada@example.com", "Ada's");
    json wb = sign_up(bob, "bob@example.com", "Bob's");
    REQUIRE(push(bob, "b1", json::array({change(crm::new_id(), "Bob's contact")}))->status == 200);
    const std::string code = body_of(bob.Post("/api/v1/invites", "", "application/json"))["code"];

    // Signing up again with the invite is refused (the account exists) and says what to do instead.
    auto again = post_json(eve, "/api/v1/auth/signup", {{"email", "ada@example.com"}, {"password", "correct horse battery"}, {"invite", code}});
    REQUIRE(again);
    CHECK(again->status == 409);
    CHECK(body_of(again)["code"] == "account_exists");
    CHECK(body_of(again)["error"].get<std::string>().find("sign in instead (with the invite code, to join)") != std::string::npos);

    // A wrong password with the invite: refused, and the invite is still unused.
    auto wrong = post_json(eve, "/api/v1/auth/login", {{"email", "ada@example.com"}, {"password", "not the password"}, {"invite", code}});
    REQUIRE(wrong);
    CHECK(wrong->status == 401);
    auto both = post_json(eve, "/api/v1/auth/login",
                          {{"email", "ada@example.com"}, {"password", "correct horse battery"}, {"invite", code}, {"workspace_id", wa["workspace"]["id"]}});
    REQUIRE(both);
    CHECK(both->status == 400);
    CHECK(body_of(both)["error"].get<std::string>().find("not both") != std::string::npos);

    json joined = body_of(post_json(eve, "/api/v1/auth/login", {{"email", "ada@example.com"}, {"password", "correct horse battery"}, {"invite", code}}));
    REQUIRE(joined.contains("token"));
    CHECK(joined["workspace"]["id"] == wb["workspace"]["id"]);
    CHECK(joined["workspace"]["role"] == "member");
    REQUIRE(joined["workspaces"].size() == 2);
    CHECK(joined["workspaces"][0]["id"] == wa["workspace"]["id"]);
    CHECK(joined["workspaces"][0]["role"] == "owner");
    eve.set_bearer_token_auth(joined["token"].get<std::string>());
    CHECK(pulled_names(eve) == std::vector<std::string>{"Bob's contact"});
    // Ada's first session still works in her own workspace.
    CHECK(pulled_names(ada).empty());

    // Later sign-ins: the first workspace by default, the second by its id.
    json first = body_of(post_json(eve, "/api/v1/auth/login", {{"email", "ada@example.com"}, {"password", "correct horse battery"}}));
    CHECK(first["workspace"]["id"] == wa["workspace"]["id"]);
    json second = body_of(post_json(eve, "/api/v1/auth/login",
                                     {{"email", "ada@example.com"}, {"password", "correct horse battery"}, {"workspace_id", wb["workspace"]["id"]}}));
    CHECK(second["workspace"]["id"] == wb["workspace"]["id"]);

    // The invite is used up, except for Ada, who may give it again on another device to sign in there.
    json on_laptop = body_of(post_json(eve, "/api/v1/auth/login", {{"email", "ada@example.com"}, {"password", "correct horse battery"}, {"invite", code}}));
    CHECK(on_laptop["workspace"]["id"] == wb["workspace"]["id"]);
    auto reused = post_json(eve, "/api/v1/auth/signup", {{"email", "carol@example.com"}, {"password", "another long one"}, {"invite", code}});
    REQUIRE(reused);
    CHECK(reused->status == 403);
    CHECK(body_of(reused)["code"] == "invalid_invite");
    // An invite to a workspace one is in already signs in there and stays unused.
    const std::string code2 = body_of(bob.Post("/api/v1/invites", "", "application/json"))["code"];
    json there = body_of(post_json(eve, "/api/v1/auth/login", {{"email", "ada@example.com"}, {"password", "correct horse battery"}, {"invite", code2}}));
    CHECK(there["workspace"]["id"] == wb["workspace"]["id"]);
    CHECK(there["workspaces"].size() == 2);
    CHECK(post_json(eve, "/api/v1/auth/signup", {{"email", "carol@example.com"}, {"password", "another long one"}, {"invite", code2}})->status == 201);
}
