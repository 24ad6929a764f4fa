#pragma once
// A fresh local workspace per test, with a clock that moves forward one millisecond per write.
#include <doctest/doctest.h>

#include "local_store.h"
#include "temp_dir.h"

using namespace crm;
using nlohmann::json;

struct Workspace {
    TempDir dir;
    LocalStore store = std::move(*LocalStore::open(dir.file("ws.db")));
    int64_t now = 1'750'000'000'000;  // 2025-06-15

    std::string create(const char* type, json values) {
        auto id = store.create(type, values, ++now);
        INFO(type, " ", values.dump(), " -> ", id ? std::string("ok") : id.error().to_string());
        REQUIRE(id.ok());
        return *id;
    }
    Error refused(const char* type, json values) {
        auto id = store.create(type, values, ++now);
        REQUIRE_FALSE(id.ok());
        return id.error();
    }
    int64_t count(const char* table) {
        auto st = store.db().prepare(std::string("SELECT count(*) FROM ") + table);
        REQUIRE(st.ok());
        REQUIRE(st->step().ok());
        return st->integer(0);
    }
};

