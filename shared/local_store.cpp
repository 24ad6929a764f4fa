#include "local_store.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>

#include "domain_rules.h"
#include "ids.h"
#include "record_io.h"
#include "schema.h"
#include "text.h"

namespace crm {

using nlohmann::json;

namespace {

Result<const RecordSpec*> spec_for(std::string_view type) {
    const RecordSpec* spec = find_record_spec(type);
    if (!spec) return Error{"type", "'" + utf8_prefix(type, 40) + "' is not a record type"};
    return spec;
}

// Refreshes the query planner's statistics where they have gone stale. PRAGMA optimize writes
// even when little changed, and in the browser every write is a save of its own, so it runs
// when the last run is a day old rather than on every open.
Status optimize_daily(Db& db) {
    constexpr int64_t kDayMs = 24 * 3600 * 1000;
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    {
        auto last = db.prepare("SELECT value FROM meta WHERE key = 'optimized_at'");
        if (!last) return last.error();
        auto row = last->step();
        if (!row) return row.error();
        int64_t at = 0;
        if (*row) {
            const std::string v = last->text(0);
            std::from_chars(v.data(), v.data() + v.size(), at);
        }
        if (*row && at <= now && now - at < kDayMs) return ok();
    }
    Tx tx(db);
    if (!tx.begun()) return tx.begun();
    if (auto s = db.exec("PRAGMA optimize=0x10002"); !s) return s;
    auto st = db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES('optimized_at', ?1)");
    if (!st) return st.error();
    if (auto s = st->bind(1, std::to_string(now)).run(); !s) return s;
    return tx.commit();
}

// Fields a caller may not set directly: the store manages them.
bool is_system_field(const std::string& field) { return field == "id" || field == "created_at" || field == "deleted"; }

}  // namespace

// ---- Edit ------------------------------------------------------------------------------------

Edit::Edit(LocalStore& store, int64_t now_ms) : store_(store), tx_(store.db_), clock_(store.clock_), now_(now_ms) {}

Status Edit::write(const RecordSpec& spec, const std::string& id, const json& values) {
    auto stamp = clock_.tick(now_);
    if (!stamp) return stamp.error();
    std::vector<Change> changes;
    changes.reserve(values.size());
    for (auto it = values.begin(); it != values.end(); ++it)
        changes.push_back({spec.type, id, it.key(), it.value(), stamp->encode(), store_.replica_id_});
    if (auto r = apply_changes(store_.db_, changes, &search_); !r) return r.error();
    // One outbox row per write, the fields sharing one record, stamp and replica.
    json out = {{"type", spec.type}, {"id", id}, {"hlc", stamp->encode()}, {"replica", store_.replica_id_}, {"fields", values}};
    auto st = store_.db_.cached("INSERT INTO outbox(changes, count) VALUES(?1, ?2)");
    if (!st) return st.error();
    return (*st)->bind(1, out.dump()).bind(2, static_cast<int64_t>(changes.size())).run();
}

Result<std::string> Edit::create(std::string_view type, const json& values) {
    if (!tx_.begun()) return tx_.begun().error();
    auto spec = spec_for(type);
    if (!spec) return spec.error();
    if (!values.is_object()) return Error{"", "a record must be given as an object of fields"};
    for (auto it = values.begin(); it != values.end(); ++it)
        if (is_system_field(it.key())) return Error{it.key(), "is set by the CRM and cannot be given"};
    const std::string id = store_.id_source_ ? store_.id_source_() : new_id();
    if (!is_valid_id(id)) return Error{"id", "the id source gave '" + utf8_prefix(id, 40) + "', which is not 32 hex digits"};
    json all = values;
    if (auto s = apply_create_defaults(store_.db_, **spec, all, now_); !s) return s.error();
    auto errors = check_record(store_.db_, **spec, id, all, json());
    if (!errors.empty()) return errors.front();
    all["created_at"] = now_;
    if (auto s = write(**spec, id, all); !s) return s.error();
    // A deal's first stage counts as a stage change, so cycle and velocity reports see when it entered.
    if ((*spec)->type == "deal") {
        auto move = create("stage_change", {{"deal_id", id}, {"from_stage_id", ""}, {"to_stage_id", all["stage_id"]},
                                            {"changed_at", now_}});
        if (!move) return move.error();
    }
    return id;
}

Status Edit::update(std::string_view type, const std::string& id, const json& values) {
    if (!tx_.begun()) return tx_.begun().error();
    auto spec = spec_for(type);
    if (!spec) return spec.error();
    if (!values.is_object()) return Error{"", "changes must be given as an object of fields"};
    if (values.empty()) return ok();
    for (auto it = values.begin(); it != values.end(); ++it)
        if (is_system_field(it.key())) return Error{it.key(), "is set by the CRM and cannot be changed here"};
    auto existing = store_.get(type, id);
    if (!existing) return existing.error();
    if (existing->value("deleted", false)) return Error{"", "this " + std::string(type) + " is deleted; restore it first"};
    json all = values;
    if (auto s = apply_update_rules(**spec, *existing, all); !s) return s;
    auto errors = check_record(store_.db_, **spec, id, all, *existing);
    if (!errors.empty()) return errors.front();
    // Only fields whose value really changes become changes.
    json diff = json::object();
    for (auto it = all.begin(); it != all.end(); ++it) {
        const json& before = is_custom_field(it.key()) ? (*existing)["custom"].value(it.key().substr(7), json())
                                                        : (*existing)[it.key()];
        if (before != it.value()) diff[it.key()] = it.value();
    }
    if (diff.empty()) return ok();
    return write(**spec, id, diff);
}

Status Edit::set_deleted(std::string_view type, const std::string& id, bool deleted) {
    if (!tx_.begun()) return tx_.begun().error();
    auto spec = spec_for(type);
    if (!spec) return spec.error();
    auto existing = store_.get(type, id);
    if (!existing) return existing.error();
    if ((*existing)["deleted"] == deleted) return ok();
    return write(**spec, id, json{{"deleted", deleted}});
}

Status Edit::commit() {
    if (auto s = search_.flush(store_.db_); !s) return s;
    if (auto s = store_.set_meta("clock", clock_.last().encode()); !s) return s;
    if (auto s = tx_.commit(); !s) return s;
    store_.clock_ = clock_;
    return ok();
}

// ---- LocalStore ------------------------------------------------------------------------------

Result<LocalStore> LocalStore::open(const std::string& path) {
    auto db = Db::open(path);
    if (!db) return db.error();
    // Pages are written in place and the journal is deleted on commit: simple and safe on
    // Emscripten's file systems, which have no shared memory for WAL.
    if (auto s = db->exec("PRAGMA journal_mode=DELETE"); !s)
        return Error{"", "the local database cannot be read (" + s.error().message + ")"};
    auto damaged = [&](const Error& e) {
        return Error{"", "the local database is damaged (" + e.message + ")"};
    };
    if (auto v = migrate(*db); !v) return db->damage().empty() ? v.error() : damaged(v.error());
    if (auto s = optimize_daily(*db); !s) return db->damage().empty() ? s.error() : damaged(s.error());

    LocalStore store(std::move(*db), "", HlcClock{});
    if (auto s = store.load_identity(); !s) return store.damage().empty() ? s.error() : damaged(s.error());
    return store;
}

Status LocalStore::load_identity() {
    auto id = meta("replica_id");
    if (!id) return id.error();
    if (id->empty()) {
        replica_id_ = new_id();
        if (auto s = set_meta("replica_id", replica_id_); !s) return s;
    } else {
        replica_id_ = *id;
    }
    auto clock = meta("clock");
    if (!clock) return clock.error();
    clock_ = HlcClock{};
    if (!clock->empty()) {
        auto h = Hlc::decode(*clock);
        if (!h) return Error{"", "the local clock is unreadable: " + h.error().message};
        clock_ = HlcClock(*h);
    }
    return ok();
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

Result<std::string> LocalStore::create(std::string_view type, const json& values, int64_t now_ms) {
    Edit edit(*this, now_ms);
    auto id = edit.create(type, values);
    if (!id) return id.error();
    if (auto s = edit.commit(); !s) return s.error();
    return id;
}

Status LocalStore::update(std::string_view type, const std::string& id, const json& values, int64_t now_ms) {
    Edit edit(*this, now_ms);
    if (auto s = edit.update(type, id, values); !s) return s;
    return edit.commit();
}

Status LocalStore::remove(std::string_view type, const std::string& id, int64_t now_ms) {
    Edit edit(*this, now_ms);
    if (auto s = edit.set_deleted(type, id, true); !s) return s;
    return edit.commit();
}

Status LocalStore::restore(std::string_view type, const std::string& id, int64_t now_ms) {
    Edit edit(*this, now_ms);
    if (auto s = edit.set_deleted(type, id, false); !s) return s;
    return edit.commit();
}

Result<json> LocalStore::get(std::string_view type, const std::string& id) {
    auto spec = spec_for(type);
    if (!spec) return spec.error();
    auto st = db_.prepare("SELECT id, " + column_list(**spec) + ", custom, updated_at FROM " + (*spec)->table + " WHERE id = ?1");
    if (!st) return st.error();
    st->bind(1, id);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return Error{"id", "no " + std::string(type) + " with id '" + utf8_prefix(id, 40) + "'"};
    json j = read_record(*st, **spec);
    j["updated_at"] = st->integer(static_cast<int>((*spec)->fields.size()) + 2);
    return j;
}

Result<ListPage> LocalStore::list(std::string_view type, const Query& query) {
    auto spec = spec_for(type);
    if (!spec) return spec.error();
    auto compiled = compile_query(**spec, query);
    if (!compiled) return compiled.error();
    const int limit_at = static_cast<int>(compiled->params.size()) + 1;  // LIMIT and OFFSET follow the filter's parameters
    auto rows = db_.prepare("SELECT id, " + column_list(**spec) + ", custom, updated_at FROM " + (*spec)->table +
                            " WHERE " + compiled->where + " ORDER BY " + compiled->order + " LIMIT ?" +
                            std::to_string(limit_at) + " OFFSET ?" + std::to_string(limit_at + 1));
    if (!rows) return rows.error();
    bind_params(*rows, compiled->params);
    rows->bind(limit_at, query.limit).bind(limit_at + 1, query.offset);
    ListPage page;
    for (;;) {
        auto r = rows->step();
        if (!r) return r.error();
        if (!*r) break;
        json j = read_record(*rows, **spec);
        j["updated_at"] = rows->integer(static_cast<int>((*spec)->fields.size()) + 2);
        page.rows.push_back(std::move(j));
    }
    auto count = db_.prepare("SELECT count(*) FROM " + (*spec)->table + " WHERE " + compiled->where);
    if (!count) return count.error();
    bind_params(*count, compiled->params);
    if (auto r = count->step(); !r) return r.error();
    page.total = count->integer(0);
    return page;
}

Result<std::vector<SearchHit>> LocalStore::search(std::string_view text, size_t limit, std::string_view type) {
    return crm::search(db_, text, limit, type);
}

Result<std::vector<TimelineEntry>> LocalStore::timeline(std::string_view type, const std::string& id) {
    auto record = get(type, id);
    if (!record) return record.error();
    std::vector<TimelineEntry> out;
    out.push_back({(*record)["created_at"].is_number() ? (*record)["created_at"].get<int64_t>() : 0, "created"});

    // The history rows in clock order; a change's old value is the row before it of the same
    // field (a created row holds the value the record was created with).
    auto hist = db_.prepare("SELECT field, value, hlc, replica, author, created FROM history "
                            "WHERE record_type = ?1 AND record_id = ?2 ORDER BY hlc, replica, field");
    if (!hist) return hist.error();
    hist->bind(1, type).bind(2, id);
    std::map<std::string, json> previous;  // field -> its value before the next row
    for (;;) {
        auto r = hist->step();
        if (!r) return r.error();
        if (!*r) break;
        const std::string field = hist->text(0);
        json value = json::parse(hist->text(1), nullptr, false);
        json& before = previous[field];
        if (hist->integer(5) == 0) {
            auto h = Hlc::decode(hist->text(2));
            // A deal's stage changes are its moves; a delete or restore is said as one, not as a
            // change of a yes/no field.
            const char* kind = type == "deal" && field == "stage_id" ? "stage"
                               : field == "deleted"                  ? (value == true ? "deleted" : "restored")
                                                                     : "field";
            TimelineEntry e{h ? h->wall_ms : 0, kind, field};
            e.old_value = before;
            e.new_value = value;
            e.replica = hist->text(3);
            e.author = hist->text(4);
            e.unsent = e.author.empty() && e.replica == replica_id_;
            out.push_back(std::move(e));
        }
        before = std::move(value);
    }
    // Activities link to contacts, companies, deals, cases and leads through <type>_id.
    if (type == "contact" || type == "company" || type == "deal" || type == "case" || type == "lead") {
        Query q;
        q.filter.conditions.push_back({std::string(type) + "_id", Op::Eq, id});
        q.limit = kMaxPageSize;
        q.sort = {{"created_at", true}};
        auto acts = list("activity", q);
        if (!acts) return acts.error();
        for (auto& a : acts->rows) {
            int64_t at = a["created_at"].is_number() ? a["created_at"].get<int64_t>() : 0;
            if (a["starts_at"].is_number()) at = a["starts_at"].get<int64_t>();
            TimelineEntry e{at, "activity"};
            e.activity = std::move(a);
            out.push_back(std::move(e));
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const TimelineEntry& a, const TimelineEntry& b) { return a.at > b.at; });
    return out;
}

// ---- contacts --------------------------------------------------------------------------------

Result<Contact> LocalStore::create_contact(const ContactInput& raw, int64_t now_ms) {
    ContactInput input = normalized(raw);
    if (auto errors = validate_contact(input); !errors.empty()) return errors.front();
    auto id = create("contact", json{{"name", input.name}, {"email", input.email}}, now_ms);
    if (!id) return id.error();
    return Contact{*id, input.name, input.email, now_ms, now_ms};
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

// ---- sync ------------------------------------------------------------------------------------

Result<int64_t> LocalStore::outbox_size() {
    auto st = db_.prepare("SELECT coalesce(sum(count), 0) FROM outbox");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    return st->integer(0);
}

Result<int64_t> LocalStore::unsent_edits() {
    auto st = db_.prepare("SELECT count(*) FROM outbox");  // one row per write of one record
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    return st->integer(0);
}

Result<std::optional<OutboxBatch>> LocalStore::next_batch(size_t max_changes) {
    auto st = db_.prepare("SELECT seq, changes, count FROM outbox ORDER BY seq");
    if (!st) return st.error();
    OutboxBatch batch;
    int64_t first_seq = 0;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        // Whole edits only: a batch never splits an edit (unless one edit alone is over the limit).
        if (!batch.changes.empty() && batch.changes.size() + static_cast<size_t>(st->integer(2)) > max_changes) break;
        if (batch.changes.empty()) first_seq = st->integer(0);
        batch.last_seq = st->integer(0);
        json edit = json::parse(st->text(1), nullptr, false);
        if (!edit.is_object() || !edit["fields"].is_object())
            return Error{"", "outbox row " + std::to_string(batch.last_seq) + " is unreadable"};
        for (auto f = edit["fields"].begin(); f != edit["fields"].end(); ++f) {
            json c = {{"type", edit["type"]}, {"id", edit["id"]}, {"field", f.key()}, {"value", f.value()},
                      {"hlc", edit["hlc"]}, {"replica", edit["replica"]}};
            auto parsed = parse_change(c);
            if (!parsed) return Error{"", "outbox row " + std::to_string(batch.last_seq) + " holds an invalid change: " + parsed.error().to_string()};
            batch.changes.push_back(std::move(*parsed));
        }
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

Status LocalStore::resend_everything() {
    const std::string system_replica(32, '0');
    Tx tx(db_);
    if (!tx.begun()) return tx.begun().error();
    auto out = db_.prepare("INSERT INTO outbox(changes, count) VALUES(?1, ?2)");
    if (!out) return out.error();
    for (const auto& spec : record_specs()) {
        auto st = db_.prepare("SELECT id, " + column_list(spec) + ", custom, clocks FROM " + spec.table);
        if (!st) return st.error();
        for (;;) {
            auto row = st->step();
            if (!row) return row.error();
            if (!*row) break;
            json record = read_record(*st, spec);
            json clocks = parse_clocks(st->text(static_cast<int>(spec.fields.size()) + 2));
            // Fields grouped by the stamp that wrote them: one outbox row per stamp.
            std::map<std::string, json> by_stamp;
            auto add = [&](const std::string& field, const json& value) {
                std::string stamp = field_stamp(clocks, field);
                if (stamp.size() < 26 || stamp.substr(25) == system_replica) return;  // seeds: every replica has them
                by_stamp[stamp][field] = value;
            };
            for (const auto& f : spec.fields)
                if (clocks.contains(f.name) || (clocks.contains("") && !record[f.name].is_null())) add(f.name, record[f.name]);
            for (auto it = record["custom"].begin(); it != record["custom"].end(); ++it) add("custom." + it.key(), it.value());
            for (const auto& [stamp, fields] : by_stamp) {
                json edit = {{"type", spec.type}, {"id", record["id"]}, {"hlc", stamp.substr(0, 24)}, {"replica", stamp.substr(25)},
                             {"fields", fields}};
                if (auto s = out->bind(1, edit.dump()).bind(2, static_cast<int64_t>(fields.size())).run(); !s) return s;
            }
        }
    }
    if (auto s = set_meta("cursor", "0"); !s) return s;
    return tx.commit();
}

Status LocalStore::adopt_snapshot(std::string_view image, bool verified) {
    auto unsent = outbox_size();
    if (!unsent) return unsent.error();
    auto synced = server_epoch();
    if (!synced) return synced.error();
    if (*unsent > 0 || !synced->empty())
        return Error{"", "this device already holds workspace data (synced or not yet sent); it can only merge changes"};

    auto snap = Db::open_image(image);
    if (!snap) return Error{"", "the server's copy of the workspace is not a database: " + snap.error().message};
    auto scalar = [&](const char* sql) -> Result<std::string> {
        auto st = snap->prepare(sql);
        if (!st) return st.error();
        auto row = st->step();
        if (!row) return row.error();
        return *row ? st->text(0) : std::string();
    };
    auto check = verified ? Result<std::string>(std::string("ok")) : scalar("PRAGMA quick_check");
    if (!check || *check != "ok")
        return Error{"", "the server's copy of the workspace is damaged: " + (check ? *check : check.error().message)};
    auto version = scalar("PRAGMA user_version");
    if (!version) return version.error();
    if (std::stoi("0" + *version) > latest_schema_version())
        return Error{"", "the server's copy of the workspace comes from a newer version of the app: reload the page to update"};
    auto cursor = scalar("SELECT value FROM meta WHERE key = 'cursor'");
    auto epoch = scalar("SELECT value FROM meta WHERE key = 'server_epoch'");
    if (!cursor || !epoch || cursor->empty() || epoch->empty())
        return Error{"", "the server's copy of the workspace does not say which changes it holds"};

    // What is this device's own, not the workspace's: kept across the copy.
    std::vector<std::pair<std::string, std::string>> kept;
    for (const char* key : {"replica_id", "workspace_id", "workspace_name", "clock_offset", "optimized_at"}) {
        auto v = meta(key);
        if (!v) return v.error();
        if (!v->empty()) kept.emplace_back(key, *v);
    }
    snap = Db::open_image(image);  // the checks' statements are finished; a fresh connection copies
    if (!snap) return snap.error();
    if (auto s = db_.copy_from(*snap); !s) return s;
    if (auto v = migrate(db_); !v) return v.error();
    {
        Tx tx(db_);
        if (!tx.begun()) return tx.begun();
        for (const auto& [key, value] : kept)
            if (auto s = set_meta(key, value); !s) return s;
        // A server that keeps no search index sends none: build it here.
        auto indexed = db_.prepare("SELECT EXISTS(SELECT 1 FROM search_docs)");
        if (!indexed) return indexed.error();
        auto row = indexed->step();
        if (!row) return row.error();
        const bool has_index = *row && indexed->integer(0) != 0;
        indexed->reset();
        if (!has_index)
            if (auto s = reindex_all(db_); !s) return s;
        if (auto s = tx.commit(); !s) return s;
    }
    return load_identity();
}

Result<std::string> LocalStore::server_epoch() { return meta("server_epoch"); }
Status LocalStore::set_server_epoch(const std::string& epoch) { return set_meta("server_epoch", epoch); }

Result<std::string> LocalStore::workspace_id() { return meta("workspace_id"); }
Result<std::string> LocalStore::workspace_name() { return meta("workspace_name"); }
Status LocalStore::bind_workspace(const std::string& id, const std::string& name) {
    Tx tx(db_);
    if (!tx.begun()) return tx.begun();
    if (auto s = set_meta("workspace_id", id); !s) return s;
    if (auto s = set_meta("workspace_name", name); !s) return s;
    return tx.commit();
}

Result<int64_t> LocalStore::clock_offset() {
    auto v = meta("clock_offset");
    if (!v) return v.error();
    return v->empty() ? int64_t{0} : std::stoll(*v);
}
Status LocalStore::set_clock_offset(int64_t offset_ms) { return set_meta("clock_offset", std::to_string(offset_ms)); }

}  // namespace crm
