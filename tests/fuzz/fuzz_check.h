#pragma once
// What every fuzz target asserts beside "no crash": a message meant for a person is valid UTF-8
// (a message cut inside a character made the server answer 500).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "text.h"

inline void require(bool ok, const char* what, const std::string& detail = "") {
    if (ok) return;
    std::fprintf(stderr, "fuzz check failed: %s %s\n", what, crm::utf8_prefix(detail, 300).c_str());
    std::abort();
}

inline void require_utf8(const std::string& message) {
    require(crm::utf8_length(message).has_value(), "message is not UTF-8:", message);
}
