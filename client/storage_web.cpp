// The local database's storage in the browser: a SQLite VFS that keeps each database file in
// memory and hands the pages a commit changed to storage.js, which writes them to IndexedDB in
// one transaction. The stored image is therefore always a committed state, and a save costs
// the size of the edit, not of the database. Journals and temporary files stay on MEMFS
// (Emscripten's in-memory file system) through the default "unix" VFS: only committed states
// ever reach IndexedDB, so a rollback journal never needs to survive a reload.
#include <emscripten.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "platform.h"

namespace crm::platform {
namespace {

// The unit of dirty tracking and of IndexedDB records. Must match CHUNK in storage.js. 64 KiB,
// sixteen of SQLite's 4 KiB pages: Chromium keeps IndexedDB values of 64 KiB and more as blob
// files, which it reads several times faster (188 MiB: 0.85 s instead of 2.5 s in 4 KiB values),
// while a one-field edit, which touches a dozen or so chunks, still writes in a few ms.
constexpr int64_t kChunk = 65536;

// What SQLite is told a sector is: the unit a crash could tear. Nothing here is torn (a commit
// reaches IndexedDB whole or not at all), and a sector larger than a page would make SQLite
// journal every page sharing a sector with a changed one, so it stays SQLite's page size, not
// kChunk.
constexpr int kSectorSize = 4096;

// One database file's bytes.
struct Image {
    std::string name;  // as given to load_database(), the key in IndexedDB

    std::vector<std::unique_ptr<uint8_t[]>> chunks;  // null: never written, reads as zeros
    int64_t size = 0;
    int64_t committed_size = 0;  // the size storage.js last received
    int64_t low_water = 0;       // the smallest size since then: stored chunks past it are stale
    std::set<int64_t> dirty;     // chunks written since the last commit was handed over
    bool writable = true;        // false once another tab has taken the workspace over

