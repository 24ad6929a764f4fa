#include "sync_log.h"

#include <sodium.h>

#include <algorithm>
#include <limits>

#include "hlc.h"
#include "records.h"
#include "text.h"

namespace crm {
namespace {

using nlohmann::json;

constexpr const char* kLayoutKey = "log_layout";
constexpr const char* kLayoutVersion = "3";  // 3: layout 2 plus sync_log.author, sync_batches.digest
constexpr int64_t kHlcCounterSpan = 100000;  // counters are five decimal digits

constexpr const char* kTables = R"sql(
    CREATE TABLE sync_names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE sync_log (
        last_seq INTEGER PRIMARY KEY,
        type INTEGER NOT NULL,
        record_id BLOB NOT NULL,
        hlc INTEGER NOT NULL,
        replica INTEGER NOT NULL,
        fields BLOB NOT NULL,
        vals TEXT NOT NULL,
        author INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE sync_batches (
        batch_id TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        digest BLOB
    ) WITHOUT ROWID;
)sql";

// Layout 2 to 3: who pushed each run (a sync_names id; 0 for none), and each batch's digest.
constexpr const char* kLayout3Columns = R"sql(
    ALTER TABLE sync_log ADD COLUMN author INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sync_batches ADD COLUMN digest BLOB;
)sql";

int hex_digit(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

// 32 lowercase hex digits (checked by check_change) as 16 bytes, and back.
std::string id_to_blob(const std::string& id) {
    std::string out(16, '\0');
    for (size_t i = 0; i < 16; ++i) out[i] = static_cast<char>(hex_digit(id[2 * i]) << 4 | hex_digit(id[2 * i + 1]));
    return out;
}
std::string blob_to_id(std::string_view blob) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(blob.size() * 2);
    for (unsigned char b : blob) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

Result<int64_t> hlc_to_int(const std::string& text) {
    auto h = Hlc::decode(text);
    if (!h) return h.error();
    // Stamps more than a minute ahead of the server are refused, so real ones are far below this.
    if (h->wall_ms < 0 || h->wall_ms > std::numeric_limits<int64_t>::max() / kHlcCounterSpan - 1)
        return Error{"hlc", "'" + text + "' is too far in the future to log"};
    return h->wall_ms * kHlcCounterSpan + h->counter;
}
std::string int_to_hlc(int64_t v) { return Hlc{v / kHlcCounterSpan, static_cast<uint32_t>(v % kHlcCounterSpan)}.encode(); }

void put_varint(std::string& out, int64_t v) {
    auto u = static_cast<uint64_t>(v);
    while (u >= 0x80) {
        out += static_cast<char>((u & 0x7f) | 0x80);
        u >>= 7;
    }
    out += static_cast<char>(u);
}
bool get_varints(std::string_view in, std::vector<int64_t>& out) {
    uint64_t v = 0;
    int shift = 0;
    for (unsigned char b : in) {
        if (shift > 56) return false;
        v |= static_cast<uint64_t>(b & 0x7f) << shift;
        if (b & 0x80) {
            shift += 7;
            continue;
        }
        out.push_back(static_cast<int64_t>(v));
        v = 0;
        shift = 0;
    }
    return shift == 0;
}

bool same_run(const Change& a, const Change& b) {
    return a.hlc == b.hlc && a.record_id == b.record_id && a.replica == b.replica && a.record_type == b.record_type &&
           a.author == b.author;
}

Result<bool> has_table(Db& db, const char* name) {
    auto st = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
    if (!st) return st.error();
    st->bind(1, std::string_view(name));
    return st->step();
}

// Interns `name` inside the caller's transaction.
Result<int64_t> intern_in_tx(Db& db, const std::string& name) {
    auto ins = db.cached("INSERT INTO sync_names(name) VALUES(?1) ON CONFLICT(name) DO UPDATE SET name = name RETURNING id");
    if (!ins) return ins.error();
    Stmt& st = **ins;
    st.bind(1, name);
    auto row = st.step();
    if (!row) return row.error();
    const int64_t id = st.integer(0);
    st.reset();
    return id;
}

}  // namespace

Result<int64_t> migrate_log(Db& db) {
    {
        auto st = db.prepare("SELECT value FROM meta WHERE key = ?1");
        if (!st) return st.error();
        st->bind(1, std::string_view(kLayoutKey));
        auto row = st->step();
        if (!row) return row.error();
        if (*row && st->text(0) == kLayoutVersion) return int64_t{0};
        if (*row && st->text(0) == "2") {
            // Already compact: only the new columns.
            st->reset();
            Tx tx(db);
            if (!tx.begun()) return tx.begun().error();
            if (auto s = db.exec(kLayout3Columns); !s) return s.error();
            auto mark = db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
            if (!mark) return mark.error();
            if (auto s = mark->bind(1, std::string_view(kLayoutKey)).bind(2, std::string_view(kLayoutVersion)).run(); !s)
                return s.error();
            if (auto s = tx.commit(); !s) return s.error();
            return int64_t{0};
        }
    }
    Tx tx(db);
    if (!tx.begun()) return tx.begun().error();
    auto exists = has_table(db, "sync_log");
    if (!exists) return exists.error();
    if (!*exists)
        if (auto s = db.exec(kTables); !s) return s.error();
    std::unordered_map<std::string, int64_t> interned;
    auto intern = [&](const std::string& name) -> Result<int64_t> {
        auto it = interned.find(name);
        if (it != interned.end()) return it->second;
        auto id = intern_in_tx(db, name);
        if (id) interned.emplace(name, *id);
        return id;
    };
    // The registry's names first, so the common ones take one byte in a run's field list.
    for (const auto& spec : record_specs())
        if (auto id = intern(spec.type); !id) return id.error();
    for (const auto& spec : record_specs())
        for (const auto& f : spec.fields)
            if (auto id = intern(f.name); !id) return id.error();

    // The earlier layout: one row per change, every column text, the batch id on each.
    int64_t moved = 0, last = 0;
    {
        auto old = db.prepare("SELECT seq, record_type, record_id, field, value, hlc, replica FROM change_log ORDER BY seq");
        if (!old) return old.error();
        auto ins = db.prepare("INSERT INTO sync_log(last_seq, type, record_id, hlc, replica, fields, vals) VALUES(?1,?2,?3,?4,?5,?6,?7)");
        if (!ins) return ins.error();
        struct Run {
            int64_t last_seq = 0, type = 0, hlc = 0, replica = 0;
            std::string type_name, id, hlc_text, replica_name, fields, vals;
        } run;
        auto flush = [&]() -> Status {
            if (run.fields.empty()) return ok();
            run.vals += ']';
            auto s = ins->bind(1, run.last_seq).bind(2, run.type).bind_blob(3, id_to_blob(run.id)).bind(4, run.hlc)
                         .bind(5, run.replica).bind_blob(6, run.fields).bind(7, run.vals).run();
            run.fields.clear();
            return s;
        };
        for (;;) {
            auto row = old->step();
            if (!row) return row.error();
            if (!*row) break;
            const int64_t seq = old->integer(0);
            const std::string type = old->text(1), id = old->text(2), hlc = old->text(5), replica = old->text(6);
            const bool continues = !run.fields.empty() && seq == run.last_seq + 1 && hlc == run.hlc_text && id == run.id &&
                                   replica == run.replica_name && type == run.type_name;
            if (!continues) {
                if (auto s = flush(); !s) return s.error();
                auto t = intern(type);
                if (!t) return t.error();
                auto r = intern(replica);
                if (!r) return r.error();
                auto h = hlc_to_int(hlc);
                if (!h) return Error{"", "change " + std::to_string(seq) + " in the log: " + h.error().to_string()};
                if (id.size() != 32) return Error{"", "change " + std::to_string(seq) + " in the log has a malformed record id"};
                run = Run{seq, *t, *h, *r, type, id, hlc, replica, "", "["};
            } else {
                run.vals += ',';
            }
            auto f = intern(old->text(3));
            if (!f) return f.error();
            put_varint(run.fields, *f);
            run.vals += old->text(4);  // the value's JSON as it came in
            run.last_seq = seq;
            last = seq;
            ++moved;
        }
        if (auto s = flush(); !s) return s.error();
    }
    if (auto s = db.exec("INSERT OR IGNORE INTO sync_batches(batch_id, last_seq, received_at) "
                         "SELECT batch_id, last_seq, received_at FROM batches;"
                         "DELETE FROM change_log; DELETE FROM batches; DELETE FROM search_index; DELETE FROM search_docs;");
        !s)
        return s.error();
    auto meta = db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2), ('merged_seq', ?3)");
    if (!meta) return meta.error();
    if (auto s = meta->bind(1, std::string_view(kLayoutKey)).bind(2, std::string_view(kLayoutVersion)).bind(3, std::to_string(last)).run(); !s)
        return s.error();
    if (auto s = tx.commit(); !s) return s.error();
    return moved;
}

