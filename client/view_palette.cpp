// The command palette (Ctrl+K / Cmd+K) and the app's keyboard shortcuts. The palette finds any
// contact, company, deal or case with quick_find (bounded queries on the search and name
// indexes, so it answers as fast on 100,000 contacts as on ten) and runs commands: new records, every screen of
// the sidebar, the theme, signing out. Arrow keys move, Enter opens, Esc closes.
#include <algorithm>
#include <chrono>

#include "imgui.h"
#include "imgui_internal.h"  // the query field's caret after keys caught before it took the keyboard
#include "platform.h"
#include "quick_find.h"
#include "test_hooks.h"
#include "text.h"
#include "theme.h"
#include "view_widgets.h"
#include "views.h"

namespace crm {
namespace {

constexpr size_t kPerGroup = 6;      // records shown per type
constexpr int64_t kChordMs = 1500;   // "G" then a digit, within this time

struct Command {
    std::string id, label, shortcut;
};

// The record types with pages, in the order their groups are shown, and their list screens.
struct TypeScreen {
    const char* type;
    Screen screen;
};
constexpr TypeScreen kTypes[] = {{"contact", Screen::Contacts},
                                 {"company", Screen::Companies},
                                 {"deal", Screen::Deals},
                                 {"case", Screen::Cases}};

TableView* table_for(AppState& app, Screen s) {
    switch (s) {
        case Screen::Contacts: return &app.contacts;
        case Screen::Companies: return &app.companies;
        case Screen::Deals: return &app.deals;
        case Screen::Cases: return &app.cases;
        default: return nullptr;
    }
}

TableView* table_for_type(AppState& app, const std::string& type) {
    for (const auto& t : kTypes)
        if (type == t.type) return table_for(app, t.screen);
    return nullptr;
}

std::string mod_key() { return platform::is_mac() ? "Cmd" : "Ctrl"; }

std::vector<Command> commands(AppState& app) {
    std::vector<Command> out;
    const TableView* on_screen = table_for(app, app.route.screen);
    for (const auto& t : kTypes) {
        const std::string noun = lowercase(singular_label(t.type));
        // N makes a record of the table on screen.
        out.push_back({std::string("new:") + t.type, "New " + noun,
                       on_screen && on_screen->type == t.type ? "N" : ""});
    }
    const auto links = screen_links();
    for (size_t i = 0; i < links.size(); ++i)
        out.push_back({"go:" + std::to_string(i), "Go to " + links[i].label,
                       i < 9 ? "G " + std::to_string(i + 1) : ""});
    if (on_screen) out.push_back({"filter", "Filter " + lowercase(plural_label(on_screen->type)), "/"});
    out.push_back({"theme", theme::is_dark() ? "Switch to light theme" : "Switch to dark theme", ""});
    out.push_back({"sign-out", "Sign out", ""});
    return out;
}

// True when every word of `query` starts a word of `label` (case folded, ASCII).
bool command_matches(const std::string& label, const std::string& query) {
    const std::string l = lowercase(label), q = lowercase(query);
    size_t i = 0;
    while (i < q.size()) {
        while (i < q.size() && q[i] == ' ') ++i;
        size_t end = q.find(' ', i);
        if (end == std::string::npos) end = q.size();
        if (end == i) break;
        const std::string word = q.substr(i, end - i);
        bool found = false;
        for (size_t at = l.find(word); at != std::string::npos; at = l.find(word, at + 1))
            if (at == 0 || l[at - 1] == ' ') found = true;
        if (!found) return false;
        i = end;
    }
    return true;
}

// A line under a record's title: its email, domain, amount or status.
std::string record_detail(AppState& app, const std::string& type, const std::string& id) {
    auto r = app.store->get(type, id);
    if (!r) return "";
    auto text = [&](const char* f) { return (*r).contains(f) && (*r)[f].is_string() ? (*r)[f].get<std::string>() : ""; };
    if (type == "contact") return !text("email").empty() ? text("email") : text("phone");
    if (type == "company") return text("domain");
    if (type == "deal") {
        if ((*r)["amount"].is_number())
            return format_number((*r)["amount"].get<double>(), 2) + " " + text("currency");
        return humanize(text("status"));
    }
    if (type == "case") return humanize(text("status"));
    return "";
}

void refresh(AppState& app, PaletteState& p) {
    if (p.searched == p.query && p.searched_version == app.data_version && !p.items.empty()) return;
    p.searched = p.query;
    p.searched_version = app.data_version;
    p.items.clear();
    p.error.clear();
    const std::string query(trim(p.query));

    std::vector<PaletteItem> cmds;
    bool command_first = false;
    for (const auto& c : commands(app)) {
        if (!command_matches(c.label, query)) continue;
        cmds.push_back({"Commands", c.label, "", c.shortcut, c.id, "", ""});
        if (!query.empty() && lowercase(c.label).rfind(lowercase(query), 0) == 0) command_first = true;
    }
    std::vector<PaletteItem> records;
    if (!query.empty()) {
        const auto t0 = std::chrono::steady_clock::now();
        std::vector<std::string> types;
        for (const auto& t : kTypes) types.push_back(t.type);
        auto hits = quick_find(app.store->db(), query, types, kPerGroup);
        p.last_query_ms = std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (!hits) {
            p.error = hits.error().message;
        } else {
            for (const auto& t : kTypes) {
                size_t n = 0;
                for (const auto& h : *hits) {
                    if (h.record_type != t.type || n >= kPerGroup) continue;
                    ++n;
                    records.push_back({plural_label(t.type), h.title.empty() ? "(no name)" : h.title,
                                       record_detail(app, h.record_type, h.record_id), "", "", h.record_type,
                                       h.record_id});
                }
            }
        }
    }
    // "new" finds the New commands first; "ada" finds Ada first.
    if (command_first || records.empty()) {
        p.items = std::move(cmds);
        p.items.insert(p.items.end(), records.begin(), records.end());
    } else {
        p.items = std::move(records);
        p.items.insert(p.items.end(), cmds.begin(), cmds.end());
    }
    p.selected = 0;
    p.scroll_to_selected = true;
}

void open_palette(AppState& app) {
    PaletteState& p = app.palette;
    p.open = true;
    p.just_opened = true;
    p.field_active = false;
    p.query.clear();
    p.searched = "\x01";  // refresh on the first frame
    p.selected = 0;
    app.redraw_frames = std::max(app.redraw_frames, 3);
}

void close_palette(AppState& app) {
    app.palette.open = false;
    app.palette.items.clear();
    app.redraw_frames = std::max(app.redraw_frames, 2);
}

void open_create(AppState& app, const std::string& type) {
    TableView* t = table_for_type(app, type);
    if (!t) return;
    for (const auto& ts : kTypes)
        if (type == ts.type) navigate(app, Route{ts.screen, "", ""});
    t->create_open = true;
    t->create = RecordForm{type, {}, "", true};
}

void run_command(AppState& app, const std::string& id) {
    if (id.rfind("new:", 0) == 0) {
        open_create(app, id.substr(4));
    } else if (id.rfind("go:", 0) == 0) {
        const auto links = screen_links();
        const size_t i = static_cast<size_t>(std::stoul(id.substr(3)));
        if (i < links.size()) navigate(app, links[i].route);
    } else if (id == "filter") {
        if (TableView* t = table_for(app, app.route.screen)) t->focus_filter = true;
    } else if (id == "theme") {
        theme::set_dark(!theme::is_dark());
    } else if (id == "sign-out") {
        auth_sign_out(app);
    }
    app.redraw_frames = std::max(app.redraw_frames, 3);
}

void run_item(AppState& app, const PaletteItem& item) {
    const PaletteItem chosen = item;  // closing clears the list it lives in
    close_palette(app);
    if (!chosen.type.empty())
        navigate(app, record_route(chosen.type, chosen.id));
    else
        run_command(app, chosen.command);
}

bool any_popup_open() { return ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel); }

}  // namespace

