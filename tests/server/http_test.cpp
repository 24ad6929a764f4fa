// Integration tests: a real crm-server process, real HTTP on 127.0.0.1.
#include <doctest/doctest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include "../unit/temp_dir.h"
#include "api.h"
#include "hlc.h"
#include "ids.h"
#include "local_store.h"
#include "schema.h"
#include "server_process.h"
#include "sync.h"

using nlohmann::json;
using test_api::body_of;
using test_api::push;
using test_api::sign_up;

namespace {

struct Fixture {
    TempDir dir;
    std::string data = dir.file("data"), web = dir.file("web");
    Fixture() {
        std::filesystem::create_directories(web + "/fonts");
        std::ofstream(web + "/index.html") << "<!doctype html><title>CRM</title>";
        std::ofstream(web + "/client.wasm", std::ios::binary) << std::string("\0asm\1\0\0\0", 8);
        std::ofstream(dir.file("secret.txt")) << "outside the web folder";
    }
};

// A workspace's log starts with the default records (the seed): the changes pushed here follow.
const int64_t kSeed = static_cast<int64_t>(crm::seed_changes().size());

json contact_change(const std::string& id, const std::string& field, json value, int64_t wall = 1000) {
    static const std::string replica = crm::new_id();
    return {{"type", "contact"}, {"id", id}, {"field", field}, {"value", value},
            {"hlc", crm::Hlc{wall, 0}.encode()}, {"replica", replica}};
}

// Sends raw bytes and returns the raw response, read until the server closes the connection:
// for requests a well-behaved client would not make.
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

TEST_CASE("the server serves the page with a content security policy and wasm as application/wasm") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    auto page = cli.Get("/");
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->get_header_value("Content-Type") == "text/html; charset=utf-8");
    CHECK(page->get_header_value("Content-Security-Policy").find("default-src 'self'") != std::string::npos);
    auto wasm = cli.Get("/client.wasm");
    REQUIRE(wasm);
    CHECK(wasm->status == 200);
    CHECK(wasm->get_header_value("Content-Type") == "application/wasm");
    auto missing = cli.Get("/nope.js");
    REQUIRE(missing);
    CHECK(missing->status == 404);
    CHECK(body_of(missing)["error"].get<std::string>().find("nope.js") != std::string::npos);
}

TEST_CASE("the wasm goes out precompressed to browsers that accept gzip, and plain to others") {
    Fixture f;
    std::ofstream(f.web + "/client.wasm.gz", std::ios::binary) << "GZ";
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    cli.set_decompress(false);
    auto gz = cli.Get("/client.wasm", {{"Accept-Encoding", "gzip, deflate"}});
    REQUIRE(gz);
    CHECK(gz->get_header_value("Content-Encoding") == "gzip");
    CHECK(gz->get_header_value("Content-Type") == "application/wasm");
    CHECK(gz->body == "GZ");
    auto plain = cli.Get("/client.wasm", {{"Accept-Encoding", "identity"}});
    REQUIRE(plain);
    CHECK(plain->get_header_value("Content-Encoding").empty());
    CHECK(plain->body == std::string("\0asm\1\0\0\0", 8));
}

TEST_CASE("paths outside the web folder are refused") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    for (const char* path : {"/../secret.txt", "/fonts/../../secret.txt", "/%2e%2e/secret.txt", "/.hidden"}) {
        CAPTURE(path);
        std::string resp = raw_request(server.port, std::string("GET ") + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        CHECK(resp.rfind("HTTP/1.1 4", 0) == 0);
        CHECK(resp.find("outside the web folder") == std::string::npos);
    }
}

