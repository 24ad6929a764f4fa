// The wasm half of ./crm bench's local-storage figures (storage_browser.mjs drives it): the
// client's own storage (client/storage_web.cpp and storage.js) and LocalStore, without the UI.
#include <emscripten.h>
#include <emscripten/html5.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "local_store.h"
#include "platform.h"

namespace {

std::optional<crm::LocalStore> g_store;
std::vector<std::string> g_contacts;  // ids of contacts to edit, spread over the table
nlohmann::json g_opened;              // null until load_database's `ready` has run
std::string g_result;

void opened(const std::string& path) {
    const double start = emscripten_get_now();
    auto store = crm::LocalStore::open(path);
    g_opened = {{"openMs", emscripten_get_now() - start}};
    if (!store) {
        g_opened["error"] = store.error().to_string();
        return;
    }
    g_store.emplace(std::move(*store));
    auto st = g_store->db().prepare("SELECT id FROM contacts WHERE rowid % 97 = 0 LIMIT 500");
    if (!st) {
        g_opened["error"] = st.error().to_string();
        return;
    }
    while (true) {
        auto row = st->step();
        if (!row || !*row) break;
        g_contacts.push_back(st->text(0));
    }
    g_opened["contacts"] = g_contacts.size();
}

}  // namespace

extern "C" {
// Starts loading `name` from IndexedDB; bench_storage_opened() says when it is open.
EMSCRIPTEN_KEEPALIVE void bench_storage_open(const char* name) {
    crm::platform::load_database(name, opened);
}

EMSCRIPTEN_KEEPALIVE const char* bench_storage_opened() {
    g_result = g_opened.is_null() ? "" : g_opened.dump();
    return g_result.c_str();
}

// Changes one field of one contact through LocalStore (one commit); returns "" or the error.
EMSCRIPTEN_KEEPALIVE const char* bench_storage_edit(int i) {
    g_result.clear();
    if (!g_store || g_contacts.empty()) return "the database is not open";
    const std::string& id = g_contacts[static_cast<size_t>(i) % g_contacts.size()];
    auto s = g_store->update("contact", id, {{"job_title", "Engineer " + std::to_string(i)}},
                             static_cast<int64_t>(emscripten_date_now()));
    if (!s) g_result = s.error().to_string();
    return g_result.c_str();
}
}
