#include "ids.h"

#include <random>

namespace crm {

std::string new_id() {
    // std::random_device reads the OS's CSPRNG natively and crypto.getRandomValues in the browser.
    static thread_local std::random_device rd;
    static const char* hex = "0123456789abcdef";
    std::string id(32, '0');
    for (int i = 0; i < 32; i += 8) {
        uint32_t r = rd();
        for (int j = 0; j < 8; ++j) id[static_cast<size_t>(i + j)] = hex[(r >> (j * 4)) & 0xF];
    }
    return id;
}

bool is_valid_id(std::string_view id) {
    if (id.size() != 32) return false;
    for (char c : id)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace crm
