#include "sqlite_db.h"

#include <sqlite3.h>

#include <map>
#include <mutex>

namespace crm {
namespace {

// Connections whose file SQLite found damaged (SQLITE_CORRUPT, SQLITE_NOTADB), with its message.
std::mutex g_damage_mu;
std::map<const sqlite3*, std::string>& damaged() {
    static std::map<const sqlite3*, std::string> m;
    return m;
}

void note_damage(sqlite3* db, int rc) {
    const int primary = rc & 0xff;
    if (!db || (primary != SQLITE_CORRUPT && primary != SQLITE_NOTADB)) return;
    std::lock_guard lock(g_damage_mu);
    damaged().emplace(db, sqlite3_errmsg(db));
}

void forget_damage(const sqlite3* db) {
    if (!db) return;
    std::lock_guard lock(g_damage_mu);
    damaged().erase(db);
}

}  // namespace

std::string Db::damage() const {
    std::lock_guard lock(g_damage_mu);
    auto it = damaged().find(db_);
    return it == damaged().end() ? std::string() : it->second;
}

Result<Db> Db::open(const std::string& path) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close(db);
        return Error{"", "cannot open database '" + path + "': " + msg};
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_extended_result_codes(db, 1);
    return Db(db);
}

Result<Db> Db::open_image(std::string_view image) {
    auto db = open(":memory:");
    if (!db) return db.error();
    auto* data = reinterpret_cast<unsigned char*>(const_cast<char*>(image.data()));
    const auto size = static_cast<sqlite3_int64>(image.size());
    if (int rc = sqlite3_deserialize(db->db_, "main", data, size, size, SQLITE_DESERIALIZE_READONLY); rc != SQLITE_OK)
        return Error{"", "cannot read the database image: " + std::string(sqlite3_errstr(rc))};
    return db;
}

Status Db::copy_from(Db& source) {
    sqlite3_backup* backup = sqlite3_backup_init(db_, "main", source.db_, "main");
    if (!backup) return Error{"", "cannot start copying the database: " + std::string(sqlite3_errmsg(db_))};
    const int rc = sqlite3_backup_step(backup, -1);
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) return Error{"", "copying the database failed: " + std::string(sqlite3_errstr(rc))};
    return ok();
}

Db::Db(sqlite3* db) : db_(db), cache_(std::make_unique<std::map<std::string, Stmt, std::less<>>>()) {}
Db::Db(Db&& other) noexcept : db_(other.db_), cache_(std::move(other.cache_)) { other.db_ = nullptr; }
Db& Db::operator=(Db&& other) noexcept {
    if (this != &other) {
        cache_.reset();  // statements are finalized before their connection closes
        forget_damage(db_);
        sqlite3_close_v2(db_);
        db_ = other.db_;
        cache_ = std::move(other.cache_);
        other.db_ = nullptr;
    }
    return *this;
}
Db::~Db() {
    cache_.reset();
    forget_damage(db_);
    sqlite3_close_v2(db_);
}

Result<Stmt*> Db::cached(const std::string& sql) {
    auto it = cache_->find(sql);
    if (it == cache_->end()) {
        auto st = prepare(sql);
        if (!st) return st.error();
        it = cache_->emplace(sql, std::move(*st)).first;
    } else {
        it->second.reset();
    }
    return &it->second;
}

Status Db::exec(std::string_view sql) {
    std::string copy(sql);
    char* err = nullptr;
    if (int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &err); rc != SQLITE_OK) {
        note_damage(db_, rc);
        std::string msg = err ? err : sqlite3_errmsg(db_);
        sqlite3_free(err);
        return Error{"", "database error: " + msg};
    }
    return ok();
}

Result<Stmt> Db::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    if (int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr); rc != SQLITE_OK) {
        note_damage(db_, rc);
        return Error{"", "database error: " + std::string(sqlite3_errmsg(db_))};
    }
    return Stmt(stmt, db_);
}

int64_t Db::changes() const { return sqlite3_changes64(db_); }
std::string Db::last_error() const { return sqlite3_errmsg(db_); }

Stmt::Stmt(Stmt&& other) noexcept : stmt_(other.stmt_), db_(other.db_) { other.stmt_ = nullptr; }
Stmt& Stmt::operator=(Stmt&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(stmt_);
        stmt_ = other.stmt_;
        db_ = other.db_;
        other.stmt_ = nullptr;
    }
    return *this;
}
Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
}
Stmt& Stmt::bind(int index, int64_t number) {
    sqlite3_bind_int64(stmt_, index, number);
    return *this;
}
Stmt& Stmt::bind(int index, double number) {
    sqlite3_bind_double(stmt_, index, number);
    return *this;
}
Stmt& Stmt::bind_blob(int index, std::string_view bytes) {
    sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    return *this;
}
Stmt& Stmt::bind_null(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
}

Result<bool> Stmt::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    note_damage(db_, rc);
    return Error{"", "database error: " + std::string(sqlite3_errmsg(db_))};
}

Status Stmt::run() {
    for (;;) {
        auto r = step();
        if (!r) return r.error();
        if (!*r) break;
    }
    reset();
    return ok();
}

void Stmt::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

namespace {
void (*g_text_observer)(std::string_view) = nullptr;
}  // namespace

void set_text_observer(void (*observer)(std::string_view text)) { g_text_observer = observer; }

std::string Stmt::text(int column) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    if (!p) return std::string();
    std::string_view text(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
    if (g_text_observer) g_text_observer(text);
    return std::string(text);
}
std::string_view Stmt::blob(int column) const {
    auto p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))) : std::string_view();
}
int64_t Stmt::integer(int column) const { return sqlite3_column_int64(stmt_, column); }
double Stmt::real(int column) const { return sqlite3_column_double(stmt_, column); }
bool Stmt::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

Tx::Tx(Db& db) : db_(db), begun_(db.exec("BEGIN IMMEDIATE")) {}
Tx::~Tx() {
    if (begun_ && !done_) (void)db_.exec("ROLLBACK");
}
Status Tx::commit() {
    if (!begun_) return begun_.error();
    auto s = db_.exec("COMMIT");
    if (s) done_ = true;
    return s;
}

}  // namespace crm
