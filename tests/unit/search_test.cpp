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

TEST_CASE("Chinese, Japanese, Korean and Thai names are found by any part, not only their start") {
    Workspace w;
    w.create("contact", {{"name", "李小龙"}, {"email", "bruce@example.com"}});
    w.create("contact", {{"name", "山田太郎"}, {"job_title", "東京支店の営業部長"}});
    w.create("company", {{"name", "サクラ電機株式会社"}});
    w.create("contact", {{"name", "김민준"}});
    w.create("contact", {{"name", "สมชาย ใจดี"}, {"job_title", "ผู้จัดการฝ่ายขาย"}});
    w.create("deal", {{"name", "Renewal 北京 2027"}});
    CHECK(titles(*w.store.search("小龙")) == std::vector<std::string>{"李小龙"});
    CHECK(titles(*w.store.search("龙")) == std::vector<std::string>{"李小龙"});
    CHECK(titles(*w.store.search("李小龙")) == std::vector<std::string>{"李小龙"});
    CHECK(titles(*w.store.search("太郎")) == std::vector<std::string>{"山田太郎"});
    CHECK(titles(*w.store.search("営業")) == std::vector<std::string>{"山田太郎"});
    CHECK(titles(*w.store.search("電機")) == std::vector<std::string>{"サクラ電機株式会社"});
    CHECK(titles(*w.store.search("민준")) == std::vector<std::string>{"김민준"});
    CHECK(titles(*w.store.search("ชาย")) == std::vector<std::string>{"สมชาย ใจดี"});
    CHECK(titles(*w.store.search("จัดการ")) == std::vector<std::string>{"สมชาย ใจดี"});
    CHECK(titles(*w.store.search("京 renew")) == std::vector<std::string>{"Renewal 北京 2027"});
    // The characters must be next to each other, in order.
    CHECK(w.store.search("龙小")->empty());
    CHECK(w.store.search("李龙")->empty());
    // Latin text in the same workspace is found as before.
    CHECK(titles(*w.store.search("bruce")) == std::vector<std::string>{"李小龙"});
}

TEST_CASE("the index sets apart characters of unspaced scripts and shows titles as they were typed") {
    CHECK(spaced_for_index("Ada Lovelace") == "Ada Lovelace");
    CHECK(spaced_for_index("Zoë שלום") == "Zoë שלום");
    CHECK(spaced_for_index("李小龙") == "\u200b李\u200b小\u200b龙");
    CHECK(spaced_for_index("ab李c") == "ab\u200b李\u200bc");
    // Thai tone marks and vowels stay with the letter they sit on.
    CHECK(spaced_for_index("ใจ่") == "\u200bใ\u200bจ่");
    CHECK(title_from_index(spaced_for_index("Renewal 北京 2027")) == "Renewal 北京 2027");
    CHECK(fts_term("小\"龙") == "\"\u200b小\u200b龙\"*");
}

TEST_CASE("a workspace indexed before unspaced scripts were set apart is indexed again on open") {
    TempDir dir;
    const std::string path = dir.file("ws.db");
    {
        auto store = LocalStore::open(path);
        REQUIRE(store.ok());
        REQUIRE(store->create("contact", {{"name", "李小龙"}}, 1'750'000'000'000).ok());
        // As the previous version left it: the name as one token, schema version 5.
        REQUIRE(store->db().exec("UPDATE search_index SET title = '李小龙 '; PRAGMA user_version = 5;").ok());
        CHECK(store->search("小龙")->empty());
    }
    auto store = LocalStore::open(path);
    REQUIRE(store.ok());
    CHECK(titles(*store->search("小龙")) == std::vector<std::string>{"李小龙"});
}
