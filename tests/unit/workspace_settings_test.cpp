// Settings that span records: stages added, reordered and deleted without stranding a deal,
// tags listed, renamed and merged, custom field keys from labels, the sync server address.
#include "workspace_fixture.h"
#include "workspace_settings.h"

namespace {

const std::string kSales = "00000000000000000000000000000001";
const std::string kQualification = "00000000000000000000000000000101";
const std::string kNegotiation = "00000000000000000000000000000104";
const std::string kLost = "00000000000000000000000000000106";

std::vector<std::string> stage_names(Workspace& w, const std::string& pipeline) {
    Query q;
    q.filter.conditions.push_back({"pipeline_id", Op::Eq, pipeline});
    q.sort = {{"position"}};
    auto page = w.store.list("stage", q);
    REQUIRE(page.ok());
    std::vector<std::string> out;
    for (const auto& r : page->rows)
        if (r["deleted"] != true) out.push_back(r["name"].get<std::string>());
    return out;
}

}  // namespace

TEST_CASE("a new stage goes after the open stages, before won and lost, and is synced like any edit") {
    Workspace w;
    const int64_t outbox_before = *w.store.outbox_size();
    auto id = add_stage(w.store, kSales, "Contract sent", ++w.now);
    REQUIRE(id.ok());
    CHECK(stage_names(w, kSales) == std::vector<std::string>{"Qualification", "Needs analysis", "Proposal", "Negotiation",
                                                             "Contract sent", "Closed won", "Closed lost"});
    CHECK((*w.store.get("stage", *id))["outcome"] == "open");
    CHECK(*w.store.outbox_size() > outbox_before);

    SUBCASE("a stage without a name is refused with the domain's words and nothing is written") {
        const int64_t outbox = *w.store.outbox_size();
        auto bad = add_stage(w.store, kSales, "", ++w.now);
        REQUIRE_FALSE(bad.ok());
        CHECK(bad.error().field == "name");
        CHECK(*w.store.outbox_size() == outbox);
        CHECK(stage_names(w, kSales).size() == 7);
    }
}

TEST_CASE("a stage moves one place at a time and stays put at either end") {
    Workspace w;
    REQUIRE(move_stage(w.store, kNegotiation, -1, ++w.now).ok());
    CHECK(stage_names(w, kSales)[2] == "Negotiation");
    CHECK(stage_names(w, kSales)[3] == "Proposal");
    REQUIRE(move_stage(w.store, kQualification, -1, ++w.now).ok());
    CHECK(stage_names(w, kSales)[0] == "Qualification");
    REQUIRE(move_stage(w.store, kLost, 1, ++w.now).ok());
    CHECK(stage_names(w, kSales).back() == "Closed lost");
}

TEST_CASE("a stage with deals in it cannot be deleted, and the refusal says how many") {
    Workspace w;
    w.create("deal", {{"name", "A"}});
    w.create("deal", {{"name", "B"}});
    auto s = remove_stage(w.store, kQualification, ++w.now);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message.find("2 deals are in this stage") != std::string::npos);
    CHECK((*w.store.get("stage", kQualification))["deleted"] == false);

    SUBCASE("once its deals have moved on it can") {
        Query q;
        auto deals = w.store.list("deal", q);
        for (const auto& d : deals->rows) REQUIRE(w.store.move_deal(d["id"], kNegotiation, ++w.now).ok());
        REQUIRE(remove_stage(w.store, kQualification, ++w.now).ok());
        CHECK(stage_names(w, kSales).front() == "Needs analysis");
    }
}

TEST_CASE("the last open stage of a pipeline and the last pipeline cannot be deleted") {
    Workspace w;
    const std::string other = w.create("pipeline", {{"name", "Renewals"}, {"position", 1}});
    const std::string due = w.create("stage", {{"pipeline_id", other}, {"name", "Due"}, {"position", 0}});
    auto s = remove_stage(w.store, due, ++w.now);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message.find("last open stage") != std::string::npos);

    REQUIRE(remove_pipeline(w.store, other, ++w.now).ok());
    CHECK((*w.store.get("stage", due))["deleted"] == true);  // its stages go with it
    auto last = remove_pipeline(w.store, kSales, ++w.now);
    REQUIRE_FALSE(last.ok());
    CHECK(last.error().message.find("only pipeline") != std::string::npos);
}

