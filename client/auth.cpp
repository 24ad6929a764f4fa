#include "auth.h"

#include <cstring>

#include <nlohmann/json.hpp>

#include "app_state.h"
#include "json_limits.h"
#include "platform.h"
#include "sync_client.h"

namespace crm {
namespace {

using nlohmann::json;

constexpr const char* kSessionKey = "crm.session";

void save_session(const AuthState& a) {
    if (!a.signed_in) return platform::save_setting(kSessionKey, "");
    platform::save_setting(kSessionKey, json{{"token", a.token}, {"email", a.account_email}, {"workspace_id", a.workspace_id},
                                             {"workspace_name", a.workspace_name}}.dump());
}

// The server says "email: ..." for a field's problem: put it beside that field.
void show_error(AuthForm& f, const std::string& message) {
    for (const char* field : {"email", "password", "workspace_name", "invite", "workspace_id"}) {
        const std::string prefix = std::string(field) + ": ";
        if (message.rfind(prefix, 0) == 0) {
            f.errors[field] = message.substr(prefix.size());
            return;
        }
    }
    f.error = message;
}

// The workspace this browser's local database is a copy of; empty when none yet.
std::string bound_workspace(AppState& app) {
    if (!app.store) return "";
    auto bound = app.store->workspace_id();
    return bound ? *bound : "";
}

std::string kept_here_message(AppState& app) {
    std::string name = "?";
    if (app.store)
        if (auto n = app.store->workspace_name()) name = *n;
    return "This browser keeps the local copy of the workspace \"" + name + "\".";
}

// A local database holds one workspace: the first one signed in to here.
bool bind_workspace(AppState& app, const std::string& workspace_id, const std::string& workspace_name) {
    if (!app.store) return true;
    auto bound = app.store->workspace_id();
    if (bound && bound->empty()) {
        if (auto s = app.store->bind_workspace(workspace_id, workspace_name); !s) {
            app.auth.form.error = s.error().to_string();
            return false;
        }
        platform::persist();
        return true;
    }
    if (bound && *bound == workspace_id) return true;
    app.auth.form.error = kept_here_message(app) + " Sign in with an account of that workspace.";
    return false;
}

}  // namespace

void auth_restore(AppState& app) {
    AuthState& a = app.auth;
    if (a.restored) return;
    a.restored = true;
    json j = json::parse(platform::load_setting(kSessionKey), nullptr, false);
    if (!j.is_object() || !j.contains("token") || !j["token"].is_string()) return;
    a.token = j["token"].get<std::string>();
    a.account_email = j.value("email", "");
    a.workspace_id = j.value("workspace_id", "");
    a.workspace_name = j.value("workspace_name", "");
    a.signed_in = !a.token.empty();
    platform::set_auth_token(a.token);
    std::strncpy(a.form.email, a.account_email.c_str(), sizeof a.form.email - 1);
}

void auth_submit(AppState& app) {
    AuthForm& f = app.auth.form;
    if (f.busy) return;
    f.errors.clear();
    f.error.clear();
    if (std::strlen(f.email) == 0) f.errors["email"] = "is required";
    if (std::strlen(f.password) == 0) f.errors["password"] = "is required";
    if (f.mode == AuthMode::SignUp && std::strlen(f.workspace) == 0) f.errors["workspace_name"] = "is required";
    if (f.mode == AuthMode::Join && std::strlen(f.invite) == 0) f.errors["invite"] = "is required";
    if (!f.errors.empty()) return;

    json body = {{"email", f.email}, {"password", f.password}};
    std::string path = "/api/v1/auth/login";
    const std::string bound = bound_workspace(app);
    if (f.mode == AuthMode::SignUp) {
        body["workspace_name"] = f.workspace;
        path = "/api/v1/auth/signup";
    } else if (f.mode == AuthMode::Join) {
        // An existing account signs in with the invite and joins; a new one is made with it.
        body["invite"] = f.invite;
        if (!f.existing_account) path = "/api/v1/auth/signup";
    } else if (!bound.empty()) {
        // An account may belong to several workspaces: sign in to the one this browser keeps.
        body["workspace_id"] = bound;
    }
    const bool joining = f.mode == AuthMode::Join, asked_for_bound = body.contains("workspace_id");
    f.busy = true;
    platform::set_auth_token("");
    platform::http_request("POST", path, body.dump(), [&app, joining, asked_for_bound](platform::HttpResponse r) {
        AuthState& a = app.auth;
        a.form.busy = false;
        if (r.status == 0) {
            a.form.error = "The server cannot be reached. Signing in needs a connection once; after that the CRM works offline.";
            return;
        }
        json j = parse_json_or_discarded(r.body);
        const std::string code = j.is_object() && j["code"].is_string() ? j["code"].get<std::string>() : "";
        if (joining && r.status == 409 && code == "account_exists") {
            // Joining with an email that has an account: join with that account instead.
            a.form.existing_account = true;
            a.form.errors["email"] = "has an account already: enter its password and press Join workspace to join with it";
            return;
        }
        if (asked_for_bound && r.status == 403) {
            a.form.error = kept_here_message(app) + " This account is not a member of it; sign in with an account of that workspace.";
            return;
        }
        if (r.status != 200 && r.status != 201) {
            show_error(a.form, j.is_object() && j["error"].is_string() ? j["error"].get<std::string>()
                                                                        : "the server answered HTTP " + std::to_string(r.status));
            return;
        }
        if (!j.is_object() || !j["token"].is_string() || !j["workspace"].is_object()) {
            a.form.error = "the server's answer to signing in is malformed";
            return;
        }
        const std::string workspace_id = j["workspace"].value("id", ""), workspace_name = j["workspace"].value("name", "");
        if (!bind_workspace(app, workspace_id, workspace_name)) {
            if (joining)
                a.form.error = "You have joined \"" + workspace_name + "\". " + kept_here_message(app) +
                               " Open the new workspace in another browser or browser profile: sign in there with this invite code.";
            platform::set_auth_token(j["token"].get<std::string>());
            platform::http_request("POST", "/api/v1/auth/logout", "", [](platform::HttpResponse) {});
            platform::set_auth_token("");
            return;
        }
        a.token = j["token"].get<std::string>();
        a.account_email = j["account"].value("email", "");
        a.workspace_id = workspace_id;
        a.workspace_name = workspace_name;
        a.signed_in = true;
        std::memset(a.form.password, 0, sizeof a.form.password);
        a.form.notice.clear();
        platform::set_auth_token(a.token);
        save_session(a);
        app.sync.phase = SyncPhase::Starting;
        app.sync.next_attempt_ms = 0;
        sync_request(app);
    });
}

void auth_sign_out(AppState& app) {
    AuthState& a = app.auth;
    if (!a.signed_in) return;
    platform::http_request("POST", "/api/v1/auth/logout", "", [](platform::HttpResponse) {});  // best effort
    a.signed_in = false;
    a.token.clear();
    a.invite_code.clear();
    save_session(a);
    platform::set_auth_token("");
    a.form = AuthForm{};
    std::strncpy(a.form.email, a.account_email.c_str(), sizeof a.form.email - 1);
    a.form.notice = "Signed out. This browser keeps the workspace's data; sign in again to sync.";
}

void auth_session_lost(AppState& app, const std::string& message) {
    AuthState& a = app.auth;
    a.signed_in = false;
    a.token.clear();
    save_session(a);
    platform::set_auth_token("");
    a.form.busy = false;
    a.form.mode = AuthMode::SignIn;
    a.form.focus = true;
    a.form.notice = "The server ended this session (" + message + "). Your local data and unsent changes are kept; sign in to sync again.";
}

void auth_create_invite(AppState& app) {
    AuthState& a = app.auth;
    if (a.invite_busy || !a.signed_in) return;
    a.invite_busy = true;
    a.invite_error.clear();
    platform::http_request("POST", "/api/v1/invites", "", [&app](platform::HttpResponse r) {
        AuthState& a = app.auth;
        a.invite_busy = false;
        json j = parse_json_or_discarded(r.body);
        if (r.status == 0) {
            a.invite_error = "the server cannot be reached; invites need a connection";
        } else if (r.status == 401) {
            auth_session_lost(app, j.is_object() ? j.value("error", "signed out") : "signed out");
        } else if (r.status != 201 || !j.is_object() || !j["code"].is_string()) {
            a.invite_error = j.is_object() && j["error"].is_string() ? j["error"].get<std::string>() : "the server refused the invite";
        } else {
            a.invite_code = j["code"].get<std::string>();
        }
    });
}

}  // namespace crm
