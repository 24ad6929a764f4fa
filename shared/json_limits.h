#pragma once
// Strict JSON reading for every JSON text that comes from outside the process (request bodies,
// the server's answers, values read back from storage). nlohmann's parser itself does not
// recurse, but almost everything done with a value afterwards does (dump, copy, compare,
// destroy): a value nested 65,000 deep crashed the server on its first dump(). So the limits
// are checked while reading, as SAX events arrive, before any tree deeper than the limit exists.
//
// Refused, with the place in the text and a machine-readable code:
// - text that is not JSON, or not UTF-8, or holds a NUL byte                    (invalid_json)
// - arrays and objects nested deeper than the limit                             (too_deep)
// - an object that names one key twice (RFC 8259 leaves the meaning open)       (duplicate_key)
// - a whole number outside int64 (-2^63 .. 2^63-1): other replicas would store
//   it as another number or lose digits                                        (invalid_value)
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

namespace crm {

inline constexpr int kMaxJsonDepth = 32;  // arrays and objects nested in one JSON text

// Why a JSON text was refused.
struct JsonRefusal {
    std::string where;    // the offending value's place, "changes[3].value"; empty: the whole text
    std::string message;  // what is wrong, in words
    std::string code;     // invalid_json, too_deep, duplicate_key or invalid_value

    // "changes[3].value: nests arrays and objects deeper than 32 levels"
    std::string to_string() const { return where.empty() ? message : where + ": " + message; }
};

// Reads one JSON value (white space around it allowed) under the rules above.
std::variant<nlohmann::json, JsonRefusal> parse_json_strict(std::string_view text, int max_depth = kMaxJsonDepth);
// The same, with a refused text read as a discarded value (is_discarded(), not an object):
// for callers that treat every unreadable text alike.
nlohmann::json parse_json_or_discarded(std::string_view text, int max_depth = kMaxJsonDepth);
// How deeply arrays and objects nest in `v` (0 for a scalar, 1 for [1]); stops counting past
// `limit`, so it recurses at most limit + 1 levels whatever `v` holds.
int json_depth(const nlohmann::json& v, int limit);

}  // namespace crm
