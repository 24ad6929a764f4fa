#include <cstdio>

#include "auth.h"
#include "imgui.h"
#include "platform.h"
#include "platform_url.h"
#include "sync_client.h"
#include "test_hooks.h"
#include "theme.h"
#include "views.h"

namespace crm {
namespace {

constexpr const char* kJoinPrefix = "/join/";

// The account menu: who is signed in, to which workspace; invite a colleague; sign out.
void draw_account_menu(AppState& app) {
    AuthState& a = app.auth;
    if (!a.signed_in) return;
    const bool open = ImGui::BeginMenu((a.workspace_name + "##account").c_str());
    test_hooks::track("Account menu");
    if (!open) return;
    ImGui::TextColored(theme::kMuted, "Signed in as %s", a.account_email.c_str());
    ImGui::Separator();
    if (a.invite_code.empty()) {
        // The menu stays open, so the code shows as soon as the server sends it.
        const ImGuiSelectableFlags flags =
            ImGuiSelectableFlags_DontClosePopups | (a.invite_busy ? ImGuiSelectableFlags_Disabled : 0);
        if (ImGui::Selectable(a.invite_busy ? "Creating an invite..." : "Invite a colleague", false, flags))
            auth_create_invite(app);
        test_hooks::track("Invite a colleague");
    } else {
        ImGui::TextUnformatted("Send this code or link to your colleague (valid for 7 days, once):");
        ImGui::SetNextItemWidth(ImGui::CalcTextSize(a.invite_code.c_str()).x + 24);
        ImGui::InputText("##invite-code", a.invite_code.data(), a.invite_code.size() + 1, ImGuiInputTextFlags_ReadOnly);
        test_hooks::track("Invite code");
        ImGui::SameLine();
        if (ImGui::Button("Copy code")) platform::set_clipboard_text(a.invite_code);
        test_hooks::track("Copy invite code");
        std::string link = invite_link(a.invite_code);
        ImGui::SetNextItemWidth(ImGui::CalcTextSize(link.c_str()).x + 24);
        ImGui::InputText("##invite-link", link.data(), link.size() + 1, ImGuiInputTextFlags_ReadOnly);
        test_hooks::track("Invite link");
        ImGui::SameLine();
        if (ImGui::Button("Copy link")) platform::set_clipboard_text(link);
        test_hooks::track("Copy invite link");
    }
    if (!a.invite_error.empty()) ImGui::TextColored(theme::kError, "%s", a.invite_error.c_str());
    ImGui::Separator();
    if (ImGui::MenuItem("Sign out")) auth_sign_out(app);
    test_hooks::track("Sign out");
    ImGui::EndMenu();
}

}  // namespace

std::string invite_link(const std::string& code) { return platform::page_address() + "#" + kJoinPrefix + code; }

void follow_invite_link(AppState& app) {
    if (app.auth.signed_in) return;
    const std::string fragment = platform::url_fragment();
    if (fragment.rfind(kJoinPrefix, 0) != 0) return;
    AuthForm& f = app.auth.form;
    f.mode = AuthMode::Join;
    std::snprintf(f.invite, sizeof f.invite, "%s", fragment.substr(std::string(kJoinPrefix).size()).c_str());
    f.errors.clear();
    platform::replace_url("/");  // the code is used once; the address names no screen
}

void draw_status_bar(AppState& app) {
    if (!ImGui::BeginMenuBar()) return;
    ImGui::TextUnformatted("CRM");

    draw_account_menu(app);
    if (app.auth.signed_in && app.fatal_error.empty()) draw_palette_button(app);

    std::string status = app.auth.signed_in ? sync_status_text(app.sync) : "Not signed in";
    const std::string storage = platform::storage_error();
    if (!storage.empty()) status = storage;
    // A save that cannot reach local storage is an error whatever the sync says.
    ImVec4 colour = !storage.empty()                                              ? theme::kError
                    : app.sync.phase == SyncPhase::Synced && app.sync.unpushed == 0 ? theme::kOk
                    : app.sync.phase == SyncPhase::Error                          ? theme::kError
                                                                                  : theme::kWarn;
    // A long catch-up (a new device pulling a large workspace) shows how far it has come.
    const float progress = sync_progress(app.sync);
    if (progress >= 0) status = app.sync.downloading ? "Downloading the workspace" : "Catching up with the server";
    const float bar_w = progress >= 0 ? 160.0f : 0.0f;
    const float dot = ImGui::GetFontSize() * 0.6f;
    const float width = dot + ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize(status.c_str()).x +
                        (bar_w > 0 ? bar_w + ImGui::GetStyle().ItemSpacing.x : 0.0f);
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - width - ImGui::GetStyle().ItemSpacing.x);
    if (bar_w > 0) {
        ImGui::ProgressBar(progress, ImVec2(bar_w, ImGui::GetTextLineHeight()));
        test_hooks::track("Sync progress");
        ImGui::SameLine();
    }
    // A dot, then the words: colour alone must not carry the meaning.
    ImGui::Dummy(ImVec2(dot, ImGui::GetTextLineHeight()));
    const float dot_x = (ImGui::GetItemRectMin().x + ImGui::GetItemRectMax().x) * 0.5f;
    ImGui::SameLine();
    ImGui::TextUnformatted(status.c_str());
    const float text_mid_y = (ImGui::GetItemRectMin().y + ImGui::GetItemRectMax().y) * 0.5f;
    ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(dot_x, text_mid_y), dot * 0.5f, ImGui::GetColorU32(colour));
    test_hooks::track("Sync status");
    ImGui::EndMenuBar();
}

}  // namespace crm
