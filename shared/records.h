#pragma once
// The synced record types and their fields: one registry that the merge, the validation of
// incoming changes, the list queries and the search index all read, so a field's rules live
// in exactly one place. The SQLite tables themselves come from the migrations in schema.cpp.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.h"

namespace crm {

enum class FieldKind {
    Text,       // UTF-8 string, at most max_chars characters
    Integer,    // whole number
    Real,       // number (amounts)
    Boolean,    // true / false
    Date,       // "YYYY-MM-DD"
    Timestamp,  // whole milliseconds since the Unix epoch
    Choice,     // one of `choices`
    Ref,        // id of a record of `ref_type`
    TextList,   // JSON array of strings (tags, attendees)
    Json,       // JSON object or array with a structure checked by `check`
};

struct FieldSpec {
    std::string name;
    FieldKind kind = FieldKind::Text;
    bool required = false;              // present and not empty when a record is created
    size_t max_chars = 0;               // Text: 0 means the default limit
    std::string ref_type;               // Ref: the record type pointed at
    std::vector<std::string> choices;   // Choice: the allowed values
    Status (*check)(const nlohmann::json& value) = nullptr;  // further syntax (email, currency, ...)
    bool searchable = false;            // goes into the full-text index
    bool json_object = false;           // Json: an object ({} when empty) rather than a list ([])
};

struct RecordSpec {
    std::string type;   // as it appears in changes: "contact"
    std::string table;  // SQLite table holding the current state: "contacts"
    std::string title_field;  // the field that names a record in lists and search results
    std::vector<FieldSpec> fields;  // including the common ones (owner, tags, created_at, deleted)
};

inline constexpr size_t kDefaultMaxTextChars = 1000;
inline constexpr size_t kMaxLongTextChars = 100000;  // notes, descriptions, email bodies
inline constexpr size_t kMaxTags = 50;
inline constexpr size_t kMaxCustomKeyChars = 40;

// Every record type, in a stable order.
const std::vector<RecordSpec>& record_specs();
// The spec for a record type, or nullptr when the type is unknown.
const RecordSpec* find_record_spec(std::string_view type);
// The spec for a field of a record type, or nullptr when the field is unknown.
// Custom fields ("custom.<key>") are not in the registry: see is_custom_field().
const FieldSpec* find_field(const RecordSpec& record, std::string_view field);
// True for "custom.<key>" with a key of lowercase letters, digits and '_' (at most 40).
bool is_custom_field(std::string_view field);
// Checks that `value` has the field's kind and passes its checks; null clears an optional field.
Status validate_field_value(const FieldSpec& field, const nlohmann::json& value);
// True when a value counts as "not given" for a required field: null, "", [] or {}.
bool is_blank(const nlohmann::json& value);

}  // namespace crm
