// The client's shell: opens the local workspace, sets up ImGui on a WebGL2 canvas and runs the
// frame loop. Screens live in view_*.cpp; browser specifics in platform_web.cpp.
#include <GLES3/gl3.h>
#include <emscripten.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "app_state.h"
#include "fonts.h"
#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "sqlite_db.h"
#include "platform.h"
#include "sync_client.h"
#include "test_hooks.h"
#include "theme.h"
#include "views.h"

namespace {

crm::AppState g_app;
double g_first_frame_ms = 0;
double g_workspace_frame_ms = 0;  // the first frame that showed the open workspace (its screens, with data)

std::string state_json() {
    const auto& s = g_app.sync;
    const char* phase = s.phase == crm::SyncPhase::Synced    ? "synced"
                        : s.phase == crm::SyncPhase::Syncing ? "syncing"
                        : s.phase == crm::SyncPhase::Offline ? "offline"
                        : s.phase == crm::SyncPhase::Error   ? "error"
                                                             : "starting";
    nlohmann::json j = {
        {"frame", g_app.frame},
        {"contacts", g_app.counts.count("contact") ? g_app.counts.at("contact") : 0},
        {"unpushed", s.unpushed},
        {"unsentEdits", s.unsent_edits},
        {"nextAttemptMs", s.next_attempt_ms},
        {"nowMs", crm::platform::now_ms()},
        {"sync", phase},
        {"syncMessage", s.message},
        {"syncStatus", crm::sync_status_text(s)},
        {"persisted", crm::platform::persisted()},
        {"fatal", g_app.fatal_error},
        {"signedIn", g_app.auth.signed_in},
        {"cursor", s.cursor},
        {"latest", s.latest},
        {"adoptedSnapshot", s.adopted_snapshot},
        {"snapshot", {{"bytes", s.snapshot_bytes}, {"downloadMs", s.snapshot_download_ms}, {"adoptMs", s.snapshot_adopt_ms}, {"checksum", s.snapshot_checksum}}},
        {"workspace", g_app.auth.workspace_name},
        {"invite", {{"code", g_app.auth.invite_code},
                    {"link", g_app.auth.invite_code.empty() ? "" : crm::invite_link(g_app.auth.invite_code)},
                    {"signInMode", g_app.auth.form.mode == crm::AuthMode::Join ? "join" : "other"},
                    {"signInCode", g_app.auth.form.invite}}},
        {"firstFrameMs", g_first_frame_ms},
        {"workspaceFrameMs", g_workspace_frame_ms},
        {"font", crm::fonts::report()},
    };
    j.update(crm::views_state(g_app));  // route, the table or record on screen, draw times
    return j.dump();
}

void draw_app() {
    ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_MenuBar |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus;
    // The shell's sidebar runs from edge to edge; its screens keep their own padding.
    const bool shell = g_app.fatal_error.empty() && g_app.auth.signed_in;
    if (shell) ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::Begin("CRM", nullptr, flags);
    if (shell) ImGui::PopStyleVar();
    crm::draw_status_bar(g_app);
    if (!g_app.fatal_error.empty()) {
        ImGui::TextColored(crm::theme::kError, "The local workspace could not be opened:");
        ImGui::TextWrapped("%s", g_app.fatal_error.c_str());
    } else if (!g_app.auth.signed_in) {
        crm::follow_invite_link(g_app);
        crm::draw_sign_in(g_app);
    } else {
        crm::draw_shell(g_app);
    }
    ImGui::End();
}

// A frame is drawn only when something could have changed on screen: input in the last 150 ms
// (ImGui needs a few frames to finish a click), a button or key held down (drags, key repeat), a
// change in what the views show, a text cursor's blink while a field has the keyboard, or once a
// second for clocks. An idle tab then costs almost nothing, and typing does not keep the canvas
// redrawing at full rate for half a second after every key.
bool should_draw() {
    static std::string last_signature;
    static int64_t last_draw_ms = 0;
    const int64_t now = crm::platform::now_ms();
    std::string signature = crm::sync_status_text(g_app.sync) + "|" + crm::views_signature(g_app) + "|" +
                            (crm::platform::persisted() ? "p" : "") + crm::platform::storage_error();
    // ImGui settles an input over the next few frames (a scroll lands, a popup opens): draw at
    // least three after each, however slowly frames come.
    static int64_t seen_input_ms = 0;
    static int frames_after_input = 0;
    if (crm::platform::last_input_ms() != seen_input_ms) {
        seen_input_ms = crm::platform::last_input_ms();
        frames_after_input = 3;
    }
    const ImGuiIO& io = ImGui::GetIO();
    bool held = false;
    for (bool down : io.MouseDown) held |= down;
    for (bool down : io.KeysDown) held |= down;
    bool draw = now - crm::platform::last_input_ms() < 150 || frames_after_input > 0 || held ||
                signature != last_signature || now - last_draw_ms >= (io.WantTextInput ? 400 : 1000) || g_app.frame < 3;
    // A view asked for a few more frames (a focus move, a scroll to the top after a new query).
    if (g_app.redraw_frames > 0) {
        --g_app.redraw_frames;
        draw = true;
    }
    if (draw) {
        if (frames_after_input > 0) --frames_after_input;
        last_signature = std::move(signature);
        last_draw_ms = now;
    }
    return draw;
}

// ---- the local database: storage loads it (platform.h), this opens it -------------------------

std::string g_db_path;         // where storage put the file it last (re)loaded
bool g_open_pending = false;   // storage (re)loaded it and open_store() has not opened it yet
int g_storage_signature = -1;  // the storage screen last drawn

// Opens the database storage has just (re)loaded: at start, after taking the workspace back
// from another tab, after a reset. Waits while a push or pull is in flight, so that its answer
// lands in the store it was sent from.
void open_store() {
    if (!g_open_pending || g_app.sync.in_flight) return;
    g_open_pending = false;
    auto store = crm::LocalStore::open(g_db_path);
    const bool waiting = g_app.sync.waiting;  // a long-poll still open: keep it the only one
    g_app.sync = crm::SyncState{};
    g_app.sync.waiting = waiting;
    g_app.contacts.stale = true;
    if (!store) {
        // A store opened before stays (read-only): a long-poll's answer may still read it.
        g_app.fatal_error = store.error().to_string();
        return;
    }
    g_app.fatal_error.clear();
    g_app.store.emplace(std::move(*store));
    if (auto offset = g_app.store->clock_offset()) g_app.sync.clock_offset_ms = *offset;
    crm::sync_request(g_app);
}

// True when this tab has the workspace and its database is open: the app shows and syncs.
// Otherwise view_storage.cpp says why not (loading, open in another tab, damaged).
bool workspace_ready() {
    open_store();
    // Damage SQLite met in a page read since the open: the same screen as damage found at open.
    if (g_app.store && g_app.fatal_error.empty())
        if (std::string damage = g_app.store->damage(); !damage.empty())
            g_app.fatal_error = "the local database is damaged (" + damage + ")";
    return crm::platform::storage_state() == crm::platform::StorageState::Ready && !g_open_pending &&
           g_app.store.has_value() && g_app.fatal_error.empty();
}

// The storage screens change without input (another tab let go): draw when they do.
bool storage_screen_changed() {
    const int signature = static_cast<int>(crm::platform::storage_state()) * 2 + (g_app.fatal_error.empty() ? 0 : 1);
    if (signature == g_storage_signature) return false;
    g_storage_signature = signature;
    return true;
}

void frame() {
    crm::platform::begin_frame();
    // Text is rasterized at the screen's pixel density, so it stays sharp on HiDPI screens; the
    // atlas grows by the characters met since the last frame (fonts.h).
    if (crm::fonts::update(crm::platform::device_pixel_ratio())) {
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    const bool workspace_here = workspace_ready();
    g_app.sync.workspace_open = workspace_here;  // answers that arrive between frames check it
    // A network that comes back is tried at once, not at the next retry of the back-off.
    if (crm::platform::came_online() && g_app.store) {
        g_app.sync.next_attempt_ms = 0;
        g_app.sync.next_wait_ms = 0;
        crm::sync_request(g_app);
    }
    if (workspace_here) crm::sync_tick(g_app);
    if (!storage_screen_changed() && !should_draw()) return;
    crm::test_hooks::begin_frame();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    if (workspace_here)
        draw_app();
    else
        crm::draw_storage_view(g_app);
    ImGui::Render();
    crm::platform::update_cursor();
    ImGuiIO& io = ImGui::GetIO();
    glViewport(0, 0, static_cast<int>(io.DisplaySize.x * io.DisplayFramebufferScale.x),
               static_cast<int>(io.DisplaySize.y * io.DisplayFramebufferScale.y));
    const ImVec4 bg = crm::theme::background();
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (g_app.frame == 0) g_first_frame_ms = emscripten_get_now();  // ms since navigation started
    if (g_workspace_frame_ms == 0 && workspace_here && g_app.auth.signed_in) g_workspace_frame_ms = emscripten_get_now();
    ++g_app.frame;
}

}  // namespace

int main() {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // layout state will live in the workspace database, not a file
    crm::theme::apply_saved();  // the theme chosen on this device, or the system's
    if (!crm::platform::init_window()) {
        std::fprintf(stderr, "This browser has no WebGL2; the CRM needs it to draw.\n");
        return 1;
    }
    ImGui_ImplOpenGL3_Init("#version 300 es");
    crm::set_text_observer(crm::fonts::note_text);  // the characters of every text read, for the font atlas

    crm::test_hooks::set_state_provider(state_json);
    // The database loads from IndexedDB while the first frames draw; open_store() opens it then.
    crm::platform::load_database("crm.db", [](const std::string& path) {
        g_db_path = path;
        g_open_pending = true;
        open_store();
    });
    crm::platform::run_main_loop(frame);
    return 0;
}
