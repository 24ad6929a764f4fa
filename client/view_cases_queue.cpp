// The cases queue: open cases grouped by status, most urgent first within each, with countdowns
// to their first-response and resolution due times (computed by the domain in business hours
// when the case was opened). Breached targets are red, those within the last hour amber. The
// cases are read once per filter or data change; the countdowns are worked out per frame for the
// rows on screen only.
#include <algorithm>
#include <chrono>

#include "deadlines.h"
#include "imgui.h"
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

constexpr int64_t kReloadPauseMs = 500;
const char* const kOpenStatuses[] = {"new", "open", "pending", "on_hold"};
const char* const kPriorities[] = {"urgent", "high", "normal", "low"};

int rank(const char* const* list, size_t n, const std::string& v) {
    for (size_t i = 0; i < n; ++i)
        if (v == list[i]) return static_cast<int>(i);
    return static_cast<int>(n);
}
int status_rank(const std::string& s) {
    return rank(kOpenStatuses, std::size(kOpenStatuses), s);
}
int priority_rank(const std::string& p) {
    return rank(kPriorities, std::size(kPriorities), p);
}

std::optional<int64_t> opt(int64_t ms) {
    return ms ? std::optional<int64_t>(ms) : std::nullopt;
}

SlaClock first_response_clock(const QueueRow& r, int64_t now) {
    return sla_clock(opt(r.first_response_due_ms), opt(r.first_response_ms), now);
}
SlaClock resolution_clock(const QueueRow& r, int64_t now) {
    return sla_clock(opt(r.resolution_due_ms), opt(r.resolved_ms), now);
}

// The due time a row is waiting on first: the first response until there is one, then resolution.
int64_t next_due(const QueueRow& r) {
    if (!r.first_response_ms && r.first_response_due_ms) return r.first_response_due_ms;
    return r.resolution_due_ms ? r.resolution_due_ms : INT64_MAX;
}

// The worse of a case's two clocks, for the row's colour.
SlaState row_state(const QueueRow& r, int64_t now) {
    const SlaState a = first_response_clock(r, now).state, b = resolution_clock(r, now).state;
    if (a == SlaState::Breached || b == SlaState::Breached) return SlaState::Breached;
    if (a == SlaState::NearBreach || b == SlaState::NearBreach) return SlaState::NearBreach;
    return SlaState::Running;
}

const char* state_name(SlaState s) {
    switch (s) {
        case SlaState::None:
            return "none";
        case SlaState::Running:
            return "running";
        case SlaState::NearBreach:
            return "near";
        case SlaState::Breached:
            return "breached";
        case SlaState::Met:
            return "met";
        case SlaState::Late:
            return "late";
    }
    return "";
}

std::string clock_text(const SlaClock& c) {
    switch (c.state) {
        case SlaState::None:
            return "-";
        case SlaState::Met:
            return "met";
        case SlaState::Late:
            return "met late";
        default:
            return countdown_text(c.remaining_ms);
    }
}

void bind_all(Stmt& st, const std::vector<std::string>& params) {
    for (size_t i = 0; i < params.size(); ++i) st.bind(static_cast<int>(i + 1), params[i]);
}

