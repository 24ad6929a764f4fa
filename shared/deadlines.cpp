#include "deadlines.h"

namespace crm {

using nlohmann::json;

TaskGroup task_group(std::optional<int64_t> due_ms, int64_t now_ms, int64_t day_end_ms) {
    if (!due_ms) return TaskGroup::NoDueDate;
    if (*due_ms < now_ms) return TaskGroup::Overdue;
    if (*due_ms < day_end_ms) return TaskGroup::DueToday;
    return TaskGroup::Upcoming;
}

SlaClock sla_clock(std::optional<int64_t> due_ms, std::optional<int64_t> done_ms, int64_t now_ms, int64_t near_ms) {
    if (!due_ms) return {};
    if (done_ms) return {*done_ms <= *due_ms ? SlaState::Met : SlaState::Late, *due_ms - *done_ms};
    const int64_t left = *due_ms - now_ms;
    if (left < 0) return {SlaState::Breached, left};
    return {left <= near_ms ? SlaState::NearBreach : SlaState::Running, left};
}

namespace {

// "3d 4h", "2h 14m", "35m": the two largest units, whole minutes rounded down.
std::string span_text(int64_t ms) {
    const int64_t minutes = ms / 60000, hours = minutes / 60, days = hours / 24;
    if (days > 0) return std::to_string(days) + "d " + std::to_string(hours % 24) + "h";
    if (hours > 0) return std::to_string(hours) + "h " + std::to_string(minutes % 60) + "m";
    return std::to_string(minutes) + "m";
}

}  // namespace

std::string countdown_text(int64_t remaining_ms, const std::string& late_word) {
    if (remaining_ms >= 0) return remaining_ms < 60000 ? "under 1m left" : span_text(remaining_ms) + " left";
    const int64_t late = -remaining_ms;
    return late < 60000 ? late_word + " just now" : late_word + " " + span_text(late) + " ago";
}

Status set_task_done(LocalStore& store, const std::string& activity_id, bool done, int64_t now_ms) {
    auto task = store.get("activity", activity_id);
    if (!task) return task.error();
    if ((*task)["kind"] != "task")
        return Error{"done",
                     "only a task can be marked done; this activity is a " + (*task)["kind"].get<std::string>()};
    if ((*task)["deleted"] == true) return Error{"done", "this task is deleted; restore it first"};
    if ((*task)["done"] == done) return ok();
    return store.update("activity", activity_id, {{"done", done}, {"done_at", done ? json(now_ms) : json(nullptr)}},
                        now_ms);
}

}  // namespace crm
