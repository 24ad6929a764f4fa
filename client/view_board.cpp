// The deal pipeline as a kanban board: a column per stage with its count and total, cards a
// person drags between columns (the drop goes through the domain's move_deal, which records the
// stage change and sets won or lost), a pipeline selector and filters. The deals of the board are
// read once per filter or data change; each column draws only the cards in view, so 5,000 deals
// drag as smoothly as five.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include "imgui.h"
#include "imgui_internal.h"  // RenderTextEllipsis
#include "platform.h"
#include "sync_client.h"
#include "test_hooks.h"
#include "text.h"
#include "theme.h"
#include "view_widgets.h"
#include "views.h"

namespace crm {

using nlohmann::json;

namespace {

constexpr float kCardHeight = 78;
constexpr float kCardGap = 8;
constexpr float kColumnMinWidth = 210;
constexpr float kColumnGap = 12;
constexpr float kHeaderHeight = 58;
constexpr int64_t kReloadPauseMs = 500;  // changes arriving from sync reload at most this often

// ---- dates for the close-date filter ---------------------------------------------------------

std::string local_date(int year, int month, int day) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = 12;
    tm.tm_isdst = -1;
    std::mktime(&tm);  // normalises day 0, day 32, month 13
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

std::tm today_tm(int64_t now_ms) {
    std::time_t t = static_cast<std::time_t>(now_ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    return tm;
}

const char* close_label(CloseWithin c) {
    switch (c) {
        case CloseWithin::Any:
            return "Any close date";
        case CloseWithin::PastDue:
            return "Past close date";
        case CloseWithin::ThisMonth:
            return "Closing this month";
        case CloseWithin::Next30Days:
            return "Closing in 30 days";
        case CloseWithin::ThisQuarter:
            return "Closing this quarter";
    }
    return "";
}

// The close-date preset as conditions on close_date (ISO dates compare as text).
void add_close_conditions(Filter& f, CloseWithin c, int64_t now_ms) {
    const std::tm t = today_tm(now_ms);
    const int y = t.tm_year + 1900, m = t.tm_mon + 1, d = t.tm_mday;
    const std::string today = local_date(y, m, d);
    switch (c) {
        case CloseWithin::Any:
            return;
        case CloseWithin::PastDue:
            f.conditions.push_back({"close_date", Op::Lt, today});
            f.conditions.push_back({"status", Op::Eq, "open"});
            return;
        case CloseWithin::ThisMonth:
            f.conditions.push_back({"close_date", Op::Ge, local_date(y, m, 1)});
            f.conditions.push_back({"close_date", Op::Lt, local_date(y, m + 1, 1)});
            return;
        case CloseWithin::Next30Days:
            f.conditions.push_back({"close_date", Op::Ge, today});
            f.conditions.push_back({"close_date", Op::Le, local_date(y, m, d + 30)});
            return;
        case CloseWithin::ThisQuarter: {
            const int first = (m - 1) / 3 * 3 + 1;
            f.conditions.push_back({"close_date", Op::Ge, local_date(y, first, 1)});
            f.conditions.push_back({"close_date", Op::Lt, local_date(y, first + 3, 1)});
            return;
        }
    }
}

// ---- money ---------------------------------------------------------------------------------------

std::string money(double amount, const std::string& currency, int decimals) {
    const std::string n = format_number(amount, decimals);
    return currency.empty() ? n : currency + " " + n;
}

std::string card_amount(const BoardCard& c) {
    if (!c.has_amount) return "";
    const bool whole = std::fabs(c.amount - std::round(c.amount)) < 0.005;
    return money(c.amount, c.currency, whole ? 0 : 2);
}

// A column's total: one amount per currency, largest first. Amounts in different currencies are
// never added together; past two currencies the rest are counted ("+ 2 more") and listed in the
// header's tooltip.
std::vector<std::pair<std::string, double>> totals_by_size(const BoardColumn& c) {
    std::vector<std::pair<std::string, double>> out(c.totals.begin(), c.totals.end());
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
}

std::string totals_text(const BoardColumn& c) {
    const auto sorted = totals_by_size(c);
    if (sorted.empty()) return "no amounts";
    std::string s;
    for (size_t i = 0; i < sorted.size() && i < 2; ++i)
        s += (i ? " + " : "") + money(sorted[i].second, sorted[i].first, 0);
    if (sorted.size() > 2) s += " + " + std::to_string(sorted.size() - 2) + " more";
    return s;
}

// ---- reading the board ---------------------------------------------------------------------------

std::string like_pattern(const std::string& text) {
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out + "%";
}

void load_pipelines(AppState& app, BoardView& b) {
    if (b.pipelines_version == app.data_version) return;
    b.pipelines_version = app.data_version;
    b.pipelines.clear();
    auto st = app.store->db().prepare(
        "SELECT id, name FROM pipelines WHERE deleted = 0 ORDER BY position IS NULL, position, name COLLATE NOCASE");
    if (!st) return;
    while (true) {
        auto row = st->step();
        if (!row || !*row) break;
        b.pipelines.emplace_back(st->text(0), st->text(1));
    }
    const bool known =
        std::any_of(b.pipelines.begin(), b.pipelines.end(), [&](const auto& p) { return p.first == b.pipeline_id; });
    if (!known) b.pipeline_id = b.pipelines.empty() ? "" : b.pipelines.front().first;
}

// Reads the stages and the matching deals of the pipeline: one query for the cards, grouped and
// summed here, so counts and totals always agree with the cards shown.
void load_board(AppState& app, BoardView& b) {
    const auto t0 = std::chrono::steady_clock::now();
    Db& db = app.store->db();
    b.columns.clear();
    b.owners.clear();
    std::map<std::string, size_t> column_of;
    if (auto st = db.prepare("SELECT id, name, outcome FROM stages WHERE pipeline_id = ?1 AND deleted = 0 "
                             "ORDER BY position IS NULL, position, name COLLATE NOCASE")) {
        st->bind(1, b.pipeline_id);
        while (true) {
            auto row = st->step();
            if (!row || !*row) break;
            column_of[st->text(0)] = b.columns.size();
            b.columns.push_back({st->text(0), st->text(1), st->text(2), {}, {}});
        }
    }
    if (auto st = db.prepare("SELECT DISTINCT owner FROM deals WHERE pipeline_id = ?1 AND deleted = 0 AND owner != '' "
                             "ORDER BY owner COLLATE NOCASE LIMIT 200")) {
        st->bind(1, b.pipeline_id);
        while (true) {
            auto row = st->step();
            if (!row || !*row) break;
            b.owners.push_back(st->text(0));
        }
    }

    Query q;
    q.filter.conditions.push_back({"pipeline_id", Op::Eq, b.pipeline_id});
    if (!b.owner.empty()) q.filter.conditions.push_back({"owner", Op::Eq, b.owner});
    add_close_conditions(q.filter, b.close, sync_now(app));
    auto compiled = compile_query(*find_record_spec("deal"), q);
    if (!compiled) {
        b.error = compiled.error().to_string();
        return;
    }
    std::string where = compiled->where;
    std::vector<json> params = compiled->params;
    const std::string text(trim(b.applied_text));
    if (!text.empty()) {
        const std::string n = std::to_string(params.size() + 1);
        where += " AND (name LIKE ?" + n +
                 " ESCAPE '\\' OR company_id IN (SELECT id FROM companies WHERE deleted = 0 "
                 "AND name LIKE ?" +
                 n + " ESCAPE '\\'))";
        params.push_back(like_pattern(text));
    }
    auto st = db.prepare(
        "SELECT id, name, amount, currency, close_date, stage_id, status, "
        "(SELECT c.name FROM companies c WHERE c.id = deals.company_id AND c.deleted = 0) FROM deals WHERE " +
        where + " ORDER BY close_date IS NULL, close_date, name COLLATE NOCASE, id");
    if (!st) {
        b.error = st.error().to_string();
        return;
    }
    bind_params(*st, params);
    while (true) {
        auto row = st->step();
        if (!row) {
            b.error = row.error().to_string();
            break;
        }
        if (!*row) break;
        auto col = column_of.find(st->text(5));
        if (col == column_of.end()) continue;  // a stage deleted meanwhile: the deal shows again once moved
        BoardCard c;
        c.id = st->text(0);
        c.name = st->text(1);
        c.has_amount = !st->is_null(2);
        c.amount = c.has_amount ? st->real(2) : 0;
        c.currency = st->text(3);
        c.close_date = st->text(4);
        c.status = st->text(6);
        c.company = st->text(7);
        BoardColumn& column = b.columns[col->second];
        if (c.has_amount) column.totals[c.currency] += c.amount;
        column.cards.push_back(std::move(c));
    }
    b.last_load_ms = std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - t0).count();
    ++b.loads;
}

// Reads the board again when the filters or the data changed. Changes arriving from other
// devices (a long sync) reload at most every half second; a move made here reloads at once.
void refresh(AppState& app, BoardView& b) {
    const std::string shape =
        b.pipeline_id + "|" + b.owner + "|" + std::to_string(static_cast<int>(b.close)) + "|" + b.applied_text;
    const std::string key = shape + "|" + std::to_string(app.data_version);
    if (key == b.query_key) return;
    const bool only_data = b.query_key.rfind(shape + "|", 0) == 0;
    const int64_t now = platform::now_ms();
    if (only_data && !b.reload_now && now - b.loaded_ms < kReloadPauseMs && !b.dragging) {
        app.redraw_frames = std::max(app.redraw_frames, 1);
        return;
    }
    if (b.dragging) return;  // the columns stay put under a dragged card; read again on the drop
    b.query_key = key;
    b.loaded_ms = now;
    b.reload_now = false;
    if (!only_data) ++b.filter_loads;
    load_board(app, b);
}

// ---- moving deals ----------------------------------------------------------------------------------

void move_card(AppState& app, BoardView& b, const BoardCard& card, int from, int to) {
    const BoardColumn& target = b.columns[static_cast<size_t>(to)];
    Status s = app.store->move_deal(card.id, target.stage_id, sync_now(app));
    if (!s) {
        b.error = "\"" + card.name + "\" was not moved: " + s.error().message;
        return;
    }
    b.error.clear();
    b.moved_id = card.id;
    b.moved_name = card.name;
    b.moved_from_stage = b.columns[static_cast<size_t>(from)].stage_id;
    b.moved_to_name = target.name;
    b.moved_outcome = target.outcome;
    b.reason.clear();
    b.reason_saved = false;
    b.moved_until_ms = platform::now_ms() + 10000;
    ++b.moves;
    b.reload_now = true;
    after_local_edit(app);
}

// Keeps why a deal was won or lost (its close_reason, which win/loss reports group by).
void save_reason(AppState& app, BoardView& b) {
    const std::string reason(trim(b.reason));
    if (reason.empty()) return;
    if (Status s = app.store->update("deal", b.moved_id, json{{"close_reason", reason}}, sync_now(app)); !s) {
        b.error = "The reason for \"" + b.moved_name + "\" was not saved: " + s.error().message;
        return;
    }
    b.reason_saved = true;
    b.moved_until_ms = platform::now_ms() + 4000;
    after_local_edit(app);
}

void undo_move(AppState& app, BoardView& b) {
    Status s = app.store->move_deal(b.moved_id, b.moved_from_stage, sync_now(app));
    b.moved_until_ms = 0;
    // The reason given with the move goes with it.
    if (s && b.reason_saved) s = app.store->update("deal", b.moved_id, json{{"close_reason", ""}}, sync_now(app));
    if (!s) {
        b.error = "The move of \"" + b.moved_name + "\" was not undone: " + s.error().message;
        return;
    }
    ++b.moves;
    b.reload_now = true;
    after_local_edit(app);
}

// ---- drawing --------------------------------------------------------------------------------------

ImU32 colour(const ImVec4& c, float alpha = 1.0f) {
    return ImGui::GetColorU32(ImVec4(c.x, c.y, c.z, c.w * alpha));
}

// Text cut with "..." to fit between x0 and x1.
void text_fit(ImDrawList* dl, ImVec2 pos, float x1, const ImVec4& c, const std::string& text) {
    ImGui::PushStyleColor(ImGuiCol_Text, c);
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    ImGui::RenderTextEllipsis(dl, pos, ImVec2(x1, pos.y + size.y), x1, x1, text.c_str(), nullptr, &size);
    ImGui::PopStyleColor();
}

// Draws a card's face at `min` (in a column, or following the pointer while dragged).
void draw_card_face(ImDrawList* dl, ImVec2 min, float w, const BoardCard& c, const std::string& today, float alpha,
                    bool hovered, bool lifted) {
    const ImVec2 max(min.x + w, min.y + kCardHeight);
    if (lifted)
        dl->AddRectFilled(ImVec2(min.x + 3, min.y + 5), ImVec2(max.x + 3, max.y + 5), IM_COL32(0, 0, 0, 40), 8.0f);
    dl->AddRectFilled(min, max, colour(theme::kPanel, alpha), 8.0f);
    dl->AddRect(min, max, colour(hovered || lifted ? theme::kAccent : theme::kQuietBorder, alpha), 8.0f, 0,
                hovered || lifted ? 1.5f : 1.0f);
    const float pad = 12, line = ImGui::GetTextLineHeight();
    const float x0 = min.x + pad, x1 = max.x - pad;
    ImVec4 text = theme::kText, muted = theme::kMuted;
    text.w *= alpha;
    muted.w *= alpha;
    // Name; company with the close date on the right (red once it has passed on an open deal); amount.
    text_fit(dl, ImVec2(x0, min.y + 9), x1, text, c.name);
    const float y2 = min.y + 9 + line + 2;
    std::string date = c.close_date.empty() ? "no close date" : c.close_date;
    ImVec4 date_colour = muted;
    if (!c.close_date.empty() && c.status == "open" && c.close_date < today) {
        date_colour = theme::kError;
        date_colour.w *= alpha;
    }
    const float date_w = ImGui::CalcTextSize(date.c_str()).x;
    dl->AddText(ImVec2(x1 - date_w, y2), ImGui::GetColorU32(date_colour), date.c_str());
    text_fit(dl, ImVec2(x0, y2), x1 - date_w - 10, muted, c.company.empty() ? "No company" : c.company);
    text_fit(dl, ImVec2(x0, min.y + kCardHeight - 9 - line), x1, c.has_amount ? text : muted,
             c.has_amount ? card_amount(c) : "No amount");
}

void draw_filters(AppState& app, BoardView& b) {
    push_quiet_combo();
    ImGui::SetNextItemWidth(260);
    if (input_text("##board_text", b.text, 0, "Filter by deal or company name")) b.text_typed_ms = platform::now_ms();
    test_hooks::track("Board filter");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(200);
    const std::string owner_label = b.owner.empty() ? "Any owner" : b.owner;
    if (ImGui::BeginCombo("##owner", owner_label.c_str())) {
        test_hooks::track("Board owner");
        if (ImGui::Selectable("Any owner", b.owner.empty())) b.owner.clear();
        test_hooks::track("Option Any owner");
        for (const auto& o : b.owners) {
            if (ImGui::Selectable(o.c_str(), o == b.owner)) b.owner = o;
            test_hooks::track("Option " + o);
        }
        if (b.owners.empty()) ImGui::TextColored(theme::kMuted, "No deal has an owner yet");
        ImGui::EndCombo();
    } else {
        test_hooks::track("Board owner");
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(200);
    if (ImGui::BeginCombo("##close", close_label(b.close))) {
        test_hooks::track("Board close");
        for (CloseWithin c : {CloseWithin::Any, CloseWithin::PastDue, CloseWithin::ThisMonth, CloseWithin::Next30Days,
                              CloseWithin::ThisQuarter}) {
            if (ImGui::Selectable(close_label(c), c == b.close)) b.close = c;
            test_hooks::track(std::string("Option ") + close_label(c));
        }
        ImGui::EndCombo();
    } else {
        test_hooks::track("Board close");
    }
    if (!b.text.empty() || !b.owner.empty() || b.close != CloseWithin::Any) {
        ImGui::SameLine();
        if (quiet_button("Clear filters", "Board clear")) {
            b.text.clear();
            b.applied_text.clear();
            b.owner.clear();
            b.close = CloseWithin::Any;
        }
    }
    pop_quiet_combo();
    (void)app;
}

void draw_column(AppState& app, BoardView& b, int index, ImVec2 pos, float w, float h, const std::string& today) {
    BoardColumn& col = b.columns[static_cast<size_t>(index)];
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const bool target = b.dragging && b.drop_column == index && index != b.drag_from;
    dl->AddRectFilled(pos, ImVec2(pos.x + w, pos.y + h), colour(theme::kSidebar), 10.0f);
    if (target) {
        dl->AddRectFilled(pos, ImVec2(pos.x + w, pos.y + h), colour(theme::kAccent, 0.08f), 10.0f);
        dl->AddRect(pos, ImVec2(pos.x + w, pos.y + h), colour(theme::kAccent), 10.0f, 0, 2.0f);
    }

    // Header: the stage, its count, its total.
    const float pad = 12, line = ImGui::GetTextLineHeight();
    const std::string count = format_number(static_cast<double>(col.cards.size()), 0);
    const float count_w = ImGui::CalcTextSize(count.c_str()).x + 14;
    const ImVec4 stage_colour = col.outcome == "won"    ? theme::kOk
                                : col.outcome == "lost" ? theme::kMuted
                                                        : theme::kText;
    text_fit(dl, ImVec2(pos.x + pad, pos.y + 10), pos.x + w - pad - count_w - 6, stage_colour, col.name);
    const ImVec2 badge(pos.x + w - pad - count_w, pos.y + 9);
    dl->AddRectFilled(badge, ImVec2(badge.x + count_w, badge.y + line + 2), colour(theme::kQuietButton), 9.0f);
    dl->AddText(ImVec2(badge.x + 7, badge.y + 1), colour(theme::kText), count.c_str());
    const std::string total = totals_text(col);
    text_fit(dl, ImVec2(pos.x + pad, pos.y + 14 + line), pos.x + w - pad, theme::kMuted, total);
    ImGui::SetCursorScreenPos(pos);
    ImGui::InvisibleButton("##header", ImVec2(w, kHeaderHeight - 6));
    test_hooks::track("Column header " + col.name);
    if (ImGui::IsItemHovered() && col.totals.size() > 1 && !b.dragging) {
        ImGui::BeginTooltip();
        for (const auto& [currency, amount] : totals_by_size(col))
            ImGui::TextUnformatted(money(amount, currency, 2).c_str());
        ImGui::EndTooltip();
    }

    // The cards: a scrolling child that draws only the ones in view.
    ImGui::SetCursorScreenPos(ImVec2(pos.x, pos.y + kHeaderHeight));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(8, 2));
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, kCardGap));
    ImGui::PushStyleVar(ImGuiStyleVar_ScrollbarSize, 8);
    ImGui::PushID(index);
    ImGui::BeginChild("##cards", ImVec2(w, h - kHeaderHeight - 4), false,
                      ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_AlwaysUseWindowPadding);
    test_hooks::track_window("Column " + col.name);
    ImDrawList* cdl = ImGui::GetWindowDrawList();
    const float card_w = ImGui::GetContentRegionAvail().x;
    col.visible_first = col.visible_end = 0;
    if (col.cards.empty()) {
        ImGui::Dummy(ImVec2(card_w, 4));
        const char* hint = b.dragging ? "Drop a card here" : "No deals";
        const float hw = ImGui::CalcTextSize(hint).x;
        cdl->AddText(ImVec2(pos.x + (w - hw) * 0.5f, pos.y + kHeaderHeight + 24), colour(theme::kMuted), hint);
    } else {
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(col.cards.size()), kCardHeight + kCardGap);
        bool first = true;
        while (clipper.Step()) {
            if (first) {
                col.visible_first = clipper.DisplayStart;
                col.visible_end = clipper.DisplayEnd;
                first = false;
            }
            for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
                const BoardCard& c = col.cards[static_cast<size_t>(i)];
                ImGui::PushID(i);
                const ImVec2 min = ImGui::GetCursorScreenPos();
                const bool clicked = ImGui::InvisibleButton("##card", ImVec2(card_w, kCardHeight));
                const bool hovered = ImGui::IsItemHovered() && !b.dragging;
                test_hooks::track("Card " + c.name);
                if (ImGui::IsItemActivated()) {
                    b.drag_card = c;
                    b.drag_from = index;
                    b.dragging = false;
                    b.grab_x = ImGui::GetIO().MousePos.x - min.x;
                    b.grab_y = ImGui::GetIO().MousePos.y - min.y;
                }
                const bool lifted_here = b.dragging && b.drag_card.id == c.id;
                // A click opens the deal; a press that moved (a drag, even one cancelled with Esc) does not.
                if (clicked && !b.dragging && ImGui::GetIO().MouseDragMaxDistanceSqr[ImGuiMouseButton_Left] < 25.0f)
                    navigate(app, record_route("deal", c.id));
                if (hovered) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
                // While dragged, its place in the column stays as a faint outline.
                draw_card_face(cdl, min, card_w, c, today, lifted_here ? 0.35f : 1.0f, hovered, false);
                ImGui::PopID();
                ++b.cards_drawn;
            }
        }
    }
    // Dragging near the top or bottom edge scrolls the column under the pointer.
    if (target || (b.dragging && b.drop_column == index)) {
        const float my = ImGui::GetIO().MousePos.y, top = ImGui::GetWindowPos().y,
                    bottom = top + ImGui::GetWindowSize().y;
        if (my < top + 40) ImGui::SetScrollY(std::max(0.0f, ImGui::GetScrollY() - 14));
        if (my > bottom - 40) ImGui::SetScrollY(std::min(ImGui::GetScrollMaxY(), ImGui::GetScrollY() + 14));
    }
    ImGui::EndChild();
    ImGui::PopID();
    ImGui::PopStyleVar(3);
}

