#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>

#include "field_syntax.h"
#include "text.h"

using namespace crm;

namespace {

// The message of a refusal; fails the test when the value was accepted.
template <class T>
std::string refusal(const Result<T>& result) {
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().field.empty());  // the caller names the field
    CHECK(utf8_length(result.error().message).has_value());
    return result.error().message;
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// `s` between single quotes, the way messages quote what was given. (Built with += because
// GCC 12 warns falsely, -Wrestrict, about "'" + std::string.)
std::string in_quotes(std::string_view s) {
    std::string out = "'";
    out += s;
    out += "'";
    return out;
}

}  // namespace

TEST_CASE("phone numbers are accepted as people type them and normalized to digits") {
    struct Case {
        const char* typed;
        const char* normalized;
    };
    for (Case c :
         {Case{"+1 (555) 123-4567", "+15551234567"}, Case{"555.123.4567", "5551234567"},
          Case{"+44 20 7946 0958", "+442079460958"}, Case{"  030 1234567 ", "0301234567"}, Case{"1234567", "1234567"},
          Case{"+123456789012345", "+123456789012345"}, Case{"+33 (0)1-23-45-67-89", "+330123456789"}}) {
        CAPTURE(c.typed);
        auto n = normalize_phone(c.typed);
        REQUIRE(n.ok());
        CHECK(*n == c.normalized);
        CHECK(validate_phone(c.typed).ok());
    }
}

TEST_CASE("a phone extension is kept after the number in RFC 3966 form") {
    struct Case {
        const char* typed;
        const char* normalized;
    };
    for (Case c :
         {Case{"555-123-4567 x123", "5551234567;ext=123"}, Case{"555-123-4567x9", "5551234567;ext=9"},
          Case{"+1 555 123 4567 ext. 42", "+15551234567;ext=42"}, Case{"+1 555 123 4567 Ext 42", "+15551234567;ext=42"},
          Case{"+1 555 123 4567 extension 42 ", "+15551234567;ext=42"}}) {
        CAPTURE(c.typed);
        auto n = normalize_phone(c.typed);
        REQUIRE(n.ok());
        CHECK(*n == c.normalized);
    }
    CHECK(has(refusal(validate_phone("555-123-4567 ext.")), "no extension number"));
    CHECK(has(refusal(validate_phone("555-123-4567 x12 x3")), "after the extension"));
    CHECK(has(refusal(validate_phone("555-123-4567 x12345678901")), "extension of 11 digits"));
}

TEST_CASE("phone numbers with letters, stray plus signs or unbalanced parentheses are refused, quoting the input") {
    struct Case {
        const char* typed;
        const char* problem;
    };
    for (Case c : {Case{"1-800-FLOWERS", "the letter 'F'"}, Case{"555 123 4567 extra", "the letter 'e'"},
                   Case{"++1 555 123 4567", "more than one '+'"}, Case{"+1 555 +123 4567", "more than one '+'"},
                   Case{"1 555 123+4567", "not at the start"}, Case{"(555 123-4567", "'(' with no matching ')'"},
                   Case{"555) 123-4567", "')' with no matching '('"}, Case{"555/123/4567", "'/'"},
                   Case{"555\t123 4567", "a tab"}, Case{"555–123–4567", "'–'"}}) {
        CAPTURE(c.typed);
        auto message = refusal(normalize_phone(c.typed));
        CHECK(has(message, c.problem));
        std::string shown = c.typed;
        std::replace(shown.begin(), shown.end(), '\t', ' ');  // control characters are shown as spaces
        CHECK(has(message, in_quotes(shown)));
    }
}

TEST_CASE("a phone number needs 7 to 15 digits, the international maximum") {
    CHECK(has(refusal(validate_phone("555-123")), "'555-123' has only 6 digits"));
    CHECK(has(refusal(validate_phone("+1234567890123456")), "has 16 digits"));
    CHECK(has(refusal(validate_phone("( ) - .")), "has no digits"));
    CHECK(has(refusal(validate_phone("x123")), "has no digits"));
    CHECK(validate_phone("123 4567").ok());
}

TEST_CASE("an empty phone number is reported as empty") {
    CHECK(refusal(validate_phone("")) == "is empty");
    CHECK(refusal(validate_phone("   ")) == "is empty");
}

