#include "query.h"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <cctype>

#include "sqlite_db.h"
#include "text.h"

namespace crm {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<Op, const char*>, 12> kOps = {{
    {Op::Eq, "eq"}, {Op::Ne, "ne"}, {Op::Lt, "lt"}, {Op::Le, "le"}, {Op::Gt, "gt"}, {Op::Ge, "ge"},
    {Op::Contains, "contains"}, {Op::StartsWith, "starts_with"}, {Op::In, "in"}, {Op::IsEmpty, "is_empty"},
    {Op::NotEmpty, "not_empty"}, {Op::HasTag, "has_tag"},
}};

constexpr int kMaxConditions = 50;
constexpr int kMaxDepth = 4;

bool is_text_kind(FieldKind k) {
    return k == FieldKind::Text || k == FieldKind::Choice || k == FieldKind::Ref || k == FieldKind::Date;
}
bool is_number_kind(FieldKind k) {
    return k == FieldKind::Integer || k == FieldKind::Real || k == FieldKind::Timestamp;
}

std::string escape_like(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

struct Compiler {
    const RecordSpec& spec;
    std::vector<json> params;

    std::string param(json v) {
        params.push_back(std::move(v));
        return "?" + std::to_string(params.size());
    }

    Result<std::string> condition(const Condition& c, const std::string& where) {
        std::string column;
        FieldKind kind;
        if (c.field == "id") {
            column = "id";
            kind = FieldKind::Text;
        } else if (c.field == "updated_at") {
            column = "updated_at";
            kind = FieldKind::Timestamp;
        } else if (is_custom_field(c.field)) {
            column = "json_extract(custom, '$." + c.field.substr(7) + "')";  // key syntax checked: [a-z0-9_]
            kind = c.value.is_number() ? FieldKind::Real : FieldKind::Text;
        } else {
            const FieldSpec* f = find_field(spec, c.field);
            if (!f) return Error{where + ".field", "'" + utf8_prefix(c.field, 40) + "' is not a field of " + spec.type};
            column = f->name;
            kind = f->kind;
        }
        const std::string op_name = to_string(c.op);
        auto refuse = [&](const std::string& why) { return Error{where + ".op", "'" + op_name + "' " + why}; };
        auto need = [&](bool okay, const std::string& what) -> Status {
            if (okay) return ok();
            return Error{where + ".value", "must be " + what + " for '" + op_name + "' on " + c.field + ", got " + utf8_prefix(c.value.dump(), 40)};
        };
        const bool text = is_text_kind(kind), number = is_number_kind(kind);
        // Free text compares without regard to case; choices, ids and dates are exact, so their
        // indexes serve the query.
        const std::string nocase = kind == FieldKind::Text ? " COLLATE NOCASE" : "";
        switch (c.op) {
            case Op::Eq:
            case Op::Ne: {
                const char* sql_op = c.op == Op::Eq ? " = " : " IS NOT ";
                if (kind == FieldKind::Boolean) {
                    if (auto s = need(c.value.is_boolean(), "true or false"); !s) return s.error();
                    return column + sql_op + param(c.value.get<bool>() ? 1 : 0);
                }
                if (text || kind == FieldKind::Text) {
                    if (auto s = need(c.value.is_string(), "text"); !s) return s.error();
                } else if (number) {
                    if (auto s = need(c.value.is_number(), "a number"); !s) return s.error();
                } else {
                    return refuse("does not apply to list field " + c.field + " (use has_tag)");
                }
                return column + sql_op + param(c.value) + nocase;
            }
            case Op::Lt:
            case Op::Le:
            case Op::Gt:
            case Op::Ge: {
                if (!text && !number) return refuse("does not apply to " + c.field);
                if (auto s = need(number ? c.value.is_number() : c.value.is_string(), number ? "a number" : "text"); !s)
                    return s.error();
                const char* sql_op = c.op == Op::Lt ? " < " : c.op == Op::Le ? " <= " : c.op == Op::Gt ? " > " : " >= ";
                return column + sql_op + param(c.value) + nocase;
            }
            case Op::Contains:
            case Op::StartsWith: {
                if (!(text || kind == FieldKind::Json || kind == FieldKind::TextList)) return refuse("applies only to text fields, not " + c.field);
                if (auto s = need(c.value.is_string(), "text"); !s) return s.error();
                std::string pattern = (c.op == Op::Contains ? "%" : "") + escape_like(c.value.get<std::string>()) + "%";
                return column + " LIKE " + param(pattern) + " ESCAPE '\\'";
            }
            case Op::In: {
                if (!(text || number)) return refuse("does not apply to " + c.field);
                if (auto s = need(c.value.is_array() && !c.value.empty() && c.value.size() <= 100, "a list of 1 to 100 values"); !s)
                    return s.error();
                std::string list;
                for (const auto& v : c.value) {
                    if (auto s = need(number ? v.is_number() : v.is_string(), number ? "a list of numbers" : "a list of text"); !s)
                        return s.error();
                    list += (list.empty() ? "" : ", ") + param(v);
                }
                return column + nocase + " IN (" + list + ")";
            }
            case Op::IsEmpty:
            case Op::NotEmpty: {
                std::string empty = "(" + column + " IS NULL OR " + column + " IN ('', '[]', '{}'))";
                return c.op == Op::IsEmpty ? empty : "NOT " + empty;
            }
            case Op::HasTag: {
                if (kind != FieldKind::TextList) return refuse("applies only to list fields such as tags, not " + c.field);
                if (auto s = need(c.value.is_string(), "text"); !s) return s.error();
                return "EXISTS (SELECT 1 FROM json_each(" + column + ") WHERE value = " + param(c.value) + " COLLATE NOCASE)";
            }
        }
        return refuse("is not supported");
    }

    Result<std::string> group(const Filter& f, const std::string& where, int depth, int& count) {
        if (depth > kMaxDepth) return Error{where, "nests groups deeper than " + std::to_string(kMaxDepth)};
        std::vector<std::string> parts;
        for (size_t i = 0; i < f.conditions.size(); ++i) {
            if (++count > kMaxConditions) return Error{where, "has more than " + std::to_string(kMaxConditions) + " conditions"};
            auto c = condition(f.conditions[i], where + "conditions[" + std::to_string(i) + "]");
            if (!c) return c.error();
            parts.push_back("(" + *c + ")");
        }
        for (size_t i = 0; i < f.groups.size(); ++i) {
            auto g = group(f.groups[i], where + "groups[" + std::to_string(i) + "].", depth + 1, count);
            if (!g) return g.error();
            parts.push_back("(" + *g + ")");
        }
        if (parts.empty()) return std::string("1");
        std::string sql;
        for (const auto& p : parts) sql += (sql.empty() ? "" : f.any ? " OR " : " AND ") + p;
        return sql;
    }
};

}  // namespace

Result<Op> op_from_string(std::string_view s) {
    for (const auto& [op, name] : kOps)
        if (s == name) return op;
    return Error{"op", "'" + utf8_prefix(s, 40) + "' is not an operator (eq, ne, lt, le, gt, ge, contains, starts_with, in, is_empty, not_empty, has_tag)"};
}

std::string to_string(Op op) {
    for (const auto& [o, name] : kOps)
        if (o == op) return name;
    return "?";
}

namespace {

// Groups nest at most kMaxDepth deep (compile_query says so too): refused while reading, so a
// stored filter nested thousands deep never recurses that far.
Result<Filter> filter_from_json_at(const json& j, int depth) {
    if (!j.is_object()) return Error{"filter", "must be an object with any, conditions and groups"};
    if (depth > kMaxDepth) return Error{"filter", "nests groups deeper than " + std::to_string(kMaxDepth)};
    Filter f;
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "any" && it.key() != "conditions" && it.key() != "groups")
            return Error{"filter", "has an unknown member '" + utf8_prefix(it.key(), 40) + "'"};
    if (j.contains("any")) {
        if (!j["any"].is_boolean()) return Error{"any", "must be true or false"};
        f.any = j["any"].get<bool>();
    }
    if (j.contains("conditions")) {
        if (!j["conditions"].is_array()) return Error{"conditions", "must be a list"};
        for (size_t i = 0; i < j["conditions"].size(); ++i) {
            const json& c = j["conditions"][i];
            std::string where = "conditions[" + std::to_string(i) + "]";
            if (!c.is_object() || !c.contains("field") || !c["field"].is_string() || !c.contains("op") || !c["op"].is_string())
                return Error{where, "must be an object with a field, an op and a value"};
            auto op = op_from_string(c["op"].get<std::string>());
            if (!op) return Error{where + ".op", op.error().message};
            f.conditions.push_back({c["field"].get<std::string>(), *op, c.value("value", json())});
        }
    }
    if (j.contains("groups")) {
        if (!j["groups"].is_array()) return Error{"groups", "must be a list"};
        for (size_t i = 0; i < j["groups"].size(); ++i) {
            auto g = filter_from_json_at(j["groups"][i], depth + 1);
            if (!g) return Error{"groups[" + std::to_string(i) + "]." + g.error().field, g.error().message};
            f.groups.push_back(std::move(*g));
        }
    }
    return f;
}

}  // namespace

