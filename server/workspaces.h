#pragma once
// Every workspace keeps its own log and records in its own store: one SQLite file per
// workspace under <data>/workspaces/, opened on first use. A token for one workspace reaches
// only that workspace's store, so isolation does not depend on every query remembering a WHERE
// clause. An open store costs file descriptors and a merger thread, so at most
// WorkspaceOptions::max_open_stores stay open: opening another closes the least recently used
// one that no request is using. Long-polls (/wait) are counted here too: at most
// max_waits in all and max_waits_per_session per session token.
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "result.h"
#include "snapshot.h"
#include "sync_store.h"

namespace crm {

struct WorkspaceOptions {
    int max_open_stores = 64;       // stores kept open; more are opened while requests use them
    int max_waits = 2048;           // long-polls waiting at once, all workspaces together
    int max_waits_per_session = 4;  // long-polls waiting at once for one session token
};

class WorkspaceStores;

// A long-poll's place (WorkspaceStores::begin_wait); frees it when destroyed.
class WaitSlot {
public:
    WaitSlot() = default;
    WaitSlot(WaitSlot&& o) noexcept : owner_(o.owner_), key_(std::move(o.key_)) { o.owner_ = nullptr; }
    WaitSlot& operator=(WaitSlot&& o) noexcept {
        std::swap(owner_, o.owner_);
        std::swap(key_, o.key_);
        return *this;
    }
    ~WaitSlot();

private:
    friend class WorkspaceStores;
    WaitSlot(WorkspaceStores* owner, std::string key) : owner_(owner), key_(std::move(key)) {}
    WorkspaceStores* owner_ = nullptr;
    std::string key_;
};

class WorkspaceStores {
public:
    explicit WorkspaceStores(std::string folder, WorkspaceOptions options = {}) : folder_(std::move(folder)), options_(options) {}
    ~WorkspaceStores();
    WorkspaceStores(const WorkspaceStores&) = delete;
    WorkspaceStores& operator=(const WorkspaceStores&) = delete;

    // The store of `workspace_id` (32 hex digits), opened or created on first use. It stays
    // open at least while the returned pointer is held.
    Result<std::shared_ptr<SyncStore>> get(const std::string& workspace_id);
    // A place for one long-poll of `session` (any key naming the session), or why there is none:
    // too many waits in all, or for this session. The place is freed when the slot is destroyed.
    enum class WaitRefusal { None, Total, Session };
    WaitRefusal begin_wait(const std::string& session, WaitSlot& slot);
    const WorkspaceOptions& options() const { return options_; }
    // Stores open now (for tests and the log).
    size_t open_stores();
    // A recent snapshot of the workspace for a new device (snapshot.h).
    Result<Snapshot> snapshot(const std::string& workspace_id);
    // Called after a push was accepted: a background thread remakes the workspace's snapshot
    // when the log has grown well past it, so a new device finds one ready instead of waiting
    // seconds for it to be made. It waits until the workspace has had no push for a moment
    // (kSnapshotQuietMs; at most kSnapshotMaxDelayMs), so a bulk import is not slowed by
    // snapshots made and outdated during it. Returns at once.
    void snapshot_soon(const std::string& workspace_id);
    // Wakes every long-poll and makes later waits return at once: the server is stopping.
    void shutdown();

private:
    friend class WaitSlot;
    void end_wait(const std::string& session);
    // Closes least recently used stores no request holds until at most `keep` are open; called
    // with `lock` held, releases it while the stores finish their merge and close.
    void close_idle(std::unique_lock<std::mutex>& lock, size_t keep);

    std::string folder_;
    WorkspaceOptions options_;
    std::mutex mu_;
    struct Open {
        std::shared_ptr<SyncStore> store;
        uint64_t used = 0;  // use_clock_ at the last get()
    };
    std::map<std::string, Open> open_;
    uint64_t use_clock_ = 0;
    std::set<std::string> closing_;      // stores being closed: a get() waits for them
    std::condition_variable closed_;     // with mu_
    std::mutex waits_mu_;
    int waits_ = 0;
    std::map<std::string, int> waits_by_session_;
    std::map<std::string, std::unique_ptr<SnapshotCache>> snapshots_;
    bool stopping_ = false;

    void snapshot_worker();
    std::thread worker_;                // started by the first snapshot_soon()
    std::condition_variable wake_;      // with mu_
    struct Due {
        std::chrono::steady_clock::time_point first, last;  // the first and the latest push since the last check
    };
    std::map<std::string, Due> due_;    // workspaces whose snapshot may be stale
};

inline constexpr int kSnapshotQuietMs = 1500;
inline constexpr int kSnapshotMaxDelayMs = 60000;

}  // namespace crm
