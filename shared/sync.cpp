#include "sync.h"

#include <algorithm>
#include <map>

#include "hlc.h"
#include "ids.h"
#include "json_limits.h"
#include "record_io.h"
#include "records.h"
#include "search.h"
#include "text.h"

namespace crm {

using nlohmann::json;

nlohmann::json Change::to_json() const {
    json j = {{"type", record_type}, {"id", record_id}, {"field", field},
              {"value", value},      {"hlc", hlc},      {"replica", replica}};
    if (!author.empty()) j["author"] = author;
    return j;
}

Result<Change> parse_change(const nlohmann::json& j) {
    if (!j.is_object()) return Error{"", "a change must be a JSON object"};
    static const char* members[] = {"type", "id", "field", "value", "hlc", "replica"};
    for (auto it = j.begin(); it != j.end(); ++it)
        if (std::find_if(std::begin(members), std::end(members), [&](const char* m) { return it.key() == m; }) ==
                std::end(members) &&
            it.key() != "author")
            return Error{utf8_prefix(it.key(), 40), "is not a member of a change (expected type, id, field, value, hlc, replica, author)"};
    if (j.contains("author") && (!j["author"].is_string() || j["author"].get_ref<const std::string&>().size() > 254))
        return Error{"author", "must be a string of at most 254 bytes (an account's email)"};
    for (const char* m : members)
        if (!j.contains(m)) return Error{m, "is missing"};
    for (const char* m : {"type", "id", "field", "hlc", "replica"})
        if (!j[m].is_string()) return Error{m, "must be a string"};

    Change c;
    c.record_type = j["type"].get<std::string>();
    c.record_id = j["id"].get<std::string>();
    c.field = j["field"].get<std::string>();
    c.value = j["value"];
    c.hlc = j["hlc"].get<std::string>();
    c.replica = j["replica"].get<std::string>();
    if (j.contains("author")) c.author = j["author"].get<std::string>();
    if (auto s = check_change(c); !s) return s.error();
    return c;
}

Status check_change(const Change& c) {
    const RecordSpec* record = find_record_spec(c.record_type);
    if (!record) return Error{"type", "'" + utf8_prefix(c.record_type, 40) + "' is not a known record type"};
    if (!is_valid_id(c.record_id)) return Error{"id", "'" + utf8_prefix(c.record_id, 40) + "' is not a record id (32 hex digits)"};
    if (!is_valid_id(c.replica)) return Error{"replica", "'" + utf8_prefix(c.replica, 40) + "' is not a replica id (32 hex digits)"};
    if (auto h = Hlc::decode(c.hlc); !h) return h.error();
    if (is_custom_field(c.field)) {
        // Custom field definitions travel as records too, so a batch may define and use a field
        // together; the server checks only that the value is plain data of bounded size.
        if (c.value.is_object()) return Error{"value", c.field + " must be text, a number, true/false, a list or null"};
        // Other clients' JSON parsers have depth limits of their own (some far below ours).
        if (json_depth(c.value, kMaxCustomValueDepth) > kMaxCustomValueDepth)
            return Error{"value", c.field + " nests lists deeper than " + std::to_string(kMaxCustomValueDepth) + " levels"};
        if (c.value.dump().size() > 10000) return Error{"value", c.field + " is larger than 10000 bytes"};
        return ok();
    }
    const FieldSpec* field = find_field(*record, c.field);
    if (!field) return Error{"field", "'" + utf8_prefix(c.field, 40) + "' is not a field of " + c.record_type};
    if (auto s = validate_field_value(*field, c.value); !s) return Error{"value", s.error().to_string()};
    return ok();
}

Result<std::vector<Change>> parse_changes(const nlohmann::json& j, size_t max_changes) {
    if (!j.is_array()) return Error{"changes", "must be an array"};
    if (j.size() > max_changes)
        return Error{"changes", "holds " + std::to_string(j.size()) + " changes; the limit per batch is " +
                                    std::to_string(max_changes)};
    std::vector<Change> out;
    out.reserve(j.size());
    for (size_t i = 0; i < j.size(); ++i) {
        auto c = parse_change(j[i]);
        if (!c) {
            std::string where = "changes[" + std::to_string(i) + "]";
            if (!c.error().field.empty()) where += "." + c.error().field;
            return Error{where, c.error().message};
        }
        out.push_back(std::move(c.value()));
    }
    return out;
}

std::string field_stamp(const json& clocks, const std::string& field) {
    if (clocks.contains(field)) return clocks[field].get<std::string>();
    if (clocks.contains("")) return clocks[""].get<std::string>();
    return {};
}

json parse_clocks(std::string_view text) {
    json stored = json::parse(text, nullptr, false);
    if (!stored.is_object()) return json::object();
    const json none = json::array();
    const json& stamps = stored.contains("@") ? stored["@"] : none;
    if (!stamps.is_array()) return json::object();
    json out = json::object();  // only what reads as a stamp: field_stamp() relies on strings
    for (const auto& [field, value] : stored.items()) {
        if (field == "@") continue;
        if (value.is_string()) out[field] = value;
        else if (value.is_number_unsigned() && value.get<size_t>() < stamps.size() && stamps[value.get<size_t>()].is_string())
            out[field] = stamps[value.get<size_t>()];
    }
    return out;
}

std::string dump_clocks(const json& clocks) {
    json stamps = json::array();
    std::map<std::string, size_t> index;  // stamp -> its place in "@"
    json out = json::object();
    for (const auto& [field, value] : clocks.items()) {
        if (!value.is_string()) continue;
        auto [it, added] = index.emplace(value.get<std::string>(), stamps.size());
        if (added) stamps.push_back(value);
        out[field] = it->second;
    }
    out["@"] = std::move(stamps);
    return out.dump();
}

namespace {

// "hlc replica": comparing these strings compares (hlc, replica), since the hlc is fixed-width.
std::string stamp_of(const Change& c) { return c.hlc + " " + c.replica; }

// The seed's stamps (seed_changes(): the reserved replica 000...0).
bool is_seed_stamp(const std::string& stamp) { return stamp.size() == 57 && stamp.compare(25, 32, kSeedReplica) == 0; }

// The merge of one record's changes; statements come from the connection's cache.
class Merger {
public:
    // `search` null: the merge leaves the search index alone.
    Merger(Db& db, SearchBatch* search) : db_(db), search_(search) {}

