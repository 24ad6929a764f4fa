// The client's shell: opens the local workspace, sets up ImGui on a WebGL2 canvas and runs the
// frame loop. Screens live in view_*.cpp; browser specifics in platform_web.cpp.
#include <GLES3/gl3.h>
#include <emscripten.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "app_state.h"
#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "platform.h"
#include "sync_client.h"
#include "test_hooks.h"
#include "theme.h"
#include "views.h"

namespace {

crm::AppState g_app;
float g_font_dpr = 0;
double g_first_frame_ms = 0;

// The UI font is rasterized at the screen's pixel density, so text stays sharp on HiDPI screens.
void build_fonts(float dpr) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    static const ImWchar ranges[] = {0x0020, 0x024F,   // Latin, Latin-1, Latin Extended
                                     0x0370, 0x03FF,   // Greek
                                     0x0400, 0x04FF,   // Cyrillic
                                     0x2000, 0x206F,   // punctuation
                                     0x20A0, 0x20CF,   // currency signs
                                     0x2190, 0x21FF,   // arrows
                                     0};
    ImFontConfig config;
    config.OversampleH = 1;
    config.PixelSnapH = true;
    ImFont* font = io.Fonts->AddFontFromFileTTF("/fonts/ui.ttf", 16.0f * dpr, &config, ranges);
    if (!font) io.Fonts->AddFontDefault();
    io.FontGlobalScale = 1.0f / dpr;
    g_font_dpr = dpr;
}

std::string state_json() {
    const auto& s = g_app.sync;
    const char* phase = s.phase == crm::SyncPhase::Synced    ? "synced"
                        : s.phase == crm::SyncPhase::Syncing ? "syncing"
                        : s.phase == crm::SyncPhase::Offline ? "offline"
                        : s.phase == crm::SyncPhase::Error   ? "error"
                                                             : "starting";
    nlohmann::json j = {
        {"frame", g_app.frame},
        {"contacts", g_app.contacts.rows.size()},
        {"unpushed", s.unpushed},
        {"sync", phase},
        {"syncMessage", s.message},
        {"syncStatus", crm::sync_status_text(s)},
        {"persisted", crm::platform::persisted()},
        {"fatal", g_app.fatal_error},
        {"firstFrameMs", g_first_frame_ms},
    };
    return j.dump();
}

void draw_app() {
    ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_MenuBar |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus;
    ImGui::Begin("CRM", nullptr, flags);
    crm::draw_status_bar(g_app);
    if (!g_app.fatal_error.empty()) {
        ImGui::TextColored(crm::theme::kError, "The local workspace could not be opened:");
        ImGui::TextWrapped("%s", g_app.fatal_error.c_str());
    } else {
        crm::draw_contacts_view(g_app);
    }
    ImGui::End();
}

// A frame is drawn only when something could have changed on screen: input in the last half
// second (ImGui needs a few frames to finish a click or an animation), a change in what the
// views show, or once a second for clocks. An idle tab then costs almost nothing.
bool should_draw() {
    static std::string last_signature;
    static int64_t last_draw_ms = 0;
    const int64_t now = crm::platform::now_ms();
    std::string signature = crm::sync_status_text(g_app.sync) + "|" + std::to_string(g_app.contacts.rows.size()) + "|" +
                            (g_app.contacts.stale ? "s" : "") + (crm::platform::persisted() ? "p" : "") +
                            crm::platform::storage_error();
    bool draw = now - crm::platform::last_input_ms() < 500 || signature != last_signature || now - last_draw_ms >= 1000 ||
                g_app.frame < 3;
    if (draw) {
        last_signature = std::move(signature);
        last_draw_ms = now;
    }
    return draw;
}

void frame() {
    crm::platform::begin_frame();
    if (crm::platform::device_pixel_ratio() != g_font_dpr) {
        build_fonts(crm::platform::device_pixel_ratio());
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    crm::sync_tick(g_app);
    if (!should_draw()) return;
    crm::test_hooks::begin_frame();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    draw_app();
    ImGui::Render();
    crm::platform::update_cursor();
    ImGuiIO& io = ImGui::GetIO();
    glViewport(0, 0, static_cast<int>(io.DisplaySize.x * io.DisplayFramebufferScale.x),
               static_cast<int>(io.DisplaySize.y * io.DisplayFramebufferScale.y));
    glClearColor(0.97f, 0.97f, 0.98f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (g_app.frame == 0) g_first_frame_ms = emscripten_get_now();  // ms since navigation started
    ++g_app.frame;
}

}  // namespace

int main() {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // layout state will live in the workspace database, not a file
    crm::theme::apply_light();
    if (!crm::platform::init_window()) {
        std::fprintf(stderr, "This browser has no WebGL2; the CRM needs it to draw.\n");
        return 1;
    }
    ImGui_ImplOpenGL3_Init("#version 300 es");
    build_fonts(crm::platform::device_pixel_ratio());

    auto store = crm::LocalStore::open(std::string(crm::platform::kDataDir) + "/crm.db");
    if (store) {
        g_app.store.emplace(std::move(*store));
        if (auto offset = g_app.store->clock_offset()) g_app.sync.clock_offset_ms = *offset;
        crm::sync_request(g_app);
    } else {
        g_app.fatal_error = store.error().to_string();
    }
    crm::test_hooks::set_state_provider(state_json);
    crm::platform::run_main_loop(frame);
    return 0;
}
