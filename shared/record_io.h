#pragma once
// Moving field values between JSON (the form in changes and in the API) and SQLite columns,
// by the field's kind, so every table is read and written the same way.
#include <string>

#include <nlohmann/json.hpp>

#include "records.h"
#include "sqlite_db.h"

namespace crm {

// Binds `value` for `field` at `index`; null becomes the column's empty value ('', '[]', 0) for
// columns that are never NULL, and NULL for numbers, times and dates.
void bind_field(Stmt& st, int index, const FieldSpec& field, const nlohmann::json& value);
// Reads column `column` of the current row as `field`'s JSON value.
nlohmann::json read_field(const Stmt& st, int column, const FieldSpec& field);
// "a, b, c" of every field's column name: the SELECT list for a whole record (after "id").
std::string column_list(const RecordSpec& record);
// Reads a whole record selected with "id, <column_list>, custom" into a JSON object
// {"id": ..., field: value, ..., "custom": {...}}.
nlohmann::json read_record(const Stmt& st, const RecordSpec& record);

}  // namespace crm
