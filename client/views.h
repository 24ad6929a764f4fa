#pragma once
// One function per screen, each in its own view_*.cpp; main.cpp calls them from one place.
#include <string>

#include <nlohmann/json.hpp>

#include "app_state.h"

namespace crm {

// Sign in, create a workspace, or join one with an invite (view_sign_in.cpp).
void draw_sign_in(AppState& app);
// Instead of the app while this tab cannot use the local database: loading, open in another
// tab, moved to another tab, unreadable, or damaged (view_storage.cpp).
void draw_storage_view(AppState& app);
// The top bar: product name and the sync status.
void draw_status_bar(AppState& app);
// The sidebar and the screen the route names (view_shell.cpp holds the list of screens).
void draw_shell(AppState& app);
// A table of the records of `type` (contacts, companies, ...): filters, sortable and movable
// columns, saved views, the new-record form.
void draw_table_view(AppState& app, TableView& table, const std::string& type);
// The record the route names: its fields edited in place, related records, the timeline.
void draw_record_view(AppState& app);

// For main.cpp's frame loop (view_shell.cpp): what the screens show, summed up so that an idle
// frame can be skipped when it has not changed; and the same for the tests' window.crm.state().
std::string views_signature(const AppState& app);
nlohmann::json views_state(const AppState& app);

}  // namespace crm
