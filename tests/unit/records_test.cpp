// Records of every type: create, read, update, soft delete and restore, and what bad input gets.
#include <doctest/doctest.h>

#include "workspace_fixture.h"

using namespace crm;
using nlohmann::json;


TEST_CASE("a contact with every kind of field round-trips unchanged") {
    Workspace w;
    const std::string company = w.create("company", {{"name", "Analytical Engines Ltd"}, {"domain", "engines.example.co.uk"}});
    json values = {
        {"name", "Ada Lovelace"}, {"first_name", "Ada"}, {"last_name", "Lovelace"},
        {"email", "ada@engines.example.co.uk"}, {"phone", "+44 20 7946 0018"},
        {"other_emails", json::array({{{"value", "ada@home.example"}, {"label", "home"}}})},
        {"other_phones", json::array({{{"value", "(020) 7946-0019"}, {"label", "mobile"}}})},
        {"job_title", "Analyst"}, {"company_id", company},
        {"address", {{"street", "12 St James's Square"}, {"city", "London"}, {"postal_code", "SW1Y 4JH"}, {"country", "GB"}}},
        {"lifecycle_stage", "customer"}, {"lead_status", "connected"}, {"lead_source", "referral"},
        {"consent_email", {{"status", "opted_in"}, {"at", 1700000000000}, {"method", "web form"}}},
        {"consent_sms", {{"status", "opted_out"}, {"at", 1700000000000}, {"method", "reply STOP"}}},
        {"do_not_contact", false}, {"owner", "grace"}, {"tags", {"vip", "math"}},
    };
    const std::string id = w.create("contact", values);
    auto got = w.store.get("contact", id);
    REQUIRE(got.ok());
    for (auto it = values.begin(); it != values.end(); ++it) {
        CAPTURE(it.key());
        CHECK((*got)[it.key()] == it.value());
    }
    CHECK((*got)["created_at"] == w.now);
    CHECK((*got)["deleted"] == false);
}

TEST_CASE("text with quotes, SQL, emoji and right-to-left scripts round-trips in every record type") {
    Workspace w;
    const std::string tricky = "O'Brien \"Bob\"; DROP TABLE contacts;-- 🚀 שלום مرحبا \\ % _";
    const std::string company = w.create("company", {{"name", tricky}});
    const std::string contact = w.create("contact", {{"name", tricky}, {"job_title", tricky}});
    const std::string deal = w.create("deal", {{"name", tricky}, {"close_reason", tricky}});
    const std::string lead = w.create("lead", {{"name", tricky}, {"company_name", tricky}});
    const std::string act = w.create("activity", {{"kind", "note"}, {"subject", tricky}, {"body", tricky}, {"contact_id", contact}});
    const std::string kase = w.create("case", {{"subject", tricky}, {"description", tricky}});
    CHECK((*w.store.get("company", company))["name"] == tricky);
    CHECK((*w.store.get("contact", contact))["job_title"] == tricky);
    CHECK((*w.store.get("deal", deal))["close_reason"] == tricky);
    CHECK((*w.store.get("lead", lead))["company_name"] == tricky);
    CHECK((*w.store.get("activity", act))["body"] == tricky);
    CHECK((*w.store.get("case", kase))["description"] == tricky);
    CHECK(w.count("contacts") == 1);  // the SQL in the text did nothing
}

TEST_CASE("missing required fields are refused per record type, naming the field, and nothing is written") {
    Workspace w;
    const int64_t outbox_before = *w.store.outbox_size();
    CHECK(w.refused("contact", {{"email", "a@example.com"}}).field == "name");
    CHECK(w.refused("company", {{"domain", "example.com"}}).field == "name");
    CHECK(w.refused("deal", {{"amount", 10}, {"currency", "USD"}}).field == "name");
    CHECK(w.refused("lead", json::object()).field == "name");
    CHECK(w.refused("activity", {{"subject", "Call back"}}).field == "kind");
    CHECK(w.refused("case", {{"priority", "high"}}).field == "subject");
    CHECK(w.refused("stage", {{"name", "Demo"}}).field == "pipeline_id");
    CHECK(w.refused("deal_contact", {{"role", "champion"}}).field == "deal_id");
    CHECK(w.refused("contact", {{"name", "   "}}).message == "is required");
    CHECK(*w.store.outbox_size() == outbox_before);
    CHECK(w.count("contacts") == 0);
    CHECK(w.count("companies") == 0);
    CHECK(w.count("deals") == 0);
}

