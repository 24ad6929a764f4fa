#pragma once
// A workspace as one SQLite file for a new device to start from: its records, their clocks,
// their history and the search index as of a log position, without the log. A browser that
// would otherwise pull and merge every change since the workspace began downloads this file,
// opens it as its local database and pulls only what came after.
#include <cstdint>
#include <mutex>
#include <string>

#include "result.h"

namespace crm {

struct Snapshot {
    std::string gz_path;  // the database file, gzip-compressed
    int64_t cursor = 0;   // the log position it holds everything up to
    std::string epoch;    // the log's epoch
    int64_t size = 0;     // bytes once unzipped, for a client's progress bar (X-Crm-Size)
    std::string sha256;   // of the unzipped file, hex (X-Crm-Sha256): a client that checks it
                          // can skip checking the database's structure itself
};

// Copies the workspace database at `source` (read in one consistent transaction, alongside
// writers) into `out_path`, strips the log, records the cursor, epoch and latest clock as a
// client's database would, checks it (PRAGMA quick_check), and compresses it to
// `out_path + ".gz"`, noting the SHA-256 of the uncompressed file.
Result<Snapshot> write_snapshot(const std::string& source, const std::string& out_path);

// Inflates gzip data, for clients that do not accept gzip.
Status gunzip(const std::string& in, std::string& out);

// One workspace's latest snapshot, remade when the log has grown well past it.
class SnapshotCache {
public:
    SnapshotCache(std::string source, std::string folder) : source_(std::move(source)), folder_(std::move(folder)) {}
    // The current snapshot, making a new one first when none exists or `latest` is more than
    // 10% (and 1,000 changes) past it. Concurrent callers wait for the same one.
    Result<Snapshot> get(int64_t latest);

private:
    std::string source_, folder_;
    std::mutex mu_;
    Snapshot current_;
};

}  // namespace crm
