#pragma once
// Finding a record as a person types into the command palette: bounded work on any workspace
// size, so each key answers within a frame even on 100,000 contacts. search() ranks every match,
// which costs hundreds of milliseconds for a one- or two-letter prefix matching half the index.
#include <string>
#include <string_view>
#include <vector>

#include "search.h"

namespace crm {

// Records of `types` ("contact", "company", ...) matching `text`, at most `per_type` of each,
// grouped in the order of `types`, best first within a type:
// - when a word has 3 characters or more, or any character of Chinese, Japanese, Korean, Thai
//   or Lao (matched anywhere in a word, see search.h), the full-text index with every such word as a prefix
//   (ranking only the first `scan` matches by bm25); words of 1 or 2 characters then narrow the
//   results to titles with a word starting with them;
// - otherwise ("a", "ma", "j s"), names that start with `text`, through the name indexes
//   (contacts, companies, deals, leads), in alphabetical order.
Result<std::vector<SearchHit>> quick_find(Db& db, std::string_view text, const std::vector<std::string>& types,
                                          size_t per_type, size_t scan = 300);

}  // namespace crm
