// The sync server's log (server/sync_log.*), its store (merge behind the log) and its quick
// push-body reader (server/push_body.*).
#include <doctest/doctest.h>

#include <random>

#include "hlc.h"
#include "ids.h"
#include "json_limits.h"
#include "push_body.h"
#include "schema.h"
#include "search.h"
#include "sync.h"
#include "sync_log.h"
#include "sync_store.h"
#include "temp_dir.h"

using namespace crm;
using nlohmann::json;

namespace {

Change change(const std::string& type, const std::string& id, const std::string& field, json value, Hlc h,
              const std::string& replica) {
    Change c{type, id, field, std::move(value), h.encode(), replica};
    auto s = check_change(c);
    REQUIRE_MESSAGE(s, field, ": ", s ? std::string() : s.error().to_string());
    return c;
}

// Edits of every kind of value: a create (one run), single-field edits, custom fields, unicode.
std::vector<Change> varied_changes(const std::string& replica, int64_t wall) {
    const std::string ada = new_id(), acme = new_id();
    const Hlc h1{wall, 0}, h2{wall, 1}, h3{wall + 5, 0};
    return {
        change("contact", ada, "name", "Zoë \"Ada\" Lovelace ✓ 𝄞", h1, replica),
        change("contact", ada, "email", "ada@example.com", h1, replica),
        change("contact", ada, "tags", json::array({"vip", "", "a\\b"}), h1, replica),
        change("contact", ada, "address", {{"street", "1 Main St"}, {"city", "Zürich"}}, h1, replica),
        change("contact", ada, "do_not_contact", true, h1, replica),
        change("contact", ada, "created_at", wall, h1, replica),
        change("contact", ada, "custom.score", 1.25, h1, replica),
        change("contact", ada, "custom.note", nullptr, h1, replica),
        change("company", acme, "name", "Acme", h2, replica),
        change("company", acme, "annual_revenue", 1e6, h2, replica),
        change("contact", ada, "job_title", "", h3, replica),
        change("contact", ada, "name", std::string(200, 'x'), h3, replica),
    };
}

// The first changes of every log: the default pipeline and its stages.
const size_t kSeed = seed_changes().size();

bool same_edit(const Change& a, const Change& b) {
    return a.record_type == b.record_type && a.record_id == b.record_id && a.hlc == b.hlc && a.replica == b.replica;
}

std::vector<LoggedChange> pull_all(SyncStore& store, int64_t limit) {
    std::vector<LoggedChange> out;
    int64_t after = 0;
    for (;;) {
        auto page = store.pull(after, limit);
        REQUIRE(page);
        // At most `limit`, or more to end with a whole edit: a page never ends inside an edit.
        if (static_cast<int64_t>(page->changes.size()) > limit) {
            const auto& changes = page->changes;
            CHECK(same_edit(changes[static_cast<size_t>(limit) - 1].change, changes.back().change));
        }
        if (!out.empty() && !page->changes.empty()) CHECK_FALSE(same_edit(out.back().change, page->changes.front().change));
        out.insert(out.end(), page->changes.begin(), page->changes.end());
        after = page->cursor;
        if (!page->more) break;
    }
    return out;
}

int64_t count(Db& db, const std::string& sql) {
    auto st = db.prepare(sql);
    REQUIRE(st);
    REQUIRE(st->step());
    return st->integer(0);
}

}  // namespace

