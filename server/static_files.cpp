#include "static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace crm {

std::optional<std::string> resolve_static_path(const std::string& root, std::string_view path) {
    if (path.empty() || path.front() != '/') return std::nullopt;
    std::string rel(path.substr(1));
    if (rel.empty()) rel = "index.html";
    size_t start = 0;
    while (start <= rel.size()) {
        size_t end = rel.find('/', start);
        if (end == std::string::npos) end = rel.size();
        std::string_view seg(rel.data() + start, end - start);
        // No empty, "." or ".." segments and no hidden files: only plain names inside root.
        if (seg.empty() || seg.front() == '.') return std::nullopt;
        for (char c : seg) {
            bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                           c == '-' || c == '_' || c == '.';
            if (!allowed) return std::nullopt;
        }
        start = end + 1;
    }
    return root + "/" + rel;
}

std::string content_type_for(std::string_view path) {
    auto ends = [&](std::string_view ext) {
        return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
    };
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
    if (ends(".wasm")) return "application/wasm";
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".json")) return "application/json";
    if (ends(".webmanifest")) return "application/manifest+json";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    if (ends(".ttf")) return "font/ttf";
    if (ends(".data")) return "application/octet-stream";
    if (ends(".txt")) return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

std::optional<std::string> read_file(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace crm
