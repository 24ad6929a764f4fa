#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "business_hours.h"

using namespace crm;

namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

// Days since 1970-01-01 for a proleptic Gregorian date (the test's own copy, anchored below
// against values from `date -u +%s` so a shared mistake with the module would still show).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

// A UTC instant in ms, written the way people read it.
int64_t utc(int y, int m, int d, int hh = 0, int mm = 0) {
    return days_from_civil(y, m, d) * kDay + hh * kHour + mm * kMinute;
}

int64_t add(const BusinessHours& h, int64_t start, int64_t minutes) {
    auto r = add_business_minutes(h, start, minutes);
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    return *r;
}

int64_t between(const BusinessHours& h, int64_t from, int64_t to) {
    auto r = business_minutes_between(h, from, to);
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    return *r;
}

BusinessHours with_offset(int offset_minutes) {
    BusinessHours h = default_business_hours();
    h.utc_offset_minutes = offset_minutes;
    return h;
}

// Counts open minutes one by one: slow and obviously right, to check the fast arithmetic.
int64_t brute_force_between(const BusinessHours& h, int64_t from_minute, int64_t to_minute) {
    std::vector<int64_t> holidays;
    for (const auto& text : h.holidays)
        holidays.push_back(
            days_from_civil(std::stoi(text.substr(0, 4)), std::stoi(text.substr(5, 2)), std::stoi(text.substr(8, 2))));
    int64_t count = 0;
    for (int64_t minute = from_minute; minute < to_minute; ++minute) {
        const int64_t local = minute + h.utc_offset_minutes;
        const int64_t day = local >= 0 ? local / 1440 : (local - 1439) / 1440;
        const int64_t in_day = local - day * 1440;
        const int weekday = static_cast<int>(((day + 3) % 7 + 7) % 7);
        const DayHours& open = h.week[weekday];
        const bool holiday = std::find(holidays.begin(), holidays.end(), day) != holidays.end();
        if (!holiday && in_day >= open.open_minute && in_day < open.close_minute) ++count;
    }
    return count;
}

// Calendars unlike the default: odd hours, a closed weekday, a Saturday, offsets both ways,
// holidays on open and closed days, and hours touching midnight.
std::vector<BusinessHours> varied_calendars() {
    std::vector<BusinessHours> calendars{default_business_hours()};
    BusinessHours paris = with_offset(60);
    paris.holidays = {"2026-01-01", "2026-05-01", "2026-12-25", "2026-12-26"};
    calendars.push_back(paris);
    BusinessHours new_york;
    new_york.utc_offset_minutes = -300;
    new_york.week = {DayHours{480, 1020}, DayHours{480, 1020}, DayHours{0, 0}, DayHours{480, 1020},
                     DayHours{480, 900},  DayHours{600, 840},  DayHours{0, 0}};
    new_york.holidays = {"2026-07-03", "2026-11-26", "2026-01-04"};
    calendars.push_back(new_york);
    BusinessHours kiribati;
    kiribati.utc_offset_minutes = 840;
    kiribati.week = {DayHours{0, 1440}, DayHours{0, 0}, DayHours{1380, 1440}, DayHours{0, 0},
                     DayHours{0, 1},    DayHours{0, 0}, DayHours{0, 0}};
    kiribati.holidays = {"2026-03-02"};
    calendars.push_back(kiribati);
    return calendars;
}

}  // namespace

// A suite, so `crm-unit-tests -ts=business_hours` runs just these.
TEST_SUITE_BEGIN("business_hours");

TEST_CASE("the test's dates match the system clock") {
    CHECK(utc(1970, 1, 1) == 0);
    CHECK(utc(2026, 1, 5) == 1767571200000);    // a Monday
    CHECK(utc(2026, 12, 25) == 1798156800000);  // a Friday
    CHECK(utc(2027, 1, 4) == 1799020800000);    // a Monday
}

