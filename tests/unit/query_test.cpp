// Structured filters, sorting and paging over records: what saved views and segments use.
#include "query.h"
#include "records.h"
#include "workspace_fixture.h"

namespace {

std::vector<std::string> names(const ListPage& page) {
    std::vector<std::string> out;
    for (const auto& r : page.rows) out.push_back(r["name"].get<std::string>());
    return out;
}

Workspace& people(Workspace& w) {
    w.create("contact", {{"name", "Ada Lovelace"}, {"lifecycle_stage", "customer"}, {"tags", {"vip"}}, {"owner", "grace"}});
    w.create("contact", {{"name", "alan Turing"}, {"lifecycle_stage", "lead"}, {"email", "alan@bletchley.example"}});
    w.create("contact", {{"name", "Barbara Liskov"}, {"lifecycle_stage", "customer"}, {"do_not_contact", true}});
    w.create("contact", {{"name", "Grace Hopper"}, {"lifecycle_stage", "evangelist"}, {"tags", {"vip", "navy"}}});
    w.create("contact", {{"name", "Edsger Dijkstra"}, {"lifecycle_stage", "lead"}});
    return w;
}

}  // namespace

TEST_CASE("lists sort by title without regard to case, and page with a total count") {
    Workspace w;
    people(w);
    Query q;
    q.limit = 2;
    auto page = w.store.list("contact", q);
    REQUIRE(page.ok());
    CHECK(page->total == 5);
    CHECK(names(*page) == std::vector<std::string>{"Ada Lovelace", "alan Turing"});
    q.offset = 4;
    CHECK(names(*w.store.list("contact", q)) == std::vector<std::string>{"Grace Hopper"});
    q = {};
    q.sort = {{"name", true}};
    CHECK(names(*w.store.list("contact", q)).front() == "Grace Hopper");
}

TEST_CASE("contacts sorted by name or by email are read in index order, a page at a time, not sorted whole") {
    Workspace w;
    people(w);
    for (const char* field : {"name", "email"}) {
        Query q;
        q.sort = {{field, false}};
        auto c = compile_query(*find_record_spec("contact"), q);
        REQUIRE(c.ok());
        auto plan = w.store.db().prepare("EXPLAIN QUERY PLAN SELECT rowid FROM contacts WHERE " + c->where + " ORDER BY " + c->order);
        REQUIRE(plan.ok());
        for (size_t i = 0; i < c->params.size(); ++i) {
            const auto& p = c->params[i];
            if (p.is_string()) plan->bind(static_cast<int>(i + 1), p.get<std::string>());
            else if (p.is_number_integer()) plan->bind(static_cast<int>(i + 1), p.get<int64_t>());
        }
        std::string steps;
        while (*plan->step()) steps += plan->text(3) + "; ";
        INFO(field, ": ", steps);
        CHECK(steps.find("TEMP B-TREE") == std::string::npos);
    }
    Query q;
    q.sort = {{"email", false}};
    auto page = w.store.list("contact", q);
    REQUIRE(page.ok());
    CHECK(page->rows.back()["email"] == "alan@bletchley.example");  // empty emails first
}