void load_queue(AppState& app, CasesQueue& q) {
    const auto t0 = std::chrono::steady_clock::now();
    std::string where = "deleted = 0 AND status IN ('new', 'open', 'pending', 'on_hold')";
    std::vector<std::string> params;
    if (!q.status.empty()) {
        params.push_back(q.status);
        where += " AND status = ?" + std::to_string(params.size());
    }
    if (!q.priority.empty()) {
        params.push_back(q.priority);
        where += " AND priority = ?" + std::to_string(params.size());
    }
    const std::string text(trim(q.applied_text));
    if (!text.empty()) {
        std::string pattern = "%";
        for (char c : text) {
            if (c == '%' || c == '_' || c == '\\') pattern += '\\';
            pattern += c;
        }
        params.push_back(pattern + "%");
        where += " AND (subject LIKE ?" + std::to_string(params.size()) + " ESCAPE '\\' OR queue LIKE ?" +
                 std::to_string(params.size()) + " ESCAPE '\\')";
    }
    q.rows.clear();
    auto st = app.store->db().prepare(
        "SELECT id, subject, status, priority, queue, opened_at, first_response_due_at, first_response_at, "
        "resolution_due_at, resolved_at, (SELECT name FROM contacts c WHERE c.id = cases.contact_id), "
        "(SELECT name FROM companies c WHERE c.id = cases.company_id) FROM cases WHERE " +
        where);
    if (!st) return;
    bind_all(*st, params);
    auto ms = [&](int col) { return st->is_null(col) ? int64_t{0} : st->integer(col); };
    while (true) {
        auto row = st->step();
        if (!row || !*row) break;
        QueueRow r;
        r.id = st->text(0);
        r.subject = st->text(1);
        r.status = st->text(2);
        r.priority = st->text(3);
        r.queue = st->text(4);
        r.opened_ms = ms(5);
        r.first_response_due_ms = ms(6);
        r.first_response_ms = ms(7);
        r.resolution_due_ms = ms(8);
        r.resolved_ms = ms(9);
        r.who = st->text(10).empty() ? st->text(11) : st->text(10);
        q.rows.push_back(std::move(r));
    }
    // By status (new first), then priority (urgent first), then the nearest due time.
    std::sort(q.rows.begin(), q.rows.end(), [](const QueueRow& a, const QueueRow& b) {
        const int sa = status_rank(a.status), sb = status_rank(b.status);
        if (sa != sb) return sa < sb;
        const int pa = priority_rank(a.priority), pb = priority_rank(b.priority);
        if (pa != pb) return pa < pb;
        const int64_t da = next_due(a), db = next_due(b);
        if (da != db) return da < db;
        return a.id < b.id;
    });
    q.last_load_ms = std::chrono::duration<float, std::milli>(std::chrono::steady_clock::now() - t0).count();
    ++q.loads;
}

void refresh(AppState& app, CasesQueue& q) {
    const std::string shape = q.status + "|" + q.priority + "|" + q.applied_text;
    const std::string key = shape + "|" + std::to_string(app.data_version);
    if (key == q.query_key) return;
    const int64_t now = platform::now_ms();
    if (q.query_key.rfind(shape + "|", 0) == 0 && now - q.loaded_ms < kReloadPauseMs) {
        app.redraw_frames = std::max(app.redraw_frames, 1);  // a burst of synced changes: read once it settles
        return;
    }
    q.query_key = key;
    q.loaded_ms = now;
    load_queue(app, q);
}

void draw_clock(const SlaClock& c, const std::string& track) {
    const ImVec4 colour = c.state == SlaState::Breached     ? theme::kError
                          : c.state == SlaState::NearBreach ? theme::kWarn
                          : c.state == SlaState::Late       ? theme::kError
                          : c.state == SlaState::Met        ? theme::kOk
                                                            : theme::kText;
    ImGui::TextColored(colour, "%s", clock_text(c).c_str());
    test_hooks::track(track);
}

void draw_filters(CasesQueue& q) {
    push_quiet_combo();
    ImGui::SetNextItemWidth(240);
    if (input_text("##queue_text", q.text, 0, "Filter by subject or queue")) q.text_typed_ms = platform::now_ms();
    test_hooks::track("Queue filter");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(170);
    const std::string status = q.status.empty() ? "Every open status" : humanize(q.status);
    if (ImGui::BeginCombo("##status", status.c_str())) {
        test_hooks::track("Queue status");
        if (ImGui::Selectable("Every open status", q.status.empty())) q.status.clear();
        test_hooks::track("Option Every open status");
        for (const char* s : kOpenStatuses) {
            if (ImGui::Selectable(humanize(s).c_str(), q.status == s)) q.status = s;
            test_hooks::track("Option " + humanize(s));
        }
        ImGui::EndCombo();
    } else {
        test_hooks::track("Queue status");
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(150);
    const std::string priority = q.priority.empty() ? "Any priority" : humanize(q.priority);
    if (ImGui::BeginCombo("##priority", priority.c_str())) {
        test_hooks::track("Queue priority");
        if (ImGui::Selectable("Any priority", q.priority.empty())) q.priority.clear();
        test_hooks::track("Option Any priority");
        for (const char* p : kPriorities) {
            if (ImGui::Selectable(humanize(p).c_str(), q.priority == p)) q.priority = p;
            test_hooks::track("Option " + humanize(p));
        }
        ImGui::EndCombo();
    } else {
        test_hooks::track("Queue priority");
    }
    pop_quiet_combo();
}

}  // namespace