// What happens to a pressed card: past the threshold it follows the pointer; released over
// another column it moves there; Escape puts it back.
void handle_drag(AppState& app, BoardView& b, const std::vector<std::pair<float, float>>& spans, float top,
                 float bottom, float card_w, const std::string& today) {
    if (b.drag_card.id.empty()) return;
    ImGuiIO& io = ImGui::GetIO();
    if (!b.dragging && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 5.0f)) b.dragging = true;
    const bool cancel = ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape));
    b.drop_column = -1;
    if (b.dragging && io.MousePos.y >= top - 40 && io.MousePos.y <= bottom + 40)
        for (size_t i = 0; i < spans.size(); ++i)
            if (io.MousePos.x >= spans[i].first - kColumnGap / 2 && io.MousePos.x < spans[i].second + kColumnGap / 2)
                b.drop_column = static_cast<int>(i);
    if (b.dragging && !cancel) {
        const ImVec2 at(io.MousePos.x - b.grab_x, io.MousePos.y - b.grab_y);
        draw_card_face(ImGui::GetForegroundDrawList(), at, card_w, b.drag_card, today, 1.0f, false, true);
        ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeAll);
        app.redraw_frames = std::max(app.redraw_frames, 2);
    }
    if (cancel || !ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
        if (!cancel && b.dragging && b.drop_column >= 0 && b.drop_column != b.drag_from &&
            b.drag_from < static_cast<int>(b.columns.size()))
            move_card(app, b, b.drag_card, b.drag_from, b.drop_column);
        b.drag_card = BoardCard{};
        b.drag_from = b.drop_column = -1;
        b.dragging = false;
        app.redraw_frames = std::max(app.redraw_frames, 2);
    }
}

}  // namespace