TEST_CASE("a sort by a key no index serves gets its own index once, read in order both ways, in the order a full sort gives") {
    Workspace w;
    // Titles differing only in case, and ties, which the id breaks the same way in both plans.
    const char* titles[] = {"engineer", "Analyst", "ENGINEER", "", "analyst", "Zoologist", "engineer", "Buyer"};
    w.create("field_def", {{"record_type", "contact"}, {"key", "region"}, {"label", "Region"}, {"kind", "text"}});
    int n = 0;
    for (const char* title : titles)
        w.create("contact", {{"name", "Person " + std::to_string(n++)}, {"job_title", title}, {"custom.region", title}});
    const RecordSpec& spec = *find_record_spec("contact");
    auto order_of = [&](const std::string& field, bool descending) {
        Query q;
        q.sort = {{field, descending}};
        q.limit = 100;
        auto page = w.store.list("contact", q);
        REQUIRE(page.ok());
        std::vector<std::string> ids;
        for (const auto& r : page->rows) ids.push_back(r["id"].get<std::string>());
        return ids;
    };
    auto sorts_rows = [&](const std::string& field, bool descending) {
        Query q;
        q.sort = {{field, descending}};
        auto c = compile_query(spec, q);
        REQUIRE(c.ok());
        return plan_sorts_rows(w.store.db(), "SELECT rowid FROM contacts WHERE " + c->where + " ORDER BY " + c->order,
                               c->params);
    };
    for (const char* field : {"job_title", "custom.region"}) {
        INFO(field);
        const auto up = order_of(field, false), down = order_of(field, true);
        CHECK(sorts_rows(field, false));
        auto made = ensure_sort_index(w.store.db(), spec, {{field, false}});
        REQUIRE(made.ok());
        CHECK(*made);
        CHECK_FALSE(sorts_rows(field, false));
        CHECK_FALSE(sorts_rows(field, true));
        CHECK(order_of(field, false) == up);
        CHECK(order_of(field, true) == down);
        CHECK(down == std::vector<std::string>(up.rbegin(), up.rend()));
        // Made once: the next sort finds it.
        CHECK_FALSE(*ensure_sort_index(w.store.db(), spec, {{field, true}}));
    }
    CHECK_FALSE(*ensure_sort_index(w.store.db(), spec, {{"name", false}}));  // the schema's index serves it
    CHECK_FALSE(*ensure_sort_index(w.store.db(), spec, {{"phone", false}, {"name", false}}));  // two keys: not indexed
    CHECK_FALSE(ensure_sort_index(w.store.db(), spec, {{"no_such_field", false}}).ok());
    // The new rows and edits after the index is made are in it.
    w.create("contact", {{"name", "Late"}, {"job_title", "aardvark keeper"}});
    Query q;
    q.sort = {{"job_title", false}};
    q.filter.conditions = {{"job_title", Op::NotEmpty, nullptr}};
    CHECK(names(*w.store.list("contact", q)).front() == "Late");
}

TEST_CASE("a sort by a reference follows what the person sees: the company's name, the stage's place in the pipeline") {
    Workspace w;
    std::string first = w.create("company", {{"name", "placeholder"}});
    std::string second = w.create("company", {{"name", "placeholder"}});
    if (first > second) std::swap(first, second);
    // Names in the opposite order to the ids, so an order by id would show.
    REQUIRE(w.store.update("company", first, {{"name", "Zeta Works"}}, ++w.now).ok());
    REQUIRE(w.store.update("company", second, {{"name", "alpha Labs"}}, ++w.now).ok());
    w.create("contact", {{"name", "At Zeta"}, {"company_id", first}});
    w.create("contact", {{"name", "At Alpha"}, {"company_id", second}});
    w.create("contact", {{"name", "Freelancer"}});
    Query q;
    q.sort = {{"company_id", false}};
    CHECK(names(*w.store.list("contact", q)) == std::vector<std::string>{"Freelancer", "At Alpha", "At Zeta"});
    q.sort = {{"company_id", true}};
    CHECK(names(*w.store.list("contact", q)) == std::vector<std::string>{"At Zeta", "At Alpha", "Freelancer"});

    // The same order read without a sort: the companies by name, the contacts grouped by company.
    const RecordSpec& contact = *find_record_spec("contact");
    auto made = ensure_sort_index(w.store.db(), contact, q.sort);  // on company_id itself
    REQUIRE(made.ok());
    CHECK(*made);
    CHECK_FALSE(*ensure_sort_index(w.store.db(), contact, q.sort));

    // A stage put before the default ones (its id sorts after theirs): by position, its deal comes first.
    const std::string early = w.create("stage", {{"pipeline_id", "00000000000000000000000000000001"}, {"name", "Inbound"},
                                                 {"position", -5}});
    w.create("deal", {{"name", "Qualifying"}, {"stage_id", "00000000000000000000000000000101"},
                      {"pipeline_id", "00000000000000000000000000000001"}});
    w.create("deal", {{"name", "Fresh"}, {"stage_id", early}, {"pipeline_id", "00000000000000000000000000000001"}});
    q.sort = {{"stage_id", false}};
    CHECK(names(*w.store.list("deal", q)) == std::vector<std::string>{"Fresh", "Qualifying"});
}

