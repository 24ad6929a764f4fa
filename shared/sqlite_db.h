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

// Shows every text value read through Stmt::text() to `observer` first; nullptr (the default)
// turns it off. One per process. The browser client learns from it which characters the rows it
// is about to draw hold, so that its font atlas can take in their glyphs (client/fonts.h).
void set_text_observer(void (*observer)(std::string_view text));

class Db {
public:
    // Opens (creating if needed) the database at `path`; ":memory:" gives a private in-memory one.
    static Result<Db> open(const std::string& path);
    // Opens a database file image held in memory, read-only, without copying it: `image` must
    // outlive the Db. For checking a downloaded database before copy_from() takes it in.
    static Result<Db> open_image(std::string_view image);
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
    // Replaces this database's whole content with `source`'s, page by page, in one write
    // transaction (SQLite's online backup): a reader sees the old database or the new one, never
    // a mix. Fails, leaving this database as it was, while it has a transaction open.
    Status copy_from(Db& source);
    std::string last_error() const;
    // SQLite's message if any statement on this connection found its file damaged
    // (SQLITE_CORRUPT or SQLITE_NOTADB); empty otherwise. SQLite notices damage in the pages it
    // reads, so this is how a damaged page that no check at open time read shows up later.
    std::string damage() const;
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
    Stmt& bind_blob(int index, std::string_view bytes);
    Stmt& bind_null(int index);

    // Steps once: true when a row is ready, false when done; an error is returned as a value.
    Result<bool> step();
    // Steps to completion, for statements that return no rows.
    Status run();
    void reset();

    std::string text(int column) const;
    // The bytes of a BLOB column, valid until the next step or reset.
    std::string_view blob(int column) const;
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
