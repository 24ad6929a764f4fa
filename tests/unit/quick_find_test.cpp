// The palette's search: one- and two-letter queries match the start of names through the name
// indexes; longer words go to the full-text index, grouped by type, a bounded number per type.
#include "quick_find.h"
#include "workspace_fixture.h"

namespace {

std::vector<std::string> titles(const Result<std::vector<SearchHit>>& hits) {
    REQUIRE(hits.ok());
    std::vector<std::string> out;
    for (const auto& h : hits.value()) out.push_back(h.record_type + ":" + h.title);
    return out;
}

const std::vector<std::string> kTypes = {"contact", "company", "deal", "case"};

}  // namespace

TEST_CASE("the palette finds records by part of a name, an email or a phone, grouped by type") {
    Workspace w;
    w.create("contact", {{"name", "Ada Lovelace"}, {"email", "ada@engines.example"}, {"phone", "+44 20 7946 0018"}});
    w.create("contact", {{"name", "Grace Hopper"}, {"email", "grace@navy.example"}});
    w.create("company", {{"name", "Analytical Engines"}, {"domain", "engines.example"}});
    w.create("case", {{"subject", "Engines overheat"}});

    CHECK(titles(quick_find(w.store.db(), "lovel", kTypes, 5)) == std::vector<std::string>{"contact:Ada Lovelace"});
    CHECK(titles(quick_find(w.store.db(), "navy", kTypes, 5)) == std::vector<std::string>{"contact:Grace Hopper"});
    CHECK(titles(quick_find(w.store.db(), "2079460018", kTypes, 5)) == std::vector<std::string>{"contact:Ada Lovelace"});
    // Contacts first, then companies, then cases: the order of the types asked for.
    CHECK(titles(quick_find(w.store.db(), "engines", kTypes, 5)) ==
          std::vector<std::string>{"contact:Ada Lovelace", "company:Analytical Engines", "case:Engines overheat"});
    CHECK(titles(quick_find(w.store.db(), "engines", {"company"}, 5)) == std::vector<std::string>{"company:Analytical Engines"});

    SUBCASE("one or two letters match the start of names, without regard to case") {
        CHECK(titles(quick_find(w.store.db(), "a", kTypes, 5)) ==
              std::vector<std::string>{"contact:Ada Lovelace", "company:Analytical Engines"});
        CHECK(titles(quick_find(w.store.db(), "GR", kTypes, 5)) == std::vector<std::string>{"contact:Grace Hopper"});
    }
    SUBCASE("a short word beside a longer one narrows by the title's words") {
        CHECK(titles(quick_find(w.store.db(), "a engines", kTypes, 5)) ==
              std::vector<std::string>{"contact:Ada Lovelace", "company:Analytical Engines"});
        CHECK(titles(quick_find(w.store.db(), "ov engines", kTypes, 5)) == std::vector<std::string>{"case:Engines overheat"});
    }
    SUBCASE("deleted records, blank text and search operators find nothing") {
        CHECK(titles(quick_find(w.store.db(), "   ", kTypes, 5)).empty());
        CHECK(titles(quick_find(w.store.db(), "lovel OR grace", kTypes, 5)).empty());  // words, not syntax
        Query q;
        auto page = w.store.list("contact", q);
        for (const auto& r : page->rows) REQUIRE(w.store.remove("contact", r["id"], ++w.now).ok());
        CHECK(titles(quick_find(w.store.db(), "lovel", kTypes, 5)).empty());
        CHECK(titles(quick_find(w.store.db(), "ad", kTypes, 5)).empty());
    }
}

TEST_CASE("the palette finds Chinese, Japanese and Thai names by any part, even one or two characters") {
    Workspace w;
    w.create("contact", {{"name", "李小龙"}});
    w.create("company", {{"name", "サクラ電機"}});
    w.create("contact", {{"name", "สมชาย ใจดี"}});
    w.create("contact", {{"name", "Ada Lovelace"}});
    CHECK(titles(quick_find(w.store.db(), "小龙", kTypes, 5)) == std::vector<std::string>{"contact:李小龙"});
    CHECK(titles(quick_find(w.store.db(), "龙", kTypes, 5)) == std::vector<std::string>{"contact:李小龙"});
    CHECK(titles(quick_find(w.store.db(), "電機", kTypes, 5)) == std::vector<std::string>{"company:サクラ電機"});
    CHECK(titles(quick_find(w.store.db(), "ใจดี", kTypes, 5)) == std::vector<std::string>{"contact:สมชาย ใจดี"});
    CHECK(titles(quick_find(w.store.db(), "ad", kTypes, 5)) == std::vector<std::string>{"contact:Ada Lovelace"});
}

TEST_CASE("the palette shows at most the asked number of records of each type") {
    Workspace w;
    for (int i = 0; i < 12; ++i) w.create("contact", {{"name", "Smith " + std::to_string(i)}});
    w.create("company", {{"name", "Smithson Ltd"}});
    auto hits = quick_find(w.store.db(), "smith", kTypes, 5);
    REQUIRE(hits.ok());
    CHECK(hits->size() == 6);
    CHECK(hits->back().record_type == "company");
    CHECK(titles(quick_find(w.store.db(), "sm", kTypes, 3)).size() == 4);
}
