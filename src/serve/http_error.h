// The server's one error shape and its one mapping from Status codes to HTTP statuses:
//   {"error": {"code": "NOT_FOUND", "message": "no model named 'chrun'. Did you mean 'churn'?",
//              "details": {...}}}
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata::serve {

// An HTTP error: status, a code name (a StatusCode name, or one of the HTTP-only codes
// UNAUTHENTICATED, PERMISSION_DENIED, DEADLINE_EXCEEDED, METHOD_NOT_ALLOWED,
// PAYLOAD_TOO_LARGE), a message and optional details.
struct HttpError {
  int status = 500;
  std::string code;
  std::string message;
  nlohmann::json details = nlohmann::json::object();
};

// The HTTP status for a Status code (kInvalidArgument -> 400, kNotFound -> 404, ...).
int HttpStatusFor(StatusCode code);
HttpError ErrorFromStatus(const Status& status);
// The JSON body of an error.
nlohmann::json ErrorBody(const HttpError& error);
// The error for a failure found by the HTTP layer itself (400 malformed HTTP, 413, 431, ...).
HttpError ErrorForHttpStatus(int status);
// 413 PAYLOAD_TOO_LARGE for `what` ("the request body") over `limit` bytes, naming the
// `strata serve` option that sets the limit.
HttpError PayloadTooLarge(std::string_view what, size_t limit, std::string_view option);

// JSON text that never throws on invalid UTF-8 in strings (replaced by U+FFFD).
std::string DumpJson(const nlohmann::json& json);

}  // namespace strata::serve
