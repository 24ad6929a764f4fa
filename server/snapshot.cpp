#include "snapshot.h"

#include <sodium.h>
#include <sqlite3.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "hlc.h"
#include "ids.h"
#include "search.h"
#include "sqlite_db.h"
#include "sync_log.h"

namespace crm {
namespace {

// Compresses `in_path` to `out_path`; `sha256_hex` gets the SHA-256 of the uncompressed bytes.
Status gzip_file(const std::string& in_path, const std::string& out_path, std::string& sha256_hex) {
    std::ifstream in(in_path, std::ios::binary);
    if (!in) return Error{"", "cannot read " + in_path};
    gzFile out = gzopen(out_path.c_str(), "wb6");
    if (!out) return Error{"", "cannot write " + out_path};
    crypto_hash_sha256_state hash;
    crypto_hash_sha256_init(&hash);
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        std::streamsize n = in.gcount();
        if (n <= 0) continue;
        crypto_hash_sha256_update(&hash, reinterpret_cast<const unsigned char*>(buf.data()), static_cast<unsigned long long>(n));
        if (gzwrite(out, buf.data(), static_cast<unsigned>(n)) != n) {
            gzclose(out);
            return Error{"", "cannot write " + out_path + " (disk full?)"};
        }
    }
    if (gzclose(out) != Z_OK) return Error{"", "cannot finish " + out_path + " (disk full?)"};
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&hash, digest);
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    sha256_hex = hex;
    return ok();
}

}  // namespace

Status gunzip(const std::string& in, std::string& out) {
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Error{"", "cannot start decompressing"};
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    std::vector<char> buf(1 << 20);
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(buf.data());
        z.avail_out = static_cast<uInt>(buf.size());
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buf.data(), buf.size() - z.avail_out);
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END) return Error{"", "the stored snapshot is not valid gzip"};
    return ok();
}

Result<Snapshot> write_snapshot(const std::string& source, const std::string& out_path) {
    std::error_code ec;
    std::filesystem::remove(out_path, ec);
    {
        auto src = Db::open(source);
        if (!src) return src.error();
        auto dst = Db::open(out_path);
        if (!dst) return dst.error();
        // One step copies every page inside one read transaction: a consistent picture, while
        // pushes go on in WAL mode beside it.
        sqlite3_backup* backup = sqlite3_backup_init(dst->handle(), "main", src->handle(), "main");
        if (!backup) return Error{"", "cannot start copying the workspace: " + dst->last_error()};
        int rc = sqlite3_backup_step(backup, -1);
        sqlite3_backup_finish(backup);
        if (rc != SQLITE_DONE) return Error{"", "copying the workspace failed: " + std::string(sqlite3_errstr(rc))};
    }
    auto db = Db::open(out_path);
    if (!db) return db.error();
    if (auto s = db->exec("PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF;"); !s) return s.error();
    Snapshot snap;
    std::string clock;
    {
        // The records may be a little behind the log (the server merges in the background): merge
        // the rest into the copy, so it holds everything up to the log's end.
        SyncLog log;
        if (auto s = log.load(*db); !s) return s.error();
        auto merged = db->prepare("SELECT coalesce((SELECT value FROM meta WHERE key = 'merged_seq'), '0'), "
                                  "(SELECT value FROM meta WHERE key = 'epoch'), "
                                  "(SELECT coalesce(max(last_seq), 0) FROM sync_log), (SELECT max(hlc) FROM sync_log)");
        if (!merged) return merged.error();
        if (auto r = merged->step(); !r) return r.error();
        int64_t from = std::stoll(merged->text(0));
        snap.epoch = merged->text(1);
        snap.cursor = merged->integer(2);
        if (!merged->is_null(3)) {
            const int64_t h = merged->integer(3);
            clock = Hlc{h / 100000, static_cast<uint32_t>(h % 100000)}.encode();
        }
        merged->reset();
        Tx tx(*db);
        if (!tx.begun()) return tx.begun().error();
        while (from < snap.cursor) {
            std::vector<LoggedChange> logged;
            bool more = false;
            if (auto s = log.read(*db, from, 5000, true, logged, more); !s) return s.error();
            if (logged.empty()) break;
            std::vector<Change> changes;
            for (auto& l : logged) changes.push_back(std::move(l.change));
            if (auto r = apply_changes_unindexed(*db, changes); !r) return r.error();
            from = logged.back().seq;
        }
        // The server keeps no search index; a device searches from the start.
        if (auto s = reindex_all(*db); !s) return s.error();
        if (auto s = tx.commit(); !s) return s.error();
    }
    {
        // What a client's database says after pulling up to `cursor`; it makes its own replica id.
        if (auto s = db->exec("BEGIN; DROP TABLE sync_log; DROP TABLE sync_names; DROP TABLE sync_batches; "
                              "DELETE FROM change_log; DELETE FROM batches; DELETE FROM outbox; "
                              "DELETE FROM meta WHERE key IN ('epoch', 'replica_id', 'cursor', 'clock', 'server_epoch', 'clock_offset', "
                              "'merged_seq', 'log_layout');");
            !s)
            return s.error();
        auto meta = db->prepare("INSERT INTO meta(key, value) VALUES('cursor', ?1), ('server_epoch', ?2), ('clock', ?3)");
        if (!meta) return meta.error();
        if (auto s = meta->bind(1, std::to_string(snap.cursor)).bind(2, snap.epoch).bind(3, clock).run(); !s) return s.error();
        if (auto s = db->exec("COMMIT; VACUUM;"); !s) return s.error();
        // Checked here, once, so that a device which verifies the checksum need not.
        auto check = db->prepare("PRAGMA quick_check");
        if (!check) return check.error();
        auto row = check->step();
        if (!row) return row.error();
        if (check->text(0) != "ok") return Error{"", "the snapshot made is damaged: " + check->text(0)};
    }
    snap.size = static_cast<int64_t>(std::filesystem::file_size(out_path, ec));
    snap.gz_path = out_path + ".gz";
    if (auto s = gzip_file(out_path, snap.gz_path, snap.sha256); !s) return s.error();
    std::filesystem::remove(out_path, ec);
    return snap;
}

Result<Snapshot> SnapshotCache::get(int64_t latest) {
    std::lock_guard lock(mu_);
    const bool fresh = !current_.gz_path.empty() && latest - current_.cursor <= std::max<int64_t>(1000, current_.cursor / 10);
    if (fresh) return current_;
    std::error_code ec;
    // Files of an earlier run of the server (or of one killed while making a snapshot) are
    // never served again: remove them before making this run's first.
    if (current_.gz_path.empty()) std::filesystem::remove_all(folder_, ec);
    std::filesystem::create_directories(folder_, ec);
    auto made = write_snapshot(source_, folder_ + "/" + new_id() + ".db");
    if (!made) return made.error();
    if (!current_.gz_path.empty()) std::filesystem::remove(current_.gz_path, ec);
    current_ = *made;
    return current_;
}

}  // namespace crm
