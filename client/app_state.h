#pragma once
// All of the client's state, in explicit structs passed to each view by reference.
#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth.h"
#include "auth.h"
#include "local_store.h"
#include "query.h"

namespace crm {

enum class SyncPhase { Starting, Synced, Syncing, Offline, Error };

struct SyncState {
    SyncPhase phase = SyncPhase::Starting;
    std::string message;        // the server's or the network's words when phase is Error/Offline
    int64_t unpushed = 0;       // changes in the outbox
    int64_t unsent_edits = 0;   // the edits they come from, as the status bar counts them
    bool in_flight = false;     // a push or pull is running
    bool requested = false;     // an edit asked for a sync as soon as possible
    bool workspace_open = false;  // this frame the tab holds the workspace and its store is open
    int64_t next_attempt_ms = 0;
    int64_t last_synced_ms = 0;
    int failures = 0;           // consecutive, for back-off
    int64_t clock_offset_ms = 0;  // server clock minus this device's, learned on each sync
    bool waiting = false;       // the live channel (/api/v1/wait) has a request open
    int64_t next_wait_ms = 0;
    int64_t catch_up_from = -1; // cursor when a long catch-up began, for the progress bar
    bool downloading = false;   // a new device is downloading the server's copy of the workspace
    bool snapshot_tried = false;  // ...once per start: if it fails, the device pulls the log instead
    bool adopted_snapshot = false;  // this start began from the server's copy
    int64_t snapshot_bytes = 0, snapshot_download_ms = 0, snapshot_adopt_ms = 0;  // for the benchmark
    std::string snapshot_checksum;  // "matched", "mismatched" or "unchecked" (platform::Checksum)
    int64_t latest = 0;         // the server's last sequence number, as last seen
    int64_t cursor = 0;
};

// ---- navigation --------------------------------------------------------------------------------

// Every screen the shell can show. Adding one takes a value here, its draw function (views.h)
// and one row in the screen list of view_shell.cpp.
enum class Screen { Contacts, Companies, Deals, Cases, Board, MyWork, CasesQueue, Settings, Record };

// Where the person is: a screen, and for a record page the record. The address bar mirrors it
// ("#/contacts", "#/contact/<id>").
struct Route {
    Screen screen = Screen::Contacts;
    std::string record_type;  // Screen::Record: "contact", "company", "deal" or "case"
    std::string record_id;
    bool operator==(const Route&) const = default;
};

// ---- fields shown and edited -------------------------------------------------------------------

// A custom field defined at run time (a field_def record), as the views need it.
struct CustomField {
    std::string key;    // the value lives under "custom.<key>"
    std::string label;
    std::string kind;   // text, number, money, date, yes_no, choice, multi_choice, link
    std::string link_type;
    bool required = false;
    std::vector<std::string> choices;
};

// The text a person is typing into one field, and what the domain said about it.
struct FieldEdit {
    std::string text;
    std::string error;   // the domain's message, shown beside the field
    bool dirty = false;  // typed since the record was loaded; not overwritten by a reload
};

// A form for a new record of one type: every editable field, errors beside each.
struct RecordForm {
    std::string type;
    std::map<std::string, FieldEdit> fields;  // by field name ("custom.<key>" for custom fields)
    std::string error;                        // a problem that names no field of the form
    bool focus_first = true;
};

// ---- record tables -----------------------------------------------------------------------------

// How long typing into the filter bar must pause before the table is queried again.
inline constexpr int64_t kFilterPauseMs = 250;

// One condition of the filter bar, as the person builds it.
struct FilterRow {
    std::string field;  // a column's field
    Op op = Op::Contains;
    std::string value;  // as typed; converted by the field's kind when the query is built
};

// The search list under a reference field ("Company") while the person types in it.
struct RefPicker {
    std::string track;    // which field is open; empty when none
    std::string query;    // what has been typed
    std::string initial;  // the title shown when the field was entered
    std::vector<SearchHit> hits;
};

struct SavedViewSummary {
    std::string id, name;
    nlohmann::json filter, columns, sort;
};

// A table of one record type: what is asked for (filter, sort, columns), what the database said
// (the count and a window of rows around what is on screen), and the forms it opens.
struct TableView {
    std::string type;  // "contact", ...

