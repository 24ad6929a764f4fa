// Pipelines and deals, lead conversion, cases with SLA targets, and the company hierarchy.
#include "business_hours.h"
#include "workspace_fixture.h"

TEST_CASE("a new workspace has a Sales pipeline with ordered stages and their win probabilities") {
    Workspace w;
    auto pipeline = w.store.default_pipeline_id();
    REQUIRE(pipeline.ok());
    Query q;
    q.filter.conditions.push_back({"pipeline_id", Op::Eq, *pipeline});
    q.sort = {{"position"}};
    auto stages = w.store.list("stage", q);
    REQUIRE(stages->rows.size() == 6);
    CHECK(stages->rows[0]["name"] == "Qualification");
    CHECK(stages->rows[0]["probability"] == 10);
    CHECK(stages->rows[4]["outcome"] == "won");
    CHECK(stages->rows[5]["outcome"] == "lost");
}

TEST_CASE("a deal starts in the first stage of its pipeline and each move is recorded with its time") {
    Workspace w;
    const std::string deal = w.create("deal", {{"name", "Big order"}, {"amount", 12000}, {"currency", "EUR"}});
    auto d = w.store.get("deal", deal);
    CHECK((*d)["stage_id"] == "00000000000000000000000000000101");
    CHECK((*d)["status"] == "open");

    REQUIRE(w.store.move_deal(deal, "00000000000000000000000000000103", ++w.now).ok());
    const int64_t moved_at = w.now;
    REQUIRE(w.store.move_deal(deal, "00000000000000000000000000000105", ++w.now, "best price").ok());
    d = w.store.get("deal", deal);
    CHECK((*d)["status"] == "won");
    CHECK((*d)["closed_at"] == w.now);
    CHECK((*d)["close_reason"] == "best price");

    Query q;
    q.filter.conditions.push_back({"deal_id", Op::Eq, deal});
    q.sort = {{"changed_at"}};
    auto moves = w.store.list("stage_change", q);
    REQUIRE(moves->rows.size() == 3);  // entering the first stage, then two moves
    CHECK(moves->rows[1]["from_stage_id"] == "00000000000000000000000000000101");
    CHECK(moves->rows[1]["to_stage_id"] == "00000000000000000000000000000103");
    CHECK(moves->rows[1]["changed_at"] == moved_at);

    auto timeline = w.store.timeline("deal", deal);
    REQUIRE(timeline.ok());
    CHECK((*timeline)[0].at == w.now);  // newest first

    SUBCASE("moving back out of a closed stage reopens the deal") {
        REQUIRE(w.store.move_deal(deal, "00000000000000000000000000000104", ++w.now).ok());
        d = w.store.get("deal", deal);
        CHECK((*d)["status"] == "open");
        CHECK((*d)["closed_at"].is_null());
    }
}

TEST_CASE("a deal's stage must belong to the deal's pipeline") {
    Workspace w;
    const std::string other = w.create("pipeline", {{"name", "Renewals"}, {"position", 1}});
    const std::string renewal_stage = w.create("stage", {{"pipeline_id", other}, {"name", "Due"}, {"position", 0}, {"probability", 60}});
    auto e = w.refused("deal", {{"name", "D"}, {"stage_id", renewal_stage}, {"pipeline_id", "00000000000000000000000000000001"}});
    CHECK(e.field == "stage_id");
    const std::string deal = w.create("deal", {{"name", "D"}});
    auto moved = w.store.move_deal(deal, renewal_stage, ++w.now);
    REQUIRE_FALSE(moved.ok());
    CHECK(moved.error().field == "stage_id");
    CHECK((*w.store.get("deal", deal))["stage_id"] == "00000000000000000000000000000101");
    // A deal in the second pipeline starts in that pipeline's first stage.
    const std::string renewal = w.create("deal", {{"name", "R"}, {"pipeline_id", other}});
    CHECK((*w.store.get("deal", renewal))["stage_id"] == renewal_stage);
    CHECK(w.refused("stage", {{"pipeline_id", other}, {"name", "x"}, {"probability", 120}}).field == "probability");
}