Result<Filter> filter_from_json(const json& j) { return filter_from_json_at(j, 0); }

json filter_to_json(const Filter& f) {
    json conditions = json::array(), groups = json::array();
    for (const auto& c : f.conditions) conditions.push_back({{"field", c.field}, {"op", to_string(c.op)}, {"value", c.value}});
    for (const auto& g : f.groups) groups.push_back(filter_to_json(g));
    return {{"any", f.any}, {"conditions", conditions}, {"groups", groups}};
}

Result<CompiledQuery> compile_query(const RecordSpec& spec, const Query& q) {
    if (q.limit < 1 || q.limit > kMaxPageSize)
        return Error{"limit", "must be from 1 to " + std::to_string(kMaxPageSize) + ", got " + std::to_string(q.limit)};
    if (q.offset < 0) return Error{"offset", "cannot be negative"};
    Compiler c{spec, {}};
    int count = 0;
    auto where = c.group(q.filter, "", 0, count);
    if (!where) return where.error();
    CompiledQuery out;
    out.where = (q.include_deleted ? std::string("1") : std::string("deleted = 0")) + " AND (" + *where + ")";
    std::vector<Sort> sort = q.sort;
    if (sort.empty()) sort.push_back({spec.title_field, false});
    for (size_t i = 0; i < sort.size(); ++i) {
        auto keys = sort_keys_sql(spec, sort[i].field);
        if (!keys) return Error{"sort[" + std::to_string(i) + "]", keys.error().message};
        for (const auto& key : *keys) out.order += (out.order.empty() ? "" : ", ") + key + (sort[i].descending ? " DESC" : " ASC");
    }
    // The tiebreak runs the way the last key does, so that one index on (key, id) serves a sort
    // both ways (read backwards for descending).
    out.order += sort.back().descending ? ", id DESC" : ", id";
    out.params = std::move(c.params);
    return out;
}

