#pragma once
// Contacts: the people a team keeps in the CRM.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace crm {

inline constexpr size_t kMaxNameChars = 200;   // characters (code points), not bytes
inline constexpr size_t kMaxEmailChars = 254;  // RFC 5321's limit on a path

struct ContactInput {
    std::string name;
    std::string email;  // optional; when given it must be a valid address
};

struct Contact {
    std::string id;
    std::string name;
    std::string email;
    int64_t created_at = 0;  // ms since the epoch
    int64_t updated_at = 0;
};

// Checks a name: not blank, at most kMaxNameChars characters, valid UTF-8.
Status validate_name(std::string_view name);
// Checks an email address; an empty one is allowed (the field is optional).
Status validate_email(std::string_view email);
// Every problem with the input, one Error per field, empty when the input is valid.
std::vector<Error> validate_contact(const ContactInput& input);
// Trims surrounding white space from the fields a person types.
ContactInput normalized(ContactInput input);

}  // namespace crm
