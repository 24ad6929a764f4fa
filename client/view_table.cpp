// The record tables (contacts, companies, deals, cases): one view driven by the record
// registry. Filters and sort go through the domain's query compiler; only the rows around what
// is on screen are read, in pages, so a 100,000-row table scrolls as smoothly as a 10-row one.
#include <algorithm>
#include <chrono>

#include "imgui.h"
#include "imgui_internal.h"  // reading back the columns' display order (no public API in 1.86)
#include "platform.h"
#include "record_io.h"
#include "sync_client.h"
#include "test_hooks.h"
#include "text.h"
#include "theme.h"
#include "view_widgets.h"
#include "views.h"

namespace crm {

using nlohmann::json;

namespace {

constexpr int64_t kWindowRows = 300;  // rows read per page around the visible ones
constexpr int64_t kWindowLead = 60;   // rows kept above the first visible one when paging down
// Tables this large get sort indexes for their visible columns while the person is idle (below
// it a whole sort takes a few ms), after this long without input.
constexpr int64_t kIdleIndexRows = 2000;
constexpr int64_t kIdleBeforeIndexMs = 1500;
constexpr size_t kMaxColumns = 64;    // ImGui's limit per table

const std::vector<std::string>& default_columns(const std::string& type) {
    static const std::map<std::string, std::vector<std::string>> columns = {
        {"contact", {"name", "email", "phone", "company_id", "job_title", "lifecycle_stage", "created_at"}},
        {"company", {"name", "domain", "industry", "size", "annual_revenue", "currency", "created_at"}},
        {"deal", {"name", "amount", "currency", "stage_id", "close_date", "company_id", "status"}},
        {"case", {"subject", "status", "priority", "contact_id", "company_id", "opened_at", "resolution_due_at"}},
    };
    static const std::vector<std::string> none;
    auto it = columns.find(type);
    return it != columns.end() ? it->second : none;
}

// Default column widths by kind, in CSS pixels; stretch weights follow them.
float column_width(const FieldInfo& f, const std::string& title_field) {
    if (f.name == title_field) return 210;
    switch (f.kind) {
        case FieldKind::Boolean:
            return 90;
        case FieldKind::Integer:
        case FieldKind::Real:
            return 120;
        case FieldKind::Date:
            return 110;
        case FieldKind::Timestamp:
            return 140;
        case FieldKind::Choice:
            return 140;
        case FieldKind::Ref:
            return 170;
        default:
            return f.name == "email" ? 220 : 150;
    }
}

bool is_numeric(const FieldInfo& f) {
    return f.kind == FieldKind::Integer || f.kind == FieldKind::Real;
}

const FieldInfo* find_info(const std::vector<FieldInfo>& fields, const std::string& name) {
    for (const auto& f : fields)
        if (f.name == name) return &f;
    return nullptr;
}

// Operators offered for a field, with the words shown for them.
std::vector<std::pair<Op, const char*>> ops_for(const FieldInfo& f) {
    switch (f.kind) {
        case FieldKind::Text:
        case FieldKind::Json:
            return {{Op::Contains, "contains"}, {Op::Eq, "is"},
                    {Op::Ne, "is not"},         {Op::StartsWith, "starts with"},
                    {Op::IsEmpty, "is empty"},  {Op::NotEmpty, "is not empty"}};
        case FieldKind::Choice:
            return {{Op::Eq, "is"},
                    {Op::Ne, "is not"},
                    {Op::In, "is any of"},
                    {Op::IsEmpty, "is empty"},
                    {Op::NotEmpty, "is not empty"}};
        case FieldKind::Integer:
        case FieldKind::Real:
        case FieldKind::Timestamp:
        case FieldKind::Date:
            return {
                {Op::Eq, "is"},        {Op::Ne, "is not"},   {Op::Lt, "less than"},     {Op::Le, "at most"},
                {Op::Gt, "more than"}, {Op::Ge, "at least"}, {Op::IsEmpty, "is empty"}, {Op::NotEmpty, "is not empty"}};
        case FieldKind::Boolean:
            return {{Op::Eq, "is"}};
        case FieldKind::Ref:
            return {{Op::IsEmpty, "is empty"}, {Op::NotEmpty, "is not empty"}, {Op::Eq, "is (id)"}};
        case FieldKind::TextList:
            return {{Op::HasTag, "has"},
                    {Op::Contains, "contains"},
                    {Op::IsEmpty, "is empty"},
                    {Op::NotEmpty, "is not empty"}};
    }
    return {{Op::Eq, "is"}};
}

const char* op_words(const FieldInfo& f, Op op) {
    for (const auto& [o, words] : ops_for(f))
        if (o == op) return words;
    return "is";
}

bool op_needs_value(Op op) {
    return op != Op::IsEmpty && op != Op::NotEmpty;
}

// The filter bar's value text as the value the compiler expects for the field's kind. Text
// that is not a number for a number field stays text: the compiler refuses it in its words.
json filter_value(const FieldInfo& f, Op op, const std::string& text) {
    auto one = [&](const std::string& s) -> json {
        const std::string t(trim(s));
        if (f.kind == FieldKind::Boolean) return t == "true" || t == "yes";
        if (f.kind == FieldKind::Integer || f.kind == FieldKind::Real || f.kind == FieldKind::Timestamp ||
            (f.name.rfind("custom.", 0) == 0 && f.kind == FieldKind::Real)) {
            auto v = parse_edit(f, t, json());
            if (v && !v->is_null()) return *v;
            return t;
        }
        return t;
    };
    if (op == Op::In) {
        json list = json::array();
        size_t start = 0;
        while (start <= text.size()) {
            size_t comma = text.find(',', start);
            if (comma == std::string::npos) comma = text.size();
            std::string part(trim(std::string_view(text).substr(start, comma - start)));
            if (!part.empty()) list.push_back(one(part));
            start = comma + 1;
        }
        return list;
    }
    return one(text);
}

std::string value_text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_array()) {
        std::string out;
        for (const auto& e : v) out += (out.empty() ? "" : ", ") + value_text(e);
        return out;
    }
    return v.is_null() ? "" : v.dump();
}

