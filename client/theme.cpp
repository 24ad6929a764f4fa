#include "theme.h"

namespace crm::theme {

void apply_light() {
    ImGui::StyleColorsLight();
    ImGuiStyle& s = ImGui::GetStyle();
    s.WindowPadding = ImVec2(16, 12);
    s.FramePadding = ImVec2(8, 5);
    s.ItemSpacing = ImVec2(10, 8);
    s.ItemInnerSpacing = ImVec2(6, 4);
    s.CellPadding = ImVec2(10, 4);
    s.FrameRounding = 4;
    s.GrabRounding = 4;
    s.PopupRounding = 6;
    s.ChildRounding = 0;
    s.WindowRounding = 0;
    s.FrameBorderSize = 1;
    s.PopupBorderSize = 1;
    s.ScrollbarSize = 12;
    s.ScrollbarRounding = 6;
    s.SelectableTextAlign = ImVec2(0.0f, 0.5f);
    ImVec4* c = s.Colors;
    c[ImGuiCol_Text] = kText;
    c[ImGuiCol_WindowBg] = ImVec4(0.97f, 0.97f, 0.98f, 1.0f);
    c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_PopupBg] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
    c[ImGuiCol_MenuBarBg] = ImVec4(0.91f, 0.92f, 0.95f, 1.0f);
    c[ImGuiCol_FrameBg] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
    c[ImGuiCol_FrameBgHovered] = ImVec4(0.96f, 0.97f, 1.0f, 1.0f);
    c[ImGuiCol_FrameBgActive] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
    c[ImGuiCol_Border] = ImVec4(0.78f, 0.80f, 0.84f, 1.0f);
    c[ImGuiCol_Button] = kAccent;
    c[ImGuiCol_ButtonHovered] = ImVec4(0.25f, 0.48f, 0.92f, 1.0f);
    c[ImGuiCol_ButtonActive] = ImVec4(0.15f, 0.35f, 0.75f, 1.0f);
    c[ImGuiCol_Header] = ImVec4(0.84f, 0.89f, 0.98f, 1.0f);
    c[ImGuiCol_HeaderHovered] = ImVec4(0.89f, 0.92f, 0.98f, 1.0f);
    c[ImGuiCol_HeaderActive] = ImVec4(0.80f, 0.86f, 0.97f, 1.0f);
    c[ImGuiCol_TableHeaderBg] = ImVec4(0.91f, 0.92f, 0.95f, 1.0f);
    c[ImGuiCol_TableRowBgAlt] = ImVec4(0.955f, 0.96f, 0.975f, 1.0f);
    c[ImGuiCol_TableBorderStrong] = ImVec4(0.80f, 0.82f, 0.86f, 1.0f);
    c[ImGuiCol_TableBorderLight] = ImVec4(0.88f, 0.89f, 0.92f, 1.0f);
    c[ImGuiCol_Separator] = ImVec4(0.84f, 0.86f, 0.89f, 1.0f);
    c[ImGuiCol_ScrollbarBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_ModalWindowDimBg] = ImVec4(0.10f, 0.12f, 0.16f, 0.35f);
}

}  // namespace crm::theme