    Result<int64_t> apply_record(const RecordSpec& spec, const std::string& id, const std::vector<const Change*>& changes) {
        auto select = cached("SELECT id, " + column_list(spec) + ", custom, clocks FROM " + spec.table + " WHERE id = ?1");
        if (!select) return select.error();
        Stmt& sel = **select;
        sel.bind(1, id);
        auto row = sel.step();
        if (!row) return row.error();
        const bool exists = *row;
        json current = exists ? read_record(sel, spec) : json();
        json clocks = exists ? parse_clocks(sel.text(static_cast<int>(spec.fields.size()) + 2)) : json::object();
        sel.reset();
        // Every change goes into the history, winning or not, before the merge.
        if (auto s = write_history(spec, id, changes, exists, current, clocks); !s) return s.error();

        // Per field, the winner among this batch's changes and the stored clock. An equal stamp
        // is the same change seen again (a replica stamps one value per field per edit).
        std::map<std::string, const Change*> winners;
        for (const Change* c : changes) {
            const std::string stamp = stamp_of(*c);
            auto it = winners.find(c->field);
            if (it != winners.end()) {
                if (stamp_of(*it->second) < stamp) it->second = c;
                continue;
            }
            std::string stored = field_stamp(clocks, c->field);
            if (stored <= stamp) winners[c->field] = c;
        }
        if (winners.empty()) return int64_t{0};

        json merged = exists ? current : json::object();
        if (!exists) {
            merged["id"] = id;
            merged["custom"] = json::object();
        }
        json& custom = merged["custom"];
        int64_t wall = 0, won = 0;
        for (const auto& [field, c] : winners) {
            const std::string stamp = stamp_of(*c);
            json old = is_custom_field(field) ? custom.value(field.substr(7), json()) : merged.value(field, json());
            const bool changed = !exists || old != c->value;
            std::string stored = field_stamp(clocks, field);
            if (stored == stamp && !changed) continue;  // seen before
            if (is_custom_field(field)) {
                if (c->value.is_null()) custom.erase(field.substr(7));
                else custom[field.substr(7)] = c->value;
            } else {
                merged[field] = c->value;
            }
            clocks[field] = stamp;
            auto h = Hlc::decode(c->hlc);
            if (h) wall = std::max(wall, h->wall_ms);
            ++won;
        }
        if (won == 0) return int64_t{0};
        // Every field keeps its own clock. (Rows written before this rule may hold one shared
        // clock under "" for the fields of their creation; lookups above still honour it.)

        // One write per record, of the winning columns only: an INSERT for a record seen for the
        // first time (the columns it does not name keep their defaults), else an UPDATE. (An
        // INSERT of the bare id and then an UPDATE wrote the row and every index entry twice.)
        std::vector<const FieldSpec*> cols;
        for (const auto& [field, c] : winners) {
            if (is_custom_field(field)) continue;
            const FieldSpec* f = find_field(spec, field);
            if (!f) return Error{"field", "'" + field + "' is not a field of " + spec.type};
            cols.push_back(f);
        }
        std::string sql;  // column names come from the registry, never from input
        if (exists) {
            sql = "UPDATE " + spec.table + " SET clocks = ?1, custom = ?2, updated_at = max(updated_at, ?3)";
            for (size_t i = 0; i < cols.size(); ++i) sql += ", " + cols[i]->name + " = ?" + std::to_string(i + 5);
            sql += " WHERE id = ?4";
        } else {
            std::string names, values;
            for (size_t i = 0; i < cols.size(); ++i) {
                names += ", " + cols[i]->name;
                values += ", ?" + std::to_string(i + 5);
            }
            sql = "INSERT INTO " + spec.table + "(clocks, custom, updated_at, id" + names + ") VALUES(?1, ?2, ?3, ?4" +
                  values + ")";
        }
        auto write = cached(sql);
        if (!write) return write.error();
        Stmt& w = **write;
        w.bind(1, dump_clocks(clocks)).bind(2, custom.dump()).bind(3, wall).bind(4, id);
        for (size_t i = 0; i < cols.size(); ++i) bind_field(w, static_cast<int>(i + 5), *cols[i], merged[cols[i]->name]);
        if (auto s = w.run(); !s) return s.error();

        if (search_ && is_searchable_type(spec.type)) {
            // Fill in defaults for fields a partial record has not received yet.
            for (const auto& f : spec.fields)
                if (!merged.contains(f.name)) merged[f.name] = nullptr;
            search_->add(spec, merged);
        }
        return won;
    }

private:
    Result<Stmt*> cached(const std::string& sql) { return db_.cached(sql); }