TEST_CASE("values of the wrong kind are refused with the field named") {
    Workspace w;
    SUBCASE("text given a number") { CHECK(w.refused("contact", {{"name", 42}}).message.find("must be text") != std::string::npos); }
    SUBCASE("number given text") {
        auto e = w.refused("deal", {{"name", "D"}, {"amount", "lots"}, {"currency", "USD"}});
        CHECK(e.field == "amount");
    }
    SUBCASE("yes/no given text") { CHECK(w.refused("contact", {{"name", "A"}, {"do_not_contact", "yes"}}).field == "do_not_contact"); }
    SUBCASE("a choice that does not exist") {
        auto e = w.refused("contact", {{"name", "A"}, {"lifecycle_stage", "royalty"}});
        CHECK(e.field == "lifecycle_stage");
        CHECK(e.message.find("royalty") != std::string::npos);
        CHECK(e.message.find("customer") != std::string::npos);  // lists what is allowed
    }
    SUBCASE("a date that does not parse") {
        auto e = w.refused("deal", {{"name", "D"}, {"close_date", "2025-02-30"}});
        CHECK(e.field == "close_date");
    }
    SUBCASE("a negative amount") {
        auto e = w.refused("deal", {{"name", "D"}, {"amount", -5}, {"currency", "EUR"}});
        CHECK(e.field == "amount");
        CHECK(e.message.find("negative") != std::string::npos);
    }
    SUBCASE("a currency that is not ISO 4217") { CHECK(w.refused("deal", {{"name", "D"}, {"amount", 5}, {"currency", "EURO"}}).field == "currency"); }
    SUBCASE("an amount without a currency") { CHECK(w.refused("deal", {{"name", "D"}, {"amount", 5}}).field == "currency"); }
    SUBCASE("an email and a phone with bad syntax") {
        CHECK(w.refused("contact", {{"name", "A"}, {"email", "a@b"}}).field == "email");
        CHECK(w.refused("contact", {{"name", "A"}, {"phone", "call me"}}).field == "phone");
        CHECK(w.refused("contact", {{"name", "A"}, {"other_emails", json::array({{{"value", "nope"}}})}}).field == "other_emails");
    }
    SUBCASE("an unknown field") {
        auto e = w.refused("contact", {{"name", "A"}, {"shoe_size", 44}});
        CHECK(e.field == "shoe_size");
    }
    SUBCASE("a field the CRM manages") { CHECK(w.refused("contact", {{"name", "A"}, {"created_at", 5}}).field == "created_at"); }
    SUBCASE("an address with a country that does not exist") {
        CHECK(w.refused("company", {{"name", "C"}, {"address", {{"country", "XX"}}}}).field == "address");
    }
    SUBCASE("a malformed consent") {
        CHECK(w.refused("contact", {{"name", "A"}, {"consent_email", {{"status", "maybe"}}}}).field == "consent_email");
    }
    CHECK(w.count("contacts") == 0);
    CHECK(w.count("deals") == 0);
}

TEST_CASE("too-long strings are refused at the documented limits, counted in characters") {
    Workspace w;
    std::string name(kMaxNameChars, 'x');
    w.create("contact", {{"name", name}});
    auto e = w.refused("contact", {{"name", name + "x"}});
    CHECK(e.field == "name");
    CHECK(e.message.find("201") != std::string::npos);
    std::string emoji;
    for (int i = 0; i < 300; ++i) emoji += "🚀";  // 300 characters (1200 bytes) against a limit of 200
    CHECK(w.refused("contact", {{"name", "A"}, {"job_title", emoji}}).field == "job_title");
    std::string long_body(kMaxLongTextChars + 1, 'a');
    CHECK(w.refused("activity", {{"kind", "note"}, {"body", long_body}}).field == "body");
    std::vector<std::string> many_tags(kMaxTags + 1, "t");
    CHECK(w.refused("contact", {{"name", "A"}, {"tags", many_tags}}).field == "tags");
}

