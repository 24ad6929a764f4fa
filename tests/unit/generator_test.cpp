// The data generator: the same seed gives the same workspace, every record is valid, and the
// counts asked for are the counts written.
#include <map>
#include <set>
#include <tuple>

#include "field_syntax.h"
#include "generator.h"
#include "workspace_fixture.h"

namespace {

// The first id seed 1 gives, checked against an independent xoshiro256** implementation.
constexpr std::string_view kSeedOneFirstId = "5392c50d12e42aab468846775053ca91";

GeneratorSpec small_spec(uint64_t seed) {
    GeneratorSpec spec;
    spec.seed = seed;
    spec.companies = 30;
    spec.contacts = 120;
    spec.deals = 60;
    spec.activities = 200;
    spec.cases = 25;
    spec.leads = 20;
    return spec;
}

// Every row of every table as text, sorted, so by id where the table has one. The replica's own
// parts are left out: its id (in each row's clocks) and its meta and outbox tables.
std::map<std::string, std::vector<std::string>> dump(Db& db) {
    std::map<std::string, std::vector<std::string>> out;
    std::vector<std::string> tables;
    auto list = db.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('meta', 'outbox') "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name");
    REQUIRE(list.ok());
    while (*list->step()) tables.push_back(list->text(0));
    for (const auto& table : tables) {
        std::vector<std::string> columns;
        auto info = db.prepare("PRAGMA table_info(" + table + ")");
        REQUIRE(info.ok());
        while (*info->step())
            if (info->text(1) != "clocks") columns.push_back(info->text(1));
        std::stable_partition(columns.begin(), columns.end(), [](const std::string& c) { return c == "id"; });
        std::string row_sql;
        for (const auto& c : columns)
            row_sql += (row_sql.empty() ? "" : " || '|' || ") + std::string("quote(\"" + c + "\")");
        auto rows = db.prepare("SELECT " + row_sql + " FROM \"" + table + "\"");
        REQUIRE(rows.ok());
        auto& dumped = out[table];
        while (*rows->step()) dumped.push_back(rows->text(0));
        std::sort(dumped.begin(), dumped.end());
    }
    return out;
}

int64_t count(Db& db, const std::string& sql) {
    auto st = db.prepare(sql);
    REQUIRE(st.ok());
    REQUIRE(st->step().ok());
    return st->integer(0);
}

}  // namespace

TEST_CASE("the same seed gives the same records with the same ids in two separate databases") {
    Workspace a, b;
    REQUIRE(generate(a.store, small_spec(7)).ok());
    REQUIRE(generate(b.store, small_spec(7)).ok());
    CHECK(a.store.replica_id() != b.store.replica_id());  // two real replicas, not one file twice
    auto first = dump(a.store.db()), second = dump(b.store.db());
    REQUIRE(first.count("contacts") == 1);
    CHECK(first["contacts"].size() == 120);
    for (const auto& [table, rows] : first) {
        INFO("table ", table);
        CHECK(rows == second[table]);
    }
    CHECK(first.size() == second.size());
}

TEST_CASE("a different seed gives a different workspace") {
    Workspace a, b;
    REQUIRE(generate(a.store, small_spec(1)).ok());
    REQUIRE(generate(b.store, small_spec(2)).ok());
    auto first = dump(a.store.db()), second = dump(b.store.db());
    CHECK(first["companies"] != second["companies"]);
    CHECK(first["contacts"] != second["contacts"]);
    std::set<std::string> ids_a, ids_b;
    for (const auto& row : first["contacts"]) ids_a.insert(row.substr(0, 34));
    for (const auto& row : second["contacts"]) ids_b.insert(row.substr(0, 34));
    for (const auto& id : ids_a) CHECK(ids_b.count(id) == 0);
}

TEST_CASE("seed 1 always starts from the same id, so every platform and build generates the same workspace") {
    // Pins the generator's own random numbers: a change here changes every generated data set.
    Workspace w;
    GeneratorSpec spec;
    spec.companies = 1;
    REQUIRE(generate(w.store, spec).ok());
    CHECK(count(w.store.db(), "SELECT count(*) FROM companies WHERE id = '" + std::string(kSeedOneFirstId) + "'") == 1);
}

TEST_CASE("the generator writes exactly the records asked for, and each deal's first stage change") {
    Workspace w;
    REQUIRE(generate(w.store, small_spec(3)).ok());
    Db& db = w.store.db();
    CHECK(w.count("companies") == 30);
    CHECK(w.count("contacts") == 120);
    CHECK(w.count("deals") == 60);
    CHECK(w.count("stage_changes") == 60);
    CHECK(w.count("activities") == 200);
    CHECK(w.count("cases") == 25);
    CHECK(w.count("leads") == 20);
    const int64_t links = w.count("deal_contacts");
    CHECK(links > 30);  // most deals name a contact
    CHECK(links <= 60);
    // Every record was queued for the server like a hand-made one.
    CHECK(count(db, "SELECT sum(count) > 0 FROM outbox") == 1);
    CHECK(count(db, "SELECT count(*) FROM outbox") == 30 + 120 + 60 * 2 + links + 200 + 25 + 20);
    // Deals use the default pipeline and are sometimes already won or lost.
    CHECK(count(db, "SELECT count(*) FROM deals WHERE pipeline_id != '00000000000000000000000000000001'") == 0);
    CHECK(count(db, "SELECT count(*) FROM deals WHERE status = 'open'") > 0);
    CHECK(count(db, "SELECT count(*) FROM deals WHERE status != 'open' AND closed_at IS NULL") == 0);
    CHECK(count(db, "SELECT count(DISTINCT kind) FROM activities") == 5);
}

