// The screens shown instead of the app while the local database cannot be used in this tab:
// it is loading, another tab has it, it moved to another tab, the browser's storage could not be
// read, or the local copy is damaged. Each says what happened and offers the one way forward.
#include <algorithm>

#include "imgui.h"
#include "platform.h"
#include "test_hooks.h"
#include "theme.h"
#include "views.h"

namespace crm {
namespace {

using platform::StorageState;

void heading(const char* text) {
    ImGui::SetWindowFontScale(1.4f);
    ImGui::TextUnformatted(text);
    ImGui::SetWindowFontScale(1.0f);
    test_hooks::track("Storage heading");
    ImGui::Spacing();
}

void paragraph(const char* text) {
    ImGui::TextUnformatted(text);
    ImGui::Spacing();
}

void paragraph(const char* text, const ImVec4& colour) {
    ImGui::TextColored(colour, "%s", text);
    ImGui::Spacing();
}

bool button(const char* label) {
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
    const bool pressed = ImGui::Button(label);
    ImGui::PopStyleColor();
    test_hooks::track(label);
    return pressed;
}

void draw_body(AppState& app, StorageState state) {
    if (state == StorageState::Ready && !app.fatal_error.empty()) {
        heading("The local copy of your workspace cannot be opened");
        ImGui::TextColored(theme::kError, "%s", app.fatal_error.c_str());
        test_hooks::track("Storage error");
        ImGui::Spacing();
        paragraph(
            "You can download a fresh copy from the server. Changes made on this device that had not "
            "reached the server yet would be lost.",
            theme::kWarn);
        if (button("Re-download from the server")) platform::reset_database();
        return;
    }
    switch (state) {
        case StorageState::Loading:
        case StorageState::Ready:  // opening: a frame or two
            heading("Opening your workspace...");
            break;
        case StorageState::Elsewhere:
            heading("This workspace is open in another tab");
            paragraph("Only one tab at a time works on it, so that the two never overwrite each other's changes.");
            paragraph("Use it here, and the other tab saves what it has and steps aside.", theme::kMuted);
            if (button("Use it here")) platform::take_over();
            break;
        case StorageState::TakingOver:
            heading("This workspace is open in another tab");
            paragraph("Asking the other tab to save its changes and let go...", theme::kMuted);
            break;
        case StorageState::NotAnswering:
            heading("The other tab has not let go");
            paragraph(
                "It may be busy saving, or paused by the browser in the background. Switching to it "
                "lets it finish.");
            paragraph("You can use the workspace here anyway; changes that tab has not saved yet would be lost.",
                      theme::kWarn);
            if (button("Use it here anyway")) platform::force_take_over();
            break;
        case StorageState::Moved:
            heading("Moved to another tab");
            paragraph(
                "This workspace is now open in another tab, which saves the changes made there. Take it "
                "back to carry on here; this tab then loads the latest saved state.");
            if (button("Take it back")) platform::take_over();
            break;
        case StorageState::Unavailable: {
            heading("Your workspace could not be read from this browser's storage");
            const std::string error = platform::storage_error();
            ImGui::TextColored(theme::kError, "%s", error.c_str());
            test_hooks::track("Storage error");
            ImGui::Spacing();
            paragraph("Private browsing, a full disk, or a browser setting that blocks site data can cause this.",
                      theme::kMuted);
            if (button("Try again")) platform::retry_load();
            break;
        }
    }
}

}  // namespace

void draw_storage_view(AppState& app) {
    ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
    ImGui::Begin("Workspace storage", nullptr, flags);
    const float width = std::min(560.0f, ImGui::GetContentRegionAvail().x - 32.0f);
    ImGui::SetCursorPos(ImVec2(std::max(16.0f, (ImGui::GetWindowWidth() - width) * 0.5f),
                               std::max(24.0f, ImGui::GetWindowHeight() * 0.22f)));
    ImGui::BeginGroup();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
    draw_body(app, platform::storage_state());
    ImGui::PopTextWrapPos();
    ImGui::EndGroup();
    ImGui::End();
}

}  // namespace crm
