// Convergence: replicas that edit the same records while apart, then exchange their changes in
// any order, in pieces, twice over, end up holding the same records. The server is modelled as
// the plain log it is to clients (push appends, pull pages through it); it merges nothing here.
//
// Every trial is a pure function of its seed (given the same standard library, whose
// distributions it uses): replica ids, record ids and clocks all come from the seed, so a failing
// trial replays with CRM_CONVERGENCE_SEED=<seed> (add CRM_CONVERGENCE_TRACE=1 to print every
// step). CRM_LONG_TESTS=1 runs the long mode.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "local_store.h"
#include "records.h"
#include "schema.h"
#include "sync.h"
#include "temp_dir.h"

using namespace crm;
using nlohmann::json;

namespace {

using Rng = std::mt19937_64;

constexpr int64_t kHour = 3'600'000;
constexpr int64_t kStart = 1'750'000'000'000;  // 2025-06-15

size_t below(Rng& rng, size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); }
int64_t between(Rng& rng, int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); }
bool chance(Rng& rng, double p) { return std::bernoulli_distribution(p)(rng); }
template <class T>
const T& one_of(Rng& rng, const std::vector<T>& v) { return v[below(rng, v.size())]; }

std::string hex_id(Rng& rng) {
    static const char* digits = "0123456789abcdef";
    std::string id(32, '0');
    for (auto& c : id) c = digits[below(rng, 16)];
    return id;
}

std::string clip(const std::string& s, size_t n = 160) {
    return s.size() <= n ? s : s.substr(0, n) + "... (" + std::to_string(s.size()) + " bytes)";
}

// ---- values ------------------------------------------------------------------------------------

// Words as people type them: quotes, SQL, decomposed accents (e + U+0301), Hebrew and Arabic,
// emoji with joiners and flags, stray spaces. "Zebracorn" is the word the searches look for;
// nothing else contains it.
const std::vector<std::string> kWords = {
    "Ada", "Lovelace", "Zebracorn", "O'Brien", "\"Quoted\" Name", "Robert'); DROP TABLE contacts;--",
    "na\u00efve", "Zo\u00eb", "Jose\u0301", "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",
    "\u0645\u0631\u062d\u0628\u0627", "\U0001F680 launch", "\U0001F469\u200D\U0001F4BB", "\U0001F1EF\U0001F1F5",
    "  padded  ", "back\\slash", "50% off", "under_score", "\u00dcn\u00efc\u00f6d\u00e9"};

// Single code points (the validators count code points), cycled to build text of an exact length.
const std::vector<std::string> kGlyphs = {"a", "Q", "\u00e9", "e", "\u0301", "\u00df", "\u05e9", "\u0639",
                                          "\U0001F680", "\u4e2d", "'", "\"", " ", "7"};

std::string exact_length(size_t code_points, size_t offset = 0) {
    std::string s = "L";  // never blank, never starts with a combining mark
    for (size_t i = 1; i < code_points; ++i) s += kGlyphs[(i + offset) % kGlyphs.size()];
    return s;
}

std::string words(Rng& rng) {
    std::string s = one_of(rng, kWords);
    for (size_t n = below(rng, 3); n > 0; --n) s += " " + one_of(rng, kWords);
    return s;
}

// A required name: 1 to 4 words, or exactly `max` code points.
std::string name_value(Rng& rng, size_t max) { return chance(rng, 0.1) ? exact_length(max, below(rng, 14)) : words(rng); }

// Optional text: often empty, sometimes at its limit.
std::string text_value(Rng& rng, size_t max) {
    if (chance(rng, 0.25)) return "";
    if (chance(rng, 0.1)) return exact_length(max, below(rng, 14));
    return words(rng);
}

// A note body: empty, words over several lines, or the full 100,000 characters now and then.
std::string body_value(Rng& rng) {
    if (chance(rng, 0.15)) return "";
    if (chance(rng, 0.04)) return exact_length(kMaxLongTextChars, below(rng, 14));
    std::string s = words(rng);
    for (size_t n = below(rng, 3); n > 0; --n) s += "\n" + words(rng);
    return s;
}

json email_value(Rng& rng) {
    static const std::vector<std::string> emails = {"", "ada@example.com", "o'brien@example.org",
                                                    "zoe+crm@mail.example.co.uk", "x@y.io"};
    return one_of(rng, emails);
}

json tags_value(Rng& rng) {
    json tags = json::array();
    if (chance(rng, 0.05)) {
        for (size_t i = 0; i < kMaxTags; ++i) tags.push_back(exact_length(100, i));
        return tags;
    }
    for (size_t n = below(rng, 4); n > 0; --n) tags.push_back(one_of(rng, kWords));
    return tags;
}

// Amounts that do not survive a trip through text carelessly: 0.1, 1e-7, large cents.
json money_value(Rng& rng) {
    static const std::vector<json> amounts = {0.1, 0.2, 1234.56, 99999999.99, 0.0, 1e-7, 123456789012.34, 42, 7.5, nullptr};
    return one_of(rng, amounts);
}

json currency_value(Rng& rng) {
    static const std::vector<std::string> codes = {"USD", "EUR", "JPY", "GBP", "CHF"};
    return one_of(rng, codes);
}

const std::vector<std::string> kTypes = {"contact", "company", "deal", "activity"};

json create_values(Rng& rng, const std::string& type) {
    json v = json::object();
    if (type == "contact") {
        v["name"] = name_value(rng, 200);
        if (chance(rng, 0.6)) v["email"] = email_value(rng);
        if (chance(rng, 0.6)) v["job_title"] = text_value(rng, 200);
        if (chance(rng, 0.5)) v["tags"] = tags_value(rng);
    } else if (type == "company") {
        v["name"] = name_value(rng, 200);
        if (chance(rng, 0.6)) v["annual_revenue"] = money_value(rng);
        if (chance(rng, 0.6)) v["currency"] = currency_value(rng);
    } else if (type == "deal") {
        v["name"] = name_value(rng, 200);
        v["currency"] = currency_value(rng);  // an amount needs one, and edits may set an amount later
        if (chance(rng, 0.7)) v["amount"] = money_value(rng);
    } else {
        v["kind"] = "note";
        v["body"] = body_value(rng);
    }
    return v;
}

