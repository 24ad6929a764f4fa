#include "domain_bench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "local_store.h"

namespace crm::bench {

using nlohmann::json;

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

json percentiles(std::vector<double> xs) {
    std::sort(xs.begin(), xs.end());
    auto at = [&](double p) { return xs.empty() ? 0.0 : xs[std::min(xs.size() - 1, static_cast<size_t>(p * static_cast<double>(xs.size())))]; };
    return {{"p50_ms", at(0.5)}, {"p95_ms", at(0.95)}, {"n", xs.size()}};
}

const char* kFirst[] = {"Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Ken", "Dennis", "Linus", "Margaret",
                        "Zoë", "José", "Søren", "Frances", "John", "Radia", "Tim", "Vint", "Bjarne", "Guido"};
const char* kLast[] = {"Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Thompson", "Ritchie", "Torvalds",
                       "Hamilton", "Allen", "Perlman", "Berners-Lee", "Cerf", "Stroustrup", "van Rossum", "Kay", "Lamport"};

}  // namespace

json insert_contacts(const std::string& path, int64_t count) {
    std::remove(path.c_str());
    auto store = LocalStore::open(path);
    if (!store) return {{"error", store.error().to_string()}};
    const int64_t now = 1750000000000;
    auto t0 = std::chrono::steady_clock::now();
    {
        Edit edit(*store, now);
        for (int64_t i = 0; i < count; ++i) {
            std::string first = kFirst[i % 20], last = kLast[(i / 20) % 18];
            auto id = edit.create("contact", {{"name", first + " " + last + " " + std::to_string(i)},
                                              {"email", "person" + std::to_string(i) + "@example.com"},
                                              {"lifecycle_stage", i % 3 ? "lead" : "customer"},
                                              {"owner", i % 2 ? "ada" : "grace"}});
            if (!id) return {{"error", id.error().to_string()}};
        }
        if (auto s = edit.commit(); !s) return {{"error", s.error().to_string()}};
    }
    double ms = ms_since(t0);
    return {{"contacts", count}, {"ms", ms}, {"rows_per_s", static_cast<double>(count) / (ms / 1000.0)}};
}

json queries(const std::string& path, int iterations) {
    auto store = LocalStore::open(path);
    if (!store) return {{"error", store.error().to_string()}};
    auto total = store->list("contact", {});
    if (!total) return {{"error", total.error().to_string()}};
    const char* terms[] = {"ada", "tur", "hop", "lovel", "gra", "knu", "søren", "zo", "li", "thomp"};
    const char* owners[] = {"ada", "grace", "linus", "margaret", "ken", "barbara", "alan", "edsger"};
    std::vector<double> search_ms, filter_ms, deep_ms;
    for (int i = 0; i < iterations; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        auto hits = store->search(terms[i % 10], 50, "contact");
        if (!hits) return {{"error", hits.error().to_string()}};
        search_ms.push_back(ms_since(t0));

        Query q;
        q.filter.conditions = {{"lifecycle_stage", Op::In, {"lead", "customer"}}, {"owner", Op::Eq, owners[i % 8]}};
        q.sort = {{i % 2 ? "name" : "updated_at", i % 4 == 0}};
        q.limit = 50;
        t0 = std::chrono::steady_clock::now();
        auto page = store->list("contact", q);
        if (!page) return {{"error", page.error().to_string()}};
        filter_ms.push_back(ms_since(t0));

        Query deep;
        deep.limit = 50;
        deep.offset = (total->total / iterations) * i;
        t0 = std::chrono::steady_clock::now();
        auto p = store->list("contact", deep);
        if (!p) return {{"error", p.error().to_string()}};
        deep_ms.push_back(ms_since(t0));
    }
    return {{"contacts", total->total}, {"search", percentiles(search_ms)}, {"filtered_sorted_page", percentiles(filter_ms)},
            {"sorted_page_at_offset", percentiles(deep_ms)}};
}

}  // namespace crm::bench