// The query the person has asked for: complete filter rows only (a row still being set up
// filters nothing), the saved view's nested groups, and the header's sort.
Query build_query(const TableView& t, const std::vector<FieldInfo>& fields, bool as_typed = false) {
    Query q;
    q.filter.any = t.match_any;
    for (const auto& row : as_typed ? t.filters : t.applied_filters) {
        const FieldInfo* f = find_info(fields, row.field);
        if (!f) continue;
        if (op_needs_value(row.op) && trim(row.value).empty()) continue;
        q.filter.conditions.push_back(
            {row.field, row.op, op_needs_value(row.op) ? filter_value(*f, row.op, row.value) : json()});
    }
    if (t.filter_groups.is_array())
        for (const auto& g : t.filter_groups)
            if (auto parsed = filter_from_json(g)) q.filter.groups.push_back(std::move(*parsed));
    q.sort = t.sort;
    return q;
}

int64_t elapsed_us(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
}

// Counts the matching records: once per filter and data version, not per page.
Result<int64_t> count_rows(LocalStore& store, const RecordSpec& spec, const CompiledQuery& c) {
    auto st = store.db().prepare("SELECT count(*) FROM " + spec.table + " WHERE " + c.where);
    if (!st) return st.error();
    bind_params(*st, c.params);
    auto row = st->step();
    if (!row) return row.error();
    return st->integer(0);
}

// One page of the sorted result, LIMIT/OFFSET over the order the compiler gives (served by the
// list indexes for titles, times and the other indexed columns).
Status fetch_rows(LocalStore& store, const RecordSpec& spec, const CompiledQuery& c, int64_t offset, int64_t limit,
                  std::vector<json>& out) {
    const int at = static_cast<int>(c.params.size()) + 1;
    auto st = store.db().prepare("SELECT id, " + column_list(spec) + ", custom, updated_at FROM " + spec.table +
                                 " WHERE " + c.where + " ORDER BY " + c.order + " LIMIT ?" + std::to_string(at) +
                                 " OFFSET ?" + std::to_string(at + 1));
    if (!st) return st.error();
    bind_params(*st, c.params);
    st->bind(at, limit).bind(at + 1, offset);
    out.clear();
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        json j = read_record(*st, spec);
        j["updated_at"] = st->integer(static_cast<int>(spec.fields.size()) + 2);
        out.push_back(std::move(j));
    }
    return ok();
}

// Whether SQLite has to sort the result for this order, because no index gives it (a sort by two
// keys, or a filter read through another index): the table then reads the sorted row ids once
// per query and each page by id, instead of sorting everything again for every page. Orders an
// index gives (ensure_sort_index() makes one for any one-key sort) page with LIMIT/OFFSET.
bool needs_full_sort(LocalStore& store, const RecordSpec& spec, const CompiledQuery& c) {
    return plan_sorts_rows(store.db(), "SELECT id FROM " + spec.table + " WHERE " + c.where + " ORDER BY " + c.order,
                           c.params);
}

// Every matching row's rowid, in order: 8 bytes a row.
Status fetch_row_ids(LocalStore& store, const RecordSpec& spec, const std::vector<Sort>& sort, const CompiledQuery& c,
                     std::vector<int64_t>& out) {
    auto by_reference = read_sorted_by_reference(store.db(), spec, sort, c, out);
    if (!by_reference) return by_reference.error();
    if (*by_reference) return ok();
    auto st = store.db().prepare("SELECT rowid FROM " + spec.table + " WHERE " + c.where + " ORDER BY " + c.order);
    if (!st) return st.error();
    bind_params(*st, c.params);
    out.clear();
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        out.push_back(st->integer(0));
    }
    return ok();
}

// The rows with the given rowids, in that order (a row deleted meanwhile is left out).
Status fetch_rows_by_id(LocalStore& store, const RecordSpec& spec, const int64_t* ids, size_t n,
                        std::vector<json>& out) {
    out.clear();
    if (n == 0) return ok();
    std::string sql =
        "SELECT id, " + column_list(spec) + ", custom, updated_at, rowid FROM " + spec.table + " WHERE rowid IN (";
    for (size_t i = 0; i < n; ++i) sql += i ? ",?" + std::to_string(i + 1) : "?1";
    sql += ")";
    auto st = store.db().prepare(sql);
    if (!st) return st.error();
    for (size_t i = 0; i < n; ++i) st->bind(static_cast<int>(i + 1), ids[i]);
    std::map<int64_t, json> by_id;
    const int updated_col = static_cast<int>(spec.fields.size()) + 2;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        json j = read_record(*st, spec);
        j["updated_at"] = st->integer(updated_col);
        by_id.emplace(st->integer(updated_col + 1), std::move(j));
    }
    for (size_t i = 0; i < n; ++i)
        if (auto it = by_id.find(ids[i]); it != by_id.end()) out.push_back(std::move(it->second));
    return ok();
}

// Makes sure rows [first, end) are in the window, reading one page when they are not.
void ensure_window(AppState& app, TableView& t, const RecordSpec& spec, const CompiledQuery& c,
                   const std::vector<FieldInfo>& fields, int64_t first, int64_t end) {
    end = std::min(end, t.total);
    if (first >= end) return;
    const int64_t have_end = t.window_start + static_cast<int64_t>(t.rows.size());
    if (first >= t.window_start && end <= have_end) return;
    // Paging down keeps a few rows above; paging up keeps most of the page above.
    int64_t offset = first >= t.window_start ? first - kWindowLead : end + kWindowLead - kWindowRows;
    offset = std::clamp<int64_t>(offset, 0, std::max<int64_t>(0, t.total - kWindowRows));
    offset = std::min(offset, first);
    const int64_t limit = std::clamp<int64_t>(std::max(kWindowRows, end - offset), 1, kMaxPageSize);
    auto t0 = std::chrono::steady_clock::now();
    std::vector<json> rows;
    const Status s = t.by_ids ? fetch_rows_by_id(*app.store, spec, t.row_ids.data() + offset,
                                                 static_cast<size_t>(std::min<int64_t>(limit, t.total - offset)), rows)
                              : fetch_rows(*app.store, spec, c, offset, limit, rows);
    if (!s) {
        t.query_error = s.error().to_string();
        return;
    }
    t.window_start = offset;
    t.rows = std::move(rows);
    t.titles.clear();
    load_titles(*app.store, t.rows, fields, t.titles);
    t.last_query_ms = static_cast<float>(elapsed_us(t0)) / 1000.0f;
    ++t.page_queries;
}

