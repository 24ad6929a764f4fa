#include "schema.h"

#include <array>
#include <string>

namespace crm {
namespace {

// Append only: a released migration never changes, or replicas that ran it would differ.
constexpr std::array<const char*, 1> kMigrations = {
    // 1: contacts, per-field merge clocks, replica metadata, the client's outbox, the server's log.
    R"sql(
    CREATE TABLE contacts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX contacts_by_name ON contacts(name COLLATE NOCASE);
    CREATE TABLE field_clocks (
        record_type TEXT NOT NULL,
        record_id TEXT NOT NULL,
        field TEXT NOT NULL,
        hlc TEXT NOT NULL,
        replica TEXT NOT NULL,
        PRIMARY KEY (record_type, record_id, field)
    ) WITHOUT ROWID;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        record_type TEXT NOT NULL, record_id TEXT NOT NULL, field TEXT NOT NULL,
        value TEXT NOT NULL, hlc TEXT NOT NULL, replica TEXT NOT NULL
    );
    CREATE TABLE change_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        record_type TEXT NOT NULL, record_id TEXT NOT NULL, field TEXT NOT NULL,
        value TEXT NOT NULL, hlc TEXT NOT NULL, replica TEXT NOT NULL,
        batch_id TEXT NOT NULL
    );
    CREATE TABLE batches (
        batch_id TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL,
        received_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    )sql",
};

Result<int> user_version(Db& db) {
    auto st = db.prepare("PRAGMA user_version");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    return static_cast<int>(st->integer(0));
}

}  // namespace

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

Result<int> migrate(Db& db) {
    auto version = user_version(db);
    if (!version) return version.error();
    if (*version > latest_schema_version())
        return Error{"", "this database has schema version " + std::to_string(*version) +
                             " but this build knows only up to " + std::to_string(latest_schema_version()) +
                             "; update the app (nothing was changed)"};
    for (int v = *version; v < latest_schema_version(); ++v) {
        Tx tx(db);
        if (!tx.begun()) return tx.begun().error();
        if (auto s = db.exec(kMigrations[static_cast<size_t>(v)]); !s)
            return Error{"", "migration " + std::to_string(v + 1) + " failed: " + s.error().message};
        if (auto s = db.exec("PRAGMA user_version = " + std::to_string(v + 1)); !s) return s.error();
        if (auto s = tx.commit(); !s) return s.error();
    }
    return latest_schema_version();
}

}  // namespace crm
