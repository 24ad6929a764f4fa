#pragma once
// The field reference: every record type's fields as a Markdown table, printed from the registry
// (records.h). docs/domain.md holds it (`./crm admin fields`), and a test fails when the two differ,
// so the document a client is written from says what the server checks.
#include <string>

namespace crm {

// The table: type, field, kind, JSON value, required, what null does, limits.
std::string field_reference_markdown();

}  // namespace crm
