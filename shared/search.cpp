#include "search.h"

#include <algorithm>
#include <map>

#include "record_io.h"
#include "text.h"

namespace crm {

using nlohmann::json;

bool is_searchable_type(std::string_view type) {
    return type == "contact" || type == "company" || type == "deal" || type == "lead" || type == "activity" ||
           type == "case";
}

namespace {

// The text of one field for the index: lists contribute each entry's text; phone numbers are
// also indexed as bare digits, and as their last ten digits (the number without its country
// code), so "5550100199" finds "+1 (555) 010-0199".
void append_text(std::string& out, const FieldSpec& f, const json& v) {
    auto add = [&](const std::string& s) {
        if (s.empty()) return;
        out += s;
        out += ' ';
        if (f.name.find("phone") != std::string::npos) {
            std::string digits;
            for (char c : s)
                if (c >= '0' && c <= '9') digits += c;
            out += digits + ' ';
            if (digits.size() > 10) out += digits.substr(digits.size() - 10) + ' ';
        }
    };
    if (v.is_string()) add(v.get<std::string>());
    else if (v.is_array())
        for (const auto& e : v) {
            if (e.is_string()) add(e.get<std::string>());
            else if (e.is_object() && e.contains("value") && e["value"].is_string()) add(e["value"].get<std::string>());
        }
}

constexpr std::string_view kSeparator = "\u200b";

// Decodes the code point at `i` (advancing `i`); a broken sequence yields one byte as U+FFFD.
char32_t next_code_point(std::string_view s, size_t& i) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
        ++i;
        return 0xfffd;
    }
    char32_t cp = n == 1 ? b : n == 2 ? (b & 0x1f) : n == 3 ? (b & 0x0f) : (b & 0x07);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    i += n;
    return cp;
}

// Scripts written without spaces between words, whose words FTS5's unicode61 tokenizer cannot
// find: a run of them would be one token, found only from its start.
bool is_unspaced_script(char32_t c) {
    return (c >= 0x0e00 && c <= 0x0eff) ||    // Thai, Lao
           (c >= 0x2e80 && c <= 0x2fdf) ||    // CJK radicals
           (c >= 0x3040 && c <= 0x31ff) ||    // Hiragana, Katakana, Bopomofo, Hangul jamo, ...
           (c >= 0x3400 && c <= 0x4dbf) ||    // CJK extension A
           (c >= 0x4e00 && c <= 0x9fff) ||    // CJK unified ideographs
           (c >= 0xac00 && c <= 0xd7af) ||    // Hangul syllables
           (c >= 0xf900 && c <= 0xfaff) ||    // CJK compatibility ideographs
           (c >= 0xff66 && c <= 0xff9f) ||    // half-width Katakana
           (c >= 0x20000 && c <= 0x3134f);    // CJK extensions B-G
}

// Marks that belong to the character before them (Thai and Lao vowels and tones, kana voicing).
bool is_combining_mark(char32_t c) {
    return c == 0x0e31 || (c >= 0x0e34 && c <= 0x0e3a) || (c >= 0x0e47 && c <= 0x0e4e) || c == 0x0eb1 ||
           (c >= 0x0eb4 && c <= 0x0ebc) || (c >= 0x0ec8 && c <= 0x0ecd) || c == 0x3099 || c == 0x309a;
}

// One FTS5 query term per word (see fts_term). Words are ANDed.
std::string fts_query(std::string_view text) {
    std::string q;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')) ++i;
        size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n') ++i;
        if (i == start) break;
        std::string word;
        for (char c : text.substr(start, i - start))
            if (c != '"') word += c;
        if (word.empty()) continue;
        q += (q.empty() ? "" : " ") + fts_term(word);
    }
    return q;
}

}  // namespace

std::string spaced_for_index(std::string_view text) {
    // Every such script lies above U+0800, so its characters start with a byte of 0xe0 or more.
    if (std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0xe0; }))
        return std::string(text);
    std::string out;
    out.reserve(text.size() + text.size() / 2);
    bool apart = false;  // the last character written was set apart
    for (size_t i = 0; i < text.size();) {
        const size_t start = i;
        const char32_t c = next_code_point(text, i);
        if (apart && is_combining_mark(c)) {
        } else if (is_unspaced_script(c)) {
            out += kSeparator;
            apart = true;
        } else if (apart) {
            out += kSeparator;
            apart = false;
        }
        out.append(text.substr(start, i - start));
    }
    return out;
}