TEST_CASE("currency codes are the uppercase ISO 4217 codes") {
    for (const char* code : {"USD", "EUR", "JPY", "GBP", "CHF", "CNY", "INR", "BRL", "AED", "ZMW", "XOF", "SLE"}) {
        CAPTURE(code);
        CHECK(is_currency_code(code));
        CHECK(validate_currency(code).ok());
    }
    for (const char* code : {"", "US", "USDD", "XYZ", "EURO", "$", "BTC", "AAA", "ZZZ"}) {
        CAPTURE(code);
        CHECK_FALSE(is_currency_code(code));
        CHECK_FALSE(validate_currency(code).ok());
    }
    CHECK(refusal(validate_currency("")) == "is empty");
    CHECK(has(refusal(validate_currency("XYZ")), "'XYZ' is not a known currency code"));
    CHECK(has(refusal(validate_currency("US$")), "'US$' is not a currency code: use a 3-letter"));
}

TEST_CASE("a lowercase or padded currency code is refused with the code to type instead") {
    CHECK_FALSE(is_currency_code("usd"));
    CHECK(refusal(validate_currency("usd")) ==
          "'usd' is not a currency code: codes are written in capitals, like 'USD'");
    CHECK(has(refusal(validate_currency("Eur")), "'EUR'"));
    CHECK(refusal(validate_currency(" USD")) == "' USD' has spaces around it; give just 'USD'");
}

TEST_CASE("amounts carry as many decimals as their currency's minor unit") {
    CHECK(currency_minor_units("USD") == 2);
    CHECK(currency_minor_units("EUR") == 2);
    for (const char* code : {"JPY", "KRW", "CLP", "ISK", "VND", "XAF", "XOF", "XPF", "UGX", "PYG", "RWF", "KMF", "GNF",
                             "DJF", "BIF", "VUV"}) {
        CAPTURE(code);
        CHECK(currency_minor_units(code) == 0);
    }
    for (const char* code : {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}) {
        CAPTURE(code);
        CHECK(currency_minor_units(code) == 3);
    }
    CHECK(currency_minor_units("usd") == -1);
    CHECK(currency_minor_units("XYZ") == -1);
}

TEST_CASE("the code lists are strictly sorted, so binary search finds every code in them") {
    auto currencies = currency_codes();
    auto countries = country_codes();
    CHECK(std::adjacent_find(currencies.begin(), currencies.end(), std::greater_equal<>{}) == currencies.end());
    CHECK(std::adjacent_find(countries.begin(), countries.end(), std::greater_equal<>{}) == countries.end());
    CHECK(currencies.size() >= 150);
    CHECK(countries.size() == 249);
    for (auto code : currencies) {
        CAPTURE(code);
        CHECK(code.size() == 3);
        CHECK(is_currency_code(code));
        CHECK(currency_minor_units(code) >= 0);
    }
    for (auto code : countries) {
        CAPTURE(code);
        CHECK(code.size() == 2);
        CHECK(is_country_code(code));
    }
}

TEST_CASE("country codes are the officially assigned ISO 3166 alpha-2 codes, in capitals") {
    for (const char* code : {"US", "GB", "DE", "FR", "JP", "CN", "IN", "BR", "ZA", "AU", "AX", "ZW", "SS"}) {
        CAPTURE(code);
        CHECK(is_country_code(code));
        CHECK(validate_country(code).ok());
    }
    CHECK_FALSE(is_country_code("XK"));  // Kosovo's code is user-assigned, not official
    CHECK_FALSE(is_country_code("EU"));  // reserved, not a country
    CHECK(refusal(validate_country("")) == "is empty");
    CHECK(refusal(validate_country("us")) == "'us' is not a country code: codes are written in capitals, like 'US'");
    CHECK(has(refusal(validate_country("UK")), "the United Kingdom is 'GB'"));
    CHECK(has(refusal(validate_country("USA")), "'USA' is not a country code: use a 2-letter"));
    CHECK(has(refusal(validate_country("QQ")), "'QQ' is not a known country code"));
}

