// The sign-in screen: sign in, create an account with a new workspace, or join one with an
// invite code (as a new account, or with an existing one). Shown when this browser has no
// session; the local data stays either way.
#include <algorithm>

#include "app_state.h"
#include "auth.h"
#include "imgui.h"
#include "test_hooks.h"
#include "theme.h"
#include "views.h"

namespace crm {
namespace {

// A label above its field, and the field's error under it.
bool labelled_field(const char* label, const char* id, char* buf, size_t size, const std::string& error, float width,
                    bool focus, ImGuiInputTextFlags extra = 0) {
    ImGui::TextUnformatted(label);
    ImGui::SetNextItemWidth(width);
    if (focus) ImGui::SetKeyboardFocusHere();
    bool enter = ImGui::InputText(id, buf, size, ImGuiInputTextFlags_EnterReturnsTrue | extra);
    test_hooks::track(label);
    if (!error.empty()) {
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
        ImGui::TextColored(theme::kError, "%s %s", label, error.c_str());
        ImGui::PopTextWrapPos();
        test_hooks::track(std::string(label) + " error");
    }
    ImGui::Spacing();
    return enter;
}

std::string error_of(const AuthForm& f, const char* field) {
    auto it = f.errors.find(field);
    return it == f.errors.end() ? std::string() : it->second;
}

void mode_tab(AuthForm& f, AuthMode mode, const char* label) {
    const bool active = f.mode == mode;
    ImGui::PushStyleColor(ImGuiCol_Button, active ? ImGui::GetStyleColorVec4(ImGuiCol_Button) : ImVec4(0, 0, 0, 0));
    ImGui::PushStyleColor(ImGuiCol_Text, active ? ImVec4(1, 1, 1, 1) : ImGui::GetStyleColorVec4(ImGuiCol_Text));
    if (ImGui::Button(label) && !active) {
        f.mode = mode;
        f.errors.clear();
        f.error.clear();
        f.focus = true;
    }
    ImGui::PopStyleColor(2);
    test_hooks::track(label);
}

}  // namespace

void draw_sign_in(AppState& app) {
    AuthForm& f = app.auth.form;
    const float width = std::min(420.0f, ImGui::GetContentRegionAvail().x - 32.0f);
    const float left = std::max(16.0f, (ImGui::GetWindowWidth() - width) * 0.5f);
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + std::max(24.0f, ImGui::GetContentRegionAvail().y * 0.12f));
    ImGui::SetCursorPosX(left);
    ImGui::BeginGroup();

    ImGui::SetWindowFontScale(1.4f);
    ImGui::TextUnformatted(f.mode == AuthMode::SignIn ? "Sign in" : f.mode == AuthMode::SignUp ? "Create your workspace" : "Join a workspace");
    ImGui::SetWindowFontScale(1.0f);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
    ImGui::TextColored(theme::kMuted, "%s",
                       f.mode == AuthMode::SignIn  ? "Your customers, deals and cases, on this device and in sync with your team."
                       : f.mode == AuthMode::SignUp ? "A new workspace for your team; invite colleagues from the account menu."
                                                    : "Use the invite code a colleague sent you, with a new account or one you have.");
    if (!f.notice.empty()) {
        ImGui::Spacing();
        ImGui::TextColored(theme::kWarn, "%s", f.notice.c_str());
        test_hooks::track("Sign-in notice");
    }
    ImGui::PopTextWrapPos();
    ImGui::Spacing();

    mode_tab(f, AuthMode::SignIn, "I have an account");
    ImGui::SameLine();
    mode_tab(f, AuthMode::SignUp, "New workspace");
    ImGui::SameLine();
    mode_tab(f, AuthMode::Join, "Join with invite");
    ImGui::Separator();
    ImGui::Spacing();

    const bool focus = f.focus;
    f.focus = false;
    bool submit = false;
    if (f.mode == AuthMode::SignUp)
        submit |= labelled_field("Workspace name", "##workspace", f.workspace, sizeof f.workspace, error_of(f, "workspace_name"), width, focus);
    if (f.mode == AuthMode::Join) {
        submit |= labelled_field("Invite code", "##invite", f.invite, sizeof f.invite, error_of(f, "invite"), width, focus);
        ImGui::Checkbox("I have an account already (sign in with it and join)", &f.existing_account);
        test_hooks::track("I have an account already");
        ImGui::Spacing();
    }
    submit |= labelled_field("Email", "##email", f.email, sizeof f.email, error_of(f, "email"), width, focus && f.mode == AuthMode::SignIn);
    submit |= labelled_field("Password", "##password", f.password, sizeof f.password, error_of(f, "password"), width, false,
                             ImGuiInputTextFlags_Password);
    if (f.mode == AuthMode::SignUp || (f.mode == AuthMode::Join && !f.existing_account)) {
        ImGui::TextColored(theme::kMuted, "At least 8 characters, and not one of the commonly used passwords.");
        ImGui::Spacing();
    }

    ImGui::BeginDisabled(f.busy);
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
    const char* action = f.mode == AuthMode::SignIn ? "Sign in" : f.mode == AuthMode::SignUp ? "Create workspace" : "Join workspace";
    submit |= ImGui::Button(action, ImVec2(width, 0));
    ImGui::PopStyleColor();
    test_hooks::track("Submit sign-in");
    ImGui::EndDisabled();
    if (f.busy) ImGui::TextColored(theme::kMuted, "Talking to the server...");
    if (!f.error.empty()) {
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
        ImGui::TextColored(theme::kError, "%s", f.error.c_str());
        ImGui::PopTextWrapPos();
        test_hooks::track("Sign-in error");
    }
    ImGui::EndGroup();
    if (submit && !f.busy) auth_submit(app);
}

}  // namespace crm