void handle_shortcuts(AppState& app) {
    const ImGuiIO& io = ImGui::GetIO();
    PaletteState& p = app.palette;
    for (const auto& k : platform::key_presses()) {
        const bool mod = platform::is_mac() ? k.meta : k.ctrl;
        if (mod && !k.alt && (k.key == "k" || k.key == "K")) {
            if (p.open)
                close_palette(app);
            else
                open_palette(app);
            continue;
        }
        // The palette handles its own keys; a field being typed into keeps its letters; a menu,
        // a combo or a form over the screen has the keyboard.
        if (p.open || io.WantTextInput || k.ctrl || k.meta || k.alt || any_popup_open()) continue;
        const int64_t now = platform::now_ms();
        if (p.g_pressed_ms && now - p.g_pressed_ms < kChordMs && k.key.size() == 1 && k.key[0] >= '1' && k.key[0] <= '9') {
            p.g_pressed_ms = 0;
            const auto links = screen_links();
            const size_t i = static_cast<size_t>(k.key[0] - '1');
            if (i < links.size()) navigate(app, links[i].route);
            continue;
        }
        p.g_pressed_ms = 0;
        if (k.key == "g" || k.key == "G") {
            p.g_pressed_ms = now;
        } else if (k.key == "n" || k.key == "N") {
            if (TableView* t = table_for(app, app.route.screen)) open_create(app, t->type);
        } else if (k.key == "/") {
            if (TableView* t = table_for(app, app.route.screen)) t->focus_filter = true;
        }
    }
}

