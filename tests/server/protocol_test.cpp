// Integration tests of the sync protocol's guarantees against a real crm-server: batch ids that
// cannot be used up or reused for other changes, the default records delivered through the log,
// and history that is the same on every device and names who made each change.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

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

using test_api::Fixture;

namespace {


int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

json contact_change(const std::string& id, const std::string& field, json value, int64_t wall = 1000) {
    static const std::string replica = crm::new_id();
    return {{"type", "contact"}, {"id", id}, {"field", field}, {"value", value}, {"hlc", crm::Hlc{wall, 0}.encode()},
            {"replica", replica}};
}

// Every change after `after`, page by page (small pages, so edits meet page ends).
json pull_all(httplib::Client& cli, int64_t after = 0, int64_t limit = 7) {
    json all = json::array();
    for (;;) {
        json page = body_of(test_api::pull(cli, after, limit));
        REQUIRE(page.contains("changes"));
        for (auto& c : page["changes"]) all.push_back(c);
        after = page["cursor"].get<int64_t>();
        if (!page["more"].get<bool>()) break;
    }
    return all;
}

// A device's sync as the reference client does it: push the outbox, then pull until caught up.
void sync_device(httplib::Client& cli, crm::LocalStore& device) {
    for (;;) {
        auto batch = device.next_batch();
        REQUIRE(batch);
        if (!*batch) break;
        json changes = json::array();
        for (const auto& c : (*batch)->changes) changes.push_back(c.to_json());
        auto r = push(cli, (*batch)->batch_id, changes);
        REQUIRE(r);
        REQUIRE_MESSAGE(r->status == 200, r->body);
        REQUIRE(device.ack_batch((*batch)->last_seq));
    }
    for (;;) {
        json page = body_of(test_api::pull(cli, *device.cursor(), 7));
        for (auto& c : page["changes"]) c.erase("seq");
        auto parsed = crm::parse_changes(page["changes"], SIZE_MAX);
        REQUIRE_MESSAGE(parsed.ok(), (parsed ? std::string() : parsed.error().to_string()));
        REQUIRE(device.apply_pulled(*parsed, page["cursor"].get<int64_t>(), now_ms()));
        if (!page["more"].get<bool>()) break;
    }
}

std::vector<std::string> history_rows(crm::LocalStore& store) {
    auto st = store.db().prepare(
        "SELECT record_type, record_id, field, value, hlc, replica, author, created FROM history "
        "ORDER BY record_type, record_id, field, hlc, replica");
    REQUIRE(st);
    std::vector<std::string> rows;
    for (;;) {
        auto row = st->step();
        REQUIRE(row);
        if (!*row) break;
        std::string line;
        for (int i = 0; i < 7; ++i) line += st->text(i) + " | ";
        rows.push_back(line + std::to_string(st->integer(7)));
    }
    return rows;
}

}  // namespace

TEST_CASE("an empty batch is refused and does not use up its batch id") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli);
    const int64_t before = body_of(test_api::pull(cli, 0))["latest"].get<int64_t>();
    auto empty = push(cli, "b1", json::array());
    REQUIRE(empty);
    CHECK(empty->status == 400);
    CHECK(body_of(empty)["code"] == "empty_batch");
    CHECK(body_of(empty)["error"].get<std::string>().find("changes") != std::string::npos);

    const std::string id = crm::new_id();
    auto real = push(cli, "b1", json::array({contact_change(id, "name", "Ada Lovelace")}));
    REQUIRE(real);
    CHECK(real->status == 200);
    CHECK(body_of(real)["duplicate"] == false);
    CHECK(body_of(real)["accepted"] == 1);
    json after = pull_all(cli, before);
    REQUIRE(after.size() == 1);
    CHECK(after[0]["value"] == "Ada Lovelace");
}

