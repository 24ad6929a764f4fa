// The strict JSON reader against nlohmann's own: it refuses a superset (depth, repeated keys,
// whole numbers outside int64, NUL), and what it accepts means exactly what nlohmann reads.
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "json_limits.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto strict = crm::parse_json_strict(text, 8);
    if (auto* refused = std::get_if<crm::JsonRefusal>(&strict)) {
        require_utf8(refused->to_string());
        require(!refused->code.empty(), "a refusal without a code");
        return 0;
    }
    const nlohmann::json& value = std::get<nlohmann::json>(strict);
    require(crm::json_depth(value, 8) <= 8, "accepted deeper than the limit");
    nlohmann::json plain = nlohmann::json::parse(text, nullptr, false);
    require(!plain.is_discarded(), "accepted what nlohmann refuses");
    require(plain == value, "read differently from nlohmann");
    const std::string dumped = value.dump();  // throws on invalid UTF-8
    require(crm::parse_json_or_discarded(dumped) == value, "does not read its own dump back");
    require_utf8(crm::utf8_prefix(text, size / 2));
    return 0;
}
