#include "sync.h"

#include <algorithm>

#include "hlc.h"
#include "ids.h"
#include "records.h"

namespace crm {

nlohmann::json Change::to_json() const {
    return {{"type", record_type}, {"id", record_id}, {"field", field},
            {"value", value},      {"hlc", hlc},      {"replica", replica}};
}

Result<Change> parse_change(const nlohmann::json& j) {
    if (!j.is_object()) return Error{"", "a change must be a JSON object"};
    static const char* members[] = {"type", "id", "field", "value", "hlc", "replica"};
    for (auto it = j.begin(); it != j.end(); ++it)
        if (std::find_if(std::begin(members), std::end(members), [&](const char* m) { return it.key() == m; }) ==
            std::end(members))
            return Error{it.key(), "is not a member of a change (expected type, id, field, value, hlc, replica)"};
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

    const RecordSpec* record = find_record_spec(c.record_type);
    if (!record) return Error{"type", "'" + c.record_type.substr(0, 40) + "' is not a known record type"};
    if (!is_valid_id(c.record_id)) return Error{"id", "'" + c.record_id.substr(0, 40) + "' is not a record id (32 hex digits)"};
    if (!is_valid_id(c.replica)) return Error{"replica", "'" + c.replica.substr(0, 40) + "' is not a replica id (32 hex digits)"};
    if (auto h = Hlc::decode(c.hlc); !h) return h.error();
    const FieldSpec* field = find_field(*record, c.field);
    if (!field) return Error{"field", "'" + c.field.substr(0, 40) + "' is not a field of " + c.record_type};
    if (auto s = validate_field_value(*field, c.value); !s) return Error{"value", s.error().to_string()};
    return c;
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

Result<int64_t> apply_changes(Db& db, const std::vector<Change>& changes) {
    auto get_clock = db.prepare("SELECT hlc, replica FROM field_clocks WHERE record_type=?1 AND record_id=?2 AND field=?3");
    auto put_clock = db.prepare("INSERT OR REPLACE INTO field_clocks(record_type, record_id, field, hlc, replica) VALUES(?1,?2,?3,?4,?5)");
    if (!get_clock) return get_clock.error();
    if (!put_clock) return put_clock.error();
    int64_t won = 0;
    for (const Change& c : changes) {
        const RecordSpec* record = find_record_spec(c.record_type);
        const FieldSpec* field = record ? find_field(*record, c.field) : nullptr;
        if (!field) return Error{"field", "'" + c.field + "' is not a field of '" + c.record_type + "'"};

        get_clock->bind(1, c.record_type).bind(2, c.record_id).bind(3, c.field);
        auto row = get_clock->step();
        if (!row) return row.error();
        bool newer = !*row || std::tie(c.hlc, c.replica) > std::make_tuple(get_clock->text(0), get_clock->text(1));
        get_clock->reset();
        if (!newer) continue;

        auto wall = Hlc::decode(c.hlc);
        if (!wall) return wall.error();
        const std::string table(record->table), column(field->name);  // names from the registry, never from input
        auto insert = db.prepare("INSERT OR IGNORE INTO " + table + "(id) VALUES(?1)");
        if (!insert) return insert.error();
        if (auto s = insert->bind(1, c.record_id).run(); !s) return s.error();
        auto update = db.prepare("UPDATE " + table + " SET " + column + " = ?1, updated_at = max(updated_at, ?2) WHERE id = ?3");
        if (!update) return update.error();
        switch (field->kind) {
            case FieldKind::Text: update->bind(1, c.value.get<std::string>()); break;
            case FieldKind::Integer: update->bind(1, c.value.get<int64_t>()); break;
            case FieldKind::Boolean: update->bind(1, static_cast<int64_t>(c.value.get<bool>())); break;
        }
        update->bind(2, wall->wall_ms).bind(3, c.record_id);
        if (auto s = update->run(); !s) return s.error();
        if (auto s = put_clock->bind(1, c.record_type).bind(2, c.record_id).bind(3, c.field).bind(4, c.hlc).bind(5, c.replica).run(); !s)
            return s.error();
        ++won;
    }
    return won;
}

}  // namespace crm
