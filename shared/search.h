#pragma once
// Full-text search over names, emails, phones, companies, deals, notes and case subjects:
// one SQLite FTS5 index, kept current by the merge, with prefix matching and bm25 ranking.
// Scripts written without spaces between words (Chinese, Japanese, Korean, Thai, Lao) are indexed
// one character to a token, and searched as a phrase of characters, so "小龙" finds "李小龙".
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "records.h"
#include "result.h"
#include "sqlite_db.h"

namespace crm {

struct SearchHit {
    std::string record_type;
    std::string record_id;
    std::string title;
    double rank = 0;  // lower is better (bm25)
};

// True for the record types that appear in search results.
bool is_searchable_type(std::string_view type);
// Index updates gathered during a write and applied in two statements at its end: FTS5 flushes
// its pending index at every statement, so one statement per record would cost a flush each.
class SearchBatch {
public:
    // Queues the index entry of one record from its current values (`record` as read_record gives).
    void add(const RecordSpec& spec, const nlohmann::json& record);
    // Writes every queued entry; the batch is empty afterwards.
    Status flush(Db& db);
    bool empty() const { return docs_.empty(); }

private:
    struct Doc {
        std::string type, id, title, body;
        bool deleted = false;
    };
    std::vector<Doc> docs_;
};

// `text` as the index stores it: each character of a script written without spaces (with its
// combining marks) set apart by U+200B, which the tokenizer takes as a separator. Other text is
// returned unchanged.
std::string spaced_for_index(std::string_view text);
// A title read back from the index, without the separators spaced_for_index added.
std::string title_from_index(std::string_view indexed);
// The FTS5 query term for one word typed into a search box: quoted (so punctuation cannot change
// the query) and a prefix; a word with characters of such scripts becomes a phrase of them.
std::string fts_term(std::string_view word);

// Rewrites the index entry of one record at once.
Status index_record(Db& db, const RecordSpec& spec, const nlohmann::json& record);
// Rebuilds the whole index from the tables.
Status reindex_all(Db& db);
// Finds records whose indexed text matches every word of `text`, each word as a prefix
// ("ada lov" finds "Ada Lovelace"); best matches first. `type` limits the record type.
Result<std::vector<SearchHit>> search(Db& db, std::string_view text, size_t limit = 20, std::string_view type = {});

}  // namespace crm
