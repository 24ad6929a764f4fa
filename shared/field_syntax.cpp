#include "field_syntax.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "text.h"

namespace crm {
namespace {

// Quoted input is cut so a pasted novel does not become the error message.
constexpr size_t kMaxQuotedChars = 60;

// Active ISO 4217 codes, without funds codes and precious metals. HRK, CUC, ANG, ZWL and SLL have
// been withdrawn but stay accepted so records written before the change still validate.
constexpr std::string_view kCurrencyCodes[] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD",
    "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY",
    "COP", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD",
    "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR",
    "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD",
    "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP",
    "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB",
    "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG",
    "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT",
    "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VED", "VES", "VND", "VUV",
    "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
};

// ISO 4217's exponent for the codes above where it is not 2.
constexpr std::string_view kNoMinorUnitCurrencies[] = {
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
};
constexpr std::string_view kThreeMinorUnitCurrencies[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};

// Every officially assigned ISO 3166-1 alpha-2 code; reserved ones such as UK and EU are not countries.
constexpr std::string_view kCountryCodes[] = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB",
    "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY",
    "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX",
    "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK",
    "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS",
    "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR",
    "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA",
    "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE",
    "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
    "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG",
    "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF",
    "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY",
    "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
};

// Binary search is only correct on strictly increasing lists: a misplaced code fails the build.
template <size_t N>
constexpr bool strictly_sorted(const std::string_view (&list)[N]) {
    return std::adjacent_find(std::begin(list), std::end(list), [](auto a, auto b) { return a >= b; }) ==
           std::end(list);
}
static_assert(strictly_sorted(kCurrencyCodes));
static_assert(strictly_sorted(kNoMinorUnitCurrencies));
static_assert(strictly_sorted(kThreeMinorUnitCurrencies));
static_assert(strictly_sorted(kCountryCodes));
static_assert(std::size(kCountryCodes) == 249);

template <size_t N>
bool contains(const std::string_view (&list)[N], std::string_view code) {
    return std::binary_search(std::begin(list), std::end(list), code);
}

constexpr std::string_view kMonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};

Error fail(std::string message) {
    return Error{"", std::move(message)};
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_letter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
char to_upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}
char to_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = to_upper(c);
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// One character of `s` at `i`: its bytes, or a single byte when `s` is not valid UTF-8 there.
struct Char {
    std::string_view bytes;
    bool valid;
};
Char char_at(std::string_view s, size_t i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size() || utf8_length(s.substr(i, len)) != 1) return {s.substr(i, 1), false};
    return {s.substr(i, len), true};
}

// The input as it can safely appear in a message: invalid UTF-8 would make the error itself
// unprintable (and unserializable as JSON), and a line break would break the layout beside the field.
std::string quoted(std::string_view s) {
    size_t total = 0;
    for (size_t i = 0; i < s.size(); i += char_at(s, i).bytes.size()) ++total;
    const size_t keep = total > kMaxQuotedChars ? kMaxQuotedChars - 3 : total;
    std::string out = "'";
    size_t i = 0;
    for (size_t n = 0; n < keep; ++n) {
        Char ch = char_at(s, i);
        i += ch.bytes.size();
        unsigned char c = static_cast<unsigned char>(ch.bytes[0]);
        if (!ch.valid)
            out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
        else if (c < 0x20 || c == 0x7F)
            out += ' ';
        else
            out += ch.bytes;
    }
    if (keep < total) out += "...";
    return out + "'";
}

// How to name one offending character in a message.
std::string describe(Char ch) {
    if (ch.bytes == "\t") return "a tab";
    if (ch.bytes == "\n" || ch.bytes == "\r") return "a line break";
    if (!ch.valid) return "bytes that are not valid UTF-8 text";
    return quoted(ch.bytes);
}

// Length of an extension marker ("x", "ext", "ext.", "extension", any case) at the start of
// `s`, or 0. A marker must not run into further letters, so "extra" is not "ext" + "ra".
size_t extension_marker_length(std::string_view s) {
    for (std::string_view marker : {"extension", "ext.", "ext", "x"}) {
        if (s.size() < marker.size()) continue;
        bool same = true;
        for (size_t k = 0; k < marker.size(); ++k) same = same && to_lower(s[k]) == marker[k];
        if (same && (s.size() == marker.size() || !is_letter(s[marker.size()]))) return marker.size();
    }
    return 0;
}

