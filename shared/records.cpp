#include "records.h"

#include "contacts.h"
#include "field_syntax.h"
#include "query.h"
#include "text.h"

namespace crm {
namespace {

using nlohmann::json;

Status check_email(const json& v) { return validate_email(v.get_ref<const std::string&>()); }
Status check_phone(const json& v) {
    return v.get_ref<const std::string&>().empty() ? ok() : validate_phone(v.get_ref<const std::string&>());
}
Status check_currency(const json& v) { return validate_currency(v.get_ref<const std::string&>()); }
Status check_domain(const json& v) {
    return v.get_ref<const std::string&>().empty() ? ok() : validate_domain(v.get_ref<const std::string&>());
}
Status check_non_negative(const json& v) {
    if (v.get<double>() < 0) return Error{"", "cannot be negative, got " + v.dump()};
    return ok();
}
Status check_probability(const json& v) {
    if (v.get<int64_t>() < 0 || v.get<int64_t>() > 100) return Error{"", "must be a percentage from 0 to 100, got " + v.dump()};
    return ok();
}

// [{"value": "...", "label": "work"}, ...] for a contact's further emails and phones.
template <Status (*CheckOne)(std::string_view)>
Status check_labelled_list(const json& v) {
    if (!v.is_array()) return Error{"", "must be a list of {value, label}"};
    if (v.size() > 20) return Error{"", "holds " + std::to_string(v.size()) + " entries; the limit is 20"};
    for (size_t i = 0; i < v.size(); ++i) {
        const json& e = v[i];
        if (!e.is_object() || !e.contains("value") || !e["value"].is_string())
            return Error{"", "entry " + std::to_string(i + 1) + " must be an object with a text 'value'"};
        for (auto it = e.begin(); it != e.end(); ++it)
            if (it.key() != "value" && it.key() != "label")
                return Error{"", "entry " + std::to_string(i + 1) + " has an unknown member '" + it.key() + "'"};
        if (e.contains("label") && (!e["label"].is_string() || e["label"].get_ref<const std::string&>().size() > 40))
            return Error{"", "entry " + std::to_string(i + 1) + " has a label that is not short text"};
        if (auto s = CheckOne(e["value"].get_ref<const std::string&>()); !s)
            return Error{"", "entry " + std::to_string(i + 1) + ": " + s.error().message};
    }
    return ok();
}
Status one_email(std::string_view s) {
    if (s.empty()) return Error{"", "is empty"};
    auto r = validate_email(s);
    return r ? ok() : Status(Error{"", r.error().message});
}
Status one_phone(std::string_view s) { return validate_phone(s); }

// {"street", "city", "region", "postal_code", "country"}: all optional text; country is ISO 3166.
Status check_address(const json& v) {
    if (!v.is_object()) return Error{"", "must be an object with street, city, region, postal_code, country"};
    for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string& k = it.key();
        if (k != "street" && k != "city" && k != "region" && k != "postal_code" && k != "country")
            return Error{"", "has an unknown part '" + k + "' (expected street, city, region, postal_code, country)"};
        if (!it->is_string()) return Error{"", k + " must be text"};
        if (auto s = validate_text_length(it->get_ref<const std::string&>(), 200); !s) return Error{"", k + " " + s.error().message};
    }
    std::string country = v.value("country", "");
    if (!country.empty())
        if (auto s = validate_country(country); !s) return Error{"", "country " + s.error().message};
    std::string postal = v.value("postal_code", "");
    if (!postal.empty())
        if (auto s = validate_postal_code(postal, country); !s) return Error{"", "postal_code " + s.error().message};
    return ok();
}

// {"status": "opted_in"|"opted_out"|"unknown", "at": ms, "method": "web form"}: consent per channel.
Status check_consent(const json& v) {
    if (!v.is_object()) return Error{"", "must be an object with status, at, method"};
    for (auto it = v.begin(); it != v.end(); ++it)
        if (it.key() != "status" && it.key() != "at" && it.key() != "method")
            return Error{"", "has an unknown part '" + it.key() + "' (expected status, at, method)"};
    if (v.empty()) return ok();
    if (!v.contains("status") || !v["status"].is_string()) return Error{"", "needs a status: opted_in, opted_out or unknown"};
    const std::string& s = v["status"].get_ref<const std::string&>();
    if (s != "opted_in" && s != "opted_out" && s != "unknown")
        return Error{"", "status must be opted_in, opted_out or unknown, got '" + s + "'"};
    if (v.contains("at") && (!v["at"].is_number_integer() || v["at"].get<int64_t>() < 0))
        return Error{"", "at must be a time in milliseconds"};
    if (v.contains("method") && (!v["method"].is_string() || v["method"].get_ref<const std::string&>().size() > 200))
        return Error{"", "method must be short text (how consent was given)"};
    return ok();
}

// A saved view's filter: the structured filter's JSON form (filter_to_json). Fields are checked
// against the view's record type when the view is applied, since a field can be removed later.
Status check_saved_filter(const json& v) {
    if (!v.is_object()) return Error{"", "must be a filter object with any, conditions and groups"};
    if (v.empty()) return ok();
    if (auto f = filter_from_json(v); !f) return Error{"", f.error().to_string()};
    return ok();
}

// A saved view's sort: [{"field": "name", "descending": false}, ...], at most 10 keys.
Status check_saved_sort(const json& v) {
    if (!v.is_array()) return Error{"", "must be a list of {field, descending}"};
    if (v.size() > 10) return Error{"", "holds " + std::to_string(v.size()) + " sort keys; the limit is 10"};
    for (size_t i = 0; i < v.size(); ++i) {
        const json& e = v[i];
        if (!e.is_object() || !e.contains("field") || !e["field"].is_string() || e["field"].get_ref<const std::string&>().empty() ||
            e["field"].get_ref<const std::string&>().size() > 100)
            return Error{"", "entry " + std::to_string(i + 1) + " must name a field"};
        for (auto it = e.begin(); it != e.end(); ++it)
            if (it.key() != "field" && it.key() != "descending")
                return Error{"", "entry " + std::to_string(i + 1) + " has an unknown member '" + it.key() + "'"};
        if (e.contains("descending") && !e["descending"].is_boolean())
            return Error{"", "entry " + std::to_string(i + 1) + ": descending must be true or false"};
    }
    return ok();
}

FieldSpec text(std::string name, size_t max = kDefaultMaxTextChars) { return {std::move(name), FieldKind::Text, false, max}; }
FieldSpec required_text(std::string name, size_t max = 200) {
    FieldSpec f = text(std::move(name), max);
    f.required = true;
    f.searchable = true;
    return f;
}
FieldSpec searchable(FieldSpec f) {
    f.searchable = true;
    return f;
}
FieldSpec with_check(FieldSpec f, Status (*check)(const json&)) {
    f.check = check;
    return f;
}
FieldSpec of_kind(std::string name, FieldKind kind) { return {std::move(name), kind}; }
FieldSpec ref(std::string name, std::string type) {
    FieldSpec f{std::move(name), FieldKind::Ref};
    f.ref_type = std::move(type);
    return f;
}
FieldSpec choice(std::string name, std::vector<std::string> choices) {
    FieldSpec f{std::move(name), FieldKind::Choice};
    f.choices = std::move(choices);
    return f;
}
FieldSpec json_field(std::string name, Status (*check)(const json&), bool object) {
    FieldSpec f{std::move(name), FieldKind::Json};
    f.check = check;
    f.json_object = object;
    return f;
}
FieldSpec json_list(std::string name, Status (*check)(const json&)) { return json_field(std::move(name), check, false); }
FieldSpec json_object(std::string name, Status (*check)(const json&)) { return json_field(std::move(name), check, true); }

RecordSpec record(std::string type, std::string table, std::string title, std::vector<FieldSpec> fields) {
    // Every record type carries an owner, tags and its creation time, and can be deleted.
    fields.push_back(text("owner", 200));
    fields.push_back(of_kind("tags", FieldKind::TextList));
    fields.push_back(of_kind("created_at", FieldKind::Timestamp));
    fields.push_back(of_kind("deleted", FieldKind::Boolean));
    return {std::move(type), std::move(table), std::move(title), std::move(fields)};
}

std::vector<RecordSpec> build_registry() {
    std::vector<RecordSpec> r;
    r.push_back(record("contact", "contacts", "name", {
        required_text("name", kMaxNameChars),
        text("first_name", 100), text("last_name", 100),
        searchable(with_check(text("email", kMaxEmailChars), check_email)),
        searchable(with_check(text("phone", 40), check_phone)),
        searchable(json_list("other_emails", check_labelled_list<one_email>)),
        searchable(json_list("other_phones", check_labelled_list<one_phone>)),
        searchable(text("job_title", 200)),
        ref("company_id", "company"),
        json_object("address", check_address),
        choice("lifecycle_stage", {"", "subscriber", "lead", "marketing_qualified_lead", "sales_qualified_lead",
                                   "opportunity", "customer", "evangelist", "other"}),
        choice("lead_status", {"", "new", "open", "in_progress", "open_deal", "unqualified", "attempted_to_contact",
                               "connected", "bad_timing"}),
        text("lead_source", 100),
        json_object("consent_email", check_consent),
        json_object("consent_sms", check_consent),
        of_kind("do_not_contact", FieldKind::Boolean),
    }));
    r.push_back(record("company", "companies", "name", {
        required_text("name"),
        searchable(with_check(text("domain", 253), check_domain)),
        text("industry", 100),
        choice("size", {"", "1-10", "11-50", "51-200", "201-1000", "1001-5000", "5001+"}),
        with_check(of_kind("annual_revenue", FieldKind::Real), check_non_negative),
        with_check(text("currency", 3), check_currency),
        json_object("address", check_address),
        ref("parent_id", "company"),
    }));
    r.push_back(record("pipeline", "pipelines", "name", {
        required_text("name", 100),
        of_kind("position", FieldKind::Integer),
    }));
    FieldSpec pipeline_of_stage = ref("pipeline_id", "pipeline");
    pipeline_of_stage.required = true;
    r.push_back(record("stage", "stages", "name", {
        pipeline_of_stage,
        required_text("name", 100),
        of_kind("position", FieldKind::Integer),
        with_check(of_kind("probability", FieldKind::Integer), check_probability),
        choice("outcome", {"open", "won", "lost"}),
    }));
    FieldSpec deal_pipeline = ref("pipeline_id", "pipeline"), deal_stage = ref("stage_id", "stage");
    deal_pipeline.required = deal_stage.required = true;
    r.push_back(record("deal", "deals", "name", {
        required_text("name"),
        with_check(of_kind("amount", FieldKind::Real), check_non_negative),
        with_check(text("currency", 3), check_currency),
        of_kind("close_date", FieldKind::Date),
        deal_pipeline, deal_stage,
        choice("forecast_category", {"", "pipeline", "best_case", "commit", "closed", "omitted"}),
        choice("status", {"open", "won", "lost"}),
        text("close_reason", 500),
        of_kind("closed_at", FieldKind::Timestamp),
        ref("company_id", "company"),
    }));
    FieldSpec dc_deal = ref("deal_id", "deal"), dc_contact = ref("contact_id", "contact");
    dc_deal.required = dc_contact.required = true;
    r.push_back(record("deal_contact", "deal_contacts", "role", {
        dc_deal, dc_contact,
        choice("role", {"", "decision_maker", "champion", "economic_buyer", "influencer", "technical_buyer", "user",
                        "blocker", "other"}),
    }));
    FieldSpec sc_deal = ref("deal_id", "deal");
    sc_deal.required = true;
    r.push_back(record("stage_change", "stage_changes", "to_stage_id", {
        sc_deal, ref("from_stage_id", "stage"), ref("to_stage_id", "stage"),
        of_kind("changed_at", FieldKind::Timestamp),
    }));
    r.push_back(record("lead", "leads", "name", {
        required_text("name", kMaxNameChars),
        searchable(with_check(text("email", kMaxEmailChars), check_email)),
        searchable(with_check(text("phone", 40), check_phone)),
        searchable(text("company_name", 200)),
        text("job_title", 200),
        text("lead_source", 100),
        choice("status", {"new", "working", "nurturing", "qualified", "unqualified", "converted"}),
        ref("converted_contact_id", "contact"), ref("converted_company_id", "company"), ref("converted_deal_id", "deal"),
        of_kind("converted_at", FieldKind::Timestamp),
    }));
    FieldSpec activity_kind = choice("kind", {"task", "call", "meeting", "email", "note"});
    activity_kind.required = true;
    r.push_back(record("activity", "activities", "subject", {
        activity_kind,
        searchable(text("subject", 300)),
        searchable(text("body", kMaxLongTextChars)),
        of_kind("due_at", FieldKind::Timestamp),
        choice("priority", {"", "low", "normal", "high"}),
        of_kind("done", FieldKind::Boolean),
        of_kind("done_at", FieldKind::Timestamp),
        choice("direction", {"", "inbound", "outbound"}),
        choice("disposition", {"", "connected", "left_voicemail", "no_answer", "busy", "wrong_number"}),
        with_check(of_kind("duration_seconds", FieldKind::Integer), check_non_negative),
        of_kind("starts_at", FieldKind::Timestamp),
        of_kind("ends_at", FieldKind::Timestamp),
        of_kind("attendees", FieldKind::TextList),
        ref("contact_id", "contact"), ref("company_id", "company"), ref("deal_id", "deal"),
        ref("case_id", "case"), ref("lead_id", "lead"),
    }));
    FieldSpec case_subject = required_text("subject", 300);
    r.push_back(record("case", "cases", "subject", {
        case_subject,
        searchable(text("description", kMaxLongTextChars)),
        choice("status", {"new", "open", "pending", "on_hold", "solved", "closed"}),
        choice("priority", {"low", "normal", "high", "urgent"}),
        choice("channel", {"", "email", "phone", "chat", "web", "social", "other"}),
        text("queue", 100),
        ref("contact_id", "contact"), ref("company_id", "company"),
        of_kind("opened_at", FieldKind::Timestamp),
        of_kind("first_response_at", FieldKind::Timestamp),
        of_kind("resolved_at", FieldKind::Timestamp),
        of_kind("first_response_due_at", FieldKind::Timestamp),
        of_kind("resolution_due_at", FieldKind::Timestamp),
    }));
    FieldSpec fd_type = choice("record_type", {"contact", "company", "deal", "lead", "activity", "case"});
    FieldSpec fd_key = required_text("key", kMaxCustomKeyChars);
    FieldSpec fd_kind = choice("kind", {"text", "number", "money", "date", "yes_no", "choice", "multi_choice", "link"});
    fd_type.required = fd_kind.required = true;
    fd_key.searchable = false;
    r.push_back(record("field_def", "field_defs", "label", {
        fd_type, fd_key, required_text("label", 100), fd_kind,
        of_kind("required", FieldKind::Boolean),
        of_kind("choices", FieldKind::TextList),
        choice("link_type", {"", "contact", "company", "deal", "lead", "case"}),
        of_kind("position", FieldKind::Integer),
    }));
    // A table's saved view, per record type: its filter, visible columns in order, and sort.
    // A record like any other, so a person's views follow them to every device.
    FieldSpec sv_type = choice("record_type", {"contact", "company", "deal", "lead", "activity", "case"});
    sv_type.required = true;
    FieldSpec sv_name = required_text("name", 100);
    sv_name.searchable = false;
    r.push_back(record("saved_view", "saved_views", "name", {
        sv_type, sv_name,
        json_object("filter", check_saved_filter),
        of_kind("columns", FieldKind::TextList),
        json_list("sort", check_saved_sort),
    }));
    return r;
}

}  // namespace

