// Settings: the theme, pipelines and their stages, custom fields, tags, the sync server and the
// account. Every change goes through the domain (LocalStore and shared/workspace_settings.h), so
// it is validated, synced like any edit, and a refusal shows the domain's words beside its field.
#include <algorithm>

#include "auth.h"
#include "imgui.h"
#include "platform.h"
#include "sync_client.h"
#include "test_hooks.h"
#include "text.h"
#include "theme.h"
#include "view_widgets.h"
#include "views.h"
#include "workspace_settings.h"

namespace crm {

using nlohmann::json;

namespace {

constexpr const char* kFieldTypes[] = {"contact", "company", "deal", "lead", "activity", "case"};
constexpr const char* kFieldKinds[] = {"text", "number", "money", "date", "yes_no", "choice", "multi_choice", "link"};

// How a custom field's kind reads ("yes_no" is a yes/no question, not "Yes no").
std::string field_kind_label(const std::string& kind) {
    if (kind == "yes_no") return "Yes/No";
    if (kind == "multi_choice") return "Multiple choice";
    return humanize(kind);
}
constexpr const char* kLinkTypes[] = {"contact", "company", "deal", "lead", "case"};
constexpr const char* kOutcomes[] = {"open", "won", "lost"};

std::string str(const json& r, const char* field) {
    return r.contains(field) && r[field].is_string() ? r[field].get<std::string>() : "";
}

std::vector<json> live_records(LocalStore& store, const std::string& type, std::vector<Condition> where = {}) {
    Query q;
    q.filter.conditions = std::move(where);
    q.sort = {{"position", false}, {type == "field_def" ? "label" : "name", false}};
    q.limit = 1000;
    auto page = store.list(type, q);
    return page ? page->rows : std::vector<json>{};
}

void load(AppState& app, SettingsState& s) {
    if (s.loaded_version == app.data_version) return;
    s.loaded_version = app.data_version;
    LocalStore& store = *app.store;
    s.pipelines = live_records(store, "pipeline");
    if (std::none_of(s.pipelines.begin(), s.pipelines.end(), [&](const json& p) { return str(p, "id") == s.pipeline_id; }))
        s.pipeline_id = s.pipelines.empty() ? "" : str(s.pipelines.front(), "id");
    s.stages = s.pipeline_id.empty() ? std::vector<json>{}
                                     : live_records(store, "stage", {{"pipeline_id", Op::Eq, s.pipeline_id}});
    s.deals_in.clear();
    for (const auto& p : s.pipelines)
        if (auto n = deals_in_pipeline(store.db(), str(p, "id"))) s.deals_in[str(p, "id")] = *n;
    for (const auto& st : s.stages)
        if (auto n = deals_in_stage(store.db(), str(st, "id"))) s.deals_in[str(st, "id")] = *n;
    s.field_defs = live_records(store, "field_def", {{"record_type", Op::Eq, s.field_type}});
    // Text typed and not yet saved stays; the rest shows what the database holds now.
    auto shown = [&](const std::string& key, const std::string& value) {
        FieldEdit& e = s.edits[key];
        if (!e.dirty) e.text = value;
    };
    for (const auto& p : s.pipelines) shown("pipeline/" + str(p, "id") + "/name", str(p, "name"));
    for (const auto& st : s.stages) {
        shown("stage/" + str(st, "id") + "/name", str(st, "name"));
        shown("stage/" + str(st, "id") + "/probability",
              st["probability"].is_number() ? std::to_string(st["probability"].get<int64_t>()) : "");
    }
}

void notice(AppState& app, const std::string& text) {
    app.settings.notice = text;
    app.settings.notice_until_ms = platform::now_ms() + 2500;
}

// After a write: the edit's error, or the saved state with the typed text cleared.
bool done(AppState& app, FieldEdit& edit, const Status& s, const std::string& saved) {
    if (!s) {
        edit.error = s.error().message;
        return false;
    }
    edit.error.clear();
    edit.dirty = false;
    // What was refused before may hold no more (a deal moved, a name freed): errors beside
    // fields not being typed into are cleared by any save.
    for (auto& [key, other] : app.settings.edits)
        if (!other.dirty) other.error.clear();
    after_local_edit(app);
    notice(app, saved);
    return true;
}

// A one-line text field saved with Enter (or when it loses the keyboard after typing).
bool text_field(const char* id, FieldEdit& edit, float width, const std::string& track, const char* hint = nullptr) {
    ImGui::SetNextItemWidth(width);
    if (input_text(id, edit.text, 0, hint)) edit.dirty = true;
    test_hooks::track(track);
    return edit.dirty && ImGui::IsItemDeactivated();  // Enter, Tab or a click elsewhere after typing
}

void error_beside(const FieldEdit& edit, const std::string& track) {
    if (edit.error.empty()) return;
    ImGui::SameLine();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + 420);
    ImGui::TextColored(theme::kError, "%s", edit.error.c_str());
    ImGui::PopTextWrapPos();
    test_hooks::track(track + " error");
}

bool combo(const char* id, const std::string& current, const std::vector<std::pair<std::string, std::string>>& options,
           float width, std::string& out, const std::string& track) {
    bool changed = false;
    std::string shown = current;
    for (const auto& [v, label] : options)
        if (v == current) shown = label;
    push_quiet_combo();
    ImGui::SetNextItemWidth(width);
    if (ImGui::BeginCombo(id, shown.c_str())) {
        test_hooks::track(track);
        for (const auto& [v, label] : options) {
            if (ImGui::Selectable(label.c_str(), v == current) && v != current) {
                out = v;
                changed = true;
            }
            test_hooks::track("Option " + label);
        }
        ImGui::EndCombo();
    } else {
        test_hooks::track(track);
    }
    pop_quiet_combo();
    return changed;
}

void heading(const char* text) {
    ImGui::Dummy(ImVec2(0, 10));
    ImGui::SetWindowFontScale(1.12f);
    ImGui::TextUnformatted(text);
    ImGui::SetWindowFontScale(1.0f);
    ImGui::Separator();
    ImGui::Spacing();
}

// ---- sections ------------------------------------------------------------------------------------

void draw_appearance(AppState&) {
    heading("Appearance");
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Theme");
    ImGui::SameLine(140);
    const bool dark = theme::is_dark();
    auto segment = [&](const char* label, bool selected, bool value) {
        if (selected ? primary_button(label, std::string("Theme ") + lowercase(label))
                     : quiet_button(label, std::string("Theme ") + lowercase(label)))
            if (theme::is_dark() != value) theme::set_dark(value);
    };
    segment("Light", !dark, false);
    ImGui::SameLine(0, 4);
    segment("Dark", dark, true);
    ImGui::SameLine();
    ImGui::TextColored(theme::kMuted, "Kept on this device. The first visit follows the system's setting.");
}

void draw_pipelines(AppState& app, SettingsState& s) {
    LocalStore& store = *app.store;
    heading("Pipelines and stages");
    // The pipeline whose stages are shown, its name, and deleting it.
    std::vector<std::pair<std::string, std::string>> options;
    for (const auto& p : s.pipelines) options.push_back({str(p, "id"), str(p, "name")});
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Pipeline");
    ImGui::SameLine(140);
    std::string picked;
    if (combo("##pipeline", s.pipeline_id, options, 220, picked, "Pipeline")) {
        s.pipeline_id = picked;
        s.loaded_version = 0;
    }
    if (!s.pipeline_id.empty()) {
        ImGui::SameLine();
        FieldEdit& name = s.edits["pipeline/" + s.pipeline_id + "/name"];
        if (text_field("##pipeline-name", name, 220, "Pipeline name", "pipeline name"))
            done(app, name, store.update("pipeline", s.pipeline_id, {{"name", name.text}}, sync_now(app)), "Pipeline renamed");
        ImGui::SameLine();
        FieldEdit& row = s.edits["pipeline/" + s.pipeline_id];
        if (quiet_button("Delete pipeline", "Delete pipeline"))
            done(app, row, remove_pipeline(store, s.pipeline_id, sync_now(app)), "Pipeline deleted");
        error_beside(name.error.empty() ? row : name, "Pipeline");
    }
    ImGui::SetCursorPosX(140);  // under the field beside its label (SameLine(140))
    FieldEdit& add_pipeline = s.edits["new_pipeline"];
    ImGui::SetNextItemWidth(220);
    input_text("##new-pipeline", add_pipeline.text, 0, "new pipeline's name");
    test_hooks::track("New pipeline");
    const bool add_enter = ImGui::IsItemDeactivated() && ImGui::IsKeyPressed(ImGuiKey_Enter);
    ImGui::SameLine();
    if (quiet_button("Add pipeline", "Add pipeline") || add_enter) {
        const int64_t position = static_cast<int64_t>(s.pipelines.size());
        auto id = store.create("pipeline", {{"name", add_pipeline.text}, {"position", position}}, sync_now(app));
        Status st = id ? ok() : Status(id.error());
        // A pipeline needs an open stage for its first deals.
        if (id) {
            auto stage = add_stage(store, *id, "New", sync_now(app));
            if (!stage) st = stage.error();
        }
        if (done(app, add_pipeline, st, "Pipeline added")) {
            add_pipeline.text.clear();
            s.pipeline_id = *id;
        }
    }
    error_beside(add_pipeline, "New pipeline");

    ImGui::Spacing();
    const ImGuiTableFlags flags = ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                  ImGuiTableFlags_PadOuterX;
    std::string move_id, delete_id;
    int move_delta = 0;
    if (ImGui::BeginTable("##stages", 6, flags)) {
        ImGui::TableSetupColumn("Stage", ImGuiTableColumnFlags_WidthFixed, 240);
        ImGui::TableSetupColumn("Win %", ImGuiTableColumnFlags_WidthFixed, 80);
        ImGui::TableSetupColumn("Outcome", ImGuiTableColumnFlags_WidthFixed, 110);
        ImGui::TableSetupColumn("Deals", ImGuiTableColumnFlags_WidthFixed, 60);
        ImGui::TableSetupColumn("Order", ImGuiTableColumnFlags_WidthFixed, 150);
        ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch);
        ImGui::TableHeadersRow();
        for (size_t i = 0; i < s.stages.size(); ++i) {
            const json& st = s.stages[i];
            const std::string id = str(st, "id"), n = std::to_string(i);
            ImGui::PushID(id.c_str());
            ImGui::TableNextRow();
            FieldEdit& row = s.edits["stage/" + id];
            FieldEdit& name = s.edits["stage/" + id + "/name"];
            FieldEdit& prob = s.edits["stage/" + id + "/probability"];
            ImGui::TableNextColumn();
            if (text_field("##name", name, -1, "Stage " + n + " name"))
                done(app, name, store.update("stage", id, {{"name", name.text}}, sync_now(app)), "Stage renamed");
            ImGui::TableNextColumn();
            if (text_field("##probability", prob, -1, "Stage " + n + " probability")) {
                const std::string t(trim(prob.text));
                json v = json();
                bool number = true;
                if (!t.empty()) {
                    number = t.find_first_not_of("-0123456789") == std::string::npos && t.size() < 10;
                    if (number) v = std::stoll(t);
                }
                if (!number)
                    prob.error = "probability must be a whole number from 0 to 100, got '" + t.substr(0, 20) + "'";
                else
                    done(app, prob, store.update("stage", id, {{"probability", v}}, sync_now(app)), "Probability saved");
            }
            ImGui::TableNextColumn();
            std::vector<std::pair<std::string, std::string>> outcomes;
            for (const char* o : kOutcomes) outcomes.push_back({o, humanize(o)});
            std::string outcome;
            if (combo("##outcome", str(st, "outcome"), outcomes, -1, outcome, "Stage " + n + " outcome"))
                done(app, row, store.update("stage", id, {{"outcome", outcome}}, sync_now(app)), "Outcome saved");
            ImGui::TableNextColumn();
            ImGui::AlignTextToFramePadding();
            const int64_t deals = s.deals_in.count(id) ? s.deals_in[id] : 0;
            ImGui::TextColored(deals ? theme::kText : theme::kMuted, "%lld", static_cast<long long>(deals));
            ImGui::TableNextColumn();
            ImGui::BeginDisabled(i == 0);
            if (quiet_button("Up", "Stage " + n + " up")) move_id = id, move_delta = -1;
            ImGui::EndDisabled();
            ImGui::SameLine(0, 4);
            ImGui::BeginDisabled(i + 1 == s.stages.size());
            if (quiet_button("Down", "Stage " + n + " down")) move_id = id, move_delta = 1;
            ImGui::EndDisabled();
            ImGui::SameLine(0, 4);
            if (quiet_button("Delete", "Stage " + n + " delete")) delete_id = id;
            ImGui::TableNextColumn();
            const FieldEdit& shown = !name.error.empty() ? name : !prob.error.empty() ? prob : row;
            if (!shown.error.empty()) {
                ImGui::AlignTextToFramePadding();
                ImGui::PushTextWrapPos(0);
                ImGui::TextColored(theme::kError, "%s", shown.error.c_str());
                ImGui::PopTextWrapPos();
                test_hooks::track("Stage " + n + " error");
            }
            ImGui::PopID();
        }
        ImGui::EndTable();
    }
    if (!move_id.empty()) {
        FieldEdit& row = s.edits["stage/" + move_id];
        done(app, row, move_stage(store, move_id, move_delta, sync_now(app)), "Stage moved");
    }
    if (!delete_id.empty()) {
        FieldEdit& row = s.edits["stage/" + delete_id];
        done(app, row, remove_stage(store, delete_id, sync_now(app)), "Stage deleted");
    }
    if (!s.pipeline_id.empty()) {
        FieldEdit& add = s.edits["new_stage"];
        ImGui::SetNextItemWidth(240);
        input_text("##new-stage", add.text, 0, "new stage's name");
        test_hooks::track("New stage");
        const bool enter = ImGui::IsItemDeactivated() && ImGui::IsKeyPressed(ImGuiKey_Enter);
        ImGui::SameLine();
        if (quiet_button("Add stage", "Add stage") || enter) {
            auto id = add_stage(store, s.pipeline_id, add.text, sync_now(app));
            if (done(app, add, id ? ok() : Status(id.error()), "Stage added")) add.text.clear();
        }
        error_beside(add, "New stage");
        ImGui::TextColored(theme::kMuted,
                           "New stages go before the won and lost ones. A stage with deals in it cannot be deleted.");
    }
}

