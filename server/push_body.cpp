#include "push_body.h"

#include <cstring>

namespace crm {
namespace {

using nlohmann::json;

// A cursor over the body; every read returns false on anything this reader does not handle.
class Reader {
public:
    explicit Reader(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

    void skip_ws() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    }
    bool at_end() {
        skip_ws();
        return p_ == end_;
    }
    bool take(char c) {
        skip_ws();
        if (p_ == end_ || *p_ != c) return false;
        ++p_;
        return true;
    }
    bool peek(char c) {
        skip_ws();
        return p_ < end_ && *p_ == c;
    }

    // A JSON string, unescaped and checked as nlohmann checks it (UTF-8, escapes, surrogates).
    bool string(std::string& out) {
        skip_ws();
        if (p_ == end_ || *p_ != '"') return false;
        ++p_;
        out.clear();
        for (;;) {
            const char* run = p_;
            while (p_ < end_ && static_cast<unsigned char>(*p_) >= 0x20 && *p_ != '"' && *p_ != '\\' &&
                   static_cast<unsigned char>(*p_) < 0x80)
                ++p_;
            out.append(run, static_cast<size_t>(p_ - run));
            if (p_ == end_) return false;
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                ++p_;
                return true;
            }
            if (c < 0x20) return false;
            if (c == '\\') {
                if (!escape(out)) return false;
                continue;
            }
            if (!utf8(out)) return false;
        }
    }

    // Any JSON value, as nlohmann reads it.
    bool value(json& out) {
        skip_ws();
        if (p_ == end_) return false;
        switch (*p_) {
            case '"': {
                std::string s;
                if (!string(s)) return false;
                out = std::move(s);
                return true;
            }
            case 't': return literal("true", json(true), out);
            case 'f': return literal("false", json(false), out);
            case 'n': return literal("null", json(nullptr), out);
            default: break;
        }
        // Numbers, lists and objects: find where the value ends, then let nlohmann read exactly that.
        const char* start = p_;
        if (!skip_value()) return false;
        out = json::parse(start, p_, nullptr, false);
        return !out.is_discarded();
    }

private:
    bool literal(const char* word, json v, json& out) {
        const size_t n = std::strlen(word);
        if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
        p_ += n;
        out = std::move(v);
        return true;
    }

    int hex4() {
        if (end_ - p_ < 4) return -1;
        int v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = *p_++;
            v <<= 4;
            if (c >= '0' && c <= '9') v |= c - '0';
            else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
            else return -1;
        }
        return v;
    }

    static void put_utf8(std::string& out, uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    bool escape(std::string& out) {
        ++p_;  // the backslash
        if (p_ == end_) return false;
        const char c = *p_++;
        switch (c) {
            case '"': out += '"'; return true;
            case '\\': out += '\\'; return true;
            case '/': out += '/'; return true;
            case 'b': out += '\b'; return true;
            case 'f': out += '\f'; return true;
            case 'n': out += '\n'; return true;
            case 'r': out += '\r'; return true;
            case 't': out += '\t'; return true;
            case 'u': break;
            default: return false;
        }
        int hi = hex4();
        if (hi < 0) return false;
        if (hi >= 0xDC00 && hi <= 0xDFFF) return false;  // a low surrogate on its own
        if (hi >= 0xD800 && hi <= 0xDBFF) {
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
            p_ += 2;
            int lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) return false;
            put_utf8(out, 0x10000 + ((static_cast<uint32_t>(hi) - 0xD800) << 10) + (static_cast<uint32_t>(lo) - 0xDC00));
            return true;
        }
        put_utf8(out, static_cast<uint32_t>(hi));
        return true;
    }

