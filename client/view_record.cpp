// A record's page: every field edited in place (errors beside the field, in the domain's
// words), the records it relates to as links, and its timeline, where a note, call, meeting or
// task is logged in two clicks.
#include <algorithm>

#include "imgui.h"
#include "sync_client.h"
#include "test_hooks.h"
#include "text.h"
#include "theme.h"
#include "view_widgets.h"
#include "views.h"

namespace crm {

using nlohmann::json;

namespace {

constexpr int64_t kRelatedLimit = 50;
constexpr size_t kTimelineShown = 200;

RelatedList related_by(LocalStore& store, const std::string& heading, const std::string& type, const std::string& field,
                       const std::string& id, const char* note_field = nullptr) {
    RelatedList list{heading, type, {}, 0};
    Query q;
    q.filter.conditions.push_back({field, Op::Eq, id});
    q.limit = kRelatedLimit;
    auto page = store.list(type, q);
    if (!page) return list;
    list.total = page->total;
    for (const auto& r : page->rows) {
        RelatedItem item{type, r["id"].get<std::string>(), record_title(type, r), ""};
        if (note_field && r.contains(note_field)) {
            const json& v = r[note_field];
            if (v.is_string()) item.note = humanize(v.get<std::string>());
        }
        list.items.push_back(std::move(item));
    }
    return list;
}

// Contacts of a deal, or deals of a contact, through deal_contact records (with the role).
RelatedList related_through_deal_contacts(LocalStore& store, const std::string& heading, const std::string& own_field,
                                          const std::string& other_field, const std::string& other_type,
                                          const std::string& id) {
    RelatedList list{heading, other_type, {}, 0};
    Query q;
    q.filter.conditions.push_back({own_field, Op::Eq, id});
    q.limit = kRelatedLimit;
    auto links = store.list("deal_contact", q);
    if (!links) return list;
    list.total = links->total;
    for (const auto& l : links->rows) {
        const std::string other = l.value(other_field, "");
        auto r = store.get(other_type, other);
        if (!r || (*r)["deleted"] == true) continue;
        list.items.push_back({other_type, other, record_title(other_type, *r), humanize(l.value("role", ""))});
    }
    return list;
}

// A reference field of the record as a one-item list ("Company": Analytical Engines).
void add_parent(std::vector<RelatedList>& out, LocalStore& store, const json& record, const std::string& field,
                const std::string& type, const std::string& heading) {
    json v = field_value(record, field);
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) return;
    auto r = store.get(type, v.get<std::string>());
    if (!r) return;
    out.push_back({heading, type, {{type, v.get<std::string>(), record_title(type, *r), ""}}, 1});
}

void load_page(AppState& app, RecordPage& p) {
    p.loaded_version = app.data_version;
    auto record = app.store->get(p.type, p.id);
    if (!record) {
        p.record = nullptr;
        p.load_error = record.error().message;
        return;
    }
    p.record = std::move(*record);
    p.load_error.clear();
    p.custom_fields = load_custom_fields(*app.store, p.type);
    const std::vector<FieldInfo> fields = fields_of(p.type, p.custom_fields);
    // In-place edits: a field the person is typing in (or whose value was refused) keeps its text.
    for (const auto& f : fields) {
        FieldEdit& e = p.fields[f.name];
        if (!e.dirty) e.text = edit_text(f, field_value(p.record, f.name));
    }
    p.titles.clear();
    load_titles(*app.store, {p.record}, fields, p.titles);

    LocalStore& s = *app.store;
    p.related.clear();
    if (p.type == "company") {
        add_parent(p.related, s, p.record, "parent_id", "company", "Parent company");
        p.related.push_back(related_by(s, "Contacts", "contact", "company_id", p.id, "lifecycle_stage"));
        p.related.push_back(related_by(s, "Deals", "deal", "company_id", p.id, "status"));
        p.related.push_back(related_by(s, "Cases", "case", "company_id", p.id, "status"));
        p.related.push_back(related_by(s, "Subsidiaries", "company", "parent_id", p.id));
    } else if (p.type == "contact") {
        add_parent(p.related, s, p.record, "company_id", "company", "Company");
        p.related.push_back(related_through_deal_contacts(s, "Deals", "contact_id", "deal_id", "deal", p.id));
        p.related.push_back(related_by(s, "Cases", "case", "contact_id", p.id, "status"));
    } else if (p.type == "deal") {
        add_parent(p.related, s, p.record, "company_id", "company", "Company");
        p.related.push_back(related_through_deal_contacts(s, "Contacts", "deal_id", "contact_id", "contact", p.id));
    } else if (p.type == "case") {
        add_parent(p.related, s, p.record, "contact_id", "contact", "Contact");
        add_parent(p.related, s, p.record, "company_id", "company", "Company");
    }

    p.timeline.clear();
    if (auto t = app.store->timeline(p.type, p.id)) p.timeline = std::move(*t);
    // Titles of records the timeline names (a changed company, a deal's stages).
    std::vector<json> values;
    std::vector<FieldInfo> ref_fields;
    for (const auto& f : fields)
        if (f.kind == FieldKind::Ref) ref_fields.push_back(f);
    FieldInfo stage{"stage_id", "Stage", FieldKind::Ref, {}, "stage"};
    ref_fields.push_back(stage);
    for (size_t i = 0; i < p.timeline.size() && i < kTimelineShown; ++i) {
        const auto& e = p.timeline[i];
        if (e.kind != "field" && e.kind != "stage") continue;
        values.push_back({{e.field, e.old_value}});
        values.push_back({{e.field, e.new_value}});
    }
    load_titles(*app.store, values, ref_fields, p.titles);
}

void save_field(AppState& app, RecordPage& p, const FieldInfo& f, FieldEdit& edit) {
    edit.error.clear();
    const json before = field_value(p.record, f.name);
    auto value = parse_edit(f, edit.text, before);
    if (!value) {
        edit.error = value.error().message;
        return;
    }
    if (*value == before || (value->is_null() && before.is_string() && before.get_ref<const std::string&>().empty())) {
        edit.dirty = false;
        edit.text = edit_text(f, before);
        return;
    }
    // A deal's stage moves through the domain's move, which records the move and sets won/lost.
    Status s = p.type == "deal" && f.name == "stage_id" && value->is_string()
                   ? app.store->move_deal(p.id, value->get<std::string>(), sync_now(app))
                   : app.store->update(p.type, p.id, json{{f.name, *value}}, sync_now(app));
    if (!s) {
        const Error& e = s.error();
        edit.error = e.field.empty() || e.field == f.name ? e.message : e.to_string();
        return;
    }
    edit.dirty = false;
    after_local_edit(app);
    p.notice = f.label + " saved";
    p.notice_until_ms = sync_now(app) + 2500;
}

void draw_fields(AppState& app, RecordPage& p, const std::vector<FieldInfo>& fields) {
    section_heading("DETAILS");
    ImGui::Spacing();
    float label_w = 0;
    for (const auto& f : fields) label_w = std::max(label_w, ImGui::CalcTextSize(f.label.c_str()).x);
    label_w += 20;
    // Room is left beside each field for its error (two short lines).
    const float editor_w = std::clamp(ImGui::GetContentRegionAvail().x - label_w - 230, 220.0f, 320.0f);
    const bool deleted = p.record.value("deleted", false);
    for (const auto& f : fields) {
        ImGui::PushID(f.name.c_str());
        ImGui::AlignTextToFramePadding();
        ImGui::TextColored(theme::kMuted, "%s", f.label.c_str());
        ImGui::SameLine(label_w);
        if (f.read_only || deleted) {
            ImGui::AlignTextToFramePadding();
            ImGui::SetCursorPosX(ImGui::GetCursorPosX() +
                                 ImGui::GetStyle().FramePadding.x);  // in line with the fields' text
            const std::string text = format_value(f, p.record, p.titles);
            ImGui::TextUnformatted(text.empty() ? "-" : text.c_str());
            test_hooks::track("Field " + f.name);
        } else {
            FieldEdit& edit = p.fields[f.name];
            const EditorResult r = field_editor(app, f, edit, "Field " + f.name, editor_w, true, &p.titles);
            if (r.commit) save_field(app, p, f, edit);
            if (r.cancel) edit = FieldEdit{edit_text(f, field_value(p.record, f.name))};  // the stored value
        }
        ImGui::PopID();
    }
}

// Adds the contact or deal picked in `e` to this deal or contact.
void link_deal_contact(AppState& app, RecordPage& p, FieldEdit& e) {
    const bool deal_page = p.type == "deal";
    json values = {{"deal_id", deal_page ? p.id : e.text}, {"contact_id", deal_page ? e.text : p.id}};
    e.error.clear();
    // Once is enough: the same person is not added to the same deal twice.
    Query q;
    q.filter.conditions = {{"deal_id", Op::Eq, values["deal_id"]}, {"contact_id", Op::Eq, values["contact_id"]}};
    q.limit = 1;
    if (auto existing = app.store->list("deal_contact", q); existing && existing->total > 0) {
        e.error = deal_page ? "is already on this deal" : "already has this contact";
        e.text.clear();
        return;
    }
    auto id = app.store->create("deal_contact", values, sync_now(app));
    if (!id) {
        e.error = id.error().message;
        return;
    }
    e.text.clear();
    after_local_edit(app);
    p.notice = deal_page ? "Contact added" : "Added to the deal";
    p.notice_until_ms = sync_now(app) + 2500;
}

void draw_related(AppState& app, RecordPage& p) {
    if (p.related.empty()) return;
    section_heading("RELATED");
    const float heading_w = 130;
    for (const auto& list : p.related) {
        ImGui::PushID(list.heading.c_str());
        ImGui::TextColored(theme::kMuted, "%s", list.heading.c_str());
        ImGui::SameLine(heading_w);
        if (list.items.empty()) {
            ImGui::TextColored(theme::kMuted, "none yet");
        }
        // One per line, under each other, beside the heading.
        for (size_t i = 0; i < list.items.size(); ++i) {
            const auto& item = list.items[i];
            if (i > 0) ImGui::SetCursorPosX(heading_w);
            ImGui::PushID(item.id.c_str());
            if (link(item.title, "Related " + item.title)) navigate(app, record_route(item.type, item.id));
            if (!item.note.empty()) {
                ImGui::SameLine();
                ImGui::TextColored(theme::kMuted, "%s", item.note.c_str());
            }
            ImGui::PopID();
        }
        if (list.total > static_cast<int64_t>(list.items.size())) {
            ImGui::SetCursorPosX(heading_w);
            ImGui::TextColored(theme::kMuted, "and %lld more",
                               static_cast<long long>(list.total) - static_cast<long long>(list.items.size()));
        }
        // A deal's contacts and a contact's deals are linked here, through a deal_contact record.
        const bool links = (p.type == "deal" && list.type == "contact") || (p.type == "contact" && list.type == "deal");
        if (links && !p.record.value("deleted", false)) {
            ImGui::SetCursorPosX(heading_w);
            FieldInfo pick{"link", "", FieldKind::Ref, {}, list.type};
            pick.required = true;  // no "(none)" entry
            FieldEdit& e = p.fields["+link " + list.type];
            if (field_editor(app, pick, e, "Add " + list.type, 240, true).commit && !e.text.empty())
                link_deal_contact(app, p, e);
        }
        ImGui::PopID();
    }
    ImGui::Spacing();
    ImGui::Separator();
    ImGui::Spacing();
}

const char* draft_hint(const std::string& kind) {
    if (kind == "note") return "Write a note, then press Enter";
    if (kind == "call") return "What was the call about? Press Enter to log it";
    if (kind == "meeting") return "Meeting subject, then Enter";
    return "What needs doing? Press Enter to add the task";
}

void save_draft(AppState& app, RecordPage& p) {
    ActivityDraft& d = p.draft;
    d.error.clear();
    const std::string text(trim(d.text));
    if (text.empty()) {
        d.error = "Type what happened first";
        d.focus = true;
        return;
    }
    const int64_t now = sync_now(app);
    json values = {{"kind", d.kind}, {p.type + "_id", p.id}};
    if (d.kind == "note") {
        values["body"] = text;
    } else {
        values["subject"] = text.size() > 300 ? text.substr(0, 300) : text;
        if (d.kind == "call") values["direction"] = d.direction;
        if (d.kind == "meeting") values["starts_at"] = now;
        if (d.kind == "task") values["priority"] = "normal";
    }
    // A deal's or case's activity also shows on its company's timeline.
    if (p.type != "company") {
        json company = field_value(p.record, "company_id");
        if (company.is_string() && !company.get_ref<const std::string&>().empty()) values["company_id"] = company;
    }
    auto id = app.store->create("activity", values, now);
    if (!id) {
        d.error = id.error().to_string();
        return;
    }
    after_local_edit(app);
    p.notice = humanize(d.kind) + " logged";
    p.notice_until_ms = now + 2500;
    d = ActivityDraft{};
}

std::string describe_value(const FieldInfo* f, const json& v, const std::map<std::string, std::string>& titles) {
    if (v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty())) return "(empty)";
    if (!f) return v.is_string() ? v.get<std::string>() : v.dump();
    std::string s = format_value(*f, json{{f->name, v}}, titles);
    if (f->name.rfind("custom.", 0) == 0) s = format_value(*f, json{{"custom", {{f->name.substr(7), v}}}}, titles);
    return s.empty() ? "(empty)" : "\"" + s + "\"";
}

