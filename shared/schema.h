#pragma once
// The one SQLite schema of a workspace, used by the browser replica and the server alike, as a
// forward-only list of migrations. The database's user_version is the number applied.
#include <vector>

#include "result.h"
#include "sqlite_db.h"
#include "sync.h"

namespace crm {

// The version a database has once every migration has run.
int latest_schema_version();
// Runs the migrations the database has not had yet, each in its own transaction. A database
// written by a newer build (a higher version than this build knows) is refused, not touched.
Result<int> migrate(Db& db);
// Runs the migrations up to `target` only: for tests that start from an older version.
Result<int> migrate_to(Db& db, int target);
// Writes the records every workspace starts with (the "Sales" pipeline and its stages), with
// fixed ids and the oldest clock, so every replica seeds the same thing and edits win over it.
Status seed_defaults(Db& db);
// The changes seed_defaults() merges: the server also writes them into each workspace's log, so
// they reach every client through pulls like any other change.
std::vector<Change> seed_changes();

}  // namespace crm