TEST_CASE("a pushed batch is acknowledged with a cursor and comes back on pull") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli);
    const std::string id = crm::new_id();
    auto r = push(cli, "b1", json::array({contact_change(id, "name", "Ada Lovelace"), contact_change(id, "email", "ada@example.com")}));
    REQUIRE(r);
    CHECK(r->status == 200);
    json ack = body_of(r);
    CHECK(ack["accepted"] == 2);
    CHECK(ack["cursor"] == kSeed + 2);
    CHECK(ack["duplicate"] == false);

    json pulled = body_of(cli.Get("/api/v1/pull?after=" + std::to_string(kSeed)));
    REQUIRE(pulled["changes"].size() == 2);
    CHECK(pulled["changes"][0]["value"] == "Ada Lovelace");
    CHECK(pulled["changes"][0]["seq"] == kSeed + 1);
    CHECK(pulled["changes"][0]["author"] == "owner@example.com");
    CHECK(pulled["cursor"] == kSeed + 2);
    CHECK(pulled["more"] == false);

    // A page ends at the end of an edit: the two changes share a record and a stamp.
    json paged = body_of(cli.Get("/api/v1/pull?after=" + std::to_string(kSeed) + "&limit=1"));
    CHECK(paged["changes"].size() == 2);
    CHECK(paged["more"] == false);
    CHECK(paged["cursor"] == kSeed + 2);
}

TEST_CASE("the same batch pushed twice is applied once") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli);
    json changes = json::array({contact_change(crm::new_id(), "name", "Once")});
    CHECK(body_of(push(cli, "same", changes))["duplicate"] == false);
    json again = body_of(push(cli, "same", changes));
    CHECK(again["duplicate"] == true);
    CHECK(again["cursor"] == kSeed + 1);
    CHECK(body_of(cli.Get("/api/v1/pull?after=" + std::to_string(kSeed)))["changes"].size() == 1);
}

TEST_CASE("bad requests get a 4xx with a JSON error, write nothing, and the server keeps serving") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli);
    const std::string id = crm::new_id();

    SUBCASE("malformed JSON") {
        auto r = cli.Post("/api/v1/push", "{\"batch_id\": \"x\", \"changes\": [", "application/json");
        REQUIRE(r);
        CHECK(r->status == 400);
        CHECK(body_of(r)["error"].get<std::string>().find("not valid JSON") != std::string::npos);
    }
    SUBCASE("a batch with one invalid change") {
        auto r = push(cli, "b", json::array({contact_change(id, "name", "Fine"), contact_change(id, "email", "bob@")}));
        REQUIRE(r);
        CHECK(r->status == 400);
        CHECK(body_of(r)["error"].get<std::string>().find("changes[1].value") != std::string::npos);
    }
    SUBCASE("an unknown record type") {
        json c = contact_change(id, "name", "X");
        c["type"] = "spaceship";
        auto r = push(cli, "b", json::array({c}));
        REQUIRE(r);
        CHECK(r->status == 400);
        CHECK(body_of(r)["error"].get<std::string>().find("spaceship") != std::string::npos);
    }
    SUBCASE("an unknown member of the body") {
        auto r = cli.Post("/api/v1/push", R"({"batch_id":"b","changes":[],"drop":1})", "application/json");
        REQUIRE(r);
        CHECK(r->status == 400);
        CHECK(body_of(r)["error"].get<std::string>().find("drop") != std::string::npos);
    }
    SUBCASE("the wrong content type") {
        auto r = cli.Post("/api/v1/push", "{}", "text/plain");
        REQUIRE(r);
        CHECK(r->status == 415);
    }
    SUBCASE("a body over the size limit") {
        auto r = cli.Post("/api/v1/push", std::string(crm::kMaxRequestBytes + 10, ' '), "application/json");
        REQUIRE(r);
        CHECK(r->status == 413);
        CHECK(body_of(r)["error"].get<std::string>().find("limit") != std::string::npos);
    }
    SUBCASE("a truncated body (the server answers once its read times out)") {
        std::string body = json{{"batch_id", "t"}, {"changes", json::array({contact_change(id, "name", "Cut")})}}.dump();
        std::string resp = raw_request(server.port,
            "POST /api/v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
            "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, body.size() / 2));
        CHECK(resp.rfind("HTTP/1.1 4", 0) == 0);
    }
    SUBCASE("pull with a bad cursor") {
        auto r = cli.Get("/api/v1/pull?after=-1");
        REQUIRE(r);
        CHECK(r->status == 400);
        CHECK(body_of(r)["error"].get<std::string>().find("after") != std::string::npos);
    }
    SUBCASE("an unknown endpoint") {
        auto r = cli.Get("/api/v1/teleport");
        REQUIRE(r);
        CHECK(r->status == 404);
        CHECK(body_of(r).contains("error"));
    }

    // Nothing was written, and the server still answers.
    json pulled = body_of(cli.Get("/api/v1/pull?after=" + std::to_string(kSeed)));
    CHECK(pulled["changes"].size() == 0);
    auto health = cli.Get("/api/v1/health");
    REQUIRE(health);
    CHECK(health->status == 200);
}

