#include "text.h"

#include <algorithm>

namespace crm {

std::optional<size_t> utf8_length(std::string_view s) {
    size_t count = 0;
    for (size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > s.size()) return std::nullopt;
        uint32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
        for (size_t k = 1; k < len; ++k) {
            unsigned char cc = static_cast<unsigned char>(s[i + k]);
            if ((cc >> 6) != 0x2) return std::nullopt;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return std::nullopt;
        i += len;
        ++count;
    }
    return count;
}

namespace {

// The length of the valid UTF-8 character at the start of `s`, or 0 when it is not one.
size_t utf8_char_length(std::string_view s) {
    if (static_cast<unsigned char>(s[0]) < 0x80) return 1;
    for (size_t len = 2; len <= std::min<size_t>(4, s.size()); ++len)
        if (utf8_length(s.substr(0, len)) == size_t{1}) return len;
    return 0;
}

}  // namespace

std::string utf8_prefix(std::string_view s, size_t max_bytes) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        size_t len = utf8_char_length(s.substr(i));
        const size_t take = len ? len : 3;  // U+FFFD is three bytes
        if (out.size() + take > max_bytes) break;
        if (len) out.append(s.substr(i, len));
        else out += "\xEF\xBF\xBD";
        i += len ? len : 1;
    }
    return out;
}

std::string_view trim(std::string_view s) {
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace crm