void draw_custom_fields(AppState& app, SettingsState& s) {
    LocalStore& store = *app.store;
    heading("Custom fields");
    std::vector<std::pair<std::string, std::string>> types;
    for (const char* t : kFieldTypes) types.push_back({t, plural_label(t)});
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Record type");
    ImGui::SameLine(140);
    std::string picked;
    if (combo("##field-type", s.field_type, types, 220, picked, "Field type")) {
        s.field_type = picked;
        s.loaded_version = 0;
        s.editing_field.clear();
    }
    ImGui::Spacing();
    std::string remove_id;
    const ImGuiTableFlags flags = ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                  ImGuiTableFlags_PadOuterX;
    if (!s.field_defs.empty() && ImGui::BeginTable("##fields", 6, flags)) {
        ImGui::TableSetupColumn("Label", ImGuiTableColumnFlags_WidthFixed, 240);
        ImGui::TableSetupColumn("Key", ImGuiTableColumnFlags_WidthFixed, 150);
        ImGui::TableSetupColumn("Kind", ImGuiTableColumnFlags_WidthFixed, 110);
        ImGui::TableSetupColumn("Choices", ImGuiTableColumnFlags_WidthFixed, 240);
        ImGui::TableSetupColumn("Required", ImGuiTableColumnFlags_WidthFixed, 70);
        ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch);
        ImGui::TableHeadersRow();
        for (const auto& f : s.field_defs) {
            const std::string id = str(f, "id"), key = str(f, "key");
            ImGui::PushID(id.c_str());
            ImGui::TableNextRow();
            FieldEdit& label = s.edits["field/" + id + "/label"];
            FieldEdit& choices = s.edits["field/" + id + "/choices"];
            if (!label.dirty) label.text = str(f, "label");
            std::string list;
            if (f["choices"].is_array())
                for (const auto& c : f["choices"]) list += (list.empty() ? "" : ", ") + c.get<std::string>();
            if (!choices.dirty) choices.text = list;
            ImGui::TableNextColumn();
            if (text_field("##label", label, -1, "Field " + key + " label"))
                done(app, label, store.update("field_def", id, {{"label", label.text}}, sync_now(app)), "Field renamed");
            ImGui::TableNextColumn();
            ImGui::AlignTextToFramePadding();
            ImGui::TextColored(theme::kMuted, "%s", key.c_str());
            ImGui::TableNextColumn();
            ImGui::AlignTextToFramePadding();
            std::string kind = field_kind_label(str(f, "kind"));
            if (str(f, "kind") == "link") kind += " to " + str(f, "link_type");
            ImGui::TextUnformatted(kind.c_str());
            ImGui::TableNextColumn();
            const bool has_choices = str(f, "kind") == "choice" || str(f, "kind") == "multi_choice";
            if (has_choices) {
                if (text_field("##choices", choices, -1, "Field " + key + " choices", "comma separated")) {
                    json values = json::array();
                    size_t start = 0;
                    while (start <= choices.text.size()) {
                        size_t comma = choices.text.find(',', start);
                        if (comma == std::string::npos) comma = choices.text.size();
                        std::string part(trim(std::string_view(choices.text).substr(start, comma - start)));
                        if (!part.empty()) values.push_back(part);
                        start = comma + 1;
                    }
                    done(app, choices, store.update("field_def", id, {{"choices", values}}, sync_now(app)), "Choices saved");
                }
            }
            ImGui::TableNextColumn();
            bool required = f.value("required", false);
            FieldEdit& row = s.edits["field/" + id];
            if (ImGui::Checkbox("##required", &required))
                done(app, row, store.update("field_def", id, {{"required", required}}, sync_now(app)), "Saved");
            test_hooks::track("Field " + key + " required");
            ImGui::TableNextColumn();
            if (quiet_button("Remove", "Field " + key + " remove")) remove_id = id;
            const FieldEdit& shown = !label.error.empty() ? label : !choices.error.empty() ? choices : row;
            if (!shown.error.empty()) {
                ImGui::SameLine();
                ImGui::TextColored(theme::kError, "%s", shown.error.c_str());
                test_hooks::track("Field " + key + " error");
            }
            ImGui::PopID();
        }
        ImGui::EndTable();
    } else if (s.field_defs.empty()) {
        ImGui::TextColored(theme::kMuted, "%s have no custom fields yet.", plural_label(s.field_type));
    }
    if (!remove_id.empty())
        done(app, s.edits["field/" + remove_id], store.remove("field_def", remove_id, sync_now(app)),
             "Field removed; values already entered are kept");

    // The new field form: label (the key follows it unless typed), kind, choices or link type.
    ImGui::Spacing();
    ImGui::TextColored(theme::kMuted, "Add a field to %s", lowercase(plural_label(s.field_type)).c_str());
    FieldEdit& label = s.edits["new_field/label"];
    FieldEdit& key = s.edits["new_field/key"];
    FieldEdit& choices = s.edits["new_field/choices"];
    FieldEdit& form = s.edits["new_field"];
    ImGui::SetNextItemWidth(240);
    if (input_text("##new-field-label", label.text, 0, "label, e.g. Contract tier") && !key.dirty)
        key.text = custom_key_from_label(label.text);
    test_hooks::track("New field label");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(150);
    if (input_text("##new-field-key", key.text, 0, "key")) key.dirty = true;
    test_hooks::track("New field key");
    ImGui::SameLine();
    std::vector<std::pair<std::string, std::string>> kinds;
    for (const char* k : kFieldKinds) kinds.push_back({k, field_kind_label(k)});
    std::string kind;
    if (combo("##new-field-kind", s.field_kind, kinds, 120, kind, "New field kind")) s.field_kind = kind;
    if (s.field_kind == "choice" || s.field_kind == "multi_choice") {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(240);
        input_text("##new-field-choices", choices.text, 0, "choices, comma separated");
        test_hooks::track("New field choices");
    } else if (s.field_kind == "link") {
        ImGui::SameLine();
        std::vector<std::pair<std::string, std::string>> links;
        for (const char* t : kLinkTypes) links.push_back({t, singular_label(t)});
        std::string link;
        if (combo("##new-field-link", s.field_link_type, links, 120, link, "New field link")) s.field_link_type = link;
    }
    ImGui::SameLine();
    ImGui::Checkbox("Required", &s.field_required);
    test_hooks::track("New field required");
    ImGui::SameLine();
    if (primary_button("Add field", "Add field")) {
        label.error.clear();
        key.error.clear();
        choices.error.clear();
        form.error.clear();
        json values = {{"record_type", s.field_type},
                       {"label", std::string(trim(label.text))},
                       {"key", std::string(trim(key.text))},
                       {"kind", s.field_kind},
                       {"required", s.field_required},
                       {"position", static_cast<int64_t>(s.field_defs.size())}};
        if (s.field_kind == "choice" || s.field_kind == "multi_choice") {
            json list = json::array();
            size_t start = 0;
            while (start <= choices.text.size()) {
                size_t comma = choices.text.find(',', start);
                if (comma == std::string::npos) comma = choices.text.size();
                std::string part(trim(std::string_view(choices.text).substr(start, comma - start)));
                if (!part.empty()) list.push_back(part);
                start = comma + 1;
            }
            values["choices"] = list;
        }
        if (s.field_kind == "link") values["link_type"] = s.field_link_type;
        // Every problem at once, each beside its field; then the write, which checks again.
        auto place = [&](const Error& e) {
            FieldEdit& at = e.field == "label" ? label : e.field == "key" ? key : e.field == "choices" ? choices : form;
            if (at.error.empty()) at.error = e.message;
        };
        const auto problems = check_record(store.db(), *find_record_spec("field_def"), std::string(32, '0'), values, json());
        for (const auto& e : problems) place(e);
        auto id = problems.empty() ? store.create("field_def", values, sync_now(app)) : Result<std::string>(problems.front());
        if (!id) {
            if (problems.empty()) place(id.error());
        } else {
            after_local_edit(app);
            notice(app, "Field added: it shows on every " + lowercase(singular_label(s.field_type)) + " page");
            label = key = choices = form = FieldEdit{};
            s.field_required = false;
        }
    }
    const std::pair<FieldEdit*, const char*> errors[] = {
        {&label, "New field label"}, {&key, "New field key"}, {&choices, "New field choices"}, {&form, "New field"}};
    for (const auto& [edit, track] : errors)
        if (!edit->error.empty()) {
            ImGui::TextColored(theme::kError, "%s", edit->error.c_str());
            test_hooks::track(std::string(track) + " error");
        }
}