// The columns a table starts with: what is asked for, in that order, then the rest hidden.
void rebuild_columns(TableView& t, const std::vector<FieldInfo>& fields, std::vector<std::string> visible,
                     std::vector<Sort> sort) {
    std::vector<std::string> all;
    for (const auto& f : fields) all.push_back(f.name);
    std::vector<std::string> shown;
    for (const auto& v : visible)
        if (std::find(all.begin(), all.end(), v) != all.end() &&
            std::find(shown.begin(), shown.end(), v) == shown.end())
            shown.push_back(v);
    if (shown.empty()) shown.push_back(find_record_spec(t.type)->title_field);
    std::vector<std::string> setup = shown;
    for (const auto& a : all)
        if (std::find(setup.begin(), setup.end(), a) == setup.end()) setup.push_back(a);
    if (setup.size() > kMaxColumns) setup.resize(kMaxColumns);
    std::vector<Sort> kept;
    for (const auto& s : sort)
        if (std::find(setup.begin(), setup.end(), s.field) != setup.end()) kept.push_back(s);
    t.setup_columns = std::move(setup);
    t.start_visible = shown;
    t.columns = shown;
    t.start_sort = kept;
    t.sort = kept;
    ++t.generation;
}

void load_views(AppState& app, TableView& t) {
    if (t.views_version == app.data_version) return;
    t.views_version = app.data_version;
    t.views.clear();
    Query q;
    q.filter.conditions.push_back({"record_type", Op::Eq, t.type});
    q.limit = 200;
    auto page = app.store->list("saved_view", q);
    if (!page) return;
    for (const auto& r : page->rows)
        t.views.push_back({r["id"].get<std::string>(), r.value("name", ""), r["filter"], r["columns"], r["sort"]});
    // A view deleted elsewhere is no longer applied.
    if (!t.view_id.empty() &&
        std::none_of(t.views.begin(), t.views.end(), [&](const SavedViewSummary& v) { return v.id == t.view_id; })) {
        t.view_id.clear();
        t.view_name.clear();
    }
}

void apply_view(TableView& t, const std::vector<FieldInfo>& fields, const SavedViewSummary* view) {
    t.filters.clear();
    t.filter_groups = json::array();
    t.match_any = false;
    if (!view) {
        t.view_id.clear();
        t.view_name.clear();
        rebuild_columns(t, fields, default_columns(t.type), {});
        return;
    }
    t.view_id = view->id;
    t.view_name = view->name;
    if (auto f = filter_from_json(view->filter.is_object() && !view->filter.empty() ? view->filter : json::object())) {
        t.match_any = f->any;
        for (const auto& c : f->conditions) t.filters.push_back({c.field, c.op, value_text(c.value)});
        for (const auto& g : f->groups) t.filter_groups.push_back(filter_to_json(g));
    }
    std::vector<std::string> columns;
    if (view->columns.is_array())
        for (const auto& c : view->columns)
            if (c.is_string()) columns.push_back(c.get<std::string>());
    if (columns.empty()) columns = default_columns(t.type);
    std::vector<Sort> sort;
    if (view->sort.is_array())
        for (const auto& s : view->sort)
            if (s.is_object() && s["field"].is_string())
                sort.push_back({s["field"].get<std::string>(), s.value("descending", false)});
    rebuild_columns(t, fields, columns, sort);
}

// ---- the create form ----------------------------------------------------------------------------

std::vector<FieldInfo> form_fields(const std::vector<FieldInfo>& fields) {
    std::vector<FieldInfo> out;
    for (const auto& f : fields)
        if (!f.read_only && f.kind != FieldKind::Json && f.name != "status" && f.name != "closed_at") out.push_back(f);
    // Required fields first, keeping registry order otherwise.
    std::stable_partition(out.begin(), out.end(), [](const FieldInfo& f) { return f.required; });
    return out;
}

void open_create_form(TableView& t) {
    t.create_open = true;
    t.create = RecordForm{t.type, {}, "", true};
}

void submit_create(AppState& app, TableView& t, const std::vector<FieldInfo>& fields) {
    RecordForm& form = t.create;
    form.error.clear();
    for (auto& [name, edit] : form.fields) edit.error.clear();
    json values = json::object();
    bool refused = false;
    for (const auto& f : fields) {
        auto it = form.fields.find(f.name);
        if (it == form.fields.end()) continue;
        FieldEdit& edit = it->second;
        if (trim(edit.text).empty() && f.kind != FieldKind::Boolean) continue;
        if (f.kind == FieldKind::Boolean && edit.text != "true") continue;
        auto v = parse_edit(f, edit.text, json());
        if (!v) {
            edit.error = v.error().message;
            refused = true;
            continue;
        }
        // Every field's own rules at once, so each problem shows beside its field.
        if (const FieldSpec* spec = find_field(*find_record_spec(t.type), f.name))
            if (auto s = validate_field_value(*spec, *v); !s) {
                edit.error = s.error().message;
                refused = true;
                continue;
            }
        values[f.name] = *v;
    }
    // A contact's name, when only its first and last names were typed.
    if (t.type == "contact" && !values.contains("name")) {
        std::string name = values.value("first_name", "");
        const std::string last = values.value("last_name", "");
        if (!last.empty()) name += (name.empty() ? "" : " ") + last;
        if (!name.empty()) values["name"] = name;
    }
    // Required fields left blank, in the domain's words.
    auto check = check_record(app.store->db(), *find_record_spec(t.type), std::string(32, '0'), values, json());
    for (const auto& e : check) {
        auto it = form.fields.find(e.field);
        if (it != form.fields.end() && it->second.error.empty() && e.message.find("required") != std::string::npos &&
            !(t.type == "deal" && (e.field == "pipeline_id" || e.field == "stage_id"))) {
            it->second.error = e.message;
            refused = true;
        }
    }
    if (refused) return;
    auto id = app.store->create(t.type, values, sync_now(app));
    if (!id) {
        auto it = form.fields.find(id.error().field);
        if (it != form.fields.end())
            it->second.error = id.error().message;
        else
            form.error = id.error().to_string();
        return;
    }
    after_local_edit(app);
    t.create_open = false;
    t.create = RecordForm{};
    navigate(app, record_route(t.type, *id));
}

// A new deal shows the pipeline and stage it gets unless another is picked: the first pipeline,
// and the first open stage of the chosen pipeline (again when the pipeline changes).
void fill_deal_defaults(AppState& app, RecordForm& form) {
    FieldEdit& pipeline = form.fields["pipeline_id"];
    FieldEdit& stage = form.fields["stage_id"];
    if (pipeline.text.empty())
        if (auto p = app.store->default_pipeline_id()) pipeline.text = *p;
    if (pipeline.text.empty()) return;
    if (!stage.text.empty()) {
        auto current = app.store->get("stage", stage.text);
        if (current && current->value("pipeline_id", "") == pipeline.text) return;
    }
    Query q;
    q.filter.conditions = {{"pipeline_id", Op::Eq, pipeline.text}, {"outcome", Op::Eq, "open"}};
    q.sort = {{"position", false}};
    q.limit = 1;
    auto page = app.store->list("stage", q);
    if (page && !page->rows.empty()) stage.text = page->rows[0]["id"].get<std::string>();
}