    // What the person asks for.
    std::vector<FilterRow> filters;
    std::vector<FilterRow> applied_filters;  // what the query uses: `filters` once typing pauses
    int64_t filter_typed_ms = 0;             // when a filter value was last typed into
    bool match_any = false;
    nlohmann::json filter_groups = nlohmann::json::array();  // nested groups of a saved view, kept as they are
    std::vector<Sort> sort;             // from the sortable headers
    std::vector<std::string> columns;   // shown columns in display order, read back from the table

    std::vector<CustomField> custom_fields;
    uint64_t custom_version = 0;

    // The ImGui table is rebuilt (under a new id) when a saved view sets columns and sort.
    int generation = 0;
    std::vector<std::string> setup_columns;  // every column, in the order given to ImGui
    std::vector<std::string> start_visible;  // shown when this generation starts, in order
    std::vector<Sort> start_sort;

    // What the database said. The rows are a window of at most a few hundred records around the
    // visible ones: the table is never loaded whole.
    std::string query_key;     // the filter, data version and sort that `rows` belong to
    std::string count_key;     // the filter and data version that `total` belongs to
    std::string query_shape;   // the filter and sort, without the data version
    uint64_t loaded_version = 0;
    int64_t total = -1;        // matching records; -1 until counted
    std::string query_error;   // the domain's words about a filter it refused
    // For an order no index gives, the sorted row ids are read once per query and pages by id.
    bool by_ids = false;
    std::vector<int64_t> row_ids;
    int64_t ids_read_ms = 0;
    int64_t window_start = 0;  // index of rows[0] in the sorted result
    std::vector<nlohmann::json> rows;
    std::map<std::string, std::string> titles;  // "type/id" -> title, for references in `rows`
    int64_t page_queries = 0;   // pages fetched so far (tests check the table is not loaded whole)
    int64_t count_queries = 0;
    int64_t visible_first = 0, visible_end = 0;
    bool scroll_top = false;    // the query changed: show its first rows
    float last_query_ms = 0;
    float sort_index_ms = 0;  // the last index made for a sort no index served (ensure_sort_index)
    // Sort indexes made for the visible columns while the person was idle (index_sorts_when_idle).
    std::set<std::string> sort_checked;  // columns looked at (made, or already served)
    std::vector<std::string> idle_indexes;
    float idle_index_ms = 0;  // the last one's time
    bool idle_index_failed = false;  // could not write (another tab has the workspace): stop trying
    float ids_query_ms = 0;  // the last full sort into row_ids (sorts no index serves)

    bool focus_filter = false;  // "/": the filter bar's first value field takes the keyboard

    // Set after a pull merged other replicas' changes (sync_client.cpp sets contacts.stale): the
    // shell then reloads every view.
    bool stale = true;

    // The new-record form.
    bool create_open = false;
    RecordForm create;

    // Saved views of this record type.
    std::vector<SavedViewSummary> views;
    uint64_t views_version = 0;
    std::string view_id, view_name;  // the applied view; empty for the default
    bool save_open = false, delete_open = false;
    std::string save_name, save_error;
};

// ---- record pages ------------------------------------------------------------------------------

struct RelatedItem {
    std::string type, id, title, note;  // note: a role, an amount, a status
};

struct RelatedList {
    std::string heading;  // "Contacts", "Deals", ...
    std::string type;     // record type of the items
    std::vector<RelatedItem> items;
    int64_t total = 0;    // may exceed items.size()
};

// The inline form that logs a note, call, meeting or task on a record's timeline.
struct ActivityDraft {
    std::string kind;  // empty: closed
    std::string text;
    std::string direction = "outbound";  // calls
    std::string error;
    bool focus = false;
};

struct RecordPage {
    std::string type, id;
    uint64_t loaded_version = 0;
    nlohmann::json record;  // null when it could not be read
    std::string load_error;
    std::vector<CustomField> custom_fields;
    std::map<std::string, FieldEdit> fields;  // in-place edits, by field name
    std::vector<RelatedList> related;
    std::vector<TimelineEntry> timeline;
    std::map<std::string, std::string> titles;  // "type/id" -> title, for references on the page
    std::string notice;  // "Saved", shown briefly after an edit
    int64_t notice_until_ms = 0;
    ActivityDraft draft;
    uint64_t drawn_frame = 0;  // AppState::frame when last drawn: not the last frame means the person left
};

// ---- the pipeline board (view_board.cpp) -------------------------------------------------------

// One deal as its card shows it.
struct BoardCard {
    std::string id, name, company, currency, close_date, status;
    double amount = 0;
    bool has_amount = false;
};

// One stage of the pipeline: its cards in order, their count and totals per currency.
struct BoardColumn {
    std::string stage_id, name, outcome;  // outcome: open, won, lost
    std::vector<BoardCard> cards;
    std::map<std::string, double> totals;  // amount by currency ("" for amounts without one)
    int visible_first = 0, visible_end = 0;  // the cards drawn in the last frame
};

// The close-date filter of the board, as presets a person picks.
enum class CloseWithin { Any, PastDue, ThisMonth, Next30Days, ThisQuarter };

struct BoardView {
    std::string pipeline_id;  // the pipeline shown; empty until the first is picked
    std::vector<std::pair<std::string, std::string>> pipelines;  // (id, name) by position
    std::vector<std::string> owners;                             // distinct owners of its deals
    uint64_t pipelines_version = 0;                              // data version `pipelines` was read at

