#pragma once
// The server's storage, behind a small interface: the change log with its sequence numbers,
// the set of batches already applied, and the merged copy of the records. A push is
// acknowledged once its batch is durably in the log; the records catch up in the background. SQLite implements it
// today; a PostgreSQL backend can implement the same interface for several server processes.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "result.h"
#include "sync.h"

namespace crm {

struct PushResult {
    int64_t cursor = 0;     // sequence number of the last change of this batch
    int64_t accepted = 0;   // changes written to the log by this call
    bool duplicate = false; // the batch had been applied before; nothing was written
    bool conflict = false;  // the batch id was applied before with other changes; nothing was written
};

struct LoggedChange {
    int64_t seq = 0;
    Change change;
};

struct PullResult {
    std::vector<LoggedChange> changes;
    int64_t cursor = 0;  // pass as `after` to continue
    bool more = false;   // true when changes beyond `cursor` exist
    int64_t latest = 0;  // the log's last sequence number: a client ahead of it missed a restore
};

class SyncStore {
public:
    virtual ~SyncStore() = default;
    // Appends a batch to the log, all or nothing, and durably before it returns; the merge into
    // the records follows in the background. A batch id seen before with the same changes is
    // acknowledged again without writing anything (`duplicate`); with other changes it is refused
    // (`conflict`), also without writing anything. An empty batch is an error. Waits while the
    // records are too far behind the log.
    virtual Result<PushResult> push(const std::string& batch_id, const std::vector<Change>& changes, int64_t now_ms) = 0;
    // The changes with sequence numbers after `after`, in order: at most `limit`, or more to end
    // the page with a whole edit (a run of the log), never one split over two pages.
    virtual Result<PullResult> pull(int64_t after, int64_t limit) = 0;
    // The log's last sequence number.
    virtual Result<int64_t> latest() = 0;
    // A random id made when the log was created: a client that sees it change knows the log it
    // synced with is gone (a fresh server, or another workspace) and sends everything again.
    virtual std::string epoch() const = 0;
    // Blocks until the log passes `after` or `timeout_ms` passes; returns the last sequence number.
    virtual int64_t wait_for_changes(int64_t after, int64_t timeout_ms) = 0;
    // The log position the records are merged up to (it survives restarts: merging resumes there).
    virtual int64_t merged() = 0;
    // Blocks until the records are merged up to `seq` or `timeout_ms` passes; returns merged().
    virtual int64_t wait_merged(int64_t seq, int64_t timeout_ms) = 0;
    // Wakes every waiter and makes later waits return at once: the server is stopping.
    virtual void shutdown() = 0;
};

// The SQLite backend: one database file (WAL mode) holding the shared schema and the server's
// log (sync_log.h). A log that does not hold the default records yet (a new workspace, or one
// from before the seed was logged) gets them on open, as ordinary changes (seed_changes()), so a
// client that pulls from 0 receives them. Destroying the store finishes the merge first.
Result<std::unique_ptr<SyncStore>> open_sqlite_store(const std::string& path);

}  // namespace crm
