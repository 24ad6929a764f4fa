#include <doctest/doctest.h>

#include "local_store.h"
#include "schema.h"
#include "temp_dir.h"

using namespace crm;

TEST_CASE("migrating a new database brings it to the latest version, and again is a no-op") {
    auto db = Db::open(":memory:");
    REQUIRE(db.ok());
    auto v = migrate(*db);
    REQUIRE(v.ok());
    CHECK(*v == latest_schema_version());
    auto again = migrate(*db);
    REQUIRE(again.ok());
    CHECK(*again == latest_schema_version());
}

TEST_CASE("a database from a newer build is refused and left untouched") {
    auto db = Db::open(":memory:");
    REQUIRE(db.ok());
    REQUIRE(db->exec("PRAGMA user_version = 999; CREATE TABLE keep(x);").ok());
    auto v = migrate(*db);
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().message.find("999") != std::string::npos);
    auto st = db->prepare("SELECT count(*) FROM sqlite_master WHERE name = 'contacts'");
    REQUIRE(st.ok());
    REQUIRE(st->step().ok());
    CHECK(st->integer(0) == 0);
}

TEST_CASE("a version 1 database migrates to the newest with its contacts, clocks and unsent changes") {
    TempDir dir;
    const std::string path = dir.file("v1.db");
    {
        auto db = Db::open(path);
        REQUIRE(db.ok());
        REQUIRE(migrate_to(*db, 1).ok());
        REQUIRE(db->exec(R"sql(
            INSERT INTO contacts(id, name, email, created_at, updated_at) VALUES
              ('0123456789abcdef0123456789abcdef', 'Ada Lovelace', 'ada@example.com', 1000, 1000);
            INSERT INTO field_clocks VALUES
              ('contact', '0123456789abcdef0123456789abcdef', 'name', '000000000000001000-00000', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
            INSERT INTO outbox(record_type, record_id, field, value, hlc, replica) VALUES
              ('contact', '0123456789abcdef0123456789abcdef', 'name', '"Ada Lovelace"', '000000000000001000-00000', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
        )sql").ok());
    }
    auto store = LocalStore::open(path);
    REQUIRE(store.ok());
    auto ada = store->get("contact", "0123456789abcdef0123456789abcdef");
    REQUIRE(ada.ok());
    CHECK((*ada)["name"] == "Ada Lovelace");
    CHECK((*ada)["tags"] == nlohmann::json::array());
    CHECK(store->search("lovelace")->size() == 1);  // indexed during the migration
    auto batch = store->next_batch();
    REQUIRE((batch.ok() && batch->has_value()));
    REQUIRE((*batch)->changes.size() == 1);
    CHECK((*batch)->changes[0].value == "Ada Lovelace");
    // The merge clock survived: an older remote rename loses, a newer one wins.
    Change older{"contact", "0123456789abcdef0123456789abcdef", "name", "Old", "000000000000000500-00000", std::string(32, 'b')};
    Change newer{"contact", "0123456789abcdef0123456789abcdef", "name", "New", "000000000000002000-00000", std::string(32, 'b')};
    REQUIRE(store->apply_pulled({older}, 1, 3000).ok());
    CHECK((*store->get("contact", "0123456789abcdef0123456789abcdef"))["name"] == "Ada Lovelace");
    REQUIRE(store->apply_pulled({newer}, 2, 3000).ok());
    CHECK((*store->get("contact", "0123456789abcdef0123456789abcdef"))["name"] == "New");
}

TEST_CASE("a version 2 database migrates to the newest, keeps its records and gains saved views that sync") {
    TempDir dir;
    const std::string path = dir.file("v2.db");
    {
        auto db = Db::open(path);
        REQUIRE(db.ok());
        REQUIRE(migrate_to(*db, 2).ok());
        REQUIRE(seed_defaults(*db).ok());
        REQUIRE(db->exec(R"sql(
            INSERT INTO contacts(id, name, email, created_at, updated_at, clocks) VALUES
              ('0123456789abcdef0123456789abcdef', 'Ada Lovelace', 'ada@example.com', 1000, 1000,
               '{"name": "000000000000001000-00000 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}');
        )sql").ok());
        auto st = db->prepare("SELECT count(*) FROM sqlite_master WHERE name = 'saved_views'");
        REQUIRE(st.ok());
        REQUIRE(st->step().ok());
        CHECK(st->integer(0) == 0);
    }
    auto store = LocalStore::open(path);
    REQUIRE(store.ok());
    CHECK((*store->get("contact", "0123456789abcdef0123456789abcdef"))["name"] == "Ada Lovelace");

    // A view is a record: created with validation, listed per record type, queued for the server.
    const int64_t outbox_before = *store->outbox_size();
    nlohmann::json filter = {{"any", false},
                             {"conditions", {{{"field", "lifecycle_stage"}, {"op", "eq"}, {"value", "customer"}}}},
                             {"groups", nlohmann::json::array()}};
    auto id = store->create("saved_view",
                            {{"record_type", "contact"}, {"name", "Customers"}, {"filter", filter},
                             {"columns", {"name", "email", "company_id"}}, {"sort", {{{"field", "name"}, {"descending", true}}}}},
                            5000);
    INFO((id.ok() ? std::string() : id.error().to_string()));
    REQUIRE(id.ok());
    CHECK(*store->outbox_size() > outbox_before);
    auto view = store->get("saved_view", *id);
    REQUIRE(view.ok());
    CHECK((*view)["filter"] == filter);
    CHECK((*view)["columns"] == nlohmann::json({"name", "email", "company_id"}));
    CHECK((*view)["sort"][0]["descending"] == true);
    Query q;
    q.filter.conditions.push_back({"record_type", Op::Eq, "contact"});
    CHECK(store->list("saved_view", q)->total == 1);

    // What a view holds is checked like any field, naming it.
    auto bad_filter = store->create("saved_view", {{"record_type", "contact"}, {"name", "Bad"}, {"filter", {{"conditions", 3}}}}, 6000);
    REQUIRE_FALSE(bad_filter.ok());
    CHECK(bad_filter.error().field == "filter");
    auto bad_sort = store->create("saved_view", {{"record_type", "contact"}, {"name", "Bad"}, {"sort", {{{"descending", true}}}}}, 6000);
    REQUIRE_FALSE(bad_sort.ok());
    CHECK(bad_sort.error().field == "sort");
    auto no_name = store->create("saved_view", {{"record_type", "deal"}}, 6000);
    REQUIRE_FALSE(no_name.ok());
    CHECK(no_name.error().field == "name");

    // Another replica's view arrives through the merge like any record.
    const std::string other(32, 'c');
    Change name{"saved_view", std::string(32, 'd'), "name", "Their view", "000000000000007000-00000", other};
    Change type{"saved_view", std::string(32, 'd'), "record_type", "company", "000000000000007000-00000", other};
    REQUIRE(store->apply_pulled({name, type}, 1, 8000).ok());
    CHECK((*store->get("saved_view", std::string(32, 'd')))["name"] == "Their view");
    CHECK((*store->get("saved_view", std::string(32, 'd')))["filter"] == nlohmann::json::object());
}
