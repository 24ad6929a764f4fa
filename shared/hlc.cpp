#include "hlc.h"
#include "text.h"

#include <algorithm>
#include <cstdio>

namespace crm {

std::string Hlc::encode() const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%018lld-%05u", static_cast<long long>(wall_ms), counter);
    return buf;
}

Result<Hlc> Hlc::decode(std::string_view text) {
    if (text.size() != 24 || text[18] != '-')
        return Error{"hlc", "'" + utf8_prefix(text, 40) + "' is not a clock stamp (expected 18 digits, '-', 5 digits)"};
    Hlc h;
    for (size_t i = 0; i < 24; ++i) {
        if (i == 18) continue;
        char c = text[i];
        if (c < '0' || c > '9') return Error{"hlc", "'" + std::string(text) + "' is not a clock stamp (non-digit)"};
        if (i < 18) h.wall_ms = h.wall_ms * 10 + (c - '0');
        else h.counter = h.counter * 10 + static_cast<uint32_t>(c - '0');
    }
    return h;
}

Result<Hlc> HlcClock::tick(int64_t now_ms) {
    Hlc next;
    if (now_ms > last_.wall_ms) {
        next = {now_ms, 0};
    } else {
        if (last_.counter >= kMaxCounter)
            return Error{"", "clock counter overflow: more than 99999 edits stamped within one millisecond"};
        next = {last_.wall_ms, last_.counter + 1};
    }
    last_ = next;
    return next;
}

Status HlcClock::observe(const Hlc& remote, int64_t now_ms) {
    int64_t wall = std::max({last_.wall_ms, remote.wall_ms, now_ms});
    uint32_t counter = 0;
    if (wall == last_.wall_ms && wall == remote.wall_ms) counter = std::max(last_.counter, remote.counter);
    else if (wall == last_.wall_ms) counter = last_.counter;
    else if (wall == remote.wall_ms) counter = remote.counter;
    else counter = 0;
    // Only the counter at the maximum matters; the next tick increments from here.
    last_ = {wall, counter};
    return ok();
}

}  // namespace crm
