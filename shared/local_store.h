#pragma once
// A replica's local workspace: the SQLite database in the browser (or a test), the replica's
// id and clock, and the outbox of changes not yet acknowledged by the server.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "contacts.h"
#include "hlc.h"
#include "result.h"
#include "sqlite_db.h"
#include "sync.h"

namespace crm {

struct OutboxBatch {
    std::string batch_id;  // the same for the same outbox rows, so a retried push is deduplicated
    std::vector<Change> changes;
    int64_t last_seq = 0;  // ack_batch(last_seq) removes these rows once the server has them
};

class LocalStore {
public:
    // Opens or creates the database at `path`, runs migrations, and loads (or makes) the replica id.
    static Result<LocalStore> open(const std::string& path);

    const std::string& replica_id() const { return replica_id_; }
    Db& db() { return db_; }

    // Validates and creates a contact: the record and its changes in the outbox, in one transaction.
    // On invalid input, returns the first problem and writes nothing.
    Result<Contact> create_contact(const ContactInput& input, int64_t now_ms);
    // Every contact that is not deleted, by name.
    Result<std::vector<Contact>> list_contacts();

    // Number of changes waiting to be pushed.
    Result<int64_t> outbox_size();
    // The oldest unpushed changes, at most `max_changes`; nullopt when the outbox is empty.
    Result<std::optional<OutboxBatch>> next_batch(size_t max_changes = kMaxBatchChanges);
    // Drops the outbox rows up to `last_seq` once the server has acknowledged them.
    Status ack_batch(int64_t last_seq);

    // The server cursor: every change up to it has been pulled and merged.
    Result<int64_t> cursor();
    // Merges pulled changes and advances the cursor, in one transaction.
    Status apply_pulled(const std::vector<Change>& changes, int64_t cursor, int64_t now_ms);

private:
    LocalStore(Db db, std::string replica_id, HlcClock clock)
        : db_(std::move(db)), replica_id_(std::move(replica_id)), clock_(clock) {}
    Result<std::string> meta(const std::string& key);
    Status set_meta(const std::string& key, const std::string& value);

    Db db_;
    std::string replica_id_;
    HlcClock clock_;
};

}  // namespace crm
