#pragma once
// A replica's local workspace: the SQLite database in the browser (or a test), the replica's
// id and clock, the outbox of changes not yet acknowledged by the server, and the domain
// operations (create, update, delete and restore records, list, search, timelines, deals,
// lead conversion, cases). Every write validates first and is all or nothing.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "business_hours.h"
#include "contacts.h"
#include "hlc.h"
#include "query.h"
#include "records.h"
#include "result.h"
#include "search.h"
#include "sqlite_db.h"
#include "sync.h"

namespace crm {

struct OutboxBatch {
    std::string batch_id;  // the same for the same outbox rows, so a retried push is deduplicated
    std::vector<Change> changes;
    int64_t last_seq = 0;  // ack_batch(last_seq) removes these rows once the server has them
};

struct ListPage {
    std::vector<nlohmann::json> rows;  // records as get() returns them
    int64_t total = 0;                 // matching records, ignoring limit and offset
};

struct TimelineEntry {
    int64_t at = 0;           // ms since the epoch
    std::string kind;         // "created", "field", "activity", "stage" (a deal's stage_id change),
                              // "deleted" or "restored" (its `deleted` field set or cleared)
    std::string field;        // for "field" and "stage": which field changed
    nlohmann::json old_value, new_value;
    nlohmann::json activity;  // for "activity": the activity record
    std::string replica;      // for "field" and "stage": the replica that made the change
    std::string author;       // for "field" and "stage": who made it (the email the server logged)
    bool unsent = false;      // made on this device and not yet back from the server: "you"
};

struct LeadConversion {
    bool create_company = false;
    std::string company_id;        // link an existing company instead of creating one
    bool create_deal = false;
    std::string deal_name;         // default: "<company or lead name> deal"
    std::optional<double> amount;
    std::string currency = "USD";
    std::string pipeline_id;       // default: the first pipeline
};

struct LeadConversionResult {
    std::string contact_id, company_id, deal_id;
};

class LocalStore;

// One all-or-nothing edit: every operation validates against the database as it stands inside
// the edit (so a deal can reference the company created just before it), applies its changes,
// and queues them for the server. Nothing is visible to anyone until commit(); an Edit
// destroyed without commit() leaves no trace.
class Edit {
public:
    Edit(LocalStore& store, int64_t now_ms);
    Status begun() const { return tx_.begun(); }
    Result<std::string> create(std::string_view type, const nlohmann::json& values);
    Status update(std::string_view type, const std::string& id, const nlohmann::json& values);
    Status set_deleted(std::string_view type, const std::string& id, bool deleted);
    Status commit();
    int64_t now() const { return now_; }

private:
    Status write(const RecordSpec& spec, const std::string& id, const nlohmann::json& values);
    LocalStore& store_;
    Tx tx_;
    SearchBatch search_;  // written at commit
    HlcClock clock_;
    int64_t now_;
};

class LocalStore {
public:
    // Opens or creates the database at `path`, runs migrations, and loads (or makes) the replica
    // id. A file that is not a database, or whose schema or identity pages are damaged, is
    // refused. The rest is not read page by page here (PRAGMA quick_check cost 0.84 s at every
    // start with 188 MiB stored): damage SQLite meets later shows in damage().
    static Result<LocalStore> open(const std::string& path);
    // SQLite's message once a statement found this database's file damaged; empty otherwise.
    std::string damage() const { return db_.damage(); }

    const std::string& replica_id() const { return replica_id_; }
    Db& db() { return db_; }
    // Where new record ids come from: crm::new_id() (random) unless a source is set. The data
    // generator sets one so that a seed always gives the same ids; an empty function restores
    // new_id(). Each call must return a fresh id of 32 lowercase hex digits.
    void set_id_source(std::function<std::string()> source) { id_source_ = std::move(source); }

    // ---- records of any type --------------------------------------------------------------
    // Creates a record from {field: value}; returns its new id.
    Result<std::string> create(std::string_view type, const nlohmann::json& values, int64_t now_ms);
    // Changes the given fields of a record.
    Status update(std::string_view type, const std::string& id, const nlohmann::json& values, int64_t now_ms);
    // Soft delete: the record disappears from lists and search but can be restored.
    Status remove(std::string_view type, const std::string& id, int64_t now_ms);
    Status restore(std::string_view type, const std::string& id, int64_t now_ms);
    // The record as {"id", field..., "custom": {...}, "updated_at"}, deleted or not.
    Result<nlohmann::json> get(std::string_view type, const std::string& id);
    // One page of records matching the query, and how many match in all.
    Result<ListPage> list(std::string_view type, const Query& query);
    // Full-text search over every searchable record type.
    Result<std::vector<SearchHit>> search(std::string_view text, size_t limit = 20, std::string_view type = {});
    // Everything that happened to a record, newest first: field changes (a deal's stage changes
    // as "stage" moves), linked activities, and its creation. The changes come from the history
    // the merge writes, the same on every replica that has seen the same changes.
    Result<std::vector<TimelineEntry>> timeline(std::string_view type, const std::string& id);