    uint8_t* chunk(int64_t index) {
        if (index >= static_cast<int64_t>(chunks.size())) chunks.resize(static_cast<size_t>(index) + 1);
        auto& c = chunks[static_cast<size_t>(index)];
        if (!c) c.reset(new uint8_t[kChunk]());
        return c.get();
    }
};

// Open files point at an Image; a reload installs a new Image under the same path, while a
// connection still open on the old one keeps it alive (read-only) until it closes.
std::map<std::string, std::shared_ptr<Image>> g_images;  // by path
std::map<int, std::shared_ptr<Image>> g_loading;         // images storage.js is filling, by id
int g_next_loading_id = 1;
std::map<std::string, std::function<void(const std::string&)>> g_ready;  // by name

std::string g_current;  // the name last passed to load_database()

std::string path_for(const std::string& name) {
    return std::string(kDataDir) + "/" + name;
}

EM_JS(void, js_commit,
      (const char* name, double size, double low_water, const int32_t* indices, const uint8_t* const* pointers,
       int count),
      { Module.crmStorage.commit(UTF8ToString(name), size, low_water, indices, pointers, count); });
EM_JS(void, js_load, (const char* name), { Module.crmStorage.load(UTF8ToString(name)); });
EM_JS(int, js_state, (const char* name), { return Module.crmStorage.stateCode(UTF8ToString(name)); });
EM_JS(int, js_persisted, (const char* name), { return Module.crmStorage.persisted(UTF8ToString(name)) ? 1 : 0; });
EM_JS(void, js_take_over, (const char* name, int force), { Module.crmStorage.takeOver(UTF8ToString(name), !!force); });
EM_JS(void, js_reset, (const char* name), { Module.crmStorage.reset(UTF8ToString(name)); });
EM_JS(void, js_retry, (const char* name), { Module.crmStorage.retry(UTF8ToString(name)); });
EM_JS(void, js_flush_now, (const char* name), { Module.crmStorage.flushNow(UTF8ToString(name)); });
EM_JS(char*, js_error, (const char* name), {
    var msg = Module.crmStorage.error(UTF8ToString(name));
    var len = lengthBytesUTF8(msg) + 1;
    var ptr = _malloc(len);
    stringToUTF8(msg, ptr, len);
    return ptr;
});

// Hands the chunks changed since the last commit to storage.js, which copies them at once: the
// image may change again before IndexedDB has written them.
void commit(Image& image) {
    if (image.dirty.empty() && image.size == image.committed_size && image.low_water == image.size) return;
    std::vector<int32_t> indices;
    std::vector<const uint8_t*> pointers;
    for (int64_t c : image.dirty) {
        if (c * kChunk >= image.size) continue;  // truncated away since it was written
        indices.push_back(static_cast<int32_t>(c));
        pointers.push_back(image.chunk(c));
    }
    js_commit(image.name.c_str(), static_cast<double>(image.size), static_cast<double>(image.low_water), indices.data(),
              pointers.data(), static_cast<int>(indices.size()));
    image.dirty.clear();
    image.committed_size = image.low_water = image.size;
}

// ---- the file -----------------------------------------------------------------------------------

struct MemFile {
    sqlite3_file base;  // first: SQLite sees this struct as a sqlite3_file
    std::shared_ptr<Image>* image;
    int lock;
};

Image& image_of(sqlite3_file* file) {
    return **reinterpret_cast<MemFile*>(file)->image;
}

int mem_close(sqlite3_file* file) {
    auto* f = reinterpret_cast<MemFile*>(file);
    delete f->image;
    f->image = nullptr;
    return SQLITE_OK;
}

int mem_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
    Image& image = image_of(file);
    auto* dst = static_cast<uint8_t*>(out);
    int64_t available = offset < image.size ? std::min<int64_t>(amount, image.size - offset) : 0;
    for (int64_t done = 0; done < available;) {
        const int64_t pos = offset + done, index = pos / kChunk, within = pos % kChunk;
        const int64_t n = std::min(kChunk - within, available - done);
        const uint8_t* c = index < static_cast<int64_t>(image.chunks.size())
                               ? image.chunks[static_cast<size_t>(index)].get()
                               : nullptr;
        if (c)
            std::memcpy(dst + done, c + within, static_cast<size_t>(n));
        else
            std::memset(dst + done, 0, static_cast<size_t>(n));
        done += n;
    }
    if (available < amount) {
        std::memset(dst + available, 0, static_cast<size_t>(amount - available));
        return SQLITE_IOERR_SHORT_READ;
    }
    return SQLITE_OK;
}

int mem_write(sqlite3_file* file, const void* in, int amount, sqlite3_int64 offset) {
    Image& image = image_of(file);
    if (!image.writable) return SQLITE_READONLY;
    const auto* src = static_cast<const uint8_t*>(in);
    for (int64_t done = 0; done < amount;) {
        const int64_t pos = offset + done, index = pos / kChunk, within = pos % kChunk;
        const int64_t n = std::min<int64_t>(kChunk - within, amount - done);
        std::memcpy(image.chunk(index) + within, src + done, static_cast<size_t>(n));
        image.dirty.insert(index);
        done += n;
    }
    image.size = std::max<int64_t>(image.size, offset + amount);
    return SQLITE_OK;
}

int mem_truncate(sqlite3_file* file, sqlite3_int64 size) {
    Image& image = image_of(file);
    if (!image.writable) return SQLITE_READONLY;
    if (size >= image.size) return SQLITE_OK;
    image.size = size;
    image.low_water = std::min(image.low_water, size);
    const int64_t keep = (size + kChunk - 1) / kChunk;
    if (static_cast<int64_t>(image.chunks.size()) > keep) image.chunks.resize(static_cast<size_t>(keep));
    // The tail of the last chunk reads as zeros if the file grows again.
    if (size % kChunk && image.chunks[static_cast<size_t>(keep - 1)]) {
        std::memset(image.chunk(keep - 1) + size % kChunk, 0, static_cast<size_t>(kChunk - size % kChunk));
        image.dirty.insert(keep - 1);
    }
    return SQLITE_OK;
}

// SQLite syncs the main database file once per commit, after writing every page of it and
// before the journal is deleted: the image is then the committed state.
int mem_sync(sqlite3_file* file, int) {
    commit(image_of(file));
    return SQLITE_OK;
}

int mem_file_size(sqlite3_file* file, sqlite3_int64* size) {
    *size = image_of(file).size;
    return SQLITE_OK;
}

// One connection per file in this tab, and one writing tab (Web Locks): locks only record the
// level, and refuse to start a write once the workspace has moved to another tab.
int mem_lock(sqlite3_file* file, int level) {
    auto* f = reinterpret_cast<MemFile*>(file);
    if (level >= SQLITE_LOCK_RESERVED && !image_of(file).writable) return SQLITE_READONLY;
    f->lock = std::max(f->lock, level);
    return SQLITE_OK;
}
int mem_unlock(sqlite3_file* file, int level) {
    reinterpret_cast<MemFile*>(file)->lock = level;
    return SQLITE_OK;
}
int mem_check_reserved_lock(sqlite3_file* file, int* out) {
    *out = reinterpret_cast<MemFile*>(file)->lock >= SQLITE_LOCK_RESERVED;
    return SQLITE_OK;
}

int mem_file_control(sqlite3_file* file, int op, void*) {
    // Sent just before xSync at commit, and in its place under PRAGMA synchronous=OFF: either
    // way it marks a committed state, so a connection that turns syncing off still saves.
    if (op == SQLITE_FCNTL_SYNC) {
        commit(image_of(file));
        return SQLITE_OK;
    }
    return SQLITE_NOTFOUND;
}
int mem_sector_size(sqlite3_file*) {
    return kSectorSize;
}
int mem_device_characteristics(sqlite3_file*) {
    return 0;
}

const sqlite3_io_methods kMemMethods = {
    1,  // no shared memory (WAL) and no memory mapping: journal_mode=DELETE, as LocalStore sets
    mem_close,
    mem_read,
    mem_write,
    mem_truncate,
    mem_sync,
    mem_file_size,
    mem_lock,
    mem_unlock,
    mem_check_reserved_lock,
    mem_file_control,
    mem_sector_size,
    mem_device_characteristics,
};

// ---- the VFS: loaded images for main database files, MEMFS ("unix") for everything else -----

sqlite3_vfs* g_base = nullptr;
sqlite3_vfs g_vfs;

int vfs_open(sqlite3_vfs*, const char* path, sqlite3_file* file, int flags, int* out_flags) {
    if (path && (flags & SQLITE_OPEN_MAIN_DB)) {
        auto it = g_images.find(path);
        if (it != g_images.end()) {
            auto* f = reinterpret_cast<MemFile*>(file);
            f->base.pMethods = &kMemMethods;
            f->image = new std::shared_ptr<Image>(it->second);
            f->lock = SQLITE_LOCK_NONE;
            if (out_flags) *out_flags = flags;
            return SQLITE_OK;
        }
    }
    return g_base->xOpen(g_base, path, file, flags, out_flags);
}
int vfs_delete(sqlite3_vfs*, const char* path, int sync_dir) {
    if (g_images.count(path)) return SQLITE_OK;  // the stored pages go through reset_database()
    return g_base->xDelete(g_base, path, sync_dir);
}
int vfs_access(sqlite3_vfs*, const char* path, int flags, int* out) {
    if (g_images.count(path)) {
        *out = 1;
        return SQLITE_OK;
    }
    return g_base->xAccess(g_base, path, flags, out);
}
int vfs_full_pathname(sqlite3_vfs*, const char* path, int n, char* out) {
    return g_base->xFullPathname(g_base, path, n, out);
}
int vfs_randomness(sqlite3_vfs*, int n, char* out) {
    return g_base->xRandomness(g_base, n, out);
}
int vfs_sleep(sqlite3_vfs*, int us) {
    return g_base->xSleep(g_base, us);
}
int vfs_current_time(sqlite3_vfs*, double* out) {
    return g_base->xCurrentTime(g_base, out);
}
int vfs_last_error(sqlite3_vfs*, int n, char* out) {
    return g_base->xGetLastError(g_base, n, out);
}
int vfs_current_time64(sqlite3_vfs*, sqlite3_int64* out) {
    return g_base->xCurrentTimeInt64(g_base, out);
}

// Registers the VFS as SQLite's default, so Db::open() uses it without naming it.
void install_vfs() {
    if (g_base) return;
    mkdir(kDataDir, 0777);  // journals live here, on MEMFS
    g_base = sqlite3_vfs_find(nullptr);
    g_vfs = sqlite3_vfs{};
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = std::max(g_base->szOsFile, static_cast<int>(sizeof(MemFile)));
    g_vfs.mxPathname = g_base->mxPathname;
    g_vfs.zName = "crm-indexeddb";
    g_vfs.xOpen = vfs_open;
    g_vfs.xDelete = vfs_delete;
    g_vfs.xAccess = vfs_access;
    g_vfs.xFullPathname = vfs_full_pathname;
    g_vfs.xRandomness = vfs_randomness;
    g_vfs.xSleep = vfs_sleep;
    g_vfs.xCurrentTime = vfs_current_time;
    g_vfs.xGetLastError = vfs_last_error;
    g_vfs.xCurrentTimeInt64 = vfs_current_time64;
    sqlite3_vfs_register(&g_vfs, 1);
}

}  // namespace

