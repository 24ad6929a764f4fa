#include "json_limits.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "text.h"

namespace crm {
namespace {

using nlohmann::json;

constexpr size_t kMaxQuotedKeyBytes = 40;  // of a key named in a message
constexpr size_t kMaxWhereBytes = 300;

// Builds the tree from nlohmann's SAX events, as its own DOM builder does, checking the limits
// before each value joins the tree. Returning false stops the parser at once.
class StrictBuilder {
public:
    StrictBuilder(std::string_view text, int max_depth) : text_(text), max_depth_(max_depth) {}

    bool null() { return scalar(nullptr); }
    bool boolean(bool v) { return scalar(v); }
    bool number_integer(json::number_integer_t v) { return scalar(v); }
    bool number_unsigned(json::number_unsigned_t v) {
        if (v > static_cast<json::number_unsigned_t>(std::numeric_limits<int64_t>::max()))
            return out_of_range(std::to_string(v));
        return scalar(v);
    }
    bool number_float(json::number_float_t v, const std::string& literal) {
        // nlohmann reads a whole number too large for 64 bits as a float: refuse it as a whole
        // number out of range, not as a float nobody wrote.
        if (literal.find_first_of(".eE") == std::string::npos) return out_of_range(literal);
        return scalar(v);
    }
    bool string(std::string& v) { return scalar(std::move(v)); }
    bool binary(json::binary_t&) { return fail("", "holds binary data", "invalid_json"); }

    bool start_object(size_t) { return open(json::object()); }
    bool key(std::string& k) {
        json& object = *stack_.back().value;
        if (object.contains(k)) {
            stack_.back().key = k;
            return fail(where(), "is given twice in one object; each key may appear once", "duplicate_key");
        }
        stack_.back().key = k;
        pending_ = &object[k];
        return true;
    }
    bool end_object() {
        stack_.pop_back();
        return true;
    }
    bool start_array(size_t) { return open(json::array()); }
    bool end_array() {
        stack_.pop_back();
        return true;
    }

    bool parse_error(size_t position, const std::string&, const nlohmann::detail::exception& e) {
        if (refusal_) return false;
        // nlohmann's message ends with the bytes it last read, which may be anything: keep only
        // its own words.
        std::string what = e.what();
        if (auto cut = what.find("; last read"); cut != std::string::npos) what.resize(cut);
        if (auto from = what.find("syntax error"); from != std::string::npos)
            what = what.substr(from);
        else if (auto colon = what.rfind(": "); colon != std::string::npos)
            what = what.substr(colon + 2);
        const std::string at = std::to_string(position > 0 ? position - 1 : 0);
        if (what.find("UTF-8") != std::string::npos)
            return fail("", "is not valid UTF-8 (at byte " + at + ")", "invalid_json");
        if (position >= text_.size())
            return fail("", "is not valid JSON: it ends before the value is complete (is it truncated?)",
                        "invalid_json");
        return fail("", "is not valid JSON at byte " + at + " (" + utf8_prefix(what, 160) + ")", "invalid_json");
    }

    json& root() { return root_; }
    const std::optional<JsonRefusal>& refusal() const { return refusal_; }

private:
    struct Frame {
        json* value;
        std::string key;  // objects: the key being read
    };

    // Puts `v` where the next value goes; returns its place in the tree.
    json* place(json&& v) {
        if (stack_.empty()) {
            root_ = std::move(v);
            return &root_;
        }
        json& parent = *stack_.back().value;
        if (parent.is_array()) {
            parent.get_ref<json::array_t&>().push_back(std::move(v));
            return &parent.get_ref<json::array_t&>().back();
        }
        *pending_ = std::move(v);
        return pending_;
    }
    bool scalar(json&& v) {
        place(std::move(v));
        return true;
    }
    bool open(json&& container) {
        json* p = place(std::move(container));
        if (static_cast<int>(stack_.size()) >= max_depth_)
            return fail(where(), "nests arrays and objects deeper than " + std::to_string(max_depth_) + " levels",
                        "too_deep");
        stack_.push_back({p, {}});
        return true;
    }
    bool out_of_range(const std::string& literal) {
        place(nullptr);
        return fail(where(),
                    utf8_prefix(literal, 40) + " is outside the whole numbers every replica can hold (" +
                        std::to_string(std::numeric_limits<int64_t>::min()) + " to " +
                        std::to_string(std::numeric_limits<int64_t>::max()) + ")",
                    "invalid_value");
    }
    bool fail(std::string where, std::string message, std::string code) {
        if (!refusal_) refusal_ = JsonRefusal{std::move(where), std::move(message), std::move(code)};
        return false;
    }
    // The place of the value last put in the tree: "changes[3].value".
    std::string where() const {
        std::string out;
        for (const Frame& f : stack_) {
            if (out.size() > kMaxWhereBytes) return out + "...";
            if (f.value->is_array()) {
                out += "[" + std::to_string(f.value->empty() ? 0 : f.value->size() - 1) + "]";
            } else {
                if (!out.empty()) out += ".";
                out += utf8_prefix(f.key, kMaxQuotedKeyBytes);
            }
        }
        return out;
    }

    std::string_view text_;
    int max_depth_;
    json root_;
    std::vector<Frame> stack_;
    json* pending_ = nullptr;  // an object's member whose key was read, awaiting its value
    std::optional<JsonRefusal> refusal_;
};

}  // namespace

std::variant<json, JsonRefusal> parse_json_strict(std::string_view text, int max_depth) {
    // A NUL ends the text for nlohmann, so "{...}\0anything" would read as valid.
    if (const void* nul = std::memchr(text.data(), '\0', text.size()))
        return JsonRefusal{"",
                           "is not valid JSON: it holds a NUL byte at byte " +
                               std::to_string(static_cast<const char*>(nul) - text.data()),
                           "invalid_json"};
    StrictBuilder builder(text, max_depth);
    const bool ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json, true, false);
    if (!ok || builder.refusal()) {
        if (builder.refusal()) return *builder.refusal();
        return JsonRefusal{"", "is not valid JSON", "invalid_json"};
    }
    return std::move(builder.root());
}

json parse_json_or_discarded(std::string_view text, int max_depth) {
    auto parsed = parse_json_strict(text, max_depth);
    if (auto* j = std::get_if<json>(&parsed)) return std::move(*j);
    return json(json::value_t::discarded);
}

int json_depth(const json& v, int limit) {
    if (!v.is_structured()) return 0;
    if (limit <= 0) return 1;
    int deepest = 0;
    for (const auto& child : v) {
        deepest = std::max(deepest, json_depth(child, limit - 1));
        if (deepest >= limit) break;
    }
    return 1 + deepest;
}

}  // namespace crm
