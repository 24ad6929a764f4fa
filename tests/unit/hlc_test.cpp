#include <doctest/doctest.h>

#include "hlc.h"

using namespace crm;

TEST_CASE("a clock stamp encodes to text whose order is the clock's order") {
    Hlc a{1732540000000, 0}, b{1732540000000, 1}, c{1732540000001, 0};
    CHECK(a.encode() < b.encode());
    CHECK(b.encode() < c.encode());
    CHECK(a.encode() == "000001732540000000-00000");
    auto back = Hlc::decode(b.encode());
    REQUIRE(back.ok());
    CHECK(*back == b);
}

TEST_CASE("decoding a malformed clock stamp names what is wrong") {
    for (const char* bad : {"", "12-3", "00000173254000000x-00000", "000001732540000000_00000", "000001732540000000-0000a"}) {
        auto r = Hlc::decode(bad);
        CHECK_FALSE(r.ok());
        CHECK(r.error().field == "hlc");
    }
}

TEST_CASE("ticks are strictly increasing even when the wall clock stands still or goes back") {
    HlcClock clock;
    auto t1 = clock.tick(1000);
    auto t2 = clock.tick(1000);
    auto t3 = clock.tick(900);  // the wall clock went back
    auto t4 = clock.tick(1001);
    REQUIRE((t1.ok() && t2.ok() && t3.ok() && t4.ok()));
    CHECK(*t1 < *t2);
    CHECK(*t2 < *t3);
    CHECK(*t3 < *t4);
    CHECK(t4->wall_ms == 1001);
}

TEST_CASE("observing a remote stamp orders the next local tick after it") {
    HlcClock clock;
    REQUIRE(clock.observe({5000, 7}, 1000).ok());
    auto t = clock.tick(1000);
    REQUIRE(t.ok());
    CHECK(*t > Hlc{5000, 7});
}

TEST_CASE("a counter overflow is an error, not a wrap") {
    HlcClock clock({1000, HlcClock::kMaxCounter});
    auto t = clock.tick(1000);
    CHECK_FALSE(t.ok());
    CHECK(t.error().message.find("overflow") != std::string::npos);
    CHECK(clock.last() == Hlc{1000, HlcClock::kMaxCounter});  // unchanged
    CHECK(clock.tick(1001).ok());
}
