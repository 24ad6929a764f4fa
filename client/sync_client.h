#pragma once
// Keeps the local replica and the server in step: pushes the outbox, pulls what others wrote.
#include "app_state.h"

namespace crm {

// Starts a push or pull when one is due; call once per frame. Never blocks.
void sync_tick(AppState& app);
// Asks for a sync soon, after a local edit.
void sync_request(AppState& app);
// "Synced", "Offline - 3 changes not yet sent", ...
std::string sync_status_text(const SyncState& s);
// The time to stamp edits with: this device's clock corrected by what the server told us.
int64_t sync_now(const AppState& app);
// 0..1 while a long pull is catching up, or a negative number when there is none.
float sync_progress(const SyncState& s);

}  // namespace crm
