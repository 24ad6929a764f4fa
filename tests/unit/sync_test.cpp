#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "hlc.h"
#include "ids.h"
#include "schema.h"
#include "sync.h"

using namespace crm;
using nlohmann::json;

static Db fresh_db() {
    auto db = Db::open(":memory:");
    REQUIRE(db.ok());
    REQUIRE(migrate(*db).ok());
    return std::move(*db);
}

static std::string name_of(Db& db, const std::string& id) {
    auto st = db.prepare("SELECT name FROM contacts WHERE id = ?1");
    REQUIRE(st.ok());
    st->bind(1, id);
    auto row = st->step();
    REQUIRE(row.ok());
    return *row ? st->text(0) : "<missing>";
}

static Change name_change(const std::string& id, const std::string& name, Hlc h, const std::string& replica) {
    return {"contact", id, "name", name, h.encode(), replica};
}

TEST_CASE("the change with the higher clock wins a field, whatever the order of arrival") {
    const std::string id = new_id(), r1 = new_id(), r2 = new_id();
    auto older = name_change(id, "Old", {1000, 0}, r1);
    auto newer = name_change(id, "New", {2000, 0}, r2);
    Db a = fresh_db(), b = fresh_db();
    REQUIRE(apply_changes(a, {older, newer}).ok());
    REQUIRE(apply_changes(b, {newer, older}).ok());
    CHECK(name_of(a, id) == "New");
    CHECK(name_of(b, id) == "New");
}

TEST_CASE("equal clocks are ordered by replica id, so every replica picks the same winner") {
    const std::string id = new_id();
    std::string r1 = new_id(), r2 = new_id();
    if (r1 > r2) std::swap(r1, r2);
    auto low = name_change(id, "Low", {1000, 0}, r1);
    auto high = name_change(id, "High", {1000, 0}, r2);
    Db a = fresh_db(), b = fresh_db();
    REQUIRE(apply_changes(a, {low, high}).ok());
    REQUIRE(apply_changes(b, {high, low}).ok());
    CHECK(name_of(a, id) == "High");
    CHECK(name_of(b, id) == "High");
}

TEST_CASE("applying the same changes twice changes nothing the second time") {
    const std::string id = new_id(), r = new_id();
    Db db = fresh_db();
    std::vector<Change> changes = {name_change(id, "Ada", {1000, 0}, r)};
    CHECK(*apply_changes(db, changes) == 1);
    CHECK(*apply_changes(db, changes) == 0);
    CHECK(name_of(db, id) == "Ada");
}

TEST_CASE("replicas that see the same changes in any order hold the same records") {
    std::mt19937 rng(42);
    std::vector<std::string> ids = {new_id(), new_id(), new_id()}, replicas = {new_id(), new_id(), new_id()};
    for (int trial = 0; trial < 50; ++trial) {
        std::vector<Change> changes;
        for (uint32_t i = 0; i < 30; ++i) {
            // Clocks collide across replicas and records, but a replica never stamps two
            // changes with the same clock: the counter is unique per change here.
            Hlc h{1000 + static_cast<int64_t>(rng() % 5), i};
            changes.push_back(name_change(ids[rng() % 3], "v" + std::to_string(rng() % 100), h, replicas[rng() % 3]));
        }
        Db a = fresh_db(), b = fresh_db();
        REQUIRE(apply_changes(a, changes).ok());
        std::shuffle(changes.begin(), changes.end(), rng);
        REQUIRE(apply_changes(b, changes).ok());
        for (const auto& id : ids) CHECK(name_of(a, id) == name_of(b, id));
    }
}

TEST_CASE("a change is parsed only when every member is present and valid") {
    const std::string id = new_id(), r = new_id(), hlc = Hlc{1000, 0}.encode();
    json good = {{"type", "contact"}, {"id", id}, {"field", "name"}, {"value", "Ada"}, {"hlc", hlc}, {"replica", r}};
    CHECK(parse_change(good).ok());

    SUBCASE("unknown record type") {
        good["type"] = "spaceship";
        auto c = parse_change(good);
        REQUIRE_FALSE(c.ok());
        CHECK(c.error().field == "type");
        CHECK(c.error().message.find("spaceship") != std::string::npos);
    }
    SUBCASE("unknown field") {
        good["field"] = "shoe_size";
        CHECK(parse_change(good).error().field == "field");
    }
    SUBCASE("unknown member") {
        good["extra"] = 1;
        CHECK(parse_change(good).error().field == "extra");
    }
    SUBCASE("missing member") {
        good.erase("hlc");
        CHECK(parse_change(good).error().field == "hlc");
    }
    SUBCASE("value of the wrong kind") {
        good["value"] = 42;
        auto c = parse_change(good);
        CHECK(c.error().field == "value");
        CHECK(c.error().message.find("must be text") != std::string::npos);
    }
    SUBCASE("value that fails the field's validation") {
        good["field"] = "email";
        good["value"] = "bob@";
        CHECK(parse_change(good).error().message.find("bob@") != std::string::npos);
    }
    SUBCASE("record id that is not an id") {
        good["id"] = "1; DROP TABLE contacts";
        CHECK(parse_change(good).error().field == "id");
    }
}