TEST_CASE("references must point at records that exist") {
    Workspace w;
    const std::string ghost(32, 'a');
    CHECK(w.refused("contact", {{"name", "A"}, {"company_id", ghost}}).message.find("no company") != std::string::npos);
    CHECK(w.refused("contact", {{"name", "A"}, {"company_id", "not-an-id"}}).field == "company_id");
    CHECK(w.refused("activity", {{"kind", "call"}, {"deal_id", ghost}}).field == "deal_id");
    const std::string company = w.create("company", {{"name", "C"}});
    REQUIRE(w.store.remove("company", company, ++w.now).ok());
    CHECK(w.refused("contact", {{"name", "A"}, {"company_id", company}}).field == "company_id");  // deleted counts as gone
}

TEST_CASE("an update changes only the given fields, is validated, and is kept in the record's history") {
    Workspace w;
    const std::string id = w.create("contact", {{"name", "Ada"}, {"email", "ada@example.com"}});
    REQUIRE(w.store.update("contact", id, {{"email", "ada@lovelace.example"}, {"job_title", "Countess"}}, ++w.now).ok());
    auto got = w.store.get("contact", id);
    CHECK((*got)["name"] == "Ada");
    CHECK((*got)["email"] == "ada@lovelace.example");
    auto bad = w.store.update("contact", id, {{"email", "nope"}, {"job_title", "Ignored"}}, ++w.now);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().field == "email");
    CHECK((*w.store.get("contact", id))["job_title"] == "Countess");  // nothing of the refused update was written
    auto timeline = w.store.timeline("contact", id);
    REQUIRE(timeline.ok());
    REQUIRE(timeline->size() == 3);  // two field changes, then the creation
    CHECK((*timeline)[0].kind == "field");
    CHECK((*timeline)[2].kind == "created");
    bool saw_email = false;
    for (const auto& e : *timeline)
        if (e.field == "email") {
            saw_email = true;
            CHECK(e.old_value == "ada@example.com");
            CHECK(e.new_value == "ada@lovelace.example");
        }
    CHECK(saw_email);
}

TEST_CASE("a deleted record leaves lists and search, and a restore brings it back") {
    Workspace w;
    const std::string id = w.create("contact", {{"name", "Grace Hopper"}});
    REQUIRE(w.store.remove("contact", id, ++w.now).ok());
    CHECK(w.store.list("contact", {})->total == 0);
    CHECK(w.store.search("grace")->empty());
    CHECK((*w.store.get("contact", id))["deleted"] == true);
    CHECK_FALSE(w.store.update("contact", id, {{"job_title", "Admiral"}}, ++w.now).ok());
    REQUIRE(w.store.restore("contact", id, ++w.now).ok());
    CHECK(w.store.list("contact", {})->total == 1);
    CHECK(w.store.search("grace")->size() == 1);
}

TEST_CASE("every record carries an owner, tags and its times") {
    Workspace w;
    for (const char* type : {"contact", "company", "lead", "case"}) {
        CAPTURE(type);
        json v = {{"owner", "ada"}, {"tags", {"q3"}}};
        v[std::string(type) == "case" ? "subject" : "name"] = "X";
        const std::string id = w.create(type, v);
        auto got = w.store.get(type, id);
        CHECK((*got)["owner"] == "ada");
        CHECK((*got)["tags"] == json::array({"q3"}));
        CHECK((*got)["created_at"] == w.now);
        CHECK((*got)["updated_at"].get<int64_t>() >= w.now);
    }
}

