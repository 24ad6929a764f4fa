#include "view_widgets.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "field_syntax.h"
#include "platform.h"
#include "sync_client.h"
#include "test_hooks.h"
#include "text.h"
#include "theme.h"

namespace crm {

using nlohmann::json;

namespace {

std::string label_for(const std::string& type, const std::string& name) {
    static const std::map<std::string, std::string> labels = {
        {"company_id", "Company"},
        {"contact_id", "Contact"},
        {"deal_id", "Deal"},
        {"case_id", "Case"},
        {"lead_id", "Lead"},
        {"parent_id", "Parent company"},
        {"pipeline_id", "Pipeline"},
        {"stage_id", "Stage"},
        {"created_at", "Created"},
        {"updated_at", "Updated"},
        {"closed_at", "Closed"},
        {"close_date", "Close date"},
        {"do_not_contact", "Do not contact"},
        {"other_emails", "Other emails"},
        {"other_phones", "Other phones"},
        {"consent_email", "Email consent"},
        {"consent_sms", "SMS consent"},
        {"opened_at", "Opened"},
        {"first_response_at", "First response"},
        {"resolved_at", "Resolved"},
        {"first_response_due_at", "First response due"},
        {"resolution_due_at", "Resolution due"},
        {"duration_seconds", "Duration (s)"},
        {"starts_at", "Starts"},
        {"ends_at", "Ends"},
        {"due_at", "Due"},
        {"done_at", "Done at"},
        {"converted_at", "Converted"},
        {"converted_contact_id", "Converted to contact"},
        {"converted_company_id", "Converted to company"},
        {"converted_deal_id", "Converted to deal"},
        {"job_title", "Job title"},
        {"lead_source", "Lead source"},
        {"lead_status", "Lead status"},
        {"lifecycle_stage", "Lifecycle stage"},
        {"annual_revenue", "Annual revenue"},
        {"forecast_category", "Forecast category"},
        {"close_reason", "Close reason"},
        {"record_type", "Record type"},
    };
    (void)type;
    auto it = labels.find(name);
    return it != labels.end() ? it->second : humanize(name);
}

bool read_only_field(const std::string& type, const std::string& name) {
    if (name == "created_at" || name == "updated_at" || name == "deleted") return true;
    if (type == "case") return name == "first_response_due_at" || name == "resolution_due_at";
    if (type == "deal") return name == "closed_at";
    if (type == "lead") return name.rfind("converted_", 0) == 0;
    return false;
}

std::string one_line(std::string s, size_t max_bytes = 200) {
    for (char& c : s)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (s.size() > max_bytes) {
        size_t cut = max_bytes;
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
        s = s.substr(0, cut) + "...";
    }
    return s;
}

std::string join(const json& list, const char* sep = ", ") {
    std::string out;
    if (!list.is_array()) return out;
    for (const auto& e : list) {
        std::string v = e.is_string()                                                    ? e.get<std::string>()
                        : e.is_object() && e.contains("value") && e["value"].is_string() ? e["value"].get<std::string>()
                                                                                         : e.dump();
        if (v.empty()) continue;
        out += (out.empty() ? "" : sep) + v;
    }
    return out;
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        std::string part(trim(std::string_view(text).substr(start, comma - start)));
        if (!part.empty()) out.push_back(part);
        start = comma + 1;
    }
    return out;
}

// A number as people type it: "12,500.50", " 3 ". Nullopt when it is not one.
std::optional<double> parse_number(const std::string& text) {
    std::string s;
    for (char c : text)
        if (c != ',' && c != ' ' && c != '_') s += c;
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

// "2025-06-15" or "2025-06-15 14:30" in the device's time zone, to ms since 1970.
std::optional<int64_t> parse_time(const std::string& text) {
    std::string_view t = trim(text);
    if (t.size() < 10) return std::nullopt;
    auto date = parse_date(t.substr(0, 10));
    if (!date) return std::nullopt;
    int hour = 0, minute = 0;
    std::string_view rest = trim(t.substr(10));
    if (!rest.empty()) {
        if (rest.size() != 5 || rest[2] != ':') return std::nullopt;
        for (size_t i : {0, 1, 3, 4})
            if (rest[i] < '0' || rest[i] > '9') return std::nullopt;
        hour = (rest[0] - '0') * 10 + (rest[1] - '0');
        minute = (rest[3] - '0') * 10 + (rest[4] - '0');
        if (hour > 23 || minute > 59) return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = date->year - 1900;
    tm.tm_mon = date->month - 1;
    tm.tm_mday = date->day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_isdst = -1;
    std::time_t seconds = std::mktime(&tm);
    if (seconds == static_cast<std::time_t>(-1)) return std::nullopt;
    return static_cast<int64_t>(seconds) * 1000;
}

int input_text_resize(ImGuiInputTextCallbackData* data) {
    if (data->EventFlag == ImGuiInputTextFlags_CallbackResize) {
        auto* s = static_cast<std::string*>(data->UserData);
        s->resize(static_cast<size_t>(data->BufTextLen));
        data->Buf = s->data();
    }
    return 0;
}

void draw_error_beside(const std::string& error, const std::string& track) {
    if (error.empty()) return;
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::PushTextWrapPos(ImGui::GetContentRegionMax().x);
    ImGui::PushStyleColor(ImGuiCol_Text, theme::kError);
    ImGui::TextWrapped("%s", error.c_str());
    ImGui::PopStyleColor();
    ImGui::PopTextWrapPos();
    test_hooks::track(track + " error");
}

// Records of a small type (pipelines, stages) for a choice list: [(id, title)], read again only
// when the data changed.
const std::vector<std::pair<std::string, std::string>>& small_type_choices(AppState& app, const std::string& type) {
    AppState::SmallList& list = app.small_lists[type];
    if (list.version == app.data_version) return list.items;
    list.version = app.data_version;
    list.items.clear();
    Query q;
    q.limit = 200;
    if (type == "stage") q.sort = {{"pipeline_id", false}, {"position", false}};
    auto page = app.store->list(type, q);
    if (!page) return list.items;
    for (const auto& r : page->rows) list.items.emplace_back(r["id"].get<std::string>(), record_title(type, r));
    return list.items;
}

const char* kConsentChoices[] = {"", "opted_in", "opted_out", "unknown"};

}  // namespace

void push_quiet_combo() {
    ImGui::PushStyleColor(ImGuiCol_Button, theme::kQuietButton);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, theme::kQuietButtonHovered);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, theme::kQuietButtonActive);
}
void pop_quiet_combo() {
    ImGui::PopStyleColor(3);
}

