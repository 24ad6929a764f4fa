// My work: open tasks grouped by when they are due (overdue, due today, upcoming, no due date),
// each with a done toggle and a link to the record it is about, and a quick form for a new task.
// Reminders: a task that falls due while the app is open shows a notice on every screen, once,
// until dismissed.
#include <algorithm>
#include <ctime>

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

constexpr int64_t kGroupShown = 100;  // tasks listed per group; the rest are counted
constexpr int64_t kHourMs = 60 * 60 * 1000;
const char* const kLinkTypes[] = {"deal", "case", "contact", "company"};

// Local midnight at the start of the day `days` after the one holding `now_ms`.
int64_t local_midnight(int64_t now_ms, int days) {
    std::time_t t = static_cast<std::time_t>(now_ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    tm.tm_mday += days;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&tm)) * 1000;
}

int64_t local_time_of_day(int64_t now_ms, int days, int hour, int minute) {
    return local_midnight(now_ms, days) + (static_cast<int64_t>(hour) * 60 + minute) * 60000;
}

// "Today 14:30", "Tomorrow 09:00", "Mon 16 Jun 09:00", or the full date further away.
std::string due_words(int64_t due_ms, int64_t now_ms) {
    std::time_t t = static_cast<std::time_t>(due_ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    char time_of_day[8], date[32];
    std::strftime(time_of_day, sizeof time_of_day, "%H:%M", &tm);
    const int64_t today = local_midnight(now_ms, 0);
    if (due_ms >= today && due_ms < local_midnight(now_ms, 1)) return std::string("Today ") + time_of_day;
    if (due_ms >= local_midnight(now_ms, 1) && due_ms < local_midnight(now_ms, 2))
        return std::string("Tomorrow ") + time_of_day;
    if (due_ms >= local_midnight(now_ms, -1) && due_ms < today) return std::string("Yesterday ") + time_of_day;
    if (due_ms > today - 6 * 24 * kHourMs && due_ms < today + 6 * 24 * kHourMs)
        std::strftime(date, sizeof date, "%a %d %b %H:%M", &tm);
    else
        std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
    return date;
}

// Whose tasks: ?4 is the signed-in person's email.
const char* whose_sql(WhoseTasks w) {
    switch (w) {
        case WhoseTasks::MineAndUnassigned:
            return "(owner = ?4 OR owner = '')";
        case WhoseTasks::Mine:
            return "owner = ?4";
        case WhoseTasks::Everyone:
            return "1";
    }
    return "1";
}

const char* whose_label(WhoseTasks w) {
    switch (w) {
        case WhoseTasks::MineAndUnassigned:
            return "Mine and unassigned";
        case WhoseTasks::Mine:
            return "Only mine";
        case WhoseTasks::Everyone:
            return "Everyone's";
    }
    return "";
}

constexpr const char* kTaskColumns =
    "id, subject, body, priority, due_at, done, contact_id, company_id, deal_id, case_id, lead_id";

TaskItem read_task(Stmt& st) {
    TaskItem t;
    t.id = st.text(0);
    t.subject = st.text(1).empty() ? st.text(2) : st.text(1);
    for (char& c : t.subject)
        if (c == '\n' || c == '\r') c = ' ';
    t.priority = st.text(3);
    t.due_ms = st.is_null(4) ? 0 : st.integer(4);
    t.done = st.integer(5) != 0;
    // The most specific record it is about: a deal or a case before a contact or a company.
    const std::pair<const char*, int> refs[] = {{"deal", 8}, {"case", 9}, {"contact", 6}, {"company", 7}};
    for (const auto& [type, col] : refs) {
        if (!st.text(col).empty()) {
            t.record_type = type;
            t.record_id = st.text(col);
            break;
        }
    }
    return t;
}

void bind_common(Stmt& st, int64_t now, int64_t day_end, const std::string& me) {
    st.bind(1, now).bind(2, day_end).bind(3, int64_t{0}).bind(4, me);
}

void load_groups(AppState& app, MyWork& w, int64_t now) {
    Db& db = app.store->db();
    const int64_t day_end = local_midnight(now, 1);
    const std::string me = app.auth.account_email;
    const std::string open = std::string("kind = 'task' AND done = 0 AND deleted = 0 AND ") + whose_sql(w.whose);
    struct GroupSql {
        const char* title;
        const char* where;
        const char* order;
    };
    const GroupSql groups[] = {
        {"Overdue", "due_at < ?1", "due_at, id"},
        {"Due today", "due_at >= ?1 AND due_at < ?2", "due_at, id"},
        {"Upcoming", "due_at >= ?2", "due_at, id"},
        {"No due date", "due_at IS NULL", "created_at DESC, id"},
    };
    w.groups.clear();
    w.error.clear();
    for (const auto& g : groups) {
        TaskGroupList list{g.title, {}, 0};
        const std::string where = open + " AND " + g.where;
        if (auto st = db.prepare("SELECT count(*) FROM activities WHERE " + where)) {
            bind_common(*st, now, day_end, me);
            if (auto row = st->step(); row && *row) list.total = st->integer(0);
        }
        auto st = db.prepare(std::string("SELECT ") + kTaskColumns + " FROM activities WHERE " + where + " ORDER BY " +
                             g.order + " LIMIT " + std::to_string(kGroupShown));
        if (!st) {
            w.error = st.error().to_string();
            continue;
        }
        bind_common(*st, now, day_end, me);
        while (true) {
            auto row = st->step();
            if (!row || !*row) break;
            list.items.push_back(read_task(*st));
        }
        w.groups.push_back(std::move(list));
    }
    // Tasks ticked on this visit stay where they were, struck through, so a slip is undone in place.
    for (const auto& id : w.done_here) {
        auto st = db.prepare(std::string("SELECT ") + kTaskColumns + " FROM activities WHERE id = ?1 AND deleted = 0");
        if (!st) continue;
        st->bind(1, id);
        if (auto row = st->step(); !row || !*row) continue;
        TaskItem t = read_task(*st);
        if (!t.done) continue;  // reopened: it is in its group already
        const TaskGroup g = task_group(t.due_ms ? std::optional<int64_t>(t.due_ms) : std::nullopt, now, day_end);
        auto& items = w.groups[static_cast<size_t>(g)].items;
        auto at = std::find_if(items.begin(), items.end(),
                               [&](const TaskItem& x) { return t.due_ms && x.due_ms > t.due_ms; });
        items.insert(at, std::move(t));
    }
    // Names of the records the tasks are about: one query per type.
    std::vector<json> refs;
    for (const auto& g : w.groups)
        for (const auto& t : g.items)
            if (!t.record_type.empty()) refs.push_back({{t.record_type, t.record_id}});
    std::vector<FieldInfo> fields;
    for (const char* type : kLinkTypes) fields.push_back(FieldInfo{type, "", FieldKind::Ref, {}, type});
    std::map<std::string, std::string> titles;
    load_titles(*app.store, refs, fields, titles);
    for (auto& g : w.groups)
        for (auto& t : g.items)
            if (auto it = titles.find(t.record_type + "/" + t.record_id); it != titles.end())
                t.record_title = it->second;
    // The next moment a task changes group: a task due today becomes overdue, or midnight.
    w.regroup_ms = day_end;
    if (w.groups.size() > 1 && !w.groups[1].items.empty()) {
        for (const auto& t : w.groups[1].items)
            if (!t.done) {
                w.regroup_ms = std::min(w.regroup_ms, t.due_ms + 1);
                break;
            }
    }
    ++w.loads;
}

void toggle_done(AppState& app, MyWork& w, TaskItem& t) {
    const bool done = !t.done;
    Status s = set_task_done(*app.store, t.id, done, sync_now(app));
    if (!s) {
        w.error = "\"" + t.subject + "\" was not changed: " + s.error().message;
        return;
    }
    t.done = done;
    if (done && std::find(w.done_here.begin(), w.done_here.end(), t.id) == w.done_here.end())
        w.done_here.push_back(t.id);
    w.notice = done ? "Done: " + t.subject : "Reopened: " + t.subject;
    w.notice_until_ms = platform::now_ms() + 4000;
    after_local_edit(app);
}

// ---- the new-task form ---------------------------------------------------------------------------

void add_task(AppState& app, MyWork& w) {
    NewTaskForm& f = w.form;
    f.error.clear();
    const std::string subject(trim(f.subject));
    if (subject.empty()) {
        f.error = "Type what needs doing first";
        return;
    }
    json values = {{"kind", "task"}, {"subject", subject}, {"priority", "normal"}, {"owner", app.auth.account_email}};
    const std::string due(trim(f.due));
    if (!due.empty()) {
        FieldInfo info{"due_at", "Due", FieldKind::Timestamp};
        auto v = parse_edit(info, due, json());
        if (!v) {
            f.error = "Due " + v.error().message;
            return;
        }
        int64_t ms = v->get<int64_t>();
        if (due.size() == 10) ms += 17 * kHourMs;  // a date alone: due at the end of that working day
        values["due_at"] = ms;
    }
    if (!f.link.text.empty()) values[f.link_type + "_id"] = f.link.text;
    auto id = app.store->create("activity", values, sync_now(app));
    if (!id) {
        f.error = id.error().to_string();
        return;
    }
    w.notice = "Task added: " + subject;
    w.notice_until_ms = platform::now_ms() + 4000;
    const std::string keep_type = f.link_type;
    f = NewTaskForm{};
    f.link_type = keep_type;
    after_local_edit(app);
}

void draw_new_task(AppState& app, MyWork& w) {
    NewTaskForm& f = w.form;
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float avail = ImGui::GetContentRegionAvail().x;
    push_quiet_combo();
    ImGui::SetNextItemWidth(std::max(240.0f, avail - 170 - 3 * gap - 260));
    bool enter =
        input_text("##task_subject", f.subject, ImGuiInputTextFlags_EnterReturnsTrue, "New task: what needs doing?");
    test_hooks::track("Task subject");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(170);
    enter |= input_text("##task_due", f.due, ImGuiInputTextFlags_EnterReturnsTrue, "Due YYYY-MM-DD HH:MM");
    test_hooks::track("Task due");
    ImGui::SameLine();
    const int64_t now = sync_now(app);
    auto set_due = [&](int64_t ms) {
        std::time_t t = static_cast<std::time_t>(ms / 1000);
        std::tm tm{};
        localtime_r(&t, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
        f.due = buf;
    };
    if (quiet_button("In 1 hour", "Task due in an hour")) set_due((now / 60000 + 61) * 60000);
    ImGui::SameLine();
    if (quiet_button("Tomorrow", "Task due tomorrow")) set_due(local_time_of_day(now, 1, 9, 0));
    ImGui::SameLine();
    enter |= primary_button("Add task", "Task add");

    // What it is about: a record type and a search for the record.
    ImGui::AlignTextToFramePadding();
    ImGui::TextColored(theme::kMuted, "About");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    if (ImGui::BeginCombo("##link_type", singular_label(f.link_type))) {
        test_hooks::track("Task about type");
        for (const char* type : kLinkTypes) {
            if (ImGui::Selectable(singular_label(type), f.link_type == type) && f.link_type != type) {
                f.link_type = type;
                f.link = FieldEdit{};
            }
            test_hooks::track(std::string("Option ") + singular_label(type));
        }
        ImGui::EndCombo();
    } else {
        test_hooks::track("Task about type");
    }
    ImGui::SameLine();
    FieldInfo pick{"link", "", FieldKind::Ref, {}, f.link_type};
    if (field_editor(app, pick, f.link, "Task about", 260, false, &f.titles).commit && !f.link.text.empty())
        load_titles(*app.store, {json{{"v", f.link.text}}}, {FieldInfo{"v", "", FieldKind::Ref, {}, f.link_type}},
                    f.titles);
    pop_quiet_combo();
    if (!f.error.empty()) {
        ImGui::TextColored(theme::kError, "%s", f.error.c_str());
        test_hooks::track("Task error");
    }
    if (enter) add_task(app, w);
}

void draw_task(AppState& app, MyWork& w, TaskItem& t, int64_t now, bool overdue) {
    ImGui::PushID(t.id.c_str());
    bool done = t.done;
    if (ImGui::Checkbox("##done", &done)) toggle_done(app, w, t);
    test_hooks::track("Done " + t.subject);
    ImGui::SameLine();
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const ImVec4 text_colour = t.done ? theme::kMuted : theme::kText;
    ImGui::AlignTextToFramePadding();
    ImGui::TextColored(text_colour, "%s", t.subject.c_str());
    test_hooks::track("Task " + t.subject);
    if (t.done) {
        const ImVec2 size = ImGui::CalcTextSize(t.subject.c_str());
        const float y = ImGui::GetItemRectMin().y + ImGui::GetItemRectSize().y * 0.5f + 1;
        ImGui::GetWindowDrawList()->AddLine(ImVec2(pos.x, y), ImVec2(pos.x + size.x, y),
                                            ImGui::GetColorU32(theme::kMuted), 1.0f);
    }
    // Due time, then the record it is about, in columns so the lines read down the page.
    const float right = ImGui::GetWindowContentRegionMax().x;
    const float due_x = std::max(ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x + 16, right - 520);
    if (t.due_ms) {
        ImGui::SameLine(due_x);
        ImGui::AlignTextToFramePadding();
        std::string words = due_words(t.due_ms, now);
        if (overdue && !t.done) words += "  (" + countdown_text(t.due_ms - now, "due") + ")";
        ImGui::TextColored(overdue && !t.done ? theme::kError : theme::kMuted, "%s", words.c_str());
        test_hooks::track("Due " + t.subject);
    }
    if (!t.record_type.empty() && !t.record_title.empty()) {
        ImGui::SameLine(std::max(due_x + 240, right - 260));
        ImGui::AlignTextToFramePadding();
        ImGui::TextColored(theme::kMuted, "%s", singular_label(t.record_type));
        ImGui::SameLine();
        ImGui::SetCursorPosY(ImGui::GetCursorPosY() + ImGui::GetStyle().FramePadding.y);  // on the text's line
        if (link(t.record_title, "Task link " + t.subject)) navigate(app, record_route(t.record_type, t.record_id));
    }
    ImGui::PopID();
}

// ---- reminders ---------------------------------------------------------------------------------

int64_t next_due_after(AppState& app, const MyWork& w, int64_t after) {
    auto st = app.store->db().prepare(std::string("SELECT min(due_at) FROM activities WHERE kind = 'task' AND done = 0 "
                                                  "AND deleted = 0 AND due_at > ?1 AND ") +
                                      whose_sql(w.whose));
    if (!st) return -1;
    st->bind(1, after).bind(2, int64_t{0}).bind(3, int64_t{0}).bind(4, app.auth.account_email);
    auto row = st->step();
    if (!row || !*row || st->is_null(0)) return -1;
    return st->integer(0);
}

// Looks for tasks that fell due since the last look: once per data change (for the next due
// time) and when that time comes, never per frame.
void watch_due_tasks(AppState& app, MyWork& w, int64_t now) {
    if (w.watch_from_ms == 0) w.watch_from_ms = now;  // due before the app opened: not a reminder
    if (w.watch_version != app.data_version) {
        w.watch_version = app.data_version;
        w.next_due_ms = next_due_after(app, w, w.watch_from_ms);
        // A reminder whose task was done or deleted meanwhile (here or elsewhere) goes.
        std::erase_if(w.reminders, [&](const Reminder& r) {
            auto t = app.store->get("activity", r.task_id);
            return !t || (*t)["done"] == true || (*t)["deleted"] == true;
        });
    }
    if (w.next_due_ms < 0 || now < w.next_due_ms) return;
    auto st =
        app.store->db().prepare(std::string("SELECT ") + kTaskColumns +
                                " FROM activities WHERE kind = 'task' AND done = 0 AND deleted = 0 AND due_at > ?1 "
                                "AND due_at <= ?2 AND " +
                                whose_sql(w.whose) + " ORDER BY due_at LIMIT 20");
    if (st) {
        st->bind(1, w.watch_from_ms).bind(2, now).bind(3, int64_t{0}).bind(4, app.auth.account_email);
        while (true) {
            auto row = st->step();
            if (!row || !*row) break;
            TaskItem t = read_task(*st);
            if (std::find(w.reminded.begin(), w.reminded.end(), t.id) != w.reminded.end()) continue;
            w.reminded.push_back(t.id);
            w.reminders.push_back({t.id, t.subject, t.due_ms, t.record_type, t.record_id});
        }
    }
    w.watch_from_ms = now;
    w.next_due_ms = next_due_after(app, w, now);
}

}  // namespace

void draw_my_work(AppState& app) {
    MyWork& w = app.work;
    const int64_t now = sync_now(app);
    const std::string key = std::to_string(app.data_version) + "|" + std::to_string(static_cast<int>(w.whose));
    if (key != w.query_key || now >= w.regroup_ms) {
        w.query_key = key;
        load_groups(app, w, now);
    }

    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(theme::kPagePadding, 16));
    ImGui::BeginChild("##work_screen", ImVec2(0, 0), false,
                      ImGuiWindowFlags_AlwaysUseWindowPadding | ImGuiWindowFlags_NoScrollbar);
    ImGui::PopStyleVar();
    title_text("My work");
    ImGui::SameLine(0, 16);
    int64_t open = 0;
    for (const auto& g : w.groups) open += g.total;
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 3);
    ImGui::TextColored(theme::kMuted, "%s", count_text(open, "open task", "open tasks").c_str());
    if (!w.notice.empty() && platform::now_ms() < w.notice_until_ms) {
        ImGui::SameLine(0, 16);
        ImGui::TextColored(theme::kOk, "%s", w.notice.c_str());
        test_hooks::track("Work notice");
    }
    {
        const float combo_w = 200;
        ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - combo_w);
        push_quiet_combo();
        ImGui::SetNextItemWidth(combo_w);
        if (ImGui::BeginCombo("##whose", whose_label(w.whose))) {
            test_hooks::track("Whose tasks");
            for (WhoseTasks x : {WhoseTasks::MineAndUnassigned, WhoseTasks::Mine, WhoseTasks::Everyone}) {
                if (ImGui::Selectable(whose_label(x), x == w.whose)) w.whose = x;
                test_hooks::track(std::string("Option ") + whose_label(x));
            }
            ImGui::EndCombo();
        } else {
            test_hooks::track("Whose tasks");
        }
        pop_quiet_combo();
    }
    ImGui::Spacing();
    draw_new_task(app, w);
    if (!w.error.empty()) {
        ImGui::TextColored(theme::kError, "%s", w.error.c_str());
        test_hooks::track("Work error");
    }
    ImGui::Spacing();
    ImGui::Separator();

    ImGui::BeginChild("##groups", ImVec2(0, 0), false);
    bool any = false;
    for (size_t gi = 0; gi < w.groups.size(); ++gi) {
        TaskGroupList& g = w.groups[gi];
        if (g.items.empty()) continue;
        any = true;
        ImGui::Spacing();
        const bool overdue = gi == 0;
        ImGui::TextColored(overdue ? theme::kError : theme::kMuted, "%s", g.title.c_str());
        test_hooks::track("Group " + g.title);
        ImGui::SameLine();
        ImGui::TextColored(theme::kMuted, "%s", format_number(static_cast<double>(g.total), 0).c_str());
        ImGui::Separator();
        for (auto& t : g.items) draw_task(app, w, t, now, overdue);
        const auto shown_open = static_cast<int64_t>(
            std::count_if(g.items.begin(), g.items.end(), [](const TaskItem& t) { return !t.done; }));
        if (g.total > shown_open)
            ImGui::TextColored(theme::kMuted, "and %lld more", static_cast<long long>(g.total - shown_open));
        ImGui::Spacing();
    }
    if (!any)
        ImGui::TextColored(theme::kMuted, "Nothing to do. Add a task above, or log one from a record's timeline.");
    ImGui::EndChild();
    ImGui::EndChild();
}