// Shared by currencies and countries: says how to fix a near miss (case, spaces) when there is one.
Status validate_code(std::string_view code, bool (*known)(std::string_view), size_t length, std::string_view what,
                     std::string_view examples) {
    if (code.empty()) return fail("is empty");
    if (known(code)) return ok();
    const std::string shown = quoted(code);
    const std::string candidate = upper(trim(code));
    if (known(candidate)) {
        if (trim(code).size() != code.size())
            return fail(shown + " has spaces around it; give just '" + candidate + "'");
        return fail(shown + " is not " + std::string(what) + ": codes are written in capitals, like '" + candidate +
                    "'");
    }
    if (candidate.size() != length || !std::all_of(candidate.begin(), candidate.end(), is_letter))
        return fail(shown + " is not " + std::string(what) + ": use a " + std::to_string(length) + "-letter " +
                    std::string(examples));
    return fail(shown + " is not a known " + std::string(what.substr(what.find(' ') + 1)) + "; use an " +
                std::string(examples));
}

// `s` against a pattern where '9' is a digit, 'A' a letter of either case, anything else itself.
bool matches(std::string_view s, std::string_view pattern) {
    if (s.size() != pattern.size()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        char p = pattern[i];
        bool ok = p == '9' ? is_digit(s[i]) : p == 'A' ? is_letter(s[i]) : to_upper(s[i]) == p;
        if (!ok) return false;
    }
    return true;
}

// `patterns` separated by '|'.
bool matches_any(std::string_view s, std::string_view patterns) {
    while (true) {
        size_t bar = patterns.find('|');
        if (matches(s, patterns.substr(0, bar))) return true;
        if (bar == std::string_view::npos) return false;
        patterns.remove_prefix(bar + 1);
    }
}

struct PostalRule {
    std::string_view country;
    std::string_view patterns;
    std::string_view problem;  // follows the quoted code in the message
};

// Shapes only: these catch typos and swapped fields, not codes that are well formed but unassigned.
constexpr PostalRule kPostalRules[] = {
    {"AU", "9999", "is not an Australian postcode: use 4 digits, such as 2000"},
    {"CA", "A9A 9A9|A9A9A9", "is not a Canadian postal code: use the form A1A 1A1"},
    {"DE", "99999", "is not a German postal code: use 5 digits, such as 10115"},
    {"ES", "99999", "is not a Spanish postal code: use 5 digits, such as 28013"},
    {"FR", "99999", "is not a French postal code: use 5 digits, such as 75001"},
    {"GB", "A9 9AA|A99 9AA|AA9 9AA|AA99 9AA|A9A 9AA|AA9A 9AA|A99AA|A999AA|AA99AA|AA999AA|A9A9AA|AA9A9AA|GIR 0AA|GIR0AA",
     "is not a UK postcode: use a form such as SW1A 1AA or M1 1AE"},
    {"IT", "99999", "is not an Italian postal code: use 5 digits, such as 00184"},
    {"JP", "999-9999", "is not a Japanese postal code: use the form 123-4567"},
    {"NL", "9999 AA|9999AA", "is not a Dutch postal code: use 4 digits and 2 letters, such as 1012 AB"},
    {"US", "99999|99999-9999", "is not a US ZIP code: use 5 digits, or 5+4 digits like 12345-6789"},
};

}  // namespace

Result<std::string> normalize_phone(std::string_view phone) {
    if (trim(phone).empty()) return fail("is empty");
    const std::string shown = quoted(phone);
    const std::string_view kAllowed = "a phone number has only digits, spaces, + . - ( ) and an extension such as x123";
    std::string digits;
    bool plus = false, started = false;
    int open = 0;
    size_t i = 0;
    for (; i < phone.size(); ++i) {
        char c = phone[i];
        if (is_letter(c)) break;  // the extension, or a mistake: decided below
        if (c == '+') {
            if (plus) return fail(shown + " has more than one '+'");
            // The '+' stands for the international prefix, so only the country code may follow it.
            if (started) return fail(shown + " has a '+' that is not at the start; write it as in +1 555 123 4567");
            plus = true;
        } else if (c == '(') {
            ++open;
        } else if (c == ')') {
            if (open == 0) return fail(shown + " has a ')' with no matching '('");
            --open;
        } else if (is_digit(c)) {
            digits += c;
        } else if (c != ' ' && c != '.' && c != '-') {
            return fail(shown + " contains " + describe(char_at(phone, i)) + "; " + std::string(kAllowed));
        }
        if (c != ' ') started = true;
    }

    std::string extension;
    if (i < phone.size()) {
        std::string_view rest = phone.substr(i);
        size_t marker = extension_marker_length(rest);
        if (marker == 0)
            return fail(shown + " contains the letter '" + std::string(1, phone[i]) + "'; " + std::string(kAllowed));
        rest.remove_prefix(marker);
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        while (!rest.empty() && is_digit(rest.front())) {
            extension += rest.front();
            rest.remove_prefix(1);
        }
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        if (extension.empty())
            return fail(shown + " has '" + std::string(phone.substr(i, marker)) +
                        "' but no extension number after it; write it as in x123");
        if (!rest.empty())
            return fail(shown + " has " + quoted(rest) + " after the extension; only digits may follow 'x' or 'ext'");
        if (extension.size() > static_cast<size_t>(kMaxPhoneExtensionDigits))
            return fail(shown + " has an extension of " + std::to_string(extension.size()) + " digits; the limit is " +
                        std::to_string(kMaxPhoneExtensionDigits));
    }

    if (open > 0) return fail(shown + " has a '(' with no matching ')'");
    if (digits.empty()) return fail(shown + " has no digits");
    if (digits.size() < static_cast<size_t>(kMinPhoneDigits))
        return fail(shown + " has only " + std::to_string(digits.size()) + " digits; a phone number needs at least " +
                    std::to_string(kMinPhoneDigits));
    if (digits.size() > static_cast<size_t>(kMaxPhoneDigits))
        return fail(shown + " has " + std::to_string(digits.size()) + " digits; a phone number has at most " +
                    std::to_string(kMaxPhoneDigits) + ", country code included");

    std::string normalized = (plus ? "+" : "") + digits;
    if (!extension.empty()) normalized += ";ext=" + extension;  // RFC 3966's form
    return normalized;
}