namespace {}  // namespace

// ---- fields ------------------------------------------------------------------------------------

std::vector<FieldInfo> fields_of(const std::string& type, const std::vector<CustomField>& custom) {
    std::vector<FieldInfo> out;
    const RecordSpec* spec = find_record_spec(type);
    if (!spec) return out;
    for (const auto& f : spec->fields) {
        if (f.name == "deleted") continue;
        FieldInfo i;
        i.name = f.name;
        i.label = label_for(type, f.name);
        i.kind = f.kind;
        i.choices = f.choices;
        i.ref_type = f.ref_type;
        i.required = f.required;
        i.multiline = f.kind == FieldKind::Text && f.max_chars >= kMaxLongTextChars;
        i.read_only = read_only_field(type, f.name);
        i.money = f.name == "amount" || f.name == "annual_revenue";
        if (f.kind == FieldKind::Json)
            i.shape = f.name == "address" ? "address" : f.name.rfind("consent_", 0) == 0 ? "consent" : "labelled";
        out.push_back(std::move(i));
    }
    // Custom fields come after the type's own fields and before what every record carries
    // (owner, tags, times).
    const auto common = std::find_if(out.begin(), out.end(), [](const FieldInfo& f) { return f.name == "owner"; });
    const auto insert_at = common - out.begin();
    std::vector<FieldInfo> customs;
    for (const auto& c : custom) {
        FieldInfo i;
        i.name = "custom." + c.key;
        i.label = c.label.empty() ? humanize(c.key) : c.label;
        i.required = c.required;
        i.choices = c.choices;
        if (c.kind == "number")
            i.kind = FieldKind::Real;
        else if (c.kind == "money")
            i.kind = FieldKind::Real, i.money = true;
        else if (c.kind == "date")
            i.kind = FieldKind::Date;
        else if (c.kind == "yes_no")
            i.kind = FieldKind::Boolean;
        else if (c.kind == "choice")
            i.kind = FieldKind::Choice, i.choices.insert(i.choices.begin(), "");
        else if (c.kind == "multi_choice")
            i.kind = FieldKind::TextList;
        else if (c.kind == "link")
            i.kind = FieldKind::Ref, i.ref_type = c.link_type;
        else
            i.kind = FieldKind::Text;
        customs.push_back(std::move(i));
    }
    out.insert(out.begin() + insert_at, customs.begin(), customs.end());
    FieldInfo updated;
    updated.name = "updated_at";
    updated.label = "Updated";
    updated.kind = FieldKind::Timestamp;
    updated.read_only = true;
    out.push_back(updated);
    return out;
}

