// The browser side of platform_url.h: history.pushState for navigation, and popstate /
// hashchange events (Back, Forward, a followed or edited link) noted for the next frame.
#include <emscripten.h>

#include <cstdlib>

#include "platform_url.h"

namespace crm::platform {
namespace {

EM_JS(void, js_url_listen, (), {
    if (Module.crmUrl) return;
    Module.crmUrl = { changed: false };
    var note = function() { Module.crmUrl.changed = true; };
    window.addEventListener("popstate", note);
    window.addEventListener("hashchange", note);
});

EM_JS(char*, js_url_fragment, (), {
    var h = window.location.hash || "";
    var s = h.charAt(0) == "#" ? h.substring(1) : h;
    try { s = decodeURI(s); } catch (e) {}
    var len = lengthBytesUTF8(s) + 1;
    var ptr = _malloc(len);
    stringToUTF8(s, ptr, len);
    return ptr;
});

EM_JS(char*, js_page_address, (), {
    var s = window.location.origin + window.location.pathname;
    var len = lengthBytesUTF8(s) + 1;
    var ptr = _malloc(len);
    stringToUTF8(s, ptr, len);
    return ptr;
});

EM_JS(void, js_url_set, (const char* fragment, int push), {
    var url = "#" + encodeURI(UTF8ToString(fragment));
    if (window.location.hash == url) return;
    if (push) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
});

EM_JS(int, js_url_pending, (), {
    return Module.crmUrl && Module.crmUrl.changed ? 1 : 0;
});

EM_JS(int, js_url_take_change, (), {
    if (!Module.crmUrl || !Module.crmUrl.changed) return 0;
    Module.crmUrl.changed = false;
    return 1;
});

}  // namespace

std::string url_fragment() {
    js_url_listen();
    char* p = js_url_fragment();
    std::string s(p);
    std::free(p);
    return s;
}

std::string page_address() {
    char* p = js_page_address();
    std::string s(p);
    std::free(p);
    return s;
}

void push_url(const std::string& fragment) { js_url_set(fragment.c_str(), 1); }
void replace_url(const std::string& fragment) { js_url_set(fragment.c_str(), 0); }

bool take_url_change() {
    js_url_listen();
    return js_url_take_change() != 0;
}

bool url_change_pending() { return js_url_pending() != 0; }

}  // namespace crm::platform
