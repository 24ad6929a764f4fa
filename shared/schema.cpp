#include "schema.h"

#include <array>
#include <algorithm>
#include <string>

#include "search.h"

namespace crm {
namespace {

// Append only: a released migration never changes, or replicas that ran it would differ.
constexpr std::array<const char*, 6> kMigrations = {
    // 1: contacts, per-field merge clocks, replica metadata, the client's outbox, the server's log.
    R"sql(
    CREATE TABLE contacts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX contacts_by_name ON contacts(name COLLATE NOCASE);
    CREATE TABLE field_clocks (
        record_type TEXT NOT NULL,
        record_id TEXT NOT NULL,
        field TEXT NOT NULL,
        hlc TEXT NOT NULL,
        replica TEXT NOT NULL,
        PRIMARY KEY (record_type, record_id, field)
    ) WITHOUT ROWID;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        record_type TEXT NOT NULL, record_id TEXT NOT NULL, field TEXT NOT NULL,
        value TEXT NOT NULL, hlc TEXT NOT NULL, replica TEXT NOT NULL
    );
    CREATE TABLE change_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        record_type TEXT NOT NULL, record_id TEXT NOT NULL, field TEXT NOT NULL,
        value TEXT NOT NULL, hlc TEXT NOT NULL, replica TEXT NOT NULL,
        batch_id TEXT NOT NULL
    );
    CREATE TABLE batches (
        batch_id TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL,
        received_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    )sql",
    // 2: the CRM domain. Contacts gain their full set of fields; companies, pipelines and stages,
    // deals and their contacts and stage history, leads, activities, cases and custom field
    // definitions arrive. Merge clocks move into each row (clocks: {"field": "hlc replica"}, with
    // "" for every field stamped at creation), the outbox holds one edit per row, field history
    // feeds the timelines, and an FTS5 index serves search.
    R"sql(
    ALTER TABLE contacts ADD COLUMN first_name TEXT NOT NULL DEFAULT '';
    ALTER TABLE contacts ADD COLUMN last_name TEXT NOT NULL DEFAULT '';
    ALTER TABLE contacts ADD COLUMN phone TEXT NOT NULL DEFAULT '';
    ALTER TABLE contacts ADD COLUMN other_emails TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE contacts ADD COLUMN other_phones TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE contacts ADD COLUMN job_title TEXT NOT NULL DEFAULT '';
    ALTER TABLE contacts ADD COLUMN company_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE contacts ADD COLUMN address TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE contacts ADD COLUMN lifecycle_stage TEXT NOT NULL DEFAULT '';
    ALTER TABLE contacts ADD COLUMN lead_status TEXT NOT NULL DEFAULT '';
    ALTER TABLE contacts ADD COLUMN lead_source TEXT NOT NULL DEFAULT '';
    ALTER TABLE contacts ADD COLUMN consent_email TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE contacts ADD COLUMN consent_sms TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE contacts ADD COLUMN do_not_contact INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE contacts ADD COLUMN owner TEXT NOT NULL DEFAULT '';
    ALTER TABLE contacts ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE contacts ADD COLUMN custom TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE contacts ADD COLUMN clocks TEXT NOT NULL DEFAULT '{}';
    UPDATE contacts SET clocks = coalesce((
        SELECT json_group_object(field, hlc || ' ' || replica) FROM field_clocks
        WHERE record_type = 'contact' AND record_id = contacts.id), '{}');
    DROP TABLE field_clocks;
    -- List indexes cover live rows only and end in id, the tiebreak of every sort, so a sorted
    -- page and a count are read from the index alone.
    DROP INDEX contacts_by_name;
    CREATE INDEX contacts_by_name ON contacts(name COLLATE NOCASE, id) WHERE deleted = 0;
    CREATE INDEX contacts_by_email ON contacts(email) WHERE email != '';
    CREATE INDEX contacts_by_company ON contacts(company_id) WHERE company_id != '';
    CREATE INDEX contacts_by_owner ON contacts(owner COLLATE NOCASE, lifecycle_stage) WHERE deleted = 0;
    CREATE INDEX contacts_by_stage ON contacts(lifecycle_stage) WHERE deleted = 0;
    CREATE INDEX contacts_by_updated ON contacts(updated_at, id) WHERE deleted = 0;
    CREATE INDEX contacts_by_created ON contacts(created_at, id) WHERE deleted = 0;

