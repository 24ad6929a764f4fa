#pragma once
// A thin RAII layer over SQLite: one Db per connection, Stmt for prepared statements, Tx for
// all-or-nothing writes. Errors come back as values carrying SQLite's own message.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace crm {

class Stmt;

class Db {
public:
    // Opens (creating if needed) the database at `path`; ":memory:" gives a private in-memory one.
    static Result<Db> open(const std::string& path);
    Db(Db&& other) noexcept;
    Db& operator=(Db&& other) noexcept;
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    ~Db();

    // Runs one or more statements that return no rows.
    Status exec(std::string_view sql);
    // Prepares one statement; fails with SQLite's message on a syntax error.
    Result<Stmt> prepare(std::string_view sql);
    // A statement prepared once per connection and reused, reset and unbound on each call: for
    // statements run once per record. Reset it after reading, so it holds no lock.
    Result<Stmt*> cached(const std::string& sql);
    int64_t changes() const;
    std::string last_error() const;
    sqlite3* handle() const { return db_; }

private:
    explicit Db(sqlite3* db);
    sqlite3* db_ = nullptr;
    std::unique_ptr<std::map<std::string, Stmt, std::less<>>> cache_;
};

class Stmt {
public:
    Stmt(Stmt&& other) noexcept;
    Stmt& operator=(Stmt&& other) noexcept;
    Stmt(const Stmt&) = delete;
    ~Stmt();

    // Binds by 1-based position; chainable.
    Stmt& bind(int index, std::string_view text);
    Stmt& bind(int index, int64_t number);
    Stmt& bind(int index, int number) { return bind(index, static_cast<int64_t>(number)); }
    Stmt& bind(int index, double number);
    Stmt& bind_null(int index);

    // Steps once: true when a row is ready, false when done; an error is returned as a value.
    Result<bool> step();
    // Steps to completion, for statements that return no rows.
    Status run();
    void reset();

    std::string text(int column) const;
    int64_t integer(int column) const;
    double real(int column) const;
    bool is_null(int column) const;

private:
    friend class Db;
    Stmt(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
    sqlite3_stmt* stmt_ = nullptr;
    sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() succeeded.
class Tx {
public:
    explicit Tx(Db& db);
    ~Tx();
    Tx(const Tx&) = delete;
    Status begun() const { return begun_; }
    Status commit();

private:
    Db& db_;
    Status begun_;
    bool done_ = false;
};

}  // namespace crm
