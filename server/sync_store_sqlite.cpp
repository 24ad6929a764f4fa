#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <sqlite3.h>

#include "ids.h"

#include "schema.h"
#include "sqlite_db.h"
#include "sync_log.h"
#include "sync_store.h"

namespace crm {
namespace {

// The merge into the records runs behind the log. A push waits while the records are more
// than this many changes behind, so the lag (and the work left when the server stops) stays
// bounded: a few seconds of merging.
constexpr int64_t kMaxUnmerged = 100'000;
// How long a push waits for the merge to catch up before it is answered with an error.
constexpr auto kMaxPushWait = std::chrono::seconds(30);
// Changes merged per transaction (whole edits: a chunk may end one edit later). While pushes are
// coming in (one within kPushesRecent), small: a push that arrives during a chunk waits for the
// write lock until the chunk commits (~1.3 ms for 250 changes, ~2.5 ms for 500); over HTTP, with
// a push every few ms, the larger chunk cost the acknowledged rate a fifth. Otherwise larger,
// since each transaction has a cost of its own: catching up (after a burst, or in a stopping
// server) merged a sixth slower in the small chunks.
constexpr int64_t kMergeChunkBusy = 250;
constexpr int64_t kMergeChunkQuiet = 500;
constexpr auto kPushesRecent = std::chrono::milliseconds(100);
// WAL frames (pages) after which the merger checkpoints the WAL into the database file: SQLite's
// own default for its automatic checkpoint, which both connections have turned off (see
// checkpoint_if_due).
constexpr int kCheckpointFrames = 1000;

class SqliteStore final : public SyncStore {
public:
    SqliteStore(Db db, Db merge_db, std::unique_ptr<SyncLog> log, std::string epoch, int64_t latest, int64_t merged)
        : db_(std::move(db)),
          merge_db_(std::move(merge_db)),
          log_(std::move(log)),
          epoch_(std::move(epoch)),
          latest_(latest),
          published_latest_(latest),
          merged_(merged) {
        // Counts the WAL's frames after each of the merger's commits (instead of checkpointing
        // inside the commit, which is what SQLite's automatic checkpoint does).
        sqlite3_wal_hook(
            merge_db_.handle(),
            [](void* self, sqlite3*, const char*, int frames) {
                static_cast<SqliteStore*>(self)->wal_frames_ = frames;
                return SQLITE_OK;
            },
            this);
        merger_ = std::thread([this] { merge_loop(); });
    }

    ~SqliteStore() override {
        {
            std::lock_guard lock(merge_mu_);
            closing_ = true;
        }
        merge_cv_.notify_all();
        merger_.join();  // after merging everything logged: a stopped server's records are complete
    }

    Result<PushResult> push(const std::string& batch_id, const std::vector<Change>& changes, int64_t now_ms) override {
        {
            std::unique_lock lock(merge_mu_);
            if (!merged_cv_.wait_for(lock, kMaxPushWait, [&] { return published_latest_ - merged_ <= kMaxUnmerged; }))
                return Error{"", "the server is still merging earlier changes into its records; try again shortly"};
        }
        std::lock_guard lock(mu_);
        // Pushes go first: the merger starts no chunk while one waits (see merge_some).
        ++pushing_;
        struct Done {
            std::atomic<int>& n;
            ~Done() { --n; }
        } done{pushing_};
        if (changes.empty()) return Error{"changes", "is empty; a batch holds at least one change"};
        const std::string digest = batch_digest(changes);
        {
            auto seen = db_.cached("SELECT last_seq, digest FROM sync_batches WHERE batch_id = ?1");
            if (!seen) return seen.error();
            (*seen)->bind(1, batch_id);
            auto row = (*seen)->step();
            if (!row) return row.error();
            const int64_t last = *row ? (*seen)->integer(0) : 0;
            // Batches logged before digests were kept have none: taken as the same batch, as before.
            const bool same = !*row || (*seen)->is_null(1) || (*seen)->blob(1) == digest;
            (*seen)->reset();
            if (*row) return PushResult{last, 0, same, !same};
        }
        std::lock_guard write(write_mu_);
        if (auto s = log_->intern(db_, changes); !s) return s.error();
        Tx tx(db_);
        if (!tx.begun()) return tx.begun().error();
        if (auto s = log_->append(db_, changes, latest_ + 1); !s) return s.error();
        PushResult result{latest_ + static_cast<int64_t>(changes.size()), static_cast<int64_t>(changes.size()), false};
        auto record = db_.cached("INSERT INTO sync_batches(batch_id, last_seq, received_at, digest) VALUES(?1, ?2, ?3, ?4)");
        if (!record) return record.error();
        if (auto s = (*record)->bind(1, batch_id).bind(2, result.cursor).bind(3, now_ms).bind_blob(4, digest).run(); !s)
            return s.error();
        if (auto s = tx.commit(); !s) return s.error();
        last_push_ = std::chrono::steady_clock::now().time_since_epoch().count();
        latest_ = result.cursor;
        changed_.notify_all();
        {
            std::lock_guard m(merge_mu_);
            published_latest_ = latest_;
        }
        merge_cv_.notify_all();
        return result;
    }

