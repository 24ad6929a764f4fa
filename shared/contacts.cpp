#include "contacts.h"

#include "text.h"

namespace crm {

Status validate_name(std::string_view name) {
    auto len = utf8_length(name);
    if (!len) return Error{"name", "is not valid UTF-8 text"};
    if (trim(name).empty()) return Error{"name", "is required"};
    if (*len > kMaxNameChars)
        return Error{"name", "is " + std::to_string(*len) + " characters long; the limit is " + std::to_string(kMaxNameChars)};
    return ok();
}

Status validate_email(std::string_view email) {
    if (email.empty()) return ok();
    auto len = utf8_length(email);
    if (!len) return Error{"email", "is not valid UTF-8 text"};
    const std::string shown = "'" + utf8_prefix(email, 80) + (email.size() > 80 ? "...'" : "'");
    if (*len > kMaxEmailChars)
        return Error{"email", shown + " is longer than " + std::to_string(kMaxEmailChars) + " characters"};
    auto at = email.rfind('@');
    if (at == std::string_view::npos) return Error{"email", shown + " is not a valid email address: it has no '@'"};
    auto local = email.substr(0, at), domain = email.substr(at + 1);
    if (local.empty()) return Error{"email", shown + " is not a valid email address: nothing before the '@'"};
    if (domain.empty()) return Error{"email", shown + " is not a valid email address: no domain after the '@'"};
    // Each character named so it can be seen: a space, a tab or a line break printed between
    // quotes looks like nothing.
    for (char c : email) {
        const char* what = c == ' '    ? "a space"
                           : c == '\t' ? "a tab"
                           : c == '\n' || c == '\r' ? "a line break"
                           : c == '<'  ? "'<'"
                           : c == '>'  ? "'>'"
                           : c == ','  ? "a comma"
                           : c == ';'  ? "a semicolon"
                                       : nullptr;
        if (what) return Error{"email", shown + " is not a valid email address: it contains " + std::string(what)};
    }
    if (domain.find('@') != std::string_view::npos || local.find('@') != std::string_view::npos)
        return Error{"email", shown + " is not a valid email address: more than one '@'"};
    if (domain.find('.') == std::string_view::npos)
        return Error{"email", shown + " is not a valid email address: the domain has no '.'"};
    if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos ||
        domain.front() == '-')
        return Error{"email", shown + " is not a valid email address: the domain '" + std::string(domain) + "' is malformed"};
    return ok();
}

std::vector<Error> validate_contact(const ContactInput& input) {
    std::vector<Error> errors;
    if (auto s = validate_name(input.name); !s) errors.push_back(s.error());
    if (auto s = validate_email(input.email); !s) errors.push_back(s.error());
    return errors;
}

ContactInput normalized(ContactInput input) {
    input.name = std::string(trim(input.name));
    input.email = std::string(trim(input.email));
    return input;
}

}  // namespace crm
