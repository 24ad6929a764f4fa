#pragma once
// The signed-in session: who the person is, which workspace this browser syncs, and the token
// the server gave. It is kept in localStorage, so the app opens signed in and works offline;
// signing in needs the server once.
#include <cstdint>
#include <map>
#include <string>

namespace crm {

struct AppState;

enum class AuthMode { SignIn, SignUp, Join };

struct AuthForm {
    AuthMode mode = AuthMode::SignIn;
    char email[256] = {};
    char password[256] = {};
    char workspace[128] = {};
    char invite[128] = {};
    std::map<std::string, std::string> errors;  // by field: email, password, workspace_name, invite
    std::string error;                          // a problem with no field (server unreachable...)
    std::string notice;                         // why the person is here (session expired...)
    bool busy = false;                          // a request is out
    bool existing_account = false;              // Join: sign in to an existing account and join with it
    bool focus = true;
};

struct AuthState {
    bool restored = false;   // the stored session was looked at
    bool signed_in = false;
    std::string token;
    std::string account_email;
    std::string workspace_id;
    std::string workspace_name;
    AuthForm form;
    // Invitations made from the account menu.
    std::string invite_code;
    std::string invite_error;
    bool invite_busy = false;
};

// Loads the stored session, once, at start.
void auth_restore(AppState& app);
// Sends the sign-in form (sign in, create an account, or join with an invite, as a new account
// or an existing one).
void auth_submit(AppState& app);
// Ends the session here and on the server; the local data stays in this browser.
void auth_sign_out(AppState& app);
// The server no longer accepts the token (expired, signed out elsewhere): ask to sign in again.
void auth_session_lost(AppState& app, const std::string& message);
// Asks the server for a one-time invite code for this workspace.
void auth_create_invite(AppState& app);

}  // namespace crm