void draw_palette_button(AppState& app) {
    const std::string shortcut = mod_key() + "+K";
    const std::string label = "Search or run a command...";
    const ImVec2 pad = ImGui::GetStyle().FramePadding;
    const float w = ImGui::CalcTextSize(label.c_str()).x + ImGui::CalcTextSize(shortcut.c_str()).x + pad.x * 2 + 28;
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight() + 1;  // inside the menu bar's height, its border whole
    const float y = pos.y;
    ImGui::SetCursorScreenPos(ImVec2(pos.x, y));
    const bool pressed = ImGui::InvisibleButton("##palette-button", ImVec2(w, h));
    const bool hovered = ImGui::IsItemHovered();
    test_hooks::track("Palette button");
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(ImVec2(pos.x, y), ImVec2(pos.x + w, y + h),
                      ImGui::GetColorU32(hovered ? theme::kQuietButtonHovered : theme::kPanel), 5.0f);
    dl->AddRect(ImVec2(pos.x, y), ImVec2(pos.x + w, y + h), ImGui::GetColorU32(theme::kQuietBorder), 5.0f);
    const float ty = y + (h - ImGui::GetTextLineHeight()) * 0.5f;
    dl->AddText(ImVec2(pos.x + pad.x, ty), ImGui::GetColorU32(theme::kMuted), label.c_str());
    const float sw = ImGui::CalcTextSize(shortcut.c_str()).x;
    dl->AddText(ImVec2(pos.x + w - pad.x - sw, ty), ImGui::GetColorU32(theme::kMuted), shortcut.c_str());
    if (hovered) {
        ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
        ImGui::SetTooltip("Find any record, or run a command (%s)", shortcut.c_str());
    }
    if (pressed) open_palette(app);
}