// A new case takes the company of the contact it is about, unless a company was picked.
void fill_case_company(AppState& app, RecordForm& form) {
    FieldEdit& company = form.fields["company_id"];
    const std::string& contact = form.fields["contact_id"].text;
    if (!company.text.empty() || contact.empty()) return;
    if (auto c = app.store->get("contact", contact); c && (*c)["company_id"].is_string())
        company.text = (*c)["company_id"].get<std::string>();
}

void draw_create_form(AppState& app, TableView& t, const std::vector<FieldInfo>& all_fields) {
    const std::string noun = lowercase(singular_label(t.type));
    const std::string popup = "New " + noun + "###create";
    if (t.create_open && !ImGui::IsPopupOpen(popup.c_str())) ImGui::OpenPopup(popup.c_str());
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowSize(ImVec2(std::min(720.0f, display.x - 40), std::min(640.0f, display.y - 60)),
                             ImGuiCond_Always);
    ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.5f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(24, 18));
    bool open = true;
    if (!ImGui::BeginPopupModal(
            popup.c_str(), &open,
            ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings)) {
        ImGui::PopStyleVar();
        if (t.create_open) t.create_open = ImGui::IsPopupOpen(popup.c_str());
        return;
    }
    ImGui::PopStyleVar();
    test_hooks::track_window("Create form");
    // Esc leaves a field first (ImGui reverts and lets go of it), and closes the form from there.
    const bool field_had_keyboard = ImGui::IsAnyItemActive();
    RecordForm& form = t.create;
    const std::vector<FieldInfo> fields = form_fields(all_fields);
    if (t.type == "deal") fill_deal_defaults(app, form);
    const float footer = ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y * 2;
    ImGui::BeginChild("##fields", ImVec2(0, -footer), false);
    float label_w = 0;
    for (const auto& f : fields) label_w = std::max(label_w, ImGui::CalcTextSize(f.label.c_str()).x);
    label_w += 24;
    const float field_w = std::min(340.0f, ImGui::GetContentRegionAvail().x - label_w - 120);
    bool submit = false;
    bool focus_placed = false;
    for (const auto& f : fields) {
        FieldEdit& edit = form.fields[f.name];
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(f.label.c_str());
        if (f.required) {
            ImGui::SameLine(0, 2);
            ImGui::TextColored(theme::kError, "*");
        }
        ImGui::SameLine(label_w);
        if (form.focus_first && !focus_placed && (f.kind == FieldKind::Text)) {
            ImGui::SetKeyboardFocusHere();
            focus_placed = true;
        }
        EditorResult r = field_editor(app, f, edit, "New " + f.name, field_w, false);
        submit |= r.enter;
        if (r.commit && t.type == "case" && f.name == "contact_id") fill_case_company(app, form);
    }
    form.focus_first = false;
    ImGui::EndChild();
    ImGui::Separator();
    if (!form.error.empty()) {
        ImGui::TextColored(theme::kError, "%s", form.error.c_str());
        ImGui::SameLine();
    }
    const std::string create_label = "Create " + noun;
    const float buttons_w = ImGui::CalcTextSize(create_label.c_str()).x + ImGui::CalcTextSize("Cancel").x +
                            ImGui::GetStyle().FramePadding.x * 4 + ImGui::GetStyle().ItemSpacing.x;
    ImGui::SetCursorPosX(ImGui::GetWindowContentRegionMax().x - buttons_w);
    const bool escape = !field_had_keyboard && ImGui::IsKeyPressed(ImGuiKey_Escape) &&
                        ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows);
    if (quiet_button("Cancel", "Create cancel") || !open || escape) {
        t.create_open = false;
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    submit |= primary_button(create_label.c_str(), "Create save");
    if (submit && t.create_open) {
        submit_create(app, t, fields);
        if (!t.create_open) ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
}

// ---- saved views ------------------------------------------------------------------------------

void save_view(AppState& app, TableView& t, const std::vector<FieldInfo>& fields) {
    t.save_error.clear();
    const std::string name(trim(t.save_name));
    Query q = build_query(t, fields, true);
    if (auto c = compile_query(*find_record_spec(t.type), q); !c) {
        t.save_error = "the filter is not valid: " + c.error().to_string();
        return;
    }
    json sort = json::array();
    for (const auto& s : t.sort) sort.push_back({{"field", s.field}, {"descending", s.descending}});
    json values = {{"record_type", t.type},
                   {"name", name},
                   {"filter", filter_to_json(q.filter)},
                   {"columns", t.columns},
                   {"sort", sort}};
    std::string existing;
    for (const auto& v : t.views) {
        std::string a = v.name, b = name;
        std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return std::tolower(c); });
        std::transform(b.begin(), b.end(), b.begin(), [](unsigned char c) { return std::tolower(c); });
        if (a == b) existing = v.id;
    }
    std::string id = existing;
    if (existing.empty()) {
        auto created = app.store->create("saved_view", values, sync_now(app));
        if (!created) {
            t.save_error =
                created.error().field == "name" ? "Name " + created.error().message : created.error().to_string();
            return;
        }
        id = *created;
    } else {
        values.erase("record_type");
        if (auto s = app.store->update("saved_view", existing, values, sync_now(app)); !s) {
            t.save_error = s.error().field == "name" ? "Name " + s.error().message : s.error().to_string();
            return;
        }
    }
    after_local_edit(app);
    t.view_id = id;
    t.view_name = name;
    t.save_open = false;
}