TEST_CASE("the compact log gives back every change as it was pushed, in order, in pages of any size") {
    TempDir dir;
    const std::string r1 = new_id(), r2 = new_id();
    std::vector<Change> all;
    {
        auto store = open_sqlite_store(dir.file("w.db"));
        REQUIRE(store);
        auto a = varied_changes(r1, 1764072000000), b = varied_changes(r2, 1764072000100);
        auto p1 = (*store)->push("a", a, 1);
        REQUIRE(p1);
        CHECK(p1->cursor == static_cast<int64_t>(kSeed + a.size()));
        auto p2 = (*store)->push("b", b, 2);
        REQUIRE(p2);
        CHECK(p2->cursor == static_cast<int64_t>(kSeed + a.size() + b.size()));
        auto again = (*store)->push("a", a, 3);
        REQUIRE(again);
        CHECK(again->duplicate);
        CHECK(again->cursor == p1->cursor);
        all = seed_changes();
        all.insert(all.end(), a.begin(), a.end());
        all.insert(all.end(), b.begin(), b.end());
        for (int64_t limit : {1, 2, 5, 7, 1000}) {
            auto pulled = pull_all(**store, limit);
            REQUIRE(pulled.size() == all.size());
            for (size_t i = 0; i < all.size(); ++i) {
                CHECK(pulled[i].seq == static_cast<int64_t>(i) + 1);
                CHECK(pulled[i].change == all[i]);
                CHECK(pulled[i].change.to_json().dump() == all[i].to_json().dump());  // the same bytes on the wire
            }
        }
    }
    // Across a restart too, and the records were merged before the store closed.
    auto store = open_sqlite_store(dir.file("w.db"));
    REQUIRE(store);
    CHECK((*store)->merged() == static_cast<int64_t>(all.size()));
    auto pulled = pull_all(**store, 3);
    REQUIRE(pulled.size() == all.size());
    for (size_t i = 0; i < all.size(); ++i) CHECK(pulled[i].change == all[i]);
}