    // Filters.
    std::string text;          // deal or company name contains
    std::string applied_text;  // `text` once typing pauses
    int64_t text_typed_ms = 0;
    std::string owner;  // empty: anyone
    CloseWithin close = CloseWithin::Any;

    // What the database said: read once per filter and data change, never per frame.
    std::string query_key;
    int64_t loaded_ms = 0;
    bool reload_now = false;  // after a move made here: no throttling
    int64_t loads = 0;
    int64_t filter_loads = 0;  // of which for a new question (filters, pipeline), not newer data
    float last_load_ms = 0;
    std::vector<BoardColumn> columns;
    int64_t cards_drawn = 0;  // cards drawn in the last frame (only the visible ones are)

    // A card being dragged.
    BoardCard drag_card;           // the pressed card; its id is empty when none is
    int drag_from = -1;            // its column
    bool dragging = false;         // moved past the drag threshold
    int drop_column = -1;          // the column under the pointer while dragging
    float grab_x = 0, grab_y = 0;  // where on the card it was grabbed

    // The last move, for its notice and Undo; and the domain's words when a move is refused.
    std::string moved_id, moved_name, moved_from_stage, moved_to_name;
    std::string moved_outcome;  // of the stage it went to: a won or lost deal is asked why
    std::string reason;         // typed into the notice's reason field
    bool reason_saved = false;
    int64_t moved_until_ms = 0;
    int64_t moves = 0;
    std::string error;
};

// ---- my work (view_my_work.cpp) ----------------------------------------------------------------

struct TaskItem {
    std::string id, subject, priority;
    int64_t due_ms = 0;  // 0: no due date
    bool done = false;
    std::string record_type, record_id, record_title;  // what it belongs to, if anything
};

struct TaskGroupList {
    std::string title;  // "Overdue", "Due today", ...
    std::vector<TaskItem> items;  // the first ones
    int64_t total = 0;
};

// The quick "new task" form at the top of My work.
struct NewTaskForm {
    std::string subject;
    std::string due;                     // "YYYY-MM-DD" or "YYYY-MM-DD HH:MM", local time
    std::string link_type = "contact";   // what it is about: contact, company, deal or case
    FieldEdit link;                      // the picked record's id
    std::map<std::string, std::string> titles;  // "type/id" -> name of the picked record
    std::string error;
};

// A task that fell due while the app was open: shown as a notice until dismissed.
struct Reminder {
    std::string task_id, subject;
    int64_t due_ms = 0;
    std::string record_type, record_id;  // what the task is about, for "Open"
};

enum class WhoseTasks { MineAndUnassigned, Mine, Everyone };

struct MyWork {
    WhoseTasks whose = WhoseTasks::MineAndUnassigned;
    std::string query_key;
    int64_t regroup_ms = 0;  // when a task moves group (a due time passes, midnight): read again
    std::vector<TaskGroupList> groups;
    std::vector<std::string> done_here;  // ticked on this visit: they stay in place, struck through
    int64_t loads = 0;
    NewTaskForm form;
    std::string notice, error;
    int64_t notice_until_ms = 0;