    // ---- contacts (the quick form) --------------------------------------------------------
    Result<Contact> create_contact(const ContactInput& input, int64_t now_ms);
    Result<std::vector<Contact>> list_contacts();

    // ---- deals and pipelines --------------------------------------------------------------
    // Moves a deal to a stage of its pipeline, records the move, and marks the deal won or
    // lost when the stage says so.
    Status move_deal(const std::string& deal_id, const std::string& stage_id, int64_t now_ms, std::string reason = {});
    // The first pipeline by position, with its stages ordered.
    Result<std::string> default_pipeline_id();

    // ---- leads ----------------------------------------------------------------------------
    // Turns a lead into a contact (and optionally a company and a deal) in one step; the lead's
    // activities follow the new contact and the lead keeps its history, marked converted.
    Result<LeadConversionResult> convert_lead(const std::string& lead_id, const LeadConversion& options, int64_t now_ms);

    // ---- cases ----------------------------------------------------------------------------
    // A case's SLA at `now_ms`: due times, breach flags and time left, in business hours.
    Result<SlaStatus> case_sla(const std::string& case_id, int64_t now_ms);

    // ---- sync ------------------------------------------------------------------------------
    Result<int64_t> outbox_size();
    // Edits not yet sent, as a person counts them: one per saved write of a record (a new
    // contact with five fields is one), however many field changes each holds.
    Result<int64_t> unsent_edits();
    Result<std::optional<OutboxBatch>> next_batch(size_t max_changes = kMaxBatchChanges);
    Status ack_batch(int64_t last_seq);
    Result<int64_t> cursor();
    Status apply_pulled(const std::vector<Change>& changes, int64_t cursor, int64_t now_ms);
    // After the server lost changes (restored from an older backup, or replaced): queues every
    // field this replica holds, with its original stamp, and starts pulling from the beginning.
    // The merge makes the re-sent changes harmless where the server still has them.
    Status resend_everything();
    // A new replica's fast start: replaces this database, which must never have synced and must
    // hold no unsent change, with the server's copy of the workspace (the SQLite file
    // GET /api/v1/snapshot sends, already unzipped), then pulls only what came after it. Keeps
    // this replica's id, workspace binding and clock offset. The image is checked first (readable,
    // undamaged, a schema this build knows, a cursor); a refused one changes nothing.
    // `verified`: the caller has matched the bytes against the SHA-256 the server made them with
    // (the server checked that file's structure), so the structural check, which reads every
    // page (~0.8 s for 100 MB in the browser), is skipped.
    Status adopt_snapshot(std::string_view image, bool verified = false);
    // The server's log epoch this replica last synced with ("" before the first sync).
    Result<std::string> server_epoch();
    Status set_server_epoch(const std::string& epoch);
    // How far this device's clock is behind the server's, learned on each sync, in ms.
    Result<int64_t> clock_offset();
    Status set_clock_offset(int64_t offset_ms);
    // The server workspace this database is the local copy of ("" until the first sign-in),
    // and its name, for messages.
    Result<std::string> workspace_id();
    Result<std::string> workspace_name();
    Status bind_workspace(const std::string& id, const std::string& name);

private:
    friend class Edit;
    LocalStore(Db db, std::string replica_id, HlcClock clock)
        : db_(std::move(db)), replica_id_(std::move(replica_id)), clock_(clock) {}
    // Loads (or makes) the replica id and the clock from the meta table.
    Status load_identity();
    Result<std::string> meta(const std::string& key);
    Status set_meta(const std::string& key, const std::string& value);

    Db db_;
    std::string replica_id_;
    HlcClock clock_;
    std::function<std::string()> id_source_;  // empty: new_id()
};

// Checks {field: value} for a record type before it is written: known fields, kinds and
// syntax, required fields on create, references to records that exist, custom fields defined
// for the type, and the rules that span fields (a deal's stage belongs to its pipeline, a
// company is not its own ancestor). `existing` is the record before the edit, null on create.
std::vector<Error> check_record(Db& db, const RecordSpec& spec, const std::string& id, const nlohmann::json& values,
                                const nlohmann::json& existing);

}  // namespace crm