TEST_CASE("the records catch up with the log in the background, and after a crash resume where the merge stopped") {
    TempDir dir;
    const std::string path = dir.file("w.db");
    auto changes = varied_changes(new_id(), 1764072000000);
    const std::string ada = changes[0].record_id;
    {
        auto store = open_sqlite_store(path);
        REQUIRE(store);
        auto p = (*store)->push("a", changes, 1);
        REQUIRE(p);
        CHECK((*store)->wait_merged(p->cursor, 10'000) == p->cursor);
        auto db = Db::open(path);
        REQUIRE(db);
        CHECK(count(*db, "SELECT count(*) FROM contacts WHERE id = '" + ada + "'") == 1);
        CHECK(count(*db, "SELECT count(*) FROM search_docs") == 0);  // the server keeps no search index
    }
    {
        // As if the process died after logging but before merging: the records lack the batch.
        auto db = Db::open(path);
        REQUIRE(db);
        REQUIRE(db->exec("DELETE FROM contacts; DELETE FROM companies; UPDATE meta SET value = '0' WHERE key = 'merged_seq'"));
    }
    auto store = open_sqlite_store(path);
    REQUIRE(store);
    const int64_t latest = *(*store)->latest();
    CHECK((*store)->wait_merged(latest, 10'000) == latest);
    auto db = Db::open(path);
    REQUIRE(db);
    auto st = db->prepare("SELECT name, tags FROM contacts WHERE id = ?1");
    REQUIRE(st);
    st->bind(1, ada);
    REQUIRE(*st->step());
    CHECK(st->text(0) == std::string(200, 'x'));  // the later stamp won
    CHECK(json::parse(st->text(1)) == json::array({"vip", "", "a\\b"}));
}

TEST_CASE("a server database with the earlier one-row-per-change log is moved to the compact layout") {
    TempDir dir;
    const std::string path = dir.file("old.db");
    const std::string r = new_id();
    auto a = varied_changes(r, 1764072000000), b = varied_changes(r, 1764072000200);
    {
        // What the earlier server wrote: every change in change_log, the batches, merged records
        // with their search index.
        auto db = Db::open(path);
        REQUIRE(db);
        REQUIRE(migrate(*db));
        auto ins = db->prepare("INSERT INTO change_log(record_type, record_id, field, value, hlc, replica, batch_id) VALUES(?1,?2,?3,?4,?5,?6,?7)");
        REQUIRE(ins);
        int64_t seq = 0;
        for (auto* batch : {&a, &b}) {
            const std::string id = batch == &a ? "old-a" : "old-b";
            for (const auto& c : *batch) {
                REQUIRE(ins->bind(1, c.record_type).bind(2, c.record_id).bind(3, c.field).bind(4, c.value.dump()).bind(5, c.hlc)
                            .bind(6, c.replica).bind(7, id).run());
                ++seq;
            }
            REQUIRE(db->exec("INSERT INTO batches VALUES('" + id + "', " + std::to_string(seq) + ", 1)"));
            REQUIRE(apply_changes(*db, *batch));
        }
        CHECK(count(*db, "SELECT count(*) FROM search_docs") > 0);
    }
    auto store = open_sqlite_store(path);
    REQUIRE(store);
    const int64_t total = static_cast<int64_t>(a.size() + b.size());
    // The default records, which the earlier log lacked, follow its changes.
    CHECK(*(*store)->latest() == total + static_cast<int64_t>(kSeed));
    CHECK((*store)->merged() >= total);  // the earlier server merged before answering
    auto pulled = pull_all(**store, 4);
    REQUIRE(pulled.size() == a.size() + b.size() + kSeed);
    for (size_t i = 0; i < a.size(); ++i) CHECK(pulled[i].change == a[i]);
    for (size_t i = 0; i < b.size(); ++i) CHECK(pulled[a.size() + i].change == b[i]);
    for (size_t i = 0; i < kSeed; ++i) CHECK(pulled[a.size() + b.size() + i].change == seed_changes()[i]);
    auto dup = (*store)->push("old-b", b, 5);  // batch ids carry over
    REQUIRE(dup);
    CHECK(dup->duplicate);
    CHECK(dup->cursor == total);
    auto next = (*store)->push("new", {change("contact", new_id(), "name", "After", Hlc{1764072000300, 0}, r)}, 6);
    REQUIRE(next);
    CHECK(next->cursor == total + static_cast<int64_t>(kSeed) + 1);
    auto db = Db::open(path);
    REQUIRE(db);
    CHECK(count(*db, "SELECT count(*) FROM change_log") == 0);
    CHECK(count(*db, "SELECT count(*) FROM batches") == 0);
    CHECK(count(*db, "SELECT count(*) FROM search_docs") == 0);
    CHECK(count(*db, "SELECT count(*) FROM sync_log") < total);  // runs, not one row per change
}

TEST_CASE("a log of the layout before authors and digests keeps its batches and gains both columns") {
    TempDir dir;
    const std::string path = dir.file("w.db");
    auto a = varied_changes(new_id(), 1764072000000);
    {
        auto store = open_sqlite_store(path);
        REQUIRE(store);
        REQUIRE((*store)->push("a", a, 1));
    }
    {
        // What the earlier server left: no author per run, no digest per batch.
        auto db = Db::open(path);
        REQUIRE(db);
        REQUIRE(db->exec("ALTER TABLE sync_log DROP COLUMN author; ALTER TABLE sync_batches DROP COLUMN digest; "
                         "UPDATE meta SET value = '2' WHERE key = 'log_layout'"));
    }
    auto store = open_sqlite_store(path);
    REQUIRE(store);
    const int64_t latest = *(*store)->latest();
    CHECK(latest == static_cast<int64_t>(kSeed + a.size()));  // the seed is not written twice
    auto again = (*store)->push("a", a, 2);  // no digest kept for it: taken as the same batch
    REQUIRE(again);
    CHECK(again->duplicate);
    Change by = change("contact", new_id(), "name", "Grace", Hlc{1764072000500, 0}, new_id());
    by.author = "grace@example.com";
    auto next = (*store)->push("b", {by}, 3);
    REQUIRE(next);
    CHECK_FALSE(next->duplicate);
    auto other = (*store)->push("b", {change("contact", new_id(), "name", "Other", Hlc{1764072000600, 0}, new_id())}, 4);
    REQUIRE(other);
    CHECK(other->conflict);
    CHECK(*(*store)->latest() == latest + 1);
    auto pulled = pull_all(**store, 100);
    REQUIRE(pulled.size() == static_cast<size_t>(latest + 1));
    CHECK(pulled.back().change.author == "grace@example.com");
    CHECK(pulled.front().change.author.empty());
}

namespace {

// What the general path makes of a body: the batch id and the changes, or nothing when it would
// refuse the body (the messages then come from the general path itself).
std::optional<PushBody> read_generally(const std::string& body) {
    json j = parse_json_or_discarded(body);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    PushBody out;
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "batch_id" && it.key() != "changes" && it.key() != "workspace_id") return std::nullopt;
    if (!j.contains("batch_id") || !j["batch_id"].is_string() || !j.contains("changes")) return std::nullopt;
    if (j.contains("workspace_id")) {
        if (!j["workspace_id"].is_string()) return std::nullopt;
        out.workspace_id = j["workspace_id"].get<std::string>();
    }
    out.batch_id = j["batch_id"].get<std::string>();
    if (!j["changes"].is_array() || j["changes"].size() > kMaxBatchChanges) return std::nullopt;
    for (const auto& c : j["changes"]) {
        if (!c.is_object() || c.size() != 6) return std::nullopt;
        for (const char* m : {"type", "id", "field", "hlc", "replica"})
            if (!c.contains(m) || !c[m].is_string()) return std::nullopt;
        if (!c.contains("value")) return std::nullopt;
        out.changes.push_back({c["type"], c["id"], c["field"], c["value"], c["hlc"], c["replica"]});
    }
    return out;
}

void check_agrees(const std::string& body) {
    INFO(body.substr(0, 300));
    auto quick = read_push_body(body);
    if (!quick) return;  // giving up is always allowed: the general path then reads it
    auto general = read_generally(body);
    REQUIRE(general);
    CHECK(quick->batch_id == general->batch_id);
    CHECK(quick->workspace_id == general->workspace_id);
    REQUIRE(quick->changes.size() == general->changes.size());
    for (size_t i = 0; i < quick->changes.size(); ++i) {
        CHECK(quick->changes[i] == general->changes[i]);
        CHECK(quick->changes[i].value.type() == general->changes[i].value.type());
    }
}

}  // namespace

TEST_CASE("the quick push reader reads bodies exactly as the general JSON parser does, or leaves them to it") {
    json changes = json::array();
    for (const auto& c : varied_changes(new_id(), 1764072000000)) changes.push_back(c.to_json());
    const std::string valid = json{{"batch_id", "b-1"}, {"workspace_id", "w"}, {"changes", changes}}.dump();
    auto quick = read_push_body(valid);
    REQUIRE(quick);  // the usual body takes the quick path
    CHECK(quick->changes.size() == changes.size());
    check_agrees(valid);
    const std::string c0 = R"({"type":"contact","id":"0123456789abcdef0123456789abcdef","field":"name","hlc":"000001764072000000-00000","replica":"0123456789abcdef0123456789abcdef","value":)";
    for (const std::string v : std::vector<std::string>{R"("plain")", R"("esc \" \\ \/ \b \f \n \r \t \u00e9 \u20AC \ud834\udd1e")", R"("\ud834")", R"("\udd1e")",
                                R"("\ud834\u0041")", "\"raw \xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e\"", "\"bad \xc3\"", "\"bad \xed\xa0\x80\"",
                                "\"bad \xf4\x90\x80\x80\"", "\"bad \xc0\xaf\"", "\"ctl \x01\"", R"("\x")", R"("\u12")", "-0", "1.0", "1e400",
                                "18446744073709551615", "18446744073709551616", "-9223372036854775809", "0.1", "01", "1.", "-", "+1",
                                "true", "tru", "truex", "false", "null", "nul", "[1,[2,{\"a\":\"]\"}]]", "[1,", "{\"a\":1}", "{\"a\"}", "[]",
                                "{}", "", " ", "\"unterminated"}) {
        check_agrees(R"({"batch_id":"b","changes":[)" + c0 + v + "}]}");
        check_agrees(R"({"batch_id":"b","changes":[)" + c0 + v + " } ] } ");
    }
    for (const std::string& body : std::vector<std::string>{std::string("\xef\xbb\xbf") + valid, valid + "x", valid + " ", "[]", "{}", "null", R"({"batch_id":"b"})",
                                   R"({"changes":[]})", R"({"batch_id":"b","changes":[]})", R"({"batch_id":"b","changes":[],"x":1})",
                                   R"({"batch_id":"b","batch_id":"c","changes":[]})", R"({"batch_id":1,"changes":[]})",
                                   R"({"batch_id":"b","changes":{}})", R"({"batch_id":"b","changes":[1]})", R"({"batch_id":"b","workspace_id":null,"changes":[]})",
                                   R"({"batch_id":"b","changes":[{}]})", R"({"batch_id":"b","changes":[]}{})", R"({"batch_id":"b",,"changes":[]})",
                                   R"({"batch_id":"b","changes":[],})", R"({"ba\u0074ch_id":"b","changes":[]})"})
        check_agrees(body);
    // Cut and damaged copies of a valid body.
    std::mt19937 rng(5);
    for (int i = 0; i < 3000; ++i) {
        std::string body = valid;
        if (i % 2) body.resize(rng() % body.size());
        else body[rng() % body.size()] = "\"\\{}[],:0a \x80\xff"[rng() % 13];
        check_agrees(body);
    }
}

TEST_CASE("the quick push reader leaves repeated members, a byte-order mark and damaged text to the general parser") {
    const std::string c = R"("type":"contact","id":"0123456789abcdef0123456789abcdef","field":"name","hlc":"000001764072000000-00000","replica":"0123456789abcdef0123456789abcdef")";
    const std::string one = R"({"batch_id":"b","changes":[{)" + c + R"(,"value":"Ada"}]})";
    REQUIRE(read_push_body(one));
    CHECK(read_push_body(one)->changes.at(0).value == "Ada");
    // Repeated members (which nlohmann alone would read as the last one), a NUL (where nlohmann
    // alone stops reading): neither path takes these.
    for (const std::string& body : std::vector<std::string>{
             R"({"batch_id":"b","changes":[{)" + c + R"(,"value":"Ada","value":"Bob"}]})",
             R"({"batch_id":"b","changes":[{)" + c + R"(,"field":"email","value":"Ada"}]})",
             R"({"batch_id":"b","changes":[{)" + c + R"(,"value":"Ada","f\u0069eld":"email"}]})",
             R"({"batch_id":"a","batch_id":"b","changes":[]})",
             R"({"batch_id":"b","workspace_id":"w","workspace_id":"v","changes":[]})",
             R"({"batch_id":"b","changes":[],"changes":[]})",
             R"({"batch_id":"b","changes":[{)" + c + R"(,"value":"Ada"}],"changes":[]})",
             R"({"batch_id":"b","changes":[{)" + c + R"(,"value":{"a":1,"a":2}}]})",
             one + std::string(1, '\0') + "anything"}) {
        INFO(body);
        CHECK_FALSE(read_generally(body));
        CHECK_FALSE(read_push_body(body));
    }
    // A byte-order mark is the general path's to read.
    CHECK(read_generally("\xef\xbb\xbf" + one));
    CHECK_FALSE(read_push_body("\xef\xbb\xbf" + one));
    // Values nested deeper than a body may hold, or whole numbers outside int64: neither path.
    for (const std::string& value : {std::string(30, '[') + std::string(30, ']'), std::string(70000, '[') + std::string(70000, ']'),
                                     std::string("9223372036854775808"), std::string("-9223372036854775809"), std::string("[1,99999999999999999999]")}) {
        const std::string body = R"({"batch_id":"b","changes":[{)" + c + R"(,"value":)" + value + "}]}";
        INFO(body.substr(0, 300));
        CHECK_FALSE(read_generally(body));
        CHECK_FALSE(read_push_body(body));
    }
    // The deepest value a body may hold is read by both.
    const std::string deepest = R"({"batch_id":"b","changes":[{)" + c + R"(,"value":)" + std::string(29, '[') + std::string(29, ']') + "}]}";
    CHECK(read_generally(deepest));
    CHECK(read_push_body(deepest));
    // Neither path takes these.
    for (const std::string& body : std::vector<std::string>{
             R"({"batch_id":"b","changes":[{)" + c + "," + R"("value":"\ud800"}]})",
             R"({"batch_id":"b","changes":[{)" + c + "," + "\"value\":\"\xed\xa0\x80\"}]})",
             R"({"batch_id":"b","changes":[{)" + c + "," + "\"value\":\"\xe0\x80\xaf\"}]})",
             R"({"batch_id":"b","changes":[{)" + c + "," + "\"value\":\"tab\tinside\"}]})",
             R"({"batch_id":"b","changes":[{)" + c + "," + "\"v\xc3\"}]})",
             R"({"batch_id":"b","changes":[{)" + c + "," + "\"value\":[1,2}]})",
             R"({"batch_id":"b","changes":[{)" + c + "," + "\"value\":{\"a\":1]}]})",
             R"({"batch_id":"b","changes":[{)" + c + "," + "\"value\":1 2}]})",
             R"({"batch_id":"b","changes":[{)" + c + "," + "\"value\":\"Ada\"}]}}",
             R"({"batch_id":"b","changes":[{)" + c + "," + "\"value\":\"Ada\"}]",
             R"({"batch_id":"b","changes":[{)" + c + "," + "\"value\":\"Ada\"}}}",
             R"({"batch_id":"b","changes":[{)" + c + "," + "\"value\":\"Ada\"},]}"}) {
        INFO(body);
        CHECK_FALSE(read_generally(body));
        CHECK_FALSE(read_push_body(body));
    }
    // More changes than a batch may hold: the general path refuses them with a message.
    auto batch_of = [&](size_t n) {
        std::string body = R"({"batch_id":"b","changes":[)";
        for (size_t i = 0; i < n; ++i) body += (i ? ",{" : "{") + c + R"(,"value":1})";
        return body + "]}";
    };
    CHECK_FALSE(read_push_body(batch_of(kMaxBatchChanges + 1)));
    auto most = read_push_body(batch_of(kMaxBatchChanges));
    REQUIRE(most);
    CHECK(most->changes.size() == kMaxBatchChanges);
}

TEST_CASE("the quick push reader agrees with the general parser on bodies with members moved, repeated or cut out") {
    json changes = json::array();
    for (const auto& c : varied_changes(new_id(), 1764072000000)) changes.push_back(c.to_json());
    const std::string valid = json{{"batch_id", "b-1"}, {"workspace_id", "w"}, {"changes", changes}}.dump(2);
    REQUIRE(read_push_body(valid));  // indented bodies take the quick path too
    check_agrees(valid);
    // Copy a random slice of the body somewhere else: repeated members, stray values, broken nesting.
    std::mt19937 rng(7);
    for (int i = 0; i < 3000; ++i) {
        std::string body = valid;
        const size_t from = rng() % body.size(), len = rng() % 80, to = rng() % body.size();
        const std::string slice = body.substr(from, len);
        if (i % 3 == 0) body.erase(from, len);
        body.insert(std::min(to, body.size()), slice);
        check_agrees(body);
    }
}