Status validate_phone(std::string_view phone) {
    auto normalized = normalize_phone(phone);
    if (!normalized) return normalized.error();
    return ok();
}

bool is_currency_code(std::string_view code) {
    return contains(kCurrencyCodes, code);
}

Status validate_currency(std::string_view code) {
    return validate_code(code, is_currency_code, 3, "a currency code", "ISO 4217 code, such as USD, EUR or JPY");
}

int currency_minor_units(std::string_view code) {
    if (!is_currency_code(code)) return -1;
    if (contains(kNoMinorUnitCurrencies, code)) return 0;
    if (contains(kThreeMinorUnitCurrencies, code)) return 3;
    return 2;
}

std::span<const std::string_view> currency_codes() {
    return kCurrencyCodes;
}

bool is_country_code(std::string_view code) {
    return contains(kCountryCodes, code);
}

Status validate_country(std::string_view code) {
    // The one near miss people make most: UK is reserved in ISO 3166, the code is GB.
    if (upper(trim(code)) == "UK") return fail(quoted(code) + " is not a country code; the United Kingdom is 'GB'");
    return validate_code(code, is_country_code, 2, "a country code", "ISO 3166 code, such as US, DE or JP");
}

std::span<const std::string_view> country_codes() {
    return kCountryCodes;
}

std::string Date::to_string() const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    return buf;
}

bool is_leap_year(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
    constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return 0;
    return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

Result<Date> parse_date(std::string_view text) {
    if (text.empty()) return fail("is empty");
    const std::string shown = quoted(text);
    bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-';
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) shaped = shaped && is_digit(text[i]);
    if (!shaped) return fail(shown + " is not a date in the form YYYY-MM-DD, such as 2025-03-31");
    auto number = [&](size_t from, size_t count) {
        int n = 0;
        for (size_t i = from; i < from + count; ++i) n = n * 10 + (text[i] - '0');
        return n;
    };
    Date date{number(0, 4), number(5, 2), number(8, 2)};
    if (date.year < kMinDateYear || date.year > kMaxDateYear)
        return fail(shown + " is outside the years " + std::to_string(kMinDateYear) + " to " +
                    std::to_string(kMaxDateYear));
    if (date.month < 1 || date.month > 12)
        return fail(shown + " is not a date: there is no month " + std::string(text.substr(5, 2)) +
                    "; months are 01 to 12");
    if (date.day < 1) return fail(shown + " is not a date: there is no day 00");
    if (int last = days_in_month(date.year, date.month); date.day > last)
        return fail(shown + " is not a date: " + std::string(kMonthNames[date.month - 1]) + " " +
                    std::to_string(date.year) + " has " + std::to_string(last) + " days");
    return date;
}

// Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms": integer-only, exact over the
// whole proleptic Gregorian calendar, so no dependence on the platform's time zone database.
int64_t days_from_civil(int year, int month, int day) {
    const int64_t y = static_cast<int64_t>(year) - (month <= 2);
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;                                                  // [0, 399]
    const int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;  // [0, 365]
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                          // [0, 146096]
    return era * 146097 + doe - 719468;
}

Date civil_from_days(int64_t days) {
    const int64_t z = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;                                       // [0, 146096]
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
    const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11], March first
    const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    return Date{static_cast<int>(yoe + era * 400 + (month <= 2)), month, day};
}

