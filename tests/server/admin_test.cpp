// crm-admin's account commands on a real server's data folder: a locked-out owner gets back in.
#include <doctest/doctest.h>
#include <httplib.h>

#include <sys/wait.h>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../unit/temp_dir.h"
#include "api.h"
#include "server_process.h"

using nlohmann::json;
using test_api::sign_up;

using test_api::Fixture;

namespace {

constexpr const char* kPassword = "correct horse battery";


struct Ran {
    int status = -1;
    std::string out, err;
};

std::string read_all(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Runs crm-admin with `args` (no shell quoting needed: tests pass plain words) and `input` on stdin.
Ran admin(const TempDir& dir, const std::string& args, const std::string& input = "") {
    std::ofstream(dir.file("admin.in")) << input;
    const std::string cmd = std::string(CRM_ADMIN_BINARY) + " " + args + " < " + dir.file("admin.in") + " > " +
                            dir.file("admin.out") + " 2> " + dir.file("admin.err");
    const int raw = std::system(cmd.c_str());
    Ran r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = read_all(dir.file("admin.out"));
    r.err = read_all(dir.file("admin.err"));
    return r;
}

httplib::Result log_in(httplib::Client& cli, const std::string& email, const std::string& password) {
    return cli.Post("/api/v1/auth/login", json{{"email", email}, {"password", password}}.dump(), "application/json");
}

void lock_out(httplib::Client& cli, const std::string& email) {
    for (int i = 0; i < 5; ++i) REQUIRE(log_in(cli, email, "guess " + std::to_string(i))->status == 401);
    auto locked = log_in(cli, email, kPassword);
    REQUIRE(locked);
    REQUIRE(locked->status == 429);
}

}  // namespace

TEST_CASE("crm-admin unlock lets a locked-out owner sign in at once, while the server runs") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli, "owner@example.com");
    lock_out(cli, "owner@example.com");

    Ran r = admin(f.dir, "unlock --data " + f.data + " --email OWNER@example.com");
    CAPTURE(r.err);
    CHECK(r.status == 0);
    CHECK(r.out.find("unlocked OWNER@example.com: cleared 5 failed sign-ins") != std::string::npos);
    auto in = log_in(cli, "owner@example.com", kPassword);
    REQUIRE(in);
    CHECK(in->status == 200);

    // An address's count can be cleared too (5 failures counted for it already).
    for (int i = 0; i < 15; ++i)
        REQUIRE(log_in(cli, "spray" + std::to_string(i) + "@example.com", "wrong wrong")->status == 401);
    REQUIRE(log_in(cli, "owner@example.com", kPassword)->status == 429);
    r = admin(f.dir, "unlock --data " + f.data + " --address 127.0.0.1");
    CHECK(r.status == 0);
    CHECK(r.out.find("cleared") != std::string::npos);
    CHECK(log_in(cli, "owner@example.com", kPassword)->status == 200);
}

TEST_CASE("crm-admin unlock and reset-password refuse bad arguments with a message") {
    Fixture f;
    {
        ServerProcess server(f.data, f.web);
        httplib::Client cli("127.0.0.1", server.port);
        sign_up(cli, "owner@example.com");
    }
    Ran r = admin(f.dir, "unlock --data " + f.data + " --email nobody@example.com");
    CHECK(r.status == 1);
    CHECK(r.err.find("no account has the email nobody@example.com") != std::string::npos);
    r = admin(f.dir, "unlock --data " + f.data);
    CHECK(r.status == 2);
    CHECK(r.err.find("either --email E or --address A") != std::string::npos);
    r = admin(f.dir, "unlock --email owner@example.com");
    CHECK(r.status == 2);
    CHECK(r.err.find("needs --data DIR") != std::string::npos);
    r = admin(f.dir, "unlock --data " + f.dir.file("nowhere") + " --email owner@example.com");
    CHECK(r.status == 1);
    CHECK(r.err.find("no accounts database at") != std::string::npos);
    CHECK(!std::filesystem::exists(f.dir.file("nowhere")));
    r = admin(f.dir, "reset-password --data " + f.data + " --email nobody@example.com", "a good new passphrase\n");
    CHECK(r.status == 1);
    CHECK(r.err.find("no account has the email") != std::string::npos);
    r = admin(f.dir, "reset-password --data " + f.data + " --email owner@example.com", "");
    CHECK(r.status == 1);
    CHECK(r.err.find("password: is required") != std::string::npos);
    r = admin(f.dir, "reset-password --data " + f.data + " --email owner@example.com", "password1\n");
    CHECK(r.status == 1);
    CHECK(r.err.find("password: is one of the most commonly used passwords; choose another") != std::string::npos);
    r = admin(f.dir, "help");
    CHECK(r.status == 0);
    CHECK(r.out.find("unlock --data DIR") != std::string::npos);
    CHECK(r.out.find("reset-password --data DIR --email E") != std::string::npos);
}

TEST_CASE("crm-admin reset-password sets a new password, ends every session and clears the lockout") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client owner("127.0.0.1", server.port), other("127.0.0.1", server.port);
    sign_up(owner, "owner@example.com");
    CHECK(owner.Get("/api/v1/pull")->status == 200);
    lock_out(other, "owner@example.com");

    Ran r = admin(f.dir, "reset-password --data " + f.data + " --email owner@example.com", "a brand new passphrase\n");
    CAPTURE(r.err);
    CHECK(r.status == 0);
    CHECK(r.out.find("password of owner@example.com changed; 1 sessions ended") != std::string::npos);
    CHECK(owner.Get("/api/v1/pull")->status == 401);
    CHECK(log_in(other, "owner@example.com", kPassword)->status == 401);
    auto in = log_in(other, "owner@example.com", "a brand new passphrase");
    REQUIRE(in);
    CHECK(in->status == 200);
}
