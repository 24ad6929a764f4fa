// crm-bench-domain: the native half of ./crm bench's domain figures.
//   crm-bench-domain insert N DB      creates N contacts in one transaction
//   crm-bench-domain queries DB ITER  times search and list queries
#include <cstdio>
#include <string>

#include "domain_bench.h"

int main(int argc, char** argv) {
    std::string cmd = argc > 1 ? argv[1] : "";
    nlohmann::json out;
    if (cmd == "insert" && argc == 4) out = crm::bench::insert_contacts(argv[3], std::stoll(argv[2]));
    else if (cmd == "queries" && argc == 4) out = crm::bench::queries(argv[2], std::stoi(argv[3]));
    else {
        std::fprintf(stderr, "usage: crm-bench-domain insert N DB | queries DB ITERATIONS\n");
        return 2;
    }
    std::printf("%s\n", out.dump().c_str());
    return out.contains("error") ? 1 : 0;
}
