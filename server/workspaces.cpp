#include "workspaces.h"

#include <filesystem>

#include "ids.h"
#include "text.h"

namespace crm {

Result<SyncStore*> WorkspaceStores::get(const std::string& workspace_id) {
    if (!is_valid_id(workspace_id)) return Error{"workspace", "'" + utf8_prefix(workspace_id, 40) + "' is not a workspace id"};
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

void WorkspaceStores::snapshot_soon(const std::string& workspace_id) {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    const auto now = std::chrono::steady_clock::now();
    auto [it, added] = due_.try_emplace(workspace_id, Due{now, now});
    it->second.last = now;
    if (!worker_.joinable()) worker_ = std::thread([this] { snapshot_worker(); });
    // Only a workspace new to the list can be due sooner than what the worker waits for; a later
    // push to one already listed only moves its time on, which the worker sees when it wakes.
    // (Waking it on every push cost each push a thread switch.)
    if (added) wake_.notify_one();
}

void WorkspaceStores::snapshot_worker() {
    using namespace std::chrono;
    std::unique_lock lock(mu_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || !due_.empty(); });
        if (stopping_) return;
        // The workspace that has been quiet the longest; wait while even it is still busy.
        auto ready_at = [](const Due& d) {
            return std::min(d.last + milliseconds(kSnapshotQuietMs), d.first + milliseconds(kSnapshotMaxDelayMs));
        };
        auto next = due_.begin();
        for (auto it = due_.begin(); it != due_.end(); ++it)
            if (ready_at(it->second) < ready_at(next->second)) next = it;
        if (steady_clock::now() < ready_at(next->second)) {
            wake_.wait_until(lock, ready_at(next->second));
            continue;  // a push may have come in meanwhile: look again
        }
        const std::string id = next->first;
        due_.erase(next);
        lock.unlock();
        // Fresh enough: returns at once. Stale: makes a new one (seconds for a large workspace).
        // A failure is not fatal here: a device asking for the snapshot gets the error then.
        (void)snapshot(id);
        lock.lock();
    }
}

void WorkspaceStores::shutdown() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
        for (auto& [id, store] : open_) store->shutdown();
    }
    wake_.notify_all();
}

WorkspaceStores::~WorkspaceStores() {
    shutdown();
    if (worker_.joinable()) worker_.join();  // waits for a snapshot being made to finish
}

}  // namespace crm
