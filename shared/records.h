#pragma once
// The synced record types and their fields: one registry that the schema, the merge and the
// validation of incoming changes all read, so a field exists in exactly one place.
#include <span>
#include <string_view>

#include <nlohmann/json.hpp>

#include "result.h"

namespace crm {

enum class FieldKind { Text, Integer, Boolean };

struct FieldSpec {
    std::string_view name;
    FieldKind kind;
    // Checks a value for this field; the error names the field. Null means "any value of the kind".
    Status (*validate)(const nlohmann::json& value);
};

struct RecordSpec {
    std::string_view type;   // as it appears in changes: "contact"
    std::string_view table;  // SQLite table holding the current state
    std::span<const FieldSpec> fields;
};

// The spec for a record type, or nullptr when the type is unknown.
const RecordSpec* find_record_spec(std::string_view type);
// The spec for a field of a record type, or nullptr when the field is unknown.
const FieldSpec* find_field(const RecordSpec& record, std::string_view field);
// Checks that `value` has the field's kind and passes its validation.
Status validate_field_value(const FieldSpec& field, const nlohmann::json& value);

}  // namespace crm
