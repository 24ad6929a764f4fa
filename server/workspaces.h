#pragma once
// Every workspace keeps its own log and records in its own store: one SQLite file per
// workspace under <data>/workspaces/, opened on first use and kept open. A token for one
// workspace reaches only that workspace's store, so isolation does not depend on every query
// remembering a WHERE clause.
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

class WorkspaceStores {
public:
    explicit WorkspaceStores(std::string folder) : folder_(std::move(folder)) {}
    ~WorkspaceStores();
    WorkspaceStores(const WorkspaceStores&) = delete;
    WorkspaceStores& operator=(const WorkspaceStores&) = delete;

    // The store of `workspace_id` (32 hex digits), opened or created on first use.
    Result<SyncStore*> get(const std::string& workspace_id);
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
    std::string folder_;
    std::mutex mu_;
    std::map<std::string, std::unique_ptr<SyncStore>> open_;
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
