#include "business_hours.h"
#include "text.h"

#include <algorithm>
#include <utility>

namespace crm {

namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kDayMs = 86'400'000;
// Enough for any span of valid instants, and small enough that minutes * kMinuteMs cannot overflow.
constexpr int64_t kMaxMinutes = (kMaxInstantMs - kMinInstantMs) / kMinuteMs;

constexpr const char* kMonthNames[12] = {"January", "February", "March",     "April",   "May",      "June",
                                         "July",    "August",   "September", "October", "November", "December"};

int64_t floor_div(int64_t a, int64_t b) {
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}
int64_t floor_mod(int64_t a, int64_t b) {
    return a - floor_div(a, b) * b;
}

// Howard Hinnant's days_from_civil: days since 1970-01-01 in the proleptic Gregorian calendar.
// Plain arithmetic rather than timegm so the browser and the server agree on every date.
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = floor_div(y, 400);
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool is_leap_year(int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int64_t days_in_month(int64_t y, int64_t m) {
    constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

// Monday = 0; day 0 (1970-01-01) was a Thursday.
int weekday_of(int64_t day) {
    return static_cast<int>(floor_mod(day + 3, 7));
}

// A holiday as a day number, or the reason it is not a real YYYY-MM-DD date.
Result<int64_t> parse_date(std::string_view text, const std::string& field) {
    const std::string shown = "'" + utf8_prefix(text, 40) + (text.size() > 40 ? "...'" : "'");
    bool shape = text.size() == 10 && text[4] == '-' && text[7] == '-';
    for (size_t i = 0; shape && i < text.size(); ++i)
        if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9')) shape = false;
    if (!shape) return Error{field, shown + " is not a date in the form YYYY-MM-DD"};
    auto number = [&](size_t pos, size_t len) {
        int64_t n = 0;
        for (size_t i = pos; i < pos + len; ++i) n = n * 10 + (text[i] - '0');
        return n;
    };
    const int64_t y = number(0, 4), m = number(5, 2), d = number(8, 2);
    if (y < 1) return Error{field, shown + " is not a valid date: there is no year 0000"};
    if (m < 1 || m > 12) return Error{field, shown + " is not a valid date: the month must be 01 to 12"};
    const int64_t last = days_in_month(y, m);
    if (d < 1 || d > last)
        return Error{field, shown + " is not a valid date: " + kMonthNames[m - 1] + " " + std::to_string(y) + " has " +
                                std::to_string(last) + " days"};
    return days_from_civil(y, m, d);
}

// A validated calendar in the form the arithmetic needs. Business time is measured by
// business_ms_before(), a running total of open milliseconds; it is computed in closed form
// (whole weeks, then the days of a partial week, minus the holidays passed), so a year or a
// century costs the same handful of operations and no calendar can make it loop.
struct Calendar {
    int64_t offset_ms = 0;
    std::array<int64_t, 7> open_ms{};      // opening, ms after local midnight
    std::array<int64_t, 7> len_ms{};       // open milliseconds per weekday, 0 when closed
    std::array<int64_t, 8> week_prefix{};  // week_prefix[k]: open ms of weekdays [0, k)
    std::vector<int64_t> holiday_days;     // sorted, unique
    std::vector<int64_t> lost_before;      // lost_before[i]: open ms removed by holiday_days[0, i)

    int64_t weekly_ms() const { return week_prefix[7]; }

    bool is_holiday(int64_t day) const { return std::binary_search(holiday_days.begin(), holiday_days.end(), day); }

    // Open ms from an arbitrary fixed origin to the start of local `day`; only differences matter.
    int64_t business_ms_before_day(int64_t day) const {
        const int64_t since_monday = day + 3;  // day -3 (1969-12-29) was a Monday
        const int64_t raw = floor_div(since_monday, 7) * weekly_ms() + week_prefix[floor_mod(since_monday, 7)];
        const auto passed = std::lower_bound(holiday_days.begin(), holiday_days.end(), day) - holiday_days.begin();
        return raw - lost_before[passed];
    }

    // Open ms from the same origin to the local instant `local_ms`.
    int64_t business_ms_before(int64_t local_ms) const {
        const int64_t day = floor_div(local_ms, kDayMs);
        const int64_t before = business_ms_before_day(day);
        if (is_holiday(day)) return before;
        const int w = weekday_of(day);
        return before + std::clamp(local_ms - day * kDayMs - open_ms[w], int64_t{0}, len_ms[w]);
    }
};

std::string week_field(size_t i, const char* member) {
    return "week[" + std::to_string(i) + "]." + member;
}

Result<Calendar> make_calendar(const BusinessHours& hours) {
    if (hours.utc_offset_minutes < kMinUtcOffsetMinutes || hours.utc_offset_minutes > kMaxUtcOffsetMinutes)
        return Error{"utc_offset_minutes", "must be between " + std::to_string(kMinUtcOffsetMinutes) + " and " +
                                               std::to_string(kMaxUtcOffsetMinutes) + ", got " +
                                               std::to_string(hours.utc_offset_minutes)};
    Calendar cal;
    cal.offset_ms = int64_t{hours.utc_offset_minutes} * kMinuteMs;
    for (size_t i = 0; i < hours.week.size(); ++i) {
        const DayHours& day = hours.week[i];
        const std::pair<const char*, int> minutes[] = {{"open_minute", day.open_minute},
                                                       {"close_minute", day.close_minute}};
        for (auto [member, value] : minutes)
            if (value < 0 || value > kMinutesPerDay)
                return Error{week_field(i, member), "must be between 0 and " + std::to_string(kMinutesPerDay) +
                                                        " (minutes after midnight), got " + std::to_string(value)};
        if (day.close_minute < day.open_minute)
            return Error{week_field(i, "close_minute"), "must be after open_minute (" +
                                                            std::to_string(day.open_minute) + "), got " +
                                                            std::to_string(day.close_minute)};
        cal.open_ms[i] = int64_t{day.open_minute} * kMinuteMs;
        cal.len_ms[i] = int64_t{day.close_minute - day.open_minute} * kMinuteMs;
        cal.week_prefix[i + 1] = cal.week_prefix[i] + cal.len_ms[i];
    }
    for (size_t i = 0; i < hours.holidays.size(); ++i) {
        auto day = parse_date(hours.holidays[i], "holidays[" + std::to_string(i) + "]");
        if (!day) return day.error();
        cal.holiday_days.push_back(*day);
    }
    if (cal.weekly_ms() == 0)
        return Error{"week", "every day is closed; at least one day needs opening hours for due times to exist"};
    std::sort(cal.holiday_days.begin(), cal.holiday_days.end());
    cal.holiday_days.erase(std::unique(cal.holiday_days.begin(), cal.holiday_days.end()), cal.holiday_days.end());
    cal.lost_before.assign(1, 0);
    for (int64_t day : cal.holiday_days)
        cal.lost_before.push_back(cal.lost_before.back() + cal.len_ms[weekday_of(day)]);
    return cal;
}

Status check_instant(const char* field, int64_t ms) {
    if (ms < kMinInstantMs || ms > kMaxInstantMs)
        return Error{field, "must be an instant between 0001-01-01 and 9999-12-31 (ms since the epoch), got " +
                                std::to_string(ms)};
    return ok();
}

Result<int64_t> add_minutes(const Calendar& cal, int64_t start_ms, int64_t minutes, const char* minutes_field) {
    if (minutes < 0) return Error{minutes_field, "must not be negative, got " + std::to_string(minutes)};
    if (minutes > kMaxMinutes)
        return Error{minutes_field,
                     "must be at most " + std::to_string(kMaxMinutes) + ", got " + std::to_string(minutes)};
    const int64_t local_start = start_ms + cal.offset_ms;
    const int64_t target = cal.business_ms_before(local_start) + minutes * kMinuteMs;
    // The answer lies on the first day d whose end reaches the target. With minutes == 0 the end
    // must pass it, so a start at or after closing moves to the next opening instead of staying.
    auto reaches = [&](int64_t day) {
        const int64_t end = cal.business_ms_before_day(day + 1);
        return minutes == 0 ? end > target : end >= target;
    };
    // Every week holds weekly_ms() of open time except the weeks holidays cut into, so this many
    // days always suffice; the binary search below needs only an upper bound, not a tight one.
    const int64_t first_day = floor_div(local_start, kDayMs);
    const int64_t last_valid_day = floor_div(kMaxInstantMs + cal.offset_ms, kDayMs);
    const int64_t weeks =
        (minutes * kMinuteMs + kDayMs) / cal.weekly_ms() + 2 + static_cast<int64_t>(cal.holiday_days.size());
    int64_t lo = first_day, hi = std::min(last_valid_day, first_day + 7 * weeks);
    const Error too_late{minutes_field, std::to_string(minutes) + " business minutes after " +
                                            std::to_string(start_ms) + " falls after 9999-12-31"};
    if (hi < lo || !reaches(hi)) return too_late;
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (reaches(mid))
            hi = mid;
        else
            lo = mid + 1;
    }
    const int w = weekday_of(lo);
    const int64_t local_due = lo * kDayMs + cal.open_ms[w] + (target - cal.business_ms_before_day(lo));
    const int64_t due = local_due - cal.offset_ms;
    if (due > kMaxInstantMs) return too_late;
    return due;
}

}  // namespace

BusinessHours default_business_hours() {
    BusinessHours hours;
    for (int i = 0; i < 5; ++i) hours.week[i] = DayHours{9 * 60, 17 * 60};
    return hours;
}

Status validate_business_hours(const BusinessHours& hours) {
    auto cal = make_calendar(hours);
    if (!cal) return cal.error();
    return ok();
}

Result<int64_t> add_business_minutes(const BusinessHours& hours, int64_t start_ms, int64_t minutes) {
    auto cal = make_calendar(hours);
    if (!cal) return cal.error();
    if (auto s = check_instant("start_ms", start_ms); !s) return s.error();
    return add_minutes(*cal, start_ms, minutes, "minutes");
}

Result<int64_t> business_minutes_between(const BusinessHours& hours, int64_t from_ms, int64_t to_ms) {
    auto cal = make_calendar(hours);
    if (!cal) return cal.error();
    if (auto s = check_instant("from_ms", from_ms); !s) return s.error();
    if (auto s = check_instant("to_ms", to_ms); !s) return s.error();
    if (to_ms <= from_ms) return int64_t{0};
    const int64_t open_ms =
        cal->business_ms_before(to_ms + cal->offset_ms) - cal->business_ms_before(from_ms + cal->offset_ms);
    return open_ms / kMinuteMs;  // non-negative, so this floors
}

SlaPolicy sla_policy_for_priority(std::string_view priority) {
    if (priority == "urgent") return {60, 240};
    if (priority == "high") return {240, 1440};
    if (priority == "low") return {1440, 7200};
    return {480, 2880};
}

Result<SlaStatus> sla_status(const BusinessHours& hours, const SlaPolicy& policy, int64_t opened_ms,
                             std::optional<int64_t> first_response_ms, std::optional<int64_t> resolved_ms,
                             int64_t now_ms) {
    auto cal = make_calendar(hours);
    if (!cal) return cal.error();
    if (auto s = check_instant("opened_ms", opened_ms); !s) return s.error();
    if (first_response_ms)
        if (auto s = check_instant("first_response_ms", *first_response_ms); !s) return s.error();
    if (resolved_ms)
        if (auto s = check_instant("resolved_ms", *resolved_ms); !s) return s.error();
    if (auto s = check_instant("now_ms", now_ms); !s) return s.error();
    auto first_due = add_minutes(*cal, opened_ms, policy.first_response_minutes, "first_response_minutes");
    if (!first_due) return first_due.error();
    auto resolution_due = add_minutes(*cal, opened_ms, policy.resolution_minutes, "resolution_minutes");
    if (!resolution_due) return resolution_due.error();

    SlaStatus status;
    status.first_response_due_ms = *first_due;
    status.resolution_due_ms = *resolution_due;
    const int64_t responded_or_now = first_response_ms.value_or(now_ms);
    const int64_t resolved_or_now = resolved_ms.value_or(now_ms);
    status.first_response_breached = responded_or_now > status.first_response_due_ms;
    status.resolution_breached = resolved_or_now > status.resolution_due_ms;
    status.first_response_remaining_ms = status.first_response_due_ms - responded_or_now;
    status.resolution_remaining_ms = status.resolution_due_ms - resolved_or_now;
    return status;
}

}  // namespace crm