void draw_tags(AppState& app, SettingsState& s) {
    heading("Tags");
    if (s.tags_version != app.data_version) {
        s.tags_version = app.data_version;
        s.tags.clear();
        if (auto t = tags_in_use(app.store->db(), 100))
            for (const auto& u : *t) s.tags.push_back({u.tag, u.records});
    }
    if (s.tags.empty()) {
        ImGui::TextColored(theme::kMuted, "No record has a tag yet. Add tags on a record's page.");
        return;
    }
    ImGui::TextColored(theme::kMuted, "Rename a tag on every record; renaming it to another tag's name merges the two.");
    const ImGuiTableFlags flags = ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                  ImGuiTableFlags_PadOuterX;
    if (ImGui::BeginTable("##tags", 4, flags)) {
        ImGui::TableSetupColumn("Tag", ImGuiTableColumnFlags_WidthFixed, 240);
        ImGui::TableSetupColumn("Records", ImGuiTableColumnFlags_WidthFixed, 70);
        ImGui::TableSetupColumn("Rename to", ImGuiTableColumnFlags_WidthFixed, 320);
        ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch);
        ImGui::TableHeadersRow();
        for (const auto& [tag, n] : s.tags) {
            ImGui::PushID(tag.c_str());
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::AlignTextToFramePadding();
            ImGui::TextUnformatted(tag.c_str());
            ImGui::TableNextColumn();
            ImGui::AlignTextToFramePadding();
            ImGui::Text("%lld", static_cast<long long>(n));
            ImGui::TableNextColumn();
            FieldEdit& to = s.edits["tag/" + tag];
            ImGui::SetNextItemWidth(220);
            input_text("##to", to.text, 0, "new name");
            test_hooks::track("Tag " + tag + " rename");
            const bool enter = ImGui::IsItemDeactivated() && ImGui::IsKeyPressed(ImGuiKey_Enter);
            ImGui::SameLine();
            const std::string from = tag;  // the list is read again after the edit
            if ((quiet_button("Rename", "Tag " + tag + " apply") || enter) && !trim(to.text).empty()) {
                auto r = rename_tag(*app.store, from, to.text, sync_now(app));
                if (done(app, to, r ? ok() : Status(r.error()), "Tag renamed on " + count_text(r ? *r : 0, "record", "records"))) {
                    to.text.clear();
                    ImGui::PopID();
                    break;
                }
            }
            ImGui::TableNextColumn();
            if (!to.error.empty()) {
                ImGui::AlignTextToFramePadding();
                ImGui::TextColored(theme::kError, "%s", to.error.c_str());
                test_hooks::track("Tag " + tag + " error");
            }
            ImGui::PopID();
        }
        ImGui::EndTable();
    }
}