    // Reminders: checked on every screen, once per data change and when the next task falls due.
    int64_t watch_from_ms = 0;          // tasks due after this and up to now have been looked at
    uint64_t watch_version = 0;
    int64_t next_due_ms = -1;           // the next open task's due time; -1: none
    std::vector<std::string> reminded;  // task ids already shown, never shown again
    std::vector<Reminder> reminders;    // on screen
};

// ---- the cases queue (view_cases_queue.cpp) ---------------------------------------------------

struct QueueRow {
    std::string id, subject, status, priority, queue, who;  // who: the contact or company
    int64_t opened_ms = 0, first_response_due_ms = 0, first_response_ms = 0, resolution_due_ms = 0,
            resolved_ms = 0;  // 0: none
};

struct CasesQueue {
    std::string status;    // empty: every open status
    std::string priority;  // empty: any
    std::string text, applied_text;
    int64_t text_typed_ms = 0;
    std::string query_key;
    int64_t loaded_ms = 0;
    int64_t loads = 0;
    float last_load_ms = 0;
    std::vector<QueueRow> rows;  // by status, then priority, then the earliest due time
    int64_t visible_first = 0, visible_end = 0;
};

// ---- the command palette (view_palette.cpp) ----------------------------------------------------

// One line of the palette: a command, or a record found by the search index.
struct PaletteItem {
    std::string group;     // "Commands", "Contacts", "Companies", ...
    std::string label;     // the command's name or the record's title
    std::string detail;    // a record's email, domain, amount or status
    std::string shortcut;  // a command's keys ("G 1", "N"); empty for records
    std::string command;   // a command's id; empty for records
    std::string type, id;  // a record
};

struct PaletteState {
    bool open = false;
    bool just_opened = false;  // the search field takes the keyboard on the next frame
    bool field_active = false; // it had the keyboard last frame (until then, typed keys are caught)
    std::string query;
    std::string searched;          // the query `items` answer
    uint64_t searched_version = 0;  // and the data version they were read at
    std::vector<PaletteItem> items;
    int selected = 0;               // index into items
    bool scroll_to_selected = false;
    float last_query_ms = 0;        // the search index query, for the tests and the benchmark
    std::string error;              // the search's message, shown in the palette
    int64_t g_pressed_ms = 0;       // "G" was pressed: a digit now goes to that sidebar screen
};

// ---- settings (view_settings.cpp) ----------------------------------------------------------------

struct SettingsState {
    uint64_t loaded_version = 0;
    std::vector<nlohmann::json> pipelines, stages, field_defs;  // live records, by position
    std::map<std::string, int64_t> deals_in;                    // stage or pipeline id -> live deals
    std::vector<std::pair<std::string, int64_t>> tags;          // tag -> records carrying it
    uint64_t tags_version = 0;
    std::string pipeline_id;                  // the pipeline whose stages are shown
    std::map<std::string, FieldEdit> edits;   // "stage/<id>/name", "new_stage", ... -> typed text, error
    std::string notice;                       // "Saved", shown briefly
    int64_t notice_until_ms = 0;
    // The new custom field form.
    std::string field_type = "contact", field_kind = "text", field_link_type = "contact";
    bool field_required = false;
    std::string editing_field;  // a field_def id whose label and choices are being edited
    std::string server_address;
    bool server_loaded = false;
};

// ---- the app -----------------------------------------------------------------------------------

struct AppState {
    std::optional<LocalStore> store;
    std::string fatal_error;     // the local database could not be opened
    AuthState auth;              // who is signed in, to which workspace (auth.h)
    SyncState sync;

    Route route;
    bool route_loaded = false;   // the first route came from the address bar

    // Bumped on every local edit and every pull that merged changes: views holding data read at
    // an older version read it again.
    uint64_t data_version = 1;
    std::map<std::string, int64_t> counts;  // live records per type, at counts_version
    uint64_t counts_version = 0;

    TableView contacts, companies, deals, cases;
    RecordPage record;
    BoardView board;
    MyWork work;
    CasesQueue queue;
    PaletteState palette;
    SettingsState settings;
    RefPicker picker;
    // Pipelines and stages for their choice lists, read once per data version: [(id, name)].
    struct SmallList {
        uint64_t version = 0;
        std::vector<std::pair<std::string, std::string>> items;
    };
    std::map<std::string, SmallList> small_lists;

    int redraw_frames = 0;  // frames to draw even without input (focus moves, scroll requests)
    double draw_ms = 0;     // how long the last draw_app took, for the frame-time benchmark
    std::vector<float> draw_ms_recent;  // the last 600 draws
    uint64_t draws = 0;                 // draws so far
    uint64_t frame = 0;
};

}  // namespace crm
