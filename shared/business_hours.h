#pragma once
// Business hours and SLA targets for support cases: "first response within 4 business hours"
// is counted only while the team is open, in the team's own local time.
//
// Time rule: instants are milliseconds since the Unix epoch (UTC) and are never rounded.
// Business time is measured exactly in milliseconds and only the final count is floored to
// whole minutes, so 09:00:30 -> 09:02:00 is 1 business minute, and for every valid start and
// minutes >= 0, business_minutes_between(h, start, add_business_minutes(h, start, minutes))
// == minutes.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace crm {

inline constexpr int kMinutesPerDay = 1440;
inline constexpr int kMinUtcOffsetMinutes = -720;  // UTC-12:00
inline constexpr int kMaxUtcOffsetMinutes = 840;   // UTC+14:00
// Instants must lie in 0001-01-01T00:00Z .. 9999-12-31T23:59:59.999Z, which keeps all
// arithmetic far from int64 overflow.
inline constexpr int64_t kMinInstantMs = -62135596800000;
inline constexpr int64_t kMaxInstantMs = 253402300799999;

struct DayHours {
    int open_minute = 0;   // minutes after local midnight, 0..1440
    int close_minute = 0;  // open == close means closed all day
};

struct BusinessHours {
    int utc_offset_minutes = 0;         // the team's fixed offset from UTC (no daylight saving)
    std::array<DayHours, 7> week;       // index 0 = Monday
    std::vector<std::string> holidays;  // "YYYY-MM-DD" local dates with no business hours
};

// Monday to Friday 09:00-17:00, UTC, no holidays.
BusinessHours default_business_hours();
// The first problem found, naming its field ("week[2].close_minute", "holidays[0]"); a
// calendar with every day closed is refused because no due time could ever be reached.
Status validate_business_hours(const BusinessHours& hours);

// The earliest instant at which `minutes` business minutes have elapsed since start_ms;
// outside hours the count starts at the next opening, and minutes == 0 returns start_ms when
// it is inside hours, else the next opening. Fails on negative minutes or an invalid calendar.
Result<int64_t> add_business_minutes(const BusinessHours& hours, int64_t start_ms, int64_t minutes);
// Whole business minutes elapsed in [from_ms, to_ms), floored; 0 when to_ms <= from_ms.
Result<int64_t> business_minutes_between(const BusinessHours& hours, int64_t from_ms, int64_t to_ms);

struct SlaPolicy {
    int64_t first_response_minutes = 0;  // business minutes after the case opened
    int64_t resolution_minutes = 0;
};

// The default targets for a case priority ("urgent", "high", "normal", "low"); any other
// value gets the normal targets so a new priority never leaves a case without an SLA.
SlaPolicy sla_policy_for_priority(std::string_view priority);

struct SlaStatus {
    int64_t first_response_due_ms = 0;
    int64_t resolution_due_ms = 0;
    bool first_response_breached = false;
    bool resolution_breached = false;
    int64_t first_response_remaining_ms = 0;  // wall-clock ms; negative once breached
    int64_t resolution_remaining_ms = 0;
};

// Due times from opened_ms; an event breaches when it happened after its due time, or has not
// happened and now_ms is past it. Remaining is due minus (event time, or now_ms if none yet).
// Events before opened_ms (clock skew between replicas) are accepted as they are.
Result<SlaStatus> sla_status(const BusinessHours& hours, const SlaPolicy& policy, int64_t opened_ms,
                             std::optional<int64_t> first_response_ms, std::optional<int64_t> resolved_ms,
                             int64_t now_ms);

}  // namespace crm
