#include "accounts.h"

#include <arpa/inet.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <condition_variable>
#include <optional>

#include "contacts.h"
#include "ids.h"
#include "password_policy.h"
#include "sqlite_db.h"
#include "text.h"

namespace crm {
namespace {

constexpr size_t kMaxWorkspaceName = 100;

// What is wrong with a workspace name, shown to everyone invited to it: too long (in characters),
// not UTF-8, or holding control characters (line breaks, NUL, bell) or the invisible marks that
// turn the direction of text around (U+202A-U+202E, U+2066-U+2069), which can disguise it.
std::optional<std::string> workspace_name_problem(const std::string& name) {
    auto length = utf8_length(name);
    if (!length) return "is not valid UTF-8";
    if (*length > kMaxWorkspaceName) return "must be at most " + std::to_string(kMaxWorkspaceName) + " characters";
    for (size_t i = 0; i < name.size();) {
        const auto b = static_cast<unsigned char>(name[i]);
        const size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        uint32_t cp = n == 1 ? b : b & (0x7F >> n);
        for (size_t k = 1; k < n && i + k < name.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(name[i + k]) & 0x3F);
        i += n;
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return "must be one line of text without control characters";
        if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
            return "must not hold marks that change the direction of text (U+202A-U+202E, U+2066-U+2069)";
    }
    return std::nullopt;
}
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
-- Sign-in, sign-up and invite attempts, each counted against a limit within a window. A row is
-- written before the password is hashed (a reservation), so concurrent requests cannot all
-- pass the count; it stays as a failure unless the attempt succeeds.
CREATE TABLE IF NOT EXISTS attempts(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_by_key ON attempts(kind, key, at);
PRAGMA user_version = 2;
)sql";

// What the attempts table counts, by `kind`.
constexpr const char* kLoginByEmail = "login_email";      // key: the email, lowercased
constexpr const char* kLoginByAddress = "login_address";  // key: the client's address
constexpr const char* kSignUpByAddress = "signup_address";
constexpr const char* kInviteByAddress = "invite_address";

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

std::string minutes(int64_t seconds) {
    const int64_t m = (seconds + 59) / 60;
    return std::to_string(m) + (m == 1 ? " minute" : " minutes");
}

// What an address is counted as. One IPv6 network (a /64) is usually one household or one
// machine's whole range, so its addresses count together; an IPv4-mapped IPv6 address counts as
// the IPv4 address. Anything else is bounded so that a strange value cannot bloat the table.
std::string address_key(const std::string& address) {
    if (address.empty()) return "unknown";
    unsigned char v6[16];
    if (address.find(':') != std::string::npos && inet_pton(AF_INET6, address.c_str(), v6) == 1) {
        static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        char text[64];
        if (std::equal(kMapped, kMapped + 12, v6)) {
            std::snprintf(text, sizeof text, "%u.%u.%u.%u", v6[12], v6[13], v6[14], v6[15]);
        } else {
            std::snprintf(text, sizeof text, "%x:%x:%x:%x::/64", v6[0] << 8 | v6[1], v6[2] << 8 | v6[3], v6[4] << 8 | v6[5],
                          v6[6] << 8 | v6[7]);
        }
        return text;
    }
    return address.substr(0, 64);
}

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

    int64_t attempts_recorded = 0;  // since the last purge of old attempts (under db_mu)

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

    // The attempts of `kind` by `key` within `window_ms`: nullopt while fewer than `max` (or the
    // limit is off), else how many seconds until one of them leaves the window. Callers hold db_mu.
    Outcome<std::optional<int64_t>> over_limit_locked(const char* kind, const std::string& key, int max, int64_t window_ms, int64_t now) {
        if (max <= 0) return std::optional<int64_t>();
        auto st = db.cached("SELECT at FROM attempts WHERE kind = ?1 AND key = ?2 AND at > ?3 ORDER BY at DESC LIMIT 1 OFFSET ?4");
        if (!st) return internal(st.error());
        Stmt& q = **st;
        q.bind(1, kind).bind(2, key).bind(3, now - window_ms).bind(4, static_cast<int64_t>(max - 1));
        auto row = q.step();
        if (!row) return internal(row.error());
        if (!*row) {
            q.reset();
            return std::optional<int64_t>();
        }
        // The max-th newest attempt: once it is out of the window, one more is allowed.
        const int64_t at = q.integer(0);
        q.reset();
        return std::optional<int64_t>(std::max<int64_t>(1, (at + window_ms - now + 999) / 1000));
    }