void draw_timeline(AppState& app, RecordPage& p, const std::vector<FieldInfo>& fields) {
    section_heading("TIMELINE");
    ImGui::Spacing();
    // Two clicks: a kind, then Enter.
    const bool can_log = p.type == "contact" || p.type == "company" || p.type == "deal" || p.type == "case";
    if (can_log && !p.record.value("deleted", false)) {
        for (const char* kind : {"note", "call", "meeting", "task"}) {
            const std::string label = "+ " + humanize(kind);
            ImGui::PushID(kind);
            const bool selected = p.draft.kind == kind;
            if (selected) ImGui::PushStyleColor(ImGuiCol_Button, theme::kSidebarSelected);
            if (quiet_button(label.c_str(), "Log " + std::string(kind))) {
                if (p.draft.kind != kind) p.draft = ActivityDraft{kind};
                p.draft.focus = true;
                app.redraw_frames = std::max(app.redraw_frames, 3);
            }
            if (selected) ImGui::PopStyleColor();
            ImGui::PopID();
            ImGui::SameLine();
        }
        ImGui::NewLine();
        if (!p.draft.kind.empty()) {
            ActivityDraft& d = p.draft;
            const float buttons = ImGui::CalcTextSize("Save").x + ImGui::CalcTextSize("Cancel").x +
                                  4 * ImGui::GetStyle().FramePadding.x + 2 * ImGui::GetStyle().ItemSpacing.x;
            float text_w = ImGui::GetContentRegionAvail().x - buttons;
            if (d.kind == "call") {
                push_quiet_combo();
                ImGui::SetNextItemWidth(120);
                if (ImGui::BeginCombo("##direction", d.direction == "inbound" ? "Inbound" : "Outbound")) {
                    if (ImGui::Selectable("Outbound", d.direction == "outbound")) d.direction = "outbound";
                    if (ImGui::Selectable("Inbound", d.direction == "inbound")) d.direction = "inbound";
                    ImGui::EndCombo();
                }
                test_hooks::track("Call direction");
                pop_quiet_combo();
                ImGui::SameLine();
                text_w -= 120 + ImGui::GetStyle().ItemSpacing.x;
            }
            if (d.focus) {
                ImGui::SetKeyboardFocusHere();
                d.focus = false;
            }
            ImGui::SetNextItemWidth(std::max(160.0f, text_w));
            bool enter = input_text("##activity", d.text, ImGuiInputTextFlags_EnterReturnsTrue, draft_hint(d.kind));
            test_hooks::track("Activity text");
            ImGui::SameLine();
            enter |= primary_button("Save", "Activity save");
            ImGui::SameLine();
            if (quiet_button("Cancel", "Activity cancel"))
                d = ActivityDraft{};
            else if (enter)
                save_draft(app, p);
            if (!p.draft.error.empty()) {
                ImGui::TextColored(theme::kError, "%s", p.draft.error.c_str());
                test_hooks::track("Activity error");
            }
        }
        ImGui::Spacing();
    }
    ImGui::Separator();

    ImGui::BeginChild("##entries", ImVec2(0, 0), false);
    const float time_w = ImGui::CalcTextSize("2025-06-15 14:03").x + 16;
    const float kind_w = ImGui::CalcTextSize("Meeting").x + 16;
    size_t shown = 0;
    for (const auto& e : p.timeline) {
        if (shown == kTimelineShown) break;
        ImGui::PushID(static_cast<int>(shown));
        ImGui::Spacing();
        ImGui::TextColored(theme::kMuted, "%s", format_time(e.at).c_str());
        ImGui::SameLine(time_w);
        std::string kind, text, detail;
        if (e.kind == "created") {
            kind = "Created";
            text = std::string(singular_label(p.type)) + " created";
        } else if (e.kind == "field") {
            kind = "Change";
            const FieldInfo* f = nullptr;
            for (const auto& x : fields)
                if (x.name == e.field) f = &x;
            text = (f ? f->label : humanize(e.field)) + " changed from " + describe_value(f, e.old_value, p.titles) +
                   " to " + describe_value(f, e.new_value, p.titles);
        } else if (e.kind == "deleted" || e.kind == "restored") {
            kind = e.kind == "deleted" ? "Deleted" : "Restored";
            text = std::string(singular_label(p.type)) + (e.kind == "deleted" ? " deleted" : " restored");
        } else if (e.kind == "stage") {
            kind = "Stage";
            FieldInfo stage{"stage_id", "Stage", FieldKind::Ref, {}, "stage"};
            text = e.old_value.is_string() && !e.old_value.get_ref<const std::string&>().empty()
                       ? "Moved from " + describe_value(&stage, e.old_value, p.titles) + " to " +
                             describe_value(&stage, e.new_value, p.titles)
                       : "Entered stage " + describe_value(&stage, e.new_value, p.titles);
        } else {
            const json& a = e.activity;
            kind = humanize(a.value("kind", "activity"));
            text = a.value("subject", "");
            detail = a.value("body", "");
            if (text.empty()) std::swap(text, detail);
            if (a.value("kind", "") == "call" && !a.value("direction", "").empty())
                kind += " " + std::string(a.value("direction", "") == "inbound" ? "in" : "out");
            if (a.value("kind", "") == "task") text = (a.value("done", false) ? "[done] " : "[to do] ") + text;
        }
        if (e.unsent) text += " (you)";
        else if (!e.author.empty()) text += " (" + e.author + ")";
        ImGui::TextColored(e.kind == "activity" ? theme::kAccent : theme::kMuted, "%s", kind.c_str());
        ImGui::SameLine(time_w + kind_w);
        ImGui::PushTextWrapPos(ImGui::GetContentRegionMax().x - 8);
        ImGui::TextWrapped("%s", text.c_str());
        test_hooks::track("Timeline " + std::to_string(shown));
        if (!detail.empty()) {
            ImGui::SetCursorPosX(time_w + kind_w);
            ImGui::PushStyleColor(ImGuiCol_Text, theme::kMuted);
            ImGui::TextWrapped("%s", detail.c_str());
            ImGui::PopStyleColor();
        }
        ImGui::PopTextWrapPos();
        ImGui::PopID();
        ++shown;
    }
    if (p.timeline.size() > kTimelineShown)
        ImGui::TextColored(theme::kMuted, "%s", (count_text(static_cast<int64_t>(p.timeline.size() - kTimelineShown), "older entry is", "older entries are") + " not shown").c_str());
    ImGui::EndChild();
}

}  // namespace

