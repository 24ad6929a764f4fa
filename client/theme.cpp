#include "theme.h"

namespace crm::theme {

void apply_light() {
    ImGui::StyleColorsLight();
    ImGuiStyle& s = ImGui::GetStyle();
    s.WindowPadding = ImVec2(16, 12);
    s.FramePadding = ImVec2(8, 5);
    s.ItemSpacing = ImVec2(10, 8);
    s.CellPadding = ImVec2(8, 4);
    s.FrameRounding = 4;
    s.GrabRounding = 4;
    s.WindowRounding = 0;
    s.FrameBorderSize = 1;
    ImVec4* c = s.Colors;
    c[ImGuiCol_WindowBg] = ImVec4(0.97f, 0.97f, 0.98f, 1.0f);
    c[ImGuiCol_MenuBarBg] = ImVec4(0.91f, 0.92f, 0.95f, 1.0f);
    c[ImGuiCol_FrameBg] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
    c[ImGuiCol_Border] = ImVec4(0.78f, 0.80f, 0.84f, 1.0f);
    c[ImGuiCol_Button] = ImVec4(0.20f, 0.42f, 0.85f, 1.0f);
    c[ImGuiCol_ButtonHovered] = ImVec4(0.25f, 0.48f, 0.92f, 1.0f);
    c[ImGuiCol_ButtonActive] = ImVec4(0.15f, 0.35f, 0.75f, 1.0f);
    c[ImGuiCol_TableHeaderBg] = ImVec4(0.91f, 0.92f, 0.95f, 1.0f);
    c[ImGuiCol_TableRowBgAlt] = ImVec4(0.95f, 0.96f, 0.98f, 1.0f);
}

}  // namespace crm::theme