Status validate_postal_code(std::string_view code, std::string_view country) {
    if (code.empty()) return fail("is empty");
    const std::string shown = quoted(code);
    const std::string country_code = upper(country);
    for (const PostalRule& rule : kPostalRules)
        if (rule.country == country_code)
            return matches_any(code, rule.patterns) ? ok() : fail(shown + " " + std::string(rule.problem));

    for (size_t i = 0; i < code.size(); ++i) {
        char c = code[i];
        if (!is_letter(c) && !is_digit(c) && c != ' ' && c != '-')
            return fail(shown + " contains " + describe(char_at(code, i)) +
                        "; a postal code has only letters, digits, spaces and dashes");
    }
    // Only ASCII is left, so bytes are characters.
    if (code.size() > kMaxPostalCodeChars)
        return fail(shown + " is " + std::to_string(code.size()) + " characters long; a postal code has at most " +
                    std::to_string(kMaxPostalCodeChars));
    auto is_separator = [](char c) { return c == ' ' || c == '-'; };
    if (is_separator(code.front()) || is_separator(code.back()))
        return fail(shown + " starts or ends with a space or dash");
    return ok();
}

Status validate_domain(std::string_view domain) {
    if (domain.empty()) return fail("is empty");
    const std::string shown = quoted(domain);
    constexpr std::string_view kExample = "such as 'example.com'";

    // People paste addresses from the browser bar; say what to keep rather than guessing silently.
    if (size_t scheme = domain.find("://"); scheme != std::string_view::npos) {
        std::string_view host = domain.substr(scheme + 3);
        host = host.substr(0, host.find_first_of("/?#"));
        if (size_t at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
        host = host.substr(0, host.find(':'));
        return fail(shown + " is a web address; give just the domain, " +
                    (host.empty() ? std::string(kExample) : quoted(host)));
    }
    if (size_t at = domain.rfind('@'); at != std::string_view::npos)
        return fail(shown + " looks like an email address; give just the domain after the '@'");
    if (size_t path = domain.find_first_of("/?#"); path != std::string_view::npos)
        return fail(shown + " has a path after the domain; give just the domain, " +
                    (path == 0 ? std::string(kExample) : quoted(domain.substr(0, path))));
    if (size_t colon = domain.find(':'); colon != std::string_view::npos)
        return fail(shown + " has a port after the domain; give just the domain, " +
                    (colon == 0 ? std::string(kExample) : quoted(domain.substr(0, colon))));

    for (size_t i = 0; i < domain.size(); ++i) {
        char c = domain[i];
        if (is_letter(c) || is_digit(c) || c == '-' || c == '.') continue;
        if (c == ' ') return fail(shown + " contains a space; a domain has none");
        if (!char_at(domain, i).valid) return fail(shown + " contains bytes that are not valid UTF-8 text");
        if (static_cast<unsigned char>(c) >= 0x80)
            return fail(shown + " contains " + describe(char_at(domain, i)) +
                        "; write an international domain in its xn-- form, such as 'xn--bcher-kva.example'");
        return fail(shown + " contains " + describe(char_at(domain, i)) +
                    "; a domain has only letters, digits, hyphens and dots");
    }
    if (domain.size() > kMaxDomainChars)
        return fail(shown + " is " + std::to_string(domain.size()) + " characters long; a domain has at most " +
                    std::to_string(kMaxDomainChars));
    if (domain.front() == '.' || domain.back() == '.') return fail(shown + " starts or ends with a dot");
    if (domain.find('.') == std::string_view::npos)
        return fail(shown + " has no dot; give a full domain, " + std::string(kExample));

    bool all_numeric = true;
    std::string_view last;
    for (std::string_view rest = domain; !rest.empty();) {
        size_t dot = rest.find('.');
        std::string_view label = rest.substr(0, dot);
        rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
        if (label.empty()) return fail(shown + " has two dots in a row");
        if (label.size() > kMaxDomainLabelChars)
            return fail(shown + " has a part longer than " + std::to_string(kMaxDomainLabelChars) +
                        " characters between dots");
        if (label.front() == '-' || label.back() == '-')
            return fail(shown + " has a part that starts or ends with a hyphen: " + quoted(label));
        all_numeric = all_numeric && all_digits(label);
        last = label;
    }
    if (all_numeric) return fail(shown + " is an IP address; give a domain name, " + std::string(kExample));
    if (all_digits(last))
        return fail(shown + " ends in " + quoted(last) + "; the last part of a domain cannot be all digits");
    return ok();
}

Status validate_text_length(std::string_view text, size_t max_chars) {
    auto length = utf8_length(text);
    if (!length) return fail(quoted(text) + " is not valid UTF-8 text");
    if (*length > max_chars)
        return fail(quoted(text) + " is " + std::to_string(*length) + " characters long; the limit is " +
                    std::to_string(max_chars));
    return ok();
}

}  // namespace crm