TEST_CASE("custom fields are defined at run time and their values are validated") {
    Workspace w;
    w.create("field_def", {{"record_type", "contact"}, {"key", "tier"}, {"label", "Tier"}, {"kind", "choice"},
                           {"choices", {"gold", "silver"}}});
    w.create("field_def", {{"record_type", "contact"}, {"key", "seats"}, {"label", "Seats"}, {"kind", "number"}});
    w.create("field_def", {{"record_type", "contact"}, {"key", "renewal"}, {"label", "Renewal"}, {"kind", "date"}});
    w.create("field_def", {{"record_type", "contact"}, {"key", "partner"}, {"label", "Partner"}, {"kind", "yes_no"}});
    w.create("field_def", {{"record_type", "contact"}, {"key", "regions"}, {"label", "Regions"}, {"kind", "multi_choice"},
                           {"choices", {"emea", "apac", "amer"}}});
    w.create("field_def", {{"record_type", "contact"}, {"key", "arr"}, {"label", "ARR"}, {"kind", "money"}});
    const std::string company = w.create("company", {{"name", "C"}});
    w.create("field_def", {{"record_type", "contact"}, {"key", "reseller"}, {"label", "Reseller"}, {"kind", "link"},
                           {"link_type", "company"}});

    const std::string id = w.create("contact", {{"name", "A"}, {"custom.tier", "gold"}, {"custom.seats", 12},
                                                {"custom.renewal", "2026-01-31"}, {"custom.partner", true},
                                                {"custom.regions", {"emea", "apac"}}, {"custom.arr", 1200.5},
                                                {"custom.reseller", company}});
    auto got = w.store.get("contact", id);
    CHECK((*got)["custom"]["tier"] == "gold");
    CHECK((*got)["custom"]["regions"] == json::array({"emea", "apac"}));
    CHECK((*got)["custom"]["reseller"] == company);

    CHECK(w.refused("contact", {{"name", "B"}, {"custom.tier", "bronze"}}).field == "custom.tier");
    CHECK(w.refused("contact", {{"name", "B"}, {"custom.seats", "many"}}).field == "custom.seats");
    CHECK(w.refused("contact", {{"name", "B"}, {"custom.renewal", "tomorrow"}}).field == "custom.renewal");
    CHECK(w.refused("contact", {{"name", "B"}, {"custom.partner", "yes"}}).field == "custom.partner");
    CHECK(w.refused("contact", {{"name", "B"}, {"custom.regions", {"mars"}}}).field == "custom.regions");
    CHECK(w.refused("contact", {{"name", "B"}, {"custom.arr", -1}}).field == "custom.arr");
    CHECK(w.refused("contact", {{"name", "B"}, {"custom.reseller", std::string(32, 'b')}}).field == "custom.reseller");
    CHECK(w.refused("contact", {{"name", "B"}, {"custom.undefined", 1}}).message.find("define it") != std::string::npos);

    SUBCASE("a required custom field must be given on create") {
        w.create("field_def", {{"record_type", "contact"}, {"key", "region_code"}, {"label", "Region code"}, {"kind", "text"},
                               {"required", true}});
        CHECK(w.refused("contact", {{"name", "C"}}).field == "custom.region_code");
        w.create("contact", {{"name", "C"}, {"custom.region_code", "N1"}});
    }
    SUBCASE("definitions are checked too") {
        CHECK(w.refused("field_def", {{"record_type", "contact"}, {"key", "Bad Key"}, {"label", "x"}, {"kind", "text"}}).field == "key");
        CHECK(w.refused("field_def", {{"record_type", "contact"}, {"key", "tier"}, {"label", "again"}, {"kind", "text"}}).field == "key");
        CHECK(w.refused("field_def", {{"record_type", "contact"}, {"key", "c"}, {"label", "x"}, {"kind", "choice"}}).field == "choices");
        CHECK(w.refused("field_def", {{"record_type", "contact"}, {"key", "l"}, {"label", "x"}, {"kind", "link"}}).field == "link_type");
        CHECK(w.refused("field_def", {{"record_type", "spaceship"}, {"key", "k"}, {"label", "x"}, {"kind", "text"}}).field == "record_type");
    }
}
