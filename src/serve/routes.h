// The route table: each route declared once with its method, path template, summary, scope
// and handler. The router (server.cc) and the OpenAPI document (openapi.cc) both read it.
//
// Path templates are literal segments and parameters: "/v1/models/{name}/versions/{version}"
// and, for TF-Serving's verbs, a parameter with a literal suffix: "/v1/models/{name}:predict".
// A parameter never matches an empty segment or one containing ':'.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "serve/http_error.h"
#include "strata/api_tokens.h"
#include "strata/status.h"

namespace strata::serve {

struct ServerContext;

// Who may call a route: anyone (health probes, the OpenAPI document), read tokens, or
// admin tokens only. Without auth every route is open.
enum class Scope { kPublic, kRead, kAdmin };

// A request's method, path, query and headers as the HTTP server parsed them.
struct RequestHead {
  std::string method;  // as sent: "GET", "HEAD", "POST", ...
  std::string path;    // percent-decoded, without the query
  std::vector<std::pair<std::string, std::string>> query;    // decoded ('+' is a space), in order
  std::vector<std::pair<std::string, std::string>> headers;  // as sent

  // The first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const;
};

// Reads a raw_body route's body in chunks, handing each to `receive` (which returns false to
// stop); false when the body could not be read whole (the client stopped sending or timed out)
// or `receive` stopped.
using BodyReader = std::function<bool(const std::function<bool(const char* data, size_t size)>& receive)>;

// A matched request as handlers see it.
struct RouteRequest {
  const RequestHead* head = nullptr;
  std::map<std::string, std::string, std::less<>> params;  // path parameters
  std::chrono::steady_clock::time_point deadline;
  // The body, read whole (up to --max-body-mb) before the handler runs; empty for a route
  // with raw_body, whose handler reads `reader` itself.
  std::string body;
  const BodyReader* reader = nullptr;  // raw_body routes only

  const std::string& param(std::string_view name) const { return params.find(name)->second; }
  // The body as JSON; InvalidArgument with the line and column of a syntax error.
  Result<nlohmann::json> JsonBody() const;
  // A query parameter ("?explain=true"), or nullopt.
  std::optional<std::string> Query(const std::string& name) const;
  // A request header ("Last-Event-ID"), or nullopt.
  std::optional<std::string> Header(const std::string& name) const;
  // DEADLINE_EXCEEDED (408) once the request has run past the server's timeout.
  std::optional<HttpError> CheckDeadline() const;
};

// A streamed answer (Reply::stream) whose last poll had nothing new is polled again after
// this long.
constexpr auto kStreamPollInterval = std::chrono::milliseconds(100);
// About the most one poll of a streamed answer appends: the memory a slow client can hold.
constexpr size_t kStreamChunkBytes = 256 * 1024;

// A handler's answer: a status and a JSON body, or raw text (metrics).
struct Reply {
  Reply() = default;
  Reply(int s, nlohmann::json b) : status(s), body(std::move(b)) {}
  int status = 200;
  nlohmann::json body;
  std::string text;          // sent instead of body when content_type is set
  std::string content_type;
  // A streamed answer with content_type (a job's Server-Sent Events, a file download):
  // called on a request thread until it returns false, each call appending what is new
  // (possibly nothing, at most about kStreamChunkBytes) to *chunk without waiting for more.
  // The server calls again once the chunk is sent, or kStreamPollInterval after a call that
  // had nothing; a call that throws cuts the answer short.
  std::function<bool(std::string* chunk)> stream;
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers
};

// A handler returns a Reply or an HttpError (ErrorFromStatus for library errors).
struct HandlerResult {
  HandlerResult(Reply r) : reply(std::move(r)) {}           // NOLINT
  HandlerResult(HttpError e) : error(std::move(e)) {}       // NOLINT
  HandlerResult(const Status& s) : error(ErrorFromStatus(s)) {}  // NOLINT
  std::optional<Reply> reply;
  std::optional<HttpError> error;
};
using Handler = HandlerResult (*)(ServerContext& context, const RouteRequest& request);

struct Route {
  std::string_view method;   // GET, POST, PUT, DELETE
  std::string_view path;     // template, see above
  std::string_view summary;  // one line, for /openapi.json and docs/server.md
  Scope scope;
  Handler handler;
  std::string_view request_schema = {};   // OpenAPI component of the JSON body, if any
  std::string_view response_schema = {};  // OpenAPI component of a success answer, if any
  // Query parameters for the OpenAPI document, "name:type" comma-separated ("after:integer").
  std::string_view query = {};
  // The body is a file of any size: the handler streams it through RouteRequest::reader,
  // limited by --max-upload-mb instead of --max-body-mb.
  bool raw_body = false;
  int success_status = 200;  // 201 for a route that creates something
};

// Every route, in the order they are documented.
std::span<const Route> Routes();

// True for the routes answered on the server's event-loop threads as soon as their body has
// arrived (predictions, health, model metadata): short CPU work that must not wait for a
// free request thread. Every other route runs on a request thread, where it may block.
bool AnsweredOnEventLoop(const Route& route);

// The route for `method` and `path`, with its parameters; nullptr when none matches.
// `path_matched` tells a 405 (the path exists for another method) from a 404.
const Route* MatchRoute(std::string_view method, std::string_view path,
                        std::map<std::string, std::string, std::less<>>* params,
                        bool* path_matched);

// The OpenAPI 3 document describing Routes().
nlohmann::json OpenApiDocument();

}  // namespace strata::serve