TEST_CASE("a sort by a reference read without a sort gives the order the SQL sort gives, both ways, with a filter") {
    Workspace w;
    std::vector<std::string> companies;
    for (const char* name : {"Initech", "acme", "Acme", "Globex", "Gone Ltd"}) companies.push_back(w.create("company", {{"name", name}}));
    int n = 0;
    for (int round = 0; round < 3; ++round)
        for (const auto& c : companies) w.create("contact", {{"name", "P" + std::to_string(n++)}, {"company_id", c}});
    REQUIRE(w.store.remove("company", companies[4], ++w.now).ok());  // its contacts sort as if they had none
    w.create("contact", {{"name", "Nobody"}});
    // A company this replica has not received (yet): its contact too sorts as if it had none.
    const std::string unseen = w.create("company", {{"name", "Unseen"}});
    w.create("contact", {{"name", "Dangling"}, {"company_id", unseen}});
    auto drop = w.store.db().prepare("DELETE FROM companies WHERE id = ?1");
    REQUIRE(drop.ok());
    REQUIRE(drop->bind(1, unseen).run().ok());
    const RecordSpec& spec = *find_record_spec("contact");
    REQUIRE(ensure_sort_index(w.store.db(), spec, {{"company_id", false}}).ok());
    for (bool descending : {false, true})
        for (bool filtered : {false, true}) {
            INFO("descending ", descending, ", filtered ", filtered);
            Query q;
            q.sort = {{"company_id", descending}};
            q.limit = 1000;
            if (filtered) q.filter.conditions = {{"name", Op::StartsWith, "P"}};
            auto page = w.store.list("contact", q);  // SQL: a lookup per row, then a sort
            REQUIRE(page.ok());
            std::vector<std::string> expected;
            for (const auto& r : page->rows) expected.push_back(r["id"].get<std::string>());
            auto c = compile_query(spec, q);
            REQUIRE(c.ok());
            std::vector<int64_t> rowids;
            auto read = read_sorted_by_reference(w.store.db(), spec, q.sort, *c, rowids);
            REQUIRE(read.ok());
            REQUIRE(*read);
            std::vector<std::string> got;
            for (int64_t rowid : rowids) {
                auto st = w.store.db().prepare("SELECT id FROM contacts WHERE rowid = ?1");
                REQUIRE(st.ok());
                st->bind(1, rowid);
                REQUIRE(*st->step());
                got.push_back(st->text(0));
            }
            CHECK(got.size() == (filtered ? 15u : 17u));
            CHECK(got == expected);
        }
    // Not a one-key sort by a reference: not handled here.
    std::vector<int64_t> out;
    auto c = compile_query(spec, {});
    CHECK_FALSE(*read_sorted_by_reference(w.store.db(), spec, {{"name", false}}, *c, out));
}

TEST_CASE("conditions combine with all and any, and groups nest") {
    Workspace w;
    people(w);
    Query q;
    q.filter.conditions = {{"lifecycle_stage", Op::Eq, "customer"}, {"do_not_contact", Op::Eq, false}};
    CHECK(names(*w.store.list("contact", q)) == std::vector<std::string>{"Ada Lovelace"});

    q.filter = {};
    q.filter.any = true;
    q.filter.conditions = {{"lifecycle_stage", Op::Eq, "evangelist"}, {"email", Op::Contains, "bletchley"}};
    CHECK(names(*w.store.list("contact", q)) == std::vector<std::string>{"alan Turing", "Grace Hopper"});

    // lead AND (name starts with "al" OR tagged vip)
    q.filter = {};
    q.filter.conditions = {{"lifecycle_stage", Op::In, {"lead", "customer"}}};
    Filter inner;
    inner.any = true;
    inner.conditions = {{"name", Op::StartsWith, "AL"}, {"tags", Op::HasTag, "vip"}};
    q.filter.groups.push_back(inner);
    CHECK(names(*w.store.list("contact", q)) == std::vector<std::string>{"Ada Lovelace", "alan Turing"});

    q.filter = {};
    q.filter.conditions = {{"email", Op::IsEmpty, nullptr}};
    CHECK(w.store.list("contact", q)->total == 4);
    q.filter.conditions = {{"owner", Op::Ne, "grace"}};
    CHECK(w.store.list("contact", q)->total == 4);
}

