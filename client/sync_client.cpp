#include "sync_client.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "platform.h"

namespace crm {
namespace {

using nlohmann::json;

constexpr int64_t kPollIntervalMs = 2000;    // until the live channel arrives
constexpr int64_t kDebounceMs = 150;         // after an edit
constexpr int64_t kMaxBackoffMs = 15000;

void refresh_unpushed(AppState& app) {
    if (auto n = app.store->outbox_size()) app.sync.unpushed = *n;
}

void finish(AppState& app, SyncPhase phase, std::string message = {}) {
    SyncState& s = app.sync;
    s.in_flight = false;
    s.phase = phase;
    s.message = std::move(message);
    int64_t now = platform::now_ms();
    if (phase == SyncPhase::Synced) {
        s.failures = 0;
        s.last_synced_ms = now;
        s.next_attempt_ms = now + kPollIntervalMs;
    } else {
        s.failures = std::min(s.failures + 1, 8);
        s.next_attempt_ms = now + std::min<int64_t>(kMaxBackoffMs, 1000LL << std::min(s.failures - 1, 4));
    }
    refresh_unpushed(app);
}

std::string error_from(const platform::HttpResponse& r) {
    json j = json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("error") && j["error"].is_string()) return j["error"].get<std::string>();
    return "the server answered HTTP " + std::to_string(r.status);
}

void pull(AppState& app);

void push(AppState& app) {
    auto batch = app.store->next_batch();
    if (!batch) return finish(app, SyncPhase::Error, batch.error().to_string());
    if (!batch->has_value()) return pull(app);
    json changes = json::array();
    for (const auto& c : (*batch)->changes) changes.push_back(c.to_json());
    json body = {{"batch_id", (*batch)->batch_id}, {"changes", std::move(changes)}};
    int64_t last_seq = (*batch)->last_seq;
    platform::http_request("POST", "/api/v1/push", body.dump(), [&app, last_seq](platform::HttpResponse r) {
        if (r.status == 0) return finish(app, SyncPhase::Offline, "the server cannot be reached");
        if (r.status != 200) return finish(app, SyncPhase::Error, error_from(r));
        if (auto s = app.store->ack_batch(last_seq); !s) return finish(app, SyncPhase::Error, s.error().to_string());
        platform::persist();
        push(app);  // more in the outbox, or on to pull
    });
}

void pull(AppState& app) {
    auto cursor = app.store->cursor();
    if (!cursor) return finish(app, SyncPhase::Error, cursor.error().to_string());
    platform::http_request("GET", "/api/v1/pull?after=" + std::to_string(*cursor) + "&limit=1000", "",
                           [&app](platform::HttpResponse r) {
        if (r.status == 0) return finish(app, SyncPhase::Offline, "the server cannot be reached");
        if (r.status != 200) return finish(app, SyncPhase::Error, error_from(r));
        json j = json::parse(r.body, nullptr, false);
        if (!j.is_object() || !j.contains("changes") || !j["cursor"].is_number_integer())
            return finish(app, SyncPhase::Error, "the server's pull answer is malformed");
        json changes = json::array();
        for (auto& c : j["changes"]) {
            c.erase("seq");
            changes.push_back(std::move(c));
        }
        auto parsed = parse_changes(changes, SIZE_MAX);
        if (!parsed) return finish(app, SyncPhase::Error, "a pulled change is invalid: " + parsed.error().to_string());
        if (!parsed->empty() || j["cursor"].get<int64_t>() != *app.store->cursor()) {
            if (auto s = app.store->apply_pulled(*parsed, j["cursor"].get<int64_t>(), platform::now_ms()); !s)
                return finish(app, SyncPhase::Error, s.error().to_string());
            platform::persist();
            app.contacts.stale = true;
        }
        if (j.value("more", false)) return pull(app);
        finish(app, SyncPhase::Synced);
    });
}

}  // namespace

void sync_request(AppState& app) {
    app.sync.requested = true;
    refresh_unpushed(app);
}

void sync_tick(AppState& app) {
    SyncState& s = app.sync;
    if (!app.store || s.in_flight) return;
    int64_t now = platform::now_ms();
    if (s.requested) {
        s.requested = false;
        s.next_attempt_ms = std::min(s.next_attempt_ms, now + kDebounceMs);
    }
    if (now < s.next_attempt_ms) return;
    s.in_flight = true;
    if (s.phase != SyncPhase::Offline && s.phase != SyncPhase::Error) s.phase = SyncPhase::Syncing;
    push(app);
}

std::string sync_status_text(const SyncState& s) {
    auto pending = [&] {
        return s.unpushed == 0 ? std::string()
                               : " - " + std::to_string(s.unpushed) + (s.unpushed == 1 ? " change" : " changes") + " not yet sent";
    };
    switch (s.phase) {
        case SyncPhase::Starting: return "Connecting...";
        case SyncPhase::Synced: return s.unpushed ? "Saving" + pending() : "Synced";
        case SyncPhase::Syncing: return "Syncing...";
        case SyncPhase::Offline: return "Offline" + pending();
        case SyncPhase::Error: return "Sync error: " + s.message + pending();
    }
    return "";
}

}  // namespace crm