TEST_CASE("the server stops cleanly on SIGTERM and keeps its data and sessions across a restart") {
    Fixture f;
    std::string token;
    {
        ServerProcess server(f.data, f.web);
        httplib::Client cli("127.0.0.1", server.port);
        token = sign_up(cli)["token"];
        REQUIRE(push(cli, "keep", json::array({contact_change(crm::new_id(), "name", "Kept")}))->status == 200);
        CHECK(server.stop() == 0);
    }
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    cli.set_bearer_token_auth(token);
    json pulled = body_of(cli.Get("/api/v1/pull?after=" + std::to_string(kSeed)));
    REQUIRE(pulled["changes"].size() == 1);
    CHECK(pulled["changes"][0]["value"] == "Kept");
}

TEST_CASE("a change stamped more than a minute ahead of the server's clock is refused, naming it") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli);
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    const std::string id = crm::new_id();
    auto ok = push(cli, "near", json::array({contact_change(id, "name", "Within bound", now + 30'000)}));
    REQUIRE(ok);
    CHECK(ok->status == 200);
    auto far = push(cli, "far", json::array({contact_change(id, "name", "Fine"), contact_change(id, "name", "From the future", now + 3'600'000)}));
    REQUIRE(far);
    CHECK(far->status == 400);
    const std::string error = body_of(far)["error"].get<std::string>();
    CHECK(error.find("changes[1].hlc") != std::string::npos);
    CHECK(error.find("ahead") != std::string::npos);
    CHECK(body_of(cli.Get("/api/v1/pull?after=" + std::to_string(kSeed)))["changes"].size() == 1);  // nothing of the refused batch
}

TEST_CASE("the live channel answers as soon as another client of the workspace pushes") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client waiter("127.0.0.1", server.port), pusher("127.0.0.1", server.port);
    waiter.set_bearer_token_auth(sign_up(pusher)["token"].get<std::string>());
    waiter.set_read_timeout(30, 0);
    auto start = std::chrono::steady_clock::now();
    std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        REQUIRE(push(pusher, "live", json::array({contact_change(crm::new_id(), "name", "Live")}))->status == 200);
    });
    auto r = waiter.Get("/api/v1/wait?after=" + std::to_string(kSeed) + "&timeout=20");
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    t.join();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(body_of(r)["latest"] == kSeed + 1);
    CHECK(waited < 5000);  // woken by the push, not by the 20 s timeout
    auto idle = waiter.Get("/api/v1/wait?after=" + std::to_string(kSeed + 1) + "&timeout=1");
    REQUIRE(idle);
    CHECK(body_of(idle)["latest"] == kSeed + 1);  // nothing new: answers at the timeout
    CHECK(waiter.Get("/api/v1/wait?timeout=999")->status == 400);
}

