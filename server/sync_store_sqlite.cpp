#include <chrono>
#include <condition_variable>
#include <mutex>

#include "ids.h"

#include "schema.h"
#include "sqlite_db.h"
#include "sync_store.h"

namespace crm {
namespace {

class SqliteStore final : public SyncStore {
public:
    SqliteStore(Db db, std::string epoch, int64_t latest) : db_(std::move(db)), epoch_(std::move(epoch)), latest_(latest) {}

    Result<PushResult> push(const std::string& batch_id, const std::vector<Change>& changes, int64_t now_ms) override {
        std::lock_guard lock(mu_);
        Tx tx(db_);
        if (!tx.begun()) return tx.begun().error();
        auto seen = db_.prepare("SELECT last_seq FROM batches WHERE batch_id = ?1");
        if (!seen) return seen.error();
        seen->bind(1, batch_id);
        auto row = seen->step();
        if (!row) return row.error();
        if (*row) return PushResult{seen->integer(0), 0, true};

        auto insert = db_.prepare(
            "INSERT INTO change_log(record_type, record_id, field, value, hlc, replica, batch_id) VALUES(?1,?2,?3,?4,?5,?6,?7)");
        if (!insert) return insert.error();
        for (const auto& c : changes)
            if (auto s = insert->bind(1, c.record_type).bind(2, c.record_id).bind(3, c.field).bind(4, c.value.dump())
                             .bind(5, c.hlc).bind(6, c.replica).bind(7, batch_id).run(); !s)
                return s.error();
        if (auto r = apply_changes(db_, changes); !r) return r.error();

        auto last = db_.prepare("SELECT coalesce(max(seq), 0) FROM change_log");
        if (!last) return last.error();
        if (auto r = last->step(); !r) return r.error();
        PushResult result{last->integer(0), static_cast<int64_t>(changes.size()), false};
        auto record = db_.prepare("INSERT INTO batches(batch_id, last_seq, received_at) VALUES(?1, ?2, ?3)");
        if (!record) return record.error();
        if (auto s = record->bind(1, batch_id).bind(2, result.cursor).bind(3, now_ms).run(); !s) return s.error();
        if (auto s = tx.commit(); !s) return s.error();
        latest_ = result.cursor;
        changed_.notify_all();
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

    Result<PullResult> pull(int64_t after, int64_t limit) override {
        std::lock_guard lock(mu_);
        auto st = db_.prepare(
            "SELECT seq, record_type, record_id, field, value, hlc, replica FROM change_log "
            "WHERE seq > ?1 ORDER BY seq LIMIT ?2");
        if (!st) return st.error();
        st->bind(1, after).bind(2, limit + 1);
        PullResult out;
        out.cursor = after;
        out.latest = latest_;
        for (;;) {
            auto row = st->step();
            if (!row) return row.error();
            if (!*row) break;
            if (static_cast<int64_t>(out.changes.size()) == limit) {
                out.more = true;
                break;
            }
            auto value = nlohmann::json::parse(st->text(4), nullptr, false);
            if (value.is_discarded()) return Error{"", "change " + std::to_string(st->integer(0)) + " in the log is unreadable"};
            out.changes.push_back({st->integer(0), {st->text(1), st->text(2), st->text(3), std::move(value), st->text(5), st->text(6)}});
            out.cursor = st->integer(0);
        }
        return out;
    }

private:
    std::mutex mu_;  // one connection, one writer: SQLite serializes writers anyway
    std::condition_variable changed_;
    Db db_;
    const std::string epoch_;
    int64_t latest_ = 0;
    bool stopping_ = false;
};

}  // namespace

Result<std::unique_ptr<SyncStore>> open_sqlite_store(const std::string& path) {
    auto db = Db::open(path);
    if (!db) return db.error();
    // WAL lets readers proceed during a write; synchronous=FULL makes an acknowledged batch
    // survive a power cut, not only a crash of this process.
    if (auto s = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"); !s)
        return s.error();
    if (auto v = migrate(*db); !v) return v.error();
    if (auto s = db->exec("INSERT OR IGNORE INTO meta(key, value) VALUES('epoch', '" + new_id() + "')"); !s) return s.error();
    std::string epoch;
    int64_t latest = 0;
    {
        auto st = db->prepare("SELECT (SELECT value FROM meta WHERE key = 'epoch'), (SELECT coalesce(max(seq), 0) FROM change_log)");
        if (!st) return st.error();
        if (auto r = st->step(); !r) return r.error();
        epoch = st->text(0);
        latest = st->integer(1);
    }
    return std::unique_ptr<SyncStore>(new SqliteStore(std::move(*db), std::move(epoch), latest));
}

}  // namespace crm