void draw_views_bar(AppState& app, TableView& t, const std::vector<FieldInfo>& fields) {
    push_quiet_combo();
    const std::string lower_all = "All " + lowercase(plural_label(t.type));
    const std::string preview = t.view_id.empty() ? lower_all : t.view_name;
    ImGui::SetNextItemWidth(220);
    if (ImGui::BeginCombo("##views", preview.c_str())) {
        test_hooks::track("Views");
        if (ImGui::Selectable(lower_all.c_str(), t.view_id.empty())) apply_view(t, fields, nullptr);
        test_hooks::track("View " + lower_all);
        if (!t.views.empty()) ImGui::Separator();
        for (const auto& v : t.views) {
            ImGui::PushID(v.id.c_str());
            if (ImGui::Selectable(v.name.c_str(), v.id == t.view_id)) apply_view(t, fields, &v);
            test_hooks::track("View " + v.name);
            ImGui::PopID();
        }
        if (t.views.empty()) ImGui::TextColored(theme::kMuted, "No saved views yet");
        ImGui::EndCombo();
    } else {
        test_hooks::track("Views");
    }
    ImGui::SameLine();
    if (quiet_button("Save view", "Save view")) {
        t.save_open = true;
        t.save_name = t.view_name;
        t.save_error.clear();
        ImGui::OpenPopup("##save_view");
    }
    if (!t.view_id.empty()) {
        ImGui::SameLine();
        if (quiet_button("Delete view", "Delete view")) {
            t.delete_open = true;
            ImGui::OpenPopup("##delete_view");
        }
    }
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(16, 14));
    if (ImGui::BeginPopup("##save_view")) {
        test_hooks::track_window("Save view form");
        ImGui::TextUnformatted("Save the filters, columns and sort as a view");
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted("Name");
        ImGui::SameLine();
        if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
        ImGui::SetNextItemWidth(260);
        bool enter = input_text("##view_name", t.save_name, ImGuiInputTextFlags_EnterReturnsTrue, "e.g. My customers");
        test_hooks::track("View name");
        if (!t.save_error.empty()) {
            ImGui::SameLine();
            ImGui::AlignTextToFramePadding();
            ImGui::TextColored(theme::kError, "%s", t.save_error.c_str());
            test_hooks::track("View name error");
        }
        ImGui::TextColored(theme::kMuted, "A view with the same name is replaced.");
        if (primary_button("Save", "Save view confirm") || enter) {
            save_view(app, t, fields);
            if (!t.save_open) ImGui::CloseCurrentPopup();
        }
        ImGui::SameLine();
        if (quiet_button("Cancel", "Save view cancel")) ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
    if (ImGui::BeginPopup("##delete_view")) {
        ImGui::Text("Delete the view \"%s\"?", t.view_name.c_str());
        ImGui::TextColored(theme::kMuted, "Records are not touched; only the view goes.");
        ImGui::PushStyleColor(ImGuiCol_Button, theme::kError);
        bool del = primary_button("Delete", "Delete view confirm");
        ImGui::PopStyleColor();
        if (del) {
            if (auto s = app.store->remove("saved_view", t.view_id, sync_now(app)); s) {
                after_local_edit(app);
                apply_view(t, fields, nullptr);
            }
            ImGui::CloseCurrentPopup();
        }
        ImGui::SameLine();
        if (quiet_button("Cancel", "Delete view cancel")) ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
    ImGui::PopStyleVar();
    pop_quiet_combo();
}

// ---- the filter bar -----------------------------------------------------------------------------

void draw_filter_bar(AppState& app, TableView& t, const std::vector<FieldInfo>& fields) {
    (void)app;
    push_quiet_combo();
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float lead_w = 64;
    int remove = -1;
    // "/" (or the palette): filter by the record's name, typing at once.
    if (t.focus_filter && t.filters.empty())
        t.filters.push_back({find_record_spec(t.type)->title_field, Op::Contains, ""});
    for (size_t i = 0; i < t.filters.size(); ++i) {
        FilterRow& row = t.filters[i];
        const std::string n = std::to_string(i);
        ImGui::PushID(static_cast<int>(i));
        // "Where", then "and"/"or" for every later row (one setting for the whole bar).
        if (i == 0) {
            ImGui::AlignTextToFramePadding();
            ImGui::TextColored(theme::kMuted, "Where");
            ImGui::SameLine(lead_w + ImGui::GetStyle().WindowPadding.x * 0);
        } else {
            ImGui::SetNextItemWidth(lead_w - gap);
            if (ImGui::BeginCombo("##match", t.match_any ? "or" : "and", ImGuiComboFlags_NoArrowButton)) {
                if (ImGui::Selectable("and", !t.match_any)) t.match_any = false;
                test_hooks::track("Match and");
                if (ImGui::Selectable("or", t.match_any)) t.match_any = true;
                test_hooks::track("Match or");
                ImGui::EndCombo();
            }
            test_hooks::track("Filter " + n + " match");
            ImGui::SameLine(lead_w);
        }
        const FieldInfo* f = find_info(fields, row.field);
        ImGui::SetNextItemWidth(180);
        if (ImGui::BeginCombo("##field", f ? f->label.c_str() : "Choose a field")) {
            test_hooks::track("Filter " + n + " field");
            for (const auto& opt : fields) {
                if (ImGui::Selectable(opt.label.c_str(), opt.name == row.field) && opt.name != row.field) {
                    row.field = opt.name;
                    row.op = ops_for(opt).front().first;
                    row.value.clear();
                }
                test_hooks::track("Option " + opt.label);
            }
            ImGui::EndCombo();
        } else {
            test_hooks::track("Filter " + n + " field");
        }
        f = find_info(fields, row.field);
        if (f) {
            ImGui::SameLine();
            ImGui::SetNextItemWidth(130);
            if (ImGui::BeginCombo("##op", op_words(*f, row.op))) {
                test_hooks::track("Filter " + n + " op");
                for (const auto& [op, words] : ops_for(*f)) {
                    if (ImGui::Selectable(words, op == row.op)) row.op = op;
                    test_hooks::track(std::string("Option ") + words);
                }
                ImGui::EndCombo();
            } else {
                test_hooks::track("Filter " + n + " op");
            }
            if (op_needs_value(row.op)) {
                ImGui::SameLine();
                ImGui::SetNextItemWidth(220);
                const bool pick = (f->kind == FieldKind::Choice && row.op != Op::In) || f->kind == FieldKind::Boolean;
                if (pick) {
                    std::vector<std::string> choices =
                        f->kind == FieldKind::Boolean ? std::vector<std::string>{"true", "false"} : f->choices;
                    auto shown = [&](const std::string& c) {
                        return f->kind == FieldKind::Boolean ? std::string(c == "true" ? "Yes" : "No")
                               : c.empty()                   ? "(none)"
                                                             : humanize(c);
                    };
                    if (ImGui::BeginCombo("##value", row.value.empty() ? "Choose..." : shown(row.value).c_str())) {
                        test_hooks::track("Filter " + n + " value");
                        for (const auto& c : choices) {
                            if (c.empty()) continue;
                            if (ImGui::Selectable(shown(c).c_str(), c == row.value)) row.value = c;
                            test_hooks::track("Option " + shown(c));
                        }
                        ImGui::EndCombo();
                    } else {
                        test_hooks::track("Filter " + n + " value");
                    }
                } else {
                    const char* hint = row.op == Op::In                  ? "values, separated by commas"
                                       : f->kind == FieldKind::Timestamp ? "YYYY-MM-DD"
                                       : f->kind == FieldKind::Date      ? "YYYY-MM-DD"
                                       : is_numeric(*f)                  ? "a number"
                                                                         : "value";
                    if (t.focus_filter && i == 0) ImGui::SetKeyboardFocusHere();
                    if (input_text("##value", row.value, 0, hint)) t.filter_typed_ms = platform::now_ms();
                    test_hooks::track("Filter " + n + " value");
                }
            }
        }
        ImGui::SameLine();
        if (quiet_button("Remove", "Filter " + n + " remove")) remove = static_cast<int>(i);
        ImGui::PopID();
    }
    t.focus_filter = false;
    if (remove >= 0) t.filters.erase(t.filters.begin() + remove);
    if (t.filters.empty()) {
        if (quiet_button("+ Add filter", "Add filter")) t.filters.push_back({});
    } else {
        ImGui::SetCursorPosX(ImGui::GetCursorPosX() + lead_w);
        if (quiet_button("+ Add condition", "Add filter")) t.filters.push_back({});
        if (!t.filters.empty()) {
            ImGui::SameLine();
            // The table no longer shows the saved view: the picker stops naming it.
            if (quiet_button("Clear filters", "Clear filters")) {
                t.filters.clear();
                t.filter_groups = json::array();
                t.view_id.clear();
                t.view_name.clear();
            }
        }
    }
    if (!t.filter_groups.empty()) {
        ImGui::SameLine();
        ImGui::AlignTextToFramePadding();
        ImGui::TextColored(theme::kMuted, "plus %s from the view",
                           count_text(static_cast<int64_t>(t.filter_groups.size()), "grouped condition set",
                                      "grouped condition sets")
                               .c_str());
    }
    pop_quiet_combo();
}

// ---- the table ----------------------------------------------------------------------------------

// Compiles what the person asks for; when it or the data changed, counts again (only when the
// filter or the data changed: a new sort keeps the count) and empties the window of rows.
Result<CompiledQuery> refresh_query(AppState& app, TableView& t, const RecordSpec& spec,
                                    const std::vector<FieldInfo>& fields) {
    Query query = build_query(t, fields);
    auto compiled = compile_query(spec, query);
    if (!compiled) {
        t.query_error = compiled.error().to_string();
        t.total = 0;
        t.rows.clear();
        t.query_key.clear();
        t.count_key.clear();
        return compiled;
    }
    const std::string shape = filter_to_json(query.filter).dump() + "|" + compiled->order;
    const std::string filter_key = filter_to_json(query.filter).dump() + "|" + std::to_string(app.data_version);
    const std::string key = shape + "|" + std::to_string(app.data_version);
    if (key == t.query_key) return compiled;
    const bool only_data = shape == t.query_shape;  // same question, newer data: stay where the person is
    // Re-sorting everything for each of many changes arriving (a long sync) would stall the
    // screen: the order is read again at most once a second, the rows in between stay a moment old.
    const int64_t now = platform::now_ms();
    if (only_data && t.by_ids && now - t.ids_read_ms < 1000) {
        app.redraw_frames = std::max(app.redraw_frames, 1);
        return compiled;
    }
    if (!only_data) {
        t.by_ids = needs_full_sort(*app.store, spec, *compiled);
        // A one-key sort no index serves gets one, once per device: later sorts by that key,
        // and scrolling, then read a page at a time like the name order does.
        if (t.by_ids) {
            const auto t0 = std::chrono::steady_clock::now();
            auto made = ensure_sort_index(app.store->db(), spec, query.sort);
            if (made && *made) {
                t.sort_index_ms = static_cast<float>(elapsed_us(t0)) / 1000.0f;
                t.by_ids = needs_full_sort(*app.store, spec, *compiled);
            }
            // Unable to write (another tab took over the workspace): this sort stays a full one.
            if (!made) std::fprintf(stderr, "%s\n", made.error().to_string().c_str());
        }
    }
    t.query_shape = shape;
    t.query_key = key;
    t.loaded_version = app.data_version;
    t.query_error.clear();
    auto t0 = std::chrono::steady_clock::now();
    if (t.by_ids) {
        if (auto s = fetch_row_ids(*app.store, spec, query.sort, *compiled, t.row_ids); !s) t.query_error = s.error().to_string();
        t.total = static_cast<int64_t>(t.row_ids.size());
        t.count_key = filter_key;
        t.ids_read_ms = now;
        ++t.count_queries;
        t.last_query_ms = t.ids_query_ms = static_cast<float>(elapsed_us(t0)) / 1000.0f;
    } else {
        t.row_ids.clear();
        t.row_ids.shrink_to_fit();
        if (filter_key != t.count_key) {
            auto count = count_rows(*app.store, spec, *compiled);
            ++t.count_queries;
            t.total = count ? *count : 0;
            if (!count) t.query_error = count.error().to_string();
            t.last_query_ms = static_cast<float>(elapsed_us(t0)) / 1000.0f;
            t.count_key = filter_key;
        }
    }
    // Keep the scroll position when only the data changed; start from the top otherwise.
    t.rows.clear();
    t.window_start = only_data ? t.visible_first : 0;
    if (!only_data) t.scroll_top = true;
    app.redraw_frames = std::max(app.redraw_frames, 2);
    return compiled;
}

void draw_cell(AppState& app, TableView& t, const FieldInfo& f, const json& row, const std::string& title_field) {
    const std::string text = format_value(f, row, t.titles);
    if (f.name == title_field) {
        const std::string title = record_title(t.type, row);
        if (link(title, "Open " + title)) navigate(app, record_route(t.type, row["id"].get<std::string>()));
        return;
    }
    if (f.kind == FieldKind::Ref && !text.empty()) {
        json id = field_value(row, f.name);
        if (id.is_string() &&
            (f.ref_type == "contact" || f.ref_type == "company" || f.ref_type == "deal" || f.ref_type == "case")) {
            if (link(text, "Link " + text)) navigate(app, record_route(f.ref_type, id.get<std::string>()));
            return;
        }
    }
    if (is_numeric(f)) {
        text_right(text);
    } else if (f.kind == FieldKind::Timestamp || f.kind == FieldKind::Date) {
        ImGui::TextColored(theme::kMuted, "%s", text.c_str());
    } else {
        ImGui::TextUnformatted(text.c_str());
    }
}

void draw_table(AppState& app, TableView& t, const RecordSpec& spec, const std::vector<FieldInfo>& fields,
                Result<CompiledQuery>& compiled) {
    const float row_h = ImGui::GetTextLineHeight() + theme::kRowPaddingY * 2;
    const int ncols = static_cast<int>(t.setup_columns.size());
    std::vector<const FieldInfo*> infos;
    float wanted_w = 0;
    for (const auto& name : t.setup_columns) {
        infos.push_back(find_info(fields, name));
        if (std::find(t.columns.begin(), t.columns.end(), name) != t.columns.end())
            wanted_w += column_width(*infos.back(), spec.title_field);
    }
    const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_Resizable | ImGuiTableFlags_Reorderable |
                                  ImGuiTableFlags_Hideable | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter |
                                  ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX |
                                  ImGuiTableFlags_SizingStretchProp;
    const ImVec2 outer(0, ImGui::GetContentRegionAvail().y);
    // Columns stretch to fill the width; they may shrink by a sixth before the table scrolls sideways.
    const float inner_w =
        std::max(ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ScrollbarSize - 4, wanted_w * 0.85f);
    const std::string id = "##table_" + t.type + "_" + std::to_string(t.generation);
    ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(10, theme::kRowPaddingY));
    const bool open = ImGui::BeginTable(id.c_str(), ncols, flags, outer, inner_w);
    ImGui::PopStyleVar();
    if (!open) return;
    if (t.scroll_top) {
        ImGui::SetScrollY(0);
        t.scroll_top = false;
    }
    ImGui::TableSetupScrollFreeze(1, 1);
    for (int c = 0; c < ncols; ++c) {
        const FieldInfo& f = *infos[static_cast<size_t>(c)];
        ImGuiTableColumnFlags cf = ImGuiTableColumnFlags_WidthStretch;
        if (std::find(t.start_visible.begin(), t.start_visible.end(), f.name) == t.start_visible.end())
            cf |= ImGuiTableColumnFlags_DefaultHide;
        if (f.name == spec.title_field) cf |= ImGuiTableColumnFlags_NoHide;
        if (!t.start_sort.empty() && t.start_sort.front().field == f.name)
            cf |= ImGuiTableColumnFlags_DefaultSort |
                  (t.start_sort.front().descending ? ImGuiTableColumnFlags_PreferSortDescending
                                                   : ImGuiTableColumnFlags_PreferSortAscending);
        if (f.kind == FieldKind::Json) cf |= ImGuiTableColumnFlags_NoSort;
        ImGui::TableSetupColumn(f.label.c_str(), cf, column_width(f, spec.title_field));
    }
    // The header row, drawn cell by cell so each header's rectangle is known to the tests.
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers, row_h);
    for (int c = 0; c < ncols; ++c) {
        if (!ImGui::TableSetColumnIndex(c)) continue;
        ImGui::PushID(c);
        const char* name = ImGui::TableGetColumnName(c);
        if (is_numeric(*infos[static_cast<size_t>(c)])) {
            // Numbers are right-aligned, and so is their header, clear of the sort arrow.
            ImGui::TableHeader("##numeric");
            const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
            const float w = ImGui::CalcTextSize(name).x, arrow = ImGui::GetFontSize();
            const float x = std::max(min.x + 4, max.x - ImGui::GetStyle().CellPadding.x - arrow - w);
            ImGui::GetWindowDrawList()->AddText(ImVec2(x, min.y + (max.y - min.y - ImGui::GetFontSize()) * 0.5f),
                                                ImGui::GetColorU32(ImGuiCol_Text), name);
        } else {
            ImGui::TableHeader(name);
        }
        test_hooks::track(std::string("Header ") + name);
        ImGui::PopID();
    }
    // Sorting is the database's: a header click changes the query, never sorts rows here.
    if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsDirty) {
        std::vector<Sort> sort;
        for (int i = 0; i < specs->SpecsCount; ++i) {
            const auto& s = specs->Specs[i];
            sort.push_back({t.setup_columns[static_cast<size_t>(s.ColumnIndex)],
                            s.SortDirection == ImGuiSortDirection_Descending});
        }
        specs->SpecsDirty = false;
        if (sort.size() != t.sort.size() ||
            !std::equal(sort.begin(), sort.end(), t.sort.begin(), [](const Sort& a, const Sort& b) {
                return a.field == b.field && a.descending == b.descending;
            })) {
            t.sort = std::move(sort);
            compiled = refresh_query(app, t, spec, fields);  // the rows below come in the new order this frame
        }
    }
    // The person's column choice (shown, and in what order), for saving as a view.
    if (ImGuiTable* table = ImGui::GetCurrentTable()) {
        std::vector<std::pair<int, std::string>> shown;
        for (int c = 0; c < ncols; ++c)
            if (table->Columns[c].IsEnabled)
                shown.emplace_back(table->Columns[c].DisplayOrder, t.setup_columns[static_cast<size_t>(c)]);
        std::sort(shown.begin(), shown.end());
        t.columns.clear();
        for (auto& [order, name] : shown) t.columns.push_back(name);
    }

    if (compiled && t.total > 0) {
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(std::min<int64_t>(t.total, INT32_MAX)), row_h);
        // The clipper may also hand out a one-row range apart from the visible ones (the row
        // that last had the keyboard, for ImGui's navigation): what shows is the largest range.
        t.visible_first = t.visible_end = 0;
        while (clipper.Step()) {
            if (clipper.DisplayEnd - clipper.DisplayStart > t.visible_end - t.visible_first) {
                t.visible_first = clipper.DisplayStart;
                t.visible_end = clipper.DisplayEnd;
            }
            ensure_window(app, t, spec, compiled.value(), fields, clipper.DisplayStart, clipper.DisplayEnd);
            for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
                ImGui::TableNextRow(ImGuiTableRowFlags_None, row_h);
                const int64_t at = i - t.window_start;
                if (at < 0 || at >= static_cast<int64_t>(t.rows.size())) continue;  // beyond the end after a delete
                const json& row = t.rows[static_cast<size_t>(at)];
                ImGui::PushID(i);
                for (int c = 0; c < ncols; ++c) {
                    if (!ImGui::TableSetColumnIndex(c)) continue;
                    draw_cell(app, t, *infos[static_cast<size_t>(c)], row, spec.title_field);
                }
                ImGui::PopID();
            }
        }
    } else {
        t.visible_first = t.visible_end = 0;
    }
    ImGui::EndTable();
    test_hooks::track("Table");

    // Empty states say what to do.
    if (t.total == 0 || !compiled) {
        std::string hint;
        const std::string plural = lowercase(plural_label(t.type));
        if (!compiled)
            hint = "This filter cannot be used. Change or remove the condition named above.";
        else if (!t.filters.empty() || !t.filter_groups.empty())
            hint = "No " + plural + " match these filters. Remove a condition to see more.";
        else
            hint = "No " + plural + " yet. Click \"New " + lowercase(singular_label(t.type)) +
                   "\" above to add the first one.";
        const ImVec2 size = ImGui::CalcTextSize(hint.c_str());
        const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
        ImGui::GetWindowDrawList()->AddText(
            ImVec2((min.x + max.x - size.x) * 0.5f, min.y + row_h + (max.y - min.y - row_h) * 0.35f),
            ImGui::GetColorU32(theme::kMuted), hint.c_str());
    }
}

}  // namespace

