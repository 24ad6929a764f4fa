// The syntax checks for field text (phones, currencies, countries, dates, postal codes, domains,
// text length): no crash, messages that quote the input stay UTF-8, normalized phones hold only
// digits and the extension's marker, dates print as read.
#include <cstdint>
#include <string>
#include <string_view>

#include "field_syntax.h"
#include "fuzz_check.h"

namespace {

template <class R>
void check(const R& r) {
    if (!r) require_utf8(r.error().to_string());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check(crm::validate_phone(text));
    auto phone = crm::normalize_phone(text);
    check(phone);
    if (phone)  // "+<digits>" or "<digits>", then ";ext=<digits>" (RFC 3966)
        require(phone->find_first_not_of("+0123456789;ext=") == std::string::npos,
                "a normalized phone with other characters", *phone);
    check(crm::validate_currency(text));
    (void)crm::currency_minor_units(text);
    check(crm::validate_country(text));
    auto date = crm::parse_date(text);
    check(date);
    if (date) {
        require(date->to_string() == text, "a date does not print as read", std::string(text));
        const int64_t days = crm::days_from_civil(date->year, date->month, date->day);
        require(crm::civil_from_days(days) == *date, "days do not map back to the date");
    }
    const size_t split = size ? data[0] % (size + 1) : 0;
    check(crm::validate_postal_code(text.substr(split), text.substr(0, split)));
    check(crm::validate_domain(text));
    check(crm::validate_text_length(text, size ? data[0] : 0));
    return 0;
}