void draw_server(AppState& app, SettingsState& s) {
    heading("Sync server");
    FieldEdit& edit = s.edits["server"];
    if (!s.server_loaded) {
        s.server_loaded = true;
        edit.text = platform::load_setting(platform::kServerSetting);
    }
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Address");
    ImGui::SameLine(140);
    ImGui::SetNextItemWidth(320);
    if (input_text("##server", edit.text, 0, "this page's server (default)")) edit.dirty = true;
    test_hooks::track("Server address");
    const bool enter = ImGui::IsItemDeactivated() && ImGui::IsKeyPressed(ImGuiKey_Enter);
    ImGui::SameLine();
    if (quiet_button("Save", "Save server") || enter) {
        auto address = normalize_server_address(edit.text);
        if (!address) {
            edit.error = address.error().message;
        } else {
            edit.error.clear();
            edit.dirty = false;
            edit.text = *address;
            platform::save_setting(platform::kServerSetting, *address);
            sync_request(app);
            notice(app, address->empty() ? "Syncing with this page's server" : "Syncing with " + *address);
        }
    }
    error_beside(edit, "Server address");
    ImGui::SetCursorPosX(140);  // under the field beside its label (SameLine(140))
    ImGui::TextColored(theme::kMuted, "Leave empty to sync with the server this page came from. Another server must "
                                      "allow this page's origin (CORS).");
}