    CREATE TABLE companies (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        domain TEXT NOT NULL DEFAULT '',
        industry TEXT NOT NULL DEFAULT '',
        size TEXT NOT NULL DEFAULT '',
        annual_revenue REAL,
        currency TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT '{}',
        parent_id TEXT NOT NULL DEFAULT '',
        owner TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        custom TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        clocks TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX companies_by_name ON companies(name COLLATE NOCASE, id) WHERE deleted = 0;
    CREATE INDEX companies_by_parent ON companies(parent_id) WHERE parent_id != '';

    CREATE TABLE pipelines (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        position INTEGER,
        owner TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        custom TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        clocks TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE stages (
        id TEXT PRIMARY KEY,
        pipeline_id TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL DEFAULT '',
        position INTEGER,
        probability INTEGER,
        outcome TEXT NOT NULL DEFAULT 'open',
        owner TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        custom TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        clocks TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX stages_by_pipeline ON stages(pipeline_id, position);

    CREATE TABLE deals (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        amount REAL,
        currency TEXT NOT NULL DEFAULT '',
        close_date TEXT,
        pipeline_id TEXT NOT NULL DEFAULT '',
        stage_id TEXT NOT NULL DEFAULT '',
        forecast_category TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'open',
        close_reason TEXT NOT NULL DEFAULT '',
        closed_at INTEGER,
        company_id TEXT NOT NULL DEFAULT '',
        owner TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        custom TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        clocks TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX deals_by_stage ON deals(pipeline_id, stage_id);
    CREATE INDEX deals_by_company ON deals(company_id) WHERE company_id != '';
    CREATE INDEX deals_by_name ON deals(name COLLATE NOCASE, id) WHERE deleted = 0;
    CREATE INDEX deals_by_owner ON deals(owner COLLATE NOCASE, status) WHERE deleted = 0;

    CREATE TABLE deal_contacts (
        id TEXT PRIMARY KEY,
        deal_id TEXT NOT NULL DEFAULT '',
        contact_id TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL DEFAULT '',
        owner TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        custom TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        clocks TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX deal_contacts_by_deal ON deal_contacts(deal_id);
    CREATE INDEX deal_contacts_by_contact ON deal_contacts(contact_id);

    CREATE TABLE stage_changes (
        id TEXT PRIMARY KEY,
        deal_id TEXT NOT NULL DEFAULT '',
        from_stage_id TEXT NOT NULL DEFAULT '',
        to_stage_id TEXT NOT NULL DEFAULT '',
        changed_at INTEGER NOT NULL DEFAULT 0,
        owner TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        custom TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        clocks TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX stage_changes_by_deal ON stage_changes(deal_id, changed_at);

    CREATE TABLE leads (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        company_name TEXT NOT NULL DEFAULT '',
        job_title TEXT NOT NULL DEFAULT '',
        lead_source TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'new',
        converted_contact_id TEXT NOT NULL DEFAULT '',
        converted_company_id TEXT NOT NULL DEFAULT '',
        converted_deal_id TEXT NOT NULL DEFAULT '',
        converted_at INTEGER,
        owner TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        custom TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        clocks TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX leads_by_name ON leads(name COLLATE NOCASE, id) WHERE deleted = 0;

    CREATE TABLE activities (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL DEFAULT 'note',
        subject TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        due_at INTEGER,
        priority TEXT NOT NULL DEFAULT '',
        done INTEGER NOT NULL DEFAULT 0,
        done_at INTEGER,
        direction TEXT NOT NULL DEFAULT '',
        disposition TEXT NOT NULL DEFAULT '',
        duration_seconds INTEGER,
        starts_at INTEGER,
        ends_at INTEGER,
        attendees TEXT NOT NULL DEFAULT '[]',
        contact_id TEXT NOT NULL DEFAULT '',
        company_id TEXT NOT NULL DEFAULT '',
        deal_id TEXT NOT NULL DEFAULT '',
        case_id TEXT NOT NULL DEFAULT '',
        lead_id TEXT NOT NULL DEFAULT '',
        owner TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        custom TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        clocks TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX activities_by_contact ON activities(contact_id) WHERE contact_id != '';
    CREATE INDEX activities_by_company ON activities(company_id) WHERE company_id != '';
    CREATE INDEX activities_by_deal ON activities(deal_id) WHERE deal_id != '';
    CREATE INDEX activities_by_case ON activities(case_id) WHERE case_id != '';
    CREATE INDEX activities_by_lead ON activities(lead_id) WHERE lead_id != '';
    CREATE INDEX activities_open_tasks ON activities(due_at) WHERE kind = 'task' AND done = 0;

    CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        subject TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'new',
        priority TEXT NOT NULL DEFAULT 'normal',
        channel TEXT NOT NULL DEFAULT '',
        queue TEXT NOT NULL DEFAULT '',
        contact_id TEXT NOT NULL DEFAULT '',
        company_id TEXT NOT NULL DEFAULT '',
        opened_at INTEGER,
        first_response_at INTEGER,
        resolved_at INTEGER,
        first_response_due_at INTEGER,
        resolution_due_at INTEGER,
        owner TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        custom TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        clocks TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX cases_by_status ON cases(status, priority);
    CREATE INDEX cases_by_contact ON cases(contact_id) WHERE contact_id != '';

    CREATE TABLE field_defs (
        id TEXT PRIMARY KEY,
        record_type TEXT NOT NULL DEFAULT '',
        key TEXT NOT NULL DEFAULT '',
        label TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT 'text',
        required INTEGER NOT NULL DEFAULT 0,
        choices TEXT NOT NULL DEFAULT '[]',
        link_type TEXT NOT NULL DEFAULT '',
        position INTEGER,
        owner TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        custom TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        clocks TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX field_defs_by_type ON field_defs(record_type, key);

    CREATE TABLE history (
        id INTEGER PRIMARY KEY,
        record_type TEXT NOT NULL, record_id TEXT NOT NULL, field TEXT NOT NULL,
        old_value TEXT, new_value TEXT, hlc TEXT NOT NULL, replica TEXT NOT NULL
    );
    CREATE INDEX history_by_record ON history(record_type, record_id, hlc);

    CREATE TABLE outbox_v2 (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        changes TEXT NOT NULL,   -- JSON {type, id, hlc, replica, fields: {field: value}}: one write
        count INTEGER NOT NULL
    );
    INSERT INTO outbox_v2(changes, count)
        SELECT json_object('type', record_type, 'id', record_id, 'hlc', hlc, 'replica', replica,
                           'fields', json_object(field, json(value))), 1
        FROM outbox ORDER BY seq;
    DROP TABLE outbox;
    ALTER TABLE outbox_v2 RENAME TO outbox;

    CREATE TABLE search_docs (
        rowid INTEGER PRIMARY KEY,
        record_type TEXT NOT NULL, record_id TEXT NOT NULL,
        UNIQUE (record_type, record_id)
    );
    CREATE VIRTUAL TABLE search_index USING fts5(
        title, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
    );
    )sql",
    // 3: saved views of the record tables (name, filter, columns, sort per record type), synced
    // like every other record.
    R"sql(
    CREATE TABLE saved_views (
        id TEXT PRIMARY KEY,
        record_type TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL DEFAULT '',
        filter TEXT NOT NULL DEFAULT '{}',
        columns TEXT NOT NULL DEFAULT '[]',
        sort TEXT NOT NULL DEFAULT '[]',
        owner TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        custom TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        clocks TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX saved_views_by_type ON saved_views(record_type, name COLLATE NOCASE, id) WHERE deleted = 0;
    )sql",
    // 4: contacts sort by email through an index, as they do by name: without one, sorting
    // 100,000 contacts read every whole row (144 ms in the browser; 3 ms a page with it).
    R"sql(
    CREATE INDEX contacts_by_email_sorted ON contacts(email COLLATE NOCASE, id) WHERE deleted = 0;
    )sql",
    // 5: history the same on every replica. One row per change (record, field, hlc, replica),
    // written whether the change wins or not, with the author the server logged; a creation's
    // value of a field is a row of its own (created = 1) once the field changed later, and old
    // values are read from the row before. The earlier rows (one per change that won on
    // arrival, with the old value) become change rows, and each field's oldest old value a
    // created row at the start.
    R"sql(
    CREATE TABLE history_v5 (
        record_type TEXT NOT NULL, record_id TEXT NOT NULL, field TEXT NOT NULL,
        value TEXT NOT NULL, hlc TEXT NOT NULL, replica TEXT NOT NULL,
        author TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (record_type, record_id, field, hlc, replica)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO history_v5(record_type, record_id, field, value, hlc, replica)
        SELECT record_type, record_id, field, coalesce(new_value, 'null'), hlc, replica FROM history;
    INSERT OR IGNORE INTO history_v5(record_type, record_id, field, value, hlc, replica, created)
        SELECT record_type, record_id, field, coalesce(old_value, 'null'), '', '', 1 FROM (
            SELECT record_type, record_id, field, old_value, min(hlc || ' ' || replica) FROM history
            GROUP BY record_type, record_id, field);
    DROP TABLE history;
    ALTER TABLE history_v5 RENAME TO history;
    )sql",
    // 6: the search index sets apart each character of Chinese, Japanese, Korean, Thai and Lao
    // (search.h): emptied here, and filled again from the records below.
    R"sql(
    DELETE FROM search_index;
    DELETE FROM search_docs;
    )sql",
};

Result<int> user_version(Db& db) {
    auto st = db.prepare("PRAGMA user_version");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    return static_cast<int>(st->integer(0));
}

}  // namespace

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

Result<int> migrate(Db& db) { return migrate_to(db, latest_schema_version()); }

Result<int> migrate_to(Db& db, int target) {
    auto version = user_version(db);
    if (!version) return version.error();
    if (*version > latest_schema_version())
        return Error{"", "this database has schema version " + std::to_string(*version) +
                             " but this build knows only up to " + std::to_string(latest_schema_version()) +
                             "; update the app (nothing was changed)"};
    const int start = *version;
    for (int v = start; v < target; ++v) {
        Tx tx(db);
        if (!tx.begun()) return tx.begun().error();
        if (auto s = db.exec(kMigrations[static_cast<size_t>(v)]); !s)
            return Error{"", "migration " + std::to_string(v + 1) + " failed: " + s.error().message};
        if (auto s = db.exec("PRAGMA user_version = " + std::to_string(v + 1)); !s) return s.error();
        // Version 2 brought the search index: fill it for the records that were already there.
        if (v + 1 == 2) {
            if (start > 0)
                if (auto s = reindex_all(db); !s) return Error{"", "migration 2 failed to index records: " + s.error().message};
            if (auto s = seed_defaults(db); !s) return Error{"", "migration 2 failed to seed the default pipeline: " + s.error().message};
        }
        if (v + 1 == 6 && start > 0)
            if (auto s = reindex_all(db); !s) return Error{"", "migration 6 failed to index records: " + s.error().message};
        if (auto s = tx.commit(); !s) return s.error();
    }
    return std::max(start, target);
}

}  // namespace crm
