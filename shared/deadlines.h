#pragma once
// The deadlines a person works against: where a task falls (overdue, due today, upcoming), how a
// case stands against one of its SLA due times, the countdown words shown for either, and
// marking a task done. Times are ms since 1970; the caller says where its local day ends.
#include <cstdint>
#include <optional>
#include <string>

#include "local_store.h"
#include "result.h"

namespace crm {

// An SLA target running with less than this left is "near breach" (shown in amber).
inline constexpr int64_t kSlaNearBreachMs = 60 * 60 * 1000;

enum class TaskGroup { Overdue, DueToday, Upcoming, NoDueDate };

// Overdue once its due time has passed; due today up to `day_end_ms` (the next local midnight);
// upcoming after that.
TaskGroup task_group(std::optional<int64_t> due_ms, int64_t now_ms, int64_t day_end_ms);

enum class SlaState {
    None,        // no due time
    Running,     // not happened yet, more than kSlaNearBreachMs left
    NearBreach,  // not happened yet, kSlaNearBreachMs or less left
    Breached,    // not happened yet and the due time has passed
    Met,         // happened at or before the due time
    Late,        // happened after the due time
};

struct SlaClock {
    SlaState state = SlaState::None;
    int64_t remaining_ms = 0;  // due minus (event time, or now); negative once past due
};

// One SLA target (first response or resolution) of a case at `now_ms`: `done_ms` is when the
// response or resolution happened, if it has.
SlaClock sla_clock(std::optional<int64_t> due_ms, std::optional<int64_t> done_ms, int64_t now_ms,
                   int64_t near_ms = kSlaNearBreachMs);

// Time left or overdue in words, whole minutes rounded down: "2h 14m left", "3d 4h left",
// "under 1m left", "breached 35m ago", "breached just now". `late_word` replaces "breached"
// ("overdue" for tasks).
std::string countdown_text(int64_t remaining_ms, const std::string& late_word = "breached");

// Marks a task done (with the time) or not done again. Refused with a message for an activity
// that is not a task, a deleted one, or an unknown id; a task already in that state is left as is.
Status set_task_done(LocalStore& store, const std::string& activity_id, bool done, int64_t now_ms);

}  // namespace crm