    // One multi-byte UTF-8 sequence, well formed as RFC 3629 says (no overlong forms, no
    // surrogates, nothing past U+10FFFF), copied as it is.
    bool utf8(std::string& out) {
        const auto b0 = static_cast<unsigned char>(*p_);
        int n = 0;
        unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
        if (b0 >= 0xC2 && b0 <= 0xDF) n = 1;
        else if (b0 == 0xE0) n = 2, lo = 0xA0;
        else if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF) n = 2;
        else if (b0 == 0xED) n = 2, hi = 0x9F;
        else if (b0 == 0xF0) n = 3, lo = 0x90;
        else if (b0 >= 0xF1 && b0 <= 0xF3) n = 3;
        else if (b0 == 0xF4) n = 3, hi = 0x8F;
        else return false;
        if (end_ - p_ < n + 1) return false;
        for (int i = 1; i <= n; ++i) {
            const auto b = static_cast<unsigned char>(p_[i]);
            if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
        }
        out.append(p_, static_cast<size_t>(n + 1));
        p_ += n + 1;
        return true;
    }

    // Skips one number, list or object, roughly: nlohmann checks the span it is given.
    bool skip_value() {
        int depth = 0;
        for (;;) {
            if (p_ == end_) return false;
            const char c = *p_;
            if (c == '"') {
                ++p_;
                while (p_ < end_ && *p_ != '"') p_ += (*p_ == '\\' && p_ + 1 < end_) ? 2 : 1;
                if (p_ == end_) return false;
                ++p_;
            } else if (c == '[' || c == '{') {
                ++depth;
                ++p_;
            } else if (c == ']' || c == '}') {
                if (depth == 0) return true;  // the end of the enclosing container
                --depth;
                ++p_;
                if (depth == 0) return true;
            } else if (c == ',' && depth == 0) {
                return true;
            } else {
                ++p_;
            }
            if (depth > 64) return false;
        }
    }

    const char* p_;
    const char* end_;
};

bool read_change(Reader& r, Change& c) {
    if (!r.take('{')) return false;
    unsigned seen = 0;
    std::string key;
    if (!r.peek('}')) {
        do {
            if (!r.string(key) || !r.take(':')) return false;
            unsigned bit = 0;
            bool ok = false;
            if (key == "type") bit = 1, ok = r.string(c.record_type);
            else if (key == "id") bit = 2, ok = r.string(c.record_id);
            else if (key == "field") bit = 4, ok = r.string(c.field);
            else if (key == "value") bit = 8, ok = r.value(c.value);
            else if (key == "hlc") bit = 16, ok = r.string(c.hlc);
            else if (key == "replica") bit = 32, ok = r.string(c.replica);
            if (!ok || (seen & bit)) return false;
            seen |= bit;
        } while (r.take(','));
    }
    return r.take('}') && seen == 63;
}

}  // namespace

std::optional<PushBody> read_push_body(std::string_view body) {
    Reader r(body);
    PushBody out;
    if (!r.take('{')) return std::nullopt;
    bool has_batch = false, has_changes = false;
    std::string key;
    if (!r.peek('}')) {
        do {
            if (!r.string(key) || !r.take(':')) return std::nullopt;
            if (key == "batch_id" && !has_batch) {
                if (!r.string(out.batch_id)) return std::nullopt;
                has_batch = true;
            } else if (key == "workspace_id" && !out.workspace_id) {
                std::string ws;
                if (!r.string(ws)) return std::nullopt;
                out.workspace_id = std::move(ws);
            } else if (key == "changes" && !has_changes) {
                has_changes = true;
                if (!r.take('[')) return std::nullopt;
                if (!r.peek(']')) {
                    do {
                        if (out.changes.size() == kMaxBatchChanges) return std::nullopt;
                        out.changes.emplace_back();
                        if (!read_change(r, out.changes.back())) return std::nullopt;
                    } while (r.take(','));
                }
                if (!r.take(']')) return std::nullopt;
            } else {
                return std::nullopt;
            }
        } while (r.take(','));
    }
    if (!r.take('}') || !r.at_end() || !has_batch || !has_changes) return std::nullopt;
    return out;
}

}  // namespace crm
