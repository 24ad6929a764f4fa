#pragma once
// The pieces of domain.cpp that the store calls while it writes.
#include <nlohmann/json.hpp>

#include "records.h"
#include "result.h"
#include "sqlite_db.h"

namespace crm {

// Fills in what a new record gets when the caller leaves it out (a deal's pipeline and first
// stage, a case's status, priority and SLA targets, ...).
Status apply_create_defaults(Db& db, const RecordSpec& spec, nlohmann::json& values, int64_t now_ms);
// Adds what an update implies (a case whose priority changes gets new SLA targets).
Status apply_update_rules(const RecordSpec& spec, const nlohmann::json& existing, nlohmann::json& values);

}  // namespace crm
