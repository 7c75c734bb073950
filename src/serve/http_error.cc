#include "serve/http_error.h"

#include <fmt/format.h>

namespace strata::serve {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kOutOfRange: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kFailedPrecondition: return 409;
    // The server's own limits (rows per request) report ResourceExhausted.
    case StatusCode::kResourceExhausted: return 413;
    case StatusCode::kCancelled: return 503;
    case StatusCode::kUnimplemented: return 501;
    case StatusCode::kIoError:
    case StatusCode::kDataLoss:
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

HttpError ErrorFromStatus(const Status& status) {
  return {HttpStatusFor(status.code()), std::string(StatusCodeName(status.code())),
          status.message(), nlohmann::json::object()};
}

nlohmann::json ErrorBody(const HttpError& error) {
  return {{"error", {{"code", error.code}, {"message", error.message}, {"details", error.details}}}};
}

HttpError ErrorForHttpStatus(int status) {
  switch (status) {
    // A request that cannot be parsed, or a body that stopped arriving before the timeout.
    case 400:
      return {400, "INVALID_ARGUMENT",
              "the request could not be read: malformed HTTP, or a body that did not arrive "
              "within the request timeout (strata serve --request-timeout-ms)"};
    case 404: return {404, "NOT_FOUND", "no such route; GET /openapi.json lists them"};
    case 408: return {408, "DEADLINE_EXCEEDED", "the request took longer than the server's limit"};
    case 413:
      return {413, "PAYLOAD_TOO_LARGE",
              "the request body is larger than the server's limit (strata serve --max-body-mb)"};
    case 414: return {414, "PAYLOAD_TOO_LARGE", "the request URI is too long"};
    case 431:
      return {431, "PAYLOAD_TOO_LARGE",
              "the request's headers are larger than the server's limit of 16 KiB"};
    case 416: return {416, "OUT_OF_RANGE", "the requested range cannot be served"};
    default:
      break;
  }
  return {status, status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT",
          "HTTP status " + std::to_string(status)};
}

HttpError PayloadTooLarge(std::string_view what, size_t limit, std::string_view option) {
  return {413, "PAYLOAD_TOO_LARGE",
          fmt::format("{} is larger than the server's limit of {:g} MiB (strata serve {})", what,
                      static_cast<double>(limit) / (1024.0 * 1024.0), option),
          {{"limit_bytes", limit}}};
}

std::string DumpJson(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace strata::serve
