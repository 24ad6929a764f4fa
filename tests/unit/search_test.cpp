// Full-text search across record types: prefixes, ranking, and an index that follows every edit.
#include "search.h"
#include "workspace_fixture.h"

namespace {
std::vector<std::string> titles(const std::vector<SearchHit>& hits) {
    std::vector<std::string> out;
    for (const auto& h : hits) out.push_back(h.title);
    return out;
}
}  // namespace

TEST_CASE("search finds names, emails, phones, companies, deals, notes and case subjects by prefix") {
    Workspace w;
    const std::string acme = w.create("company", {{"name", "Acme Rockets"}, {"domain", "acme.example"}});
    w.create("contact", {{"name", "Wile E. Coyote"}, {"email", "wile@acme.example"}, {"phone", "+1 (555) 010-0199"}, {"company_id", acme}});
    w.create("deal", {{"name", "Rocket skates renewal"}});
    w.create("activity", {{"kind", "note"}, {"subject", "Call notes"}, {"body", "Wants a quote for anvils"}});
    w.create("case", {{"subject", "Dynamite fuse too short"}});
    CHECK(titles(*w.store.search("coy")) == std::vector<std::string>{"Wile E. Coyote"});
    CHECK(titles(*w.store.search("wile@acme")) == std::vector<std::string>{"Wile E. Coyote"});
    CHECK(titles(*w.store.search("5550100199")) == std::vector<std::string>{"Wile E. Coyote"});
    CHECK(titles(*w.store.search("555 010")) == std::vector<std::string>{"Wile E. Coyote"});
    CHECK(titles(*w.store.search("acme ROCK")) == std::vector<std::string>{"Acme Rockets"});
    CHECK(titles(*w.store.search("skates")) == std::vector<std::string>{"Rocket skates renewal"});
    CHECK(titles(*w.store.search("anvil")) == std::vector<std::string>{"Call notes"});
    CHECK(titles(*w.store.search("dynamite")) == std::vector<std::string>{"Dynamite fuse too short"});
    CHECK(w.store.search("rocket", 20, "deal")->size() == 1);
}

TEST_CASE("a match in the name ranks above a match in other text") {
    Workspace w;
    w.create("contact", {{"name", "Someone Else"}, {"job_title", "Turing award judge"}});
    w.create("contact", {{"name", "Alan Turing"}});
    auto hits = w.store.search("turing");
    REQUIRE(hits->size() == 2);
    CHECK((*hits)[0].title == "Alan Turing");
}

TEST_CASE("the index follows renames and deletes") {
    Workspace w;
    const std::string id = w.create("contact", {{"name", "Norma Jeane"}});
    REQUIRE(w.store.update("contact", id, {{"name", "Marilyn Monroe"}}, ++w.now).ok());
    CHECK(w.store.search("norma")->empty());
    CHECK(w.store.search("marilyn")->size() == 1);
    REQUIRE(w.store.remove("contact", id, ++w.now).ok());
    CHECK(w.store.search("marilyn")->empty());
}

TEST_CASE("search text is never FTS5 syntax: quotes, operators and unicode are just words") {
    Workspace w;
    w.create("contact", {{"name", "Zoë O'Brien"}});
    w.create("contact", {{"name", "שלום עליכם"}});
    for (const char* q : {"\"", "zoe OR", "NEAR(", "o'brien*", "-zoë", "(", "^", "*", "AND"}) {
        CAPTURE(q);
        CHECK(w.store.search(q).ok());
    }
    CHECK(w.store.search("zoe")->size() == 1);  // diacritics folded
    CHECK(w.store.search("שלו")->size() == 1);
    CHECK(w.store.search("   ")->empty());
}
