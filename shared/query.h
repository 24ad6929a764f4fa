#pragma once
// Structured filters (field, operator, value; groups joined by "all" or "any") and sorting,
// compiled to SQL with bound parameters. Saved views and segments store them as JSON.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "records.h"
#include "result.h"

namespace crm {

enum class Op { Eq, Ne, Lt, Le, Gt, Ge, Contains, StartsWith, In, IsEmpty, NotEmpty, HasTag };

struct Condition {
    std::string field;  // a registry field, "custom.<key>", "id" or "updated_at"
    Op op = Op::Eq;
    nlohmann::json value;
};

struct Filter {
    bool any = false;  // false: every condition and group must hold; true: at least one
    std::vector<Condition> conditions;
    std::vector<Filter> groups;
};

struct Sort {
    std::string field;
    bool descending = false;
};

inline constexpr int64_t kMaxPageSize = 1000;

struct Query {
    Filter filter;
    std::vector<Sort> sort;  // empty: by the record's title
    int64_t limit = 50;      // 1 .. kMaxPageSize
    int64_t offset = 0;
    bool include_deleted = false;
};

// {"any": false, "conditions": [{"field": "...", "op": "eq", "value": ...}], "groups": [...]}
Result<Filter> filter_from_json(const nlohmann::json& j);
nlohmann::json filter_to_json(const Filter& f);
// "eq", "ne", "lt", "le", "gt", "ge", "contains", "starts_with", "in", "is_empty", "not_empty", "has_tag"
Result<Op> op_from_string(std::string_view s);
std::string to_string(Op op);

struct CompiledQuery {
    std::string where;   // "deleted = 0 AND (...)", with ?N parameters from 1
    std::string order;   // "name COLLATE NOCASE ASC, id"
    std::vector<nlohmann::json> params;
};

// Checks every field, operator and value against the registry and builds the SQL; errors name
// the condition ("conditions[2].op: 'gt' does not apply to yes/no field do_not_contact").
Result<CompiledQuery> compile_query(const RecordSpec& spec, const Query& query);

// The SQL a sort by `field` orders on: "name COLLATE NOCASE", "amount",
// "json_extract(custom, '$.region')", and for a reference the name (or, for stages and
// pipelines, the position) of the live record it points at, then the reference itself. An
// unknown field is an error naming it.
Result<std::vector<std::string>> sort_keys_sql(const RecordSpec& spec, const std::string& field);

class Db;
class Stmt;

// Binds a compiled query's parameters (CompiledQuery::params) as ?1, ?2, ...
void bind_params(Stmt& st, const std::vector<nlohmann::json>& params);

// True when SQLite would sort the rows of `sql` itself (a temporary B-tree for all or the right
// part of its ORDER BY) rather than read them in an index's order.
bool plan_sorts_rows(Db& db, const std::string& sql, const std::vector<nlohmann::json>& params);

// Sorting every row of a large table takes far longer than a frame (100,000 contacts by job
// title: 175 ms in the browser), while reading them in an index's order takes a few ms. For a
// one-key sort that no index serves, this makes an index on (key, id) over the live rows, named
// "<table>_sort_<field>", so that this sort and every later one on this device, either way
// round, reads in order. True when it made one. Such indexes are local (the server's copy does
// not need them): a database downloaded anew has none until its first sort by that key.
Result<bool> ensure_sort_index(Db& db, const RecordSpec& spec, const std::vector<Sort>& sort);

// A sort by a reference (contacts by company) is a lookup per row that SQLite then sorts: 0.3 s
// natively for 100,000 contacts. For a one-key sort by a reference this reads the same order
// (the one compile_query() gives) without either: the records pointed at in name order through
// their index, and the matching rows grouped by their reference through its index (made by
// ensure_sort_index()), joined in memory; rows pointing at nothing live first (last when
// descending). Fills `out` with rowids and returns true; false when the sort is not that.
Result<bool> read_sorted_by_reference(Db& db, const RecordSpec& spec, const std::vector<Sort>& sort,
                                      const CompiledQuery& c, std::vector<int64_t>& out);

}  // namespace crm