void draw_board(AppState& app) {
    BoardView& b = app.board;
    const int64_t now = platform::now_ms();
    if (now - b.text_typed_ms >= kFilterPauseMs)
        b.applied_text = b.text;
    else
        app.redraw_frames = std::max(app.redraw_frames, 1);  // until the pause applies it
    load_pipelines(app, b);
    refresh(app, b);
    b.cards_drawn = 0;

    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(theme::kPagePadding, 16));
    ImGui::BeginChild("##board_screen", ImVec2(0, 0), false,
                      ImGuiWindowFlags_AlwaysUseWindowPadding | ImGuiWindowFlags_NoScrollbar);
    ImGui::PopStyleVar();
    title_text("Pipeline");
    ImGui::SameLine(0, 16);
    push_quiet_combo();
    std::string pipeline_name;
    for (const auto& [id, name] : b.pipelines)
        if (id == b.pipeline_id) pipeline_name = name;
    ImGui::SetNextItemWidth(220);
    if (ImGui::BeginCombo("##pipeline", pipeline_name.c_str())) {
        test_hooks::track("Pipeline");
        for (const auto& [id, name] : b.pipelines) {
            ImGui::PushID(id.c_str());
            if (ImGui::Selectable(name.c_str(), id == b.pipeline_id) && id != b.pipeline_id) {
                b.pipeline_id = id;
                b.moved_until_ms = 0;
            }
            test_hooks::track("Option " + name);
            ImGui::PopID();
        }
        ImGui::EndCombo();
    } else {
        test_hooks::track("Pipeline");
    }
    pop_quiet_combo();
    {
        int64_t deals = 0;
        for (const auto& c : b.columns) deals += static_cast<int64_t>(c.cards.size());
        ImGui::SameLine(0, 16);
        ImGui::AlignTextToFramePadding();
        ImGui::TextColored(theme::kMuted, "%s", count_text(deals, "deal", "deals").c_str());
        test_hooks::track("Board count");
    }
    ImGui::Spacing();
    draw_filters(app, b);

    // One line for what just happened: the domain's refusal, or the last move with Undo.
    if (!b.error.empty()) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextColored(theme::kError, "%s", b.error.c_str());
        test_hooks::track("Board error");
        ImGui::SameLine();
        if (quiet_button("Dismiss", "Board error dismiss")) b.error.clear();
    } else if (now < b.moved_until_ms) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextColored(theme::kOk, "Moved \"%s\" to %s.", b.moved_name.c_str(), b.moved_to_name.c_str());
        test_hooks::track("Board notice");
        // A deal won or lost: why, in the same line (optional; Enter or Save keeps it).
        if ((b.moved_outcome == "won" || b.moved_outcome == "lost") && !b.reason_saved) {
            ImGui::SameLine(0, 12);
            ImGui::SetNextItemWidth(320);
            const char* hint = b.moved_outcome == "won" ? "Why was it won? (optional)" : "Why was it lost? (optional)";
            const bool enter = input_text("##reason", b.reason, ImGuiInputTextFlags_EnterReturnsTrue, hint);
            test_hooks::track("Board reason");
            // The notice stays while the reason is being written.
            if (ImGui::IsItemActive() || !b.reason.empty()) b.moved_until_ms = std::max(b.moved_until_ms, now + 10000);
            ImGui::SameLine();
            if (quiet_button("Save reason", "Board reason save") || enter) save_reason(app, b);
        } else if (b.reason_saved) {
            ImGui::SameLine(0, 12);
            ImGui::TextColored(theme::kMuted, "Reason saved.");
        }
        ImGui::SameLine(0, 12);
        ImGui::SetCursorPosY(ImGui::GetCursorPosY() + ImGui::GetStyle().FramePadding.y);  // on the text's line
        if (link("Undo", "Board undo")) undo_move(app, b);
    } else {
        ImGui::AlignTextToFramePadding();
        ImGui::TextColored(theme::kMuted, "Drag a card to another stage to move the deal. Click it to open the deal.");
    }
    ImGui::Spacing();

    if (b.pipelines.empty()) {
        ImGui::TextColored(theme::kMuted, "No pipeline yet.");
        ImGui::EndChild();
        return;
    }
    // The columns fill the width; with many stages the board scrolls sideways.
    const int n = static_cast<int>(b.columns.size());
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float col_w = n == 0
                            ? kColumnMinWidth
                            : std::floor(std::max(kColumnMinWidth, (avail.x - kColumnGap * static_cast<float>(n - 1)) /
                                                                       static_cast<float>(n)));
    const float board_w = col_w * static_cast<float>(n) + kColumnGap * static_cast<float>(std::max(0, n - 1));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::BeginChild("##board", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::PopStyleVar();
    test_hooks::track_window("Board");
    const float h = ImGui::GetContentRegionAvail().y - (board_w > avail.x ? 0 : 2);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const std::tm t = today_tm(sync_now(app));
    const std::string today = local_date(t.tm_year + 1900, t.tm_mon + 1, t.tm_mday);
    std::vector<std::pair<float, float>> spans;
    for (int i = 0; i < n; ++i) {
        const float x = origin.x + static_cast<float>(i) * (col_w + kColumnGap);
        spans.emplace_back(x, x + col_w);
        draw_column(app, b, i, ImVec2(x, origin.y), col_w, h, today);
    }
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(ImVec2(board_w, h));
    // Near the left or right edge a drag scrolls the board sideways.
    if (b.dragging && board_w > avail.x) {
        const float mx = ImGui::GetIO().MousePos.x, left = ImGui::GetWindowPos().x,
                    right = left + ImGui::GetWindowSize().x;
        if (mx < left + 40) ImGui::SetScrollX(std::max(0.0f, ImGui::GetScrollX() - 16));
        if (mx > right - 40) ImGui::SetScrollX(std::min(ImGui::GetScrollMaxX(), ImGui::GetScrollX() + 16));
    }
    if (n == 0) ImGui::TextColored(theme::kMuted, "This pipeline has no stages yet.");
    handle_drag(app, b, spans, origin.y, origin.y + h, col_w - 16, today);
    ImGui::EndChild();
    ImGui::EndChild();
}

