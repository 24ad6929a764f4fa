#pragma once
// Hybrid logical clock: wall-clock milliseconds plus a counter that orders events within the
// same millisecond and keeps causality when a remote clock is ahead of ours.
#include <cstdint>
#include <string>
#include <string_view>

#include "result.h"

namespace crm {

struct Hlc {
    int64_t wall_ms = 0;
    uint32_t counter = 0;

    // Fixed-width text ("000001732540000000-00000") whose byte order is the clock order.
    std::string encode() const;
    static Result<Hlc> decode(std::string_view text);
    auto operator<=>(const Hlc&) const = default;
};

class HlcClock {
public:
    static constexpr uint32_t kMaxCounter = 99999;  // five digits in the encoding

    explicit HlcClock(Hlc last = {}) : last_(last) {}
    // A stamp for a local event at wall time `now_ms`; fails if the counter would overflow.
    Result<Hlc> tick(int64_t now_ms);
    // Folds in a stamp seen from another replica so our next tick orders after it.
    Status observe(const Hlc& remote, int64_t now_ms);
    const Hlc& last() const { return last_; }

private:
    Hlc last_;
};

}  // namespace crm
