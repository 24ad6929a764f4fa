#include "imgui.h"
#include "platform.h"
#include "sync_client.h"
#include "test_hooks.h"
#include "theme.h"
#include "views.h"

namespace crm {

void draw_status_bar(AppState& app) {
    if (!ImGui::BeginMenuBar()) return;
    ImGui::TextUnformatted("CRM");
    ImGui::TextColored(theme::kMuted, "Contacts");

    std::string status = sync_status_text(app.sync);
    if (std::string storage = platform::storage_error(); !storage.empty()) status = storage;
    ImVec4 colour = app.sync.phase == SyncPhase::Synced && app.sync.unpushed == 0 ? theme::kOk
                    : app.sync.phase == SyncPhase::Error                          ? theme::kError
                                                                                  : theme::kWarn;
    const float dot = ImGui::GetFontSize() * 0.6f;
    const float width = dot + ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize(status.c_str()).x;
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - width - ImGui::GetStyle().ItemSpacing.x);
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