namespace {

// What orders the records a reference points at, as a person sees them: stages and pipelines by
// their position, everything else by its title, without regard to case. sort_keys_sql() and
// read_sorted_by_reference() must agree on it.
struct TargetOrder {
    std::string column;
    bool nocase = false;
};
TargetOrder target_order(const RecordSpec& target) {
    if (find_field(target, "position")) return {"position", false};
    return {target.title_field, true};
}

}  // namespace

Result<std::vector<std::string>> sort_keys_sql(const RecordSpec& spec, const std::string& field) {
    using Keys = std::vector<std::string>;
    if (field == "updated_at" || field == "id") return Keys{field};
    if (is_custom_field(field)) return Keys{"json_extract(custom, '$." + field.substr(7) + "')"};  // key syntax checked: [a-z0-9_]
    const FieldSpec* f = find_field(spec, field);
    if (!f) return Error{"", "'" + utf8_prefix(field, 40) + "' is not a field of " + spec.type};
    if (f->kind == FieldKind::Ref) {
        // A person sorting by Company means by the company's name, not by its id: the live
        // record pointed at gives the key (its position for ordered ones: stages, pipelines),
        // and its id keeps the rows of two records of the same name apart.
        const RecordSpec* target = find_record_spec(f->ref_type);
        if (!target) return Error{"", field + " points at an unknown record type " + f->ref_type};
        const TargetOrder by = target_order(*target);
        return Keys{"(SELECT ref." + by.column + " FROM " + target->table + " AS ref WHERE ref.id = " + spec.table + "." +
                        f->name + " AND ref.deleted = 0)" + (by.nocase ? " COLLATE NOCASE" : ""),
                    f->name};
    }
    return Keys{f->kind == FieldKind::Text ? f->name + " COLLATE NOCASE" : f->name};
}