TEST_CASE("dates are accepted only as YYYY-MM-DD") {
    auto d = parse_date("2025-03-31");
    REQUIRE(d.ok());
    CHECK(d->year == 2025);
    CHECK(d->month == 3);
    CHECK(d->day == 31);
    CHECK(d->to_string() == "2025-03-31");
    for (const char* bad : {"2025-3-31", "31/03/2025", "2025/03/31", "20250331", " 2025-03-31", "2025-03-31T10:00",
                            "2025-O3-31", "next friday"}) {
        CAPTURE(bad);
        auto message = refusal(parse_date(bad));
        CHECK(has(message, in_quotes(bad) + " is not a date in the form YYYY-MM-DD"));
    }
    CHECK(refusal(parse_date("")) == "is empty");
}

TEST_CASE("February 29 exists only in leap years") {
    CHECK(parse_date("2024-02-29").ok());
    CHECK(parse_date("2000-02-29").ok());                                        // divisible by 400
    CHECK(has(refusal(parse_date("2100-02-29")), "February 2100 has 28 days"));  // divisible by 100
    CHECK(refusal(parse_date("2025-02-29")) == "'2025-02-29' is not a date: February 2025 has 28 days");
    CHECK(has(refusal(parse_date("2024-02-30")), "February 2024 has 29 days"));
    CHECK(is_leap_year(2024));
    CHECK_FALSE(is_leap_year(1900));
}

TEST_CASE("each month has its own length and there are twelve of them") {
    CHECK(parse_date("2025-01-31").ok());
    CHECK(parse_date("2025-12-31").ok());
    CHECK(has(refusal(parse_date("2025-04-31")), "April 2025 has 30 days"));
    CHECK(has(refusal(parse_date("2025-01-32")), "January 2025 has 31 days"));
    CHECK(has(refusal(parse_date("2025-13-01")), "there is no month 13"));
    CHECK(has(refusal(parse_date("2025-00-10")), "there is no month 00"));
    CHECK(has(refusal(parse_date("2025-05-00")), "there is no day 00"));
    CHECK(days_in_month(2025, 13) == 0);
}

TEST_CASE("dates are limited to the years 1900 to 2999") {
    CHECK(parse_date("1900-01-01").ok());
    CHECK(parse_date("2999-12-31").ok());
    CHECK(has(refusal(parse_date("1899-12-31")), "'1899-12-31' is outside the years 1900 to 2999"));
    CHECK(has(refusal(parse_date("3000-01-01")), "outside the years 1900 to 2999"));
}

TEST_CASE("day numbers and calendar dates convert both ways without drift") {
    CHECK(days_from_civil(1970, 1, 1) == 0);
    CHECK(days_from_civil(2000, 3, 1) == 11017);
    CHECK(days_from_civil(1900, 1, 1) == -25567);
    CHECK(days_from_civil(1969, 12, 31) == -1);
    CHECK(civil_from_days(-1) == Date{1969, 12, 31});
    CHECK(civil_from_days(19782) == Date{2024, 2, 29});

    // Every day of the supported years, and a margin either side: each is the day after the previous.
    const int64_t first = days_from_civil(1800, 1, 1), last = days_from_civil(3100, 12, 31);
    Date previous = civil_from_days(first - 1);
    for (int64_t n = first; n <= last; ++n) {
        Date date = civil_from_days(n);
        if (days_from_civil(date.year, date.month, date.day) != n || !(previous < date)) {
            CAPTURE(n);
            FAIL_CHECK("round trip broken at " << date.to_string());
            break;
        }
        bool next_day = date.day == previous.day + 1 && date.month == previous.month;
        bool next_month = date.day == 1 && previous.day == days_in_month(previous.year, previous.month);
        if (!next_day && !next_month) {
            FAIL_CHECK(previous.to_string() << " is followed by " << date.to_string());
            break;
        }
        previous = date;
    }
    CHECK(previous == Date{3100, 12, 31});
}

TEST_CASE("dates compare and print in calendar order") {
    CHECK(Date{2024, 12, 31} < Date{2025, 1, 1});
    CHECK(Date{2025, 1, 2} > Date{2025, 1, 1});
    CHECK(Date{2025, 1, 1} == *parse_date("2025-01-01"));
    CHECK(Date{1999, 9, 9}.to_string() == "1999-09-09");
}

