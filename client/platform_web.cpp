// The browser side of platform.h: HTML5 input events queued into ImGui, a canvas sized in
// device pixels, and fetch() for HTTP. The local database's storage is in storage_web.cpp.
#include <emscripten.h>
#include <emscripten/wget.h>
#include <emscripten/html5.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "imgui.h"
#include "imgui_internal.h"
#include "platform.h"

namespace crm::platform {
namespace {

// Browser events arrive between frames, sometimes a press and its release before one frame:
// they are queued and fed to ImGui so that each frame sees at most one change per button/key.
struct InputEvent {
    enum Kind { MouseMove, MouseButton, Key, Wheel, Chars, Press, Paste } kind;
    float x = 0, y = 0;
    int index = 0;  // mouse button or ImGuiKey; Press: the modifiers (bits ctrl 1, shift 2, alt 4, meta 8)
    bool down = false;
    std::string text;
    int mods = -1;  // Key, MouseButton: the modifiers held then (bits as for Press); -1: not known
};

struct WindowState {
    std::deque<InputEvent> queue;
    bool ctrl = false, shift = false, alt = false, super = false;  // as of the latest browser event
    int applied_mods = 0;  // as of the last key or button event fed to ImGui
    double css_w = 0, css_h = 0;
    float dpr = 1;
    EMSCRIPTEN_WEBGL_CONTEXT_HANDLE gl = 0;
    int64_t last_input_ms = 0;
    std::vector<KeyPress> presses;  // since the last frame, for the app's shortcuts
    std::string clipboard;          // the last text copied or pasted, for ImGui
    int clipboard_version = 0;      // counts changes of `clipboard`
    bool text_focus = false;        // the hidden text area has the focus (a text field is active)
    bool paste_frame = false;       // this frame presses the paste shortcut for ImGui (below)
};
WindowState g_window;

std::map<int, std::function<void(HttpResponse)>> g_http_pending;
std::map<int, std::function<void(int, std::string_view, Checksum)>> g_download_pending;
int g_http_next_id = 1;

int imgui_key_for(const char* key) {
    static const std::map<std::string, int> keys = {
        {"Tab", ImGuiKey_Tab},           {"ArrowLeft", ImGuiKey_LeftArrow}, {"ArrowRight", ImGuiKey_RightArrow},
        {"ArrowUp", ImGuiKey_UpArrow},   {"ArrowDown", ImGuiKey_DownArrow}, {"PageUp", ImGuiKey_PageUp},
        {"PageDown", ImGuiKey_PageDown}, {"Home", ImGuiKey_Home},           {"End", ImGuiKey_End},
        {"Insert", ImGuiKey_Insert},     {"Delete", ImGuiKey_Delete},       {"Backspace", ImGuiKey_Backspace},
        {" ", ImGuiKey_Space},           {"Enter", ImGuiKey_Enter},         {"Escape", ImGuiKey_Escape},
        {"a", ImGuiKey_A}, {"c", ImGuiKey_C}, {"v", ImGuiKey_V}, {"x", ImGuiKey_X}, {"y", ImGuiKey_Y}, {"z", ImGuiKey_Z},
        {"A", ImGuiKey_A}, {"C", ImGuiKey_C}, {"V", ImGuiKey_V}, {"X", ImGuiKey_X}, {"Y", ImGuiKey_Y}, {"Z", ImGuiKey_Z},
    };
    auto it = keys.find(key);
    return it == keys.end() ? -1 : it->second;
}

// True for a `key` value that is one printable character (one code point, not "Shift").
bool is_printable(const char* key) {
    size_t n = std::strlen(key);
    if (n == 0 || n > 4) return false;
    unsigned char c = static_cast<unsigned char>(key[0]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    return len == n && (c >= 0x20 || len > 1) && c != 0x7F;
}

void note_modifiers(const EmscriptenKeyboardEvent* e) {
    g_window.ctrl = e->ctrlKey;
    g_window.shift = e->shiftKey;
    g_window.alt = e->altKey;
    g_window.super = e->metaKey;
}

EM_BOOL on_key(int type, const EmscriptenKeyboardEvent* e, void*) {
    // An input method is composing (keyCode 229): its keys belong to it, and the text it
    // composes arrives through the hidden text area (compositionend).
    if (e->keyCode == 229) return false;
    note_modifiers(e);
    const bool down = type == EMSCRIPTEN_EVENT_KEYDOWN;
    int key = imgui_key_for(e->key);
    bool handled = false;
    const int mods = (e->ctrlKey ? 1 : 0) | (e->shiftKey ? 2 : 0) | (e->altKey ? 4 : 0) | (e->metaKey ? 8 : 0);
    if (down) g_window.queue.push_back({InputEvent::Press, 0, 0, mods, true, e->key});
    // Paste comes from the browser's 'paste' event with the system clipboard's text (below),
    // so ImGui must not paste its own copy on Ctrl+V as well.
    if ((e->ctrlKey || e->metaKey) && key == ImGuiKey_V) return false;
    // Ctrl/Cmd+K opens the command palette, not the browser's search.
    if ((e->ctrlKey || e->metaKey) && (std::strcmp(e->key, "k") == 0 || std::strcmp(e->key, "K") == 0)) return true;
    if (key >= 0) {
        g_window.queue.push_back({InputEvent::Key, 0, 0, key, down, {}, mods});
        handled = true;
    }
    if (down && is_printable(e->key) && !e->ctrlKey && !e->metaKey) {
        g_window.queue.push_back({InputEvent::Chars, 0, 0, 0, false, e->key});
        handled = true;
    }
    // Let the browser keep its own shortcuts (reload, devtools, clipboard) when Ctrl/Meta is held.
    if ((e->ctrlKey || e->metaKey) && key != ImGuiKey_A && key != ImGuiKey_Z && key != ImGuiKey_Y) return false;
    return handled;
}

EM_BOOL on_mouse(int type, const EmscriptenMouseEvent* e, void*) {
    const float x = static_cast<float>(e->clientX), y = static_cast<float>(e->clientY);
    if (type == EMSCRIPTEN_EVENT_MOUSEMOVE) {
        g_window.queue.push_back({InputEvent::MouseMove, x, y, 0, false, {}});
        return false;
    }
    int button = e->button == 0 ? 0 : e->button == 2 ? 1 : e->button == 1 ? 2 : -1;
    if (button < 0) return false;
    g_window.queue.push_back({InputEvent::MouseMove, x, y, 0, false, {}});
    const int mods = (e->ctrlKey ? 1 : 0) | (e->shiftKey ? 2 : 0) | (e->altKey ? 4 : 0) | (e->metaKey ? 8 : 0);
    g_window.queue.push_back({InputEvent::MouseButton, x, y, button, type == EMSCRIPTEN_EVENT_MOUSEDOWN, {}, mods});
    return type == EMSCRIPTEN_EVENT_MOUSEDOWN;
}

EM_BOOL on_wheel(int, const EmscriptenWheelEvent* e, void*) {
    // deltaMode 0 is pixels, 1 lines, 2 pages; ImGui counts in "lines".
    double scale = e->deltaMode == DOM_DELTA_PIXEL ? 1.0 / 100.0 : e->deltaMode == DOM_DELTA_LINE ? 1.0 / 3.0 : 1.0;
    InputEvent ev{InputEvent::Wheel};
    ev.x = static_cast<float>(-e->deltaX * scale);
    ev.y = static_cast<float>(-e->deltaY * scale);
    g_window.queue.push_back(ev);
    return true;
}

EM_BOOL on_blur(int, const EmscriptenFocusEvent*, void*) {
    // Keys held when the tab lost focus would otherwise stay down forever.
    ImGuiIO& io = ImGui::GetIO();
    std::memset(io.KeysDown, 0, sizeof io.KeysDown);
    g_window.ctrl = g_window.shift = g_window.alt = g_window.super = false;
    g_window.applied_mods = 0;
    return false;
}

void apply_queued_input() {
    ImGuiIO& io = ImGui::GetIO();
    if (!g_window.queue.empty()) g_window.last_input_ms = static_cast<int64_t>(emscripten_date_now());
    bool mouse_changed[5] = {};
    bool key_changed[ImGuiKey_COUNT] = {};
    while (!g_window.queue.empty()) {
        InputEvent& ev = g_window.queue.front();
        switch (ev.kind) {
            case InputEvent::MouseMove:
                io.MousePos = ImVec2(ev.x, ev.y);
                break;
            case InputEvent::MouseButton:
                if (mouse_changed[ev.index]) return;  // the rest waits for the next frame
                mouse_changed[ev.index] = true;
                if (ev.mods >= 0) g_window.applied_mods = ev.mods;
                io.MousePos = ImVec2(ev.x, ev.y);
                io.MouseDown[ev.index] = ev.down;
                break;
            case InputEvent::Key:
                if (key_changed[ev.index]) return;
                key_changed[ev.index] = true;
                if (ev.mods >= 0) g_window.applied_mods = ev.mods;
                io.KeysDown[ev.index] = ev.down;
                break;
            case InputEvent::Wheel:
                io.MouseWheelH += ev.x;
                io.MouseWheel += ev.y;
                break;
            case InputEvent::Chars:
                io.AddInputCharactersUTF8(ev.text.c_str());
                break;
            case InputEvent::Paste:
                // ImGui drops characters typed while Ctrl is held, so a paste is given to it as
                // its own shortcut: the text becomes the clipboard ImGui reads, and this frame
                // presses Ctrl+V (Cmd+V on macOS); the release waits for the next frame.
                if (key_changed[ImGuiKey_V]) return;
                g_window.clipboard = ev.text;
                ++g_window.clipboard_version;
                g_window.paste_frame = true;
                io.KeysDown[ImGuiKey_V] = true;
                g_window.queue.pop_front();
                g_window.queue.push_front({InputEvent::Key, 0, 0, ImGuiKey_V, false, {}});
                return;
            case InputEvent::Press:
                g_window.presses.push_back({ev.text, (ev.index & 1) != 0, (ev.index & 2) != 0, (ev.index & 4) != 0,
                                            (ev.index & 8) != 0});
                break;
        }
        g_window.queue.pop_front();
    }
}

void update_canvas_size() {
    double w = 0, h = 0;
    emscripten_get_element_css_size("#canvas", &w, &h);
    float dpr = static_cast<float>(emscripten_get_device_pixel_ratio());
    if (w != g_window.css_w || h != g_window.css_h || dpr != g_window.dpr) {
        g_window.css_w = w;
        g_window.css_h = h;
        g_window.dpr = dpr;
        g_window.last_input_ms = static_cast<int64_t>(emscripten_date_now());
        emscripten_set_canvas_element_size("#canvas", static_cast<int>(std::lround(w * dpr)),
                                           static_cast<int>(std::lround(h * dpr)));
    }
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(static_cast<float>(w), static_cast<float>(h));
    io.DisplayFramebufferScale = ImVec2(dpr, dpr);
}

}  // namespace

// ---- HTTP -------------------------------------------------------------------------------------

namespace {
void app_file_loaded(void* arg, void* data, int size) {
    std::unique_ptr<std::function<void(std::string_view)>> done(static_cast<std::function<void(std::string_view)>*>(arg));
    (*done)(std::string_view(static_cast<const char*>(data), static_cast<size_t>(size)));
}
void app_file_failed(void* arg) {
    std::unique_ptr<std::function<void(std::string_view)>> done(static_cast<std::function<void(std::string_view)>*>(arg));
    std::fprintf(stderr, "could not fetch a file of the app; text it would draw shows as boxes\n");
    (*done)({});
}
}  // namespace

void fetch_app_file(const std::string& name, std::function<void(std::string_view bytes)> done) {
    emscripten_async_wget_data(name.c_str(), new std::function<void(std::string_view)>(std::move(done)), app_file_loaded,
                               app_file_failed);
}

EM_JS(void, js_http_request, (int id, const char* method, const char* path, const char* body, int body_len), {
    var init = { method: UTF8ToString(method), cache: "no-store", headers: {} };
    if (body_len > 0) {
        init.body = UTF8ToString(body, body_len);
        init.headers["Content-Type"] = "application/json";
    }
    if (Module.crmAuthToken) init.headers["Authorization"] = "Bearer " + Module.crmAuthToken;
    // Settings can name another sync server (an origin; empty: this page's own).
    var server = "";
    try { server = window.localStorage.getItem("crm.server") || ""; } catch (e) {}
    var done = function(status, text) {
        var len = lengthBytesUTF8(text) + 1;
        var ptr = _malloc(len);
        stringToUTF8(text, ptr, len);
        _crm_http_done(id, status, ptr);
        _free(ptr);
    };
    fetch(server + UTF8ToString(path), init)
        .then(function(r) { return r.text().then(function(t) { done(r.status, t); }); })
        .catch(function(e) { done(0, String(e && e.message || e)); });
});

void http_request(const std::string& method, const std::string& path, const std::string& body,
                  std::function<void(HttpResponse)> done) {
    int id = g_http_next_id++;
    g_http_pending[id] = std::move(done);
    js_http_request(id, method.c_str(), path.c_str(), body.c_str(), static_cast<int>(body.size()));
}

// Reads the body as it arrives (for the progress bar), then copies it once into the wasm heap.
EM_JS(void, js_http_download, (int id, const char* path), {
    var init = { cache: "no-store", headers: {} };
    if (Module.crmAuthToken) init.headers["Authorization"] = "Bearer " + Module.crmAuthToken;
    var server = "";  // the same sync server as js_http_request's
    try { server = window.localStorage.getItem("crm.server") || ""; } catch (e) {}
    var progress = Module.crmDownload = { received: 0, total: 0 };
    var finish = function(status, chunks, sha256) {
        var size = 0;
        chunks.forEach(function(c) { size += c.length; });
        var ptr = _malloc(Math.max(size, 1));
        if (!ptr) { status = 0; size = 0; }
        var at = ptr;
        if (ptr) chunks.forEach(function(c) { HEAPU8.set(c, at); at += c.length; });
        chunks.length = 0;
        Module.crmDownload = null;
        var deliver = function(checksum) {  // platform::Checksum: 0 unchecked, 1 matched, 2 mismatched
            try {
                _crm_http_download_done(id, status, ptr, size, checksum);
            } finally {
                _free(ptr);
            }
        };
        var subtle = typeof crypto === "object" && crypto.subtle;
        if (status !== 200 || !sha256 || !subtle || !ptr) return deliver(0);
        // The digest runs off the main thread; it copies the bytes when called.
        subtle.digest("SHA-256", HEAPU8.subarray(ptr, ptr + size)).then(function(digest) {
            var hex = Array.prototype.map.call(new Uint8Array(digest), function(b) {
                return (b < 16 ? "0" : "") + b.toString(16);
            }).join("");
            deliver(hex === sha256.toLowerCase() ? 1 : 2);
        }, function() { deliver(0); });
    };
    fetch(server + UTF8ToString(path), init).then(function(r) {
        progress.total = Number(r.headers.get("X-Crm-Size")) || 0;
        var sha256 = r.headers.get("X-Crm-Sha256") || "";
        var reader = r.body.getReader(), chunks = [];
        var pump = function() {
            return reader.read().then(function(step) {
                if (step.done) return finish(r.status, chunks, sha256);
                chunks.push(step.value);
                progress.received += step.value.length;
                return pump();
            });
        };
        return pump();
    }).catch(function(e) {
        console.warn("crm: download of " + UTF8ToString(path) + " failed: " + (e && e.message || e));
        if (Module.crmDownload === progress) finish(0, [], "");
    });
});

EM_JS(double, js_download_received, (), { return Module.crmDownload ? Module.crmDownload.received : 0; });
EM_JS(double, js_download_total, (), { return Module.crmDownload ? Module.crmDownload.total : 0; });

void http_download(const std::string& path,
                   std::function<void(int status, std::string_view bytes, Checksum checksum)> done) {
    int id = g_http_next_id++;
    g_download_pending[id] = std::move(done);
    js_http_download(id, path.c_str());
}

TransferProgress download_progress() {
    return {static_cast<int64_t>(js_download_received()), static_cast<int64_t>(js_download_total())};
}

EM_JS(void, js_set_auth_token, (const char* token), {
    Module.crmAuthToken = UTF8ToString(token);
});

void set_auth_token(const std::string& token) { js_set_auth_token(token.c_str()); }

// ---- settings (localStorage) ------------------------------------------------------------------

EM_JS(char*, js_load_setting, (const char* key), {
    var v = "";
    try { v = window.localStorage.getItem(UTF8ToString(key)) || ""; } catch (e) {}
    var len = lengthBytesUTF8(v) + 1;
    var ptr = _malloc(len);
    stringToUTF8(v, ptr, len);
    return ptr;
});
EM_JS(void, js_save_setting, (const char* key, const char* value), {
    try {
        var v = UTF8ToString(value);
        if (v) window.localStorage.setItem(UTF8ToString(key), v);
        else window.localStorage.removeItem(UTF8ToString(key));
    } catch (e) { console.warn("could not keep a setting: " + e); }
});

std::string load_setting(const std::string& key) {
    char* p = js_load_setting(key.c_str());
    std::string s(p);
    free(p);
    return s;
}

void save_setting(const std::string& key, const std::string& value) { js_save_setting(key.c_str(), value.c_str()); }

// ---- text input, clipboard, look ---------------------------------------------------------------

// Text that arrives without a printable keydown (an input method's composition, dead keys,
// a mobile keyboard, insertText) and pasted text come through a hidden text area that has the
// focus while an ImGui text field is active; printable keydowns are prevented, so the text area
// only ever receives the text the keydowns do not carry. Both go to crm_text_input in order with
// the key events.
// The browser's `online` event (a network came back): counted, so a frame can react at once.
EM_JS(void, js_watch_online, (), {
    Module.crmOnlineEvents = 0;
    window.addEventListener("online", function() { Module.crmOnlineEvents++; });
});
EM_JS(int, js_online_events, (), { return Module.crmOnlineEvents || 0; });

EM_JS(void, js_install_text_input, (), {
    var area = document.createElement("textarea");
    area.id = "crm-text-input";
    area.setAttribute("aria-hidden", "true");
    area.setAttribute("autocomplete", "off");
    area.setAttribute("autocapitalize", "off");
    area.setAttribute("spellcheck", "false");
    area.style.cssText = "position:fixed;left:0;top:0;width:1px;height:1px;opacity:0;padding:0;border:0;" +
                         "margin:0;resize:none;overflow:hidden;pointer-events:none;z-index:-1";
    document.body.appendChild(area);
    var composing = false;
    var send = function(text, pasted) {
        if (!text) return;
        var len = lengthBytesUTF8(text) + 1;
        var ptr = _malloc(len);
        stringToUTF8(text, ptr, len);
        _crm_text_input(ptr, pasted ? 1 : 0);
        _free(ptr);
    };
    var take = function(fallback) {
        var text = area.value || fallback || "";
        area.value = "";
        send(text);
    };
    area.addEventListener("compositionstart", function() { composing = true; });
    area.addEventListener("compositionend", function(e) { composing = false; take(e.data); });
    area.addEventListener("input", function(e) { if (!composing && !e.isComposing) take(""); });
    document.addEventListener("paste", function(e) {
        var text = e.clipboardData ? e.clipboardData.getData("text/plain") : "";
        e.preventDefault();
        send(text, true);
    });
    Module.crmTextArea = area;
});

EM_JS(void, js_focus_text_input, (int on), {
    var area = Module.crmTextArea;
    if (!area) return;
    if (on) area.focus({ preventScroll: true });
    else if (document.activeElement === area) area.blur();
});

EM_JS(void, js_set_clipboard, (const char* text), {
    var t = UTF8ToString(text);
    try {
        if (navigator.clipboard && navigator.clipboard.writeText)
            navigator.clipboard.writeText(t).catch(function(e) { console.warn("could not copy to the clipboard: " + e); });
    } catch (e) { console.warn("could not copy to the clipboard: " + e); }
});

EM_JS(int, js_prefers_dark, (), {
    try { return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? 1 : 0; } catch (e) { return 0; }
});

EM_JS(int, js_is_mac, (), {
    var p = (navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || "";
    return /mac/i.test(p) ? 1 : 0;
});

// A one-line field gets a multi-line paste as one line, its lines joined by a space: ImGui would
// drop the line breaks and glue the lines together ("Müller\nGlobex" -> "MüllerGlobex").
const char* get_clipboard_for_imgui(void*) {
    const ImGuiContext& g = *ImGui::GetCurrentContext();
    const bool multiline =
        g.ActiveId != 0 && g.InputTextState.ID == g.ActiveId && (g.InputTextState.Flags & ImGuiInputTextFlags_Multiline);
    if (multiline || g_window.clipboard.find_first_of("\n\t") == std::string::npos) return g_window.clipboard.c_str();
    static std::string joined;
    joined.clear();
    bool gap = false;
    for (char c : g_window.clipboard) {
        if (c == '\n' || c == '\t') {
            gap = !joined.empty();
            continue;
        }
        if (gap && c != ' ' && joined.back() != ' ') joined += ' ';
        gap = false;
        joined += c;
    }
    return joined.c_str();
}
void set_clipboard_for_imgui(void*, const char* text) { set_clipboard_text(text ? text : ""); }

bool came_online() {
    static int seen = 0;
    const int now = js_online_events();
    if (now == seen) return false;
    seen = now;
    return true;
}

std::string_view clipboard_text(int* version) {
    if (version) *version = g_window.clipboard_version;
    return g_window.clipboard;
}

void set_clipboard_text(const std::string& text) {
    g_window.clipboard = text;
    ++g_window.clipboard_version;
    js_set_clipboard(text.c_str());
}

bool prefers_dark_scheme() { return js_prefers_dark() != 0; }

bool is_mac() {
    static const bool mac = js_is_mac() != 0;
    return mac;
}

const std::vector<KeyPress>& key_presses() { return g_window.presses; }

// ---- window ------------------------------------------------------------------------------------

int64_t now_ms() { return static_cast<int64_t>(emscripten_date_now()); }

bool init_window() {
    EmscriptenWebGLContextAttributes attrs;
    emscripten_webgl_init_context_attributes(&attrs);
    attrs.majorVersion = 2;
    attrs.minorVersion = 0;
    attrs.alpha = false;
    attrs.antialias = false;
    attrs.depth = false;
    attrs.stencil = false;
    g_window.gl = emscripten_webgl_create_context("#canvas", &attrs);
    if (g_window.gl <= 0) return false;
    emscripten_webgl_make_context_current(g_window.gl);

    ImGuiIO& io = ImGui::GetIO();
    for (int k = 0; k < ImGuiKey_COUNT; ++k) io.KeyMap[k] = k;  // KeysDown is indexed by ImGuiKey
    io.BackendPlatformName = "crm_platform_web";
    io.SetClipboardTextFn = set_clipboard_for_imgui;
    io.GetClipboardTextFn = get_clipboard_for_imgui;
    io.ConfigMacOSXBehaviors = is_mac();  // Cmd+C/V/X/Z/A in text fields, Option+arrows by word
    js_install_text_input();
    js_watch_online();

    const char* win = EMSCRIPTEN_EVENT_TARGET_WINDOW;
    emscripten_set_keydown_callback(win, nullptr, true, on_key);
    emscripten_set_keyup_callback(win, nullptr, true, on_key);
    emscripten_set_mousedown_callback("#canvas", nullptr, true, on_mouse);
    emscripten_set_mouseup_callback(win, nullptr, true, on_mouse);
    emscripten_set_mousemove_callback(win, nullptr, true, on_mouse);
    emscripten_set_wheel_callback("#canvas", nullptr, true, on_wheel);
    // The window's own blur only: with capture, the hidden text area giving back the keyboard
    // (a field let go) would fire it too and drop a key pressed in that same frame.
    emscripten_set_blur_callback(win, nullptr, false, on_blur);
    update_canvas_size();
    return true;
}

void begin_frame() {
    update_canvas_size();
    g_window.presses.clear();
    apply_queued_input();
    ImGuiIO& io = ImGui::GetIO();
    // The hidden text area takes the focus while a text field is active (last frame's answer),
    // so that composed and inserted text reaches it.
    if (io.WantTextInput != g_window.text_focus) {
        g_window.text_focus = io.WantTextInput;
        js_focus_text_input(g_window.text_focus ? 1 : 0);
    }
    // The modifiers that went with the keys this frame sees: a whole Ctrl+A (Ctrl down, A down,
    // A up, Ctrl up) can arrive between two frames, and the A must still be seen with Ctrl held.
    // Once every event is fed, the latest state (a modifier pressed or let go on its own).
    const int m = g_window.queue.empty()
                      ? (g_window.ctrl ? 1 : 0) | (g_window.shift ? 2 : 0) | (g_window.alt ? 4 : 0) | (g_window.super ? 8 : 0)
                      : g_window.applied_mods;
    io.KeyCtrl = (m & 1) != 0;
    io.KeyShift = (m & 2) != 0;
    io.KeyAlt = (m & 4) != 0;
    io.KeySuper = (m & 8) != 0;
    if (g_window.paste_frame) {
        g_window.paste_frame = false;
        io.KeyCtrl = !io.ConfigMacOSXBehaviors;
        io.KeySuper = io.ConfigMacOSXBehaviors;
        io.KeyShift = io.KeyAlt = false;
    }
    static double last = emscripten_get_now();
    double now = emscripten_get_now();
    io.DeltaTime = now > last ? static_cast<float>((now - last) / 1000.0) : 1.0f / 60.0f;
    last = now;
}

int64_t last_input_ms() { return g_window.last_input_ms; }

float device_pixel_ratio() { return static_cast<float>(emscripten_get_device_pixel_ratio()); }

EM_JS(void, js_set_cursor, (const char* name), {
    Module.canvas.style.cursor = UTF8ToString(name);
});

void update_cursor() {
    static ImGuiMouseCursor current = -2;
    ImGuiMouseCursor wanted = ImGui::GetMouseCursor();
    if (wanted == current) return;
    current = wanted;
    const char* css = "default";
    switch (wanted) {
        case ImGuiMouseCursor_None: css = "none"; break;
        case ImGuiMouseCursor_TextInput: css = "text"; break;
        case ImGuiMouseCursor_ResizeAll: css = "move"; break;
        case ImGuiMouseCursor_ResizeNS: css = "ns-resize"; break;
        case ImGuiMouseCursor_ResizeEW: css = "ew-resize"; break;
        case ImGuiMouseCursor_ResizeNESW: css = "nesw-resize"; break;
        case ImGuiMouseCursor_ResizeNWSE: css = "nwse-resize"; break;
        case ImGuiMouseCursor_Hand: css = "pointer"; break;
        case ImGuiMouseCursor_NotAllowed: css = "not-allowed"; break;
        default: break;
    }
    js_set_cursor(css);
}

void run_main_loop(void (*frame)()) { emscripten_set_main_loop(frame, 0, false); }

}  // namespace crm::platform

// Text from the hidden text area (composition, insertText) or a paste (`pasted`), in order with
// the keys.
extern "C" EMSCRIPTEN_KEEPALIVE void crm_text_input(const char* text, int pasted) {
    using namespace crm::platform;
    if (!text || !*text) return;
    // Line ends as ImGui keeps them: "\r\n" and "\r" from other systems' clipboards become "\n".
    std::string s;
    for (const char* p = text; *p; ++p) {
        if (*p != '\r') s += *p;
        else if (p[1] != '\n') s += '\n';
    }
    g_window.queue.push_back({pasted ? InputEvent::Paste : InputEvent::Chars, 0, 0, 0, false, std::move(s)});
}

extern "C" EMSCRIPTEN_KEEPALIVE void crm_http_download_done(int id, int status, const char* bytes, int size, int checksum) {
    using namespace crm::platform;
    auto it = g_download_pending.find(id);
    if (it == g_download_pending.end()) return;
    auto done = std::move(it->second);
    g_download_pending.erase(it);
    done(status, std::string_view(bytes ? bytes : "", bytes ? static_cast<size_t>(size) : 0),
         checksum == 1 ? Checksum::Matched : checksum == 2 ? Checksum::Mismatched : Checksum::Unchecked);
}

extern "C" EMSCRIPTEN_KEEPALIVE void crm_http_done(int id, int status, const char* body) {
    using namespace crm::platform;
    auto it = g_http_pending.find(id);
    if (it == g_http_pending.end()) return;
    auto done = std::move(it->second);
    g_http_pending.erase(it);
    done(HttpResponse{status, body ? body : ""});
}
