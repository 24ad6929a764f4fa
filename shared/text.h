#pragma once
// Small text helpers shared by validation and display.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace crm {

// The number of code points in valid UTF-8, or nullopt when `s` is not valid UTF-8.
std::optional<size_t> utf8_length(std::string_view s);
// `s` without leading and trailing ASCII white space.
std::string_view trim(std::string_view s);

}  // namespace crm
