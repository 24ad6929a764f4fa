#include "test_hooks.h"

#include <emscripten.h>

#include <map>

#include "imgui.h"
#include "imgui_internal.h"  // whether the current window is drawn this frame

namespace crm::test_hooks {
namespace {
struct Rect {
    float x, y, w, h;
};
std::map<std::string, Rect> g_current, g_last_frame;
std::string (*g_state_provider)() = nullptr;
std::string g_buffer;
}  // namespace

void track(const std::string& label) {
    // A window laid out but not shown this frame (a popup measuring itself as it opens) is not
    // where the person sees it: report it from the frame it is drawn.
    if (ImGuiWindow* w = ImGui::GetCurrentWindowRead(); w && (w->Hidden || w->SkipItems)) return;
    ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
    // Nor is a widget scrolled out of its window, or so far that its middle is cut off: a test
    // must scroll to it first, as a person would.
    const ImVec2 clip_min = ImGui::GetWindowDrawList()->GetClipRectMin(), clip_max = ImGui::GetWindowDrawList()->GetClipRectMax();
    const ImVec2 mid((min.x + max.x) * 0.5f, (min.y + max.y) * 0.5f);
    if (mid.x < clip_min.x || mid.x >= clip_max.x || mid.y < clip_min.y || mid.y >= clip_max.y) return;
    g_current[label] = {min.x, min.y, max.x - min.x, max.y - min.y};
}

void track_window(const std::string& label) {
    ImGuiWindow* w = ImGui::GetCurrentWindowRead();
    if (!w || w->Hidden || w->SkipItems) return;
    g_current[label] = {w->Pos.x, w->Pos.y, w->Size.x, w->Size.y};
}

void begin_frame() {
    g_last_frame.swap(g_current);
    g_current.clear();
}

void set_state_provider(std::string (*provider)()) { g_state_provider = provider; }

}  // namespace crm::test_hooks

extern "C" EMSCRIPTEN_KEEPALIVE const char* crm_item_rect(const char* label) {
    using namespace crm::test_hooks;
    auto it = g_last_frame.find(label);
    if (it == g_last_frame.end()) return "";
    const Rect& r = it->second;
    g_buffer = "{\"x\":" + std::to_string(r.x) + ",\"y\":" + std::to_string(r.y) + ",\"w\":" + std::to_string(r.w) +
               ",\"h\":" + std::to_string(r.h) + "}";
    return g_buffer.c_str();
}

extern "C" EMSCRIPTEN_KEEPALIVE const char* crm_state_json() {
    using namespace crm::test_hooks;
    g_buffer = g_state_provider ? g_state_provider() : "{}";
    return g_buffer.c_str();
}
