// The two push readers: the quick one (simdjson) may give up on any body, but what it accepts the
// general one (parse_json_strict + the shape checks of handle_push) accepts too, read the same
// way. Then every change goes through the checks the server runs, whose messages must be UTF-8.
#include <cstdint>
#include <optional>
#include <string_view>

#include "fuzz_check.h"
#include "json_limits.h"
#include "push_body.h"
#include "sync.h"

namespace {

using nlohmann::json;

std::optional<crm::PushBody> read_generally(std::string_view body) {
    auto parsed = crm::parse_json_strict(body);
    if (auto* r = std::get_if<crm::JsonRefusal>(&parsed)) {
        require_utf8(r->to_string());
        return std::nullopt;
    }
    const json& j = std::get<json>(parsed);
    if (!j.is_object()) return std::nullopt;
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "batch_id" && it.key() != "changes" && it.key() != "workspace_id") return std::nullopt;
    if (!j.contains("batch_id") || !j["batch_id"].is_string() || !j.contains("changes")) return std::nullopt;
    crm::PushBody out;
    if (j.contains("workspace_id")) {
        if (!j["workspace_id"].is_string()) return std::nullopt;
        out.workspace_id = j["workspace_id"].get<std::string>();
    }
    out.batch_id = j["batch_id"].get<std::string>();
    auto changes = crm::parse_changes(j["changes"]);
    if (!changes) {
        require_utf8(changes.error().to_string());
        // parse_changes also checks; read the members alone to compare with the quick reader.
        if (!j["changes"].is_array() || j["changes"].size() > crm::kMaxBatchChanges) return std::nullopt;
        for (const auto& c : j["changes"]) {
            if (!c.is_object() || c.size() != 6) return std::nullopt;
            for (const char* m : {"type", "id", "field", "hlc", "replica"})
                if (!c.contains(m) || !c[m].is_string()) return std::nullopt;
            if (!c.contains("value")) return std::nullopt;
            out.changes.push_back({c["type"], c["id"], c["field"], c["value"], c["hlc"], c["replica"]});
        }
        return out;
    }
    out.changes = std::move(*changes);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    auto quick = crm::read_push_body(body);
    auto general = read_generally(body);
    if (!quick) return 0;  // giving up is always allowed: the general path then reads the body
    require(general.has_value(), "the quick reader accepted a body the general path refuses");
    require(quick->batch_id == general->batch_id && quick->workspace_id == general->workspace_id, "members differ");
    require(quick->changes.size() == general->changes.size(), "change counts differ");
    for (size_t i = 0; i < quick->changes.size(); ++i) {
        require(quick->changes[i] == general->changes[i], "changes differ");
        require(quick->changes[i].value.type() == general->changes[i].value.type(), "value types differ");
        if (auto s = crm::check_change(quick->changes[i]); !s) require_utf8(s.error().to_string());
        (void)quick->changes[i].value.dump();
    }
    return 0;
}