TEST_CASE("minutes added within one day stay on that day") {
    const auto h = default_business_hours();
    CHECK(add(h, utc(2026, 1, 5, 10, 0), 90) == utc(2026, 1, 5, 11, 30));
    CHECK(add(h, utc(2026, 1, 5, 9, 0), 480) == utc(2026, 1, 5, 17, 0));  // due at closing, not next morning
    // Seconds and milliseconds of the start are kept.
    CHECK(add(h, utc(2026, 1, 5, 10, 0) + 30'250, 1) == utc(2026, 1, 5, 10, 1) + 30'250);
}

TEST_CASE("minutes left at closing carry over to the next morning") {
    const auto h = default_business_hours();
    CHECK(add(h, utc(2026, 1, 5, 16, 30), 60) == utc(2026, 1, 6, 9, 30));
    CHECK(add(h, utc(2026, 1, 5, 16, 59) + 59'999, 1) == utc(2026, 1, 6, 9, 0) + 59'999);
    CHECK(between(h, utc(2026, 1, 5, 16, 30), utc(2026, 1, 6, 9, 30)) == 60);
}

TEST_CASE("Friday 16:00 plus 120 minutes is Monday 10:00") {
    const auto h = default_business_hours();
    CHECK(add(h, utc(2026, 1, 9, 16, 0), 120) == utc(2026, 1, 12, 10, 0));
    CHECK(between(h, utc(2026, 1, 9, 16, 0), utc(2026, 1, 12, 10, 0)) == 120);
}

TEST_CASE("a case opened on a Saturday counts from Monday's opening") {
    const auto h = default_business_hours();
    CHECK(add(h, utc(2026, 1, 10, 12, 0), 30) == utc(2026, 1, 12, 9, 30));
    CHECK(add(h, utc(2026, 1, 10, 12, 0), 0) == utc(2026, 1, 12, 9, 0));
    CHECK(between(h, utc(2026, 1, 10, 0, 0), utc(2026, 1, 12, 0, 0)) == 0);
}

TEST_CASE("a start outside hours counts from the next opening") {
    const auto h = default_business_hours();
    CHECK(add(h, utc(2026, 1, 6, 7, 0), 15) == utc(2026, 1, 6, 9, 15));
    CHECK(add(h, utc(2026, 1, 6, 18, 0), 15) == utc(2026, 1, 7, 9, 15));
    SUBCASE("zero minutes is the start itself inside hours, else the next opening") {
        CHECK(add(h, utc(2026, 1, 6, 11, 7) + 5, 0) == utc(2026, 1, 6, 11, 7) + 5);
        CHECK(add(h, utc(2026, 1, 6, 9, 0), 0) == utc(2026, 1, 6, 9, 0));
        CHECK(add(h, utc(2026, 1, 6, 7, 0), 0) == utc(2026, 1, 6, 9, 0));
        CHECK(add(h, utc(2026, 1, 6, 17, 0), 0) == utc(2026, 1, 7, 9, 0));  // closing time is already closed
    }
}

TEST_CASE("holidays have no business hours") {
    auto h = default_business_hours();
    h.holidays = {"2026-12-25", "2026-12-26"};  // a Friday and a Saturday
    CHECK(add(h, utc(2026, 12, 24, 16, 0), 120) == utc(2026, 12, 28, 10, 0));
    CHECK(add(h, utc(2026, 12, 25, 10, 0), 0) == utc(2026, 12, 28, 9, 0));
    CHECK(between(h, utc(2026, 12, 21), utc(2026, 12, 28)) == 4 * 480);
    SUBCASE("a year of holidays on the only open day is skipped in one step") {
        BusinessHours mondays;
        mondays.week[0] = DayHours{540, 1020};
        constexpr int kDaysIn2026[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        for (int m = 1; m <= 12; ++m)
            for (int d = 1; d <= kDaysIn2026[m - 1]; ++d)
                if ((days_from_civil(2026, m, d) + 3) % 7 == 0) {  // a Monday
                    char text[32];
                    std::snprintf(text, sizeof text, "2026-%02d-%02d", m, d);
                    mondays.holidays.push_back(text);
                }
        REQUIRE(mondays.holidays.size() == 52);
        CHECK(add(mondays, utc(2026, 1, 1), 60) == utc(2027, 1, 4, 10, 0));
        CHECK(between(mondays, utc(2026, 1, 1), utc(2027, 1, 1)) == 0);
    }
}

TEST_CASE("a UTC offset moves business hours to the team's local day") {
    SUBCASE("+60: Paris opens at 08:00 UTC") {
        const auto h = with_offset(60);
        CHECK(add(h, utc(2026, 1, 5, 7, 59), 0) == utc(2026, 1, 5, 8, 0));
        CHECK(add(h, utc(2026, 1, 9, 15, 0), 120) == utc(2026, 1, 12, 9, 0));  // Friday 16:00 local
        CHECK(between(h, utc(2026, 1, 5), utc(2026, 1, 6)) == 480);
    }
    SUBCASE("-300: New York's Friday evening is Saturday in UTC") {
        const auto h = with_offset(-300);
        CHECK(add(h, utc(2026, 1, 9, 21, 0), 120) == utc(2026, 1, 12, 15, 0));  // Friday 16:00 local
        CHECK(add(h, utc(2026, 1, 10, 1, 0), 0) == utc(2026, 1, 12, 14, 0));    // Friday 20:00 local
        CHECK(add(h, utc(2026, 1, 13, 2, 0), 30) == utc(2026, 1, 13, 14, 30));  // Monday 21:00 local
    }
    SUBCASE("+600: Monday morning in Sydney is Sunday night in UTC") {
        auto h = with_offset(600);
        CHECK(add(h, utc(2026, 1, 4, 23, 30), 0) == utc(2026, 1, 4, 23, 30));
        CHECK(between(h, utc(2026, 1, 4, 12, 0), utc(2026, 1, 5, 12, 0)) == 480);
        h.holidays = {"2026-01-05"};  // holidays are local dates
        CHECK(add(h, utc(2026, 1, 4, 23, 30), 0) == utc(2026, 1, 5, 23, 0));
    }
}

TEST_CASE("minutes between counts only open time, floored to whole minutes") {
    const auto h = default_business_hours();
    CHECK(between(h, utc(2026, 1, 5), utc(2026, 1, 12)) == 5 * 480);
    CHECK(between(h, utc(2026, 1, 1), utc(2027, 1, 1)) == 261 * 480);  // 2026 has 261 weekdays
    CHECK(between(h, utc(2026, 1, 5, 9, 0) + 30'000, utc(2026, 1, 5, 9, 2)) == 1);
    CHECK(between(h, utc(2026, 1, 5, 9, 0), utc(2026, 1, 5, 9, 0) + 59'999) == 0);
    CHECK(between(h, utc(2026, 1, 5, 12, 0), utc(2026, 1, 5, 10, 0)) == 0);
    CHECK(between(h, utc(2026, 1, 5, 12, 0), utc(2026, 1, 5, 12, 0)) == 0);
}

TEST_CASE("minutes between and minutes added agree on random inputs") {
    std::mt19937_64 rng(20261125);
    const int64_t from = utc(2025, 11, 1), span = utc(2027, 2, 1) - from;
    for (const auto& h : varied_calendars()) {
        CAPTURE(h.utc_offset_minutes);
        for (int i = 0; i < 300; ++i) {
            const int64_t start = from + static_cast<int64_t>(rng() % static_cast<uint64_t>(span));
            const int64_t minutes = static_cast<int64_t>(rng() % 20000) * (i % 3 == 0 ? 0 : 1);
            CAPTURE(start);
            CAPTURE(minutes);
            const int64_t due = add(h, start, minutes);
            CHECK(due >= start);
            CHECK(between(h, start, due) == minutes);
            if (minutes > 0) CHECK(between(h, start, due - 1) == minutes - 1);  // the earliest such instant
            const int64_t later = start + static_cast<int64_t>(rng() % static_cast<uint64_t>(30 * kDay));
            // `later` lies between the instants that complete `elapsed` and `elapsed + 1` minutes.
            const int64_t elapsed = between(h, start, later);
            if (elapsed > 0) CHECK(add(h, start, elapsed) <= later);
            CHECK(add(h, start, elapsed + 1) > later);
        }
    }
}

TEST_CASE("minutes between matches counting minute by minute") {
    std::mt19937_64 rng(7);
    for (const auto& h : varied_calendars()) {
        CAPTURE(h.utc_offset_minutes);
        for (int i = 0; i < 100; ++i) {
            const int64_t from_minute = utc(2025, 12, 20) / kMinute + static_cast<int64_t>(rng() % (90 * 1440));
            const int64_t to_minute = from_minute + static_cast<int64_t>(rng() % (5 * 1440));
            CAPTURE(from_minute);
            CAPTURE(to_minute);
            CHECK(between(h, from_minute * kMinute, to_minute * kMinute) ==
                  brute_force_between(h, from_minute, to_minute));
        }
    }
}

TEST_CASE("SLA targets by priority, unknown priorities get normal") {
    CHECK(sla_policy_for_priority("urgent").first_response_minutes == 60);
    CHECK(sla_policy_for_priority("urgent").resolution_minutes == 240);
    CHECK(sla_policy_for_priority("high").first_response_minutes == 240);
    CHECK(sla_policy_for_priority("high").resolution_minutes == 1440);
    CHECK(sla_policy_for_priority("normal").first_response_minutes == 480);
    CHECK(sla_policy_for_priority("normal").resolution_minutes == 2880);
    CHECK(sla_policy_for_priority("low").first_response_minutes == 1440);
    CHECK(sla_policy_for_priority("low").resolution_minutes == 7200);
    CHECK(sla_policy_for_priority("").resolution_minutes == 2880);
    CHECK(sla_policy_for_priority("critical").first_response_minutes == 480);
}

TEST_CASE("SLA status flags breaches before and after the due time") {
    const auto h = default_business_hours();
    const SlaPolicy urgent = sla_policy_for_priority("urgent");
    const int64_t opened = utc(2026, 1, 5, 16, 30);  // Monday, 30 minutes before closing
    const int64_t response_due = utc(2026, 1, 6, 9, 30), resolution_due = utc(2026, 1, 6, 12, 30);
    auto status = [&](std::optional<int64_t> responded, std::optional<int64_t> resolved, int64_t now) {
        auto s = sla_status(h, urgent, opened, responded, resolved, now);
        REQUIRE_MESSAGE(s.ok(), s.error().to_string());
        return *s;
    };

    SUBCASE("no response yet, before the due time") {
        auto s = status(std::nullopt, std::nullopt, utc(2026, 1, 6, 9, 0));
        CHECK(s.first_response_due_ms == response_due);
        CHECK(s.resolution_due_ms == resolution_due);
        CHECK_FALSE(s.first_response_breached);
        CHECK_FALSE(s.resolution_breached);
        CHECK(s.first_response_remaining_ms == 30 * kMinute);
        CHECK(s.resolution_remaining_ms == 3 * kHour + 30 * kMinute);
    }
    SUBCASE("no response yet, exactly at the due time is not a breach") {
        auto s = status(std::nullopt, std::nullopt, response_due);
        CHECK_FALSE(s.first_response_breached);
        CHECK(s.first_response_remaining_ms == 0);
    }
    SUBCASE("no response yet, past the due time") {
        auto s = status(std::nullopt, std::nullopt, utc(2026, 1, 6, 10, 0));
        CHECK(s.first_response_breached);
        CHECK(s.first_response_remaining_ms == -30 * kMinute);
        CHECK_FALSE(s.resolution_breached);
    }
    SUBCASE("a response in time stays met however late it is now") {
        auto s = status(utc(2026, 1, 6, 9, 15), std::nullopt, utc(2026, 1, 7, 12, 0));
        CHECK_FALSE(s.first_response_breached);
        CHECK(s.first_response_remaining_ms == 15 * kMinute);
        CHECK(s.resolution_breached);
        CHECK(s.resolution_remaining_ms == resolution_due - utc(2026, 1, 7, 12, 0));
    }
    SUBCASE("a late response stays breached") {
        auto s = status(utc(2026, 1, 6, 9, 45), utc(2026, 1, 6, 12, 0), utc(2026, 1, 6, 9, 50));
        CHECK(s.first_response_breached);
        CHECK(s.first_response_remaining_ms == -15 * kMinute);
        CHECK_FALSE(s.resolution_breached);
        CHECK(s.resolution_remaining_ms == 30 * kMinute);
    }
    SUBCASE("a late resolution stays breached") {
        auto s = status(utc(2026, 1, 6, 9, 0), utc(2026, 1, 6, 13, 0), utc(2026, 1, 6, 13, 5));
        CHECK(s.resolution_breached);
        CHECK(s.resolution_remaining_ms == -30 * kMinute);
    }
}

TEST_CASE("every validation error names its field") {
    CHECK(validate_business_hours(default_business_hours()).ok());
    auto error_of = [](const BusinessHours& h) {
        auto s = validate_business_hours(h);
        REQUIRE_FALSE(s.ok());
        return s.error();
    };

    SUBCASE("offsets outside UTC-12:00 to UTC+14:00") {
        CHECK(validate_business_hours(with_offset(-720)).ok());
        CHECK(validate_business_hours(with_offset(840)).ok());
        CHECK(error_of(with_offset(841)).field == "utc_offset_minutes");
        CHECK(error_of(with_offset(-721)).message == "must be between -720 and 840, got -721");
    }
    SUBCASE("minutes outside the day") {
        auto h = default_business_hours();
        h.week[0].open_minute = -1;
        CHECK(error_of(h).field == "week[0].open_minute");
        h = default_business_hours();
        h.week[3].close_minute = 1441;
        CHECK(error_of(h).field == "week[3].close_minute");
        CHECK(error_of(h).message.find("1441") != std::string::npos);
        h.week[3] = DayHours{0, 1440};  // open around the clock
        CHECK(validate_business_hours(h).ok());
    }
    SUBCASE("closing before opening") {
        auto h = default_business_hours();
        h.week[2].close_minute = 500;
        CHECK(error_of(h).field == "week[2].close_minute");
        CHECK(error_of(h).message == "must be after open_minute (540), got 500");
    }
    SUBCASE("holidays that are not real dates") {
        for (const char* good : {"2024-02-29", "2000-02-29", "2026-12-31", "2026-04-30"}) {
            auto h = default_business_hours();
            h.holidays = {good};
            CHECK_MESSAGE(validate_business_hours(h).ok(), good);
        }
        for (const char* bad : {"2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00",
                                "2026-1-05", "2026/01/05", "", "0000-01-01", "20260105", "2026-01-05 "}) {
            CAPTURE(bad);
            auto h = default_business_hours();
            h.holidays = {"2026-01-01", bad};
            auto e = error_of(h);
            CHECK(e.field == "holidays[1]");
            CHECK(e.message.find(std::string("'") + bad + "'") != std::string::npos);  // quotes what was typed
        }
        auto h = default_business_hours();
        h.holidays = {"2026-02-29"};
        CHECK(error_of(h).message == "'2026-02-29' is not a valid date: February 2026 has 28 days");
    }
    SUBCASE("the calculations report the same error instead of computing with it") {
        auto h = default_business_hours();
        h.week[2].close_minute = 500;
        CHECK(add_business_minutes(h, utc(2026, 1, 5), 10).error().field == "week[2].close_minute");
        CHECK(business_minutes_between(h, 0, 1).error().field == "week[2].close_minute");
        CHECK(sla_status(h, {60, 240}, 0, std::nullopt, std::nullopt, 0).error().field == "week[2].close_minute");
    }
    SUBCASE("instants outside years 0001 to 9999") {
        const auto h = default_business_hours();
        CHECK(add_business_minutes(h, kMaxInstantMs + 1, 0).error().field == "start_ms");
        CHECK(business_minutes_between(h, INT64_MIN, 0).error().field == "from_ms");
        CHECK(business_minutes_between(h, 0, INT64_MAX).error().field == "to_ms");
        CHECK(sla_status(h, {60, 240}, 0, std::nullopt, std::nullopt, INT64_MAX).error().field == "now_ms");
        CHECK(business_minutes_between(h, kMinInstantMs, kMaxInstantMs).ok());
    }
}

TEST_CASE("a calendar with every day closed is refused rather than hanging") {
    BusinessHours closed;
    auto v = validate_business_hours(closed);
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().field == "week");
    auto r = add_business_minutes(closed, utc(2026, 1, 5), 60);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().field == "week");
    CHECK(r.error().message.find("every day is closed") != std::string::npos);
}

TEST_CASE("negative minutes are refused") {
    const auto h = default_business_hours();
    auto r = add_business_minutes(h, utc(2026, 1, 5, 10, 0), -1);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().field == "minutes");
    CHECK(r.error().message == "must not be negative, got -1");
    auto s = sla_status(h, {-5, 240}, utc(2026, 1, 5), std::nullopt, std::nullopt, utc(2026, 1, 5));
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().field == "first_response_minutes");
}

TEST_CASE("due times past the year 9999 are refused") {
    const auto h = default_business_hours();
    auto r = add_business_minutes(h, utc(9999, 12, 31, 16, 0), 120);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().field == "minutes");
    CHECK(r.error().message.find("after 9999-12-31") != std::string::npos);
    CHECK_FALSE(add_business_minutes(h, utc(2026, 1, 5), INT64_MAX).ok());
    CHECK(add(h, utc(9999, 12, 31, 16, 0), 60) == utc(9999, 12, 31, 17, 0));  // 9999-12-31 is a Friday
}

TEST_SUITE_END();
