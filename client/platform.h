#pragma once
// The client's window onto the browser, behind one small interface: time, durable storage,
// HTTP, the canvas and its input. platform_web.cpp implements it with Emscripten's HTML5 API.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace crm::platform {

// Where the local database files live: in memory, saved page by page to IndexedDB.
inline constexpr const char* kDataDir = "/data";

int64_t now_ms();

// ---- the local database (storage_web.cpp, storage.js) ------------------------------------------

enum class StorageState {
    Loading,       // reading the database from IndexedDB
    Ready,         // this tab has the workspace: every commit is saved to IndexedDB
    Elsewhere,     // another tab of this browser has the workspace open
    TakingOver,    // take_over() asked that tab to save and let go; waiting for it
    NotAnswering,  // that tab has not let go after a few seconds (frozen in the background?)
    Moved,         // another tab took the workspace over from this one
    Unavailable,   // IndexedDB could not be read; storage_error() says why
};

// Loads the database file `name` ("crm.db", "ws-<id>.db": a plain file name) from IndexedDB
// into memory once this tab holds the workspace's lock, then calls `ready` with the path to open
// with SQLite (under kDataDir). `ready` runs again whenever the file is reloaded here: after
// taking the workspace back from another tab, and after reset_database(). From then on every
// commit to that file is written to IndexedDB, all of its pages in one transaction.
void load_database(const std::string& name, std::function<void(const std::string& path)> ready);
// The state of the database last passed to load_database().
StorageState storage_state();
// Asks the tab that has the workspace to save and let go, then loads the database here.
void take_over();
// Takes the workspace from a tab that does not answer; changes it has not saved are lost.
void force_take_over();
// Deletes the stored database and starts again from an empty one (sync then downloads it all).
void reset_database();
// Tries again to read a database that could not be read (StorageState::Unavailable).
void retry_load();
// Every commit is written to IndexedDB by itself, as it happens. Call this after a save the
// person made: a write that failed earlier (storage full) is retried now instead of after its
// back-off.
void persist();
// True when every committed change is in IndexedDB.
bool persisted();
// Why saving or loading failed (storage full, IndexedDB blocked), empty when all is well.
// A commit that could not be written stays in memory and is retried.
std::string storage_error();

struct HttpResponse {
    int status = 0;    // 0: no answer (offline, server down)
    std::string body;
};
// The setting naming the sync server's origin ("https://crm.example.com"); empty or absent: the
// page's own origin. Requests read it as they start.
inline constexpr const char* kServerSetting = "crm.server";
// Starts an HTTP request to the sync server (this page's origin unless kServerSetting names
// another); `done` runs on a later frame.
void http_request(const std::string& method, const std::string& path, const std::string& body,
                  std::function<void(HttpResponse)> done);
// Whether a download's bytes match the SHA-256 the server sent with them (X-Crm-Sha256).
// Unchecked: the server sent none, or this page cannot compute one (crypto.subtle needs HTTPS
// or localhost).
enum class Checksum { Unchecked, Matched, Mismatched };
// Downloads a large binary answer (GET `path` on the sync server) straight into memory;
// `done` gets the status (0: no answer), the bytes, which live only during the call, and
// whether they matched the server's checksum.
void http_download(const std::string& path,
                   std::function<void(int status, std::string_view bytes, Checksum checksum)> done);
// How far the download running now has come: bytes received and expected (the server's
// X-Crm-Size header; 0 when it did not say). Both 0 when none runs.
struct TransferProgress {
    int64_t received = 0, total = 0;
};
TransferProgress download_progress();
// Fetches a file of the app itself (beside index.html, so the service worker caches it for
// offline use) into memory; `done` runs on a later frame with the bytes, empty when it failed,
// which live only during the call.
void fetch_app_file(const std::string& name, std::function<void(std::string_view bytes)> done);
// Sends "Authorization: Bearer <token>" with every later request; an empty token sends none.
void set_auth_token(const std::string& token);

// A few small settings the browser keeps outside the database (localStorage): the session.
std::string load_setting(const std::string& key);
// Stores `value` under `key`; an empty value removes the key.
void save_setting(const std::string& key, const std::string& value);

// Installs the input callbacks and sizes the canvas; returns false when WebGL2 is missing.
bool init_window();
// Applies queued input and the canvas size to ImGui; call once per frame before NewFrame.
void begin_frame();
// When the person last touched the mouse or keyboard, or the window changed size.
int64_t last_input_ms();
// Device pixels per CSS pixel: 2 on most HiDPI screens.
float device_pixel_ratio();
// Sets the mouse cursor shape on the canvas from ImGui's wish.
void update_cursor();
// Runs `frame` once per animation frame, forever.
void run_main_loop(void (*frame)());

// ---- keyboard shortcuts, clipboard, look (platform_web.cpp) -------------------------------------

// A key pressed since the last frame, as the browser names it ("k", "N", "/", "Escape"), with
// the modifiers held: for the app's shortcuts (Dear ImGui 1.86 knows no letter keys but a few).
struct KeyPress {
    std::string key;
    bool ctrl = false, shift = false, alt = false, meta = false;
};
// The keys pressed since the last frame, oldest first.
const std::vector<KeyPress>& key_presses();
// True on macOS, where shortcuts use Cmd instead of Ctrl (and are shown as "Cmd+K").
bool is_mac();
// Puts `text` on the system clipboard (text fields copy through this too).
void set_clipboard_text(const std::string& text);
// The text last copied or pasted here, and a count that changes with it.
std::string_view clipboard_text(int* version);
// True once after the browser says the network is back (its `online` event).
bool came_online();
// True when the system asks for a dark colour scheme (prefers-color-scheme).
bool prefers_dark_scheme();

}  // namespace crm::platform