std::vector<CustomField> load_custom_fields(LocalStore& store, const std::string& type) {
    std::vector<CustomField> out;
    Query q;
    q.filter.conditions.push_back({"record_type", Op::Eq, type});
    q.sort = {{"position", false}, {"label", false}};
    q.limit = 200;
    auto page = store.list("field_def", q);
    if (!page) return out;
    for (const auto& r : page->rows) {
        CustomField c;
        c.key = r.value("key", "");
        c.label = r.value("label", "");
        c.kind = r.value("kind", "text");
        c.link_type = r.value("link_type", "");
        c.required = r.value("required", false);
        if (r["choices"].is_array())
            for (const auto& ch : r["choices"])
                if (ch.is_string()) c.choices.push_back(ch.get<std::string>());
        out.push_back(std::move(c));
    }
    return out;
}

const char* plural_label(const std::string& type) {
    if (type == "contact") return "Contacts";
    if (type == "company") return "Companies";
    if (type == "deal") return "Deals";
    if (type == "case") return "Cases";
    if (type == "lead") return "Leads";
    if (type == "activity") return "Activities";
    return "Records";
}

const char* singular_label(const std::string& type) {
    if (type == "contact") return "Contact";
    if (type == "company") return "Company";
    if (type == "deal") return "Deal";
    if (type == "case") return "Case";
    if (type == "lead") return "Lead";
    if (type == "activity") return "Activity";
    if (type == "stage") return "Stage";
    if (type == "pipeline") return "Pipeline";
    return "Record";
}

