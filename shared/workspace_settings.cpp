#include "workspace_settings.h"

#include <algorithm>

#include "text.h"

namespace crm {

using nlohmann::json;

namespace {

struct StageRow {
    std::string id, outcome;
    int64_t position = 0;
};

// The live stages of a pipeline in board order.
Result<std::vector<StageRow>> stages_of(Db& db, const std::string& pipeline_id) {
    auto st = db.prepare("SELECT id, outcome, position FROM stages WHERE pipeline_id = ?1 AND deleted = 0 "
                         "ORDER BY position, name, id");
    if (!st) return st.error();
    st->bind(1, pipeline_id);
    std::vector<StageRow> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        out.push_back({st->text(0), st->text(1), st->integer(2)});
    }
    return out;
}

// Gives the stages positions 0..n-1 in the order given, writing only those that change.
Status renumber(Edit& edit, const std::vector<StageRow>& order) {
    for (size_t i = 0; i < order.size(); ++i)
        if (order[i].position != static_cast<int64_t>(i))
            if (auto s = edit.update("stage", order[i].id, {{"position", static_cast<int64_t>(i)}}); !s) return s;
    return ok();
}

Result<int64_t> count(Db& db, const std::string& sql, const std::string& arg) {
    auto st = db.prepare(sql);
    if (!st) return st.error();
    st->bind(1, arg);
    auto row = st->step();
    if (!row) return row.error();
    return *row ? st->integer(0) : 0;
}

std::string deals_phrase(int64_t n) { return n == 1 ? "1 deal is" : std::to_string(n) + " deals are"; }

Result<json> live(LocalStore& store, std::string_view type, const std::string& id) {
    auto r = store.get(type, id);
    if (!r) return r.error();
    if (r->value("deleted", false)) return Error{std::string(type), "this " + std::string(type) + " has been deleted"};
    return r;
}

// Record types whose records carry tags, with their tables.
std::vector<const RecordSpec*> tagged_specs() {
    std::vector<const RecordSpec*> out;
    for (const auto& spec : record_specs())
        if (find_field(spec, "tags")) out.push_back(&spec);
    return out;
}

}  // namespace

Result<int64_t> deals_in_stage(Db& db, const std::string& stage_id) {
    // By pipeline and stage, so that the deals_by_stage index answers.
    return count(db,
                 "SELECT count(*) FROM deals WHERE pipeline_id = (SELECT pipeline_id FROM stages WHERE id = ?1) "
                 "AND stage_id = ?1 AND deleted = 0",
                 stage_id);
}

Result<int64_t> deals_in_pipeline(Db& db, const std::string& pipeline_id) {
    return count(db, "SELECT count(*) FROM deals WHERE pipeline_id = ?1 AND deleted = 0", pipeline_id);
}

Result<std::string> add_stage(LocalStore& store, const std::string& pipeline_id, const std::string& name, int64_t now_ms) {
    if (auto p = live(store, "pipeline", pipeline_id); !p) return Error{"pipeline_id", p.error().message};
    auto stages = stages_of(store.db(), pipeline_id);
    if (!stages) return stages.error();
    // New stages go after the open ones: won and lost stay at the end of the board.
    auto at = std::find_if(stages->begin(), stages->end(), [](const StageRow& s) { return s.outcome != "open"; });
    const int64_t index = at - stages->begin();
    Edit edit(store, now_ms);
    if (auto s = edit.begun(); !s) return s.error();
    auto id = edit.create("stage", {{"pipeline_id", pipeline_id}, {"name", name}, {"position", index}, {"outcome", "open"}});
    if (!id) return id.error();
    std::vector<StageRow> order = *stages;
    order.insert(order.begin() + index, StageRow{*id, "open", index});
    if (auto s = renumber(edit, order); !s) return s.error();
    if (auto s = edit.commit(); !s) return s.error();
    return *id;
}