TEST_CASE("a batch id that comes back with other changes is refused with 409, and the same changes are a duplicate") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli);
    const std::string id = crm::new_id();
    json first = json::array({contact_change(id, "name", "Ada")});
    auto r1 = push(cli, "same-id", first);
    REQUIRE(r1);
    REQUIRE(r1->status == 200);
    const int64_t cursor = body_of(r1)["cursor"].get<int64_t>();

    SUBCASE("other changes under the same id") {
        auto r2 = push(cli, "same-id", json::array({contact_change(id, "name", "Grace", 2000)}));
        REQUIRE(r2);
        CHECK(r2->status == 409);
        CHECK(body_of(r2)["code"] == "batch_conflict");
        CHECK(body_of(r2)["error"].get<std::string>().find("batch_id") == 0);
        json all = pull_all(cli, cursor);
        CHECK(all.empty());  // nothing written
    }
    SUBCASE("one more change under the same id") {
        json more = first;
        more.push_back(contact_change(id, "email", "ada@example.com"));
        auto r2 = push(cli, "same-id", more);
        REQUIRE(r2);
        CHECK(r2->status == 409);
        CHECK(body_of(r2)["code"] == "batch_conflict");
    }
    SUBCASE("the same changes again") {
        auto r2 = push(cli, "same-id", first);
        REQUIRE(r2);
        CHECK(r2->status == 200);
        CHECK(body_of(r2)["duplicate"] == true);
        CHECK(body_of(r2)["cursor"] == cursor);
    }
}

TEST_CASE("a client that pulls from 0 receives every stage and pipeline that any deal refers to") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client cli("127.0.0.1", server.port);
    sign_up(cli);
    // A device makes deals in the default pipeline (its own seed, at clock zero) and pushes them.
    TempDir dir;
    auto maker = crm::LocalStore::open(dir.file("maker.db"));
    REQUIRE(maker);
    const int64_t now = now_ms();
    auto deal = maker->create("deal", {{"name", "Renewal"}}, now);
    REQUIRE(deal);
    REQUIRE(maker->move_deal(*deal, "00000000000000000000000000000105", now + 1));  // closed won
    REQUIRE(maker->create("deal", {{"name", "New logo"}}, now + 2));
    sync_device(cli, *maker);

    // A client written from the protocol alone: no local seed, only what pulls deliver.
    std::map<std::string, json> records;  // "type id" -> {field: value}
    for (const auto& c : pull_all(cli))
        records[c["type"].get<std::string>() + " " + c["id"].get<std::string>()][c["field"].get<std::string>()] =
            c["value"];
    int deals = 0;
    for (const auto& [key, fields] : records) {
        if (key.rfind("deal ", 0) != 0) continue;
        ++deals;
        const std::string stage = fields.value("stage_id", ""), pipeline = fields.value("pipeline_id", "");
        INFO(key, " ", fields.dump());
        REQUIRE(records.count("stage " + stage) == 1);
        CHECK(records["stage " + stage]["pipeline_id"] == pipeline);
        CHECK(records["stage " + stage].contains("name"));
        REQUIRE(records.count("pipeline " + pipeline) == 1);
        CHECK(records["pipeline " + pipeline]["name"] == "Sales");
    }
    CHECK(deals == 2);
    // Every seeded stage came, and a replica that seeded them itself merges them as no change.
    int stages = 0;
    for (const auto& [key, fields] : records)
        stages += key.rfind("stage ", 0) == 0 && key.find(" 0000") != std::string::npos;
    CHECK(stages == 6);
    auto pulled_twice = crm::LocalStore::open(dir.file("late.db"));
    REQUIRE(pulled_twice);
    sync_device(cli, *pulled_twice);
    auto stage = pulled_twice->get("stage", "00000000000000000000000000000105");
    REQUIRE(stage);
    CHECK((*stage)["name"] == "Closed won");
}