std::string lowercase(std::string text) {
    for (char& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

std::string humanize(const std::string& name) {
    std::string s = name;
    for (char& c : s)
        if (c == '_') c = ' ';
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
    return s;
}

std::string format_time(int64_t ms) {
    if (ms <= 0) return "";
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

std::string format_number(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, std::fabs(value));
    std::string digits(buf);
    size_t dot = digits.find('.');
    std::string whole = digits.substr(0, dot), frac = dot == std::string::npos ? "" : digits.substr(dot);
    std::string grouped;
    for (size_t i = 0; i < whole.size(); ++i) {
        if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ',';
        grouped += whole[i];
    }
    return (value < 0 ? "-" : "") + grouped + frac;
}

json field_value(const json& record, const std::string& field) {
    if (!record.is_object()) return nullptr;
    if (field.rfind("custom.", 0) == 0) {
        const json& custom = record.contains("custom") ? record["custom"] : json();
        return custom.is_object() ? custom.value(field.substr(7), json()) : json();
    }
    return record.contains(field) ? record[field] : json();
}

std::string record_title(const std::string& type, const json& record) {
    const RecordSpec* spec = find_record_spec(type);
    if (!spec || !record.is_object()) return "";
    json v = field_value(record, spec->title_field);
    std::string t = v.is_string() ? v.get<std::string>() : "";
    if (t.empty()) t = std::string("Untitled ") + singular_label(type);
    return one_line(t, 120);
}

std::string format_value(const FieldInfo& field, const json& record, const std::map<std::string, std::string>& titles) {
    json v = field_value(record, field.name);
    if (v.is_null()) return "";
    switch (field.kind) {
        case FieldKind::Text:
        case FieldKind::Date:
            return v.is_string() ? one_line(v.get<std::string>()) : v.dump();
        case FieldKind::Integer:
            return v.is_number() ? format_number(v.get<double>(), 0) : v.dump();
        case FieldKind::Real:
            if (!v.is_number()) return v.dump();
            if (field.money) return format_number(v.get<double>(), 2);
            return format_number(v.get<double>(), std::floor(v.get<double>()) == v.get<double>() ? 0 : 2);
        case FieldKind::Boolean:
            return v.is_boolean() ? (v.get<bool>() ? "Yes" : "No") : v.dump();
        case FieldKind::Timestamp:
            return v.is_number_integer() ? format_time(v.get<int64_t>()) : v.dump();
        case FieldKind::Choice:
            return v.is_string() ? humanize(v.get<std::string>()) : v.dump();
        case FieldKind::Ref: {
            if (!v.is_string() || v.get_ref<const std::string&>().empty()) return "";
            auto it = titles.find(field.ref_type + "/" + v.get<std::string>());
            return it != titles.end() ? it->second : "(missing " + std::string(singular_label(field.ref_type)) + ")";
        }
        case FieldKind::TextList:
            return one_line(join(v));
        case FieldKind::Json:
            if (field.shape == "address" && v.is_object()) {
                std::string out;
                for (const char* part : {"street", "city", "region", "postal_code", "country"}) {
                    std::string p = v.value(part, "");
                    if (!p.empty()) out += (out.empty() ? "" : ", ") + p;
                }
                return one_line(out);
            }
            if (field.shape == "consent" && v.is_object()) return humanize(v.value("status", ""));
            return one_line(join(v));
    }
    return "";
}

void load_titles(LocalStore& store, const std::vector<json>& records, const std::vector<FieldInfo>& fields,
                 std::map<std::string, std::string>& titles) {
    std::map<std::string, std::vector<std::string>> wanted;  // type -> ids not yet known
    for (const auto& f : fields) {
        if (f.kind != FieldKind::Ref || f.ref_type.empty()) continue;
        for (const auto& r : records) {
            json v = field_value(r, f.name);
            if (!v.is_string() || v.get_ref<const std::string&>().empty()) continue;
            const std::string key = f.ref_type + "/" + v.get<std::string>();
            if (titles.count(key)) continue;
            titles[key] = "(missing " + std::string(singular_label(f.ref_type)) + ")";
            wanted[f.ref_type].push_back(v.get<std::string>());
        }
    }
    for (const auto& [type, ids] : wanted) {
        const RecordSpec* spec = find_record_spec(type);
        if (!spec) continue;
        for (size_t start = 0; start < ids.size(); start += 500) {
            const size_t n = std::min<size_t>(500, ids.size() - start);
            std::string sql = "SELECT id, " + spec->title_field + " FROM " + spec->table + " WHERE id IN (";
            for (size_t i = 0; i < n; ++i) sql += (i ? ",?" : "?") + std::to_string(i + 1);
            sql += ")";
            auto st = store.db().prepare(sql);
            if (!st) continue;
            for (size_t i = 0; i < n; ++i) st->bind(static_cast<int>(i + 1), ids[start + i]);
            for (;;) {
                auto row = st->step();
                if (!row || !*row) break;
                std::string t = one_line(st->text(1), 120);
                titles[type + "/" + st->text(0)] = t.empty() ? std::string("Untitled ") + singular_label(type) : t;
            }
        }
    }
}

std::string edit_text(const FieldInfo& field, const json& v) {
    if (v.is_null()) return "";
    switch (field.kind) {
        case FieldKind::Integer:
            return v.is_number() ? std::to_string(v.get<int64_t>()) : v.dump();
        case FieldKind::Real: {
            if (!v.is_number()) return v.dump();
            if (field.money) return format_number(v.get<double>(), 2);  // "12,500.50": read back by parse_number
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.15g", v.get<double>());
            return buf;
        }
        case FieldKind::Boolean:
            return v.is_boolean() && v.get<bool>() ? "true" : "false";
        case FieldKind::Timestamp:
            return v.is_number_integer() ? format_time(v.get<int64_t>()) : v.dump();
        case FieldKind::TextList:
            return join(v);
        case FieldKind::Json:
            if (field.shape == "address") return v.is_object() ? v.dump() : "{}";
            if (field.shape == "consent") return v.is_object() ? v.value("status", "") : "";
            return join(v);
        default:
            return v.is_string() ? v.get<std::string>() : v.dump();
    }
}

Result<json> parse_edit(const FieldInfo& field, const std::string& text, const json& before) {
    const std::string trimmed(trim(text));
    switch (field.kind) {
        case FieldKind::Text:
            return json(field.multiline ? text : trimmed);
        case FieldKind::Date:
        case FieldKind::Choice:
        case FieldKind::Ref:
            if (trimmed.empty()) return json(field.kind == FieldKind::Date ? json() : json(""));
            return json(trimmed);
        case FieldKind::Integer: {
            if (trimmed.empty()) return json();
            auto n = parse_number(trimmed);
            if (n && std::floor(*n) == *n && std::fabs(*n) < 9e15) return json(static_cast<int64_t>(*n));
            return json(trimmed);  // the domain refuses it in its own words
        }
        case FieldKind::Real: {
            if (trimmed.empty()) return json();
            auto n = parse_number(trimmed);
            return n ? json(*n) : json(trimmed);
        }
        case FieldKind::Boolean:
            return json(trimmed == "true");
        case FieldKind::Timestamp: {
            if (trimmed.empty()) return json();
            auto ms = parse_time(trimmed);
            if (!ms)
                return Error{field.name,
                             "must be a date like 2025-06-15, optionally with a time like 2025-06-15 14:30"};
            return json(*ms);
        }
        case FieldKind::TextList: {
            json list = json::array();
            for (auto& s : split_list(text)) list.push_back(s);
            return list;
        }
        case FieldKind::Json: {
            if (field.shape == "address") {
                json j = json::parse(text, nullptr, false);
                if (!j.is_object()) return json::object();
                json out = json::object();
                for (auto it = j.begin(); it != j.end(); ++it)
                    if (it->is_string() && !trim(it->get<std::string>()).empty())
                        out[it.key()] = std::string(trim(it->get<std::string>()));
                return out;
            }
            if (field.shape == "consent") {
                if (trimmed.empty()) return json::object();
                return json{{"status", trimmed}, {"method", "set in the CRM"}};
            }
            json list = json::array();
            for (auto& s : split_list(text)) {
                json entry = {{"value", s}};
                if (before.is_array())  // keep the label an entry already had
                    for (const auto& b : before)
                        if (b.is_object() && b.value("value", "") == s && b.contains("label"))
                            entry["label"] = b["label"];
                list.push_back(std::move(entry));
            }
            return list;
        }
    }
    return json(trimmed);
}

// ---- widgets -----------------------------------------------------------------------------------

std::string count_text(int64_t n, const char* singular, const char* plural) {
    return format_number(static_cast<double>(n), 0) + " " + (n == 1 ? singular : plural);
}

bool input_text(const char* id, std::string& text, ImGuiInputTextFlags flags, const char* hint) {
    flags |= ImGuiInputTextFlags_CallbackResize;
    if (hint)
        return ImGui::InputTextWithHint(id, hint, text.data(), text.capacity() + 1, flags, input_text_resize, &text);
    return ImGui::InputText(id, text.data(), text.capacity() + 1, flags, input_text_resize, &text);
}

bool input_multiline(const char* id, std::string& text, const ImVec2& size, ImGuiInputTextFlags flags) {
    flags |= ImGuiInputTextFlags_CallbackResize;
    return ImGui::InputTextMultiline(id, text.data(), text.capacity() + 1, size, flags, input_text_resize, &text);
}

EditorResult field_editor(AppState& app, const FieldInfo& field, FieldEdit& edit, const std::string& track, float width,
                          bool frameless, const std::map<std::string, std::string>* titles) {
    ImGui::PushID(track.c_str());
    if (frameless) {
        ImGui::PushStyleColor(ImGuiCol_FrameBg, theme::kQuietFrame);
        ImGui::PushStyleColor(ImGuiCol_Border, theme::kQuietBorder);
    }
    bool commit = false, any_enter = false, edited = false, cancel = false;
    push_quiet_combo();
    ImGui::SetNextItemWidth(width);
    if (field.kind == FieldKind::Boolean) {
        bool v = edit.text == "true";
        if (ImGui::Checkbox("##v", &v)) {
            edit.text = v ? "true" : "false";
            commit = true;
        }
        test_hooks::track(track);
    } else if (field.kind == FieldKind::Choice || (field.kind == FieldKind::Json && field.shape == "consent")) {
        std::vector<std::string> choices =
            field.kind == FieldKind::Choice
                ? field.choices
                : std::vector<std::string>(std::begin(kConsentChoices), std::end(kConsentChoices));
        const std::string shown = edit.text.empty() ? "-" : humanize(edit.text);
        if (ImGui::BeginCombo("##v", shown.c_str())) {
            test_hooks::track(track);
            for (const auto& c : choices) {
                const std::string label = c.empty() ? "(none)" : humanize(c);
                if (ImGui::Selectable(label.c_str(), c == edit.text)) {
                    edit.text = c;
                    commit = true;
                }
                test_hooks::track("Option " + label);
            }
            ImGui::EndCombo();
        } else {
            test_hooks::track(track);
        }
    } else if (field.kind == FieldKind::Ref && (field.ref_type == "pipeline" || field.ref_type == "stage")) {
        const auto& choices = small_type_choices(app, field.ref_type);
        std::string shown = "-";
        for (const auto& [id, title] : choices)
            if (id == edit.text) shown = title;
        if (ImGui::BeginCombo("##v", shown.c_str())) {
            test_hooks::track(track);
            for (const auto& [id, title] : choices) {
                ImGui::PushID(id.c_str());
                if (ImGui::Selectable(title.c_str(), id == edit.text)) {
                    edit.text = id;
                    commit = true;
                }
                test_hooks::track("Option " + title);
                ImGui::PopID();
            }
            ImGui::EndCombo();
        } else {
            test_hooks::track(track);
        }
    } else if (field.kind == FieldKind::Ref) {
        // Type to search the records of the referenced type; pick one from the list under the field.
        RefPicker& picker = app.picker;
        const bool open = picker.track == track;
        std::string title;
        if (!edit.text.empty()) {
            // The picked record's name: from the page's titles when it has them, else one lookup.
            auto known = titles ? titles->find(field.ref_type + "/" + edit.text)
                                : std::map<std::string, std::string>::const_iterator();
            if (titles && known != titles->end()) {
                title = known->second;
            } else {
                std::map<std::string, std::string> t;
                load_titles(*app.store, {json{{"v", edit.text}}},
                            {FieldInfo{"v", "", FieldKind::Ref, {}, field.ref_type}}, t);
                title = t.begin() != t.end() ? t.begin()->second : "";
            }
        }
        std::string shown = open ? picker.query : title;
        const std::string hint = "Search " + std::string(plural_label(field.ref_type)) + "...";
        bool enter = input_text("##v", shown, ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_AutoSelectAll,
                                hint.c_str());
        test_hooks::track(track);
        const ImVec2 input_min = ImGui::GetItemRectMin(), input_max = ImGui::GetItemRectMax();
        if (ImGui::IsItemActivated()) {
            picker = RefPicker{track, title, title, {}};
        } else if (open && ImGui::IsItemEdited()) {
            edited = true;
            picker.query = shown;
            picker.hits.clear();
            if (!trim(shown).empty())
                if (auto hits = app.store->search(shown, 8, field.ref_type)) picker.hits = std::move(*hits);
        }
        if (open) {
            bool close = ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape));
            if (enter && !picker.hits.empty()) {
                edit.text = picker.hits.front().record_id;
                commit = close = true;
            }
            // The list lies over what follows instead of pushing it down: the fields below stay
            // where they are while it is open, and after a pick the next click lands where aimed.
            const ImVec2 below_input = ImGui::GetCursorScreenPos();
            ImGui::PushStyleColor(ImGuiCol_ChildBg, theme::kPanel);
            const float rows =
                static_cast<float>(picker.hits.size() + (field.required ? 0 : 1)) + (picker.hits.empty() ? 1.0f : 0.0f);
            ImGui::BeginChild("##hits", ImVec2(width, rows * ImGui::GetTextLineHeightWithSpacing() + 10), true,
                              ImGuiWindowFlags_NoScrollbar);
            if (picker.hits.empty())
                ImGui::TextColored(theme::kMuted, "%s",
                                   picker.query == picker.initial ? "Type to search" : "No matches");
            for (const auto& hit : picker.hits) {
                ImGui::PushID(hit.record_id.c_str());
                if (ImGui::Selectable(one_line(hit.title, 80).c_str())) {
                    edit.text = hit.record_id;
                    commit = close = true;
                }
                test_hooks::track("Pick " + hit.title);
                ImGui::PopID();
            }
            if (!field.required && ImGui::Selectable("(none)")) {
                edit.text.clear();
                commit = close = true;
            }
            ImGui::EndChild();
            const ImVec2 list_min = ImGui::GetItemRectMin(), list_max = ImGui::GetItemRectMax();
            ImGui::PopStyleColor();
            ImGui::SetCursorScreenPos(below_input);
            const ImVec2 m = ImGui::GetIO().MousePos;
            auto inside = [&](ImVec2 a, ImVec2 b) { return m.x >= a.x && m.x < b.x && m.y >= a.y && m.y < b.y; };
            if (ImGui::IsMouseClicked(0) && !inside(input_min, input_max) && !inside(list_min, list_max)) close = true;
            if (close) picker = RefPicker{};
        }
    } else if (field.kind == FieldKind::Json && field.shape == "address") {
        json parts = json::parse(edit.text.empty() ? "{}" : edit.text, nullptr, false);
        if (!parts.is_object()) parts = json::object();
        const char* keys[] = {"street", "city", "region", "postal_code", "country"};
        const char* hints[] = {"Street", "City", "Region", "Postcode", "Country"};
        const float gap = ImGui::GetStyle().ItemSpacing.x;
        const float x0 = ImGui::GetCursorPosX();
        // Street; city; region, postal code and country on one line, all under the field's column.
        for (int i = 0; i < 5; ++i) {
            std::string v = parts.value(keys[i], "");
            if (i > 2)
                ImGui::SameLine(0, gap);
            else if (i > 0)
                ImGui::SetCursorPosX(x0);
            ImGui::SetNextItemWidth(i < 2 ? width : (width - 2 * gap) / 3);
            ImGui::PushID(i);
            bool enter = input_text("##part", v, ImGuiInputTextFlags_EnterReturnsTrue, hints[i]);
            if (ImGui::IsItemEdited()) {
                parts[keys[i]] = v;
                edit.text = parts.dump();
                edit.dirty = edited = true;
            }
            commit |= enter || ImGui::IsItemDeactivatedAfterEdit();
            any_enter |= enter;
            test_hooks::track(track + " " + keys[i]);
            ImGui::PopID();
        }
    } else {
        ImGuiInputTextFlags flags = ImGuiInputTextFlags_EnterReturnsTrue;
        bool enter = false;
        const char* hint = field.kind == FieldKind::Date                                    ? "YYYY-MM-DD"
                           : field.kind == FieldKind::Timestamp                             ? "YYYY-MM-DD HH:MM"
                           : field.kind == FieldKind::TextList || field.shape == "labelled" ? "Separate with commas"
                                                                                            : nullptr;
        if (field.multiline) {
            input_multiline("##v", edit.text, ImVec2(width, ImGui::GetTextLineHeight() * 4 + 10), 0);
        } else {
            enter = input_text("##v", edit.text, flags, hint);
        }
        if (ImGui::IsItemEdited()) edit.dirty = edited = true;
        cancel = ImGui::IsItemDeactivated() && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape));
        commit = !cancel && (enter || ImGui::IsItemDeactivatedAfterEdit());
        any_enter = enter;
        test_hooks::track(track);
    }
    if (frameless) ImGui::PopStyleColor(2);
    pop_quiet_combo();
    // An error is about the value it was given: once the value changes, it no longer applies (a
    // save of the new value says again what is still wrong).
    if (edited || commit) edit.error.clear();
    draw_error_beside(edit.error, track);
    ImGui::PopID();
    return {commit, any_enter, cancel};
}