TEST_CASE("postal codes are checked against their country's usual shape") {
    struct Case {
        const char* country;
        const char* code;
    };
    for (Case c : {Case{"US", "12345"},   Case{"US", "12345-6789"}, Case{"CA", "K1A 0B1"}, Case{"CA", "K1A0B1"},
                   Case{"CA", "k1a 0b1"}, Case{"GB", "SW1A 1AA"},   Case{"GB", "M1 1AE"},  Case{"GB", "B33 8TH"},
                   Case{"GB", "CR2 6XH"}, Case{"GB", "DN55 1PT"},   Case{"GB", "W1A 0AX"}, Case{"GB", "EC1A1BB"},
                   Case{"DE", "10115"},   Case{"FR", "75001"},      Case{"ES", "28013"},   Case{"IT", "00184"},
                   Case{"NL", "1012 AB"}, Case{"NL", "1012AB"},     Case{"AU", "2000"},    Case{"JP", "100-0001"},
                   Case{"us", "12345"}}) {
        CAPTURE(c.country);
        CAPTURE(c.code);
        CHECK(validate_postal_code(c.code, c.country).ok());
    }
    for (Case c : {Case{"US", "1234"}, Case{"US", "123456"}, Case{"US", "12345-678"}, Case{"US", "12345 6789"},
                   Case{"CA", "K1A-0B1"}, Case{"CA", "123 456"}, Case{"GB", "SW1A"}, Case{"GB", "12345"},
                   Case{"GB", "SW1A  1AA"}, Case{"DE", "1011"}, Case{"FR", "7500A"}, Case{"NL", "0123 A"},
                   Case{"AU", "20000"}, Case{"JP", "1000001"}, Case{"JP", "100 0001"}}) {
        CAPTURE(c.country);
        CAPTURE(c.code);
        CHECK(has(refusal(validate_postal_code(c.code, c.country)), in_quotes(c.code) + " is not"));
    }
    CHECK(has(refusal(validate_postal_code("1234", "US")), "5+4 digits like 12345-6789"));
    CHECK(refusal(validate_postal_code("", "US")) == "is empty");
}

TEST_CASE("postal codes of other countries only need letters, digits, spaces and dashes") {
    for (const char* code : {"1010", "SE-111 22", "00-950", "110001", "D02 X285", "A"}) {
        CAPTURE(code);
        CHECK(validate_postal_code(code, "PL").ok());
        CHECK(validate_postal_code(code, "").ok());
    }
    CHECK(has(refusal(validate_postal_code("1234567890123", "SE")), "is 13 characters long"));
    CHECK(has(refusal(validate_postal_code("12_34", "SE")), "contains '_'"));
    CHECK(has(refusal(validate_postal_code("112 °", "SE")), "contains '°'"));
    CHECK(has(refusal(validate_postal_code(" 11122", "SE")), "starts or ends with a space or dash"));
    CHECK(has(refusal(validate_postal_code("-", "SE")), "starts or ends"));
}

TEST_CASE("a bare web domain is accepted") {
    for (const char* domain : {"example.com", "example.co.uk", "sub.example.com", "EXAMPLE.COM", "a-b.io", "x.y",
                               "xn--bcher-kva.example", "123.example.com", "example.xn--p1ai"}) {
        CAPTURE(domain);
        CHECK(validate_domain(domain).ok());
    }
    std::string label63(63, 'a'), label64(64, 'a');
    CHECK(validate_domain(label63 + ".com").ok());
    CHECK(has(refusal(validate_domain(label64 + ".com")), "longer than 63"));
    std::string long_domain;
    while (long_domain.size() < 250) long_domain += label63.substr(0, 9) + ".";
    CHECK(validate_domain(long_domain + "com").ok());  // exactly 253 characters
    CHECK(has(refusal(validate_domain(long_domain + "comm")), "is 254 characters long; a domain has at most 253"));
}

