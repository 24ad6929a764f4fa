#include "theme.h"

#include "platform.h"

namespace crm::theme {
namespace {

const Palette kLightPalette = {
    {0.78f, 0.13f, 0.13f, 1.0f},  // error
    {0.10f, 0.55f, 0.25f, 1.0f},  // ok
    {0.80f, 0.50f, 0.05f, 1.0f},  // warn
    {0.42f, 0.45f, 0.50f, 1.0f},  // muted
    {0.12f, 0.13f, 0.16f, 1.0f},  // text
    {0.20f, 0.42f, 0.85f, 1.0f},  // accent
    {0.25f, 0.48f, 0.92f, 1.0f},  // accent hovered
    {0.15f, 0.35f, 0.75f, 1.0f},  // accent active
    {0.13f, 0.36f, 0.80f, 1.0f},  // link
    {0.07f, 0.25f, 0.62f, 1.0f},  // link hover
    {0.93f, 0.94f, 0.96f, 1.0f},  // sidebar
    {0.84f, 0.89f, 0.98f, 1.0f},  // sidebar selected
    {1.0f, 1.0f, 1.0f, 1.0f},     // panel
    {0.0f, 0.0f, 0.0f, 0.0f},     // quiet frame
    {0.86f, 0.87f, 0.90f, 1.0f},  // quiet border
    {0.90f, 0.91f, 0.94f, 1.0f},  // quiet button
    {0.84f, 0.86f, 0.91f, 1.0f},  // quiet button hovered
    {0.78f, 0.81f, 0.88f, 1.0f},  // quiet button active
};

// Text colours keep a contrast of at least 4.5:1 on the dark backgrounds below.
const Palette kDarkPalette = {
    {0.98f, 0.50f, 0.50f, 1.0f},  // error
    {0.40f, 0.82f, 0.55f, 1.0f},  // ok
    {0.96f, 0.72f, 0.34f, 1.0f},  // warn
    {0.62f, 0.65f, 0.71f, 1.0f},  // muted
    {0.90f, 0.91f, 0.93f, 1.0f},  // text
    {0.22f, 0.44f, 0.86f, 1.0f},  // accent
    {0.28f, 0.51f, 0.93f, 1.0f},  // accent hovered
    {0.17f, 0.37f, 0.76f, 1.0f},  // accent active
    {0.53f, 0.70f, 1.00f, 1.0f},  // link
    {0.72f, 0.83f, 1.00f, 1.0f},  // link hover
    {0.10f, 0.11f, 0.13f, 1.0f},  // sidebar
    {0.18f, 0.25f, 0.39f, 1.0f},  // sidebar selected
    {0.17f, 0.18f, 0.21f, 1.0f},  // panel
    {0.0f, 0.0f, 0.0f, 0.0f},     // quiet frame
    {0.27f, 0.29f, 0.33f, 1.0f},  // quiet border
    {0.22f, 0.23f, 0.27f, 1.0f},  // quiet button
    {0.27f, 0.29f, 0.34f, 1.0f},  // quiet button hovered
    {0.32f, 0.35f, 0.42f, 1.0f},  // quiet button active
};

bool g_dark = false;

void apply_spacing(ImGuiStyle& s) {
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
}

void light_colours(ImVec4* c) {
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
    c[ImGuiCol_ButtonHovered] = kAccentHovered;
    c[ImGuiCol_ButtonActive] = kAccentActive;
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

void dark_colours(ImVec4* c) {
    c[ImGuiCol_Text] = kText;
    c[ImGuiCol_TextDisabled] = ImVec4(0.50f, 0.52f, 0.57f, 1.0f);
    c[ImGuiCol_WindowBg] = ImVec4(0.135f, 0.145f, 0.165f, 1.0f);
    c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_PopupBg] = ImVec4(0.17f, 0.18f, 0.21f, 1.0f);
    c[ImGuiCol_MenuBarBg] = ImVec4(0.10f, 0.11f, 0.13f, 1.0f);
    c[ImGuiCol_FrameBg] = ImVec4(0.10f, 0.11f, 0.13f, 1.0f);
    c[ImGuiCol_FrameBgHovered] = ImVec4(0.14f, 0.16f, 0.20f, 1.0f);
    c[ImGuiCol_FrameBgActive] = ImVec4(0.10f, 0.11f, 0.13f, 1.0f);
    c[ImGuiCol_Border] = ImVec4(0.30f, 0.32f, 0.37f, 1.0f);
    c[ImGuiCol_Button] = kAccent;
    c[ImGuiCol_ButtonHovered] = kAccentHovered;
    c[ImGuiCol_ButtonActive] = kAccentActive;
    c[ImGuiCol_Header] = ImVec4(0.20f, 0.28f, 0.43f, 1.0f);
    c[ImGuiCol_HeaderHovered] = ImVec4(0.22f, 0.26f, 0.34f, 1.0f);
    c[ImGuiCol_HeaderActive] = ImVec4(0.24f, 0.33f, 0.50f, 1.0f);
    c[ImGuiCol_TableHeaderBg] = ImVec4(0.18f, 0.19f, 0.22f, 1.0f);
    c[ImGuiCol_TableRowBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_TableRowBgAlt] = ImVec4(0.155f, 0.165f, 0.19f, 1.0f);
    c[ImGuiCol_TableBorderStrong] = ImVec4(0.28f, 0.30f, 0.34f, 1.0f);
    c[ImGuiCol_TableBorderLight] = ImVec4(0.22f, 0.23f, 0.27f, 1.0f);
    c[ImGuiCol_Separator] = ImVec4(0.27f, 0.29f, 0.33f, 1.0f);
    c[ImGuiCol_ScrollbarBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_ScrollbarGrab] = ImVec4(0.32f, 0.34f, 0.39f, 1.0f);
    c[ImGuiCol_ScrollbarGrabHovered] = ImVec4(0.40f, 0.42f, 0.48f, 1.0f);
    c[ImGuiCol_ScrollbarGrabActive] = ImVec4(0.46f, 0.49f, 0.56f, 1.0f);
    c[ImGuiCol_CheckMark] = ImVec4(0.53f, 0.70f, 1.00f, 1.0f);
    c[ImGuiCol_SliderGrab] = ImVec4(0.40f, 0.58f, 0.95f, 1.0f);
    c[ImGuiCol_SliderGrabActive] = ImVec4(0.50f, 0.66f, 1.00f, 1.0f);
    c[ImGuiCol_ResizeGrip] = ImVec4(0.30f, 0.32f, 0.37f, 0.5f);
    c[ImGuiCol_TextSelectedBg] = ImVec4(0.26f, 0.45f, 0.80f, 0.45f);
    c[ImGuiCol_PlotHistogram] = ImVec4(0.35f, 0.56f, 0.95f, 1.0f);
    c[ImGuiCol_ModalWindowDimBg] = ImVec4(0.0f, 0.0f, 0.0f, 0.55f);
    c[ImGuiCol_NavHighlight] = ImVec4(0.45f, 0.62f, 1.00f, 1.0f);
}

}  // namespace

Palette g_palette = kLightPalette;

void apply(bool dark) {
    g_dark = dark;
    g_palette = dark ? kDarkPalette : kLightPalette;
    if (dark)
        ImGui::StyleColorsDark();
    else
        ImGui::StyleColorsLight();
    ImGuiStyle& s = ImGui::GetStyle();
    apply_spacing(s);
    if (dark)
        dark_colours(s.Colors);
    else
        light_colours(s.Colors);
}

void apply_light() { apply(false); }

void apply_saved() {
    const std::string saved = platform::load_setting(kSettingKey);
    apply(saved == "dark" || (saved.empty() && platform::prefers_dark_scheme()));
}

void set_dark(bool dark) {
    apply(dark);
    platform::save_setting(kSettingKey, dark ? "dark" : "light");
}

bool is_dark() { return g_dark; }

ImVec4 background() { return ImGui::GetStyle().Colors[ImGuiCol_WindowBg]; }

}  // namespace crm::theme
