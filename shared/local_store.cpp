#include "local_store.h"

#include "ids.h"
#include "schema.h"

namespace crm {

Result<LocalStore> LocalStore::open(const std::string& path) {
    auto db = Db::open(path);
    if (!db) return db.error();
    // Pages are written in place and the journal is deleted on commit: simple and safe on
    // Emscripten's file systems, which have no shared memory for WAL.
    if (auto s = db->exec("PRAGMA journal_mode=DELETE; PRAGMA foreign_keys=ON;"); !s) return s.error();
    if (auto s = db->exec("PRAGMA quick_check"); !s)
        return Error{"", "the local database is damaged (" + s.error().message + ")"};
    if (auto v = migrate(*db); !v) return v.error();

    LocalStore store(std::move(*db), "", HlcClock{});
    auto id = store.meta("replica_id");
    if (!id) return id.error();
    if (id->empty()) {
        store.replica_id_ = new_id();
        if (auto s = store.set_meta("replica_id", store.replica_id_); !s) return s.error();
    } else {
        store.replica_id_ = *id;
    }
    auto clock = store.meta("clock");
    if (!clock) return clock.error();
    if (!clock->empty()) {
        auto h = Hlc::decode(*clock);
        if (!h) return Error{"", "the local clock is unreadable: " + h.error().message};
        store.clock_ = HlcClock(*h);
    }
    return store;
}

Result<std::string> LocalStore::meta(const std::string& key) {
    auto st = db_.prepare("SELECT value FROM meta WHERE key = ?1");
    if (!st) return st.error();
    st->bind(1, key);
    auto row = st->step();
    if (!row) return row.error();
    return *row ? st->text(0) : std::string();
}

Status LocalStore::set_meta(const std::string& key, const std::string& value) {
    auto st = db_.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
    if (!st) return st.error();
    return st->bind(1, key).bind(2, value).run();
}

Result<Contact> LocalStore::create_contact(const ContactInput& raw, int64_t now_ms) {
    ContactInput input = normalized(raw);
    if (auto errors = validate_contact(input); !errors.empty()) return errors.front();

    HlcClock clock = clock_;  // committed to clock_ only with the transaction
    auto stamp = clock.tick(now_ms);
    if (!stamp) return stamp.error();
    Contact contact{new_id(), input.name, input.email, now_ms, stamp->wall_ms};
    std::vector<Change> changes = {
        {"contact", contact.id, "name", contact.name, stamp->encode(), replica_id_},
        {"contact", contact.id, "email", contact.email, stamp->encode(), replica_id_},
        {"contact", contact.id, "created_at", now_ms, stamp->encode(), replica_id_},
    };

    Tx tx(db_);
    if (!tx.begun()) return tx.begun().error();
    if (auto r = apply_changes(db_, changes); !r) return r.error();
    auto st = db_.prepare("INSERT INTO outbox(record_type, record_id, field, value, hlc, replica) VALUES(?1,?2,?3,?4,?5,?6)");
    if (!st) return st.error();
    for (const auto& c : changes)
        if (auto s = st->bind(1, c.record_type).bind(2, c.record_id).bind(3, c.field).bind(4, c.value.dump())
                         .bind(5, c.hlc).bind(6, c.replica).run(); !s)
            return s.error();
    if (auto s = set_meta("clock", stamp->encode()); !s) return s.error();
    if (auto s = tx.commit(); !s) return s.error();
    clock_ = clock;
    return contact;
}

Result<std::vector<Contact>> LocalStore::list_contacts() {
    auto st = db_.prepare(
        "SELECT id, name, email, created_at, updated_at FROM contacts WHERE deleted = 0 "
        "ORDER BY name COLLATE NOCASE, id");
    if (!st) return st.error();
    std::vector<Contact> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        out.push_back({st->text(0), st->text(1), st->text(2), st->integer(3), st->integer(4)});
    }
    return out;
}

Result<int64_t> LocalStore::outbox_size() {
    auto st = db_.prepare("SELECT count(*) FROM outbox");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    return st->integer(0);
}

Result<std::optional<OutboxBatch>> LocalStore::next_batch(size_t max_changes) {
    auto st = db_.prepare("SELECT seq, record_type, record_id, field, value, hlc, replica FROM outbox ORDER BY seq LIMIT ?1");
    if (!st) return st.error();
    st->bind(1, static_cast<int64_t>(max_changes));
    OutboxBatch batch;
    int64_t first_seq = 0;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        if (batch.changes.empty()) first_seq = st->integer(0);
        batch.last_seq = st->integer(0);
        auto value = nlohmann::json::parse(st->text(4), nullptr, false);
        if (value.is_discarded()) return Error{"", "outbox row " + std::to_string(batch.last_seq) + " holds unreadable JSON"};
        batch.changes.push_back({st->text(1), st->text(2), st->text(3), std::move(value), st->text(5), st->text(6)});
    }
    if (batch.changes.empty()) return std::optional<OutboxBatch>{};
    batch.batch_id = replica_id_ + "-" + std::to_string(first_seq) + "-" + std::to_string(batch.last_seq);
    return std::optional<OutboxBatch>{std::move(batch)};
}

Status LocalStore::ack_batch(int64_t last_seq) {
    auto st = db_.prepare("DELETE FROM outbox WHERE seq <= ?1");
    if (!st) return st.error();
    return st->bind(1, last_seq).run();
}

Result<int64_t> LocalStore::cursor() {
    auto v = meta("cursor");
    if (!v) return v.error();
    return v->empty() ? int64_t{0} : std::stoll(*v);
}

Status LocalStore::apply_pulled(const std::vector<Change>& changes, int64_t cursor, int64_t now_ms) {
    HlcClock clock = clock_;
    for (const auto& c : changes) {
        auto h = Hlc::decode(c.hlc);
        if (!h) return h.error();
        if (auto s = clock.observe(*h, now_ms); !s) return s;
    }
    Tx tx(db_);
    if (!tx.begun()) return tx.begun().error();
    if (auto r = apply_changes(db_, changes); !r) return r.error();
    if (auto s = set_meta("cursor", std::to_string(cursor)); !s) return s;
    if (auto s = set_meta("clock", clock.last().encode()); !s) return s;
    if (auto s = tx.commit(); !s) return s;
    clock_ = clock;
    return ok();
}

}  // namespace crm