void draw_reminders(AppState& app) {
    MyWork& w = app.work;
    if (!app.store) return;
    if (app.route.screen != Screen::MyWork) w.done_here.clear();
    const int64_t now = sync_now(app);
    watch_due_tasks(app, w, now);
    if (w.reminders.empty()) return;
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(display.x - 20, display.y - 20), ImGuiCond_Always, ImVec2(1, 1));
    ImGui::SetNextWindowSize(ImVec2(360, 0));
    ImGui::PushStyleColor(ImGuiCol_WindowBg, theme::kPanel);
    ImGui::PushStyleColor(ImGuiCol_Border, theme::kWarn);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(16, 12));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.5f);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 8.0f);
    ImGui::Begin("##reminders", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav | ImGuiWindowFlags_AlwaysAutoResize);
    ImGui::PopStyleColor();  // the amber border is the window's, not its buttons'
    test_hooks::track_window("Reminders");
    int remove = -1;
    for (size_t i = 0; i < w.reminders.size() && i < 5; ++i) {
        const Reminder& r = w.reminders[i];
        ImGui::PushID(r.task_id.c_str());
        if (i > 0) ImGui::Separator();
        ImGui::TextColored(theme::kWarn, "Task due %s", due_words(r.due_ms, now).c_str());
        ImGui::PushTextWrapPos(ImGui::GetContentRegionMax().x);
        ImGui::TextWrapped("%s", r.subject.c_str());
        ImGui::PopTextWrapPos();
        test_hooks::track("Reminder " + r.subject);
        if (primary_button("Mark done", "Reminder done " + r.subject)) {
            if (Status s = set_task_done(*app.store, r.task_id, true, now); s) {
                after_local_edit(app);
                remove = static_cast<int>(i);
            } else {
                w.error = s.error().message;
            }
        }
        ImGui::SameLine();
        if (quiet_button("Open", "Reminder open " + r.subject)) {
            navigate(app,
                     r.record_type.empty() ? Route{Screen::MyWork, "", ""} : record_route(r.record_type, r.record_id));
            remove = static_cast<int>(i);
        }
        ImGui::SameLine();
        if (quiet_button("Dismiss", "Reminder dismiss " + r.subject)) remove = static_cast<int>(i);
        ImGui::PopID();
    }
    if (w.reminders.size() > 5) {
        ImGui::TextColored(theme::kMuted, "and %zu more", w.reminders.size() - 5);
        if (quiet_button("Dismiss all", "Reminders dismiss all")) w.reminders.clear();
    }
    if (remove >= 0 && remove < static_cast<int>(w.reminders.size())) w.reminders.erase(w.reminders.begin() + remove);
    ImGui::End();
    ImGui::PopStyleVar(3);
    ImGui::PopStyleColor();
}

nlohmann::json my_work_state(const AppState& app) {
    const MyWork& w = app.work;
    const int64_t now = sync_now(app);
    json groups = json::array(), reminders = json::array();
    for (const auto& g : w.groups) {
        json items = json::array();
        for (const auto& t : g.items)
            items.push_back({{"subject", t.subject},
                             {"done", t.done},
                             {"due", t.due_ms},
                             {"record", t.record_title},
                             {"recordType", t.record_type}});
        groups.push_back({{"title", g.title}, {"total", g.total}, {"items", items}});
    }
    for (const auto& r : w.reminders) reminders.push_back({{"subject", r.subject}, {"due", r.due_ms}});
    int64_t open = 0;
    for (const auto& g : w.groups) open += g.total;
    return {{"groups", groups}, {"reminders", reminders},        {"reminded", w.reminded.size()},
            {"countText", count_text(open, "open task", "open tasks")},
            {"loads", w.loads}, {"whose", whose_label(w.whose)}, {"now", now},
            {"error", w.error}, {"formError", w.form.error}};
}

}  // namespace crm
