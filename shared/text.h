#pragma once
// Small text helpers shared by validation and display.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace crm {

// The number of code points in valid UTF-8, or nullopt when `s` is not valid UTF-8.
std::optional<size_t> utf8_length(std::string_view s);
// At most `max_bytes` bytes of `s`, cut only between characters, for quoting user text in
// messages; bytes that are not valid UTF-8 become U+FFFD, so the result is always valid UTF-8.
std::string utf8_prefix(std::string_view s, size_t max_bytes);
// `s` without leading and trailing ASCII white space.
std::string_view trim(std::string_view s);

}  // namespace crm
