#pragma once
// Reading a push body quickly. A generic JSON parser spends more time on a 1,000-change batch
// (~180 KB) than SQLite spends storing it, building a tree of maps only to copy the strings out
// again. This reader walks the one shape a push has with simdjson's On-Demand API (which checks
// the syntax, escapes and UTF-8) and fills the changes directly; values that are not plain
// strings, true, false or null (numbers, lists, objects) go through the strict reader of the
// general path (parse_json_strict), one value at a time.
//
// It accepts only what the general path (parse_json_strict) would also accept and read the same
// way; on anything else (malformed JSON, a byte-order mark, unknown, missing, repeated or
// mistyped members, values nested too deep or holding repeated keys or whole numbers outside
// int64, more changes than a batch may hold) it gives up, and the caller reads the body the
// general way, which also says what is wrong.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sync.h"

namespace crm {

struct PushBody {
    std::string batch_id;
    std::optional<std::string> workspace_id;
    std::vector<Change> changes;  // members read, not yet checked (check_change)
};

std::optional<PushBody> read_push_body(std::string_view body);

}  // namespace crm