    // Counts an attempt; returns its row id. Callers hold db_mu.
    Outcome<int64_t> record_locked(const char* kind, const std::string& key, int64_t now) {
        // Attempts older than every window are forgotten now and then.
        if (++attempts_recorded >= 1000) {
            attempts_recorded = 0;
            const int64_t longest = std::max({options.failed_login_window_ms, options.sign_up_window_ms, options.failed_invite_window_ms});
            if (auto purge = db.prepare("DELETE FROM attempts WHERE at <= ?1")) (void)purge->bind(1, now - longest).run();
        }
        auto st = db.cached("INSERT INTO attempts(kind, key, at) VALUES(?1, ?2, ?3) RETURNING id");
        if (!st) return internal(st.error());
        Stmt& q = **st;
        auto row = q.bind(1, kind).bind(2, key).bind(3, now).step();
        if (!row) return internal(row.error());
        const int64_t id = *row ? q.integer(0) : 0;
        q.reset();
        return id;
    }

    // Callers hold db_mu.
    void forget_locked(int64_t attempt_id) {
        if (auto st = db.cached("DELETE FROM attempts WHERE id = ?1")) (void)(*st)->bind(1, attempt_id).run();
    }

    Outcome<int64_t> clear_locked(const char* kind, const std::string& key) {
        auto st = db.prepare("DELETE FROM attempts WHERE kind = ?1 AND key = ?2");
        if (!st) return internal(st.error());
        if (auto r = st->bind(1, kind).bind(2, key).run(); !r) return internal(r.error());
        return db.changes();
    }

    // Refuses with 429 when the invite guesses from this address are over their limit. Callers hold db_mu.
    std::optional<Refusal> invites_throttled_locked(const std::string& address, int64_t now) {
        auto over = over_limit_locked(kInviteByAddress, address, options.max_failed_invites_per_address, options.failed_invite_window_ms, now);
        if (auto* r = std::get_if<Refusal>(&over)) return *r;
        if (auto wait = std::get<std::optional<int64_t>>(over))
            return Refusal{429, "invite: too many unknown, used or expired invite codes from this address; try again in " + minutes(*wait),
                           "rate_limited", *wait};
        return std::nullopt;
    }

