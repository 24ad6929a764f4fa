#pragma once
// Field-level changes and their merge. Every edit to a synced record becomes one Change per
// field, stamped with a hybrid logical clock and the id of the replica that made it. The merge
// keeps, per field, the change with the highest (hlc, replica): the same on every replica,
// whatever the order changes arrive in. See docs/sync-protocol.md.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.h"
#include "sqlite_db.h"

namespace crm {

inline constexpr size_t kMaxBatchChanges = 5000;       // changes in one push
inline constexpr size_t kMaxRequestBytes = 8 << 20;    // bytes in one request body
inline constexpr int64_t kMaxClockDriftMs = 60'000;    // how far ahead of the server a stamp may be
inline constexpr int kMaxCustomValueDepth = 8;         // lists nested in a custom field's value

struct Change {
    std::string record_type;  // "contact"
    std::string record_id;    // 32 hex digits
    std::string field;        // "name"
    nlohmann::json value;     // text, whole number or true/false, as the field's kind says
    std::string hlc;          // Hlc::encode()
    std::string replica;      // id of the replica that made the change
    // The account that pushed it, as the server logged it (its email); "" for a change not yet
    // logged, the server's seed, or one logged before the server recorded authors. Not part of
    // the merge: the same change carries the same author on every replica once pulled.
    std::string author;

    // The change as it travels; `author` only when known (pull answers carry it).
    nlohmann::json to_json() const;
    bool operator==(const Change&) const = default;
};

// Parses and validates one change; errors name the offending member. An optional `author`
// (a string, as pulls carry it) is read too.
Result<Change> parse_change(const nlohmann::json& j);
// Checks one change's members: a known type and field, ids of 32 hex digits, a valid stamp, a
// value of the field's kind. Errors name the offending member, as parse_change's do.
Status check_change(const Change& c);
// Parses a JSON array of changes, all or nothing; errors say which element ("changes[3].field: ...").
Result<std::vector<Change>> parse_changes(const nlohmann::json& j, size_t max_changes = kMaxBatchChanges);

// The stamp ("hlc replica") that last wrote `field` of a row, from its clocks column; rows from
// before per-field clocks hold their creation's stamp under "". Empty when none wrote it.
std::string field_stamp(const nlohmann::json& clocks, const std::string& field);
// A row's `clocks` column. In memory: {"field": "<hlc> <replica>", ...}. Stored, a stamp that
// several fields share is written once: {"@": ["<hlc> <replica>", ...], "field": 0, ...}, each
// number indexing "@" (a new contact's nine fields carry one stamp: ~190 bytes, not ~640).
// Rows stored in the plain form read the same; unreadable text reads as no clocks.
nlohmann::json parse_clocks(std::string_view text);
std::string dump_clocks(const nlohmann::json& clocks);

// The replica id of the records every workspace starts with (seed_changes() in schema.h).
inline constexpr const char* kSeedReplica = "00000000000000000000000000000000";

// Merges changes into the records (caller holds the transaction): per field, the highest
// (hlc, replica) wins; a change that loses, or was seen before, changes nothing.
// Each change also goes into the `history` table, one row per (record, field, hlc, replica),
// whether it wins or not: a change made after the record's creation, with its author (filled
// in when the change comes back from the server with one), and the creation's value of a field
// once a later change of it is known (created = 1). The rows depend only on the set of changes
// merged, not on their order, so every replica that has seen the same changes (a snapshot's
// included) holds the same history, also when an edit's changes arrive apart (a creation's
// created_at arriving after its other fields turns their rows into the creation's).
// Returns how many changes won.
// Index updates go into `search` when given (the caller flushes it), else are written at the end.
Result<int64_t> apply_changes(Db& db, const std::vector<Change>& changes, class SearchBatch* search = nullptr);
// The same merge, leaving the search index alone: for the sync server, which keeps no index
// (snapshots build theirs).
Result<int64_t> apply_changes_unindexed(Db& db, const std::vector<Change>& changes);

}  // namespace crm