    // The history rows of a record's changes, a function of the set of changes seen and never of
    // the order they came in (see shared/sync.h): every change after the record's creation is a
    // row (an author learnt later fills in an empty one); a creation's value of a field is a row
    // (`created` 1, no author) once a later change of that field is known, as that change's old
    // value. Creation changes are those stamped like the record's created_at (an edit reaches a
    // merge whole) and the seed's.
    Status write_history(const RecordSpec& spec, const std::string& id, const std::vector<const Change*>& changes,
                         bool exists, const json& current, const json& clocks) {
        std::vector<std::string> stamps, creations;
        stamps.reserve(changes.size());
        std::map<std::string_view, std::string_view> newest;  // field -> its greatest stamp in `changes`
        for (const Change* c : changes) {
            stamps.push_back(stamp_of(*c));
            if (c->field == "created_at") creations.push_back(stamps.back());
        }
        for (size_t i = 0; i < changes.size(); ++i) {
            auto [it, fresh] = newest.try_emplace(changes[i]->field, stamps[i]);
            if (!fresh && it->second < stamps[i]) it->second = stamps[i];
        }
        const std::string stored_creation = exists ? field_stamp(clocks, "created_at") : std::string();
        if (!stored_creation.empty()) {
            creations.push_back(stored_creation);
        } else if (exists && !creations.empty()) {
            // The creation's created_at comes after some of its other changes (handed over out of
            // order, not by a pull): the rows they made as changes become the creation's, kept
            // only where a later change of the field is known.
            auto fix = cached("UPDATE history SET created = 1, author = '' WHERE record_type = ?1 AND record_id = ?2 "
                              "AND hlc = ?3 AND replica = ?4 AND created = 0");
            if (!fix) return fix.error();
            auto drop = cached("DELETE FROM history AS h WHERE record_type = ?1 AND record_id = ?2 AND hlc = ?3 AND replica = ?4 "
                               "AND created = 1 AND NOT EXISTS (SELECT 1 FROM history AS l WHERE l.record_type = ?1 AND "
                               "l.record_id = ?2 AND l.field = h.field AND (l.hlc > ?3 OR (l.hlc = ?3 AND l.replica > ?4)))");
            if (!drop) return drop.error();
            for (const std::string& stamp : creations)
                for (Stmt* st : {*fix, *drop})
                    if (auto s = st->bind(1, spec.type).bind(2, id).bind(3, stamp.substr(0, 24)).bind(4, stamp.substr(25)).run(); !s)
                        return s;
        }
        auto is_creation = [&](const std::string& stamp) {
            return is_seed_stamp(stamp) || std::find(creations.begin(), creations.end(), stamp) != creations.end();
        };
        Stmt* row = nullptr;
        auto add = [&](const std::string& field, const json& value, const std::string& stamp, const std::string& author,
                       bool created) -> Status {
            if (!row) {
                auto st = cached("INSERT INTO history(record_type, record_id, field, value, hlc, replica, author, created) "
                                 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO UPDATE SET author = excluded.author "
                                 "WHERE history.author = '' AND excluded.author != ''");
                if (!st) return st.error();
                row = *st;
            }
            // A created row's value may come from the change or from the stored record, so values
            // are written as the record reads them back: a number field's 100 as 100.0.
            std::string text = value.dump();
            if (value.is_number() && !value.is_number_float())
                if (const FieldSpec* f = find_field(spec, field); f && f->kind == FieldKind::Real) text = json(value.get<double>()).dump();
            return row->bind(1, spec.type).bind(2, id).bind(3, field).bind(4, text).bind(5, stamp.substr(0, 24))
                .bind(6, stamp.size() > 25 ? stamp.substr(25) : std::string()).bind(7, author).bind(8, created ? 1 : 0).run();
        };
        for (size_t i = 0; i < changes.size(); ++i) {
            const Change* c = changes[i];
            const std::string& stamp = stamps[i];
            if (is_creation(stamp)) {
                // Kept only as the old value of a later change of the field.
                const bool later = (exists && field_stamp(clocks, c->field) > stamp) || newest[c->field] > stamp;
                if (later)
                    if (auto s = add(c->field, c->value, stamp, "", true); !s) return s;
                continue;
            }
            if (exists) {
                // The record still holds the field's value from its creation: keep it before this change.
                const std::string stored = field_stamp(clocks, c->field);
                if (!stored.empty() && stored < stamp && is_creation(stored)) {
                    json value;
                    if (!is_custom_field(c->field)) value = current.value(c->field, json());
                    else if (current.contains("custom") && current["custom"].is_object())
                        value = current["custom"].value(c->field.substr(7), json());
                    if (auto s = add(c->field, value, stored, "", true); !s) return s;
                }
            }
            if (auto s = add(c->field, c->value, stamp, c->author, false); !s) return s;
        }
        return ok();
    }

