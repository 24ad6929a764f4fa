#pragma once
// Syntax checks for the values records carry (phones, currencies, countries, dates, postal
// codes, domains, text length), shared by every record type's validation. Errors leave
// `field` empty for the caller to fill in; messages quote what was given.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "result.h"

namespace crm {

inline constexpr int kMinPhoneDigits = 7;            // the shortest local numbers in use
inline constexpr int kMaxPhoneDigits = 15;           // E.164's maximum, country code included
inline constexpr int kMaxPhoneExtensionDigits = 10;  // no standard; anything longer is a typo
inline constexpr int kMinDateYear = 1900;
inline constexpr int kMaxDateYear = 2999;
inline constexpr size_t kMaxPostalCodeChars = 12;   // for countries without a specific pattern
inline constexpr size_t kMaxDomainChars = 253;      // RFC 1035, without the trailing dot
inline constexpr size_t kMaxDomainLabelChars = 63;  // RFC 1035

// Checks a phone number as people type it: see normalize_phone for what is accepted.
Status validate_phone(std::string_view phone);
// "+<digits>" or "<digits>", plus ";ext=<digits>" when an extension ("x12", "ext. 12") is given.
Result<std::string> normalize_phone(std::string_view phone);

// Whether `code` is an ISO 4217 alphabetic currency code (uppercase only).
bool is_currency_code(std::string_view code);
// Checks an ISO 4217 currency code; a lowercase one is refused with the uppercase suggested.
Status validate_currency(std::string_view code);
// Digits after the decimal point in amounts of `code` (2, 0 or 3); -1 when it is not a code.
int currency_minor_units(std::string_view code);
// The accepted currency codes, sorted, so callers can offer them in a list.
std::span<const std::string_view> currency_codes();

// Whether `code` is an officially assigned ISO 3166-1 alpha-2 country code (uppercase only).
bool is_country_code(std::string_view code);
// Checks an ISO 3166-1 alpha-2 country code; a lowercase one is refused with the uppercase suggested.
Status validate_country(std::string_view code);
// The accepted country codes, sorted, so callers can offer them in a list.
std::span<const std::string_view> country_codes();

struct Date {
    int year = 0;
    int month = 0;
    int day = 0;

    // "YYYY-MM-DD"
    std::string to_string() const;
    auto operator<=>(const Date&) const = default;
};

// Whether `year` has a February 29 in the Gregorian calendar.
bool is_leap_year(int year);
// The number of days in `month` (1..12) of `year`; 0 for a month outside 1..12.
int days_in_month(int year, int month);
// Exactly "YYYY-MM-DD", a real calendar date with a year in kMinDateYear..kMaxDateYear.
Result<Date> parse_date(std::string_view text);
// Days since 1970-01-01 (negative before), in integer arithmetic so wasm and native agree.
int64_t days_from_civil(int year, int month, int day);
// The Gregorian date `days` days after 1970-01-01; the inverse of days_from_civil.
Date civil_from_days(int64_t days);

// Checks a postal code's shape for `country` (ISO 3166-1 alpha-2); other countries get a loose check.
Status validate_postal_code(std::string_view code, std::string_view country);

// Checks a bare web domain such as "example.co.uk"; URLs, ports and paths are refused, not stripped.
Status validate_domain(std::string_view domain);

// Checks that `text` is valid UTF-8 of at most `max_chars` characters (code points, not bytes).
Status validate_text_length(std::string_view text, size_t max_chars);

}  // namespace crm