// ---- platform.h: the local database -------------------------------------------------------------

void load_database(const std::string& name, std::function<void(const std::string& path)> ready) {
    install_vfs();
    g_current = name;
    g_ready[name] = std::move(ready);
    js_load(name.c_str());
}

StorageState storage_state() {
    if (g_current.empty()) return StorageState::Loading;
    return static_cast<StorageState>(js_state(g_current.c_str()));
}

void take_over() {
    js_take_over(g_current.c_str(), 0);
}
void force_take_over() {
    js_take_over(g_current.c_str(), 1);
}
void reset_database() {
    js_reset(g_current.c_str());
}
void retry_load() {
    js_retry(g_current.c_str());
}

void persist() {
    if (!g_current.empty()) js_flush_now(g_current.c_str());
}

bool persisted() {
    return g_current.empty() || js_persisted(g_current.c_str()) != 0;
}

std::string storage_error() {
    if (g_current.empty()) return {};
    char* p = js_error(g_current.c_str());
    std::string s(p);
    free(p);
    return s;
}

}  // namespace crm::platform

// ---- called by storage.js ---------------------------------------------------------------------

using crm::platform::g_loading;

// Starts a new image of `name`, `size` bytes long, for storage.js to fill; returns its id.
extern "C" EMSCRIPTEN_KEEPALIVE int crm_storage_begin(const char* name, double size) {
    auto image = std::make_shared<crm::platform::Image>();
    image->name = name;
    image->size = image->committed_size = image->low_water = static_cast<int64_t>(size);
    const int id = crm::platform::g_next_loading_id++;
    g_loading[id] = std::move(image);
    return id;
}

