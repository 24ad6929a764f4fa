#include "workspaces.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "ids.h"
#include "text.h"

namespace crm {

Result<std::shared_ptr<SyncStore>> WorkspaceStores::get(const std::string& workspace_id) {
    if (!is_valid_id(workspace_id)) return Error{"workspace", "'" + utf8_prefix(workspace_id, 40) + "' is not a workspace id"};
    std::unique_lock lock(mu_);
    // A store being closed finishes its merge first; opening it again meanwhile would run two
    // mergers on one file.
    closed_.wait(lock, [&] { return !closing_.count(workspace_id); });
    auto it = open_.find(workspace_id);
    if (it != open_.end()) {
        it->second.used = ++use_clock_;
        return it->second.store;
    }
    if (open_.size() >= static_cast<size_t>(std::max(1, options_.max_open_stores))) {
        close_idle(lock, static_cast<size_t>(std::max(1, options_.max_open_stores)) - 1);
        // Another request may have opened it while the lock was released.
        closed_.wait(lock, [&] { return !closing_.count(workspace_id); });
        it = open_.find(workspace_id);
        if (it != open_.end()) {
            it->second.used = ++use_clock_;
            return it->second.store;
        }
    }
    std::error_code ec;
    std::filesystem::create_directories(folder_, ec);
    if (ec) return Error{"", "cannot create the folder " + folder_ + ": " + ec.message()};
    auto store = open_sqlite_store(folder_ + "/" + workspace_id + ".db");
    if (!store) return store.error();
    if (stopping_) (*store)->shutdown();
    std::shared_ptr<SyncStore> shared(std::move(*store));
    open_.emplace(workspace_id, Open{shared, ++use_clock_});
    return shared;
}

void WorkspaceStores::close_idle(std::unique_lock<std::mutex>& lock, size_t keep) {
    // Oldest first; a store some request still holds (a long-poll, a push) stays open.
    std::vector<std::pair<uint64_t, std::string>> idle;
    for (const auto& [id, o] : open_)
        if (o.store.use_count() == 1) idle.emplace_back(o.used, id);
    std::sort(idle.begin(), idle.end());
    std::vector<std::pair<std::string, std::shared_ptr<SyncStore>>> closing;
    for (const auto& [used, id] : idle) {
        if (open_.size() <= keep) break;
        auto it = open_.find(id);
        closing.emplace_back(id, std::move(it->second.store));
        open_.erase(it);
        closing_.insert(id);
    }
    if (closing.empty()) return;
    lock.unlock();
    for (auto& [id, store] : closing) store.reset();  // finishes the merge, closes the file
    lock.lock();
    for (auto& [id, store] : closing) closing_.erase(id);
    closed_.notify_all();
}

size_t WorkspaceStores::open_stores() {
    std::lock_guard lock(mu_);
    return open_.size();
}

WorkspaceStores::WaitRefusal WorkspaceStores::begin_wait(const std::string& session, WaitSlot& slot) {
    std::lock_guard lock(waits_mu_);
    if (waits_ >= options_.max_waits) return WaitRefusal::Total;
    int& mine = waits_by_session_[session];
    if (mine >= options_.max_waits_per_session) {
        if (mine == 0) waits_by_session_.erase(session);
        return WaitRefusal::Session;
    }
    ++mine;
    ++waits_;
    slot = WaitSlot(this, session);
    return WaitRefusal::None;
}

void WorkspaceStores::end_wait(const std::string& session) {
    std::lock_guard lock(waits_mu_);
    --waits_;
    auto it = waits_by_session_.find(session);
    if (it != waits_by_session_.end() && --it->second <= 0) waits_by_session_.erase(it);
}

WaitSlot::~WaitSlot() {
    if (owner_) owner_->end_wait(key_);
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
        for (auto& [id, o] : open_) o.store->shutdown();
    }
    wake_.notify_all();
}

WorkspaceStores::~WorkspaceStores() {
    shutdown();
    if (worker_.joinable()) worker_.join();  // waits for a snapshot being made to finish
}

}  // namespace crm