    Result<int64_t> latest() override {
        std::lock_guard lock(mu_);
        return latest_;
    }

    std::string epoch() const override { return epoch_; }

    int64_t wait_for_changes(int64_t after, int64_t timeout_ms) override {
        std::unique_lock lock(mu_);
        changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return latest_ > after || stopping_; });
        return latest_;
    }

    void shutdown() override {
        std::lock_guard lock(mu_);
        stopping_ = true;
        changed_.notify_all();
    }

    int64_t merged() override {
        std::lock_guard lock(merge_mu_);
        return merged_;
    }

    int64_t wait_merged(int64_t seq, int64_t timeout_ms) override {
        std::unique_lock lock(merge_mu_);
        merged_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return merged_ >= seq; });
        return merged_;
    }

    Result<PullResult> pull(int64_t after, int64_t limit) override {
        std::lock_guard lock(mu_);
        PullResult out;
        out.latest = latest_;
        // Whole runs: an edit's changes reach a client's merge together (see apply_changes).
        if (auto s = log_->read(db_, after, limit, true, out.changes, out.more); !s) return s.error();
        out.cursor = out.changes.empty() ? after : out.changes.back().seq;
        return out;
    }

private:
    // The merger thread: merges what the log holds past merged_ into the records, a chunk per
    // transaction, each recording how far it got, so a restart resumes where a crash left off.
    void merge_loop() {
#if defined(__linux__)
        // Background work: below the threads that answer requests (nice 10, this thread only), so
        // a push's acknowledgement never waits for a core the merge holds.
        setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
#endif
        int failures = 0;
        for (;;) {
            {
                std::unique_lock lock(merge_mu_);
                merge_cv_.wait(lock, [&] { return closing_ || merged_ < published_latest_; });
                if (merged_ >= published_latest_ || (closing_ && failures > 0)) return;
            }
            if (auto s = merge_some(); !s) {
                // Nothing is lost: the log holds the changes, and the next attempt starts again at
                // the last chunk that committed.
                std::fprintf(stderr, "crm-server: merging the log into the records failed: %s\n", s.error().to_string().c_str());
                ++failures;
                std::unique_lock lock(merge_mu_);
                merge_cv_.wait_for(lock, std::chrono::seconds(1), [&] { return closing_; });
            } else {
                failures = 0;
            }
        }
    }

    Status merge_some() {
        int64_t from = 0;
        {
            std::lock_guard lock(merge_mu_);
            from = merged_;
        }
        const bool pushes_coming = std::chrono::steady_clock::now().time_since_epoch().count() - last_push_.load() <
                                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(kPushesRecent).count();
        std::vector<LoggedChange> logged;
        bool more = false;
        if (auto s = log_->read(merge_db_, from, pushes_coming ? kMergeChunkBusy : kMergeChunkQuiet, true, logged, more); !s)
            return s;
        if (logged.empty()) return Error{"", "the log ends before " + std::to_string(from + 1)};
        const int64_t upto = logged.back().seq;
        std::vector<Change> changes;
        changes.reserve(logged.size());
        for (auto& l : logged) changes.push_back(std::move(l.change));
        {
            // Let a waiting push take the write lock first; its answer is what a client waits for.
            for (int spins = 0; pushing_.load() > 0 && spins < 200; ++spins) std::this_thread::sleep_for(std::chrono::microseconds(100));
            std::lock_guard write(write_mu_);
            Tx tx(merge_db_);
            if (!tx.begun()) return tx.begun();
            if (auto r = apply_changes_unindexed(merge_db_, changes); !r) return r.error();
            auto mark = merge_db_.cached("INSERT OR REPLACE INTO meta(key, value) VALUES('merged_seq', ?1)");
            if (!mark) return mark.error();
            if (auto s = (*mark)->bind(1, std::to_string(upto)).run(); !s) return s;
            if (auto s = tx.commit(); !s) return s;
        }
        {
            std::lock_guard lock(merge_mu_);
            merged_ = upto;
        }
        merged_cv_.notify_all();
        if (pushes_coming)
            if (auto s = sync_wal(); !s) return s;
        return checkpoint_if_due();
    }

    // Syncs the WAL file now, outside the write lock. The merger commits without a sync of its
    // own (synchronous=NORMAL: the log is the durable copy), so its frames, several hundred KB a
    // chunk, would otherwise be written to disk by the next push's sync, which the push's client
    // waits for; synced here, they are on disk before that push (or most of the way there).
    // Durability does not depend on it: every push still syncs the WAL when it commits. Only
    // while pushes are coming in: otherwise it only slows the catching up.
    Status sync_wal() {
        sqlite3_file* wal = nullptr;
        if (sqlite3_file_control(merge_db_.handle(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) != SQLITE_OK || !wal ||
            !wal->pMethods)
            return ok();  // no WAL open on this connection: nothing of ours to sync
        if (wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL) != SQLITE_OK) return Error{"", "syncing the WAL failed"};
        return ok();
    }

    // Copies the WAL back into the database file once it has grown past kCheckpointFrames. SQLite
    // would do this inside whichever commit crossed the mark: a push's, which then answered
    // several ms later (writing the pages back and syncing the file), or a merge chunk's, during
    // which every push waits for the write lock. Here it runs on the merger thread after the
    // chunk has let go of the write lock. PASSIVE waits for no one: pushes keep appending to the
    // WAL while it copies (SQLite allows one checkpointer beside the writer and the readers), and
    // frames it could not reach are taken by the next one.
    Status checkpoint_if_due() {
        if (wal_frames_ < kCheckpointFrames) return ok();
        wal_frames_ = 0;
        int logged = 0, copied = 0;
        const int rc = sqlite3_wal_checkpoint_v2(merge_db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &logged, &copied);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) return Error{"", "checkpointing the WAL failed: " + merge_db_.last_error()};
        return ok();
    }

    // Lock order: mu_, then write_mu_, then merge_mu_.
    std::mutex mu_;  // db_ (pushes and pulls), latest_, stopping_
    std::condition_variable changed_;
    std::mutex write_mu_;  // one write transaction at a time across both connections
    std::mutex merge_mu_;  // merged_, published_latest_, closing_
    std::condition_variable merge_cv_, merged_cv_;
    Db db_;
    Db merge_db_;  // the merger's own connection: pulls read the log while it writes records
    std::unique_ptr<SyncLog> log_;
    const std::string epoch_;
    int64_t latest_ = 0;
    bool stopping_ = false;
    int64_t published_latest_ = 0;  // latest_, for the merger (under merge_mu_)
    int64_t merged_ = 0;
    bool closing_ = false;
    std::atomic<int> pushing_{0};  // pushes inside push(): the merger yields to them
    std::atomic<std::chrono::steady_clock::rep> last_push_{0};  // when the last push committed (steady clock)
    int wal_frames_ = 0;  // frames in the WAL after the merger's last commit (merger thread only)
    std::thread merger_;
};