bool link(const std::string& text, const std::string& track) {
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    ImGui::PushID(track.c_str());
    const bool clicked = ImGui::InvisibleButton("##link", ImVec2(std::max(size.x, 1.0f), size.y));
    ImGui::PopID();
    const bool hovered = ImGui::IsItemHovered();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 colour = ImGui::GetColorU32(hovered ? theme::kLinkHover : theme::kLink);
    dl->AddText(pos, colour, text.c_str());
    if (hovered) {
        dl->AddLine(ImVec2(pos.x, pos.y + size.y - 1), ImVec2(pos.x + size.x, pos.y + size.y - 1), colour);
        ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
    }
    test_hooks::track(track);
    return clicked;
}

bool primary_button(const char* label, const std::string& track) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
    ImGui::PushStyleColor(ImGuiCol_Button, theme::kAccent);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, theme::kAccentHovered);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, theme::kAccentActive);
    bool pressed = ImGui::Button(label);
    ImGui::PopStyleColor(4);
    test_hooks::track(track);
    return pressed;
}

bool quiet_button(const char* label, const std::string& track) {
    ImGui::PushStyleColor(ImGuiCol_Button, theme::kQuietButton);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, theme::kQuietButtonHovered);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, theme::kQuietButtonActive);
    bool pressed = ImGui::Button(label);
    ImGui::PopStyleColor(3);
    test_hooks::track(track);
    return pressed;
}

void title_text(const std::string& text) {
    ImGui::SetWindowFontScale(1.3f);
    ImGui::TextUnformatted(text.c_str());
    ImGui::SetWindowFontScale(1.0f);
}

void section_heading(const char* text) {
    ImGui::TextColored(theme::kMuted, "%s", text);
}

void text_right(const std::string& text) {
    const float w = ImGui::CalcTextSize(text.c_str()).x;
    const float avail = ImGui::GetContentRegionAvail().x;
    if (avail > w) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + avail - w);
    ImGui::TextUnformatted(text.c_str());
}

bool filter_typing(const TableView& table) {
    return platform::now_ms() - table.filter_typed_ms < kFilterPauseMs;
}

void after_local_edit(AppState& app) {
    sync_request(app);
    platform::persist();
    ++app.data_version;
}

Route record_route(const std::string& type, const std::string& id) {
    return Route{Screen::Record, type, id};
}

}  // namespace crm
