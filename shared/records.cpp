#include "records.h"

#include <array>

#include "contacts.h"

namespace crm {
namespace {

Status validate_contact_name(const nlohmann::json& v) { return validate_name(v.get_ref<const std::string&>()); }
Status validate_contact_email(const nlohmann::json& v) { return validate_email(v.get_ref<const std::string&>()); }
Status validate_timestamp(const nlohmann::json& v) {
    if (v.get<int64_t>() < 0) return Error{"", "a time cannot be negative"};
    return ok();
}

constexpr std::array kContactFields = {
    FieldSpec{"name", FieldKind::Text, validate_contact_name},
    FieldSpec{"email", FieldKind::Text, validate_contact_email},
    FieldSpec{"created_at", FieldKind::Integer, validate_timestamp},
    FieldSpec{"deleted", FieldKind::Boolean, nullptr},
};

constexpr std::array kRecords = {
    RecordSpec{"contact", "contacts", kContactFields},
};

}  // namespace

const RecordSpec* find_record_spec(std::string_view type) {
    for (const auto& r : kRecords)
        if (r.type == type) return &r;
    return nullptr;
}

const FieldSpec* find_field(const RecordSpec& record, std::string_view field) {
    for (const auto& f : record.fields)
        if (f.name == field) return &f;
    return nullptr;
}

Status validate_field_value(const FieldSpec& field, const nlohmann::json& value) {
    const std::string name(field.name);
    switch (field.kind) {
        case FieldKind::Text:
            if (!value.is_string()) return Error{name, "must be text, got " + std::string(value.type_name())};
            break;
        case FieldKind::Integer:
            if (!value.is_number_integer()) return Error{name, "must be a whole number, got " + std::string(value.type_name())};
            break;
        case FieldKind::Boolean:
            if (!value.is_boolean()) return Error{name, "must be true or false, got " + std::string(value.type_name())};
            break;
    }
    if (field.validate) {
        auto s = field.validate(value);
        if (!s) return Error{name, s.error().message};
    }
    return ok();
}

}  // namespace crm
