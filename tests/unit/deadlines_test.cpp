// Task groups by due time, SLA clocks and their countdown words, and marking a task done.
#include "deadlines.h"
#include "workspace_fixture.h"

namespace {
constexpr int64_t kMinute = 60 * 1000, kHour = 60 * kMinute, kDay = 24 * kHour;
}

TEST_CASE("a task is overdue once its due time passes, due today until local midnight, upcoming after") {
    const int64_t now = 1'750'000'000'000, midnight = now + 5 * kHour;
    CHECK(task_group(now - 1, now, midnight) == TaskGroup::Overdue);
    CHECK(task_group(now, now, midnight) == TaskGroup::DueToday);
    CHECK(task_group(midnight - 1, now, midnight) == TaskGroup::DueToday);
    CHECK(task_group(midnight, now, midnight) == TaskGroup::Upcoming);
    CHECK(task_group(std::nullopt, now, midnight) == TaskGroup::NoDueDate);
}

TEST_CASE("an SLA target is running, near breach within the last hour, breached after its due time") {
    const int64_t due = 1'750'000'000'000;
    CHECK(sla_clock(std::nullopt, std::nullopt, due).state == SlaState::None);
    CHECK(sla_clock(due, std::nullopt, due - 2 * kHour).state == SlaState::Running);
    CHECK(sla_clock(due, std::nullopt, due - kHour).state == SlaState::NearBreach);
    CHECK(sla_clock(due, std::nullopt, due).state == SlaState::NearBreach);
    const SlaClock late = sla_clock(due, std::nullopt, due + 35 * kMinute);
    CHECK(late.state == SlaState::Breached);
    CHECK(late.remaining_ms == -35 * kMinute);

    SUBCASE("once the response happened the clock stops: met in time, or late for good") {
        CHECK(sla_clock(due, due - kMinute, due + kDay).state == SlaState::Met);
        const SlaClock after = sla_clock(due, due + 10 * kMinute, due + kDay);
        CHECK(after.state == SlaState::Late);
        CHECK(after.remaining_ms == -10 * kMinute);
    }
    SUBCASE("the near-breach window can be chosen") {
        CHECK(sla_clock(due, std::nullopt, due - 2 * kHour, 3 * kHour).state == SlaState::NearBreach);
    }
}

TEST_CASE("countdowns read as time left or how long ago the target was breached") {
    CHECK(countdown_text(2 * kHour + 14 * kMinute + 59'000) == "2h 14m left");
    CHECK(countdown_text(3 * kDay + 4 * kHour + 30 * kMinute) == "3d 4h left");
    CHECK(countdown_text(45 * kMinute) == "45m left");
    CHECK(countdown_text(30'000) == "under 1m left");
    CHECK(countdown_text(-35 * kMinute - 10'000) == "breached 35m ago");
    CHECK(countdown_text(-(kHour + 5 * kMinute)) == "breached 1h 5m ago");
    CHECK(countdown_text(-20'000) == "breached just now");
    CHECK(countdown_text(-2 * kDay, "overdue") == "overdue 2d 0h ago");
}

TEST_CASE("a task is marked done with the time, and back to not done") {
    Workspace w;
    const std::string task = w.create("activity", {{"kind", "task"}, {"subject", "Send the quote"}, {"due_at", w.now}});
    REQUIRE(set_task_done(w.store, task, true, ++w.now).ok());
    auto t = w.store.get("activity", task);
    CHECK((*t)["done"] == true);
    CHECK((*t)["done_at"] == w.now);

    SUBCASE("doing it twice changes nothing") {
        const int64_t done_at = w.now;
        REQUIRE(set_task_done(w.store, task, true, ++w.now).ok());
        CHECK((*w.store.get("activity", task))["done_at"] == done_at);
    }
    SUBCASE("undone, it loses its done time") {
        REQUIRE(set_task_done(w.store, task, false, ++w.now).ok());
        t = w.store.get("activity", task);
        CHECK((*t)["done"] == false);
        CHECK((*t)["done_at"].is_null());
    }
}

TEST_CASE("only a live task can be marked done") {
    Workspace w;
    const std::string note = w.create("activity", {{"kind", "note"}, {"body", "Called back"}});
    Status s = set_task_done(w.store, note, true, ++w.now);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message == "only a task can be marked done; this activity is a note");

    const std::string task = w.create("activity", {{"kind", "task"}, {"subject", "Old"}});
    REQUIRE(w.store.remove("activity", task, ++w.now).ok());
    CHECK_FALSE(set_task_done(w.store, task, true, ++w.now).ok());
    CHECK_FALSE(set_task_done(w.store, std::string(32, 'f'), true, ++w.now).ok());
}