TEST_CASE("filters round-trip through JSON, the form saved views keep") {
    Filter f;
    f.any = true;
    f.conditions = {{"lifecycle_stage", Op::Eq, "lead"}, {"tags", Op::HasTag, "vip"}};
    Filter g;
    g.conditions = {{"created_at", Op::Ge, 1700000000000}};
    f.groups.push_back(g);
    json j = filter_to_json(f);
    auto back = filter_from_json(j);
    REQUIRE(back.ok());
    CHECK(filter_to_json(*back) == j);
}

TEST_CASE("a bad filter is refused with the condition named, never run") {
    const RecordSpec& contact = *find_record_spec("contact");
    auto err = [&](Filter f) {
        Query q;
        q.filter = std::move(f);
        auto c = compile_query(contact, q);
        REQUIRE_FALSE(c.ok());
        return c.error();
    };
    CHECK(err({false, {{"shoe_size", Op::Eq, 1}}}).field == "conditions[0].field");
    CHECK(err({false, {{"name", Op::Eq, "x"}, {"do_not_contact", Op::Gt, true}}}).field == "conditions[1].op");
    CHECK(err({false, {{"name", Op::Contains, 5}}}).field == "conditions[0].value");
    CHECK(err({false, {{"name", Op::In, json::array()}}}).field == "conditions[0].value");
    CHECK(err({false, {{"tags", Op::Eq, "vip"}}}).message.find("has_tag") != std::string::npos);
    CHECK(err({false, {{"name; DROP TABLE contacts", Op::Eq, "x"}}}).field == "conditions[0].field");
    CHECK_FALSE(filter_from_json(json{{"conditions", {{{"field", "name"}, {"op", "like"}, {"value", "x"}}}}}).ok());
    CHECK_FALSE(filter_from_json(json{{"conditions", "name = x"}}).ok());
    Query q;
    q.limit = 0;
    CHECK(compile_query(contact, q).error().field == "limit");
    q = {};
    q.sort = {{"nope"}};
    CHECK(compile_query(contact, q).error().field == "sort[0]");
}

TEST_CASE("text in a filter is data, not SQL or a LIKE pattern") {
    Workspace w;
    w.create("contact", {{"name", "100% Real_Name"}});
    w.create("contact", {{"name", "1000 Reals"}});
    Query q;
    q.filter.conditions = {{"name", Op::Contains, "0% R"}};
    CHECK(names(*w.store.list("contact", q)) == std::vector<std::string>{"100% Real_Name"});
    q.filter.conditions = {{"name", Op::Contains, "l_N"}};
    CHECK(w.store.list("contact", q)->total == 1);
    q.filter.conditions = {{"name", Op::Eq, "x' OR '1'='1"}};
    CHECK(w.store.list("contact", q)->total == 0);
}

TEST_CASE("custom fields can be filtered and sorted") {
    Workspace w;
    w.create("field_def", {{"record_type", "contact"}, {"key", "seats"}, {"label", "Seats"}, {"kind", "number"}});
    w.create("contact", {{"name", "A"}, {"custom.seats", 5}});
    w.create("contact", {{"name", "B"}, {"custom.seats", 50}});
    w.create("contact", {{"name", "C"}});
    Query q;
    q.filter.conditions = {{"custom.seats", Op::Gt, 10}};
    CHECK(names(*w.store.list("contact", q)) == std::vector<std::string>{"B"});
    q.filter = {};
    q.sort = {{"custom.seats", true}};
    CHECK(names(*w.store.list("contact", q)).front() == "B");
}
