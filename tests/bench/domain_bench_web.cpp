// The wasm half of ./crm bench's domain figures, called from bench.html.
#include <emscripten.h>

#include <string>

#include "domain_bench.h"

namespace {
std::string g_result;
}

extern "C" {
EMSCRIPTEN_KEEPALIVE const char* bench_insert(int count) {
    g_result = crm::bench::insert_contacts("/tmp/insert.db", count).dump();
    return g_result.c_str();
}
EMSCRIPTEN_KEEPALIVE const char* bench_queries(const char* path, int iterations) {
    g_result = crm::bench::queries(path, iterations).dump();
    return g_result.c_str();
}
}
