#pragma once
// The parts of a request the server reads before any handler logic: the media type, the bearer
// token and the small JSON bodies of sign-up and sign-in. Pure functions of the request's text,
// so they are tested and fuzzed without a server (tests/fuzz).
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "accounts.h"
#include "json_limits.h"

namespace crm {

// Sign-up and sign-in bodies are a few hundred bytes: anything far larger is refused before it
// is read as JSON (an 8 MB body of brackets once cost 280 MB to parse).
inline constexpr size_t kMaxAuthBodyBytes = 64 * 1024;

// Whether a Content-Type header names JSON: the media type application/json in any case
// (RFC 9110), with parameters; a charset other than UTF-8 is not JSON as RFC 8259 defines it.
bool is_json_media_type(std::string_view content_type);
// The token of an "Authorization: Bearer <token>" header, the scheme in any case (RFC 7235);
// empty for an empty header, nullopt for a header of another form.
std::optional<std::string> bearer_token_of(std::string_view authorization);
// Whether an Accept-Encoding header takes gzip (RFC 9110 12.5.3): "gzip" (or "x-gzip", or "*"
// when gzip is not named) with a q-value above 0; "gzip;q=0" refuses it.
bool accepts_gzip(std::string_view accept_encoding);
// A 400 for a refused JSON body: "the body is not valid JSON ...", or "<where>: <what>".
Refusal body_refusal(const JsonRefusal& r);
// A JSON object body (at most kMaxAuthBodyBytes) whose members are all strings and all among
// `allowed`; a refusal names the member.
Outcome<nlohmann::json> read_string_object(std::string_view body, std::initializer_list<const char*> allowed);

}  // namespace crm