Status move_stage(LocalStore& store, const std::string& stage_id, int delta, int64_t now_ms) {
    auto stage = live(store, "stage", stage_id);
    if (!stage) return stage.error();
    auto stages = stages_of(store.db(), (*stage)["pipeline_id"].get<std::string>());
    if (!stages) return stages.error();
    auto it = std::find_if(stages->begin(), stages->end(), [&](const StageRow& s) { return s.id == stage_id; });
    const int64_t from = it - stages->begin();
    const int64_t to = std::clamp<int64_t>(from + delta, 0, static_cast<int64_t>(stages->size()) - 1);
    std::vector<StageRow> order = *stages;
    if (to != from) {
        StageRow moved = order[static_cast<size_t>(from)];
        order.erase(order.begin() + from);
        order.insert(order.begin() + to, moved);
    }
    Edit edit(store, now_ms);
    if (auto s = edit.begun(); !s) return s;
    if (auto s = renumber(edit, order); !s) return s;
    return edit.commit();
}

Status remove_stage(LocalStore& store, const std::string& stage_id, int64_t now_ms) {
    auto stage = store.get("stage", stage_id);
    if (!stage) return stage.error();
    if ((*stage)["deleted"] == true) return ok();
    Edit edit(store, now_ms);
    if (auto s = edit.begun(); !s) return s;
    auto deals = deals_in_stage(store.db(), stage_id);
    if (!deals) return deals.error();
    if (*deals > 0)
        return Error{"stage", deals_phrase(*deals) + " in this stage; move them to another stage first"};
    if ((*stage).value("outcome", "open") == "open") {
        auto stages = stages_of(store.db(), (*stage)["pipeline_id"].get<std::string>());
        if (!stages) return stages.error();
        if (std::count_if(stages->begin(), stages->end(), [](const StageRow& s) { return s.outcome == "open"; }) <= 1)
            return Error{"stage", "this is the pipeline's last open stage, where new deals start; add another first"};
    }
    if (auto s = edit.set_deleted("stage", stage_id, true); !s) return s;
    return edit.commit();
}

Status remove_pipeline(LocalStore& store, const std::string& pipeline_id, int64_t now_ms) {
    auto pipeline = store.get("pipeline", pipeline_id);
    if (!pipeline) return pipeline.error();
    if ((*pipeline)["deleted"] == true) return ok();
    Edit edit(store, now_ms);
    if (auto s = edit.begun(); !s) return s;
    auto deals = deals_in_pipeline(store.db(), pipeline_id);
    if (!deals) return deals.error();
    if (*deals > 0)
        return Error{"pipeline", deals_phrase(*deals) + " in this pipeline; move or delete them first"};
    auto pipelines = count(store.db(), "SELECT count(*) FROM pipelines WHERE deleted = 0 AND id != ?1", pipeline_id);
    if (!pipelines) return pipelines.error();
    if (*pipelines == 0) return Error{"pipeline", "this is the workspace's only pipeline; new deals need one"};
    auto stages = stages_of(store.db(), pipeline_id);
    if (!stages) return stages.error();
    for (const auto& s : *stages)
        if (auto r = edit.set_deleted("stage", s.id, true); !r) return r;
    if (auto s = edit.set_deleted("pipeline", pipeline_id, true); !s) return s;
    return edit.commit();
}

Result<std::vector<TagUse>> tags_in_use(Db& db, size_t limit) {
    std::string sql;
    for (const RecordSpec* spec : tagged_specs()) {
        if (!sql.empty()) sql += " UNION ALL ";
        sql += "SELECT j.value AS tag FROM " + spec->table + ", json_each(" + spec->table + ".tags) AS j WHERE " +
               spec->table + ".deleted = 0 AND " + spec->table + ".tags != '[]'";
    }
    auto st = db.prepare("SELECT tag, count(*) AS n FROM (" + sql + ") WHERE tag != '' GROUP BY tag "
                         "ORDER BY n DESC, tag LIMIT ?1");
    if (!st) return st.error();
    st->bind(1, static_cast<int64_t>(limit));
    std::vector<TagUse> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        out.push_back({st->text(0), st->integer(1)});
    }
    return out;
}