TEST_CASE("a pipeline with deals cannot be deleted") {
    Workspace w;
    w.create("pipeline", {{"name", "Renewals"}, {"position", 1}});
    w.create("deal", {{"name", "A"}});
    auto s = remove_pipeline(w.store, kSales, ++w.now);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().message.find("1 deal is in this pipeline") != std::string::npos);
}

TEST_CASE("tags in use are counted across record types, and renaming one onto another merges them") {
    Workspace w;
    const std::string ada = w.create("contact", {{"name", "Ada"}, {"tags", {"vip", "london"}}});
    w.create("contact", {{"name", "Bob"}, {"tags", {"vip"}}});
    w.create("company", {{"name", "Engines"}, {"tags", {"VIP customer", "london"}}});
    const std::string gone = w.create("contact", {{"name", "Gone"}, {"tags", {"vip"}}});
    REQUIRE(w.store.remove("contact", gone, ++w.now).ok());

    auto tags = tags_in_use(w.store.db());
    REQUIRE(tags.ok());
    REQUIRE(tags->size() == 3);
    CHECK((*tags)[0].tag == "london");  // 2, then by name
    CHECK((*tags)[0].records == 2);
    CHECK((*tags)[1].tag == "vip");
    CHECK((*tags)[1].records == 2);  // the deleted contact does not count

    auto renamed = rename_tag(w.store, "london", "vip", ++w.now);
    REQUIRE(renamed.ok());
    CHECK(*renamed == 2);
    CHECK((*w.store.get("contact", ada))["tags"] == json{"vip"});  // one, not two
    tags = tags_in_use(w.store.db());
    REQUIRE(tags->size() == 2);
    CHECK((*tags)[0].tag == "vip");
    CHECK((*tags)[0].records == 3);

    SUBCASE("a blank or too long name is refused and nothing changes") {
        CHECK_FALSE(rename_tag(w.store, "vip", "  ", ++w.now).ok());
        auto e = rename_tag(w.store, "vip", std::string(101, 'x'), ++w.now);
        REQUIRE_FALSE(e.ok());
        CHECK(e.error().field == "tag");
        CHECK((*tags_in_use(w.store.db()))[0].tag == "vip");
    }
}

TEST_CASE("a custom field key is made from its label") {
    CHECK(custom_key_from_label("Contract tier") == "contract_tier");
    CHECK(custom_key_from_label("  NPS (0-10) ") == "nps_0_10");
    CHECK(custom_key_from_label("2nd phone") == "field_2nd_phone");
    CHECK(custom_key_from_label("!!!") == "");
    CHECK(custom_key_from_label(std::string(60, 'a')).size() == 40);
    CHECK(is_custom_field("custom." + custom_key_from_label("Région préférée")));
}

TEST_CASE("the sync server address is empty for this page's origin or an http(s) origin") {
    CHECK(*normalize_server_address("") == "");
    CHECK(*normalize_server_address(" https://CRM.example.com/ ") == "https://crm.example.com");
    CHECK(*normalize_server_address("http://10.0.0.5:8080") == "http://10.0.0.5:8080");
    CHECK(*normalize_server_address("http://[::1]:8080") == "http://[::1]:8080");
    CHECK(normalize_server_address("crm.example.com").error().message.find("http://") != std::string::npos);
    CHECK(normalize_server_address("ftp://x").error().field == "server");
    CHECK(normalize_server_address("https://x.com/api").error().message.find("only a host") != std::string::npos);
    CHECK(normalize_server_address("http://x:99999").error().message.find("port") != std::string::npos);
    CHECK(normalize_server_address("http://a b").error().field == "server");
    CHECK_FALSE(normalize_server_address("https://").ok());
}
