#pragma once
// What a new password must be (sign-up, and `crm-admin reset-password`): valid UTF-8, 8 characters
// or more (code points, not bytes), at most 1024 bytes, not only white space, and not one of the
// 30,000 most common passwords (common_passwords.txt says where that list comes from).
#include <cstddef>
#include <optional>
#include <string>

namespace crm {

constexpr size_t kMinPasswordChars = 8;
constexpr size_t kMaxPasswordBytes = 1024;

// What is wrong with `password` as a new password, as "password: ..."; nullopt when it will do.
std::optional<std::string> password_problem(const std::string& password);
// Whether `password` is on the common-password list (compared without ASCII case).
bool is_common_password(const std::string& password);

}  // namespace crm