nlohmann::json board_state(const AppState& app) {
    const BoardView& b = app.board;
    json columns = json::array();
    int64_t total = 0;
    for (const auto& c : b.columns) {
        json totals = json::object(), visible = json::array();
        for (const auto& [currency, amount] : c.totals) totals[currency] = amount;
        for (int i = c.visible_first; i < c.visible_end && i < static_cast<int>(c.cards.size()) && visible.size() < 12;
             ++i)
            visible.push_back(c.cards[static_cast<size_t>(i)].name);
        json cards = json::array();
        for (size_t i = 0; i < c.cards.size() && i < 50; ++i) cards.push_back(c.cards[i].name);
        columns.push_back({{"stage", c.stage_id},
                           {"name", c.name},
                           {"outcome", c.outcome},
                           {"count", c.cards.size()},
                           {"totals", totals},
                           {"totalText", totals_text(c)},
                           {"cards", cards},
                           {"visible", visible}});
        total += static_cast<int64_t>(c.cards.size());
    }
    return {{"pipeline", b.pipeline_id},
            {"pipelines", b.pipelines.size()},
            {"columns", columns},
            {"deals", total},
            {"countText", count_text(total, "deal", "deals")},
            {"loads", b.loads},
            {"filterLoads", b.filter_loads},
            {"lastLoadMs", b.last_load_ms},
            {"cardsDrawn", b.cards_drawn},
            {"dragging", b.dragging},
            {"dragCard", b.drag_card.name},
            {"dropColumn", b.drop_column},
            {"moves", b.moves},
            {"reasonSaved", b.reason_saved},
            {"error", b.error},
            {"filters", {{"text", b.applied_text}, {"owner", b.owner}, {"close", close_label(b.close)}}},
            {"owners", b.owners}};
}

}  // namespace crm