void draw_palette(AppState& app) {
    PaletteState& p = app.palette;
    const char* id = "##palette";
    if (!p.open) return;
    if (!ImGui::IsPopupOpen(id)) ImGui::OpenPopup(id);
    const ImGuiIO& io = ImGui::GetIO();
    const float width = std::min(640.0f, io.DisplaySize.x - 40.0f);
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.12f), ImGuiCond_Always, ImVec2(0.5f, 0.0f));
    ImGui::SetNextWindowSize(ImVec2(width, 0));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(14, 14));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 8.0f);
    const bool shown = ImGui::BeginPopupModal(id, nullptr,
                                              ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoMove |
                                                  ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoSavedSettings |
                                                  ImGuiWindowFlags_AlwaysAutoResize);
    ImGui::PopStyleVar(2);
    if (!shown) return;
    test_hooks::track_window("Palette");

    // The query field keeps the keyboard while the palette is open.
    if (p.just_opened || !ImGui::IsAnyItemActive()) ImGui::SetKeyboardFocusHere();
    p.just_opened = false;
    // Keys typed right after Ctrl+K, before the field has the keyboard, go into the query: ImGui
    // gives a field no characters on the frame it activates, and selects its text then.
    ImGuiIO& keys = ImGui::GetIO();
    const bool catching = !p.field_active;
    if (catching && !keys.InputQueueCharacters.empty()) {
        char utf8[5];
        for (ImWchar c : keys.InputQueueCharacters) p.query += ImTextCharToUtf8(utf8, c);
        keys.InputQueueCharacters.resize(0);
    }
    ImGui::SetNextItemWidth(-1);
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(10, 8));
    input_text("##palette-query", p.query, 0, "Find a contact, company, deal or case, or type a command");
    ImGui::PopStyleVar();
    p.field_active = ImGui::IsItemActive();
    if (p.field_active && catching) {  // just took the keyboard: the caret after what was caught
        if (ImGuiInputTextState* st = ImGui::GetInputTextState(ImGui::GetItemID()))
            st->Stb.cursor = st->Stb.select_start = st->Stb.select_end = st->CurLenW;
    }
    test_hooks::track("Palette query");
    refresh(app, p);

    const int n = static_cast<int>(p.items.size());
    if (n > 0) {
        if (ImGui::IsKeyPressed(ImGuiKey_DownArrow)) {
            p.selected = (p.selected + 1) % n;
            p.scroll_to_selected = true;
        }
        if (ImGui::IsKeyPressed(ImGuiKey_UpArrow)) {
            p.selected = (p.selected + n - 1) % n;
            p.scroll_to_selected = true;
        }
        p.selected = std::clamp(p.selected, 0, n - 1);
    }
    bool close = ImGui::IsKeyPressed(ImGuiKey_Escape);
    int run = n > 0 && ImGui::IsKeyPressed(ImGuiKey_Enter) ? p.selected : -1;

    if (!p.error.empty()) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(theme::kError, "%s", p.error.c_str());
        ImGui::PopTextWrapPos();
    }
    if (n == 0) {
        ImGui::Spacing();
        ImGui::TextColored(theme::kMuted, "Nothing matches \"%s\"", p.query.c_str());
        test_hooks::track("Palette empty");
    } else {
        const float row_h = ImGui::GetTextLineHeight() + 10;
        const float gap = ImGui::GetStyle().ItemSpacing.y;
        int groups = 0;
        for (int i = 0; i < n; ++i)
            groups += i == 0 || p.items[static_cast<size_t>(i)].group != p.items[static_cast<size_t>(i - 1)].group;
        // Every row and group heading shown whole, up to a height where the list scrolls.
        const float list_h = std::min(440.0f, static_cast<float>(n) * (row_h + gap) +
                                                  static_cast<float>(groups) * (ImGui::GetTextLineHeight() + gap) +
                                                  static_cast<float>(groups - 1) * gap);
        ImGui::BeginChild("##palette-results", ImVec2(0, list_h), false);
        for (int i = 0; i < n; ++i) {
            const PaletteItem& it = p.items[static_cast<size_t>(i)];
            if (i == 0 || it.group != p.items[static_cast<size_t>(i - 1)].group) {
                if (i > 0) ImGui::Spacing();
                ImGui::SetCursorPosX(ImGui::GetCursorPosX() + 8);
                ImGui::TextColored(theme::kMuted, "%s", it.group.c_str());
            }
            ImGui::PushID(i);
            const ImVec2 pos = ImGui::GetCursorScreenPos();
            const float w = ImGui::GetContentRegionAvail().x;
            if (ImGui::Selectable("##item", i == p.selected, 0, ImVec2(w, row_h))) run = i;
            if (ImGui::IsItemHovered() && (io.MouseDelta.x != 0 || io.MouseDelta.y != 0)) p.selected = i;
            test_hooks::track("Palette item " + it.label);
            if (i == p.selected && p.scroll_to_selected) {
                ImGui::SetScrollHereY(0.5f);
                p.scroll_to_selected = false;
            }
            ImDrawList* dl = ImGui::GetWindowDrawList();
            const float ty = pos.y + (row_h - ImGui::GetTextLineHeight()) * 0.5f;
            dl->AddText(ImVec2(pos.x + 8, ty), ImGui::GetColorU32(theme::kText), it.label.c_str());
            if (!it.detail.empty()) {
                // The record's email, domain or amount after its name, muted.
                const float lw = ImGui::CalcTextSize(it.label.c_str()).x;
                dl->AddText(ImVec2(pos.x + 8 + lw + 14, ty), ImGui::GetColorU32(theme::kMuted), it.detail.c_str());
            }
            if (!it.shortcut.empty()) {
                // The keys in a rounded box, right-aligned.
                const ImVec2 ks = ImGui::CalcTextSize(it.shortcut.c_str());
                const float kx = pos.x + w - ks.x - 18;
                dl->AddRect(ImVec2(kx - 6, ty - 2), ImVec2(kx + ks.x + 6, ty + ks.y + 2),
                            ImGui::GetColorU32(theme::kQuietBorder), 4.0f);
                dl->AddText(ImVec2(kx, ty), ImGui::GetColorU32(theme::kMuted), it.shortcut.c_str());
            }
            ImGui::PopID();
        }
        ImGui::EndChild();
    }
    ImGui::Separator();
    ImGui::TextColored(theme::kMuted, "Up and Down to choose     Enter to open     Esc to close");
    // A click outside the palette closes it, as Esc does.
    if (ImGui::IsMouseClicked(0) && !ImGui::IsWindowHovered(ImGuiHoveredFlags_RootAndChildWindows)) close = true;
    if (run >= 0 && run < n) {
        ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
        run_item(app, p.items[static_cast<size_t>(run)]);
        return;
    }
    if (close) {
        ImGui::CloseCurrentPopup();
        close_palette(app);
    }
    ImGui::EndPopup();
}

nlohmann::json palette_state(const AppState& app) {
    const PaletteState& p = app.palette;
    nlohmann::json items = nlohmann::json::array();
    for (size_t i = 0; i < p.items.size() && i < 30; ++i)
        items.push_back({{"group", p.items[i].group},
                         {"label", p.items[i].label},
                         {"detail", p.items[i].detail},
                         {"shortcut", p.items[i].shortcut},
                         {"type", p.items[i].type}});
    return {{"open", p.open},   {"query", p.query}, {"items", items}, {"selected", p.selected},
            {"lastQueryMs", p.last_query_ms}, {"error", p.error}};
}

}  // namespace crm
