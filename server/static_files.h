#pragma once
// Serves the web client (web/ plus the compiled client) from one folder, and nothing outside it.
#include <optional>
#include <string>
#include <string_view>

namespace crm {

struct StaticFile {
    std::string body;
    std::string content_type;
};

// Maps a request path ("/", "/client.wasm") to a file under `root`. Returns nullopt when the
// path is not one we serve: ".." segments, backslashes, control characters, hidden files.
std::optional<std::string> resolve_static_path(const std::string& root, std::string_view request_path);
// The Content-Type for a file name, by its extension.
std::string content_type_for(std::string_view path);
// Reads a file; nullopt when it does not exist or is not a regular file.
std::optional<std::string> read_file(const std::string& path);

}  // namespace crm
