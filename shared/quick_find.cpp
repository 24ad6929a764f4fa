#include "quick_find.h"

#include <algorithm>

#include "records.h"
#include "text.h"

namespace crm {

namespace {

std::vector<std::string> words_of(std::string_view text) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')) ++i;
        const size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n') ++i;
        std::string word;
        for (char c : text.substr(start, i - start))
            if (c != '"') word += c;
        if (!word.empty()) out.push_back(word);
    }
    return out;
}

std::string ascii_lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// True when some word of `title` starts with `prefix` (ASCII letters compared without case).
bool title_has_word_starting(const std::string& title, const std::string& prefix) {
    const std::string t = ascii_lower(title), p = ascii_lower(prefix);
    for (size_t at = t.find(p); at != std::string::npos; at = t.find(p, at + 1))
        if (at == 0 || !((t[at - 1] >= 'a' && t[at - 1] <= 'z') || (t[at - 1] >= '0' && t[at - 1] <= '9') ||
                         (static_cast<unsigned char>(t[at - 1]) >= 0x80)))
            return true;
    return false;
}

bool has_name_index(std::string_view type) {
    return type == "contact" || type == "company" || type == "deal" || type == "lead";
}

}  // namespace

Result<std::vector<SearchHit>> quick_find(Db& db, std::string_view text, const std::vector<std::string>& types,
                                          size_t per_type, size_t scan) {
    std::vector<SearchHit> out;
    const std::vector<std::string> words = words_of(text);
    if (words.empty() || per_type == 0) return out;
    std::vector<std::string> long_words, short_words;
    // A word in a script written without spaces ("小龙") is matched anywhere in a name, through
    // the index, however short.
    for (const auto& w : words)
        (utf8_length(w).value_or(w.size()) >= 3 || spaced_for_index(w) != w ? long_words : short_words).push_back(w);

    if (long_words.empty()) {
        // Names starting with what was typed, through each type's index on its name.
        const std::string prefix(trim(text));
        for (const auto& type : types) {
            if (!has_name_index(type)) continue;
            const RecordSpec* spec = find_record_spec(type);
            auto st = db.cached("SELECT id, " + spec->title_field + " FROM " + spec->table + " WHERE deleted = 0 AND " +
                                spec->title_field + " >= ?1 COLLATE NOCASE AND " + spec->title_field +
                                " < ?2 COLLATE NOCASE ORDER BY " + spec->title_field + " COLLATE NOCASE, id LIMIT ?3");
            if (!st) return st.error();
            (*st)->bind(1, prefix).bind(2, prefix + "\xf4\x8f\xbf\xbf").bind(3, static_cast<int64_t>(per_type));
            for (;;) {
                auto row = (*st)->step();
                if (!row) {
                    (*st)->reset();
                    return row.error();
                }
                if (!*row) break;
                out.push_back({type, (*st)->text(0), std::string(trim((*st)->text(1))), 0});
            }
            (*st)->reset();
        }
        return out;
    }

    std::string q;
    for (const auto& w : long_words) q += (q.empty() ? "" : " ") + fts_term(w);
    auto st = db.cached(
        "SELECT d.record_type, d.record_id, m.title, m.r FROM (SELECT rowid, title, bm25(search_index, 10.0, 1.0) AS r "
        "FROM search_index WHERE search_index MATCH ?1 LIMIT ?2) AS m JOIN search_docs d ON d.rowid = m.rowid "
        "ORDER BY m.r");
    if (!st) return st.error();
    (*st)->bind(1, q).bind(2, static_cast<int64_t>(scan));
    std::vector<SearchHit> hits;
    for (;;) {
        auto row = (*st)->step();
        if (!row) {
            (*st)->reset();
            return Error{"search", "cannot search for '" + utf8_prefix(text, 60) + "': " + row.error().message};
        }
        if (!*row) break;
        SearchHit h{(*st)->text(0), (*st)->text(1), title_from_index((*st)->text(2)), (*st)->real(3)};
        bool keep = std::all_of(short_words.begin(), short_words.end(),
                                [&](const std::string& w) { return title_has_word_starting(h.title, w); });
        if (keep) hits.push_back(std::move(h));
    }
    (*st)->reset();
    for (const auto& type : types) {
        size_t n = 0;
        for (const auto& h : hits)
            if (h.record_type == type && n < per_type) {
                out.push_back(h);
                ++n;
            }
    }
    return out;
}

}  // namespace crm