Result<int64_t> meta_int(Db& db, const char* key) {
    auto st = db.prepare("SELECT value FROM meta WHERE key = ?1");
    if (!st) return st.error();
    st->bind(1, std::string_view(key));
    auto row = st->step();
    if (!row) return row.error();
    return *row ? std::stoll(st->text(0)) : int64_t{0};
}

// Appends the records every workspace starts with (the default pipeline and its stages) to the
// log once, as ordinary changes: every replica seeds the same changes locally (same ids, the
// oldest clock, the reserved replica 000...0), so pulling them changes nothing there, while a
// client that pulls from 0 without seeding receives every record a deal can point at. A
// workspace whose log began before this gets them on its next open, after its other changes;
// their clock is the oldest, so they never win over an edit.
Status log_seed(Db& db, SyncLog& log) {
    constexpr const char* kSeedKey = "seed_logged";
    {
        auto st = db.prepare("SELECT 1 FROM meta WHERE key = ?1");
        if (!st) return st.error();
        st->bind(1, std::string_view(kSeedKey));
        auto row = st->step();
        if (!row) return row.error();
        if (*row) return ok();
    }
    const std::vector<Change> seed = seed_changes();
    if (auto s = log.intern(db, seed); !s) return s;
    Tx tx(db);
    if (!tx.begun()) return tx.begun();
    auto last = SyncLog::last_seq(db);
    if (!last) return last.error();
    if (auto s = log.append(db, seed, *last + 1); !s) return s;
    auto mark = db.prepare("INSERT INTO meta(key, value) VALUES(?1, '1')");
    if (!mark) return mark.error();
    if (auto s = mark->bind(1, std::string_view(kSeedKey)).run(); !s) return s;
    return tx.commit();
}

}  // namespace