Status SyncLog::load(Db& db) {
    auto st = db.prepare("SELECT id, name FROM sync_names");
    if (!st) return st.error();
    std::lock_guard lock(mu_);
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        ids_[st->text(1)] = st->integer(0);
        names_[st->integer(0)] = st->text(1);
    }
    return ok();
}

Status SyncLog::intern(Db& db, const std::vector<Change>& changes) {
    std::vector<std::string> unknown;
    {
        std::lock_guard lock(mu_);
        auto check = [&](const std::string& name) {
            if (!ids_.count(name) && std::find(unknown.begin(), unknown.end(), name) == unknown.end()) unknown.push_back(name);
        };
        for (const auto& c : changes) {
            check(c.record_type);
            check(c.field);
            check(c.replica);
            if (!c.author.empty()) check(c.author);
        }
    }
    if (unknown.empty()) return ok();
    Tx tx(db);
    if (!tx.begun()) return tx.begun();
    std::vector<int64_t> ids;
    for (const auto& name : unknown) {
        auto id = intern_in_tx(db, name);
        if (!id) return id.error();
        ids.push_back(*id);
    }
    if (auto s = tx.commit(); !s) return s;
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < unknown.size(); ++i) {
        ids_[unknown[i]] = ids[i];
        names_[ids[i]] = unknown[i];
    }
    return ok();
}