TEST_CASE("a web address, email or domain with a port or path is refused with the domain to give instead") {
    CHECK(refusal(validate_domain("https://example.com")) ==
          "'https://example.com' is a web address; give just the domain, 'example.com'");
    CHECK(has(refusal(validate_domain("http://user@www.example.com:8080/about?x=1")), "'www.example.com'"));
    CHECK(has(refusal(validate_domain("example.com/about")),
              "has a path after the domain; give just the domain, "
              "'example.com'"));
    CHECK(has(refusal(validate_domain("example.com:443")), "has a port"));
    CHECK(has(refusal(validate_domain("bob@example.com")), "looks like an email address"));
}

TEST_CASE("malformed domains are refused, quoting what was given") {
    struct Case {
        const char* domain;
        const char* problem;
    };
    for (Case c : {Case{"localhost", "has no dot"}, Case{"example..com", "two dots in a row"},
                   Case{".example.com", "starts or ends with a dot"}, Case{"example.com.", "starts or ends with a dot"},
                   Case{"-example.com", "starts or ends with a hyphen: '-example'"},
                   Case{"example-.com", "starts or ends with a hyphen"}, Case{"exa mple.com", "contains a space"},
                   Case{"exa_mple.com", "contains '_'"}, Case{"bücher.example", "xn-- form"},
                   Case{"192.168.0.1", "is an IP address"}, Case{"example.123", "cannot be all digits"}}) {
        CAPTURE(c.domain);
        auto message = refusal(validate_domain(c.domain));
        CHECK(has(message, c.problem));
        CHECK(has(message, in_quotes(c.domain)));
    }
    CHECK(refusal(validate_domain("")) == "is empty");
}

TEST_CASE("text length is counted in characters, not bytes, whatever the script") {
    CHECK(validate_text_length("", 0).ok());
    CHECK(validate_text_length("hello", 5).ok());
    CHECK(has(refusal(validate_text_length("hello!", 5)), "is 6 characters long; the limit is 5"));

    const std::string rocket = "\xF0\x9F\x9A\x80";                          // 🚀: 4 bytes, one character
    const std::string hebrew = "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D";          // שלום: 8 bytes, 4 characters
    const std::string arabic = "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7";  // مرحبا: 10 bytes, 5 characters
    CHECK(validate_text_length(rocket, 1).ok());
    CHECK(validate_text_length(hebrew, 4).ok());
    CHECK(validate_text_length(arabic, 5).ok());
    CHECK(validate_text_length(hebrew + " " + arabic + " " + rocket, 12).ok());
    CHECK(has(refusal(validate_text_length(hebrew + " " + arabic + " " + rocket, 11)),
              "is 12 characters long; the limit is 11"));
    // A flag is two code points (regional indicators); the limit counts code points.
    CHECK(has(refusal(validate_text_length("\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7", 1)), "is 2 characters long"));

    std::string notes;
    for (int i = 0; i < 301; ++i) notes += rocket;
    CHECK(validate_text_length(notes, 301).ok());
    CHECK(has(refusal(validate_text_length(notes, 300)), "is 301 characters long; the limit is 300"));
}

TEST_CASE("invalid UTF-8 is refused and never copied into the message") {
    for (const char* bad : {"bad \xFF byte", "\xC3", "\xE2\x82", "\xC0\xAF", "\xED\xA0\x80"}) {
        auto message = refusal(validate_text_length(bad, 100));
        CHECK(has(message, "is not valid UTF-8 text"));
    }
    CHECK(has(refusal(validate_text_length("bad \xFF byte", 100)), "'bad \xEF\xBF\xBD byte'"));
    CHECK(has(refusal(validate_phone("555 \xFF 1234")), "not valid UTF-8"));
    CHECK(has(refusal(validate_domain("exa\xFFmple.com")), "not valid UTF-8"));
}

TEST_CASE("long input is quoted cut short, on a character boundary") {
    std::string long_text(100, 'a');
    auto message = refusal(validate_text_length(long_text, 10));
    CHECK(has(message, in_quotes(std::string(57, 'a') + "...") + " is 100 characters long"));

    std::string hebrew;
    for (int i = 0; i < 100; ++i) hebrew += "\xD7\xA9";
    auto hebrew_message = refusal(validate_text_length(hebrew, 10));
    CHECK(utf8_length(hebrew_message).has_value());
    CHECK(has(hebrew_message, "..."));

    auto multiline = refusal(validate_text_length("line one\nline two", 3));
    CHECK(has(multiline, "'line one line two'"));
}
