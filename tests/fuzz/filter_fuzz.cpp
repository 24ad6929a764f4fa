// Saved-view filters: JSON text read strictly, then as a filter, compiled to SQL for every
// record type. Errors read as UTF-8; what compiles survives a round trip through JSON.
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "json_limits.h"
#include "query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = crm::parse_json_strict(text);
    if (!std::holds_alternative<nlohmann::json>(parsed)) return 0;
    auto filter = crm::filter_from_json(std::get<nlohmann::json>(parsed));
    if (!filter) {
        require_utf8(filter.error().to_string());
        return 0;
    }
    auto again = crm::filter_from_json(crm::filter_to_json(*filter));
    require(again.ok(), "a filter does not read back its own JSON");
    for (const auto& spec : crm::record_specs()) {
        crm::Query q;
        q.filter = *filter;
        auto compiled = crm::compile_query(spec, q);
        if (!compiled) require_utf8(compiled.error().to_string());
    }
    return 0;
}
