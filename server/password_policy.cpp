#include "password_policy.h"

#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_set>

#include "text.h"

namespace crm {

// The text of common_passwords.txt, compiled in by the build (server/CMakeLists.txt).
extern const char kCommonPasswordsText[];

namespace {

const std::unordered_set<std::string_view>& common_passwords() {
    static std::unordered_set<std::string_view> set;
    static std::once_flag once;
    std::call_once(once, [] {
        std::string_view text(kCommonPasswordsText);
        set.reserve(32768);
        while (!text.empty()) {
            const size_t end = text.find('\n');
            std::string_view line = text.substr(0, end);
            text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
            if (!line.empty() && line.front() != '#') set.insert(line);
        }
    });
    return set;
}

// The code points of valid UTF-8 (utf8_length has checked it).
template <class F>
void for_each_code_point(std::string_view s, F&& f) {
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        const size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
        uint32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
        for (size_t k = 1; k < len && i + k < s.size(); ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        f(cp);
        i += len;
    }
}

// Unicode's White_Space characters, and the invisible ones that look like nothing at all.
bool is_blank(uint32_t cp) {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200D) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x2060 || cp == 0x3000 || cp == 0xFEFF;
}

}  // namespace

bool is_common_password(const std::string& password) {
    std::string lowered = password;
    for (auto& c : lowered)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return common_passwords().count(lowered) > 0;
}

std::optional<std::string> password_problem(const std::string& password) {
    if (password.empty()) return "password: is required";
    if (password.size() > kMaxPasswordBytes)
        return "password: must be at most " + std::to_string(kMaxPasswordBytes) + " bytes, got " +
               std::to_string(password.size());
    const auto chars = utf8_length(password);
    if (!chars) return std::string("password: is not valid UTF-8");
    if (*chars < kMinPasswordChars)
        return "password: must be at least " + std::to_string(kMinPasswordChars) + " characters, got " +
               std::to_string(*chars);
    bool only_blank = true;
    for_each_code_point(password, [&](uint32_t cp) { only_blank = only_blank && is_blank(cp); });
    if (only_blank) return std::string("password: is only spaces; choose one with letters, digits or symbols");
    if (is_common_password(password))
        return std::string("password: is one of the most commonly used passwords; choose another");
    return std::nullopt;
}

}  // namespace crm
