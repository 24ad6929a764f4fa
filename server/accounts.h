#pragma once
// Accounts, workspaces and sessions: who may read and write which workspace's log.
// Passwords are stored as argon2id hashes (libsodium); a session is a random 256-bit token
// that the server keeps only as a hash, so a leaked accounts database holds no usable token.
// Sign-in, sign-up and invite attempts are counted in the same database before any password is
// hashed, so the limits hold under concurrent bursts and across restarts.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

namespace crm {

// A refused request: the HTTP status to answer with, what is wrong in words for the user, and a
// machine-readable code (docs/sync-protocol.md lists them; empty: the default for the status).
struct Refusal {
    int status = 400;
    std::string message;
    std::string code;
    int64_t retry_after_s = 0;  // when asking again may succeed (the Retry-After header); 0: not said
};
template <class T>
using Outcome = std::variant<T, Refusal>;

struct WorkspaceInfo {
    std::string id;
    std::string name;
    std::string role;  // "owner" for the workspace's creator, "member" for people invited
};

struct Session {
    std::string account_id;
    std::string email;
    WorkspaceInfo workspace;  // the workspace this token reads and writes
    int64_t expires_at = 0;   // ms since the epoch
};

struct SignedIn {
    std::string token;  // give to the client once; the server keeps only its hash
    Session session;
    std::vector<WorkspaceInfo> workspaces;  // every workspace the account belongs to
};

struct Invite {
    std::string code;
    int64_t expires_at = 0;
};

// Who is asking: the client's address (the TCP peer's, or the one a trusted proxy names) and
// the server's clock.
struct Caller {
    std::string address;
    int64_t now_ms = 0;
};

struct AccountOptions {
    int64_t session_ttl_ms = 30LL * 24 * 3600 * 1000;  // a session unused this long expires
    int64_t invite_ttl_ms = 7LL * 24 * 3600 * 1000;
    // Each limit counts attempts within its window; 0 turns a limit off.
    int max_failed_logins = 5;                          // wrong passwords per email
    int max_failed_logins_per_address = 20;             // failed sign-ins from one address, any email
    int64_t failed_login_window_ms = 15LL * 60 * 1000;
    int max_sign_ups_per_address = 20;                  // sign-up attempts from one address
    int64_t sign_up_window_ms = 3600LL * 1000;
    int max_failed_invites_per_address = 10;            // unknown, used or expired invite codes
    int64_t failed_invite_window_ms = 3600LL * 1000;
};

// What `AccountStore::unlock` cleared.
struct Unlocked {
    bool account_exists = false;
    int64_t attempts_cleared = 0;
};

class AccountStore {
public:
    // Opens (creating if needed) the accounts database at `path`.
    static Outcome<std::unique_ptr<AccountStore>> open(const std::string& path, AccountOptions options = {});
    ~AccountStore();

    // A new account with a new workspace it owns (`workspace_name`), or joining the workspace of
    // `invite_code` when that is given.
    Outcome<SignedIn> sign_up(const std::string& email, const std::string& password, const std::string& workspace_name,
                              const std::string& invite_code, const Caller& caller);
    // A new session for an existing account, in `workspace_id` (empty: the first one joined); with
    // `invite_code`, the account first joins the invite's workspace and the session is there.
    Outcome<SignedIn> log_in(const std::string& email, const std::string& password, const std::string& workspace_id,
                             const std::string& invite_code, const Caller& caller);
    // Ends the session of `token`; an unknown token is not an error (it is gone either way).
    void log_out(const std::string& token);
    // The session a bearer token stands for; a 401 refusal when it is unknown or expired.
    Outcome<Session> authenticate(const std::string& token, int64_t now_ms);
    // The workspaces an account belongs to.
    std::vector<WorkspaceInfo> workspaces_of(const std::string& account_id);
    // A one-time code that lets a new account join `session`'s workspace.
    Outcome<Invite> create_invite(const Session& session, int64_t now_ms);

    // For the administrator (crm-admin): forgets the failed sign-ins counted for `email`, so a
    // locked-out owner can sign in again at once.
    Outcome<Unlocked> unlock_email(const std::string& email);
    // Forgets every attempt counted for a client address (failed sign-ins, sign-ups, invites).
    Outcome<Unlocked> unlock_address(const std::string& address);
    // Sets a new password (checked like a sign-up's), ends the account's sessions and clears its
    // lockout. Returns how many sessions were ended.
    Outcome<int64_t> set_password(const std::string& email, const std::string& password);

    struct Impl;

private:
    explicit AccountStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace crm