void draw_account(AppState& app) {
    AuthState& a = app.auth;
    heading("Account");
    ImGui::TextColored(theme::kMuted, "Signed in as");
    ImGui::SameLine(140);
    ImGui::TextUnformatted(a.account_email.c_str());
    test_hooks::track("Account email");
    ImGui::TextColored(theme::kMuted, "Workspace");
    ImGui::SameLine(140);
    ImGui::TextUnformatted(a.workspace_name.c_str());
    ImGui::Spacing();
    if (a.invite_code.empty()) {
        ImGui::BeginDisabled(a.invite_busy);
        if (quiet_button(a.invite_busy ? "Creating an invite..." : "Invite a colleague", "Settings invite"))
            auth_create_invite(app);
        ImGui::EndDisabled();
    } else {
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted("Invite code (valid for 7 days, once):");
        ImGui::SameLine();
        ImGui::SetNextItemWidth(ImGui::CalcTextSize(a.invite_code.c_str()).x + 24);
        ImGui::InputText("##settings-invite", a.invite_code.data(), a.invite_code.size() + 1, ImGuiInputTextFlags_ReadOnly);
        test_hooks::track("Settings invite code");
        ImGui::SameLine();
        if (quiet_button("Copy", "Copy invite code")) {
            platform::set_clipboard_text(a.invite_code);
            notice(app, "Invite code copied");
        }
    }
    if (!a.invite_error.empty()) {
        ImGui::SameLine();
        ImGui::TextColored(theme::kError, "%s", a.invite_error.c_str());
    }
    ImGui::SameLine();
    if (quiet_button("Sign out", "Settings sign out")) auth_sign_out(app);
}

