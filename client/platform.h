#pragma once
// The client's window onto the browser, behind one small interface: time, durable storage,
// HTTP, the canvas and its input. platform_web.cpp implements it with Emscripten's HTML5 API.
#include <cstdint>
#include <functional>
#include <string>

namespace crm::platform {

// Where the local database lives; a folder backed by IndexedDB in the browser.
inline constexpr const char* kDataDir = "/data";

int64_t now_ms();

// Asks the browser to write the local database to durable storage. Calls coalesce: a request
// made while a write is running starts one more write when it finishes.
void persist();
// True when every change made before the last persist() call is durable.
bool persisted();
// The last storage error (quota, blocked IndexedDB), empty when there is none.
std::string storage_error();

struct HttpResponse {
    int status = 0;    // 0: no answer (offline, server down)
    std::string body;
};
// Starts an HTTP request to this page's origin; `done` runs on a later frame.
void http_request(const std::string& method, const std::string& path, const std::string& body,
                  std::function<void(HttpResponse)> done);

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

}  // namespace crm::platform
