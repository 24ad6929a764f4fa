#include "accounts.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <map>

#include "contacts.h"
#include "ids.h"
#include "sqlite_db.h"
#include "text.h"

namespace crm {
namespace {

constexpr size_t kMinPassword = 8;
constexpr size_t kMaxPassword = 1024;
constexpr size_t kMaxWorkspaceName = 100;
constexpr const char* kWrongCredentials = "the email or the password is not right";

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS accounts(
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS workspaces(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS members(
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  role TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  PRIMARY KEY(workspace_id, account_id));
CREATE INDEX IF NOT EXISTS members_by_account ON members(account_id, joined_at);
CREATE TABLE IF NOT EXISTS sessions(
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS invites(
  code_hash TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  created_by TEXT NOT NULL REFERENCES accounts(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_by TEXT);
PRAGMA user_version = 1;
)sql";

std::string random_token(size_t bytes) {
    std::string raw(bytes, '\0');
    randombytes_buf(raw.data(), raw.size());
    std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.size() - 1);  // the terminating NUL
    return out;
}

// Tokens carry 256 random bits, so a fast hash is enough: nobody can guess one from its hash.
std::string token_hash(const std::string& token) {
    unsigned char h[32];
    crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr, 0);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    return hex;
}

bool looks_like_token(const std::string& t) {
    return t.size() == 43 && std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

Refusal internal(const Error& e) { return {500, "the accounts database failed: " + e.to_string()}; }

}  // namespace

struct AccountStore::Impl {
    Db db;
    AccountOptions options;
    std::mutex db_mu;

    // argon2id takes 64 MiB and a few hundred ms per hash: at most two at a time (this server
    // has two cores), so a burst of sign-ins queues instead of exhausting memory.
    std::mutex hash_mu;
    std::condition_variable hash_cv;
    int hashing = 0;

    std::mutex throttle_mu;
    std::map<std::string, std::deque<int64_t>> failures;  // lowercased email -> failure times

    // Verified against when the email is unknown, so timing tells nothing; made on first need,
    // so starting the server does not wait for a password hash.
    std::once_flag dummy_once;
    std::string dummy_hash;

    const std::string& dummy() {
        std::call_once(dummy_once, [this] {
            auto h = hash_password(random_token(16));
            if (auto* s = std::get_if<std::string>(&h)) dummy_hash = *s;
        });
        return dummy_hash;
    }

    Impl(Db d, AccountOptions o) : db(std::move(d)), options(o) {}

    template <class F>
    auto with_hash_slot(F&& f) {
        {
            std::unique_lock lock(hash_mu);
            hash_cv.wait(lock, [&] { return hashing < 2; });
            ++hashing;
        }
        auto result = f();
        {
            std::lock_guard lock(hash_mu);
            --hashing;
        }
        hash_cv.notify_one();
        return result;
    }

    Outcome<std::string> hash_password(const std::string& password) {
        return with_hash_slot([&]() -> Outcome<std::string> {
            char out[crypto_pwhash_STRBYTES];
            if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                      crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
                return Refusal{503, "the server is out of memory for hashing passwords; try again in a moment", "unavailable"};
            return std::string(out);
        });
    }

    bool verify_password(const std::string& hash, const std::string& password) {
        return with_hash_slot([&] { return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0; });
    }

    // Refuses when this email had too many failed sign-ins lately.
    std::optional<Refusal> throttled(const std::string& email, int64_t now) {
        std::lock_guard lock(throttle_mu);
        auto it = failures.find(lower(email));
        if (it == failures.end()) return std::nullopt;
        auto& times = it->second;
        while (!times.empty() && times.front() <= now - options.failed_login_window_ms) times.pop_front();
        if (static_cast<int>(times.size()) < options.max_failed_logins) return std::nullopt;
        int64_t wait_s = (times.front() + options.failed_login_window_ms - now + 999) / 1000;
        return Refusal{429, "too many wrong passwords for this email; try again in " + std::to_string((wait_s + 59) / 60) + " min", "rate_limited"};
    }

    void note_failure(const std::string& email, int64_t now) {
        std::lock_guard lock(throttle_mu);
        auto& times = failures[lower(email)];
        times.push_back(now);
        while (static_cast<int>(times.size()) > options.max_failed_logins) times.pop_front();
    }

    void clear_failures(const std::string& email) {
        std::lock_guard lock(throttle_mu);
        failures.erase(lower(email));
    }

    // Callers hold db_mu.
    std::vector<WorkspaceInfo> workspaces_locked(const std::string& account_id) {
        std::vector<WorkspaceInfo> out;
        auto st = db.prepare(
            "SELECT w.id, w.name, m.role FROM members m JOIN workspaces w ON w.id = m.workspace_id "
            "WHERE m.account_id = ?1 ORDER BY m.joined_at, w.id");
        if (!st) return out;
        st->bind(1, account_id);
        while (true) {
            auto row = st->step();
            if (!row || !*row) break;
            out.push_back({st->text(0), st->text(1), st->text(2)});
        }
        return out;
    }

    // Callers hold db_mu and an open transaction when they need one.
    Outcome<std::string> new_session_locked(const std::string& account_id, const std::string& workspace_id, int64_t now) {
        std::string token = random_token(32);
        // Sessions expired for a whole lifetime are gone for good.
        if (auto purge = db.prepare("DELETE FROM sessions WHERE expires_at < ?1"))
            (void)purge->bind(1, now - options.session_ttl_ms).run();
        auto st = db.prepare("INSERT INTO sessions(token_hash, account_id, workspace_id, created_at, expires_at) VALUES(?1,?2,?3,?4,?5)");
        if (!st) return internal(st.error());
        if (auto s = st->bind(1, token_hash(token)).bind(2, account_id).bind(3, workspace_id).bind(4, now)
                         .bind(5, now + options.session_ttl_ms).run(); !s)
            return internal(s.error());
        return token;
    }

    SignedIn signed_in(std::string token, const std::string& account_id, const std::string& email,
                       const std::string& workspace_id, int64_t now) {
        SignedIn out;
        out.token = std::move(token);
        out.workspaces = workspaces_locked(account_id);
        out.session.account_id = account_id;
        out.session.email = email;
        out.session.expires_at = now + options.session_ttl_ms;
        for (const auto& w : out.workspaces)
            if (w.id == workspace_id) out.session.workspace = w;
        return out;
    }
};

AccountStore::AccountStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AccountStore::~AccountStore() = default;

Outcome<std::unique_ptr<AccountStore>> AccountStore::open(const std::string& path, AccountOptions options) {
    if (sodium_init() < 0) return Refusal{500, "libsodium could not start (no source of randomness?)"};
    auto db = Db::open(path);
    if (!db) return Refusal{500, "cannot open the accounts database " + path + ": " + db.error().to_string()};
    if (auto s = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"); !s)
        return internal(s.error());
    if (auto s = db->exec(kSchema); !s) return internal(s.error());
    auto impl = std::make_unique<Impl>(std::move(*db), options);
    return std::unique_ptr<AccountStore>(new AccountStore(std::move(impl)));
}

Outcome<SignedIn> AccountStore::sign_up(const std::string& email_in, const std::string& password, const std::string& workspace_name_in,
                                        const std::string& invite_code, int64_t now) {
    const std::string email = trim(email_in), workspace_name = trim(workspace_name_in);
    if (email.empty()) return Refusal{400, "email: is required", "invalid_value"};
    if (auto s = validate_email(email); !s) return Refusal{400, s.error().to_string(), "invalid_value"};
    if (password.size() < kMinPassword)
        return Refusal{400, "password: must be at least " + std::to_string(kMinPassword) + " characters", "invalid_value"};
    if (password.size() > kMaxPassword)
        return Refusal{400, "password: must be at most " + std::to_string(kMaxPassword) + " bytes", "invalid_value"};
    if (!invite_code.empty() && !workspace_name.empty())
        return Refusal{400, "give either workspace_name (a new workspace) or invite (join one), not both", "invalid_value"};
    if (invite_code.empty() && workspace_name.empty()) return Refusal{400, "workspace_name: is required (or an invite code)", "invalid_value"};
    if (workspace_name.size() > kMaxWorkspaceName)
        return Refusal{400, "workspace_name: must be at most " + std::to_string(kMaxWorkspaceName) + " characters", "invalid_value"};

    auto hash = impl_->hash_password(password);  // slow: outside the database lock
    if (auto* r = std::get_if<Refusal>(&hash)) return *r;

    std::lock_guard lock(impl_->db_mu);
    Db& db = impl_->db;
    Tx tx(db);
    if (!tx.begun()) return internal(tx.begun().error());
    auto exists = db.prepare("SELECT 1 FROM accounts WHERE email = ?1");
    if (!exists) return internal(exists.error());
    exists->bind(1, email);
    if (auto row = exists->step(); !row) return internal(row.error());
    else if (*row) return Refusal{409, "email: an account with " + email + " exists already; sign in instead", "email_taken"};

    std::string workspace_id, role;
    if (!invite_code.empty()) {
        auto inv = db.prepare("SELECT workspace_id, expires_at, used_by FROM invites WHERE code_hash = ?1");
        if (!inv) return internal(inv.error());
        inv->bind(1, token_hash(invite_code));
        auto row = inv->step();
        if (!row) return internal(row.error());
        if (!*row) return Refusal{403, "invite: this invite code is not known; ask for a new one", "unknown_invite"};
        if (!inv->is_null(2)) return Refusal{403, "invite: this invite code was used already; ask for a new one", "used_invite"};
        if (inv->integer(1) <= now) return Refusal{403, "invite: this invite code has expired; ask for a new one", "expired_invite"};
        workspace_id = inv->text(0);
        role = "member";
    } else {
        workspace_id = new_id();
        role = "owner";
        auto ws = db.prepare("INSERT INTO workspaces(id, name, created_at) VALUES(?1, ?2, ?3)");
        if (!ws) return internal(ws.error());
        if (auto s = ws->bind(1, workspace_id).bind(2, workspace_name).bind(3, now).run(); !s) return internal(s.error());
    }
    const std::string account_id = new_id();
    auto acc = db.prepare("INSERT INTO accounts(id, email, password_hash, created_at) VALUES(?1, ?2, ?3, ?4)");
    if (!acc) return internal(acc.error());
    if (auto s = acc->bind(1, account_id).bind(2, email).bind(3, std::get<std::string>(hash)).bind(4, now).run(); !s)
        return internal(s.error());
    auto mem = db.prepare("INSERT INTO members(workspace_id, account_id, role, joined_at) VALUES(?1, ?2, ?3, ?4)");
    if (!mem) return internal(mem.error());
    if (auto s = mem->bind(1, workspace_id).bind(2, account_id).bind(3, role).bind(4, now).run(); !s) return internal(s.error());
    if (!invite_code.empty()) {
        auto used = db.prepare("UPDATE invites SET used_by = ?1 WHERE code_hash = ?2");
        if (!used) return internal(used.error());
        if (auto s = used->bind(1, account_id).bind(2, token_hash(invite_code)).run(); !s) return internal(s.error());
    }
    auto token = impl_->new_session_locked(account_id, workspace_id, now);
    if (auto* r = std::get_if<Refusal>(&token)) return *r;
    if (auto s = tx.commit(); !s) return internal(s.error());
    return impl_->signed_in(std::get<std::string>(token), account_id, email, workspace_id, now);
}

Outcome<SignedIn> AccountStore::log_in(const std::string& email_in, const std::string& password, const std::string& workspace_id,
                                       int64_t now) {
    const std::string email = trim(email_in);
    if (email.empty()) return Refusal{400, "email: is required", "invalid_value"};
    if (password.empty()) return Refusal{400, "password: is required", "invalid_value"};
    if (password.size() > kMaxPassword) return Refusal{401, kWrongCredentials, "wrong_credentials"};
    if (auto r = impl_->throttled(email, now)) return *r;

    std::string account_id, stored_email, hash;
    {
        std::lock_guard lock(impl_->db_mu);
        auto st = impl_->db.prepare("SELECT id, email, password_hash FROM accounts WHERE email = ?1");
        if (!st) return internal(st.error());
        st->bind(1, email);
        auto row = st->step();
        if (!row) return internal(row.error());
        if (*row) {
            account_id = st->text(0);
            stored_email = st->text(1);
            hash = st->text(2);
        }
    }
    const bool known = !account_id.empty();
    const bool right = known ? impl_->verify_password(hash, password) : (impl_->verify_password(impl_->dummy(), password), false);
    if (!right) {
        impl_->note_failure(email, now);
        return Refusal{401, kWrongCredentials, "wrong_credentials"};
    }
    impl_->clear_failures(email);

    std::lock_guard lock(impl_->db_mu);
    auto workspaces = impl_->workspaces_locked(account_id);
    if (workspaces.empty()) return Refusal{403, "this account belongs to no workspace", "not_a_member"};
    std::string target = workspace_id.empty() ? workspaces.front().id : workspace_id;
    if (std::none_of(workspaces.begin(), workspaces.end(), [&](const WorkspaceInfo& w) { return w.id == target; }))
        return Refusal{403, "workspace_id: this account is not a member of workspace " + utf8_prefix(target, 64), "not_a_member"};
    auto token = impl_->new_session_locked(account_id, target, now);
    if (auto* r = std::get_if<Refusal>(&token)) return *r;
    return impl_->signed_in(std::get<std::string>(token), account_id, stored_email, target, now);
}

void AccountStore::log_out(const std::string& token) {
    std::lock_guard lock(impl_->db_mu);
    if (auto st = impl_->db.prepare("DELETE FROM sessions WHERE token_hash = ?1")) (void)st->bind(1, token_hash(token)).run();
}

Outcome<Session> AccountStore::authenticate(const std::string& token, int64_t now) {
    if (token.empty()) return Refusal{401, "sign in first: this request needs an Authorization: Bearer <token> header", "missing_token"};
    if (!looks_like_token(token)) return Refusal{401, "the session token is malformed; sign in again", "malformed_token"};
    const std::string key = token_hash(token);
    std::lock_guard lock(impl_->db_mu);
    Db& db = impl_->db;
    auto st = db.cached(
        "SELECT s.account_id, a.email, s.workspace_id, w.name, m.role, s.expires_at FROM sessions s "
        "JOIN accounts a ON a.id = s.account_id JOIN workspaces w ON w.id = s.workspace_id "
        "JOIN members m ON m.workspace_id = s.workspace_id AND m.account_id = s.account_id WHERE s.token_hash = ?1");
    if (!st) return internal(st.error());
    Stmt& q = **st;
    q.bind(1, key);
    auto row = q.step();
    if (!row) return internal(row.error());
    if (!*row) return Refusal{401, "this session is not known (signed out, or never issued); sign in again", "unknown_token"};
    Session s{q.text(0), q.text(1), {q.text(2), q.text(3), q.text(4)}, q.integer(5)};
    q.reset();
    // Kept (until purged at a later sign-in) so that it keeps saying "expired", not "unknown".
    if (s.expires_at <= now) return Refusal{401, "this session has expired; sign in again", "expired_token"};
    // A session in use stays alive: extend it, at most once a day so reads do not all write.
    if (s.expires_at - now < impl_->options.session_ttl_ms - std::min<int64_t>(impl_->options.session_ttl_ms / 2, 24LL * 3600 * 1000)) {
        s.expires_at = now + impl_->options.session_ttl_ms;
        if (auto up = db.prepare("UPDATE sessions SET expires_at = ?1 WHERE token_hash = ?2"))
            (void)up->bind(1, s.expires_at).bind(2, key).run();
    }
    return s;
}

std::vector<WorkspaceInfo> AccountStore::workspaces_of(const std::string& account_id) {
    std::lock_guard lock(impl_->db_mu);
    return impl_->workspaces_locked(account_id);
}

Outcome<Invite> AccountStore::create_invite(const Session& session, int64_t now) {
    Invite inv{random_token(32), now + impl_->options.invite_ttl_ms};
    std::lock_guard lock(impl_->db_mu);
    auto st = impl_->db.prepare(
        "INSERT INTO invites(code_hash, workspace_id, created_by, created_at, expires_at) VALUES(?1, ?2, ?3, ?4, ?5)");
    if (!st) return internal(st.error());
    if (auto s = st->bind(1, token_hash(inv.code)).bind(2, session.workspace.id).bind(3, session.account_id).bind(4, now)
                     .bind(5, inv.expires_at).run(); !s)
        return internal(s.error());
    return inv;
}

}  // namespace crm
