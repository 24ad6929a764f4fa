#include <doctest/doctest.h>

#include "schema.h"

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
