#include <doctest/doctest.h>

#include <limits>
#include <string>

#include "json_limits.h"
#include "text.h"

using namespace crm;
using nlohmann::json;

namespace {

JsonRefusal refusal_of(std::string_view text, int max_depth = kMaxJsonDepth) {
    auto r = parse_json_strict(text, max_depth);
    REQUIRE(std::holds_alternative<JsonRefusal>(r));
    return std::get<JsonRefusal>(r);
}

json value_of(std::string_view text) {
    auto r = parse_json_strict(text);
    if (auto* e = std::get_if<JsonRefusal>(&r)) FAIL(e->to_string());
    return std::get<json>(r);
}

}  // namespace

TEST_CASE("strict JSON reads what plain JSON means, the same as nlohmann") {
    for (const char* text :
         {"null", "true", "false", "0", "-0", "-1", "1.5", "-0.0", "1e2", "\"a\\u00e9\\ud834\\udd1e\"", "[]", "{}",
          " [1, [2, {\"a\": [3]}], \"x\"] ", "\xEF\xBB\xBF{\"a\":1}", "9223372036854775807", "-9223372036854775808",
          "{\"a\":{\"a\":{\"a\":1}}}"}) {
        CAPTURE(text);
        CHECK(value_of(text) == json::parse(text));
        CHECK(value_of(text).type() == json::parse(text).type());
    }
    CHECK(value_of("9223372036854775807").is_number_integer());
}

TEST_CASE("strict JSON refuses nesting past the limit before building it, naming where") {
    CHECK(value_of(std::string(32, '[') + std::string(32, ']')).is_array());
    auto deep = refusal_of(std::string(33, '[') + std::string(33, ']'));
    CHECK(deep.code == "too_deep");
    CHECK(deep.message.find("deeper than 32") != std::string::npos);
    // Far deeper than any stack: refused at level 33, without reading on.
    auto huge = refusal_of(std::string(1'000'000, '['));
    CHECK(huge.code == "too_deep");
    auto placed = refusal_of(R"({"changes":[{"value":[[1]]}]})", 4);
    CHECK(placed.code == "too_deep");
    CHECK(placed.where == "changes[0].value[0]");
    CHECK(refusal_of(R"({"a":[{"b":{}}]})", 3).where == "a[0].b");
}

TEST_CASE("strict JSON refuses a key given twice in one object, naming it") {
    auto top = refusal_of(R"({"batch_id":"a","batch_id":"b"})");
    CHECK(top.code == "duplicate_key");
    CHECK(top.to_string() == "batch_id: is given twice in one object; each key may appear once");
    auto nested = refusal_of(R"({"changes":[{"a":1},{"a":1,"b":2,"a":3}]})");
    CHECK(nested.where == "changes[1].a");
    // Escapes are read first: "\u0061" is "a".
    CHECK(refusal_of(R"({"a":1,"\u0061":2})").code == "duplicate_key");
    // The same key in different objects is fine.
    CHECK(value_of(R"({"a":{"a":1},"b":{"a":2}})")["b"]["a"] == 2);
}

TEST_CASE("strict JSON refuses whole numbers outside int64 and keeps floats as floats") {
    for (const char* text : {"9223372036854775808", "18446744073709551615", "18446744073709551616",
                             "-9223372036854775809", "[1,{\"n\":123456789012345678901234567890}]"}) {
        CAPTURE(text);
        auto r = refusal_of(text);
        CHECK(r.code == "invalid_value");
        CHECK(r.message.find("outside the whole numbers") != std::string::npos);
    }
    CHECK(refusal_of("[1,{\"n\":99999999999999999999}]").where == "[1].n");
    CHECK(value_of("1.8446744073709552e19").is_number_float());
    CHECK(value_of("1e19").is_number_float());
    // What JSON has no way to write stays invalid: overflowing floats, NaN, Infinity, hex, leading zeros.
    for (const char* text : {"1e400", "-1e400", "NaN", "Infinity", "-Infinity", "0x10", "01", "+1", "1.", ".5", "-"}) {
        CAPTURE(text);
        CHECK(refusal_of(text).code == "invalid_json");
    }
}

TEST_CASE("strict JSON refuses broken text with a message that is itself valid UTF-8") {
    auto utf8 = refusal_of("{\"a\":\"caf\xE9\"}");
    CHECK(utf8.code == "invalid_json");
    CHECK(utf8.message.find("UTF-8") != std::string::npos);
    for (const std::string text :
         {std::string("{\"a\":\"\xFF\xFE\"}"), std::string("[\xC3]"), std::string("\xFF"), std::string("{\"a\"")}) {
        auto r = refusal_of(text);
        CHECK(r.code == "invalid_json");
        CHECK(utf8_length(r.to_string()));
        CHECK(json({{"error", r.to_string()}}).dump().size() > 0);  // dump() throws on invalid UTF-8
    }
    CHECK(refusal_of("{\"a\":").message.find("truncated") != std::string::npos);
    CHECK(refusal_of("").code == "invalid_json");
    CHECK(refusal_of("{} {}").code == "invalid_json");
    auto nul = refusal_of(std::string("{}\0{}", 5));
    CHECK(nul.message.find("NUL") != std::string::npos);
}

TEST_CASE("a refused text reads as discarded for callers that only need to know it is unusable") {
    CHECK(parse_json_or_discarded(std::string(100, '[')).is_discarded());
    CHECK(parse_json_or_discarded(R"({"a":1,"a":2})").is_discarded());
    CHECK(parse_json_or_discarded(R"({"a":1})")["a"] == 1);
}

TEST_CASE("json_depth counts nesting and stops at its limit") {
    CHECK(json_depth(json(1), 8) == 0);
    CHECK(json_depth(json::array(), 8) == 1);
    CHECK(json_depth(json::parse("[1,[2,[3]],{\"a\":[[]]}]"), 8) == 4);
    json deep = json::array();
    for (int i = 0; i < 20; ++i) deep = json::array({deep});
    CHECK(json_depth(deep, 8) == 9);
}

TEST_CASE("utf8_prefix cuts user text between characters and never yields invalid UTF-8") {
    CHECK(utf8_prefix("hello", 3) == "hel");
    CHECK(utf8_prefix("hello", 40) == "hello");
    CHECK(utf8_prefix("x\xC3\xA9\xC3\xA9", 4) == "x\xC3\xA9");  // not "x\xC3\xA9\xC3"
    CHECK(utf8_prefix("\xF0\x9F\x98\x80", 3) == "");
    CHECK(utf8_prefix("a\xFF"
                      "b",
                      10) ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(utf8_prefix("\xED\xA0\x80", 10) == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate is not UTF-8
    for (size_t n = 0; n < 12; ++n) CHECK(utf8_length(utf8_prefix("\xE2\x82\xAC\xC3\xA9z\xF0\x9F\x98\x80\xC3", n)));
}