Result<std::unique_ptr<SyncStore>> open_sqlite_store(const std::string& path) {
    auto db = Db::open(path);
    if (!db) return db.error();
    // WAL lets readers proceed during a write; synchronous=FULL makes an acknowledged batch
    // survive a power cut, not only a crash of this process.
    if (auto s = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"); !s)
        return s.error();
    if (auto v = migrate(*db); !v) return v.error();
    auto moved = migrate_log(*db);
    if (!moved) return Error{"", "moving the change log to its compact layout failed: " + moved.error().to_string()};
    if (*moved > 0)  // the old layout's pages are free now: give them back
        if (auto s = db->exec("VACUUM"); !s) return s.error();
    if (auto s = db->exec("INSERT OR IGNORE INTO meta(key, value) VALUES('epoch', '" + new_id() + "')"); !s) return s.error();
    std::string epoch;
    {
        auto st = db->prepare("SELECT value FROM meta WHERE key = 'epoch'");
        if (!st) return st.error();
        if (auto r = st->step(); !r) return r.error();
        epoch = st->text(0);
    }
    auto log = std::make_unique<SyncLog>();
    if (auto s = log->load(*db); !s) return s.error();
    if (auto s = log_seed(*db, *log); !s) return Error{"", "writing the default records into the log failed: " + s.error().to_string()};
    auto latest = SyncLog::last_seq(*db);
    if (!latest) return latest.error();
    auto merged = meta_int(*db, "merged_seq");
    if (!merged) return merged.error();
    // From here on, no automatic checkpoint on either connection: the merger checkpoints outside
    // the write lock (SqliteStore::checkpoint_if_due), so no push pays for one.
    if (auto s = db->exec("PRAGMA wal_autocheckpoint=0;"); !s) return s.error();
    // The merger's connection: its commits need no sync of their own (the log is the durable
    // copy, and the next push's sync covers them; the merger syncs the WAL after its commit while
    // pushes come in, only to spare them that, see sync_wal); a bigger cache for the record
    // tables' indexes.
    auto merge_db = Db::open(path);
    if (!merge_db) return merge_db.error();
    if (auto s = merge_db->exec("PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA cache_size=-32768;"); !s)
        return s.error();
    return std::unique_ptr<SyncStore>(
        new SqliteStore(std::move(*db), std::move(*merge_db), std::move(log), std::move(epoch), *latest, *merged));
}

}  // namespace crm
