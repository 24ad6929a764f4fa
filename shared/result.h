#pragma once
// Errors travel as values: a Result holds either the value or an Error that names the field
// (when there is one) and says what is wrong in words a user can act on.
#include <string>
#include <utility>
#include <variant>

namespace crm {

struct Error {
    std::string field;    // the offending field ("email"), empty when the error is not about one
    std::string message;  // what is wrong, e.g. "'bob@' is not a valid email address"

    // "email: 'bob@' is not a valid email address"
    std::string to_string() const { return field.empty() ? message : field + ": " + message; }
};

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() { return value(); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status ok() { return Ok{}; }

}  // namespace crm