Result<int64_t> SyncLog::id_of(const std::string& name) const {
    auto it = ids_.find(name);
    if (it == ids_.end()) return Error{"", "'" + utf8_prefix(name, 40) + "' was not interned before the append"};
    return it->second;
}

Status SyncLog::append(Db& db, const std::vector<Change>& changes, int64_t first_seq) {
    auto ins = db.cached("INSERT INTO sync_log(last_seq, type, record_id, hlc, replica, fields, vals, author) "
                         "VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
    if (!ins) return ins.error();
    std::lock_guard lock(mu_);
    std::string fields, vals;
    for (size_t at = 0; at < changes.size();) {
        const Change& head = changes[at];
        size_t end = at + 1;
        while (end < changes.size() && same_run(head, changes[end])) ++end;
        fields.clear();
        vals = "[";
        for (size_t i = at; i < end; ++i) {
            auto f = id_of(changes[i].field);
            if (!f) return f.error();
            put_varint(fields, *f);
            if (i > at) vals += ',';
            vals += changes[i].value.dump();
        }
        vals += ']';
        auto type = id_of(head.record_type);
        if (!type) return type.error();
        auto replica = id_of(head.replica);
        if (!replica) return replica.error();
        auto hlc = hlc_to_int(head.hlc);
        if (!hlc) return hlc.error();
        int64_t author = 0;
        if (!head.author.empty()) {
            auto a = id_of(head.author);
            if (!a) return a.error();
            author = *a;
        }
        const int64_t last_seq = first_seq + static_cast<int64_t>(end) - 1;
        if (auto s = (*ins)->bind(1, last_seq).bind(2, *type).bind_blob(3, id_to_blob(head.record_id)).bind(4, *hlc)
                         .bind(5, *replica).bind_blob(6, fields).bind(7, vals).bind(8, author).run();
            !s)
            return s;
        at = end;
    }
    return ok();
}

Status SyncLog::read(Db& db, int64_t after, int64_t limit, bool whole_runs, std::vector<LoggedChange>& out, bool& more) {
    auto sel = db.cached("SELECT last_seq, type, record_id, hlc, replica, fields, vals, author FROM sync_log WHERE last_seq > ?1 "
                         "ORDER BY last_seq");
    if (!sel) return sel.error();
    Stmt& st = **sel;
    st.bind(1, after);
    more = false;
    int64_t taken = 0;
    std::vector<int64_t> fields;
    Status result = ok();
    for (;;) {
        auto row = st.step();
        if (!row) {
            result = row.error();
            break;
        }
        if (!*row) break;
        if (taken >= limit) {
            more = true;
            break;
        }
        const int64_t last_seq = st.integer(0);
        fields.clear();
        if (!get_varints(st.blob(5), fields) || fields.empty()) {
            result = Error{"", "log row " + std::to_string(last_seq) + " is unreadable (fields)"};
            break;
        }
        json vals = json::parse(st.text(6), nullptr, false);
        if (!vals.is_array() || vals.size() != fields.size()) {
            result = Error{"", "log row " + std::to_string(last_seq) + " is unreadable (values)"};
            break;
        }
        std::string type, replica, author;
        std::vector<const std::string*> field_names;
        {
            std::lock_guard lock(mu_);
            auto name = [&](int64_t id) -> const std::string* {
                auto it = names_.find(id);
                return it == names_.end() ? nullptr : &it->second;
            };
            const std::string* t = name(st.integer(1));
            const std::string* r = name(st.integer(4));
            const int64_t author_id = st.integer(7);
            const std::string* a = author_id == 0 ? nullptr : name(author_id);
            for (int64_t f : fields) field_names.push_back(name(f));
            bool known = t && r && (author_id == 0 || a);
            for (const auto* f : field_names) known = known && f;
            if (!known) {
                result = Error{"", "log row " + std::to_string(last_seq) + " names something never interned"};
                break;
            }
            type = *t;
            replica = *r;
            if (a) author = *a;
        }
        const std::string id = blob_to_id(st.blob(2)), hlc = int_to_hlc(st.integer(3));
        const int64_t first_seq = last_seq - static_cast<int64_t>(fields.size()) + 1;
        for (size_t i = 0; i < fields.size(); ++i) {
            const int64_t seq = first_seq + static_cast<int64_t>(i);
            if (seq <= after) continue;
            if (!whole_runs && taken >= limit) {
                more = true;
                break;
            }
            out.push_back({seq, Change{type, id, *field_names[i], std::move(vals[i]), hlc, replica, author}});
            ++taken;
        }
        if (more) break;
    }
    st.reset();
    return result;
}

std::string batch_digest(const std::vector<Change>& changes) {
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, kBatchDigestBytes);
    auto add = [&](const std::string& s) {
        // Each member with its length first, so no two different batches give the same bytes.
        const uint64_t n = s.size();
        crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(&n), sizeof n);
        crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(s.data()), s.size());
    };
    for (const auto& c : changes) {
        add(c.record_type);
        add(c.record_id);
        add(c.field);
        add(c.value.dump());
        add(c.hlc);
        add(c.replica);
    }
    std::string out(kBatchDigestBytes, '\0');
    crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(out.data()), out.size());
    return out;
}

Result<int64_t> SyncLog::last_seq(Db& db) {
    auto st = db.prepare("SELECT coalesce(max(last_seq), 0) FROM sync_log");
    if (!st) return st.error();
    if (auto r = st->step(); !r) return r.error();
    return st->integer(0);
}

}  // namespace crm