TEST_CASE("the log's epoch survives a restart, and pull reports the latest sequence number") {
    Fixture f;
    std::string epoch, token;
    {
        ServerProcess server(f.data, f.web);
        httplib::Client cli("127.0.0.1", server.port);
        token = sign_up(cli)["token"];
        REQUIRE(push(cli, "e", json::array({contact_change(crm::new_id(), "name", "E")}))->status == 200);
        json pulled = body_of(cli.Get("/api/v1/pull?after=1"));
        CHECK(pulled["latest"] == kSeed + 1);
        epoch = pulled["epoch"].get<std::string>();
        CHECK(epoch.size() == 32);
    }
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    cli.set_bearer_token_auth(token);
    CHECK(body_of(cli.Get("/api/v1/pull"))["epoch"] == epoch);
    // Another workspace is another log, with another epoch.
    httplib::Client other("127.0.0.1", server.port);
    sign_up(other, "other@example.com", "Other");
    CHECK(body_of(other.Get("/api/v1/pull"))["epoch"] != epoch);
}

TEST_CASE("a new device can start from a snapshot: the records as a database file, then the log after it") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli);
    const std::string ada = crm::new_id(), grace = crm::new_id();
    REQUIRE(push(cli, "s1", json::array({contact_change(ada, "name", "Ada Lovelace"), contact_change(ada, "email", "ada@example.com"),
                                         contact_change(grace, "name", "Grace Hopper")}))->status == 200);
    REQUIRE(push(cli, "s2", json::array({contact_change(ada, "name", "Ada King", 2000)}))->status == 200);

    auto r = cli.Get("/api/v1/snapshot", {{"Accept-Encoding", "gzip"}});  // httplib inflates it
    REQUIRE(r);
    REQUIRE(r->status == 200);
    CHECK(r->get_header_value("Content-Type") == "application/vnd.sqlite3");
    // Made in the background after a push, it may be a little behind the log (here after s1 or
    // after s2); the pull after its cursor brings the rest.
    const int64_t cursor = std::stoll(r->get_header_value("X-Crm-Cursor"));
    CHECK((cursor == kSeed + 3 || cursor == kSeed + 4));
    CHECK(r->get_header_value("X-Crm-Size") == std::to_string(r->body.size()));
    const std::string epoch = r->get_header_value("X-Crm-Epoch");
    json rest = body_of(cli.Get("/api/v1/pull?after=" + std::to_string(cursor)));
    CHECK(epoch == rest["epoch"]);
    const std::string path = f.dir.file("snapshot.db");
    std::ofstream(path, std::ios::binary) << r->body;

    auto store = crm::LocalStore::open(path);
    REQUIRE_MESSAGE(store, store.error().to_string());
    CHECK(*store->cursor() == cursor);
    CHECK(*store->server_epoch() == epoch);
    CHECK(*store->outbox_size() == 0);
    for (auto& c : rest["changes"]) c.erase("seq");
    auto after = crm::parse_changes(rest["changes"]);
    REQUIRE(after);
    REQUIRE(store->apply_pulled(*after, rest["cursor"].get<int64_t>(), 5000));
    CHECK(*store->cursor() == kSeed + 4);
    auto contacts = store->list_contacts();
    REQUIRE(contacts);
    REQUIRE(contacts->size() == 2);
    auto hits = store->search("king");
    REQUIRE(hits);
    CHECK(hits->size() == 1);
    // The device is a replica of its own, and it keeps merging what comes after the snapshot.
    auto plain = cli.Get("/api/v1/snapshot", {{"Accept-Encoding", "identity"}});
    REQUIRE(plain);
    CHECK(plain->get_header_value("Content-Encoding").empty());
    CHECK(plain->body == r->body);
    std::ofstream(f.dir.file("second.db"), std::ios::binary) << plain->body;
    auto second = crm::LocalStore::open(f.dir.file("second.db"));
    REQUIRE(second);
    CHECK(second->replica_id() != store->replica_id());
    CHECK(second->replica_id().size() == 32);
}