std::string title_from_index(std::string_view indexed) {
    std::string out;
    for (size_t at = 0;;) {
        const size_t next = indexed.find(kSeparator, at);
        out.append(indexed.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
        if (next == std::string_view::npos) break;
        at = next + kSeparator.size();
    }
    return std::string(trim(out));
}

std::string fts_term(std::string_view word) {
    std::string w;
    for (char c : word)
        if (c != '"') w += c;
    return "\"" + spaced_for_index(w) + "\"*";
}

void SearchBatch::add(const RecordSpec& spec, const json& record) {
    if (!is_searchable_type(spec.type)) return;
    Doc doc{spec.type, record["id"].get<std::string>()};
    doc.deleted = record.contains("deleted") && record["deleted"] == true;
    for (const auto& f : spec.fields) {
        if (!record.contains(f.name)) continue;
        const json& v = record[f.name];
        if (f.name == spec.title_field) append_text(doc.title, f, v);
        else if (f.searchable) append_text(doc.body, f, v);
    }
    doc.title = spaced_for_index(doc.title);
    doc.body = spaced_for_index(doc.body);
    docs_.push_back(std::move(doc));
}

Status SearchBatch::flush(Db& db) {
    if (docs_.empty()) return ok();
    // The last entry for a record wins; each record's rowid comes from search_docs.
    std::map<std::pair<std::string, std::string>, size_t> last;
    for (size_t i = 0; i < docs_.size(); ++i) last[{docs_[i].type, docs_[i].id}] = i;
    auto doc_row = db.cached("INSERT INTO search_docs(record_type, record_id) VALUES(?1, ?2) "
                             "ON CONFLICT(record_type, record_id) DO UPDATE SET record_type = excluded.record_type "
                             "RETURNING rowid");
    if (!doc_row) return doc_row.error();
    json rowids = json::array(), inserts = json::array();
    for (const auto& [key, i] : last) {
        Stmt& st = **doc_row;
        st.bind(1, key.first).bind(2, key.second);
        auto row = st.step();
        if (!row) return row.error();
        int64_t rowid = st.integer(0);
        st.reset();
        rowids.push_back(rowid);
        if (!docs_[i].deleted) inserts.push_back({rowid, docs_[i].title, docs_[i].body});
    }
    docs_.clear();
    auto del = db.cached("DELETE FROM search_index WHERE rowid IN (SELECT value FROM json_each(?1))");
    if (!del) return del.error();
    if (auto s = (*del)->bind(1, rowids.dump()).run(); !s) return s;
    if (inserts.empty()) return ok();
    auto ins = db.cached("INSERT INTO search_index(rowid, title, body) "
                         "SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?1)");
    if (!ins) return ins.error();
    return (*ins)->bind(1, inserts.dump()).run();
}

Status index_record(Db& db, const RecordSpec& spec, const json& record) {
    SearchBatch batch;
    batch.add(spec, record);
    return batch.flush(db);
}

Status reindex_all(Db& db) {
    if (auto s = db.exec("DELETE FROM search_index; DELETE FROM search_docs;"); !s) return s;
    for (const auto& spec : record_specs()) {
        if (!is_searchable_type(spec.type)) continue;
        auto st = db.prepare("SELECT id, " + column_list(spec) + ", custom FROM " + spec.table);
        if (!st) return st.error();
        SearchBatch batch;
        for (;;) {
            auto row = st->step();
            if (!row) return row.error();
            if (!*row) break;
            batch.add(spec, read_record(*st, spec));
        }
        if (auto s = batch.flush(db); !s) return s;
    }
    return ok();
}

Result<std::vector<SearchHit>> search(Db& db, std::string_view text, size_t limit, std::string_view type) {
    std::vector<SearchHit> hits;
    const std::string q = fts_query(text);
    if (q.empty()) return hits;
    std::string sql =
        "SELECT d.record_type, d.record_id, search_index.title, bm25(search_index, 10.0, 1.0) AS r "
        "FROM search_index JOIN search_docs d ON d.rowid = search_index.rowid "
        "WHERE search_index MATCH ?1";
    if (!type.empty()) sql += " AND d.record_type = ?3";
    sql += " ORDER BY r LIMIT ?2";
    auto st = db.prepare(sql);
    if (!st) return st.error();
    st->bind(1, q).bind(2, static_cast<int64_t>(limit));
    if (!type.empty()) st->bind(3, type);
    for (;;) {
        auto row = st->step();
        if (!row) return Error{"search", "cannot search for '" + utf8_prefix(text, 60) + "': " + row.error().message};
        if (!*row) break;
        hits.push_back({st->text(0), st->text(1), title_from_index(st->text(2)), st->real(3)});
    }
    return hits;
}

}  // namespace crm
