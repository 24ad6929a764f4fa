#include <doctest/doctest.h>

#include "contacts.h"

using namespace crm;

TEST_CASE("a contact needs a name") {
    auto errors = validate_contact({"", "ada@example.com"});
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == "name");
    CHECK(errors[0].message == "is required");
    CHECK(validate_contact({"   ", ""}).size() == 1);
}

TEST_CASE("the email is optional but must be valid when given") {
    CHECK(validate_contact({"Ada Lovelace", ""}).empty());
    CHECK(validate_contact({"Ada Lovelace", "ada@example.com"}).empty());
    CHECK(validate_contact({"Ada Lovelace", "ada.l+crm@mail.example.co.uk"}).empty());
    for (const char* bad : {"bob@", "@example.com", "bob", "bob@example", "bob@@example.com", "bob smith@example.com",
                            "bob@example..com", "bob@.example.com", "bob@example.com."}) {
        CAPTURE(bad);
        auto errors = validate_contact({"Bob", bad});
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].field == "email");
        CHECK(errors[0].message.find(bad) != std::string::npos);  // the message quotes what was typed
    }
}

TEST_CASE("an email with a space, tab or separator says which one, in words a person can see") {
    auto reason = [](const char* email) {
        auto errors = validate_contact({"Bob", email});
        REQUIRE(errors.size() == 1);
        return errors[0].message;
    };
    CHECK(reason("bob smith@example.com").find("it contains a space") != std::string::npos);
    CHECK(reason("bob\tsmith@example.com").find("it contains a tab") != std::string::npos);
    CHECK(reason("bob,smith@example.com").find("it contains a comma") != std::string::npos);
    CHECK(reason("bob;smith@example.com").find("it contains a semicolon") != std::string::npos);
    CHECK(reason("<bob@example.com").find("it contains '<'") != std::string::npos);
    // The reason never quotes an invisible character ("a space or ' '").
    for (const char* email : {"bob smith@example.com", "bob\tsmith@example.com"}) {
        const std::string m = reason(email);
        CAPTURE(m);
        CHECK(m.find("' '") == std::string::npos);
        CHECK(m.find("'\t'") == std::string::npos);
    }
}

TEST_CASE("every problem is reported, one per field") {
    auto errors = validate_contact({"", "nope"});
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].field == "name");
    CHECK(errors[1].field == "email");
}

TEST_CASE("names are limited in characters, not bytes, and must be valid UTF-8") {
    std::string arabic;
    for (size_t i = 0; i < kMaxNameChars; ++i) arabic += "\xd8\xb9";  // 200 characters, 400 bytes
    CHECK(validate_name(arabic).ok());
    auto too_long = validate_name(arabic + "\xd8\xb9");
    CHECK_FALSE(too_long.ok());
    CHECK(too_long.error().message.find("201 characters") != std::string::npos);
    CHECK_FALSE(validate_name("bad \xff byte").ok());
    CHECK(validate_name("Zoë 🚀 O'Brien; DROP TABLE contacts;--").ok());
}

TEST_CASE("typed fields are trimmed of surrounding white space") {
    auto n = normalized({"  Ada  ", " ada@example.com\n"});
    CHECK(n.name == "Ada");
    CHECK(n.email == "ada@example.com");
}