const std::vector<RecordSpec>& record_specs() {
    static const std::vector<RecordSpec> registry = build_registry();
    return registry;
}

const RecordSpec* find_record_spec(std::string_view type) {
    for (const auto& r : record_specs())
        if (r.type == type) return &r;
    return nullptr;
}

const FieldSpec* find_field(const RecordSpec& record, std::string_view field) {
    for (const auto& f : record.fields)
        if (f.name == field) return &f;
    return nullptr;
}

bool is_custom_field(std::string_view field) {
    constexpr std::string_view prefix = "custom.";
    if (field.substr(0, prefix.size()) != prefix) return false;
    std::string_view key = field.substr(prefix.size());
    if (key.empty() || key.size() > kMaxCustomKeyChars || !(key[0] >= 'a' && key[0] <= 'z')) return false;
    for (char c : key)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

bool is_blank(const json& v) {
    return v.is_null() || (v.is_string() && trim(v.get_ref<const std::string&>()).empty()) ||
           ((v.is_array() || v.is_object()) && v.empty());
}

Status validate_field_value(const FieldSpec& field, const json& value) {
    const std::string& name = field.name;
    if (value.is_null()) {
        if (field.required) return Error{name, "is required and cannot be cleared"};
        return ok();
    }
    switch (field.kind) {
        case FieldKind::Text: {
            if (!value.is_string()) return Error{name, "must be text, got " + std::string(value.type_name())};
            if (auto s = validate_text_length(value.get_ref<const std::string&>(), field.max_chars ? field.max_chars : kDefaultMaxTextChars); !s)
                return Error{name, s.error().message};
            if (field.required && trim(value.get_ref<const std::string&>()).empty()) return Error{name, "is required"};
            break;
        }
        case FieldKind::Integer:
        case FieldKind::Timestamp:
            if (!value.is_number_integer()) return Error{name, "must be a whole number, got " + utf8_prefix(value.dump(), 60)};
            if (field.kind == FieldKind::Timestamp && value.get<int64_t>() < 0)
                return Error{name, "must be a time in milliseconds since 1970, got " + value.dump()};
            break;
        case FieldKind::Real:
            if (!value.is_number()) return Error{name, "must be a number, got " + utf8_prefix(value.dump(), 60)};
            break;
        case FieldKind::Boolean:
            if (!value.is_boolean()) return Error{name, "must be true or false, got " + utf8_prefix(value.dump(), 60)};
            break;
        case FieldKind::Date: {
            if (!value.is_string()) return Error{name, "must be a date like 2025-03-31, got " + utf8_prefix(value.dump(), 60)};
            if (auto d = parse_date(value.get_ref<const std::string&>()); !d) return Error{name, d.error().message};
            break;
        }
        case FieldKind::Choice: {
            if (!value.is_string()) return Error{name, "must be one of its choices, got " + utf8_prefix(value.dump(), 60)};
            const std::string& v = value.get_ref<const std::string&>();
            bool found = false;
            for (const auto& c : field.choices) found |= c == v;
            if (!found) {
                std::string list;
                for (const auto& c : field.choices)
                    if (!c.empty()) list += (list.empty() ? "" : ", ") + c;
                return Error{name, "'" + utf8_prefix(v, 60) + "' is not one of: " + list};
            }
            if (field.required && v.empty()) return Error{name, "is required"};
            break;
        }
        case FieldKind::Ref: {
            if (!value.is_string()) return Error{name, "must be the id of a " + field.ref_type + ", got " + utf8_prefix(value.dump(), 60)};
            const std::string& v = value.get_ref<const std::string&>();
            if (v.empty()) {
                if (field.required) return Error{name, "is required"};
                break;
            }
            if (v.size() != 32 || v.find_first_not_of("0123456789abcdef") != std::string::npos)
                return Error{name, "'" + utf8_prefix(v, 40) + "' is not the id of a " + field.ref_type};
            break;
        }
        case FieldKind::TextList: {
            if (!value.is_array()) return Error{name, "must be a list of text"};
            if (value.size() > kMaxTags) return Error{name, "holds " + std::to_string(value.size()) + " entries; the limit is " + std::to_string(kMaxTags)};
            for (const auto& e : value) {
                if (!e.is_string()) return Error{name, "must hold only text, found " + utf8_prefix(e.dump(), 40)};
                if (auto s = validate_text_length(e.get_ref<const std::string&>(), 100); !s)
                    return Error{name, "entry '" + utf8_prefix(e.get_ref<const std::string&>(), 40) + "' " + s.error().message};
            }
            break;
        }
        case FieldKind::Json:
            if (!value.is_object() && !value.is_array()) return Error{name, "must be an object or a list"};
            break;
    }
    if (field.check && !(value.is_string() && value.get_ref<const std::string&>().empty() && !field.required)) {
        if (auto s = field.check(value); !s) return Error{name, s.error().message};
    }
    return ok();
}

}  // namespace crm