TEST_CASE("a batch with one bad change is refused whole, naming the change") {
    const std::string r = new_id(), hlc = Hlc{1000, 0}.encode();
    json changes = json::array();
    changes.push_back({{"type", "contact"}, {"id", new_id()}, {"field", "name"}, {"value", "Ada"}, {"hlc", hlc}, {"replica", r}});
    changes.push_back({{"type", "contact"}, {"id", new_id()}, {"field", "name"}, {"value", ""}, {"hlc", hlc}, {"replica", r}});
    auto parsed = parse_changes(changes);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().field == "changes[1].value");
    CHECK_FALSE(parse_changes(json::object()).ok());
    CHECK(parse_changes(json::array({1, 2, 3}), 2).error().message.find("limit") != std::string::npos);
}

TEST_CASE("a row's clocks are stored with each shared stamp once, and rows in the older plain form still merge") {
    const std::string id = new_id(), r1 = new_id(), r2 = new_id();
    const Hlc created{1000, 0};
    std::vector<Change> create;
    for (const char* field : {"name", "email", "job_title", "first_name", "last_name", "phone"})
        create.push_back({"contact", id, field, std::string(field) == "email" ? json("ada@example.com")
                                                : std::string(field) == "phone" ? json("+44 20 7946 0000") : json("Ada"),
                          created.encode(), r1});
    Db db = fresh_db();
    REQUIRE(apply_changes(db, create).ok());
    auto raw = [&] {
        auto st = db.prepare("SELECT clocks FROM contacts WHERE id = ?1");
        REQUIRE(st.ok());
        st->bind(1, id);
        REQUIRE(*st->step());
        return st->text(0);
    };
    const std::string stamp = created.encode() + " " + r1;
    // Six fields, one stamp: written once.
    std::string stored = raw();
    CHECK(stored.find(stamp) == stored.rfind(stamp));
    json clocks = parse_clocks(stored);
    CHECK(clocks.size() == 6);
    CHECK(field_stamp(clocks, "phone") == stamp);
    CHECK(parse_clocks(dump_clocks(clocks)) == clocks);

    SUBCASE("a later edit of one field gets a stamp of its own") {
        REQUIRE(apply_changes(db, {name_change(id, "Ada King", {2000, 0}, r2)}).ok());
        json after = parse_clocks(raw());
        CHECK(field_stamp(after, "name") == Hlc{2000, 0}.encode() + " " + r2);
        CHECK(field_stamp(after, "email") == stamp);
    }
    SUBCASE("a row in the plain form (written by an older build) merges the same and is rewritten compact") {
        json plain = clocks;
        auto st = db.prepare("UPDATE contacts SET clocks = ?1 WHERE id = ?2");
        REQUIRE(st.ok());
        REQUIRE(st->bind(1, plain.dump()).bind(2, id).run().ok());
        REQUIRE(apply_changes(db, {name_change(id, "Older", {500, 0}, r2)}).ok());
        CHECK(name_of(db, id) == "Ada");  // the older change loses against the plain clock
        REQUIRE(apply_changes(db, {name_change(id, "Newer", {3000, 0}, r2)}).ok());
        CHECK(name_of(db, id) == "Newer");
        CHECK(raw().find("\"@\"") != std::string::npos);
        CHECK(field_stamp(parse_clocks(raw()), "email") == stamp);
    }
    SUBCASE("unreadable clocks read as none") {
        CHECK(parse_clocks("not json").empty());
        CHECK(parse_clocks("{\"@\": 5, \"name\": 0}").empty());
        CHECK(parse_clocks("{\"@\": [\"x\"], \"name\": 7, \"email\": 0}") == json{{"email", "x"}});  // no stamp 7
    }
}
