#include "workspaces.h"

#include <filesystem>

#include "ids.h"

namespace crm {

Result<SyncStore*> WorkspaceStores::get(const std::string& workspace_id) {
    if (!is_valid_id(workspace_id)) return Error{"workspace", "'" + workspace_id.substr(0, 40) + "' is not a workspace id"};
    std::lock_guard lock(mu_);
    auto it = open_.find(workspace_id);
    if (it != open_.end()) return it->second.get();
    std::error_code ec;
    std::filesystem::create_directories(folder_, ec);
    if (ec) return Error{"", "cannot create the folder " + folder_ + ": " + ec.message()};
    auto store = open_sqlite_store(folder_ + "/" + workspace_id + ".db");
    if (!store) return store.error();
    if (stopping_) (*store)->shutdown();
    SyncStore* raw = store->get();
    open_.emplace(workspace_id, std::move(*store));
    return raw;
}

Result<Snapshot> WorkspaceStores::snapshot(const std::string& workspace_id) {
    auto store = get(workspace_id);
    if (!store) return store.error();
    auto latest = (*store)->latest();
    if (!latest) return latest.error();
    SnapshotCache* cache = nullptr;
    {
        std::lock_guard lock(mu_);
        auto& slot = snapshots_[workspace_id];
        if (!slot) slot = std::make_unique<SnapshotCache>(folder_ + "/" + workspace_id + ".db", folder_ + "/snapshots/" + workspace_id);
        cache = slot.get();
    }
    return cache->get(*latest);  // outside mu_: making one takes seconds for a large workspace
}

void WorkspaceStores::shutdown() {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [id, store] : open_) store->shutdown();
}

}  // namespace crm