// A click on a column's header should sort at once, the first time too. While nobody is using
// the app (no input for kIdleBeforeIndexMs) and it is in sync, one visible column per frame whose sort no index
// serves gets its index (ensure_sort_index): about 200 ms per 100,000 rows, paid while nobody
// waits. Each column is looked at once per session; a sort by a column not looked at yet (shown
// later, or a saved view's) makes its index on the click instead.
void index_sorts_when_idle(AppState& app, TableView& t, const RecordSpec& spec, const std::vector<FieldInfo>& fields) {
    if (t.idle_index_failed || platform::now_ms() - platform::last_input_ms() < kIdleBeforeIndexMs) return;
    // Not while a sync is on its way (a new device's first pull): the workspace comes first.
    if (app.sync.phase != SyncPhase::Synced || app.sync.in_flight) return;
    auto total = app.counts.find(t.type);
    if (total == app.counts.end() || total->second < kIdleIndexRows) return;
    for (const auto& column : t.columns) {
        if (!t.sort_checked.insert(column).second) continue;
        const FieldInfo* f = find_info(fields, column);
        if (!f || f->kind == FieldKind::Json) continue;  // not sortable
        const auto t0 = std::chrono::steady_clock::now();
        auto made = ensure_sort_index(app.store->db(), spec, {{column, false}});
        if (!made) {
            t.idle_index_failed = true;
            std::fprintf(stderr, "%s\n", made.error().to_string().c_str());
            return;
        }
        if (*made) {
            t.idle_indexes.push_back(column);
            t.idle_index_ms = static_cast<float>(elapsed_us(t0)) / 1000.0f;
            return;  // one per frame
        }
    }
}

