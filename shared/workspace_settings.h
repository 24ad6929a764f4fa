#pragma once
// Workspace settings that span records: adding, reordering and deleting pipeline stages (never
// from under a deal), the tags in use and renaming or merging one, custom field keys made from
// labels, and the sync server address a device talks to. Every write goes through LocalStore,
// so it is validated, all or nothing, and synced like any edit.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "local_store.h"

namespace crm {

// Adds a stage named `name` to a pipeline, after its open stages and before its won and lost
// ones (open outcome, probability given or none); returns the new stage's id.
Result<std::string> add_stage(LocalStore& store, const std::string& pipeline_id, const std::string& name, int64_t now_ms);
// Moves a stage one place earlier (delta < 0) or later (delta > 0) in its pipeline; positions
// are renumbered 0..n-1 in the new order. Moving past either end does nothing.
Status move_stage(LocalStore& store, const std::string& stage_id, int delta, int64_t now_ms);
// Deletes a stage; refused, saying how many, while live deals are in it, and for the last open
// stage of its pipeline (new deals start in an open stage).
Status remove_stage(LocalStore& store, const std::string& stage_id, int64_t now_ms);
// Deletes a pipeline and its stages; refused while live deals use it, and for the last pipeline.
Status remove_pipeline(LocalStore& store, const std::string& pipeline_id, int64_t now_ms);
// Live deals in a stage or a pipeline.
Result<int64_t> deals_in_stage(Db& db, const std::string& stage_id);
Result<int64_t> deals_in_pipeline(Db& db, const std::string& pipeline_id);

struct TagUse {
    std::string tag;
    int64_t records = 0;  // live records of any type carrying it
};
// The tags on live records of every type, most used first, then by name; at most `limit`.
Result<std::vector<TagUse>> tags_in_use(Db& db, size_t limit = 200);
// Renames tag `from` to `to` on every live record carrying it, in one edit; a record that has
// both keeps one (renaming to an existing tag merges the two). Returns the records changed.
Result<int64_t> rename_tag(LocalStore& store, const std::string& from, const std::string& to, int64_t now_ms);

// A custom field key from its label: "Contract tier" -> "contract_tier" (a-z, 0-9, _, starting
// with a letter, at most 40); "" when the label has no letter or digit to use.
std::string custom_key_from_label(std::string_view label);
// The sync server a device talks to: "" (the page's own origin) or an http(s) origin such as
// "https://crm.example.com" or "http://10.0.0.5:8080", returned without a trailing slash.
// Anything else (a path, a query, another scheme, spaces) is refused with the reason.
Result<std::string> normalize_server_address(std::string_view text);

}  // namespace crm