// Where storage.js copies chunk `index` (kChunk bytes) of image `id`.
extern "C" EMSCRIPTEN_KEEPALIVE uint8_t* crm_storage_chunk(int id, int index) {
    auto it = g_loading.find(id);
    return it == g_loading.end() ? nullptr : it->second->chunk(index);
}

// Installs the filled image under its path and tells its owner (load_database's `ready`).
extern "C" EMSCRIPTEN_KEEPALIVE void crm_storage_finish(int id) {
    using namespace crm::platform;
    auto it = g_loading.find(id);
    if (it == g_loading.end()) return;
    std::shared_ptr<Image> image = std::move(it->second);
    g_loading.erase(it);
    const std::string path = path_for(image->name);
    if (auto old = g_images.find(path); old != g_images.end()) old->second->writable = false;
    g_images[path] = image;
    // An empty placeholder on MEMFS: the unix VFS reads the database file's permissions when it
    // creates the journal beside it. The bytes are in `image`, never in this file.
    if (FILE* placeholder = std::fopen(path.c_str(), "a")) std::fclose(placeholder);
    if (auto ready = g_ready.find(image->name); ready != g_ready.end() && ready->second) ready->second(path);
}

extern "C" EMSCRIPTEN_KEEPALIVE void crm_storage_discard(int id) {
    g_loading.erase(id);
}

// Another tab has taken the workspace: this tab must not write the file again.
extern "C" EMSCRIPTEN_KEEPALIVE void crm_storage_release(const char* name) {
    using namespace crm::platform;
    if (auto it = g_images.find(path_for(name)); it != g_images.end()) it->second->writable = false;
}
