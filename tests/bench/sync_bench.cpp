// crm-bench-sync: the sync server's half of ./crm bench. Prints one JSON object.
//
//   crm-bench-sync ingest WORKDIR [RUNS] [BATCHES]
//       Changes accepted per second for batches of 1,000 generated contact changes (creates),
//       three ways, each on a fresh database, RUNS times (default 5), BATCHES batches a run
//       (default 100): end to end over HTTP to a real crm-server process (keep-alive and
//       TCP_NODELAY, as a browser), through SyncStore in this process, and, as the baseline, plain
//       batched SQLite inserts of the same rows into a table with the earlier change log's
//       columns (WAL, synchronous=FULL, one transaction and one prepared INSERT per batch).
//       A push is acknowledged once logged and merged into the records in the background, so
//       each way is also timed until the records have caught up ("merged": for HTTP, until the
//       server, told to stop, has finished merging and exited). Ratios are taken per run, then
//       the median. Also times the steps of a push on their own.
//   crm-bench-sync read WORKDIR [ROUNDS] [BATCHES]
//       Milliseconds to read one 1,000-change push body (the quick reader alone, without
//       check_change; the general JSON parser; a plain copy of the body, for scale), the median
//       over ROUNDS (default 20) passes over BATCHES bodies (default 100).
//   crm-bench-sync storage WORKDIR [CONTACTS] [EDITS]
//       Ingests CONTACTS generated contacts (default 100,000) and EDITS edits (default 20,000)
//       through SyncStore, then measures the bytes the change log (+ interned names and batch
//       ids) takes next to the records (+ their indexes; the server keeps no search index).
//
// The generated replicas are kept in WORKDIR (the same seed gives the same records), so only the
// first run pays for generating them.
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../server/server_process.h"
#include "push_body.h"
#include "generator.h"
#include "local_store.h"
#include "records.h"
#include "schema.h"
#include "sqlite_db.h"
#include "sync.h"
#include "sync_store.h"

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "crm-bench-sync: %s\n", what.c_str());
    std::printf("%s\n", json{{"error", what}}.dump().c_str());
    std::exit(1);
}

