// What the server reads before an account is looked up: the Content-Type, the Authorization
// header and the sign-up / sign-in body, then the email check. Every refusal names a code and
// reads as UTF-8; what is accepted is an object of strings among the allowed members.
#include <cstdint>
#include <string_view>

#include "contacts.h"
#include "fuzz_check.h"
#include "request_parsing.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)crm::is_json_media_type(text);
    if (auto token = crm::bearer_token_of(text))
        require(token->size() <= text.size(), "a token longer than its header");
    auto body = crm::read_string_object(text, {"email", "password", "workspace_name", "invite"});
    if (auto* r = std::get_if<crm::Refusal>(&body)) {
        require_utf8(r->message);
        require(!r->code.empty() && r->status >= 400 && r->status < 500, "a refusal without a code or a 4xx");
        return 0;
    }
    const nlohmann::json& j = std::get<nlohmann::json>(body);
    require(j.is_object() && j.size() <= 4, "not an object of the allowed members");
    for (const auto& [key, value] : j.items()) require(value.is_string(), "a member that is not a string", key);
    if (j.contains("email"))
        if (auto s = crm::validate_email(j["email"].get<std::string>()); !s) require_utf8(s.error().to_string());
    return 0;
}
