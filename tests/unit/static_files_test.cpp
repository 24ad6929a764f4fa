#include <doctest/doctest.h>

#include "static_files.h"

using namespace crm;

TEST_CASE("request paths map to files inside the web folder only") {
    CHECK(resolve_static_path("/w", "/") == "/w/index.html");
    CHECK(resolve_static_path("/w", "/client.wasm") == "/w/client.wasm");
    CHECK(resolve_static_path("/w", "/fonts/NotoSans-Regular.ttf") == "/w/fonts/NotoSans-Regular.ttf");
    for (const char* bad : {"/../etc/passwd", "/fonts/../../x", "/..", "/.git/config", "/a//b", "/a\\b", "/%2e%2e/x",
                            "/a b", "relative", ""}) {
        CAPTURE(bad);
        CHECK_FALSE(resolve_static_path("/w", bad).has_value());
    }
}

TEST_CASE("wasm is served as application/wasm and pages as HTML") {
    CHECK(content_type_for("/w/client.wasm") == "application/wasm");
    CHECK(content_type_for("/w/index.html") == "text/html; charset=utf-8");
    CHECK(content_type_for("/w/client.js") == "text/javascript; charset=utf-8");
    CHECK(content_type_for("/w/manifest.webmanifest") == "application/manifest+json");
}
