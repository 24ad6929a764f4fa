#pragma once
// Colours used by the views for meaning (errors, status, links), alongside ImGui's style, and
// the few sizes every screen shares so paddings line up. Two palettes, light and dark: the
// names below (theme::kText, ...) are references into the active one, so call sites read the
// colour of the theme in use without knowing there are two.
#include "imgui.h"

namespace crm::theme {

struct Palette {
    ImVec4 error, ok, warn, muted, text;
    ImVec4 accent, accent_hovered, accent_active;  // primary buttons (white text on them)
    ImVec4 link, link_hover;
    ImVec4 sidebar, sidebar_selected, panel;
    ImVec4 quiet_frame, quiet_border, quiet_button, quiet_button_hovered, quiet_button_active;
};

// The palette in use; apply() copies the chosen one here.
extern Palette g_palette;

inline const ImVec4& kError = g_palette.error;
inline const ImVec4& kOk = g_palette.ok;
inline const ImVec4& kWarn = g_palette.warn;
inline const ImVec4& kMuted = g_palette.muted;
inline const ImVec4& kText = g_palette.text;
inline const ImVec4& kAccent = g_palette.accent;
inline const ImVec4& kAccentHovered = g_palette.accent_hovered;
inline const ImVec4& kAccentActive = g_palette.accent_active;
inline const ImVec4& kLink = g_palette.link;
inline const ImVec4& kLinkHover = g_palette.link_hover;
inline const ImVec4& kSidebar = g_palette.sidebar;
inline const ImVec4& kSidebarSelected = g_palette.sidebar_selected;
inline const ImVec4& kPanel = g_palette.panel;
inline const ImVec4& kQuietFrame = g_palette.quiet_frame;
inline const ImVec4& kQuietBorder = g_palette.quiet_border;
inline const ImVec4& kQuietButton = g_palette.quiet_button;
inline const ImVec4& kQuietButtonHovered = g_palette.quiet_button_hovered;
inline const ImVec4& kQuietButtonActive = g_palette.quiet_button_active;

inline constexpr float kSidebarWidth = 200.0f;  // CSS pixels
inline constexpr float kPagePadding = 20.0f;    // around each screen's content
inline constexpr float kRowPaddingY = 7.0f;     // table rows: 16 px text + 2 x 7

// The setting (platform::save_setting) that keeps the person's choice: "light" or "dark".
inline constexpr const char* kSettingKey = "crm.theme";

// Sets the palette and ImGui's style colours: dark or light, with roomier spacing and soft corners.
void apply(bool dark);
void apply_light();
// The theme chosen before on this device, or the system's (prefers-color-scheme) on first run.
void apply_saved();
// Switches theme and remembers the choice on this device.
void set_dark(bool dark);
bool is_dark();
// The background the canvas is cleared to (the main window's).
ImVec4 background();

}  // namespace crm::theme