Result<int64_t> rename_tag(LocalStore& store, const std::string& from, const std::string& to_text, int64_t now_ms) {
    const std::string to(trim(to_text));
    if (to.empty()) return Error{"tag", "a tag needs a name"};
    if (to == from) return int64_t{0};
    struct Tagged {
        std::string type, id;
        json tags;
    };
    std::vector<Tagged> found;
    Edit edit(store, now_ms);
    if (auto s = edit.begun(); !s) return s.error();
    for (const RecordSpec* spec : tagged_specs()) {
        auto st = store.db().prepare("SELECT id, tags FROM " + spec->table +
                                     " WHERE deleted = 0 AND tags != '[]' AND EXISTS (SELECT 1 FROM json_each(" +
                                     spec->table + ".tags) WHERE value = ?1)");
        if (!st) return st.error();
        st->bind(1, from);
        for (;;) {
            auto row = st->step();
            if (!row) return row.error();
            if (!*row) break;
            found.push_back({spec->type, st->text(0), json::parse(st->text(1), nullptr, false)});
        }
    }
    for (const auto& r : found) {
        json tags = json::array();
        for (const auto& t : r.tags) {
            const json v = t == from ? json(to) : t;
            if (std::find(tags.begin(), tags.end(), v) == tags.end()) tags.push_back(v);
        }
        if (auto s = edit.update(r.type, r.id, {{"tags", tags}}); !s) return Error{"tag", s.error().message};
    }
    if (auto s = edit.commit(); !s) return s.error();
    return static_cast<int64_t>(found.size());
}

std::string custom_key_from_label(std::string_view label) {
    std::string key;
    for (unsigned char c : label) {
        if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
        const bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (word) {
            if (key.empty() && c >= '0' && c <= '9') key = "field_";
            key += static_cast<char>(c);
        } else if (!key.empty() && key.back() != '_') {
            key += '_';
        }
    }
    if (key.size() > kMaxCustomKeyChars) key.resize(kMaxCustomKeyChars);
    while (!key.empty() && key.back() == '_') key.pop_back();
    return key;
}

Result<std::string> normalize_server_address(std::string_view text) {
    std::string s(trim(text));
    if (s.empty()) return s;
    std::string lower = s;
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    std::string scheme;
    if (lower.rfind("https://", 0) == 0) scheme = "https://";
    else if (lower.rfind("http://", 0) == 0) scheme = "http://";
    else return Error{"server", "'" + utf8_prefix(s, 60) + "' must start with http:// or https://"};
    std::string rest = lower.substr(scheme.size());
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    if (rest.empty()) return Error{"server", "the address needs a host name after " + scheme};
    if (rest.find_first_of("/?#@ \t") != std::string::npos)
        return Error{"server", "'" + utf8_prefix(s, 60) + "' must be only a host and an optional port, such as https://crm.example.com or http://10.0.0.5:8080"};
    // host, host:port, [v6], [v6]:port
    std::string host = rest, port;
    const size_t close = rest.front() == '[' ? rest.find(']') : std::string::npos;
    const size_t colon = rest.front() == '[' ? (close == std::string::npos ? close : rest.find(':', close)) : rest.find(':');
    if (rest.front() != '[' && colon != std::string::npos && rest.find(':', colon + 1) != std::string::npos)
        return Error{"server", "write an IPv6 address in brackets, such as http://[::1]:8080"};
    if (colon != std::string::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
            std::stol(port) < 1 || std::stol(port) > 65535)
            return Error{"server", "the port '" + utf8_prefix(port, 10) + "' must be a number from 1 to 65535"};
    }
    const bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
    if (host.empty() || (!bracketed && host.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-.") != std::string::npos))
        return Error{"server", "'" + utf8_prefix(host, 60) + "' is not a host name"};
    return scheme + rest;
}

}  // namespace crm