TEST_CASE("generated contacts and companies pass the same checks as typed ones and link to records that exist") {
    Workspace w;
    REQUIRE(generate(w.store, small_spec(11)).ok());
    Query q;
    q.limit = kMaxPageSize;
    auto contacts = w.store.list("contact", q);
    REQUIRE(contacts.ok());
    REQUIRE(contacts->rows.size() == 120);
    bool non_ascii = false, with_company = false, without_company = false;
    std::set<std::string> emails;
    for (const auto& c : contacts->rows) {
        INFO(c.dump());
        const std::string name = c["name"], email = c["email"], phone = c["phone"];
        CHECK(validate_name(name).ok());
        CHECK(name == c["first_name"].get<std::string>() + " " + c["last_name"].get<std::string>());
        CHECK(validate_email(email).ok());
        CHECK_FALSE(email.empty());
        CHECK(emails.insert(email).second);
        if (!phone.empty()) CHECK(validate_phone(phone).ok());
        for (char ch : name) non_ascii |= static_cast<unsigned char>(ch) >= 0x80;
        const std::string company = c["company_id"];
        if (company.empty()) {
            without_company = true;
            continue;
        }
        with_company = true;
        auto co = w.store.get("company", company);
        REQUIRE(co.ok());
        // The address is at the company's domain.
        CHECK(email.substr(email.find('@') + 1) == (*co)["domain"].get<std::string>());
    }
    CHECK(non_ascii);
    CHECK(with_company);
    CHECK(without_company);

    auto companies = w.store.list("company", q);
    REQUIRE(companies.ok());
    for (const auto& c : companies->rows) {
        INFO(c.dump());
        const json& address = c["address"];
        CHECK(validate_country(address["country"].get<std::string>()).ok());
        CHECK(validate_postal_code(address["postal_code"].get<std::string>(), address["country"].get<std::string>())
                  .ok());
        CHECK(validate_domain(c["domain"].get<std::string>()).ok());
        CHECK(validate_currency(c["currency"].get<std::string>()).ok());
    }
}

TEST_CASE("progress is reported for every stage and reaches each stage's total") {
    Workspace w;
    std::vector<std::tuple<std::string, int64_t, int64_t>> calls;
    REQUIRE(generate(w.store, small_spec(5), [&](std::string_view stage, int64_t done, int64_t total) {
                calls.emplace_back(std::string(stage), done, total);
            }).ok());
    // Small counts fit one chunk each, so one report per stage, in the order they are written.
    using Call = std::tuple<std::string, int64_t, int64_t>;
    CHECK(calls == std::vector<Call>{{"companies", 30, 30},
                                     {"contacts", 120, 120},
                                     {"deals", 60, 60},
                                     {"cases", 25, 25},
                                     {"leads", 20, 20},
                                     {"activities", 200, 200}});
}

TEST_CASE("a negative count is refused with an error naming the field, and nothing is written") {
    Workspace w;
    GeneratorSpec spec = small_spec(1);
    spec.deals = -5;
    auto s = generate(w.store, spec);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().field == "deals");
    CHECK(s.error().message.find("-5") != std::string::npos);
    CHECK(w.count("companies") == 0);
    CHECK(*w.store.outbox_size() == 0);
}

TEST_CASE("deals, activities and cases need no companies or contacts: their links are left empty") {
    Workspace w;
    GeneratorSpec spec;
    spec.deals = 10;
    spec.activities = 10;
    spec.cases = 5;
    REQUIRE(generate(w.store, spec).ok());
    CHECK(w.count("deals") == 10);
    CHECK(w.count("deal_contacts") == 0);
    CHECK(count(w.store.db(), "SELECT count(*) FROM deals WHERE company_id != ''") == 0);
    CHECK(w.count("activities") == 10);
}

TEST_CASE("generating a seed twice into one database is refused, and records made by hand get random ids again") {
    Workspace w;
    GeneratorSpec spec;
    spec.contacts = 3;
    REQUIRE(generate(w.store, spec).ok());
    auto again = generate(w.store, spec);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().field == "seed");
    CHECK(w.count("contacts") == 3);
    spec.seed = 2;
    REQUIRE(generate(w.store, spec).ok());
    CHECK(w.count("contacts") == 6);

    // The store's ids are random again: the same hand-made record gets different ids in two stores.
    Workspace other;
    spec.seed = 1;
    REQUIRE(generate(other.store, spec).ok());
    CHECK(w.create("contact", {{"name", "By hand"}}) != other.create("contact", {{"name", "By hand"}}));
}