void draw_table_view(AppState& app, TableView& t, const std::string& type) {
    if (t.type.empty()) t.type = type;
    // A value being typed into the filter bar applies once typing pauses, so a table of 100,000
    // rows is not counted again at every key; picking a field or an operator applies at once.
    if (!filter_typing(t)) t.applied_filters = t.filters;
    const RecordSpec& spec = *find_record_spec(t.type);
    if (t.custom_version != app.data_version) {
        t.custom_fields = load_custom_fields(*app.store, t.type);
        t.custom_version = app.data_version;
    }
    const std::vector<FieldInfo> fields = fields_of(t.type, t.custom_fields);
    load_views(app, t);
    {
        // A new custom field (or the first frame) changes the set of columns: rebuild the table.
        std::vector<std::string> all;
        for (const auto& f : fields) all.push_back(f.name);
        if (all.size() > kMaxColumns) all.resize(kMaxColumns);
        std::vector<std::string> had = t.setup_columns;
        std::sort(all.begin(), all.end());
        std::sort(had.begin(), had.end());
        if (all != had)
            rebuild_columns(t, fields, t.setup_columns.empty() ? default_columns(t.type) : t.columns, t.sort);
    }

    // The query, and when it or the data changed, the count and the first page.
    auto compiled = refresh_query(app, t, spec, fields);
    index_sorts_when_idle(app, t, spec, fields);

    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(theme::kPagePadding, 16));
    ImGui::BeginChild("##table_screen", ImVec2(0, 0), false,
                      ImGuiWindowFlags_AlwaysUseWindowPadding | ImGuiWindowFlags_NoScrollbar);
    ImGui::PopStyleVar();
    // Title, count, and the actions on the right.
    title_text(plural_label(t.type));
    ImGui::SameLine();
    std::string count = t.total < 0 ? "" : format_number(static_cast<double>(t.total), 0);
    if (t.total >= 0 && (!t.filters.empty() || !t.filter_groups.empty()) && app.counts.count(t.type))
        count += " of " + format_number(static_cast<double>(app.counts[t.type]), 0);
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 3);  // on the title's baseline
    ImGui::TextColored(theme::kMuted, "%s", count.c_str());
    test_hooks::track("Record count");
    const std::string new_lower = "New " + lowercase(singular_label(t.type));
    const float new_w = ImGui::CalcTextSize(new_lower.c_str()).x + ImGui::GetStyle().FramePadding.x * 2;
    const float views_w =
        220 + ImGui::CalcTextSize("Save view").x + ImGui::GetStyle().FramePadding.x * 2 +
        (t.view_id.empty() ? 0
                           : ImGui::CalcTextSize("Delete view").x + ImGui::GetStyle().FramePadding.x * 2 +
                                 ImGui::GetStyle().ItemSpacing.x) +
        ImGui::GetStyle().ItemSpacing.x * 2;
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - new_w - views_w);
    draw_views_bar(app, t, fields);
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - new_w);
    if (primary_button(new_lower.c_str(), "New record")) open_create_form(t);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s  (N)", new_lower.c_str());
    ImGui::Spacing();
    draw_filter_bar(app, t, fields);
    if (!t.query_error.empty()) {
        ImGui::PushTextWrapPos(ImGui::GetContentRegionMax().x);
        ImGui::TextColored(theme::kError, "%s", t.query_error.c_str());
        ImGui::PopTextWrapPos();
        test_hooks::track("Filter error");
    }
    ImGui::Spacing();
    draw_table(app, t, spec, fields, compiled);
    ImGui::EndChild();
    draw_create_form(app, t, fields);
}

}  // namespace crm