TEST_CASE("a fresh device adopts the snapshot in place, keeps its own identity, and refuses to overwrite unsent work") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli);
    const std::string ada = crm::new_id(), grace = crm::new_id();
    REQUIRE(push(cli, "s1", json::array({contact_change(ada, "name", "Ada Lovelace"), contact_change(grace, "name", "Grace Hopper")}))
                ->status == 200);
    auto r = cli.Get("/api/v1/snapshot", {{"Accept-Encoding", "gzip"}});
    REQUIRE(r);
    REQUIRE(r->status == 200);
    const std::string image = r->body;

    // A device that signed in and learned its clock offset, and has not synced yet.
    auto device = crm::LocalStore::open(f.dir.file("device.db"));
    REQUIRE(device);
    const std::string replica = device->replica_id();
    REQUIRE(device->bind_workspace("w-id", "Acme"));
    REQUIRE(device->set_clock_offset(1234));

    SUBCASE("the server sends the image's SHA-256; a device that matched it adopts without the structural check") {
        unsigned char digest[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(image.data()), image.size());
        char hex[2 * crypto_hash_sha256_BYTES + 1];
        sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
        CHECK(r->get_header_value("X-Crm-Sha256") == std::string(hex));
        auto adopted = device->adopt_snapshot(image, true);
        REQUIRE_MESSAGE(adopted, adopted.error().to_string());
        CHECK(*device->cursor() == kSeed + 2);
        CHECK(device->get("contact", grace)->at("name") == "Grace Hopper");
    }
    SUBCASE("adopted: the workspace's records, searchable, and the device still itself") {
        auto adopted = device->adopt_snapshot(image);
        REQUIRE_MESSAGE(adopted, adopted.error().to_string());
        CHECK(device->replica_id() == replica);
        CHECK(*device->workspace_id() == "w-id");
        CHECK(*device->clock_offset() == 1234);
        CHECK(*device->cursor() == kSeed + 2);
        CHECK(*device->server_epoch() == r->get_header_value("X-Crm-Epoch"));
        auto hits = device->search("grace");
        REQUIRE(hits);
        CHECK(hits->size() == 1);
        // It goes on as a replica: an edit made now is stamped after every change it adopted.
        REQUIRE(device->update("contact", ada, {{"name", "Ada King"}}, 500));
        auto batch = device->next_batch();
        REQUIRE(batch);
        REQUIRE(batch->has_value());
        CHECK((*batch)->changes.at(0).replica == replica);
        CHECK((*batch)->changes.at(0).hlc > crm::Hlc{1000, 0}.encode());
        // ...and the same database opened again is the same replica with the same data.
        const std::string path = f.dir.file("device.db");
        device = crm::Result<crm::LocalStore>(crm::Error{"", "closed"});
        auto again = crm::LocalStore::open(path);
        REQUIRE(again);
        CHECK(again->replica_id() == replica);
        CHECK(again->get("contact", ada)->at("name") == "Ada King");
    }
    SUBCASE("refused while the device holds an edit not yet sent: nothing replaced") {
        auto mine = device->create("contact", {{"name", "Made offline"}}, 500);
        REQUIRE(mine);
        const int64_t unsent = *device->outbox_size();
        auto adopted = device->adopt_snapshot(image);
        REQUIRE_FALSE(adopted);
        CHECK(adopted.error().message.find("already holds workspace data") != std::string::npos);
        CHECK(device->get("contact", *mine)->at("name") == "Made offline");
        CHECK(*device->outbox_size() == unsent);
    }
    SUBCASE("a damaged or foreign image is refused: nothing replaced") {
        std::string damaged = image;
        damaged.resize(damaged.size() / 2);
        for (const std::string& bad : {std::string("not a database at all"), damaged}) {
            auto adopted = device->adopt_snapshot(bad);
            REQUIRE_FALSE(adopted);
            CHECK(adopted.error().message.find("server's copy of the workspace") != std::string::npos);
            CHECK(*device->cursor() == 0);
            CHECK(*device->workspace_id() == "w-id");
            CHECK(device->replica_id() == replica);
        }
    }
}