void draw_shortcuts() {
    heading("Keyboard shortcuts");
    const std::string mod = platform::is_mac() ? "Cmd" : "Ctrl";
    const std::pair<std::string, const char*> keys[] = {
        {mod + "+K", "Search records and run commands"},
        {"N", "New record on a table screen"},
        {"/", "Filter the table by name"},
        {"G then 1-9", "Go to a screen of the sidebar, in its order"},
        {"Enter", "Save a field; open the chosen result"},
        {"Esc", "Leave a field; close the palette or the new-record form"},
        {mod + "+C, " + mod + "+X, " + mod + "+V", "Copy, cut and paste text with the system clipboard"},
    };
    for (const auto& [k, what] : keys) {
        ImGui::TextUnformatted(k.c_str());
        ImGui::SameLine(180);
        ImGui::TextColored(theme::kMuted, "%s", what);
    }
}

}  // namespace

void draw_settings(AppState& app) {
    SettingsState& s = app.settings;
    load(app, s);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(theme::kPagePadding, 16));
    ImGui::BeginChild("##settings", ImVec2(0, 0), false, ImGuiWindowFlags_AlwaysUseWindowPadding);
    ImGui::PopStyleVar();
    title_text("Settings");
    if (!s.notice.empty() && platform::now_ms() < s.notice_until_ms) {
        ImGui::SameLine();
        ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 3);
        ImGui::TextColored(theme::kOk, "%s", s.notice.c_str());
        test_hooks::track("Settings notice");
        app.redraw_frames = std::max(app.redraw_frames, 1);
    }
    test_hooks::track_window("Settings");
    draw_appearance(app);
    draw_pipelines(app, s);
    draw_custom_fields(app, s);
    draw_tags(app, s);
    draw_server(app, s);
    draw_account(app);
    draw_shortcuts();
    ImGui::Dummy(ImVec2(0, 24));
    ImGui::EndChild();
}

