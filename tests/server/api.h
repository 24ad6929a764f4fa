#pragma once
// Small helpers for talking to a real crm-server in the integration tests.
#include <doctest/doctest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "../unit/temp_dir.h"

namespace test_api {

using nlohmann::json;

// A data folder and a web folder (with an index.html) for one server, removed afterwards.
struct Fixture {
    TempDir dir;
    std::string data = dir.file("data"), web = dir.file("web");
    Fixture() {
        std::filesystem::create_directories(web);
        std::ofstream(web + "/index.html") << "<!doctype html><title>CRM</title>";
    }
};

inline json body_of(const httplib::Result& r) {
    REQUIRE(r);
    return json::parse(r->body, nullptr, false);
}

// Signs up a new account with a new workspace; `cli` then sends its token with every request.
// Returns the server's answer (token, account, workspace).
inline json sign_up(httplib::Client& cli, const std::string& email = "owner@example.com",
                    const std::string& workspace = "Acme", const std::string& password = "correct horse battery") {
    auto r = cli.Post("/api/v1/auth/signup", json{{"email", email}, {"password", password}, {"workspace_name", workspace}}.dump(),
                      "application/json");
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 201, r->body);
    json j = json::parse(r->body);
    cli.set_bearer_token_auth(j["token"].get<std::string>());
    return j;
}

inline httplib::Result push(httplib::Client& cli, const std::string& batch, const json& changes) {
    return cli.Post("/api/v1/push", json{{"batch_id", batch}, {"changes", changes}}.dump(), "application/json");
}

// One page of the log after `after`, at most `limit` changes.
inline httplib::Result pull(httplib::Client& cli, int64_t after, int64_t limit = 1000) {
    return cli.Get(("/api/v1/pull?after=" + std::to_string(after) + "&limit=" + std::to_string(limit)).c_str());
}

}  // namespace test_api
