// The rules that span fields and records: validation before a write, the defaults a new
// record gets, deal stage moves, lead conversion, case SLA targets, and the pipeline every
// workspace starts with.
#include <algorithm>

#include "business_hours.h"
#include "field_syntax.h"
#include "ids.h"
#include "local_store.h"
#include "record_io.h"
#include "schema.h"
#include "text.h"

namespace crm {

using nlohmann::json;

namespace {

// Whether a live (not deleted) record of `type` with `id` exists.
Result<bool> exists(Db& db, const std::string& type, const std::string& id) {
    const RecordSpec* spec = find_record_spec(type);
    if (!spec) return false;
    auto st = db.cached("SELECT 1 FROM " + spec->table + " WHERE id = ?1 AND deleted = 0");
    if (!st) return st.error();
    (*st)->bind(1, id);
    auto row = (*st)->step();
    (*st)->reset();
    return row;
}

Result<std::string> text_column(Db& db, const std::string& sql, const std::string& arg) {
    auto st = db.cached(sql);
    if (!st) return st.error();
    (*st)->bind(1, arg);
    auto row = (*st)->step();
    if (!row) return row.error();
    std::string out = *row ? (*st)->text(0) : std::string();
    (*st)->reset();
    return out;
}

struct CustomDef {
    std::string kind, link_type;
    bool required = false;
    json choices;
};

Result<std::vector<std::pair<std::string, CustomDef>>> custom_defs(Db& db, const std::string& type) {
    auto cached = db.cached("SELECT key, kind, required, choices, link_type FROM field_defs WHERE record_type = ?1 AND deleted = 0");
    if (!cached) return cached.error();
    Stmt& st = **cached;
    st.bind(1, type);
    std::vector<std::pair<std::string, CustomDef>> out;
    for (;;) {
        auto row = st.step();
        if (!row) return row.error();
        if (!*row) break;
        json choices = json::parse(st.text(3), nullptr, false);
        out.push_back({st.text(0), {st.text(1), st.text(4), st.integer(2) != 0, choices.is_array() ? choices : json::array()}});
    }
    st.reset();
    return out;
}

Status check_custom_value(Db& db, const std::string& field, const CustomDef& def, const json& v) {
    if (v.is_null()) return def.required ? Status(Error{field, "is required"}) : ok();
    auto in_choices = [&](const json& x) { return std::find(def.choices.begin(), def.choices.end(), x) != def.choices.end(); };
    if (def.kind == "text") {
        if (!v.is_string()) return Error{field, "must be text"};
        if (auto s = validate_text_length(v.get_ref<const std::string&>(), kDefaultMaxTextChars); !s) return Error{field, s.error().message};
        if (def.required && trim(v.get_ref<const std::string&>()).empty()) return Error{field, "is required"};
    } else if (def.kind == "number") {
        if (!v.is_number()) return Error{field, "must be a number, got " + utf8_prefix(v.dump(), 40)};
    } else if (def.kind == "money") {
        if (!v.is_number() || v.get<double>() < 0) return Error{field, "must be an amount of 0 or more, got " + utf8_prefix(v.dump(), 40)};
    } else if (def.kind == "date") {
        if (!v.is_string()) return Error{field, "must be a date like 2025-03-31"};
        if (auto d = parse_date(v.get_ref<const std::string&>()); !d) return Error{field, d.error().message};
    } else if (def.kind == "yes_no") {
        if (!v.is_boolean()) return Error{field, "must be yes or no (true or false)"};
    } else if (def.kind == "choice") {
        if (!v.is_string() || !in_choices(v)) return Error{field, utf8_prefix(v.dump(), 40) + " is not one of its choices " + def.choices.dump()};
    } else if (def.kind == "multi_choice") {
        if (!v.is_array()) return Error{field, "must be a list of its choices"};
        for (const auto& x : v)
            if (!in_choices(x)) return Error{field, utf8_prefix(x.dump(), 40) + " is not one of its choices " + def.choices.dump()};
    } else if (def.kind == "link") {
        if (!v.is_string()) return Error{field, "must be the id of a " + def.link_type};
        auto found = exists(db, def.link_type, v.get<std::string>());
        if (!found) return found.error();
        if (!*found) return Error{field, "no " + def.link_type + " with id '" + utf8_prefix(v.get<std::string>(), 40) + "'"};
    }
    return ok();
}

// The first open stage of a pipeline, by position.
Result<std::string> first_stage(Db& db, const std::string& pipeline_id) {
    return text_column(db, "SELECT id FROM stages WHERE pipeline_id = ?1 AND deleted = 0 AND outcome = 'open' ORDER BY position, name LIMIT 1",
                       pipeline_id);
}

Result<std::string> first_pipeline(Db& db) {
    auto st = db.prepare("SELECT id FROM pipelines WHERE deleted = 0 ORDER BY position, name LIMIT 1");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return Error{"pipeline_id", "the workspace has no pipeline; create one in Settings first"};
    return st->text(0);
}

// SLA due times from the case's priority and opening time, in business hours.
Status set_case_targets(json& values, const std::string& priority, int64_t opened_at) {
    BusinessHours hours = default_business_hours();
    SlaPolicy policy = sla_policy_for_priority(priority);
    auto first = add_business_minutes(hours, opened_at, policy.first_response_minutes);
    if (!first) return first.error();
    auto resolve = add_business_minutes(hours, opened_at, policy.resolution_minutes);
    if (!resolve) return resolve.error();
    values["first_response_due_at"] = *first;
    values["resolution_due_at"] = *resolve;
    return ok();
}

}  // namespace

std::vector<Error> check_record(Db& db, const RecordSpec& spec, const std::string& id, const json& values,
                                const json& existing) {
    std::vector<Error> errors;
    auto add = [&](Error e) {
        for (const auto& x : errors)
            if (x.field == e.field) return;  // one problem per field is enough to act on
        errors.push_back(std::move(e));
    };
    const bool creating = existing.is_null();
    auto defs = custom_defs(db, spec.type);
    if (!defs) return {defs.error()};

    for (auto it = values.begin(); it != values.end(); ++it) {
        const std::string& k = it.key();
        if (is_custom_field(k)) {
            auto def = std::find_if(defs->begin(), defs->end(), [&](const auto& d) { return "custom." + d.first == k; });
            if (def == defs->end()) {
                add({k, "is not a custom field of " + spec.table + "; define it in Settings first"});
                continue;
            }
            if (auto s = check_custom_value(db, k, def->second, it.value()); !s) add(s.error());
            continue;
        }
        const FieldSpec* f = find_field(spec, k);
        if (!f) {
            add({k, "is not a field of " + spec.type});
            continue;
        }
        if (auto s = validate_field_value(*f, it.value()); !s) {
            add(s.error());
            continue;
        }
        if (f->kind == FieldKind::Ref && it->is_string() && !it->get_ref<const std::string&>().empty()) {
            auto found = exists(db, f->ref_type, it->get<std::string>());
            if (!found) add(found.error());
            else if (!*found) add({k, "no " + f->ref_type + " with id '" + utf8_prefix(it->get<std::string>(), 40) + "'"});
        }
    }

    json merged = creating ? json::object() : existing;
    for (auto it = values.begin(); it != values.end(); ++it) merged[it.key()] = it.value();
    auto value_of = [&](const std::string& k) { return merged.contains(k) ? merged[k] : json(); };
    if (creating) {
        for (const auto& f : spec.fields)
            if (f.required && is_blank(value_of(f.name))) add({f.name, "is required"});
        for (const auto& [key, def] : *defs)
            if (def.required && is_blank(value_of("custom." + key))) add({"custom." + key, "is required"});
    }

    if (spec.type == "company") {
        std::string parent = value_of("parent_id").is_string() ? value_of("parent_id").get<std::string>() : "";
        for (int depth = 0; !parent.empty() && depth < 1000; ++depth) {
            if (parent == id) {
                add({"parent_id", "would make a loop: this company is already above the chosen parent"});
                break;
            }
            auto next = text_column(db, "SELECT parent_id FROM companies WHERE id = ?1", parent);
            if (!next) {
                add(next.error());
                break;
            }
            parent = *next;
        }
    } else if (spec.type == "deal") {
        std::string stage = value_of("stage_id").is_string() ? value_of("stage_id").get<std::string>() : "";
        std::string pipeline = value_of("pipeline_id").is_string() ? value_of("pipeline_id").get<std::string>() : "";
        if (!stage.empty() && !pipeline.empty()) {
            auto owner = text_column(db, "SELECT pipeline_id FROM stages WHERE id = ?1", stage);
            if (!owner) add(owner.error());
            else if (!owner->empty() && *owner != pipeline) add({"stage_id", "this stage belongs to another pipeline than the deal's"});
        }
        if (value_of("amount").is_number() && is_blank(value_of("currency")))
            add({"currency", "is required when an amount is given (an ISO 4217 code such as USD)"});
    } else if (spec.type == "activity") {
        json s = value_of("starts_at"), e = value_of("ends_at");
        if (s.is_number() && e.is_number() && e.get<int64_t>() < s.get<int64_t>()) add({"ends_at", "is before starts_at"});
    } else if (spec.type == "field_def") {
        std::string key = value_of("key").is_string() ? value_of("key").get<std::string>() : "";
        if (!key.empty() && !is_custom_field("custom." + key))
            add({"key", "'" + utf8_prefix(key, 40) + "' must start with a lowercase letter and hold only a-z, 0-9 and _ (at most 40)"});
        std::string kind = value_of("kind").is_string() ? value_of("kind").get<std::string>() : "";
        if ((kind == "choice" || kind == "multi_choice") && is_blank(value_of("choices")))
            add({"choices", "a choice field needs at least one choice"});
        if (kind == "link" && is_blank(value_of("link_type"))) add({"link_type", "a link field needs the record type it links to"});
        if (creating && !key.empty()) {
            auto st = db.prepare("SELECT 1 FROM field_defs WHERE record_type = ?1 AND key = ?2 AND deleted = 0");
            if (st) {
                st->bind(1, value_of("record_type").is_string() ? value_of("record_type").get<std::string>() : "").bind(2, key);
                if (auto row = st->step(); row && *row) add({"key", "'" + key + "' is already a custom field of this record type"});
            }
        }
    }
    return errors;
}

// Fills in what a new record gets when the caller leaves it out.
Status apply_create_defaults(Db& db, const RecordSpec& spec, json& values, int64_t now) {
    auto missing = [&](const char* k) { return !values.contains(k) || is_blank(values[k]); };
    if (spec.type == "deal") {
        if (missing("pipeline_id")) {
            auto p = first_pipeline(db);
            if (!p) return p.error();
            values["pipeline_id"] = *p;
        }
        if (missing("stage_id") && values["pipeline_id"].is_string()) {
            auto s = first_stage(db, values["pipeline_id"].get<std::string>());
            if (!s) return s.error();
            if (s->empty()) return Error{"stage_id", "the deal's pipeline has no open stage"};
            values["stage_id"] = *s;
        }
        if (missing("status")) values["status"] = "open";
    } else if (spec.type == "case") {
        if (missing("status")) values["status"] = "new";
        if (missing("priority")) values["priority"] = "normal";
        if (missing("opened_at")) values["opened_at"] = now;
        if (values["priority"].is_string() && values["opened_at"].is_number_integer())
            if (auto s = set_case_targets(values, values["priority"].get<std::string>(), values["opened_at"].get<int64_t>()); !s)
                return s;
    } else if (spec.type == "lead") {
        if (missing("status")) values["status"] = "new";
    } else if (spec.type == "stage") {
        if (missing("outcome")) values["outcome"] = "open";
    }
    return ok();
}

// What an update implies: a case whose priority changes gets new SLA targets.
Status apply_update_rules(const RecordSpec& spec, const json& existing, json& values) {
    if (spec.type == "case" && values.contains("priority") && values["priority"].is_string() &&
        existing["opened_at"].is_number_integer())
        return set_case_targets(values, values["priority"].get<std::string>(), existing["opened_at"].get<int64_t>());
    return ok();
}

Result<std::string> LocalStore::default_pipeline_id() { return first_pipeline(db_); }

Result<SlaStatus> LocalStore::case_sla(const std::string& case_id, int64_t now_ms) {
    auto c = get("case", case_id);
    if (!c) return c.error();
    if (!(*c)["opened_at"].is_number_integer()) return Error{"opened_at", "the case has no opening time"};
    auto at = [&](const char* k) { return (*c)[k].is_number_integer() ? std::optional<int64_t>((*c)[k].get<int64_t>()) : std::nullopt; };
    const std::string priority = (*c)["priority"].is_string() ? (*c)["priority"].get<std::string>() : "normal";
    return sla_status(default_business_hours(), sla_policy_for_priority(priority), (*c)["opened_at"].get<int64_t>(),
                      at("first_response_at"), at("resolved_at"), now_ms);
}

Status LocalStore::move_deal(const std::string& deal_id, const std::string& stage_id, int64_t now_ms, std::string reason) {
    auto deal = get("deal", deal_id);
    if (!deal) return deal.error();
    auto stage = get("stage", stage_id);
    if (!stage) return Error{"stage_id", stage.error().message};
    if ((*stage)["deleted"] == true) return Error{"stage_id", "this stage has been deleted"};
    if ((*stage)["pipeline_id"] != (*deal)["pipeline_id"]) return Error{"stage_id", "this stage belongs to another pipeline than the deal's"};
    if ((*deal)["stage_id"] == stage_id) return ok();
    const std::string outcome = (*stage)["outcome"].is_string() ? (*stage)["outcome"].get<std::string>() : "open";
    json values = {{"stage_id", stage_id}, {"status", outcome}};
    if (outcome == "open") {
        values["closed_at"] = nullptr;
    } else {
        values["closed_at"] = now_ms;
        if (!reason.empty()) values["close_reason"] = reason;
    }
    Edit edit(*this, now_ms);
    if (auto s = edit.update("deal", deal_id, values); !s) return s;
    auto move = edit.create("stage_change", {{"deal_id", deal_id}, {"from_stage_id", (*deal)["stage_id"]},
                                             {"to_stage_id", stage_id}, {"changed_at", now_ms}});
    if (!move) return move.error();
    return edit.commit();
}

Result<LeadConversionResult> LocalStore::convert_lead(const std::string& lead_id, const LeadConversion& opt, int64_t now_ms) {
    auto lead = get("lead", lead_id);
    if (!lead) return lead.error();
    if ((*lead)["deleted"] == true) return Error{"", "this lead is deleted; restore it first"};
    if ((*lead)["status"] == "converted") return Error{"status", "this lead was converted already"};
    auto str = [&](const char* k) { return (*lead)[k].is_string() ? (*lead)[k].get<std::string>() : std::string(); };

    Edit edit(*this, now_ms);
    if (!edit.begun()) return edit.begun().error();
    LeadConversionResult out;
    if (!opt.company_id.empty()) {
        auto found = exists(db_, "company", opt.company_id);
        if (!found) return found.error();
        if (!*found) return Error{"company_id", "no company with id '" + utf8_prefix(opt.company_id, 40) + "'"};
        out.company_id = opt.company_id;
    } else if (opt.create_company) {
        if (trim(str("company_name")).empty())
            return Error{"company_name", "the lead has no company name: give it one, or pick an existing company"};
        auto company = edit.create("company", {{"name", str("company_name")}, {"owner", str("owner")}});
        if (!company) return company.error();
        out.company_id = *company;
    }
    auto contact = edit.create("contact", {{"name", str("name")}, {"email", str("email")}, {"phone", str("phone")},
                                           {"job_title", str("job_title")}, {"lead_source", str("lead_source")},
                                           {"company_id", out.company_id}, {"owner", str("owner")},
                                           {"tags", (*lead)["tags"].is_array() ? (*lead)["tags"] : json::array()},
                                           {"lifecycle_stage", opt.create_deal ? "opportunity" : "sales_qualified_lead"}});
    if (!contact) return contact.error();
    out.contact_id = *contact;
    if (opt.create_deal) {
        json deal = {{"name", opt.deal_name.empty() ? (str("company_name").empty() ? str("name") : str("company_name")) + " deal" : opt.deal_name},
                     {"company_id", out.company_id}, {"owner", str("owner")}};
        if (!opt.pipeline_id.empty()) deal["pipeline_id"] = opt.pipeline_id;
        if (opt.amount) {
            deal["amount"] = *opt.amount;
            deal["currency"] = opt.currency;
        }
        auto d = edit.create("deal", deal);
        if (!d) return d.error();
        out.deal_id = *d;
        auto link = edit.create("deal_contact", {{"deal_id", out.deal_id}, {"contact_id", out.contact_id}, {"role", "decision_maker"}});
        if (!link) return link.error();
    }
    // The lead's activities follow the new records; they keep their lead_id, so the lead's own
    // timeline still shows them.
    Query q;
    q.filter.conditions.push_back({"lead_id", Op::Eq, lead_id});
    q.limit = kMaxPageSize;
    for (int64_t offset = 0;; offset += kMaxPageSize) {
        q.offset = offset;
        auto acts = list("activity", q);
        if (!acts) return acts.error();
        for (const auto& a : acts->rows) {
            json link = {{"contact_id", out.contact_id}};
            if (!out.company_id.empty()) link["company_id"] = out.company_id;
            if (!out.deal_id.empty()) link["deal_id"] = out.deal_id;
            if (auto s = edit.update("activity", a["id"].get<std::string>(), link); !s) return s.error();
        }
        if (static_cast<int64_t>(acts->rows.size()) < kMaxPageSize) break;
    }
    if (auto s = edit.update("lead", lead_id, {{"status", "converted"}, {"converted_contact_id", out.contact_id},
                                               {"converted_company_id", out.company_id}, {"converted_deal_id", out.deal_id},
                                               {"converted_at", now_ms}});
        !s)
        return s.error();
    if (auto s = edit.commit(); !s) return s.error();
    return out;
}

std::vector<Change> seed_changes() {
    // Every replica seeds the same records with the same ids and the oldest possible clock, so
    // the seeds merge into one and any later edit (a rename, a delete) wins over them.
    const std::string system_replica(32, '0'), stamp = Hlc{0, 0}.encode();
    const std::string pipeline = "00000000000000000000000000000001";
    std::vector<Change> changes = {
        {"pipeline", pipeline, "name", "Sales", stamp, system_replica},
        {"pipeline", pipeline, "position", 0, stamp, system_replica},
    };
    struct Seed {
        const char* id;
        const char* name;
        int probability;
        const char* outcome;
    };
    const Seed stages[] = {
        {"00000000000000000000000000000101", "Qualification", 10, "open"},
        {"00000000000000000000000000000102", "Needs analysis", 25, "open"},
        {"00000000000000000000000000000103", "Proposal", 50, "open"},
        {"00000000000000000000000000000104", "Negotiation", 75, "open"},
        {"00000000000000000000000000000105", "Closed won", 100, "won"},
        {"00000000000000000000000000000106", "Closed lost", 0, "lost"},
    };
    int position = 0;
    for (const auto& s : stages) {
        for (auto& [field, value] : std::vector<std::pair<std::string, json>>{
                 {"pipeline_id", pipeline}, {"name", s.name}, {"position", position++}, {"probability", s.probability},
                 {"outcome", s.outcome}})
            changes.push_back({"stage", s.id, field, value, stamp, system_replica});
    }
    return changes;
}

Status seed_defaults(Db& db) {
    auto r = apply_changes(db, seed_changes());
    if (!r) return r.error();
    return ok();
}

}  // namespace crm
