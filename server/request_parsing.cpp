#include "request_parsing.h"

#include "text.h"

namespace crm {
namespace {

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

bool is_json_media_type(std::string_view value) {
    size_t semi = value.find(';');
    if (lower_ascii(trim(value.substr(0, semi))) != "application/json") return false;
    while (semi != std::string_view::npos) {
        value.remove_prefix(semi + 1);
        semi = value.find(';');
        std::string_view param = trim(value.substr(0, semi));
        if (param.empty()) continue;
        size_t eq = param.find('=');
        if (eq == std::string_view::npos) return false;
        std::string name = lower_ascii(trim(param.substr(0, eq)));
        std::string_view v = trim(param.substr(eq + 1));
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        if (name == "charset" && lower_ascii(v) != "utf-8" && lower_ascii(v) != "utf8") return false;
    }
    return true;
}

std::optional<std::string> bearer_token_of(std::string_view h) {
    if (h.empty()) return std::string();
    if (h.size() < 7 || lower_ascii(h.substr(0, 7)) != "bearer ") return std::nullopt;
    return std::string(trim(h.substr(7)));
}

bool accepts_gzip(std::string_view header) {
    std::optional<bool> gzip, any;
    while (!header.empty()) {
        const size_t comma = header.find(',');
        std::string_view item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
        const size_t semi = item.find(';');
        const std::string coding = lower_ascii(trim(item.substr(0, semi)));
        bool allowed = true;
        for (std::string_view params = semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1); !params.empty();) {
            const size_t next = params.find(';');
            std::string_view p = trim(params.substr(0, next));
            params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
            if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && trim(p.substr(1)).substr(0, 1) == "=") {
                std::string_view q = trim(trim(p.substr(1)).substr(1));
                // A q-value of 0, 0., 0.0, 0.00 or 0.000 refuses the coding.
                allowed = !(q.size() >= 1 && q[0] == '0' && q.find_first_not_of("0.") == std::string_view::npos);
            }
        }
        if (coding == "gzip" || coding == "x-gzip") gzip = allowed;
        else if (coding == "*") any = allowed;
    }
    return gzip ? *gzip : any.value_or(false);
}

Refusal body_refusal(const JsonRefusal& r) {
    return Refusal{400, r.where.empty() ? "the body " + r.message : r.to_string(), r.code};
}

Outcome<nlohmann::json> read_string_object(std::string_view text, std::initializer_list<const char*> allowed) {
    if (text.size() > kMaxAuthBodyBytes)
        return Refusal{
            413,
            "the body is larger than the limit of " + std::to_string(kMaxAuthBodyBytes) + " bytes for this request",
            "too_large"};
    auto parsed = parse_json_strict(text);
    if (auto* r = std::get_if<JsonRefusal>(&parsed)) return body_refusal(*r);
    nlohmann::json& body = std::get<nlohmann::json>(parsed);
    if (!body.is_object()) return Refusal{400, "the body must be a JSON object", "invalid_json"};
    for (auto it = body.begin(); it != body.end(); ++it) {
        bool known = false;
        std::string expected;
        for (const char* a : allowed) {
            known = known || it.key() == a;
            expected += (expected.empty() ? "" : ", ") + std::string(a);
        }
        if (!known)
            return Refusal{400, "unknown member '" + utf8_prefix(it.key(), 40) + "' (expected " + expected + ")",
                           "unknown_member"};
        if (!it.value().is_string()) return Refusal{400, it.key() + ": must be a string", "invalid_value"};
    }
    return std::move(body);
}

}  // namespace crm
