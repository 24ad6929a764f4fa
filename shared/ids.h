#pragma once
// Record and replica ids are generated where the record is created, so an offline replica can
// create records without asking anyone: 128 random bits, as 32 lowercase hex digits.
#include <string>
#include <string_view>

namespace crm {

std::string new_id();
// True for 32 lowercase hex digits.
bool is_valid_id(std::string_view id);

}  // namespace crm
