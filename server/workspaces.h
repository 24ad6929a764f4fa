#pragma once
// Every workspace keeps its own log and records in its own store: one SQLite file per
// workspace under <data>/workspaces/, opened on first use and kept open. A token for one
// workspace reaches only that workspace's store, so isolation does not depend on every query
// remembering a WHERE clause.
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "result.h"
#include "snapshot.h"
#include "sync_store.h"

namespace crm {

class WorkspaceStores {
public:
    explicit WorkspaceStores(std::string folder) : folder_(std::move(folder)) {}

    // The store of `workspace_id` (32 hex digits), opened or created on first use.
    Result<SyncStore*> get(const std::string& workspace_id);
    // A recent snapshot of the workspace for a new device (snapshot.h).
    Result<Snapshot> snapshot(const std::string& workspace_id);
    // Wakes every long-poll and makes later waits return at once: the server is stopping.
    void shutdown();

private:
    std::string folder_;
    std::mutex mu_;
    std::map<std::string, std::unique_ptr<SyncStore>> open_;
    std::map<std::string, std::unique_ptr<SnapshotCache>> snapshots_;
    bool stopping_ = false;
};

}  // namespace crm
