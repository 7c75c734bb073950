// Status and Result<T>: Strata's one error model.
//
// Every library function that can fail returns a Status (no value) or a Result<T> (a value
// or a Status). Exceptions from dependencies are caught at the wrapper that calls them and
// turned into a Status with context; user input never reaches an assertion.
//
//   strata::Result<strata::Table> table = strata::ReadCsv("data.csv", options);
//   if (!table.ok()) {
//     std::cerr << table.status().ToString() << "\n";
//     return 1;
//   }
//   Use(*table);
//
// Inside the library, propagate with STRATA_RETURN_IF_ERROR(expr) and
// STRATA_ASSIGN_OR_RETURN(lhs, expr).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace strata {

// A few codes, chosen so that each maps to one CLI exit code and one HTTP status.
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,   // the caller's input is wrong (bad option, malformed file)
  kNotFound = 2,          // a named table, column, model or file does not exist
  kAlreadyExists = 3,     // creating something that exists
  kFailedPrecondition = 4,// the workspace or data is in a state that forbids the operation
  kOutOfRange = 5,        // a value is outside its valid range
  kResourceExhausted = 6, // a size limit, disk or memory ran out
  kCancelled = 7,         // the user cancelled
  kIoError = 8,           // reading or writing a file failed
  kDataLoss = 9,          // stored data is corrupt or truncated
  kUnimplemented = 10,    // not supported (yet)
  kInternal = 11,         // a bug in Strata: please report it
};

// Returns the canonical upper-case name of a code, e.g. "INVALID_ARGUMENT".
std::string_view StatusCodeName(StatusCode code);

// The outcome of an operation: OK, or a code with a human-readable, actionable message.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "INVALID_ARGUMENT: data.csv:3:7: ..." ("OK" when ok()).
  std::string ToString() const;

  // Returns a copy whose message is "context: message"; used to add where an error happened.
  Status WithContext(std::string_view context) const;

  // Explicitly discards a Status the caller has decided not to check.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Shorthands for the common codes.
Status InvalidArgument(std::string message);
Status NotFound(std::string message);
Status AlreadyExists(std::string message);
Status FailedPrecondition(std::string message);
Status OutOfRange(std::string message);
Status ResourceExhausted(std::string message);
Status Cancelled(std::string message);
Status IoError(std::string message);
Status DataLoss(std::string message);
Status Unimplemented(std::string message);
Status Internal(std::string message);

// A value of type T, or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  // Implicit from a value or from a (non-OK) Status, so `return value;` and `return status;`
  // both work.
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "Result constructed from an OK Status without a value");
    if (status_.ok()) status_ = Status(StatusCode::kInternal, "Result built from OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // Access the value; only valid when ok().
  T& value() & { return Checked(); }
  const T& value() const& { return Checked(); }
  T&& value() && { return std::move(Checked()); }
  T& operator*() & { return Checked(); }
  const T& operator*() const& { return Checked(); }
  T&& operator*() && { return std::move(Checked()); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &Checked(); }

  // The value, or `fallback` when there is none.
  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  T& Checked() {
    assert(ok() && "value() called on a Result holding an error");
    return *value_;
  }
  const T& Checked() const {
    assert(ok() && "value() called on a Result holding an error");
    return *value_;
  }

  std::optional<T> value_;
  Status status_;
};

}  // namespace strata

#define STRATA_CONCAT_INNER_(a, b) a##b
#define STRATA_CONCAT_(a, b) STRATA_CONCAT_INNER_(a, b)

// Returns from the current function if `expr` (a Status) is not OK.
#define STRATA_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::strata::Status strata_status_ = (expr);        \
    if (!strata_status_.ok()) return strata_status_; \
  } while (false)

// Evaluates `rexpr` (a Result<T>); on error returns its Status, else moves the value into
// `lhs` (which may be a declaration such as `auto table`).
#define STRATA_ASSIGN_OR_RETURN(lhs, rexpr) \
  STRATA_ASSIGN_OR_RETURN_IMPL_(STRATA_CONCAT_(strata_result_, __LINE__), lhs, rexpr)
#define STRATA_ASSIGN_OR_RETURN_IMPL_(result, lhs, rexpr) \
  auto result = (rexpr);                                  \
  if (!result.ok()) return result.status();               \
  lhs = std::move(result).value()
