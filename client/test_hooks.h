#pragma once
// Read-only hooks for the browser tests: where each labelled widget was drawn this frame, and
// a summary of the app's state. Nothing here can change data.
#include <string>

namespace crm::test_hooks {

// Records the last ImGui item's rectangle under `label`.
void track(const std::string& label);
// Records the current window's rectangle (a popup, a panel) under `label`.
void track_window(const std::string& label);
// Clears the rectangles at the start of a frame, so hidden widgets are not reported.
void begin_frame();
// Supplies the JSON that window.crm.state() returns.
void set_state_provider(std::string (*provider)());

}  // namespace crm::test_hooks
