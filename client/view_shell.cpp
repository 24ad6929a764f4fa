// The navigation shell: the sidebar with every screen, the route the address bar mirrors, and
// the one list of screens. Adding a screen: a Screen value (app_state.h), its draw function,
// and a row in kScreens.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "imgui.h"
#include "platform.h"
#include "platform_url.h"
#include "test_hooks.h"
#include "theme.h"
#include "view_widgets.h"
#include "views.h"

namespace crm {
namespace {

struct ScreenEntry {
    Screen screen;
    const char* label;        // in the sidebar
    const char* path;         // in the address bar: "#/contacts"
    const char* record_type;  // the records it lists ("" for other screens); their pages are "#/<type>/<id>"
    void (*draw)(AppState&);
};

const ScreenEntry kScreens[] = {
    {Screen::Contacts, "Contacts", "/contacts", "contact",
     [](AppState& a) { draw_table_view(a, a.contacts, "contact"); }},
    {Screen::Companies, "Companies", "/companies", "company",
     [](AppState& a) { draw_table_view(a, a.companies, "company"); }},
    {Screen::Deals, "Deals", "/deals", "deal", [](AppState& a) { draw_table_view(a, a.deals, "deal"); }},
    {Screen::Cases, "Cases", "/cases", "case", [](AppState& a) { draw_table_view(a, a.cases, "case"); }},
    {Screen::Board, "Pipeline", "/board", "", draw_board},
    {Screen::MyWork, "My work", "/work", "", draw_my_work},
    {Screen::CasesQueue, "Case queue", "/queue", "", draw_cases_queue},
    {Screen::Settings, "Settings", "/settings", "", draw_settings},
};

const ScreenEntry* entry_for(Screen s) {
    for (const auto& e : kScreens)
        if (e.screen == s) return &e;
    return nullptr;
}

const ScreenEntry* entry_for_type(const std::string& type) {
    for (const auto& e : kScreens)
        if (type == e.record_type) return &e;
    return nullptr;
}

bool is_id(const std::string& s) {
    return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

std::string route_path(const Route& r) {
    if (r.screen == Screen::Record) return "/" + r.record_type + "/" + r.record_id;
    const ScreenEntry* e = entry_for(r.screen);
    return e ? e->path : "/contacts";
}

std::optional<Route> parse_route(const std::string& path) {
    for (const auto& e : kScreens)
        if (path == e.path) return Route{e.screen, "", ""};
    // "/<type>/<id>" for a record page of a listed type.
    if (path.size() > 1 && path[0] == '/') {
        const size_t slash = path.find('/', 1);
        if (slash != std::string::npos) {
            const std::string type = path.substr(1, slash - 1), id = path.substr(slash + 1);
            if (entry_for_type(type) && is_id(id)) return Route{Screen::Record, type, id};
        }
    }
    return std::nullopt;
}

std::vector<ScreenLink> screen_links() {
    std::vector<ScreenLink> out;
    for (const auto& e : kScreens) out.push_back({e.label, Route{e.screen, "", ""}});
    return out;
}

void navigate(AppState& app, const Route& route) {
    if (route == app.route) return;
    app.route = route;
    app.picker = RefPicker{};
    platform::push_url(route_path(route));
    app.redraw_frames = std::max(app.redraw_frames, 3);
}

namespace {

// The address bar names the screen: at start, after Back/Forward, after a followed link.
void follow_address(AppState& app) {
    const bool first = !app.route_loaded;
    if (!first && !platform::take_url_change()) return;
    app.route_loaded = true;
    const std::string fragment = platform::url_fragment();
    if (auto r = parse_route(fragment)) {
        if (!(*r == app.route)) app.picker = RefPicker{};
        app.route = *r;
    } else {
        // No address, or one that names nothing: show contacts, and say so in the address.
        app.route = Route{};
        platform::replace_url(route_path(app.route));
    }
    app.redraw_frames = std::max(app.redraw_frames, 3);
}

void refresh_counts(AppState& app) {
    if (app.counts_version == app.data_version) return;
    app.counts_version = app.data_version;
    for (const auto& e : kScreens) {
        if (!*e.record_type) continue;
        const RecordSpec* spec = find_record_spec(e.record_type);
        auto st = app.store->db().prepare("SELECT count(*) FROM " + spec->table + " WHERE deleted = 0");
        if (!st) continue;
        if (auto row = st->step(); row && *row) app.counts[e.record_type] = st->integer(0);
    }
}

void draw_sidebar(AppState& app) {
    ImGui::PushStyleColor(ImGuiCol_ChildBg, theme::kSidebar);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(10, 16));
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, 2));
    ImGui::BeginChild("##sidebar", ImVec2(theme::kSidebarWidth, 0), false, ImGuiWindowFlags_AlwaysUseWindowPadding);
    ImGui::PopStyleVar(2);
    // The list screen a record page belongs to stays highlighted.
    const Screen current = app.route.screen == Screen::Record && entry_for_type(app.route.record_type)
                               ? entry_for_type(app.route.record_type)->screen
                               : app.route.screen;
    const float item_h = ImGui::GetTextLineHeight() + 16;
    for (const auto& e : kScreens) {
        const bool selected = e.screen == current;
        ImGui::PushID(e.label);
        const ImVec2 pos = ImGui::GetCursorScreenPos();
        const float w = ImGui::GetContentRegionAvail().x;
        if (ImGui::InvisibleButton("##nav", ImVec2(w, item_h)) && !(app.route == Route{e.screen, "", ""}))
            navigate(app, Route{e.screen, "", ""});
        const bool hovered = ImGui::IsItemHovered();
        test_hooks::track(std::string("Nav ") + e.label);
        ImDrawList* dl = ImGui::GetWindowDrawList();
        if (selected || hovered)
            dl->AddRectFilled(pos, ImVec2(pos.x + w, pos.y + item_h),
                              ImGui::GetColorU32(selected ? theme::kSidebarSelected : theme::kQuietButton), 5.0f);
        if (selected)
            dl->AddRectFilled(pos, ImVec2(pos.x + 3, pos.y + item_h), ImGui::GetColorU32(theme::kAccent), 2.0f);
        const float text_y = pos.y + (item_h - ImGui::GetTextLineHeight()) * 0.5f;
        dl->AddText(ImVec2(pos.x + 14, text_y), ImGui::GetColorU32(selected ? theme::kLinkHover : theme::kText),
                    e.label);
        if (*e.record_type && app.counts.count(e.record_type)) {
            const std::string n = format_number(static_cast<double>(app.counts[e.record_type]), 0);
            const float nw = ImGui::CalcTextSize(n.c_str()).x;
            dl->AddText(ImVec2(pos.x + w - nw - 12, text_y), ImGui::GetColorU32(theme::kMuted), n.c_str());
        }
        if (hovered) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
        ImGui::PopID();
    }
    ImGui::EndChild();
    ImGui::PopStyleColor();
}

}  // namespace