json settings_state(const AppState& app) {
    const SettingsState& s = app.settings;
    json stages = json::array(), fields = json::array(), tags = json::array(), errors = json::object();
    for (const auto& st : s.stages)
        stages.push_back({{"name", str(st, "name")},
                          {"probability", st.value("probability", json())},
                          {"outcome", str(st, "outcome")},
                          {"position", st.value("position", json())}});
    for (const auto& f : s.field_defs)
        fields.push_back({{"key", str(f, "key")}, {"label", str(f, "label")}, {"kind", str(f, "kind")},
                          {"kindText", field_kind_label(str(f, "kind"))}});
    for (const auto& [t, n] : s.tags) tags.push_back({{"tag", t}, {"records", n}});
    for (const auto& [k, e] : s.edits)
        if (!e.error.empty()) errors[k] = e.error;
    std::string pipeline;
    for (const auto& p : s.pipelines)
        if (str(p, "id") == s.pipeline_id) pipeline = str(p, "name");
    return {{"pipeline", pipeline}, {"pipelines", s.pipelines.size()}, {"stages", stages}, {"fieldType", s.field_type},
            {"fields", fields},     {"tags", tags},                     {"errors", errors},
            {"server", platform::load_setting(platform::kServerSetting)}};
}

}  // namespace crm
