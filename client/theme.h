#pragma once
// Colours used by the views for meaning (errors, status), alongside ImGui's style.
#include "imgui.h"

namespace crm::theme {

inline const ImVec4 kError{0.78f, 0.13f, 0.13f, 1.0f};
inline const ImVec4 kOk{0.10f, 0.55f, 0.25f, 1.0f};
inline const ImVec4 kWarn{0.80f, 0.50f, 0.05f, 1.0f};
inline const ImVec4 kMuted{0.42f, 0.45f, 0.50f, 1.0f};

// The light theme: ImGui's light colours with roomier spacing and soft corners.
void apply_light();

}  // namespace crm::theme