TEST_CASE("contacts take part in deals with a role") {
    Workspace w;
    const std::string deal = w.create("deal", {{"name", "D"}});
    const std::string ada = w.create("contact", {{"name", "Ada"}});
    w.create("deal_contact", {{"deal_id", deal}, {"contact_id", ada}, {"role", "decision_maker"}});
    CHECK(w.refused("deal_contact", {{"deal_id", deal}, {"contact_id", ada}, {"role", "mascot"}}).field == "role");
    Query q;
    q.filter.conditions.push_back({"deal_id", Op::Eq, deal});
    auto links = w.store.list("deal_contact", q);
    REQUIRE(links->rows.size() == 1);
    CHECK(links->rows[0]["role"] == "decision_maker");
}

TEST_CASE("converting a lead makes a contact, a company and a deal in one step and keeps its history") {
    Workspace w;
    const std::string lead = w.create("lead", {{"name", "Linus Lead"}, {"email", "linus@kernel.example"}, {"phone", "+1 555 0100"},
                                                {"company_name", "Kernel Co"}, {"job_title", "CTO"}, {"lead_source", "webinar"},
                                                {"owner", "ada"}});
    const std::string call = w.create("activity", {{"kind", "call"}, {"subject", "Intro call"}, {"lead_id", lead}, {"direction", "outbound"}});
    LeadConversion opt;
    opt.create_company = true;
    opt.create_deal = true;
    opt.amount = 5000;
    auto result = w.store.convert_lead(lead, opt, ++w.now);
    REQUIRE(result.ok());
    auto contact = w.store.get("contact", result->contact_id);
    CHECK((*contact)["name"] == "Linus Lead");
    CHECK((*contact)["email"] == "linus@kernel.example");
    CHECK((*contact)["company_id"] == result->company_id);
    CHECK((*contact)["lifecycle_stage"] == "opportunity");
    CHECK((*w.store.get("company", result->company_id))["name"] == "Kernel Co");
    auto deal = w.store.get("deal", result->deal_id);
    CHECK((*deal)["name"] == "Kernel Co deal");
    CHECK((*deal)["amount"] == 5000.0);
    auto converted = w.store.get("lead", lead);
    CHECK((*converted)["status"] == "converted");
    CHECK((*converted)["converted_contact_id"] == result->contact_id);
    // The call follows the contact and still shows on the lead.
    auto contact_timeline = w.store.timeline("contact", result->contact_id);
    bool has_call = false;
    for (const auto& e : *contact_timeline) has_call |= e.kind == "activity" && e.activity["id"] == call;
    CHECK(has_call);
    auto lead_timeline = w.store.timeline("lead", lead);
    has_call = false;
    for (const auto& e : *lead_timeline) has_call |= e.kind == "activity" && e.activity["id"] == call;
    CHECK(has_call);

    auto again = w.store.convert_lead(lead, opt, ++w.now);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().message.find("already") != std::string::npos);
}

TEST_CASE("a lead conversion that cannot finish writes nothing") {
    Workspace w;
    const std::string lead = w.create("lead", {{"name", "No Company"}});
    const int64_t contacts = w.count("contacts"), outbox = *w.store.outbox_size();
    LeadConversion opt;
    opt.create_company = true;
    auto r = w.store.convert_lead(lead, opt, ++w.now);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().field == "company_name");
    opt.create_company = false;
    opt.create_deal = true;
    opt.amount = 10;
    opt.currency = "XYZ";
    r = w.store.convert_lead(lead, opt, ++w.now);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().field == "currency");
    CHECK(w.count("contacts") == contacts);  // the contact made before the deal failed was rolled back
    CHECK(*w.store.outbox_size() == outbox);
    CHECK((*w.store.get("lead", lead))["status"] == "new");
}

