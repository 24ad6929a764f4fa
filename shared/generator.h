#pragma once
// Realistic demo and load-test data: companies, contacts, deals, activities, cases and leads,
// written through the store's ordinary write path, so every record is validated exactly as one
// a person types. The same seed gives the same records, with the same ids and values, on every
// platform (the generator has its own random numbers; the standard distributions differ between
// libstdc++ and the browser's libc++).
#include <cstdint>
#include <functional>
#include <string_view>

#include "local_store.h"
#include "result.h"

namespace crm {

struct GeneratorSpec {
    uint64_t seed = 1;
    int64_t companies = 0, contacts = 0, deals = 0, activities = 0, cases = 0, leads = 0;
    int64_t now_ms = 1750000000000;  // 2025-06-15: dates are spread around it, records stamped from it
};

// Called after each committed chunk: the stage ("companies", "contacts", "deals", "cases",
// "leads", "activities", in that order), how many of its records are written, and how many it
// will write. A stage with nothing to write is not reported.
using GeneratorProgress = std::function<void(std::string_view stage, int64_t done, int64_t total)>;

// Adds the records `spec` asks for to `store`, in large all-or-nothing chunks. Each deal also gets
// its first stage change and usually a contact role; a negative count is refused before anything
// is written. A database that already holds this seed's records is refused rather than overwritten.
Status generate(LocalStore& store, const GeneratorSpec& spec, const GeneratorProgress& progress = {});

}  // namespace crm
