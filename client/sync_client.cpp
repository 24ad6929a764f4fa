#include "sync_client.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "auth.h"
#include "json_limits.h"
#include "platform.h"

namespace crm {
namespace {

using nlohmann::json;

constexpr int64_t kPollIntervalMs = 30000;   // a safety net: the live channel brings changes sooner
constexpr int64_t kDebounceMs = 20;          // after an edit: edits of one frame go together
constexpr int64_t kMaxBackoffMs = 15000;
constexpr int64_t kWaitRefusedBackoffMs = 30000;  // a long-poll refused with 503: the server's Retry-After
constexpr int64_t kWaitRefusedPollMs = 10000;     // ... and meanwhile a pull this often

void refresh_unpushed(AppState& app) {
    if (auto n = app.store->outbox_size()) app.sync.unpushed = *n;
    if (auto n = app.store->unsent_edits()) app.sync.unsent_edits = *n;
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

// Learns the server's clock from an answer's "time", assuming the answer left the server half
// way through the request.
void learn_clock(AppState& app, const nlohmann::json& j, int64_t sent_ms) {
    if (!j.is_object() || !j.contains("time") || !j["time"].is_number_integer()) return;
    const int64_t now = platform::now_ms();
    const int64_t offset = j["time"].get<int64_t>() - (sent_ms + now) / 2;
    if (std::llabs(offset - app.sync.clock_offset_ms) > 250) {
        app.sync.clock_offset_ms = offset;
        (void)app.store->set_clock_offset(offset);
    }
}

std::string error_from(const platform::HttpResponse& r) {
    json j = parse_json_or_discarded(r.body);
    if (j.is_object() && j.contains("error") && j["error"].is_string()) return j["error"].get<std::string>();
    return "the server answered HTTP " + std::to_string(r.status);
}

// The server no longer takes our token: stop syncing until the person signs in again.
bool session_lost(AppState& app, const platform::HttpResponse& r) {
    if (r.status != 401) return false;
    auth_session_lost(app, error_from(r));
    finish(app, SyncPhase::Error, "signed out: sign in to sync");
    return true;
}

// A local database is the copy of one workspace: bound at the first sync, never synced with another.
bool workspace_matches(AppState& app) {
    auto bound = app.store->workspace_id();
    if (!bound) return false;
    if (bound->empty()) {
        if (auto s = app.store->bind_workspace(app.auth.workspace_id, app.auth.workspace_name); !s) return false;
        platform::persist();
        return true;
    }
    if (*bound == app.auth.workspace_id) return true;
    if (app.sync.phase != SyncPhase::Error) {
        auto name = app.store->workspace_name();
        app.sync.phase = SyncPhase::Error;
        app.sync.message = "this browser keeps the workspace \"" + (name ? *name : std::string("?")) +
                           "\"; sign out and sign in to it to sync";
    }
    return false;
}

void pull(AppState& app);

void push(AppState& app) {
    auto batch = app.store->next_batch();
    if (!batch) return finish(app, SyncPhase::Error, batch.error().to_string());
    if (!batch->has_value()) return pull(app);
    json changes = json::array();
    for (const auto& c : (*batch)->changes) changes.push_back(c.to_json());
    json body = {{"batch_id", (*batch)->batch_id}, {"workspace_id", app.auth.workspace_id}, {"changes", std::move(changes)}};
    int64_t last_seq = (*batch)->last_seq;
    const int64_t sent = platform::now_ms();
    platform::http_request("POST", "/api/v1/push", body.dump(), [&app, last_seq, sent](platform::HttpResponse r) {
        if (r.status == 0) return finish(app, SyncPhase::Offline, "the server cannot be reached");
        learn_clock(app, parse_json_or_discarded(r.body), sent);
        if (session_lost(app, r)) return;
        if (r.status != 200) return finish(app, SyncPhase::Error, error_from(r));
        if (auto s = app.store->ack_batch(last_seq); !s) return finish(app, SyncPhase::Error, s.error().to_string());
        platform::persist();
        push(app);  // more in the outbox, or on to pull
    });
}

// A device that has never synced starts from the server's copy of the workspace (one SQLite
// file, GET /api/v1/snapshot) instead of replaying the whole log, then pulls what came after it.
// Any failure falls back to pulling the log from the start: slower, never wrong.
void download_snapshot(AppState& app) {
    app.sync.snapshot_tried = true;
    app.sync.downloading = true;
    const int64_t asked = platform::now_ms();
    platform::http_download("/api/v1/snapshot", [&app, asked](int status, std::string_view bytes, platform::Checksum sum) {
        app.sync.downloading = false;
        app.sync.snapshot_checksum = sum == platform::Checksum::Matched      ? "matched"
                                     : sum == platform::Checksum::Mismatched ? "mismatched"
                                                                             : "unchecked";
        const int64_t arrived = platform::now_ms();
        app.sync.snapshot_download_ms = arrived - asked;
        app.sync.snapshot_bytes = static_cast<int64_t>(bytes.size());
        if (status == 0) return finish(app, SyncPhase::Offline, "the server cannot be reached");
        if (session_lost(app, platform::HttpResponse{status, std::string(bytes.substr(0, 2000))})) return;
        if (status == 200 && sum == platform::Checksum::Mismatched) {
            std::fprintf(stderr, "crm: the workspace copy was damaged on the way (its checksum differs); pulling the log instead\n");
        } else if (status == 200) {
            auto adopted = app.store->adopt_snapshot(bytes, sum == platform::Checksum::Matched);
            app.sync.snapshot_adopt_ms = platform::now_ms() - arrived;
            if (adopted) {
                platform::persist();
                app.contacts.stale = true;
                app.sync.adopted_snapshot = true;
            } else {
                std::fprintf(stderr, "crm: the workspace copy was not used (%s); pulling the log instead\n",
                             adopted.error().to_string().c_str());
            }
        }
        pull(app);
    });
}

bool never_synced(AppState& app) {
    auto epoch = app.store->server_epoch();
    auto unsent = app.store->outbox_size();
    return epoch && epoch->empty() && unsent && *unsent == 0;
}

void pull(AppState& app) {
    auto cursor = app.store->cursor();
    if (!cursor) return finish(app, SyncPhase::Error, cursor.error().to_string());
    if (*cursor == 0 && !app.sync.snapshot_tried && never_synced(app)) return download_snapshot(app);
    const int64_t sent = platform::now_ms(), from = *cursor;
    platform::http_request("GET", "/api/v1/pull?after=" + std::to_string(from) + "&limit=5000", "",
                           [&app, sent, from](platform::HttpResponse r) {
        if (r.status == 0) return finish(app, SyncPhase::Offline, "the server cannot be reached");
        if (session_lost(app, r)) return;
        if (r.status != 200) return finish(app, SyncPhase::Error, error_from(r));
        json j = parse_json_or_discarded(r.body);
        if (!j.is_object() || !j.contains("changes") || !j["cursor"].is_number_integer() ||
            !j["latest"].is_number_integer() || !j["epoch"].is_string())
            return finish(app, SyncPhase::Error, "the server's pull answer is malformed");
        learn_clock(app, j, sent);
        // A server whose log is not the one we synced with (a new server), or whose log ends
        // before our cursor (restored from an older backup), lost changes: send it ours again.
        const std::string epoch = j["epoch"].get<std::string>();
        auto known = app.store->server_epoch();
        if (!known) return finish(app, SyncPhase::Error, known.error().to_string());
        const int64_t mine = *app.store->cursor();
        if ((!known->empty() && *known != epoch) || mine > j["latest"].get<int64_t>()) {
            if (auto s = app.store->resend_everything(); !s) return finish(app, SyncPhase::Error, s.error().to_string());
            (void)app.store->set_server_epoch(epoch);
            platform::persist();
            return push(app);
        }
        if (known->empty()) (void)app.store->set_server_epoch(epoch);
        app.sync.latest = j["latest"].get<int64_t>();
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
        app.sync.cursor = j["cursor"].get<int64_t>();
        if (j.value("more", false)) {
            if (app.sync.catch_up_from < 0) app.sync.catch_up_from = from;
            return pull(app);
        }
        app.sync.catch_up_from = -1;
        finish(app, SyncPhase::Synced);
    });
}

// Sends the outbox, then pulls (push goes on to pull once the outbox is empty).
void start_sync(AppState& app) {
    SyncState& s = app.sync;
    s.in_flight = true;
    if (s.phase != SyncPhase::Offline && s.phase != SyncPhase::Error) s.phase = SyncPhase::Syncing;
    push(app);
}

// Keeps one long-poll open; when the server says the log moved past our cursor, sync now.
void listen(AppState& app) {
    SyncState& s = app.sync;
    if (s.waiting || !app.auth.signed_in || s.phase != SyncPhase::Synced || platform::now_ms() < s.next_wait_ms) return;
    s.waiting = true;
    const int64_t after = s.cursor;
    platform::http_request("GET", "/api/v1/wait?after=" + std::to_string(after) + "&timeout=25", "",
                           [&app, after](platform::HttpResponse r) {
        app.sync.waiting = false;
        json j = parse_json_or_discarded(r.body);
        if (r.status == 503) {
            // The server holds as many long-polls as it will (too_many_waits): ask again after its
            // Retry-After (30 s) and poll meanwhile, so changes still arrive within seconds.
            const int64_t now = platform::now_ms();
            app.sync.next_wait_ms = now + kWaitRefusedBackoffMs;
            app.sync.next_attempt_ms = std::min(app.sync.next_attempt_ms, now + kWaitRefusedPollMs);
            return;
        }
        if (r.status != 200 || !j.is_object() || !j["latest"].is_number_integer()) {
            app.sync.next_wait_ms = platform::now_ms() + 2000;  // the regular sync notices why
            return;
        }
        // Pull at once, not on a later frame: this is the path of a colleague's edit to the screen.
        if (j["latest"].get<int64_t>() > after) {
            // Only where sync_tick would start one: the workspace open here, signed in, idle.
            if (!app.sync.in_flight && app.sync.workspace_open && app.auth.signed_in && app.store) start_sync(app);
            else sync_request(app);
        }
    });
}

}  // namespace

int64_t sync_now(const AppState& app) { return platform::now_ms() + app.sync.clock_offset_ms; }

float sync_progress(const SyncState& s) {
    if (s.downloading) {
        const platform::TransferProgress p = platform::download_progress();
        return p.total > 0 ? std::min(1.0f, static_cast<float>(p.received) / static_cast<float>(p.total)) : 0.0f;
    }
    if (s.catch_up_from < 0 || s.latest <= s.catch_up_from) return -1;
    return static_cast<float>(s.cursor - s.catch_up_from) / static_cast<float>(s.latest - s.catch_up_from);
}

void sync_request(AppState& app) {
    app.sync.requested = true;
    refresh_unpushed(app);
}

void sync_tick(AppState& app) {
    SyncState& s = app.sync;
    auth_restore(app);
    if (!app.store || !app.auth.signed_in) return;
    if (!workspace_matches(app)) return;
    listen(app);
    if (s.in_flight) return;
    int64_t now = platform::now_ms();
    if (s.requested) {
        s.requested = false;
        s.next_attempt_ms = std::min(s.next_attempt_ms, now + kDebounceMs);
    }
    if (now < s.next_attempt_ms) return;
    start_sync(app);
}

std::string sync_status_text(const SyncState& s) {
    auto pending = [&] {
        return s.unpushed == 0 ? std::string()
                               : " - " + std::to_string(s.unsent_edits) + (s.unsent_edits == 1 ? " change" : " changes") + " not yet sent";
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
