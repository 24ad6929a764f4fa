#include "push_body.h"

#include <simdjson.h>

#include "json_limits.h"

namespace crm {
namespace {

namespace od = simdjson::ondemand;
using nlohmann::json;

// simdjson checks the syntax, the escapes and the UTF-8 of what it reads; every read below
// turns anything it refuses into false.
bool read_string(od::value v, std::string& out) {
    std::string_view s;
    if (v.get_string().get(s)) return false;
    out.assign(s);
    return true;
}

// A change's value sits inside the body's object, its changes array and the change's object:
// the general path reads it three levels down, so it may nest three levels less than a body.
constexpr int kValueDepth = kMaxJsonDepth - 3;

// Any JSON value, as the general path reads it: strings, true, false and null directly; numbers,
// lists and objects by handing their text to the same strict reader (parse_json_strict), so
// their values (integer or float, big numbers, depth, repeated keys) come out, or are refused,
// exactly as on the general path.
bool read_value(od::value v, json& out) {
    od::json_type type;
    if (v.type().get(type)) return false;
    std::string_view raw;
    switch (type) {
        case od::json_type::string: {
            std::string s;
            if (!read_string(v, s)) return false;
            out = std::move(s);
            return true;
        }
        case od::json_type::boolean: {
            bool b = false;
            if (v.get_bool().get(b)) return false;
            out = b;
            return true;
        }
        case od::json_type::null: {
            bool is_null = false;
            if (v.is_null().get(is_null) || !is_null) return false;
            out = nullptr;
            return true;
        }
        case od::json_type::array: {
            od::array a;
            if (v.get_array().get(a) || a.raw_json().get(raw)) return false;
            break;
        }
        case od::json_type::object: {
            od::object o;
            if (v.get_object().get(o) || o.raw_json().get(raw)) return false;
            break;
        }
        default:
            raw = v.raw_json_token();
            break;
    }
    auto parsed = parse_json_strict(raw, kValueDepth);
    if (!std::holds_alternative<json>(parsed)) return false;
    out = std::move(std::get<json>(parsed));
    return true;
}

// One change: exactly the six members, each once (simdjson does not refuse repeated keys, and
// nlohmann would keep the last one: give up instead).
bool read_change(od::value v, Change& c) {
    od::object obj;
    if (v.get_object().get(obj)) return false;
    unsigned seen = 0;
    for (auto member : obj) {
        std::string_view key;
        od::value value;
        if (member.unescaped_key().get(key) || member.value().get(value)) return false;
        unsigned bit = 0;
        bool ok = false;
        if (key == "type")
            bit = 1, ok = read_string(value, c.record_type);
        else if (key == "id")
            bit = 2, ok = read_string(value, c.record_id);
        else if (key == "field")
            bit = 4, ok = read_string(value, c.field);
        else if (key == "value")
            bit = 8, ok = read_value(value, c.value);
        else if (key == "hlc")
            bit = 16, ok = read_string(value, c.hlc);
        else if (key == "replica")
            bit = 32, ok = read_string(value, c.replica);
        if (!ok || (seen & bit)) return false;
        seen |= bit;
    }
    return seen == 63;
}

bool read_changes(od::value v, std::vector<Change>& out) {
    od::array changes;
    if (v.get_array().get(changes)) return false;
    for (auto element : changes) {
        od::value change;
        if (element.get(change) || out.size() == kMaxBatchChanges) return false;
        out.emplace_back();
        if (!read_change(change, out.back())) return false;
    }
    return true;
}

}  // namespace

std::optional<PushBody> read_push_body(std::string_view body) {
    // nlohmann skips a byte-order mark, simdjson refuses it: leave such bodies to nlohmann
    // explicitly, whatever a later simdjson does with one.
    if (body.substr(0, 3) == "\xEF\xBB\xBF") return std::nullopt;
    // simdjson may read up to SIMDJSON_PADDING bytes past the end, so it reads a padded copy:
    // the request's buffer is not ours to pad. Reading in place would save only the copy,
    // ~0.01 ms of the ~0.46 ms a 1,000-change body takes (crm-bench-sync read); a parser kept
    // per thread instead of made per call saved nothing measurable either.
    const simdjson::padded_string padded(body);
    od::parser parser;
    od::document doc;
    od::object root;
    if (parser.iterate(padded).get(doc) || doc.get_object().get(root)) return std::nullopt;
    PushBody out;
    bool has_batch = false, has_changes = false, has_workspace = false;
    for (auto member : root) {
        std::string_view key;
        od::value value;
        if (member.unescaped_key().get(key) || member.value().get(value)) return std::nullopt;
        bool ok = false;
        if (key == "batch_id" && !has_batch) {
            ok = has_batch = read_string(value, out.batch_id);
        } else if (key == "workspace_id" && !has_workspace) {
            std::string ws;
            ok = has_workspace = read_string(value, ws);
            out.workspace_id = std::move(ws);
        } else if (key == "changes" && !has_changes) {
            ok = has_changes = read_changes(value, out.changes);
        }
        if (!ok) return std::nullopt;
    }
    // Nothing but whitespace after the object: simdjson then has no token left to show.
    const char* rest = nullptr;
    if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS) return std::nullopt;
    if (!has_batch || !has_changes) return std::nullopt;
    return out;
}

}  // namespace crm