void bind_params(Stmt& st, const std::vector<json>& params) {
    int i = 1;
    for (const auto& p : params) {
        if (p.is_string()) st.bind(i, p.get_ref<const std::string&>());
        else if (p.is_number_integer()) st.bind(i, p.get<int64_t>());
        else if (p.is_number()) st.bind(i, p.get<double>());
        else st.bind_null(i);
        ++i;
    }
}

bool plan_sorts_rows(Db& db, const std::string& sql, const std::vector<json>& params) {
    auto st = db.prepare("EXPLAIN QUERY PLAN " + sql);
    if (!st) return false;
    bind_params(*st, params);
    for (;;) {
        auto row = st->step();
        if (!row || !*row) return false;
        if (st->text(3).find("USE TEMP B-TREE FOR") != std::string::npos) return true;
    }
}

Result<bool> ensure_sort_index(Db& db, const RecordSpec& spec, const std::vector<Sort>& sort) {
    if (sort.size() != 1) return false;
    auto keys = sort_keys_sql(spec, sort[0].field);
    if (!keys) return keys.error();
    // A reference: no index can hold the name of the record it points at, but one on the
    // reference itself lets read_sorted_by_reference() read the rows grouped by it, in order.
    const std::string key = keys->size() == 1 ? keys->front() : keys->back();
    const std::string order = key + " ASC, id";
    if (!plan_sorts_rows(db, "SELECT rowid FROM " + spec.table + " WHERE deleted = 0 ORDER BY " + order, {}))
        return false;  // an index (the schema's or one made before) already gives this order
    std::string name = spec.table + "_sort_";
    for (char ch : sort[0].field) name += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') ? ch : '_';
    if (auto s = db.exec("CREATE INDEX IF NOT EXISTS " + name + " ON " + spec.table + "(" + key + ", id) WHERE deleted = 0");
        !s)
        return Error{"", "could not index " + spec.type + "s by " + sort[0].field + ": " + s.error().message};
    return true;
}

Result<bool> read_sorted_by_reference(Db& db, const RecordSpec& spec, const std::vector<Sort>& sort,
                                      const CompiledQuery& c, std::vector<int64_t>& out) {
    if (sort.size() != 1) return false;
    const FieldSpec* f = find_field(spec, sort[0].field);
    if (!f || f->kind != FieldKind::Ref) return false;
    const RecordSpec* target = find_record_spec(f->ref_type);
    if (!target) return false;
    // The live records pointed at, in order: by name through its index (or by position).
    const TargetOrder by = target_order(*target);
    auto targets = db.prepare("SELECT id FROM " + target->table + " WHERE deleted = 0 ORDER BY " + by.column +
                              (by.nocase ? " COLLATE NOCASE" : "") + ", id");
    if (!targets) return targets.error();
    std::unordered_map<std::string, size_t> rank;
    for (;;) {
        auto row = targets->step();
        if (!row) return row.error();
        if (!*row) break;
        rank.emplace(targets->text(0), rank.size());
    }
    // The matching rows grouped by what they point at, each group in id order (the index on the
    // reference gives this order without a sort). Those pointing at nothing live come first.
    auto rows = db.prepare("SELECT " + f->name + ", rowid FROM " + spec.table + " WHERE " + c.where + " ORDER BY " +
                           f->name + ", id");
    if (!rows) return rows.error();
    bind_params(*rows, c.params);
    std::vector<std::vector<int64_t>> groups(rank.size());
    out.clear();
    std::string current;                 // the reference of the group being read (rows come grouped)
    std::vector<int64_t>* into = &out;   // where its rows go
    bool first = true;
    for (;;) {
        auto row = rows->step();
        if (!row) return row.error();
        if (!*row) break;
        const std::string_view ref = rows->blob(0);  // no copy: compared, looked up once a group
        if (first || ref != current) {
            first = false;
            current.assign(ref);
            auto it = rank.find(current);
            into = it == rank.end() ? &out : &groups[it->second];
        }
        into->push_back(rows->integer(1));
    }
    for (const auto& g : groups) out.insert(out.end(), g.begin(), g.end());
    if (sort[0].descending) std::reverse(out.begin(), out.end());
    return true;
}

}  // namespace crm