template <class T>
T must(crm::Result<T> r, const char* what) {
    if (!r) die(std::string(what) + ": " + r.error().to_string());
    return std::move(*r);
}
void must(const crm::Status& s, const char* what) {
    if (!s) die(std::string(what) + ": " + s.error().to_string());
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Batch {
    std::string id;
    std::vector<crm::Change> changes;
};

// A fresh folder under the work dir, emptied first.
std::string fresh_dir(const std::string& work, const std::string& name) {
    const fs::path p = fs::path(work) / name;
    fs::remove_all(p);
    fs::create_directories(p);
    return p.string();
}

// A replica holding `contacts` generated contacts (and no companies), written through the
// store's ordinary write path, then `edits` edits of one to three fields of random contacts; every
// change still in its outbox. Made once per (contacts, edits) and kept in the work dir: the same
// seed always gives the same records.
std::string generated_replica(const std::string& work, int64_t contacts, int64_t edits) {
    const std::string path =
        work + "/generated-seed7-" + std::to_string(contacts) + "-" + std::to_string(edits) + ".db";
    if (fs::exists(path)) return path;
    const std::string making = path + ".making";
    fs::remove(making);
    {
        auto store = must(crm::LocalStore::open(making), "opening the generating replica");
        must(store.db().exec("PRAGMA synchronous = OFF"), "pragma");
        crm::GeneratorSpec spec;
        spec.seed = 7;
        spec.contacts = contacts;
        must(crm::generate(store, spec), "generating contacts");
        std::vector<std::string> ids;
        auto st = must(store.db().prepare("SELECT id FROM contacts ORDER BY id"), "listing contacts");
        while (must(st.step(), "listing contacts")) ids.push_back(st.text(0));
        std::mt19937_64 rng(11);
        static const char* titles[] = {"Head of Operations", "CFO", "Account Executive", "Engineer", ""};
        static const char* owners[] = {"sam@example.com", "alex@example.com", "kim@example.com"};
        int64_t now = spec.now_ms + 86'400'000;
        // A thousand edits per transaction: each its own write with its own stamp and outbox row,
        // without a commit (and a search index flush) per edit, which only slows the set-up.
        for (int64_t i = 0; i < edits;) {
            crm::Edit edit(store, now += 1000);
            for (int64_t k = 0; k < 1000 && i < edits; ++k, ++i) {
                json v = json::object();
                const auto pick = rng() % 7;
                if (pick & 1) v["job_title"] = titles[rng() % std::size(titles)];
                if (pick & 2) v["owner"] = owners[rng() % std::size(owners)];
                if (pick & 4 || v.empty()) v["tags"] = json::array({"edited", "wave-" + std::to_string(rng() % 5)});
                must(edit.update("contact", ids[rng() % ids.size()], v), "editing a contact");
            }
            must(edit.commit(), "committing edits");
        }
    }
    fs::rename(making, path);
    return path;
}

// Every change of a generated replica's outbox, in order, cut into batches of `batch_size`
// changes whose ids look like the real client's (replica id and outbox range).
std::vector<Batch> generated_batches(const std::string& work, int64_t contacts, int64_t edits, size_t batch_size) {
    const std::string copy = work + "/reading.db";  // reading the outbox empties it: read a copy
    fs::copy_file(generated_replica(work, contacts, edits), copy, fs::copy_options::overwrite_existing);
    std::vector<crm::Change> all;
    std::string replica;
    {
        auto store = must(crm::LocalStore::open(copy), "opening the generated replica");
        must(store.db().exec("PRAGMA synchronous = OFF"), "pragma");
        replica = store.replica_id();
        for (;;) {
            auto b = must(store.next_batch(crm::kMaxBatchChanges), "reading the outbox");
            if (!b) break;
            all.insert(all.end(), std::make_move_iterator(b->changes.begin()),
                       std::make_move_iterator(b->changes.end()));
            must(store.ack_batch(b->last_seq), "acknowledging");
        }
    }
    fs::remove(copy);
    std::vector<Batch> out;
    for (size_t at = 0; at < all.size(); at += batch_size) {
        Batch b;
        const size_t end = std::min(all.size(), at + batch_size);
        b.id = replica + "-" + std::to_string(at + 1) + "-" + std::to_string(end);
        b.changes.assign(all.begin() + static_cast<long>(at), all.begin() + static_cast<long>(end));
        out.push_back(std::move(b));
    }
    return out;
}

int64_t count_changes(const std::vector<Batch>& batches) {
    int64_t n = 0;
    for (const auto& b : batches) n += static_cast<int64_t>(b.changes.size());
    return n;
}

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// ---- ingest -------------------------------------------------------------------------------------

// The baseline: the same rows, plain inserts into a table with the change log's columns.
double plain_sqlite_seconds(const std::string& dir, const std::vector<Batch>& batches) {
    auto db = must(crm::Db::open(dir + "/plain.db"), "opening the plain database");
    must(db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"), "pragmas");
    must(db.exec("CREATE TABLE change_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, record_type TEXT NOT NULL, "
                 "record_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, hlc TEXT NOT NULL, "
                 "replica TEXT NOT NULL, batch_id TEXT NOT NULL)"),
         "creating the table");
    // The values as the log stores them, made before the clock starts: only SQLite is timed.
    std::vector<std::vector<std::string>> values;
    for (const auto& b : batches) {
        values.emplace_back();
        for (const auto& c : b.changes) values.back().push_back(c.value.dump());
    }
    auto insert =
        must(db.prepare("INSERT INTO change_log(record_type, record_id, field, value, hlc, replica, batch_id) "
                        "VALUES(?1,?2,?3,?4,?5,?6,?7)"),
             "preparing the insert");
    const auto start = Clock::now();
    for (size_t i = 0; i < batches.size(); ++i) {
        crm::Tx tx(db);
        must(tx.begun(), "begin");
        const auto& b = batches[i];
        for (size_t k = 0; k < b.changes.size(); ++k) {
            const auto& c = b.changes[k];
            must(insert.bind(1, c.record_type)
                     .bind(2, c.record_id)
                     .bind(3, c.field)
                     .bind(4, values[i][k])
                     .bind(5, c.hlc)
                     .bind(6, c.replica)
                     .bind(7, b.id)
                     .run(),
                 "insert");
        }
        must(tx.commit(), "commit");
    }
    return seconds_since(start);
}

struct Timed {
    double acknowledged_s = 0;  // until the last push was answered
    double merged_s = 0;        // until the records had caught up with the log
};

Timed store_seconds(const std::string& dir, const std::vector<Batch>& batches) {
    auto store = must(crm::open_sqlite_store(dir + "/store.db"), "opening the store");
    const auto start = Clock::now();
    int64_t last = 0;
    for (const auto& b : batches) {
        auto r = must(store->push(b.id, b.changes, now_ms()), "push");
        if (r.duplicate || r.accepted != static_cast<int64_t>(b.changes.size()))
            die("the store did not take batch " + b.id);
        last = r.cursor;
    }
    Timed t;
    t.acknowledged_s = seconds_since(start);
    if (store->wait_merged(last, 600'000) < last) die("the merge did not catch up");
    t.merged_s = seconds_since(start);
    return t;
}

// The steps of a push on their own, per batch: reading the body (the quick reader, and the
// general JSON parser for comparison) with every change checked, and the background merge of
// a batch into the records (one transaction, as the merger commits it).
json push_splits(const std::string& dir, const std::vector<Batch>& batches) {
    std::vector<std::string> bodies;
    for (const auto& b : batches) {
        json changes = json::array();
        for (const auto& c : b.changes) changes.push_back(c.to_json());
        bodies.push_back(json{{"batch_id", b.id}, {"changes", std::move(changes)}}.dump());
    }
    double quick = 0, general = 0;
    auto t = Clock::now();
    for (const auto& body : bodies) {
        auto p = crm::read_push_body(body);
        if (!p) die("the quick reader refused a body");
        for (const auto& c : p->changes) must(crm::check_change(c), "check");
    }
    quick = seconds_since(t);
    t = Clock::now();
    for (const auto& body : bodies) must(crm::parse_changes(json::parse(body)["changes"]), "parse");
    general = seconds_since(t);

    auto db = must(crm::Db::open(dir + "/split.db"), "opening the split database");
    must(db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32768;"), "pragmas");
    must(crm::migrate(db), "migrating");
    double merge = 0;
    for (const auto& b : batches) {
        t = Clock::now();
        crm::Tx tx(db);
        must(tx.begun(), "begin");
        must(crm::apply_changes_unindexed(db, b.changes), "merge");
        must(tx.commit(), "commit");
        merge += seconds_since(t);
    }
    return {{"read_quick_s", quick}, {"read_general_s", general}, {"merge_s", merge}};
}

Timed http_seconds(const std::string& dir, const std::string& web, const std::vector<Batch>& batches) {
    ServerProcess server(dir + "/data", web);
    httplib::Client cli("127.0.0.1", server.port);
    cli.set_keep_alive(true);
    // Browsers send every request with TCP_NODELAY; without it the body's last segment waits for
    // the server's delayed ACK.
    cli.set_tcp_nodelay(true);
    cli.set_read_timeout(60, 0);
    auto up = cli.Post(
        "/api/v1/auth/signup",
        json{{"email", "bench@example.com"}, {"password", "correct horse battery"}, {"workspace_name", "Bench"}}.dump(),
        "application/json");
    if (!up || up->status != 201) die("sign-up failed: " + (up ? up->body : httplib::to_string(up.error())));
    cli.set_bearer_token_auth(json::parse(up->body)["token"].get<std::string>());
    // Bodies made before the clock starts: the client's JSON is not the server's cost.
    std::vector<std::string> bodies;
    for (const auto& b : batches) {
        json changes = json::array();
        for (const auto& c : b.changes) changes.push_back(c.to_json());
        bodies.push_back(json{{"batch_id", b.id}, {"changes", std::move(changes)}}.dump());
    }
    const auto start = Clock::now();
    for (size_t i = 0; i < bodies.size(); ++i) {
        auto r = cli.Post("/api/v1/push", bodies[i], "application/json");
        if (!r || r->status != 200) die("push failed: " + (r ? r->body : httplib::to_string(r.error())));
    }
    Timed t;
    t.acknowledged_s = seconds_since(start);
    // A stopping server finishes merging before it exits (give it time on a loaded machine). The
    // connection is closed first: the server would otherwise wait out its keep-alive (5 s).
    cli.stop();
    if (server.stop(300'000) != 0) die("the server did not stop cleanly");
    t.merged_s = seconds_since(start);
    return t;
}

json ingest(const std::string& work, int runs, int64_t batch_count) {
    // Generated contacts average about 13 fields each; enough of them for the batches asked for.
    auto batches = generated_batches(work, batch_count * 1000 / 12 + 100, 0, 1000);
    if (static_cast<int64_t>(batches.size()) < batch_count) die("generated too few changes");
    batches.resize(static_cast<size_t>(batch_count));
    const double changes = static_cast<double>(count_changes(batches));
    const std::string web = fresh_dir(work, "web");
    std::ofstream(web + "/index.html") << "<!doctype html><title>CRM</title>";

    std::vector<double> plain, store, http, store_merged, http_merged, quick, general, merge;
    for (int run = 0; run < runs; ++run) {
        // A different order each run, so a slow spell of the machine does not always hit one.
        std::vector<std::function<void()>> steps = {
            [&] { plain.push_back(changes / plain_sqlite_seconds(fresh_dir(work, "plain"), batches)); },
            [&] {
                Timed t = store_seconds(fresh_dir(work, "store"), batches);
                store.push_back(changes / t.acknowledged_s);
                store_merged.push_back(changes / t.merged_s);
            },
            [&] {
                Timed t = http_seconds(fresh_dir(work, "http"), web, batches);
                http.push_back(changes / t.acknowledged_s);
                http_merged.push_back(changes / t.merged_s);
            },
            [&] {
                json s = push_splits(fresh_dir(work, "split"), batches);
                quick.push_back(s["read_quick_s"]);
                general.push_back(s["read_general_s"]);
                merge.push_back(s["merge_s"]);
            }};
        std::rotate(steps.begin(), steps.begin() + run % static_cast<int>(steps.size()), steps.end());
        for (auto& step : steps) step();
    }
    for (const char* d : {"plain", "store", "http", "split", "web"}) fs::remove_all(fs::path(work) / d);
    // Ratios per run (each run's figures were measured minutes apart at most), then medians.
    std::vector<double> store_ratio, http_ratio, store_merged_ratio, http_merged_ratio;
    for (int run = 0; run < runs; ++run) {
        store_ratio.push_back(store[run] / plain[run]);
        http_ratio.push_back(http[run] / plain[run]);
        store_merged_ratio.push_back(store_merged[run] / plain[run]);
        http_merged_ratio.push_back(http_merged[run] / plain[run]);
    }
    const double per_batch_ms = 1000.0 / static_cast<double>(batch_count);
    return {{"runs", runs},
            {"batches", batch_count},
            {"changes_per_run", changes},
            {"plain_changes_per_s", median(plain)},
            {"store_changes_per_s", median(store)},
            {"http_changes_per_s", median(http)},
            {"store_over_plain", median(store_ratio)},
            {"http_over_plain", median(http_ratio)},
            {"store_merged_changes_per_s", median(store_merged)},
            {"http_merged_changes_per_s", median(http_merged)},
            {"store_merged_over_plain", median(store_merged_ratio)},
            {"http_merged_over_plain", median(http_merged_ratio)},
            {"all",
             {{"plain", plain}, {"store", store}, {"http", http}, {"store_merged", store_merged}, {"http_merged", http_merged}}},
            {"push_steps_ms_per_batch",
             {{"read_quick", median(quick) * per_batch_ms},
              {"read_general", median(general) * per_batch_ms},
              {"merge", median(merge) * per_batch_ms}}}};
}

// The push-body reader on its own, body by body, so that a median is taken over many reads.
json read_bodies(const std::string& work, int rounds, int64_t batch_count) {
    auto batches = generated_batches(work, batch_count * 1000 / 12 + 100, 0, 1000);
    if (static_cast<int64_t>(batches.size()) < batch_count) die("generated too few changes");
    batches.resize(static_cast<size_t>(batch_count));
    std::vector<std::string> bodies;
    size_t bytes = 0;
    for (const auto& b : batches) {
        json changes = json::array();
        for (const auto& c : b.changes) changes.push_back(c.to_json());
        bodies.push_back(json{{"batch_id", b.id}, {"changes", std::move(changes)}}.dump());
        bytes += bodies.back().size();
    }
    std::vector<double> quick, general, copy;
    size_t sink = 0;
    for (int round = 0; round < rounds; ++round)
        for (const auto& body : bodies) {
            auto t = Clock::now();
            auto p = crm::read_push_body(body);
            quick.push_back(seconds_since(t) * 1000);
            if (!p || p->changes.size() != 1000) die("the quick reader refused a body");
            t = Clock::now();
            json j = json::parse(body);
            general.push_back(seconds_since(t) * 1000);
            sink += j.size();
            t = Clock::now();
            std::string c(body);
            copy.push_back(seconds_since(t) * 1000);
            sink += c.size();
        }
    return {{"bodies", bodies.size()},
            {"rounds", rounds},
            {"mean_body_bytes", bytes / bodies.size()},
            {"ms_per_body_median", {{"read_quick", median(quick)}, {"parse_general", median(general)}, {"copy", median(copy)}}},
            {"sink", sink}};
}

// ---- storage ------------------------------------------------------------------------------------

int64_t scalar(crm::Db& db, const std::string& sql) {
    auto st = must(db.prepare(sql), "query");
    must(st.step(), "query");
    return st.integer(0);
}

// Bytes of a database once compacted: a copy written by VACUUM INTO, with `drop` run on it first.
int64_t compacted_bytes(const std::string& path, const std::string& work, const std::string& drop) {
    const std::string copy = work + "/measure.db";
    fs::remove(copy);
    {
        auto db = must(crm::Db::open(path), "opening the store file");
        must(db.exec("VACUUM INTO '" + copy + "'"), "vacuum into");
    }
    if (!drop.empty()) {
        auto db = must(crm::Db::open(copy), "opening the copy");
        must(db.exec(drop), "dropping tables");
        must(db.exec("VACUUM"), "vacuum");
    }
    auto db = must(crm::Db::open(copy), "opening the copy");
    const int64_t bytes = scalar(db, "PRAGMA page_count") * scalar(db, "PRAGMA page_size");
    fs::remove(copy);
    return bytes;
}

json storage(const std::string& work, int64_t contacts, int64_t edits) {
    const auto t0 = Clock::now();
    auto batches = generated_batches(work, contacts, edits, 1000);
    const double generate_s = seconds_since(t0);  // much less once the generated replica is kept
    const std::string dir = fresh_dir(work, "storage");
    const std::string path = dir + "/workspace.db";
    const auto t1 = Clock::now();
    {
        auto store = must(crm::open_sqlite_store(path), "opening the store");
        for (const auto& b : batches) must(store->push(b.id, b.changes, now_ms()), "push");
    }
    const double ingest_s = seconds_since(t1);

    std::vector<std::string> record_tables;
    for (const auto& spec : crm::record_specs()) record_tables.push_back(spec.table);
    const std::string log_tables = "'sync_log', 'sync_names', 'sync_batches', 'change_log', 'batches'";
    std::string drop_records,
        drop_log = "DROP TABLE sync_log; DROP TABLE sync_names; DROP TABLE sync_batches; DROP TABLE change_log; DROP TABLE batches;";
    for (const auto& t : record_tables) drop_records += "DROP TABLE " + t + ";";  // drops their indexes too
    drop_records += "DROP TABLE search_index; DROP TABLE search_docs;";

    json out = {{"contacts", contacts},
                {"edits", edits},
                {"changes", count_changes(batches)},
                {"batches", batches.size()},
                {"generate_s", generate_s},
                {"ingest_s", ingest_s},
                {"file_bytes", fs::file_size(path)}};
    auto db = must(crm::Db::open(path), "opening the store file");
    out["log_rows"] = scalar(db, "SELECT count(*) FROM sync_log");
    out["log_changes"] = scalar(db, "SELECT coalesce(max(last_seq), 0) FROM sync_log");
    out["contact_rows"] = scalar(db, "SELECT count(*) FROM contacts");
    out["history_rows"] = scalar(db, "SELECT count(*) FROM history");
    // dbstat gives every table's and index's bytes when SQLite is built with it.
    if (db.prepare("SELECT 1 FROM dbstat LIMIT 1").ok()) {
        out["method"] = "dbstat";
        auto bytes_of = [&](const std::string& where) {
            return scalar(
                db, "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN (SELECT name FROM sqlite_schema WHERE " +
                        where + ")");
        };
        std::string in_records = "'search_docs'";
        for (const auto& t : record_tables) in_records += ",'" + t + "'";
        out["log_bytes"] = bytes_of("tbl_name IN (" + log_tables + ")");
        out["record_bytes"] = bytes_of("tbl_name IN (" + in_records + ") OR tbl_name LIKE 'search_index%'");
        out["other_bytes"] = bytes_of("1") - out["log_bytes"].get<int64_t>() - out["record_bytes"].get<int64_t>();
    } else {
        // Without dbstat (this build's SQLite lacks SQLITE_ENABLE_DBSTAT_VTAB): compact copies of
        // the file with the log, or the records, dropped; the difference is what they take.
        out["method"] = "VACUUM INTO copies with the log / the records dropped (no dbstat in this SQLite build)";
        const int64_t whole = compacted_bytes(path, dir, "");
        const int64_t without_log = compacted_bytes(path, dir, drop_log);
        out["compacted_bytes"] = whole;
        out["log_bytes"] = whole - without_log;
        out["record_bytes"] = whole - compacted_bytes(path, dir, drop_records);
        // The rest: history, meta.
        out["other_bytes"] = whole - out["log_bytes"].get<int64_t>() - out["record_bytes"].get<int64_t>();
    }
    out["log_over_records"] = out["log_bytes"].get<double>() / out["record_bytes"].get<double>();
    out["log_bytes_per_change"] = out["log_bytes"].get<double>() / out["log_changes"].get<double>();
    fs::remove_all(dir);
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string cmd = argc > 1 ? argv[1] : "";
    json out;
    if (cmd == "ingest" && argc >= 3) {
        fs::create_directories(argv[2]);
        out = ingest(argv[2], argc > 3 ? std::stoi(argv[3]) : 5, argc > 4 ? std::stoll(argv[4]) : 100);
    } else if (cmd == "read" && argc >= 3) {
        fs::create_directories(argv[2]);
        out = read_bodies(argv[2], argc > 3 ? std::stoi(argv[3]) : 20, argc > 4 ? std::stoll(argv[4]) : 100);
    } else if (cmd == "storage" && argc >= 3) {
        fs::create_directories(argv[2]);
        out = storage(argv[2], argc > 3 ? std::stoll(argv[3]) : 100000, argc > 4 ? std::stoll(argv[4]) : 20000);
    } else {
        std::fprintf(stderr,
                     "usage: crm-bench-sync ingest WORKDIR [RUNS] [BATCHES] | read WORKDIR [ROUNDS] [BATCHES] | storage WORKDIR [CONTACTS] [EDITS]\n");
        return 2;
    }
    std::printf("%s\n", out.dump().c_str());
    return 0;
}