    // The workspace an invite code lets an account join; a 403 when it is unknown, used or
    // expired, which counts against the address. The account that used it (`account_id`) may
    // give it again, to sign in to that workspace on another device. Callers hold db_mu.
    Outcome<std::string> invited_workspace_locked(const std::string& code, const std::string& address, int64_t now,
                                                  const std::string& account_id = "") {
        auto inv = db.prepare("SELECT workspace_id, expires_at, used_by FROM invites WHERE code_hash = ?1");
        if (!inv) return internal(inv.error());
        inv->bind(1, token_hash(code));
        auto row = inv->step();
        if (!row) return internal(row.error());
        const bool used_by_caller = *row && !inv->is_null(2) && !account_id.empty() && inv->text(2) == account_id;
        const char* problem = used_by_caller ? nullptr
                              : !*row        ? "is not known"
                              : !inv->is_null(2) ? "was used already"
                              : inv->integer(1) <= now ? "has expired"
                                                       : nullptr;
        if (problem) {
            auto counted = record_locked(kInviteByAddress, address, now);
            if (auto* r = std::get_if<Refusal>(&counted)) return *r;
            return Refusal{403, std::string("invite: this invite code ") + problem + "; ask for a new one", "invalid_invite"};
        }
        return inv->text(0);
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
                                        const std::string& invite_code, const Caller& caller) {
    const std::string email = trim(email_in), workspace_name = trim(workspace_name_in);
    const int64_t now = caller.now_ms;
    const std::string address = address_key(caller.address);
    if (email.empty()) return Refusal{400, "email: is required", "invalid_value"};
    if (auto s = validate_email(email); !s) return Refusal{400, s.error().to_string(), "invalid_value"};
    if (auto problem = password_problem(password)) return Refusal{400, *problem, "invalid_value"};
    if (!invite_code.empty() && !workspace_name.empty())
        return Refusal{400, "give either workspace_name (a new workspace) or invite (join one), not both", "invalid_value"};
    if (invite_code.empty() && workspace_name.empty()) return Refusal{400, "workspace_name: is required (or an invite code)", "invalid_value"};
    if (auto problem = workspace_name_problem(workspace_name)) return Refusal{400, "workspace_name: " + *problem, "invalid_value"};

    // Counted before the password is hashed, whatever the outcome: a burst cannot outrun the count.
    {
        std::lock_guard lock(impl_->db_mu);
        auto over = impl_->over_limit_locked(kSignUpByAddress, address, impl_->options.max_sign_ups_per_address,
                                             impl_->options.sign_up_window_ms, now);
        if (auto* r = std::get_if<Refusal>(&over)) return *r;
        if (auto wait = std::get<std::optional<int64_t>>(over))
            return Refusal{429, "too many sign-ups from this address; try again in " + minutes(*wait), "rate_limited", *wait};
        if (!invite_code.empty())
            if (auto r = impl_->invites_throttled_locked(address, now)) return *r;
        if (auto id = impl_->record_locked(kSignUpByAddress, address, now); std::holds_alternative<Refusal>(id))
            return std::get<Refusal>(id);
    }

    auto hash = impl_->hash_password(password);  // slow: outside the database lock
    if (auto* r = std::get_if<Refusal>(&hash)) return *r;

    std::lock_guard lock(impl_->db_mu);
    Db& db = impl_->db;
    auto exists = db.prepare("SELECT 1 FROM accounts WHERE email = ?1");
    if (!exists) return internal(exists.error());
    exists->bind(1, email);
    if (auto row = exists->step(); !row) return internal(row.error());
    else if (*row)
        return Refusal{409, "email: an account with " + email + " exists already; sign in instead (with the invite code, to join)",
                       "account_exists"};

    std::string workspace_id, role;
    if (!invite_code.empty()) {
        // Checked again under the lock: concurrent guesses are evaluated at most up to the limit.
        if (auto r = impl_->invites_throttled_locked(address, now)) return *r;
        auto invited = impl_->invited_workspace_locked(invite_code, address, now);
        if (auto* r = std::get_if<Refusal>(&invited)) return *r;
        workspace_id = std::get<std::string>(invited);
        role = "member";
    }
    Tx tx(db);
    if (!tx.begun()) return internal(tx.begun().error());
    if (invite_code.empty()) {
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
                                       const std::string& invite_code, const Caller& caller) {
    const std::string email = trim(email_in);
    const int64_t now = caller.now_ms;
    const std::string address = address_key(caller.address);
    if (email.empty()) return Refusal{400, "email: is required", "invalid_value"};
    if (password.empty()) return Refusal{400, "password: is required", "invalid_value"};
    if (!workspace_id.empty() && !invite_code.empty())
        return Refusal{400, "give either workspace_id (a workspace of the account) or invite (join one), not both", "invalid_value"};
    if (password.size() > kMaxPasswordBytes) return Refusal{401, kWrongCredentials, "wrong_credentials"};
    const AccountOptions& opt = impl_->options;

    // The attempt is counted (reserved) before the password is hashed, in one step with the check
    // under the lock, so at most the limit of guesses is ever evaluated, however many arrive at
    // once. A right password gives its reservations back; a wrong one leaves them as failures.
    std::string account_id, stored_email, hash;
    int64_t address_attempt = 0;
    {
        std::lock_guard lock(impl_->db_mu);
        auto by_email = impl_->over_limit_locked(kLoginByEmail, lower(email), opt.max_failed_logins, opt.failed_login_window_ms, now);
        if (auto* r = std::get_if<Refusal>(&by_email)) return *r;
        if (auto wait = std::get<std::optional<int64_t>>(by_email))
            return Refusal{429,
                           "too many wrong passwords for this email; sign-in is locked for it, try again in " + minutes(*wait) +
                               " (the server's administrator can unlock it at once)",
                           "locked_out", *wait};
        auto by_address = impl_->over_limit_locked(kLoginByAddress, address, opt.max_failed_logins_per_address, opt.failed_login_window_ms, now);
        if (auto* r = std::get_if<Refusal>(&by_address)) return *r;
        if (auto wait = std::get<std::optional<int64_t>>(by_address))
            return Refusal{429, "too many failed sign-ins from this address; try again in " + minutes(*wait), "rate_limited", *wait};
        if (!invite_code.empty())
            if (auto r = impl_->invites_throttled_locked(address, now)) return *r;
        if (auto id = impl_->record_locked(kLoginByEmail, lower(email), now); std::holds_alternative<Refusal>(id))
            return std::get<Refusal>(id);
        auto id = impl_->record_locked(kLoginByAddress, address, now);
        if (auto* r = std::get_if<Refusal>(&id)) return *r;
        address_attempt = std::get<int64_t>(id);

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
    if (!right) return Refusal{401, kWrongCredentials, "wrong_credentials"};

    std::lock_guard lock(impl_->db_mu);
    Db& db = impl_->db;
    // Signed in: this email starts afresh, and this attempt does not count against the address.
    if (auto cleared = impl_->clear_locked(kLoginByEmail, lower(email)); std::holds_alternative<Refusal>(cleared))
        return std::get<Refusal>(cleared);
    impl_->forget_locked(address_attempt);

    std::string target = workspace_id;
    if (!invite_code.empty()) {
        // Joining another workspace with an invite: the same checks and counting as at sign-up.
        if (auto r = impl_->invites_throttled_locked(address, now)) return *r;
        auto invited = impl_->invited_workspace_locked(invite_code, address, now, account_id);
        if (auto* r = std::get_if<Refusal>(&invited)) return *r;
        target = std::get<std::string>(invited);
        auto before = impl_->workspaces_locked(account_id);
        // A member already just signs in there; the invite stays unused for someone else.
        if (std::none_of(before.begin(), before.end(), [&](const WorkspaceInfo& w) { return w.id == target; })) {
            Tx tx(db);
            if (!tx.begun()) return internal(tx.begun().error());
            auto mem = db.prepare("INSERT INTO members(workspace_id, account_id, role, joined_at) VALUES(?1, ?2, 'member', ?3)");
            if (!mem) return internal(mem.error());
            if (auto s = mem->bind(1, target).bind(2, account_id).bind(3, now).run(); !s) return internal(s.error());
            auto used = db.prepare("UPDATE invites SET used_by = ?1 WHERE code_hash = ?2");
            if (!used) return internal(used.error());
            if (auto s = used->bind(1, account_id).bind(2, token_hash(invite_code)).run(); !s) return internal(s.error());
            auto token = impl_->new_session_locked(account_id, target, now);
            if (auto* r = std::get_if<Refusal>(&token)) return *r;
            if (auto s = tx.commit(); !s) return internal(s.error());
            return impl_->signed_in(std::get<std::string>(token), account_id, stored_email, target, now);
        }
    }
    auto workspaces = impl_->workspaces_locked(account_id);
    if (workspaces.empty()) return Refusal{403, "this account belongs to no workspace", "not_a_member"};
    if (target.empty()) target = workspaces.front().id;
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

Outcome<Unlocked> AccountStore::unlock_email(const std::string& email_in) {
    const std::string email = trim(email_in);
    std::lock_guard lock(impl_->db_mu);
    Unlocked out;
    auto st = impl_->db.prepare("SELECT 1 FROM accounts WHERE email = ?1");
    if (!st) return internal(st.error());
    st->bind(1, email);
    auto row = st->step();
    if (!row) return internal(row.error());
    out.account_exists = *row;
    auto cleared = impl_->clear_locked(kLoginByEmail, lower(email));
    if (auto* r = std::get_if<Refusal>(&cleared)) return *r;
    out.attempts_cleared = std::get<int64_t>(cleared);
    return out;
}

Outcome<Unlocked> AccountStore::unlock_address(const std::string& address) {
    std::lock_guard lock(impl_->db_mu);
    Unlocked out;
    for (const char* kind : {kLoginByAddress, kSignUpByAddress, kInviteByAddress}) {
        auto cleared = impl_->clear_locked(kind, address_key(address));
        if (auto* r = std::get_if<Refusal>(&cleared)) return *r;
        out.attempts_cleared += std::get<int64_t>(cleared);
    }
    return out;
}

Outcome<int64_t> AccountStore::set_password(const std::string& email_in, const std::string& password) {
    const std::string email = trim(email_in);
    if (auto problem = password_problem(password)) return Refusal{400, *problem};
    std::string account_id;
    {
        std::lock_guard lock(impl_->db_mu);
        auto st = impl_->db.prepare("SELECT id FROM accounts WHERE email = ?1");
        if (!st) return internal(st.error());
        st->bind(1, email);
        auto row = st->step();
        if (!row) return internal(row.error());
        if (!*row) return Refusal{404, "email: no account has the email " + email, "not_found"};
        account_id = st->text(0);
    }
    auto hash = impl_->hash_password(password);
    if (auto* r = std::get_if<Refusal>(&hash)) return *r;
    std::lock_guard lock(impl_->db_mu);
    Db& db = impl_->db;
    Tx tx(db);
    if (!tx.begun()) return internal(tx.begun().error());
    auto up = db.prepare("UPDATE accounts SET password_hash = ?1 WHERE id = ?2");
    if (!up) return internal(up.error());
    if (auto s = up->bind(1, std::get<std::string>(hash)).bind(2, account_id).run(); !s) return internal(s.error());
    // Whoever knew the old password may hold a session: every one of them ends.
    auto del = db.prepare("DELETE FROM sessions WHERE account_id = ?1");
    if (!del) return internal(del.error());
    if (auto s = del->bind(1, account_id).run(); !s) return internal(s.error());
    const int64_t ended = db.changes();
    if (auto cleared = impl_->clear_locked(kLoginByEmail, lower(email)); std::holds_alternative<Refusal>(cleared))
        return std::get<Refusal>(cleared);
    if (auto s = tx.commit(); !s) return internal(s.error());
    return ended;
}

}  // namespace crm