json update_values(Rng& rng, const std::string& type) {
    json v = json::object();
    while (v.empty()) {
        if (type == "contact") {
            if (chance(rng, 0.5)) v["name"] = name_value(rng, 200);
            if (chance(rng, 0.3)) v["email"] = email_value(rng);
            if (chance(rng, 0.3)) v["job_title"] = text_value(rng, 200);
            if (chance(rng, 0.3)) v["tags"] = tags_value(rng);
        } else if (type == "company") {
            if (chance(rng, 0.5)) v["name"] = name_value(rng, 200);
            if (chance(rng, 0.4)) v["annual_revenue"] = money_value(rng);
            if (chance(rng, 0.3)) v["currency"] = currency_value(rng);
        } else if (type == "deal") {
            if (chance(rng, 0.5)) v["name"] = name_value(rng, 200);
            if (chance(rng, 0.5)) v["amount"] = money_value(rng);
            if (chance(rng, 0.3)) v["currency"] = currency_value(rng);
        } else {
            v["body"] = body_value(rng);
        }
    }
    return v;
}

// ---- replicas ----------------------------------------------------------------------------------

// A fresh workspace as LocalStore::open first makes it (migrated, seeded), built once per run:
// copying it is much faster than migrating a new file for each of the thousands of replicas.
const std::string& blank_workspace() {
    static TempDir dir;
    static const std::string path = [] {
        const std::string p = dir.file("blank.db");
        auto db = Db::open(p);
        REQUIRE(db.ok());
        REQUIRE(migrate(*db).ok());
        return p;
    }();
    return path;
}

// A replica whose id comes from the seed: written into meta before the store first opens the
// file, where LocalStore::open would otherwise write a random one.
LocalStore open_replica(const std::string& path, const std::string& replica_id) {
    std::filesystem::copy_file(blank_workspace(), path);
    {
        auto db = Db::open(path);
        REQUIRE(db.ok());
        REQUIRE(db->exec("PRAGMA synchronous = OFF").ok());
        REQUIRE(db->exec("INSERT INTO meta(key, value) VALUES('replica_id', '" + replica_id + "')").ok());
    }
    auto store = LocalStore::open(path);
    REQUIRE(store.ok());
    REQUIRE(store->replica_id() == replica_id);
    // Thousands of small transactions per second: skip the fsyncs, which only matter when the
    // machine loses power. Transactions, the journal and every statement stay as in the app.
    REQUIRE(store->db().exec("PRAGMA synchronous = OFF").ok());
    return std::move(*store);
}

struct Replica {
    std::optional<LocalStore> store;
    int64_t skew = 0;      // this replica's wall clock minus true time
    bool online = true;    // reaches the server (direct delivery works regardless)
    std::vector<bool> has; // log positions it has merged (or made)
};

struct Record {
    std::string type, id;
    size_t creator;
    std::string create_hlc;                 // from the first log entry of the record
    std::map<std::string, std::vector<size_t>> create_positions;  // field -> log positions of the create
};

// Every row of every record table, every column, as text that keeps SQLite's types apart; keyed
// by "table/id", then column. The other tables are a replica's own: meta (its id, cursor and
// clock), outbox (checked empty), history (the transitions this replica saw, which depend on
// arrival order by design) and search_docs (rowids; the index is compared by content below).
using Dump = std::map<std::string, std::map<std::string, std::string>>;

// The stamps a record's clocks say each field carries. The text of `clocks` legitimately differs
// between replicas that hold the same stamps: a record created in one edit keeps a single ""
// entry standing for every field, while a replica that received that create in pieces, or
// together with a later edit, spells the fields out one by one (and JSON key order follows
// arrival). What must agree is the stamp of every field some change has stamped: `stamped` lists
// those fields (from the log); the seeded pipeline, which never travels, is compared as text.
std::string normalized_clocks(const std::string& raw, const std::set<std::string>* stamped) {
    if (!stamped) return raw;
    json clocks = crm::parse_clocks(raw);
    if (clocks.empty() && raw != "{}") return "unreadable: " + raw;
    std::string out;
    for (const auto& f : *stamped) {
        std::string stamp = clocks.contains(f) ? clocks[f].get<std::string>()
                            : clocks.contains("") ? clocks[""].get<std::string>() : "(none)";
        out += f + "=" + stamp + ";";
    }
    return out;
}

Dump dump_records(Db& db, const std::map<std::string, std::set<std::string>>& stamped) {
    Dump out;
    for (const auto& spec : record_specs()) {
        std::vector<std::string> columns;
        auto info = db.prepare("PRAGMA table_info(" + spec.table + ")");
        REQUIRE(info.ok());
        while (*info->step()) columns.push_back(info->text(1));
        std::string select;
        for (const auto& c : columns) select += (select.empty() ? "" : ", ") + ("typeof(" + c + "), " + c);
        auto rows = db.prepare("SELECT " + select + " FROM " + spec.table + " ORDER BY id");
        REQUIRE(rows.ok());
        while (*rows->step()) {
            std::map<std::string, std::string> row;
            std::string id, clocks;
            for (size_t i = 0; i < columns.size(); ++i) {
                const int t = static_cast<int>(2 * i), v = t + 1;
                const std::string type = rows->text(t);
                std::string value;
                if (type == "real") {
                    char buf[64];
                    std::snprintf(buf, sizeof buf, "%.17g", rows->real(v));
                    value = buf;
                } else if (type == "integer") {
                    value = std::to_string(rows->integer(v));
                } else if (type == "text") {
                    value = rows->text(v);
                }
                if (columns[i] == "id") id = value;
                if (columns[i] == "clocks") clocks = value;
                row[columns[i]] = type + ":" + value;
            }
            auto s = stamped.find(spec.type + "/" + id);
            row["clocks"] = normalized_clocks(clocks, s == stamped.end() ? nullptr : &s->second);
            out[spec.table + "/" + id] = std::move(row);
        }
    }
    return out;
}