TEST_CASE("history is the same on every device, one started from a snapshot included, and names who made each change") {
    Fixture f;
    ServerProcess server(f.data, f.web);
    httplib::Client owner("127.0.0.1", server.port), member("127.0.0.1", server.port);
    sign_up(owner, "owner@example.com");
    auto inv = owner.Post("/api/v1/invites", "", "application/json");
    REQUIRE(inv);
    REQUIRE(inv->status == 201);
    auto joined = member.Post(
        "/api/v1/auth/signup",
        json{{"email", "member@example.com"}, {"password", "another long one"}, {"invite", body_of(inv)["code"]}}
            .dump(),
        "application/json");
    REQUIRE(joined);
    REQUIRE_MESSAGE(joined->status == 201, joined->body);
    member.set_bearer_token_auth(body_of(joined)["token"].get<std::string>());

    TempDir dir;
    auto a = crm::LocalStore::open(dir.file("a.db"));
    auto b = crm::LocalStore::open(dir.file("b.db"));
    REQUIRE((a && b));
    int64_t now = now_ms();
    auto contact = a->create("contact", {{"name", "Ada"}, {"email", "ada@example.com"}}, ++now);
    auto deal = a->create("deal", {{"name", "Renewal"}, {"amount", 100}, {"currency", "USD"}}, ++now);
    REQUIRE((contact && deal));
    sync_device(owner, *a);
    sync_device(member, *b);
    REQUIRE(b->update("contact", *contact, {{"name", "Ada Lovelace"}, {"job_title", "Countess"}}, ++now));
    REQUIRE(b->move_deal(*deal, "00000000000000000000000000000103", ++now));
    REQUIRE(a->update("contact", *contact, {{"email", "ada@lovelace.org"}}, ++now));
    REQUIRE(a->update("deal", *deal, {{"amount", 250}}, ++now));
    // Before it reaches the server, an edit is the device's own.
    auto mine = a->timeline("deal", *deal);
    REQUIRE(mine);
    REQUIRE(!mine->empty());
    CHECK(mine->front().field == "amount");
    CHECK(mine->front().unsent);
    sync_device(owner, *a);
    sync_device(member, *b);
    REQUIRE(b->update("deal", *deal, {{"name", "Renewal 2026"}}, ++now));
    sync_device(member, *b);

    // A device that starts from the snapshot (whatever part of the log it holds), then pulls the rest.
    auto r = member.Get("/api/v1/snapshot", {{"Accept-Encoding", "gzip"}});
    REQUIRE(r);
    REQUIRE(r->status == 200);
    std::ofstream(dir.file("snap.db"), std::ios::binary) << r->body;
    auto snap = crm::LocalStore::open(dir.file("snap.db"));
    REQUIRE(snap);
    sync_device(member, *snap);
    // One that pulls everything from 0.
    auto fresh = crm::LocalStore::open(dir.file("fresh.db"));
    REQUIRE(fresh);
    sync_device(owner, *fresh);
    sync_device(owner, *a);
    sync_device(member, *b);

    const auto expected = history_rows(*fresh);
    CHECK(expected.size() >= 8);
    CHECK(history_rows(*a) == expected);
    CHECK(history_rows(*b) == expected);
    CHECK(history_rows(*snap) == expected);

    // Every change names its author.
    std::map<std::string, std::string> who;  // field -> author, on the fresh device
    auto t = fresh->timeline("deal", *deal);
    REQUIRE(t);
    for (const auto& e : *t)
        if (e.kind != "created" && e.kind != "activity") {
            who[e.field] = e.author;
            CHECK_FALSE(e.unsent);
        }
    CHECK(who["amount"] == "owner@example.com");
    CHECK(who["stage_id"] == "member@example.com");
    CHECK(who["name"] == "member@example.com");
    auto ct = snap->timeline("contact", *contact);
    REQUIRE(ct);
    std::set<std::string> contact_authors;
    for (const auto& e : *ct)
        if (e.kind == "field") contact_authors.insert(e.field + " " + e.author);
    CHECK(contact_authors ==
          std::set<std::string>{"email owner@example.com", "job_title member@example.com", "name member@example.com"});
    // Pulls carry the author of each change.
    json all = pull_all(owner);
    bool any = false;
    for (const auto& c : all)
        if (c["id"] == *contact && c["field"] == "job_title") {
            CHECK(c["author"] == "member@example.com");
            any = true;
        }
    CHECK(any);
}