void draw_cases_queue(AppState& app) {
    CasesQueue& q = app.queue;
    if (platform::now_ms() - q.text_typed_ms >= kFilterPauseMs)
        q.applied_text = q.text;
    else
        app.redraw_frames = std::max(app.redraw_frames, 1);
    refresh(app, q);
    const int64_t now = sync_now(app);

    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(theme::kPagePadding, 16));
    ImGui::BeginChild("##queue_screen", ImVec2(0, 0), false,
                      ImGuiWindowFlags_AlwaysUseWindowPadding | ImGuiWindowFlags_NoScrollbar);
    ImGui::PopStyleVar();
    title_text("Case queue");
    ImGui::SameLine(0, 16);
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 3);
    int64_t breached = 0, near = 0;
    for (const auto& r : q.rows) {
        const SlaState s = row_state(r, now);
        breached += s == SlaState::Breached;
        near += s == SlaState::NearBreach;
    }
    ImGui::TextColored(theme::kMuted, "%s open", format_number(static_cast<double>(q.rows.size()), 0).c_str());
    test_hooks::track("Queue count");
    if (breached) {
        ImGui::SameLine(0, 16);
        ImGui::TextColored(theme::kError, "%lld breached", static_cast<long long>(breached));
    }
    if (near) {
        ImGui::SameLine(0, 16);
        ImGui::TextColored(theme::kWarn, "%lld due within the hour", static_cast<long long>(near));
    }
    ImGui::Spacing();
    draw_filters(q);
    ImGui::Spacing();

    // Group headings are rows of their own, so one clipper covers headings and cases alike.
    struct Line {
        int row = -1;  // index into q.rows; -1 for a heading
        std::string heading;
    };
    std::vector<Line> lines;
    lines.reserve(q.rows.size() + 4);
    for (size_t i = 0; i < q.rows.size(); ++i) {
        if (i == 0 || q.rows[i].status != q.rows[i - 1].status) {
            size_t n = 0;
            for (size_t j = i; j < q.rows.size() && q.rows[j].status == q.rows[i].status; ++j) ++n;
            lines.push_back({-1, humanize(q.rows[i].status) + "  ·  " + std::to_string(n)});
        }
        lines.push_back({static_cast<int>(i), ""});
    }

    const float row_h = ImGui::GetTextLineHeight() + theme::kRowPaddingY * 2;
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp |
                                  ImGuiTableFlags_Resizable;
    ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(10, theme::kRowPaddingY));
    if (ImGui::BeginTable("##queue", 7, flags, ImVec2(0, ImGui::GetContentRegionAvail().y))) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("Subject", ImGuiTableColumnFlags_WidthStretch, 260);
        ImGui::TableSetupColumn("Priority", ImGuiTableColumnFlags_WidthStretch, 80);
        ImGui::TableSetupColumn("Contact / company", ImGuiTableColumnFlags_WidthStretch, 160);
        ImGui::TableSetupColumn("Queue", ImGuiTableColumnFlags_WidthStretch, 90);
        ImGui::TableSetupColumn("First response", ImGuiTableColumnFlags_WidthStretch, 150);
        ImGui::TableSetupColumn("Resolution", ImGuiTableColumnFlags_WidthStretch, 150);
        ImGui::TableSetupColumn("Opened", ImGuiTableColumnFlags_WidthStretch, 130);
        ImGui::TableHeadersRow();
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(lines.size()), row_h);
        bool first = true;
        while (clipper.Step()) {
            if (first) {
                q.visible_first = clipper.DisplayStart;
                q.visible_end = clipper.DisplayEnd;
                first = false;
            }
            for (int li = clipper.DisplayStart; li < clipper.DisplayEnd; ++li) {
                const Line& line = lines[static_cast<size_t>(li)];
                ImGui::TableNextRow(ImGuiTableRowFlags_None, row_h);
                if (line.row < 0) {
                    ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, ImGui::GetColorU32(theme::kSidebar));
                    ImGui::TableSetColumnIndex(0);
                    ImGui::TextColored(theme::kMuted, "%s", line.heading.c_str());
                    continue;
                }
                const QueueRow& r = q.rows[static_cast<size_t>(line.row)];
                const SlaState state = row_state(r, now);
                if (state == SlaState::Breached || state == SlaState::NearBreach) {
                    ImVec4 tint = state == SlaState::Breached ? theme::kError : theme::kWarn;
                    tint.w = 0.12f;
                    ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, ImGui::GetColorU32(tint));
                }
                ImGui::PushID(r.id.c_str());
                ImGui::TableSetColumnIndex(0);
                // A bar at the row's start marks a breach or a near breach for those who do not see colour well.
                if (state == SlaState::Breached || state == SlaState::NearBreach) {
                    const ImVec2 p = ImGui::GetCursorScreenPos();
                    ImGui::GetWindowDrawList()->AddRectFilled(
                        ImVec2(p.x - 10, p.y - theme::kRowPaddingY), ImVec2(p.x - 6, p.y + row_h - theme::kRowPaddingY),
                        ImGui::GetColorU32(state == SlaState::Breached ? theme::kError : theme::kWarn));
                }
                if (link(r.subject.empty() ? "(no subject)" : r.subject, "Case " + r.subject))
                    navigate(app, record_route("case", r.id));
                ImGui::TableSetColumnIndex(1);
                ImGui::TextColored(r.priority == "urgent" ? theme::kError
                                   : r.priority == "high" ? theme::kWarn
                                                          : theme::kText,
                                   "%s", humanize(r.priority).c_str());
                ImGui::TableSetColumnIndex(2);
                ImGui::TextUnformatted(r.who.c_str());
                ImGui::TableSetColumnIndex(3);
                ImGui::TextColored(theme::kMuted, "%s", r.queue.c_str());
                ImGui::TableSetColumnIndex(4);
                draw_clock(first_response_clock(r, now), "First response " + r.subject);
                ImGui::TableSetColumnIndex(5);
                draw_clock(resolution_clock(r, now), "Resolution " + r.subject);
                ImGui::TableSetColumnIndex(6);
                ImGui::TextColored(theme::kMuted, "%s", format_time(r.opened_ms).c_str());
                ImGui::PopID();
            }
        }
        ImGui::EndTable();
        test_hooks::track("Queue table");
    }
    ImGui::PopStyleVar();
    if (q.rows.empty()) {
        const char* hint = q.status.empty() && q.priority.empty() && q.applied_text.empty()
                               ? "No open cases. New cases appear here as they arrive."
                               : "No open cases match these filters.";
        const ImVec2 size = ImGui::CalcTextSize(hint);
        const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
        ImGui::GetWindowDrawList()->AddText(ImVec2((min.x + max.x - size.x) * 0.5f, min.y + row_h * 2.5f),
                                            ImGui::GetColorU32(theme::kMuted), hint);
    }
    ImGui::EndChild();
}

nlohmann::json cases_queue_state(const AppState& app) {
    const CasesQueue& q = app.queue;
    const int64_t now = sync_now(app);
    json rows = json::array();
    for (size_t i = 0; i < q.rows.size() && i < 200; ++i) {
        const QueueRow& r = q.rows[i];
        const SlaClock fr = first_response_clock(r, now), res = resolution_clock(r, now);
        rows.push_back({{"subject", r.subject},
                        {"status", r.status},
                        {"priority", r.priority},
                        {"state", state_name(row_state(r, now))},
                        {"firstResponse", {{"state", state_name(fr.state)}, {"text", clock_text(fr)}}},
                        {"resolution", {{"state", state_name(res.state)}, {"text", clock_text(res)}}}});
    }
    return {{"rows", rows},
            {"total", q.rows.size()},
            {"loads", q.loads},
            {"lastLoadMs", q.last_load_ms},
            {"visibleFirst", q.visible_first},
            {"visibleEnd", q.visible_end},
            {"filters", {{"status", q.status}, {"priority", q.priority}, {"text", q.applied_text}}}};
}

}  // namespace crm