TEST_CASE("a case gets SLA targets in business hours from its priority, and new ones when the priority changes") {
    Workspace w;
    // Friday 2025-06-13 16:00 UTC: one business hour left in the week.
    const int64_t friday_4pm = 1749830400000;
    const std::string kase = w.create("case", {{"subject", "Cannot log in"}, {"priority", "urgent"}, {"opened_at", friday_4pm}});
    auto c = w.store.get("case", kase);
    CHECK((*c)["status"] == "new");
    const int64_t hour = 3600000;
    CHECK((*c)["first_response_due_at"] == friday_4pm + hour);           // 60 business minutes: Friday 17:00
    CHECK((*c)["resolution_due_at"] == friday_4pm + 3 * 24 * hour - 4 * hour);  // 240 minutes: Monday 12:00
    REQUIRE(w.store.update("case", kase, {{"priority", "low"}}, ++w.now).ok());
    c = w.store.get("case", kase);
    auto expected = add_business_minutes(default_business_hours(), friday_4pm, sla_policy_for_priority("low").first_response_minutes);
    CHECK((*c)["first_response_due_at"] == *expected);
    CHECK(w.refused("case", {{"subject", "x"}, {"priority", "apocalyptic"}}).field == "priority");
}

TEST_CASE("a case shows as breached once its due time passes without a response, and not after a timely one") {
    Workspace w;
    const int64_t friday_4pm = 1749830400000, hour = 3600000;
    const std::string late = w.create("case", {{"subject", "Late"}, {"priority", "urgent"}, {"opened_at", friday_4pm}});
    const std::string answered = w.create("case", {{"subject", "Answered"}, {"priority", "urgent"}, {"opened_at", friday_4pm},
                                                   {"first_response_at", friday_4pm + hour / 2}});
    auto before = w.store.case_sla(late, friday_4pm + hour / 2);
    REQUIRE(before.ok());
    CHECK_FALSE(before->first_response_breached);
    CHECK(before->first_response_remaining_ms == hour / 2);
    auto after = w.store.case_sla(late, friday_4pm + 2 * hour);
    CHECK(after->first_response_breached);
    CHECK_FALSE(after->resolution_breached);  // 240 business minutes run into Monday
    auto ok_case = w.store.case_sla(answered, friday_4pm + 2 * hour);
    CHECK_FALSE(ok_case->first_response_breached);
}

TEST_CASE("a company cannot be its own ancestor") {
    Workspace w;
    const std::string group = w.create("company", {{"name", "Group"}});
    const std::string sub = w.create("company", {{"name", "Subsidiary"}, {"parent_id", group}});
    const std::string branch = w.create("company", {{"name", "Branch"}, {"parent_id", sub}});
    auto loop = w.store.update("company", group, {{"parent_id", branch}}, ++w.now);
    REQUIRE_FALSE(loop.ok());
    CHECK(loop.error().field == "parent_id");
    CHECK(loop.error().message.find("loop") != std::string::npos);
    CHECK_FALSE(w.store.update("company", group, {{"parent_id", group}}, ++w.now).ok());
    CHECK((*w.store.get("company", group))["parent_id"] == "");
    Query q;
    q.filter.conditions.push_back({"parent_id", Op::Eq, group});
    CHECK(w.store.list("company", q)->rows.size() == 1);  // the contacts and deals under a company are queries too
}

TEST_CASE("tasks, calls and meetings carry their own fields") {
    Workspace w;
    const std::string contact = w.create("contact", {{"name", "Ada"}});
    w.create("activity", {{"kind", "task"}, {"subject", "Send quote"}, {"due_at", w.now + 86400000}, {"priority", "high"},
                          {"contact_id", contact}});
    w.create("activity", {{"kind", "call"}, {"subject", "Follow-up"}, {"direction", "inbound"}, {"disposition", "connected"},
                          {"duration_seconds", 300}, {"contact_id", contact}});
    w.create("activity", {{"kind", "meeting"}, {"subject", "Demo"}, {"starts_at", w.now}, {"ends_at", w.now + 3600000},
                          {"attendees", {"ada@example.com", "grace@example.com"}}, {"contact_id", contact}});
    w.create("activity", {{"kind", "email"}, {"subject", "Re: quote"}, {"body", "Thanks!"}, {"contact_id", contact}});
    CHECK(w.refused("activity", {{"kind", "meeting"}, {"starts_at", w.now}, {"ends_at", w.now - 1}}).field == "ends_at");
    CHECK(w.refused("activity", {{"kind", "call"}, {"duration_seconds", -3}}).field == "duration_seconds");
    CHECK(w.refused("activity", {{"kind", "fax"}}).field == "kind");
    auto timeline = w.store.timeline("contact", contact);
    int activities = 0;
    for (const auto& e : *timeline) activities += e.kind == "activity";
    CHECK(activities == 4);
}
