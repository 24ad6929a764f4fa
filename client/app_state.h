#pragma once
// All of the client's state, in explicit structs passed to each view by reference.
#include <cstdint>
#include <map>
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
    bool in_flight = false;     // a push or pull is running
    bool requested = false;     // an edit asked for a sync as soon as possible
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
    int64_t latest = 0;         // the server's last sequence number, as last seen
    int64_t cursor = 0;
};

// ---- navigation --------------------------------------------------------------------------------

// Every screen the shell can show. Adding one takes a value here, its draw function (views.h)
// and one row in the screen list of view_shell.cpp.
enum class Screen { Contacts, Companies, Deals, Cases, Record };

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
