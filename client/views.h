#pragma once
// One function per screen, each in its own view_*.cpp; main.cpp calls them from one place.
#include <string>
#include <vector>

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
// The address of the sign-in screen with `code` filled in as an invite ("...#/join/<code>").
std::string invite_link(const std::string& code);
// Opened from an invite link while signed out: the sign-in screen joins with its code.
void follow_invite_link(AppState& app);
// The sidebar and the screen the route names (view_shell.cpp holds the list of screens).
void draw_shell(AppState& app);
// A table of the records of `type` (contacts, companies, ...): filters, sortable and movable
// columns, saved views, the new-record form.
void draw_table_view(AppState& app, TableView& table, const std::string& type);
// The record the route names: its fields edited in place, related records, the timeline.
void draw_record_view(AppState& app);
// The deal pipeline as a kanban board: a column per stage, cards dragged between them
// (view_board.cpp).
void draw_board(AppState& app);
// Tasks by due time (overdue, today, upcoming) with done toggles and a quick new-task form
// (view_my_work.cpp).
void draw_my_work(AppState& app);
// Notices for tasks that fall due while the app is open, on every screen (view_my_work.cpp).
void draw_reminders(AppState& app);
// Open cases by status and priority with their SLA countdowns (view_cases_queue.cpp).
void draw_cases_queue(AppState& app);
// What those screens show, for the tests' window.crm.state().
nlohmann::json board_state(const AppState& app);
nlohmann::json my_work_state(const AppState& app);
nlohmann::json cases_queue_state(const AppState& app);

// Pipelines and stages, custom fields, tags, the sync server, the account and the theme
// (view_settings.cpp).
void draw_settings(AppState& app);
nlohmann::json settings_state(const AppState& app);
// The app's keyboard shortcuts (Ctrl+K, N, /, Esc), then the command palette over every screen:
// search any record and run commands (view_palette.cpp).
void handle_shortcuts(AppState& app);
void draw_palette(AppState& app);
nlohmann::json palette_state(const AppState& app);
// The "Search or run a command" button of the top bar, which opens the palette.
void draw_palette_button(AppState& app);
// The screens of the sidebar in order, for the palette's "Go to" commands (view_shell.cpp).
struct ScreenLink {
    std::string label;
    Route route;
};
std::vector<ScreenLink> screen_links();

// For main.cpp's frame loop (view_shell.cpp): what the screens show, summed up so that an idle
// frame can be skipped when it has not changed; and the same for the tests' window.crm.state().
std::string views_signature(const AppState& app);
nlohmann::json views_state(const AppState& app);

}  // namespace crm
