#pragma once
// Colours used by the views for meaning (errors, status, links), alongside ImGui's style, and
// the few sizes every screen shares so paddings line up.
#include "imgui.h"

namespace crm::theme {

inline const ImVec4 kError{0.78f, 0.13f, 0.13f, 1.0f};
inline const ImVec4 kOk{0.10f, 0.55f, 0.25f, 1.0f};
inline const ImVec4 kWarn{0.80f, 0.50f, 0.05f, 1.0f};
inline const ImVec4 kMuted{0.42f, 0.45f, 0.50f, 1.0f};
inline const ImVec4 kText{0.12f, 0.13f, 0.16f, 1.0f};
inline const ImVec4 kAccent{0.20f, 0.42f, 0.85f, 1.0f};
inline const ImVec4 kAccentHovered{0.25f, 0.48f, 0.92f, 1.0f};
inline const ImVec4 kAccentActive{0.15f, 0.35f, 0.75f, 1.0f};
inline const ImVec4 kLink{0.13f, 0.36f, 0.80f, 1.0f};
inline const ImVec4 kLinkHover{0.07f, 0.25f, 0.62f, 1.0f};
inline const ImVec4 kSidebar{0.93f, 0.94f, 0.96f, 1.0f};
inline const ImVec4 kSidebarSelected{0.84f, 0.89f, 0.98f, 1.0f};
inline const ImVec4 kPanel{1.0f, 1.0f, 1.0f, 1.0f};
inline const ImVec4 kQuietFrame{0.0f, 0.0f, 0.0f, 0.0f};
inline const ImVec4 kQuietBorder{0.86f, 0.87f, 0.90f, 1.0f};
inline const ImVec4 kQuietButton{0.90f, 0.91f, 0.94f, 1.0f};
inline const ImVec4 kQuietButtonHovered{0.84f, 0.86f, 0.91f, 1.0f};
inline const ImVec4 kQuietButtonActive{0.78f, 0.81f, 0.88f, 1.0f};

inline constexpr float kSidebarWidth = 200.0f;  // CSS pixels
inline constexpr float kPagePadding = 20.0f;    // around each screen's content
inline constexpr float kRowPaddingY = 7.0f;     // table rows: 16 px text + 2 x 7

// The light theme: ImGui's light colours with roomier spacing and soft corners.
void apply_light();

}  // namespace crm::theme
