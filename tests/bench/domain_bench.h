#pragma once
// Domain benchmarks compiled twice, natively and to wasm, so both run the same code on the
// same data. Each returns its figures as a JSON object.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace crm::bench {

// Creates `count` contacts through the real write path (validation, merge, search index,
// outbox) in one transaction, in a fresh database at `path`.
nlohmann::json insert_contacts(const std::string& path, int64_t count);
// Runs `iterations` rounds of full-text search, a filtered and sorted first page, and a sorted
// page deep in the list against the database at `path`; reports p50 and p95 in ms.
nlohmann::json queries(const std::string& path, int iterations);

}  // namespace crm::bench
