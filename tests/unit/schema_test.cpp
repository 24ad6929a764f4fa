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
