#pragma once
// All of the client's state, in explicit structs passed to each view by reference.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "contacts.h"
#include "local_store.h"

namespace crm {

enum class SyncPhase { Starting, Synced, Syncing, Offline, Error };

struct SyncState {
    SyncPhase phase = SyncPhase::Starting;
    std::string message;        // the server's or the network's words when phase is Error/Offline
    int64_t unpushed = 0;       // changes in the outbox
    bool in_flight = false;     // a push or pull is running
    bool requested = false;     // an edit asked for a sync as soon as possible
    int64_t next_attempt_ms = 0;
    int64_t last_synced_ms = 0;
    int failures = 0;           // consecutive, for back-off
    int64_t clock_offset_ms = 0;  // server clock minus this device's, learned on each sync
    bool waiting = false;       // the live channel (/api/v1/wait) has a request open
    int64_t next_wait_ms = 0;
    int64_t catch_up_from = -1; // cursor when a long catch-up began, for the progress bar
    int64_t latest = 0;         // the server's last sequence number, as last seen
    int64_t cursor = 0;
};

struct ContactForm {
    char name[256] = {};
    char email[256] = {};
    std::string name_error, email_error, save_error;
    bool focus_name = true;
};

struct ContactsView {
    ContactForm form;
    std::vector<Contact> rows;   // sorted for display
    bool stale = true;           // reload rows from the store on the next frame
    int sort_column = 0;
    bool sort_ascending = true;
};

struct AppState {
    std::optional<LocalStore> store;
    std::string fatal_error;     // the local database could not be opened
    SyncState sync;
    ContactsView contacts;
    uint64_t frame = 0;
};

}  // namespace crm