    Db& db_;
    SearchBatch* search_;
};

}  // namespace

namespace {

Result<int64_t> merge_changes(Db& db, const std::vector<Change>& changes, SearchBatch* search) {
    // Group by record, keeping the order in which records first appear.
    std::vector<std::pair<std::string, std::string>> order;
    std::map<std::pair<std::string, std::string>, std::vector<const Change*>> groups;
    for (const Change& c : changes) {
        auto key = std::make_pair(c.record_type, c.record_id);
        auto [it, fresh] = groups.try_emplace(key);
        if (fresh) order.push_back(key);
        it->second.push_back(&c);
    }
    Merger merger(db, search);
    int64_t won = 0;
    for (const auto& key : order) {
        const RecordSpec* spec = find_record_spec(key.first);
        if (!spec) return Error{"type", "'" + key.first + "' is not a known record type"};
        auto r = merger.apply_record(*spec, key.second, groups[key]);
        if (!r) return r.error();
        won += *r;
    }
    return won;
}

}  // namespace

Result<int64_t> apply_changes(Db& db, const std::vector<Change>& changes, SearchBatch* search) {
    SearchBatch own_search;
    auto won = merge_changes(db, changes, search ? search : &own_search);
    if (!won) return won.error();
    if (auto s = own_search.flush(db); !s) return s.error();
    return won;
}

Result<int64_t> apply_changes_unindexed(Db& db, const std::vector<Change>& changes) {
    return merge_changes(db, changes, nullptr);
}

}  // namespace crm
