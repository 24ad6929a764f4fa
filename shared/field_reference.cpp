#include "field_reference.h"

#include <map>

#include "records.h"

namespace crm {
namespace {

const char* kind_name(FieldKind kind) {
    switch (kind) {
        case FieldKind::Text:
            return "text";
        case FieldKind::Integer:
            return "integer";
        case FieldKind::Real:
            return "number";
        case FieldKind::Boolean:
            return "yes/no";
        case FieldKind::Date:
            return "date";
        case FieldKind::Timestamp:
            return "timestamp (ms)";
        case FieldKind::Choice:
            return "choice";
        case FieldKind::Ref:
            return "reference";
        case FieldKind::TextList:
            return "list of text";
        case FieldKind::Json:
            return "structured";
    }
    return "?";
}

// What a field's check accepts. The registry holds the check as a bare function, so the words
// are kept here by field name; a field missing from this list is shown as "syntax checked".
std::string check_description(const std::string& field) {
    static const std::map<std::string, std::string> kChecks = {
        {"email", "an email address"},
        {"other_emails", "up to 20 {value, label}, each an email address"},
        {"phone", "a phone number"},
        {"other_phones", "up to 20 {value, label}, each a phone number"},
        {"currency", "an ISO 4217 code such as EUR"},
        {"domain", "a bare domain such as example.com"},
        {"address", "street, city, region, postal_code, country (ISO 3166); the postal code fits the country"},
        {"consent_email", "status (opted_in, opted_out, unknown), at, method"},
        {"consent_sms", "status (opted_in, opted_out, unknown), at, method"},
        {"probability", "0 to 100"},
        {"amount", "0 or more"},
        {"annual_revenue", "0 or more"},
        {"duration_seconds", "0 or more"},
    };
    auto it = kChecks.find(field);
    return it == kChecks.end() ? "syntax checked" : it->second;
}

// The last column: what limits a value, beyond its kind.
std::string limits(const FieldSpec& f) {
    std::string out;
    auto add = [&](const std::string& s) { out += (out.empty() ? "" : "; ") + s; };
    switch (f.kind) {
        case FieldKind::Text:
            add("at most " + std::to_string(f.max_chars ? f.max_chars : kDefaultMaxTextChars) + " characters");
            break;
        case FieldKind::Choice: {
            std::string list;
            for (const auto& c : f.choices)
                list += (list.empty() ? "" : ", ") + (c.empty() ? std::string("(none)") : "`" + c + "`");
            add(list);
            break;
        }
        case FieldKind::Ref:
            add("id of a " + f.ref_type);
            break;
        case FieldKind::TextList:
            add("at most " + std::to_string(kMaxTags) + " entries of at most 100 characters");
            break;
        case FieldKind::Json:
            add(f.json_object ? "object" : "list");
            break;
        case FieldKind::Date:
            add("YYYY-MM-DD");
            break;
        default:
            break;
    }
    if (f.check) add(check_description(f.name));
    if (f.searchable) add("searchable");
    std::string escaped;
    for (char c : out) escaped += c == '|' ? std::string("\\|") : std::string(1, c);
    return escaped;
}

// How a value of the kind travels in a change.
const char* json_name(FieldKind kind) {
    switch (kind) {
        case FieldKind::Text:
        case FieldKind::Date:
        case FieldKind::Choice:
        case FieldKind::Ref:
            return "string";
        case FieldKind::Integer:
        case FieldKind::Timestamp:
            return "integer";
        case FieldKind::Real:
            return "number";
        case FieldKind::Boolean:
            return "true/false";
        case FieldKind::TextList:
            return "array of strings";
        case FieldKind::Json:
            return "object or array";
    }
    return "?";
}

}  // namespace

std::string field_reference_markdown() {
    std::string out =
        "| type | field | kind | JSON | required | null | limits, choices, reference |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n";
    for (const auto& record : record_specs())
        for (const auto& f : record.fields)
            out += "| " + record.type + " | " + f.name + " | " + kind_name(f.kind) + " | " + json_name(f.kind) + " | " +
                   (f.required ? "yes" : "") + " | " + (f.required ? "refused" : "clears") + " | " + limits(f) + " |\n";
    return out;
}

}  // namespace crm