// What the search index holds per record (its rowids are allocated in arrival order, so they
// legitimately differ; the text under them must not).
std::map<std::string, std::string> dump_index(Db& db) {
    std::map<std::string, std::string> out;
    auto st = db.prepare(
        "SELECT d.record_type, d.record_id, i.title, i.body, i.rowid IS NULL FROM search_docs d "
        "LEFT JOIN search_index i ON i.rowid = d.rowid");
    REQUIRE(st.ok());
    while (*st->step())
        out[st->text(0) + "/" + st->text(1)] = st->integer(4) ? "(not indexed)" : st->text(2) + "\x1f" + st->text(3);
    return out;
}

std::vector<std::string> search_ids(LocalStore& store, const std::string& text) {
    auto hits = store.search(text, 10'000);
    REQUIRE(hits.ok());
    std::vector<std::string> ids;
    for (const auto& h : *hits) ids.push_back(h.record_type + "/" + h.record_id);
    std::sort(ids.begin(), ids.end());  // equal ranks tie-break on rowid, which differs per replica
    return ids;
}

const std::vector<std::string> kSearches = {"zebracorn", "ada lov", "o'brien", "naive", "\u05e9\u05dc\u05d5\u05dd",
                                            "\u0645\u0631\u062d\u0628\u0627", "quoted", "jose", "launch"};

// The changes of the log to one field of one record (every field for the columns the merge
// derives from all of them), for a report.
std::string changes_to(const std::vector<Change>& log, const std::string& record_id, const std::string& column) {
    std::string out;
    for (size_t i = 0; i < log.size(); ++i) {
        const Change& c = log[i];
        if (c.record_id != record_id || (c.field != column && column != "clocks" && column != "updated_at")) continue;
        out += "\n    log[" + std::to_string(i) + "] " + c.record_type + "." + c.field + " = " + clip(c.value.dump(), 60) +
               " @ " + c.hlc + " by " + c.replica.substr(0, 8);
    }
    return out;
}

// Every history row of a replica, in a fixed order: what two replicas must agree on.
std::vector<std::string> history_rows(LocalStore& store) {
    auto st = store.db().prepare("SELECT record_type, record_id, field, value, hlc, replica, author, created FROM history "
                                 "ORDER BY record_type, record_id, field, hlc, replica");
    REQUIRE(st);
    std::vector<std::string> rows;
    for (;;) {
        auto row = st->step();
        REQUIRE(row);
        if (!*row) break;
        std::string line;
        for (int i = 0; i < 7; ++i) line += st->text(i) + " | ";
        rows.push_back(line + std::to_string(st->integer(7)));
    }
    return rows;
}

// Compares every replica with the first, which have all merged every change of `log`: records
// (every column), the search index, and what searches find. Returns the first difference, told
// with the changes involved, or "" when the replicas agree.
std::string first_difference(const std::vector<LocalStore*>& stores, const std::vector<Change>& log) {
    std::map<std::string, std::set<std::string>> stamped;
    for (const Change& c : log) stamped[c.record_type + "/" + c.record_id].insert(c.field);
    std::vector<Dump> dumps;
    std::vector<std::map<std::string, std::string>> indexes;
    for (LocalStore* store : stores) {
        REQUIRE(*store->outbox_size() == 0);
        dumps.push_back(dump_records(store->db(), stamped));
        indexes.push_back(dump_index(store->db()));
    }
    auto replica = [&](size_t r) { return "r" + std::to_string(r) + " (" + stores[r]->replica_id().substr(0, 8) + ")"; };
    for (size_t r = 1; r < stores.size(); ++r) {
        for (const auto& [key, row] : dumps[0]) {
            auto other = dumps[r].find(key);
            if (other == dumps[r].end()) return key + " is on r0 but not on " + replica(r);
            for (const auto& [column, value] : row) {
                const std::string& theirs = other->second.at(column);
                if (value == theirs) continue;
                return key + " column " + column + " differs: " + replica(0) + " holds " + clip(value) + ", " + replica(r) +
                       " holds " + clip(theirs) + "; the log's changes to it:" +
                       changes_to(log, key.substr(key.find('/') + 1), column);
            }
        }
        for (const auto& [key, row] : dumps[r])
            if (!dumps[0].count(key)) return key + " is on " + replica(r) + " but not on r0";
        for (const auto& [key, text] : indexes[0]) {
            auto other = indexes[r].find(key);
            if (other == indexes[r].end() || other->second != text)
                return "the search index entry of " + key + " differs: r0 has " + clip(text) + ", " + replica(r) + " has " +
                       (other == indexes[r].end() ? std::string("none") : clip(other->second));
        }
        if (indexes[0].size() != indexes[r].size()) return "the search index of " + replica(r) + " has entries r0 lacks";
        // History: the same rows, whatever order the changes came in.
        const auto mine = history_rows(*stores[0]), theirs = history_rows(*stores[r]);
        if (mine != theirs) {
            size_t i = 0;
            while (i < mine.size() && i < theirs.size() && mine[i] == theirs[i]) ++i;
            return "history differs on " + replica(r) + " at row " + std::to_string(i) + ": r0 has " +
                   (i < mine.size() ? mine[i] : std::string("nothing")) + ", " + replica(r) + " has " +
                   (i < theirs.size() ? theirs[i] : std::string("nothing"));
        }
        for (const auto& text : kSearches) {
            auto mine = search_ids(*stores[0], text), theirs = search_ids(*stores[r], text);
            if (mine != theirs)
                return "searching '" + text + "' finds " + std::to_string(mine.size()) + " records on r0 but " +
                       std::to_string(theirs.size()) + " on " + replica(r);
        }
    }
    // And search finds what the records hold: the live ones with the word in a searched field.
    std::vector<std::string> expected;
    for (const auto& spec : record_specs()) {
        if (!is_searchable_type(spec.type)) continue;
        for (auto it = dumps[0].lower_bound(spec.table + "/"); it != dumps[0].end() && it->first.rfind(spec.table + "/", 0) == 0; ++it) {
            const auto& row = it->second;
            if (row.at("deleted") != "integer:0") continue;
            bool holds = false;
            for (const char* column : {"name", "job_title", "body"})
                holds |= row.count(column) && row.at(column).find("Zebracorn") != std::string::npos;
            if (holds) expected.push_back(spec.type + "/" + it->first.substr(spec.table.size() + 1));
        }
    }
    std::sort(expected.begin(), expected.end());
    if (search_ids(*stores[0], "zebracorn") != expected)
        return "searching 'zebracorn' does not find exactly the " + std::to_string(expected.size()) + " live records holding it";
    return "";
}

// ---- a trial ------------------------------------------------------------------------------------

class Trial {
public:
    explicit Trial(uint64_t seed, bool trace) : rng_(seed), trace_(trace) {}

    // Runs the trial; returns the first difference between replicas, or "" when they agree.
    std::string run() {
        const size_t n = 2 + below(rng_, 7);
        // Either skews anywhere within an hour either way, or all within 2 ms of each other so
        // that stamps collide and the replica id decides.
        tight_ = chance(rng_, 0.3);
        for (size_t r = 0; r < n; ++r) {
            Replica rep;
            rep.store.emplace(open_replica(dir_.file("r" + std::to_string(r) + ".db"), hex_id(rng_)));
            rep.store->set_id_source([this] { return hex_id(rng_); });
            rep.skew = tight_ ? between(rng_, -2, 2) : between(rng_, -kHour, kHour);
            reps_.push_back(std::move(rep));
        }
        counts_["replicas"] = n;
        const int steps = static_cast<int>(between(rng_, 10, 60));
        for (int step = 0; step < steps; ++step) {
            advance_time();
            const size_t r = below(rng_, n);
            const int action = static_cast<int>(below(rng_, 100));
            if (action < 40) edit(r);
            else if (action < 55) push(r);
            else if (action < 68) pull(r);
            else if (action < 88) deliver(r);
            else if (action < 94) replay(r);
            else {
                reps_[r].online = !reps_[r].online;
                note("r" + std::to_string(r) + (reps_[r].online ? " back online" : " offline"));
            }
        }
        // Everyone reconnects: push everything, then pull everything, in random pieces.
        for (size_t r = 0; r < n; ++r) {
            reps_[r].online = true;
            advance_time();
            while (push(r)) {}
        }
        for (size_t r = 0; r < n; ++r) {
            advance_time();
            while (pull(r, true)) {}
            REQUIRE(*reps_[r].store->outbox_size() == 0);
            REQUIRE(*reps_[r].store->cursor() == static_cast<int64_t>(log_.size()));
        }
        return compare();
    }

    std::string summary() const {
        std::string s = std::to_string(reps_.size()) + " replicas, skews";
        for (const auto& r : reps_) s += " " + std::to_string(r.skew);
        s += " ms; " + std::to_string(counts_.at("create")) + " creates, " + std::to_string(counts_.at("update")) +
             " edits (" + std::to_string(counts_.at("refused")) + " refused on deleted records), " +
             std::to_string(counts_.at("remove")) + " deletes, " + std::to_string(counts_.at("restore")) +
             " restores, " + std::to_string(counts_.at("push")) + " pushes (" + std::to_string(counts_.at("lost")) +
             " answers lost), " + std::to_string(counts_.at("pull")) +
             " pull pages, " + std::to_string(counts_.at("deliver")) + " direct deliveries, " +
             std::to_string(counts_.at("replay")) + " replays, " + std::to_string(counts_.at("setback")) +
             " clocks set back; log of " + std::to_string(log_.size()) + " changes";
        if (!trace_) s += " (CRM_CONVERGENCE_TRACE=1 prints every step)";
        for (const auto& line : trace_lines_) s += "\n  " + line;
        return s;
    }
    const std::map<std::string, size_t>& counts() const { return counts_; }

private:
    int64_t now(size_t r) const { return true_now_ + reps_[r].skew; }

    void note(std::string line) {
        if (trace_) trace_lines_.push_back(std::move(line));
    }

    // True time moves by a few milliseconds (often zero, so stamps share a millisecond), now and
    // then by minutes; some steps set a replica's clock back.
    void advance_time() {
        true_now_ += chance(rng_, 0.05) ? between(rng_, 1, 600'000) : between(rng_, 0, tight_ ? 2 : 40);
        if (chance(rng_, 0.08)) {
            const size_t r = below(rng_, reps_.size());
            const int64_t before = reps_[r].skew, lowest = tight_ ? -2 : -kHour;
            if (before == lowest) return;
            reps_[r].skew = between(rng_, lowest, before - 1);
            ++counts_["setback"];
            note("r" + std::to_string(r) + " clock set back by " + std::to_string(before - reps_[r].skew) + " ms");
        }
    }

    bool knows(size_t r, const Record& rec) const {
        if (rec.creator == r) return true;
        if (rec.create_positions.empty()) return false;  // not pushed yet
        for (const auto& [field, positions] : rec.create_positions)
            if (std::none_of(positions.begin(), positions.end(), [&](size_t p) { return reps_[r].has[p]; })) return false;
        return true;
    }

    // A local write: a create, or an edit, delete or restore of a record this replica has seen.
    void edit(size_t r) {
        LocalStore& store = *reps_[r].store;
        std::vector<size_t> known;
        for (size_t i = 0; i < records_.size(); ++i)
            if (knows(r, records_[i])) known.push_back(i);
        const std::string who = "r" + std::to_string(r) + " @" + std::to_string(now(r)) + " ";
        if (known.empty() || chance(rng_, 0.25)) {
            const std::string type = one_of(rng_, kTypes);
            json values = create_values(rng_, type);
            auto id = store.create(type, values, now(r));
            INFO("create ", type, " ", clip(values.dump()), " -> ", id ? std::string("ok") : id.error().to_string());
            REQUIRE(id.ok());
            records_.push_back({type, *id, r, "", {}});
            ++counts_["create"];
            note(who + "creates " + type + " " + *id + " " + clip(values.dump(), 100));
            return;
        }
        const Record& rec = records_[one_of(rng_, known)];
        auto before = store.get(rec.type, rec.id);
        REQUIRE(before.ok());
        const bool deleted = (*before)["deleted"] == true;
        const int what = static_cast<int>(below(rng_, 10));
        if (what < 6) {
            json values = update_values(rng_, rec.type);
            const int64_t outbox = *store.outbox_size();
            auto s = store.update(rec.type, rec.id, values, now(r));
            INFO("update ", rec.type, " ", rec.id, " ", clip(values.dump()), " -> ", s ? std::string("ok") : s.error().to_string());
            if (deleted) {
                // Refused as a value, naming why, and nothing is queued.
                REQUIRE_FALSE(s.ok());
                CHECK(s.error().message.find("deleted") != std::string::npos);
                REQUIRE(*store.outbox_size() == outbox);
                ++counts_["refused"];
            } else {
                REQUIRE(s.ok());
            }
            ++counts_["update"];
            note(who + "edits " + rec.type + " " + rec.id + " " + clip(values.dump(), 100) + (deleted ? " (refused: deleted)" : ""));
        } else if (what < 8) {
            REQUIRE(store.remove(rec.type, rec.id, now(r)).ok());
            ++counts_["remove"];
            note(who + "deletes " + rec.type + " " + rec.id);
        } else {
            REQUIRE(store.restore(rec.type, rec.id, now(r)).ok());
            ++counts_["restore"];
            note(who + "restores " + rec.type + " " + rec.id);
        }
    }

    // One push of a partial batch. The server dedupes by batch id; a lost answer leaves the rows
    // in the outbox, so the next push sends them again (in another batch when its size differs).
    bool push(size_t r) {
        Replica& rep = reps_[r];
        if (!rep.online) return false;
        auto batch = rep.store->next_batch(1 + below(rng_, 6));
        REQUIRE(batch.ok());
        if (!*batch) return false;
        const OutboxBatch& b = **batch;
        if (batches_.insert(b.batch_id).second) {
            for (const Change& c : b.changes) {
                const size_t pos = log_.size();
                log_.push_back(c);
                for (auto& other : reps_) other.has.push_back(false);
                rep.has[pos] = true;
                for (auto& rec : records_) {
                    if (rec.id != c.record_id) continue;
                    if (rec.create_hlc.empty()) rec.create_hlc = c.hlc;
                    if (rec.create_hlc == c.hlc) rec.create_positions[c.field].push_back(pos);
                }
            }
        }
        const bool lost = chance(rng_, 0.1);
        if (!lost) REQUIRE(rep.store->ack_batch(b.last_seq).ok());
        ++counts_["push"];
        counts_["lost"] += lost;
        note("r" + std::to_string(r) + " pushes " + b.batch_id + " (" + std::to_string(b.changes.size()) + " changes)" +
             (lost ? ", answer lost" : "") + "; log now " + std::to_string(log_.size()));
        return true;
    }

    // Up to a few pages from the cursor on, or every page when `all`.
    bool pull(size_t r, bool all = false) {
        Replica& rep = reps_[r];
        if (!rep.online) return false;
        const size_t pages = all ? 1 : 1 + below(rng_, 3);
        bool any = false;
        for (size_t p = 0; p < pages; ++p) {
            auto cursor = rep.store->cursor();
            REQUIRE(cursor.ok());
            const size_t from = static_cast<size_t>(*cursor);
            const size_t to = std::min(log_.size(), from + 1 + below(rng_, 8));
            if (from >= to) break;
            std::vector<Change> page(log_.begin() + static_cast<ptrdiff_t>(from), log_.begin() + static_cast<ptrdiff_t>(to));
            auto s = rep.store->apply_pulled(page, static_cast<int64_t>(to), now(r));
            INFO("pull ", from, "..", to, " -> ", s ? std::string("ok") : s.error().to_string());
            REQUIRE(s.ok());
            for (size_t i = from; i < to; ++i) rep.has[i] = true;
            ++counts_["pull"];
            note("r" + std::to_string(r) + " pulls log[" + std::to_string(from) + ".." + std::to_string(to) + ")");
            any = true;
        }
        return any;
    }

    // Another replica hands this one a random handful of the changes it has, shuffled, some
    // twice; the cursor stays where it is, so the log brings them again later.
    void deliver(size_t r) {
        const size_t from = (r + 1 + below(rng_, reps_.size() - 1)) % reps_.size();  // any other replica
        std::vector<size_t> available;
        for (size_t i = 0; i < log_.size(); ++i)
            if (reps_[from].has[i]) available.push_back(i);
        if (available.empty()) return;
        std::vector<size_t> chosen;
        for (size_t k = 1 + below(rng_, std::min<size_t>(available.size(), 8)); k > 0; --k)
            chosen.push_back(one_of(rng_, available));
        if (chance(rng_, 0.3)) chosen.insert(chosen.end(), chosen.begin(), chosen.end());
        std::shuffle(chosen.begin(), chosen.end(), rng_);
        apply_positions(r, chosen, "gets from r" + std::to_string(from));
        ++counts_["deliver"];
    }

    // Changes this replica has already merged arrive again.
    void replay(size_t r) {
        auto cursor = reps_[r].store->cursor();
        REQUIRE(cursor.ok());
        if (*cursor == 0) return;
        const size_t a = below(rng_, static_cast<size_t>(*cursor));
        const size_t b = a + 1 + below(rng_, static_cast<size_t>(*cursor) - a);
        std::vector<size_t> chosen;
        for (size_t i = a; i < b; ++i) chosen.push_back(i);
        if (chance(rng_, 0.5)) std::reverse(chosen.begin(), chosen.end());
        apply_positions(r, chosen, "replays");
        ++counts_["replay"];
    }

    void apply_positions(size_t r, const std::vector<size_t>& positions, const std::string& what) {
        Replica& rep = reps_[r];
        std::vector<Change> changes;
        std::string list;
        for (size_t p : positions) {
            changes.push_back(log_[p]);
            list += " " + std::to_string(p);
        }
        auto cursor = rep.store->cursor();
        REQUIRE(cursor.ok());
        auto s = rep.store->apply_pulled(changes, *cursor, now(r));
        INFO(what, list, " -> ", s ? std::string("ok") : s.error().to_string());
        REQUIRE(s.ok());
        for (size_t p : positions) rep.has[p] = true;
        note("r" + std::to_string(r) + " " + what + " log[" + list + " ]");
    }

    std::string compare() {
        std::vector<LocalStore*> stores;
        for (auto& rep : reps_) stores.push_back(&*rep.store);
        return first_difference(stores, log_);
    }

    Rng rng_;
    bool trace_;
    bool tight_ = false;
    TempDir dir_;
    std::vector<Replica> reps_;
    std::vector<Change> log_;  // the server: position i has sequence number i + 1
    std::set<std::string> batches_;
    std::vector<Record> records_;
    int64_t true_now_ = kStart;
    std::map<std::string, size_t> counts_ = {{"create", 0}, {"update", 0}, {"refused", 0}, {"remove", 0},
                                             {"restore", 0}, {"push", 0},  {"lost", 0},    {"pull", 0},
                                             {"deliver", 0}, {"replay", 0}, {"setback", 0}, {"replicas", 0}};
    std::vector<std::string> trace_lines_;
};

bool env_is(const char* name, const char* value) {
    const char* v = std::getenv(name);
    return v && std::string(v) == value;
}

}  // namespace

TEST_CASE("replicas that edit the same records apart and then sync in any order end up identical") {
    // Long mode is the issue's 10,000 trials; the default keeps this test under 20 s on 2 cores
    // (about 15 s on a quiet disk: every trial opens 2 to 8 stores and commits hundreds of times).
    const bool long_mode = env_is("CRM_LONG_TESTS", "1");
    uint64_t first = 0, count = long_mode ? 10'000 : 250;
    const char* replay = std::getenv("CRM_CONVERGENCE_SEED");
    if (replay) {
        first = std::stoull(replay);
        count = 1;
    }
    const bool trace = env_is("CRM_CONVERGENCE_TRACE", "1");
    const auto started = std::chrono::steady_clock::now();
    uint64_t ran = 0;
    std::map<std::string, size_t> totals;
    std::vector<uint64_t> diverged;
    for (uint64_t seed = first; seed < first + count; ++seed) {
        Trial trial(seed, trace);
        // Evaluated only when a check fails, so it tells how far the trial got.
        INFO("trial seed ", seed, " (replay: CRM_CONVERGENCE_SEED=", seed, "): ", trial.summary());
        const std::string difference = trial.run();
        ++ran;
        for (const auto& [what, n] : trial.counts()) totals[what] += n;
        if (replay) MESSAGE("seed ", seed, ": ", trial.summary());
        if (difference.empty()) continue;
        diverged.push_back(seed);
        // Every trial runs, so the count says how common a problem is; the first few are told
        // in full.
        if (diverged.size() <= 3) CHECK_MESSAGE(difference.empty(), difference);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    MESSAGE("convergence: ", ran, " trials (seeds ", first, "..", first + ran - 1, ") in ", seconds, " s",
            std::string(long_mode ? " [long mode]" : " [CRM_LONG_TESTS=1 runs 10,000]"), ": ", totals["replicas"],
            " replicas made ", totals["create"], " creates, ", totals["update"], " edits (", totals["refused"],
            " refused on deleted records), ", totals["remove"], " deletes and ", totals["restore"], " restores; ",
            totals["push"], " pushes (", totals["lost"], " answers lost), ", totals["pull"], " pull pages, ",
            totals["deliver"], " direct deliveries, ", totals["replay"], " replays, ", totals["setback"],
            " clocks set back");
    std::string seeds;
    for (size_t i = 0; i < diverged.size() && i < 30; ++i) seeds += " " + std::to_string(diverged[i]);
    CHECK_MESSAGE(diverged.empty(), "replicas diverged in ", diverged.size(), " of ", ran, " trials; seeds:", seeds,
                  std::string(diverged.size() > 30 ? " ..." : ""));
}

namespace {

// A few replicas on their own files, with fixed ids, and the server's log.
struct Cluster {
    TempDir dir;
    std::deque<LocalStore> stores;  // a deque: add() hands out references that must stay valid
    std::vector<std::vector<Change>> batches;  // as pushed, in order
    std::vector<Change> log;
    int64_t now = kStart;

    LocalStore& add() {
        char id[33];  // 01000...001, 02000...002: easy to tell apart in a report
        std::snprintf(id, sizeof id, "%02zx%030zx", stores.size() + 1, stores.size() + 1);
        stores.push_back(open_replica(dir.file("r" + std::to_string(stores.size()) + ".db"), id));
        return stores.back();
    }
    std::string create(LocalStore& store, const char* type, const json& values) {
        auto id = store.create(type, values, ++now);
        INFO(type, " ", values.dump(), " -> ", id ? std::string("ok") : id.error().to_string());
        REQUIRE(id.ok());
        return *id;
    }
    void update(LocalStore& store, const char* type, const std::string& id, const json& values) {
        auto s = store.update(type, id, values, ++now);
        INFO(type, " ", values.dump(), " -> ", s ? std::string("ok") : s.error().to_string());
        REQUIRE(s.ok());
    }
    // Pushes the whole outbox in batches of at most `max` changes.
    void push(LocalStore& store, size_t max = 3) {
        for (;;) {
            auto b = store.next_batch(max);
            REQUIRE(b.ok());
            if (!*b) return;
            batches.push_back((*b)->changes);
            log.insert(log.end(), (*b)->changes.begin(), (*b)->changes.end());
            REQUIRE(store.ack_batch((*b)->last_seq).ok());
        }
    }
    void pull(LocalStore& store) {
        const int64_t cursor = *store.cursor();
        std::vector<Change> rest(log.begin() + cursor, log.end());
        REQUIRE(store.apply_pulled(rest, static_cast<int64_t>(log.size()), ++now).ok());
    }
    void deliver(LocalStore& store, const std::vector<Change>& changes, int64_t cursor) {
        REQUIRE(store.apply_pulled(changes, cursor, ++now).ok());
    }
};

}  // namespace

TEST_CASE("replayed, duplicated and reordered batches leave the same result") {
    Cluster c;
    LocalStore& a = c.add();
    LocalStore& b = c.add();
    LocalStore& w = c.add();
    // A creates one record of each kind, with values that are easy to mangle on the way.
    const std::string contact = c.create(a, "contact", {{"name", "Ada \"the Countess\" O'Brien"}, {"email", "ada@example.com"},
                                                        {"job_title", "\u05de\u05ea\u05db\u05e0\u05ea \U0001F469\u200D\U0001F4BB"},
                                                        {"tags", {"vip", "Jose\u0301"}}});
    const std::string company = c.create(a, "company", {{"name", "Zebracorn Ltd"}, {"annual_revenue", 1234567.89}, {"currency", "EUR"}});
    const std::string deal = c.create(a, "deal", {{"name", "Zebracorn renewal"}, {"amount", 0.1}, {"currency", "USD"}});
    const std::string note = c.create(a, "activity", {{"kind", "note"}, {"body", exact_length(kMaxLongTextChars)}});
    c.push(a);
    // B and W see them and edit concurrently; A, not having seen their edits, edits too.
    c.pull(b);
    c.pull(w);
    c.update(b, "contact", contact, {{"name", "Ada Lovelace"}, {"email", ""}});
    c.update(w, "contact", contact, {{"email", "countess@example.org"}, {"tags", json::array()}});
    REQUIRE(b.remove("company", company, ++c.now).ok());
    c.update(w, "company", company, {{"annual_revenue", 0.2}});
    c.update(w, "deal", deal, {{"amount", 99999999.99}});
    c.update(a, "activity", note, {{"body", "Zebracorn \u0645\u0631\u062d\u0628\u0627\nsecond line"}});
    c.update(a, "deal", deal, {{"name", "Zebracorn renewal \U0001F680"}});
    c.push(b, 2);
    c.push(w, 1);
    c.push(a, 4);
    REQUIRE(b.restore("company", company, ++c.now).ok());
    c.push(b);
    for (LocalStore* s : {&a, &b, &w}) c.pull(*s);

    // The reference: a new replica pulls the log in one page.
    LocalStore& reference = c.add();
    c.pull(reference);
    CHECK(first_difference({&reference, &a, &b, &w}, c.log) == "");

    LocalStore& reader = c.add();
    const auto end = static_cast<int64_t>(c.log.size());
    SUBCASE("every batch twice") {
        int64_t cursor = 0;
        for (const auto& batch : c.batches) {
            cursor += static_cast<int64_t>(batch.size());
            c.deliver(reader, batch, cursor);
            c.deliver(reader, batch, cursor);
        }
    }
    SUBCASE("the whole log again, then each change again on its own") {
        c.pull(reader);
        c.deliver(reader, c.log, end);
        for (const Change& change : c.log) c.deliver(reader, {change}, end);
    }
    SUBCASE("batches in reverse order") {
        for (size_t i = c.batches.size(); i-- > 0;) c.deliver(reader, c.batches[i], i == 0 ? end : 0);
    }
    SUBCASE("changes shuffled, in pages of one to four, a third of them twice") {
        for (uint64_t seed = 1; seed <= 20; ++seed) {
            CAPTURE(seed);
            LocalStore& shuffled = c.add();
            Rng rng(seed);
            std::vector<Change> changes = c.log;
            for (size_t i = 0; i < c.log.size(); i += 3) changes.push_back(c.log[i]);
            std::shuffle(changes.begin(), changes.end(), rng);
            for (size_t i = 0; i < changes.size();) {
                const size_t n = std::min(changes.size() - i, 1 + below(rng, 4));
                c.deliver(shuffled, std::vector<Change>(changes.begin() + static_cast<ptrdiff_t>(i),
                                                         changes.begin() + static_cast<ptrdiff_t>(i + n)),
                          i + n == changes.size() ? end : 0);
                i += n;
            }
            const std::string difference = first_difference({&reference, &shuffled}, c.log);
            CHECK_MESSAGE(difference.empty(), difference);
            if (!difference.empty()) break;
        }
        c.pull(reader);
    }
    CHECK(first_difference({&reference, &reader}, c.log) == "");
}

// Found by the property test above (seeds 1, 101, 103, ... against the merge before the fix): a
// replica that first heard of a record through a later edit stamped every field of it with that
// edit's clock, so the creation's other fields, arriving afterwards, lost to a change that never
// touched them.
TEST_CASE("an edit that arrives before the record's creation does not hide the creation's other fields") {
    Cluster c;
    LocalStore& a = c.add();
    LocalStore& in_order = c.add();
    LocalStore& edit_first = c.add();
    const std::string id = c.create(a, "contact", {{"name", "Ada"}, {"email", "ada@example.com"}});
    c.update(a, "contact", id, {{"name", "Ada Lovelace"}});
    c.push(a, 1);
    REQUIRE(c.batches.size() == 2);  // the creation (name, email, created_at), then the rename
    const std::vector<Change>& creation = c.batches[0];
    const std::vector<Change>& rename = c.batches[1];

    c.pull(in_order);
    c.deliver(edit_first, rename, 0);
    c.deliver(edit_first, creation, static_cast<int64_t>(c.log.size()));

    auto expected = a.get("contact", id), got = in_order.get("contact", id), late = edit_first.get("contact", id);
    REQUIRE((expected.ok() && got.ok() && late.ok()));
    CHECK((*got)["email"] == "ada@example.com");
    CHECK((*late)["name"] == "Ada Lovelace");
    CHECK((*late)["email"] == "ada@example.com");
    CHECK((*late)["created_at"] == (*expected)["created_at"]);
}


TEST_CASE("history is the same on every replica, whatever order the changes arrive in and however late it joins") {
    Cluster c;
    LocalStore& a = c.add();
    LocalStore& b = c.add();
    const std::string deal = c.create(a, "deal", {{"name", "Renewal"}, {"amount", 100}, {"currency", "USD"}});
    const std::string contact = c.create(a, "contact", {{"name", "Ada"}, {"email", "ada@example.com"}});
    c.push(a);
    const size_t creation_batches = c.batches.size();
    c.pull(b);
    // Both edit while apart, the same fields among others.
    c.update(a, "deal", deal, {{"name", "Renewal 2026"}});
    REQUIRE(a.move_deal(deal, "00000000000000000000000000000103", ++c.now).ok());
    c.update(b, "deal", deal, {{"name", "Renewal (B)"}, {"amount", 250}});
    c.update(b, "contact", contact, {{"job_title", "Countess"}});
    c.update(a, "contact", contact, {{"name", "Ada Lovelace"}, {"email", "ada@lovelace.org"}});
    c.update(a, "contact", contact, {{"name", "Ada King"}});
    c.push(b);
    c.push(a);
    c.pull(a);
    c.pull(b);

    // One that signs in later and pulls everything in one page; one that gets the edits in the
    // reverse order, each batch twice.
    LocalStore& late = c.add();
    c.pull(late);
    LocalStore& reversed = c.add();
    const auto end = static_cast<int64_t>(c.log.size());
    for (size_t i = 0; i < creation_batches; ++i) c.deliver(reversed, c.batches[i], end);
    for (size_t i = c.batches.size(); i-- > creation_batches;) {
        c.deliver(reversed, c.batches[i], end);
        c.deliver(reversed, c.batches[i], end);
    }

    const auto expected = history_rows(a);
    auto show = [](const std::vector<std::string>& rows) {
        std::string out;
        for (const auto& r : rows) out += "\n  " + r;
        return out;
    };
    INFO("on the replica that made most edits:", show(expected));
    INFO("on the other:", show(history_rows(b)));
    INFO("in reverse order:", show(history_rows(reversed)));
    CHECK(expected.size() >= 8);  // 6 edits of fields after creation, and the values they replaced
    CHECK(history_rows(b) == expected);
    CHECK(history_rows(late) == expected);
    CHECK(history_rows(reversed) == expected);

    // The timelines read the same everywhere: both renames of the deal, its move once.
    auto on_a = a.timeline("deal", deal), on_late = late.timeline("deal", deal);
    REQUIRE((on_a.ok() && on_late.ok()));
    auto count = [](const std::vector<TimelineEntry>& t, const char* kind, const char* field) {
        return std::count_if(t.begin(), t.end(), [&](const TimelineEntry& e) { return e.kind == kind && e.field == field; });
    };
    CHECK(count(*on_late, "field", "name") == 2);
    CHECK(count(*on_late, "stage", "stage_id") == 1);
    CHECK(count(*on_late, "field", "stage_id") == 0);
    REQUIRE(on_a->size() == on_late->size());
    for (size_t i = 0; i < on_a->size(); ++i) {
        CHECK((*on_a)[i].kind == (*on_late)[i].kind);
        CHECK((*on_a)[i].old_value == (*on_late)[i].old_value);
        CHECK((*on_a)[i].new_value == (*on_late)[i].new_value);
    }
    // The contact's three changes of name: from its creation's value on, in clock order.
    auto person = late.timeline("contact", contact);
    REQUIRE(person);
    std::vector<std::pair<json, json>> names;
    for (auto it = person->rbegin(); it != person->rend(); ++it)
        if (it->kind == "field" && it->field == "name") names.emplace_back(it->old_value, it->new_value);
    CHECK(names == std::vector<std::pair<json, json>>{{"Ada", "Ada Lovelace"}, {"Ada Lovelace", "Ada King"}});
}

TEST_CASE("a board move shows once in the deal's timeline, and a device's own unsent edits show as its own") {
    Cluster c;
    LocalStore& a = c.add();
    const std::string deal = c.create(a, "deal", {{"name", "Renewal"}});
    REQUIRE(a.move_deal(deal, "00000000000000000000000000000102", ++c.now).ok());
    auto t = a.timeline("deal", deal);
    REQUIRE(t);
    std::vector<const TimelineEntry*> moves;
    for (const auto& e : *t)
        if (e.kind == "stage" || e.field == "stage_id") moves.push_back(&e);
    REQUIRE(moves.size() == 1);
    CHECK(moves[0]->kind == "stage");
    CHECK(moves[0]->old_value == "00000000000000000000000000000101");
    CHECK(moves[0]->new_value == "00000000000000000000000000000102");
    CHECK(moves[0]->unsent);
    CHECK(moves[0]->author.empty());
}

TEST_CASE("a delete and a restore are timeline entries of their own, not changes of a yes/no field") {
    Cluster c;
    LocalStore& a = c.add();
    const std::string contact = c.create(a, "contact", {{"name", "Ada"}});
    REQUIRE(a.remove("contact", contact, ++c.now).ok());
    REQUIRE(a.restore("contact", contact, ++c.now).ok());
    auto t = a.timeline("contact", contact);
    REQUIRE(t);
    std::vector<std::string> kinds;
    for (const auto& e : *t) kinds.push_back(e.kind);  // newest first
    CHECK(kinds == std::vector<std::string>{"restored", "deleted", "created"});
}
