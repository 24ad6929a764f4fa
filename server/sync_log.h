#pragma once
// The server's change log, in a compact layout of its own (the shared schema's change_log and
// batches tables stay empty on the server). One row per run of consecutive changes that share
// record, stamp and replica (one edit: a new contact's 13 fields are one row), keyed by the
// sequence number of its last change:
//
//   sync_log(last_seq, type, record_id, hlc, replica, fields, vals, author)
//     type, replica   ids in sync_names
//     record_id       the 32 hex digits as 16 bytes
//     hlc             wall_ms * 100000 + counter (integer order is clock order)
//     fields          the run's field names as sync_names ids, one varint each
//     vals            the run's values as one JSON array, in order
//     author          who pushed the run: the account's email as a sync_names id (0: none,
//                     for the seed and for runs logged before authors were recorded)
//   sync_names(id, name)                           record types, fields, replica ids, authors
//   sync_batches(batch_id, last_seq, received_at, digest)
//                                                  every batch applied, for idempotent pushes;
//                                                  digest: batch_digest() of its changes (null
//                                                  for batches logged before digests were kept)
//
// Sequence numbers are those the wire protocol shows: the run's changes hold last_seq - n + 1
// to last_seq. Reading turns rows back into the changes that came in, byte for byte the same
// JSON values.
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "result.h"
#include "sqlite_db.h"
#include "sync.h"
#include "sync_store.h"

namespace crm {

// Brings a workspace database (already at the shared schema's latest version) to the server's
// log layout: creates the tables, or moves a log in the earlier layout (change_log and batches,
// one row per change) into them, marks it merged (the earlier server merged every batch
// before answering), and empties the search index, which the server no longer keeps (snapshots
// build theirs). One transaction; returns how many changes were moved.
Result<int64_t> migrate_log(Db& db);

inline constexpr size_t kBatchDigestBytes = 16;
// A digest (BLAKE2b, 16 bytes) of a batch's content: every change's type, id, field, value, hlc
// and replica, in order (not the author: the same batch pushed again by another session is the
// same batch). A batch id that comes back with another digest is a different batch.
std::string batch_digest(const std::vector<Change>& changes);

// Interned names and the log's reads and writes. Safe to share between the threads of one store:
// each call takes the connection to use.
class SyncLog {
public:
    // Loads the interned names (after migrate_log).
    Status load(Db& db);
    // Interns the types, fields and replicas of `changes` not seen before, in a transaction of its
    // own (a name kept from a batch that then fails does no harm). Call outside a transaction.
    Status intern(Db& db, const std::vector<Change>& changes);
    // Appends `changes` (all interned) as sequence numbers first_seq, first_seq + 1, ...; the
    // caller holds the transaction.
    Status append(Db& db, const std::vector<Change>& changes, int64_t first_seq);
    // The changes after `after`, in order, at most `limit`; `more` tells whether others follow.
    // With `whole_runs`, stops only at the end of a run (an edit is never split), so it may
    // return up to one run more than `limit`.
    Status read(Db& db, int64_t after, int64_t limit, bool whole_runs, std::vector<LoggedChange>& out, bool& more);
    // The last sequence number in the log (0 when empty).
    static Result<int64_t> last_seq(Db& db);

private:
    Result<int64_t> id_of(const std::string& name) const;  // caller holds mu_
    std::mutex mu_;
    std::unordered_map<std::string, int64_t> ids_;
    std::unordered_map<int64_t, std::string> names_;
};

}  // namespace crm