void draw_record_view(AppState& app) {
    RecordPage& p = app.record;
    const Route& r = app.route;
    // A new record, or the same one again after another screen: the page starts from what is
    // stored (a value refused before leaving is not shown as if it were the record's).
    if (p.type != r.record_type || p.id != r.record_id || p.drawn_frame + 1 < app.frame) {
        p = RecordPage{};
        p.type = r.record_type;
        p.id = r.record_id;
        app.picker = RefPicker{};
    }
    p.drawn_frame = app.frame;
    if (p.loaded_version != app.data_version) load_page(app, p);

    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(theme::kPagePadding, 16));
    ImGui::BeginChild("##record_screen", ImVec2(0, 0), false,
                      ImGuiWindowFlags_AlwaysUseWindowPadding | ImGuiWindowFlags_NoScrollbar);
    ImGui::PopStyleVar();
    const std::string back = std::string("< All ") + lowercase(plural_label(p.type));
    if (link(back, "Back to list")) {
        Route list;
        for (auto [screen, type] : {std::pair{Screen::Contacts, "contact"},
                                    {Screen::Companies, "company"},
                                    {Screen::Deals, "deal"},
                                    {Screen::Cases, "case"}})
            if (p.type == type) list.screen = screen;
        navigate(app, list);
    }
    if (p.record.is_null()) {
        ImGui::Spacing();
        ImGui::TextColored(theme::kError, "This %s cannot be shown: %s", lowercase(singular_label(p.type)).c_str(),
                           p.load_error.c_str());
        ImGui::TextColored(theme::kMuted,
                           "It may not have arrived on this device yet. Go back to the list to pick another one.");
        ImGui::EndChild();
        return;
    }
    const std::string title = record_title(p.type, p.record);
    ImGui::Spacing();
    title_text(title);
    test_hooks::track("Record title");
    ImGui::SameLine();
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 3);
    ImGui::TextColored(theme::kMuted, "%s", singular_label(p.type));
    if (!p.notice.empty() && sync_now(app) < p.notice_until_ms) {
        ImGui::SameLine();
        ImGui::TextColored(theme::kOk, "%s", p.notice.c_str());
        app.redraw_frames = std::max(app.redraw_frames, 1);
    }
    const bool deleted = p.record.value("deleted", false);
    {
        const char* action = deleted ? "Restore" : "Delete";
        const float w = ImGui::CalcTextSize(action).x + ImGui::GetStyle().FramePadding.x * 2;
        ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - w);
        if (quiet_button(action, std::string(action) + " record")) {
            Status s = deleted ? app.store->restore(p.type, p.id, sync_now(app))
                               : app.store->remove(p.type, p.id, sync_now(app));
            if (s) after_local_edit(app);
        }
    }
    if (deleted)
        ImGui::TextColored(theme::kWarn, "This %s is deleted. Restore it to edit it.",
                           lowercase(singular_label(p.type)).c_str());
    ImGui::Spacing();
    ImGui::Separator();

    const std::vector<FieldInfo> fields = fields_of(p.type, p.custom_fields);
    const float avail = ImGui::GetContentRegionAvail().x;
    const float left_w = std::floor(std::clamp(avail * 0.52f, 460.0f, 680.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 12));
    ImGui::BeginChild("##record_fields", ImVec2(left_w, 0), false, ImGuiWindowFlags_AlwaysUseWindowPadding);
    test_hooks::track_window("Record fields");
    draw_fields(app, p, fields);
    ImGui::Dummy(ImVec2(0, 12));
    ImGui::EndChild();
    ImGui::SameLine(0, 28);
    ImGui::BeginChild("##record_side", ImVec2(0, 0), false, ImGuiWindowFlags_AlwaysUseWindowPadding);
    ImGui::PopStyleVar();
    draw_related(app, p);
    draw_timeline(app, p, fields);
    ImGui::EndChild();
    ImGui::EndChild();
}

}  // namespace crm