void draw_shell(AppState& app) {
    const auto t0 = std::chrono::steady_clock::now();
    // A pull merged other replicas' changes (sync_client.cpp marks contacts stale): every view
    // reads its data again.
    bool stale = false;
    for (TableView* t : {&app.contacts, &app.companies, &app.deals, &app.cases}) {
        stale |= t->stale;
        t->stale = false;
    }
    if (stale) ++app.data_version;
    follow_address(app);
    refresh_counts(app);
    handle_shortcuts(app);
    draw_sidebar(app);
    ImGui::SameLine(0, 0);
    ImGui::BeginChild("##screen", ImVec2(0, 0), false, ImGuiWindowFlags_NoScrollbar);
    if (app.route.screen == Screen::Record) {
        draw_record_view(app);
    } else if (const ScreenEntry* e = entry_for(app.route.screen)) {
        e->draw(app);
    }
    ImGui::EndChild();
    draw_reminders(app);  // tasks falling due show on every screen
    draw_palette(app);
    app.draw_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (app.draw_ms_recent.size() >= 600) app.draw_ms_recent.erase(app.draw_ms_recent.begin());
    app.draw_ms_recent.push_back(static_cast<float>(app.draw_ms));
    ++app.draws;
}

}  // namespace crm

namespace crm {
namespace {

const TableView* table_on_screen(const AppState& app) {
    switch (app.route.screen) {
        case Screen::Contacts:
            return &app.contacts;
        case Screen::Companies:
            return &app.companies;
        case Screen::Deals:
            return &app.deals;
        case Screen::Cases:
            return &app.cases;
        default:
            return nullptr;
    }
}

}  // namespace

std::string views_signature(const AppState& app) {
    std::string s = route_path(app.route) + "|" + std::to_string(app.data_version) + "|" +
                    (platform::url_change_pending() ? "u" : "") + "|";
    for (const TableView* t : {&app.contacts, &app.companies, &app.deals, &app.cases}) {
        s += t->stale ? "s" : "-";
        // While a filter value is being typed, frames keep coming until it applies.
        if (filter_typing(*t)) s += std::to_string(platform::now_ms() / 50);
    }
    return s;
}

nlohmann::json views_state(const AppState& app) {
    using nlohmann::json;
    json counts = json::object();
    for (const auto& [type, n] : app.counts) counts[type] = n;
    json j = {{"route", "#" + route_path(app.route)},
              {"counts", counts},
              {"dataVersion", app.data_version},
              {"typing", ImGui::GetIO().WantTextInput},  // a text field has the keyboard
              {"theme", theme::is_dark() ? "dark" : "light"},
              {"palette", palette_state(app)}};
    if (app.route.screen == Screen::Settings) j["settings"] = settings_state(app);
    if (const TableView* t = table_on_screen(app)) {
        json sort = json::array(), filters = json::array();
        for (const auto& s : t->sort) sort.push_back({{"field", s.field}, {"descending", s.descending}});
        for (const auto& f : t->filters)
            filters.push_back({{"field", f.field}, {"op", to_string(f.op)}, {"value", f.value}});
        json first_rows = json::array();
        for (int64_t i = t->visible_first; i < t->visible_end && first_rows.size() < 5; ++i) {
            const int64_t at = i - t->window_start;
            if (at >= 0 && at < static_cast<int64_t>(t->rows.size()))
                first_rows.push_back(record_title(t->type, t->rows[static_cast<size_t>(at)]));
        }
        j["table"] = {{"type", t->type},
                      {"total", t->total},
                      {"windowStart", t->window_start},
                      {"windowRows", t->rows.size()},
                      {"visibleFirst", t->visible_first},
                      {"visibleEnd", t->visible_end},
                      {"visibleTitles", first_rows},
                      {"pageQueries", t->page_queries},
                      {"byIds", t->by_ids},
                      {"countQueries", t->count_queries},
                      {"lastQueryMs", t->last_query_ms}, {"idsQueryMs", t->ids_query_ms}, {"sortIndexMs", t->sort_index_ms}, {"idleIndexes", t->idle_indexes}, {"idleIndexMs", t->idle_index_ms},
                      {"sort", sort},
                      {"columns", t->columns},
                      {"filters", filters},
                      {"matchAny", t->match_any},
                      {"queryError", t->query_error},
                      {"view", t->view_name},
                      {"views", json::array()},
                      {"createOpen", t->create_open}};
        for (const auto& v : t->views) j["table"]["views"].push_back(v.name);
        json errors = json::object(), texts = json::object();
        for (const auto& [name, e] : t->create.fields) {
            if (!e.error.empty()) errors[name] = e.error;
            if (!e.text.empty()) texts[name] = e.text;
        }
        j["table"]["createErrors"] = errors;
        j["table"]["createTexts"] = texts;
    }
    if (app.route.screen == Screen::Record) {
        const RecordPage& p = app.record;
        json errors = json::object(), timeline = json::array(), related = json::object(), texts = json::object();
        for (const auto& [name, e] : p.fields) {
            if (!e.error.empty()) errors[name] = e.error;
            texts[name] = e.text;
        }
        for (size_t i = 0; i < p.timeline.size() && i < 20; ++i) {
            const auto& e = p.timeline[i];
            json entry = {{"kind", e.kind}, {"field", e.field}};
            if (e.kind == "activity") {
                entry["activity"] = e.activity.value("kind", "");
                entry["text"] = e.activity.value("subject", "").empty() ? e.activity.value("body", "")
                                                                        : e.activity.value("subject", "");
            }
            timeline.push_back(entry);
        }
        for (const auto& l : p.related) related[l.heading] = l.total;
        j["record"] = {{"type", p.type},
                       {"id", p.id},
                       {"title", p.record.is_object() ? record_title(p.type, p.record) : ""},
                       {"values", p.record},
                       {"errors", errors},
                       {"texts", texts},  // what each field shows (typed text, or the stored value)
                       {"timeline", timeline},
                       {"related", related},
                       {"draft", p.draft.kind}};
    }
    if (app.route.screen == Screen::Board) j["board"] = board_state(app);
    if (app.route.screen == Screen::MyWork) j["work"] = my_work_state(app);
    if (app.route.screen == Screen::CasesQueue) j["queue"] = cases_queue_state(app);
    // Reminders show on every screen.
    j["reminders"] = json::array();
    for (const auto& r : app.work.reminders) j["reminders"].push_back(r.subject);
    if (!app.draw_ms_recent.empty()) {
        std::vector<float> d = app.draw_ms_recent;
        std::sort(d.begin(), d.end());
        auto at = [&](double q) {
            return d[std::min(d.size() - 1, static_cast<size_t>(q * static_cast<double>(d.size())))];
        };
        j["drawMs"] = {{"n", d.size()}, {"p50", at(0.5)}, {"p95", at(0.95)}, {"max", d.back()}};
        j["draws"] = app.draws;
        // The last draws' times (0.1 ms), oldest first, so a benchmark can take the frames of one phase.
        json recent = json::array();
        for (float ms : app.draw_ms_recent) recent.push_back(std::round(ms * 10.0f) / 10.0f);
        j["drawRecent"] = std::move(recent);
    }
    return j;
}

}  // namespace crm
