// The HTTP plumbing: httplib's server with auth and routing as a hook that runs before any
// body is read, the body limit and timeouts, the one error shape for every failure
// (including those httplib answers itself), metrics, and graceful stop.
#include "strata/server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <ostream>
#include <set>
#include <streambuf>
#include <thread>
#include <utility>

#include "serve/console.h"
#include "serve/http_error.h"
#include "serve/routes.h"
#include "serve/server_context.h"
#include "strata/api_tokens.h"

namespace strata {

using serve::HttpError;
using serve::SendError;
using serve::Route;
using serve::Scope;

namespace {

using Clock = std::chrono::steady_clock;

// httplib answers a request on one thread from routing to logging, so the route and start
// time found by the pre-routing hook travel to the logger in thread-locals.
thread_local Clock::time_point t_start;
thread_local size_t t_route = 0;
// An error found before the body was read (no such route, wrong method, no or bad token) on a
// request that carries a body: answered by Dispatch once the body has been read and dropped.
// Answering from the hook would leave the body in the socket, where a keep-alive connection
// parses it as the next request (400s) and a large one reaches the client as a reset.
thread_local std::optional<HttpError> t_deferred_error;

// The methods with a catch-all handler below, which is where a deferred error is answered.
const std::set<std::string, std::less<>> kDispatchedMethods = {"GET", "POST", "PUT", "DELETE", "PATCH"};

// RFC 9112 section 6.3: a request has a body only if it sends Content-Length or
// Transfer-Encoding; without either, httplib would wait for the connection to close.
bool DeclaresBody(const httplib::Request& req) {
  return req.has_header("Content-Length") || req.has_header("Transfer-Encoding");
}

void SendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(serve::DumpJson(body), "application/json");
}

size_t RouteIndex(const Route* route) {
  return static_cast<size_t>(route - serve::Routes().data());
}

// Reads a request body of at most `limit` bytes into *body. Past the limit the rest is read
// and dropped: clients send the whole body before they read the answer, so answering early
// would reach them as a reset connection instead of the 413.
std::optional<HttpError> ReadBody(const httplib::ContentReader& reader, size_t limit,
                                  const httplib::Response& res, std::string* body) {
  bool too_large = false;
  bool ok = reader([&](const char* data, size_t n) {
    if (too_large || body->size() + n > limit) {
      too_large = true;
      body->clear();
      return true;
    }
    body->append(data, n);
    return true;
  });
  if (too_large || res.status == 413) {
    return serve::PayloadTooLarge("the request body", limit, "--max-body-mb");
  }
  if (!ok) return serve::ErrorForHttpStatus(400);
  return std::nullopt;
}

// An ostream over httplib's sink that fails (badbit) once the client has gone, so a writer
// stops at its next flush instead of formatting the rest of a table for no one.
class SinkBuffer : public std::streambuf {
 public:
  explicit SinkBuffer(httplib::DataSink& sink) : sink_(sink) {}

 protected:
  std::streamsize xsputn(const char* data, std::streamsize n) override {
    return sink_.write(data, static_cast<size_t>(n)) ? n : 0;
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    char ch = traits_type::to_char_type(c);
    return sink_.write(&ch, 1) ? c : traits_type::eof();
  }

 private:
  httplib::DataSink& sink_;
};

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  if (!host.starts_with("127.")) return false;
  return std::all_of(host.begin(), host.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
}

struct Server::Impl {
  explicit Impl(ServerOptions options, std::unique_ptr<Workspace> workspace)
      : context(std::move(options), std::move(workspace), serve::Routes().size()) {}

  // The 401/403 for a request the route's scope does not allow (WWW-Authenticate set on res).
  std::optional<HttpError> Authorize(const Route& route, const httplib::Request& req,
                                     httplib::Response& res);
  // `reader` is set for requests with a body (POST, PUT), which is read here, or by the
  // handler of a raw_body route.
  void Dispatch(const httplib::Request& req, httplib::Response& res,
                const httplib::ContentReader* reader);
  void Install();

  serve::ServerContext context;
  httplib::Server http;
  int port = 0;
  bool bound = false;
};

std::optional<HttpError> Server::Impl::Authorize(const Route& route, const httplib::Request& req,
                                                 httplib::Response& res) {
  if (!context.options.auth || route.scope == Scope::kPublic) return std::nullopt;
  std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!header.starts_with(kBearer)) {
    res.set_header("WWW-Authenticate", "Bearer");
    return HttpError{401, "UNAUTHENTICATED",
                     "this server requires an API token: send 'Authorization: Bearer <token>' "
                     "(create one with `strata tokens create --scope read`)"};
  }
  Result<ApiTokenInfo> token = [&] {
    std::lock_guard lock(context.workspace_mutex);
    return VerifyApiToken(*context.workspace, header.substr(kBearer.size()));
  }();
  if (!token.ok()) {
    res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    return HttpError{401, "UNAUTHENTICATED", token.status().message()};
  }
  if (route.scope == Scope::kAdmin && token->scope != TokenScope::kAdmin) {
    return HttpError{403, "PERMISSION_DENIED",
                     fmt::format("{} {} needs an admin token; token '{}' has scope '{}'",
                                 route.method, route.path, token->id, TokenScopeName(token->scope))};
  }
  return std::nullopt;
}

void Server::Impl::Dispatch(const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader* reader) {
  if (std::optional<HttpError> error = std::exchange(t_deferred_error, std::nullopt)) {
    if (reader != nullptr && DeclaresBody(req)) (*reader)([](const char*, size_t) { return true; });
    SendError(res, *error);
    return;
  }
  serve::RouteRequest request;
  request.http = &req;
  bool path_matched = false;
  const Route* route = serve::MatchRoute(req.method, req.path, &request.params, &path_matched);
  if (route == nullptr) {  // the pre-routing hook answered already; kept for safety
    SendError(res, serve::ErrorForHttpStatus(404));
    return;
  }
  request.deadline = t_start + std::chrono::milliseconds(context.options.request_timeout_ms);
  // Reading a body that was never declared hung a plain `curl -X POST .../jobs/ID:cancel`
  // until the timeout.
  if (reader == nullptr || !DeclaresBody(req)) {
    if (route->raw_body) {
      SendError(res, HttpError{400, "INVALID_ARGUMENT",
                               "the request has no body: send the file as the body "
                               "(curl --data-binary @FILE ...)"});
      return;
    }
    request.body = req.body;
  } else if (route->raw_body) {
    request.reader = reader;
  } else if (auto error = ReadBody(*reader, context.options.max_body_bytes, res, &request.body)) {
    SendError(res, *error);
    return;
  }
  try {
    serve::HandlerResult result = route->handler(context, request);
    if (result.error) {
      SendError(res, *result.error);
      return;
    }
    serve::Reply& reply = *result.reply;
    for (const auto& [name, value] : reply.headers) res.set_header(name.c_str(), value);
    if (reply.write) {
      res.status = reply.status;
      // Called once: the writer formats the file into the socket in its own chunks; a
      // failure part-way closes the connection, so the client sees a cut-short download.
      res.set_chunked_content_provider(
          reply.content_type, [write = std::move(reply.write)](size_t, httplib::DataSink& sink) {
            SinkBuffer buffer(sink);
            std::ostream out(&buffer);
            if (!write(out).ok()) return false;
            sink.done();
            return true;
          });
    } else if (reply.stream) {
      res.status = reply.status;
      res.set_header("Cache-Control", "no-cache");
      res.set_chunked_content_provider(
          reply.content_type, [stream = std::move(reply.stream)](size_t, httplib::DataSink& sink) {
            std::string chunk;
            bool more = stream(&chunk);
            if (!chunk.empty() && !sink.write(chunk.data(), chunk.size())) return false;
            if (!more) sink.done();
            return true;
          });
    } else if (!reply.content_type.empty()) {
      res.status = reply.status;
      res.set_content(reply.text, reply.content_type);
    } else {
      SendJson(res, reply.status, reply.body);
    }
  } catch (const std::exception& e) {
    SendError(res, {500, "INTERNAL",
                    fmt::format("internal error in {} {}: {} (please report it)", route->method,
                                route->path, e.what())});
  }
}

void Server::Impl::Install() {
  const ServerOptions& o = context.options;
  int threads = o.threads > 0 ? o.threads
                              : std::max(8, static_cast<int>(std::thread::hardware_concurrency()));
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  // httplib's own check (for a declared Content-Length) at the larger limit; each route's
  // limit is applied while its body is read (ReadBody, the upload handler).
  http.set_payload_max_length(std::max(o.max_body_bytes, o.max_upload_bytes));
  // Without TCP_NODELAY, a client that sends headers and body in two writes (Python's
  // http.client does) waits for Nagle plus delayed ACK: a single-row predict took 44 ms at
  // p50 on loopback instead of well under a millisecond.
  http.set_tcp_nodelay(true);
  // httplib closes a keep-alive connection after 5 requests by default, so a fifth of a busy
  // client's requests paid for a new connection; 100 (Apache's default) gave 12% more
  // single-row predictions per second (bench/serve).
  http.set_keep_alive_max_count(100);
  auto timeout = std::chrono::milliseconds(std::max(1000, o.request_timeout_ms));
  http.set_read_timeout(timeout);
  http.set_write_timeout(timeout);

  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    using HR = httplib::Server::HandlerResponse;
    t_start = Clock::now();
    t_route = serve::Routes().size();
    t_deferred_error.reset();
    std::map<std::string, std::string, std::less<>> params;
    bool path_matched = false;
    const Route* route = serve::MatchRoute(req.method, req.path, &params, &path_matched);
    std::optional<HttpError> error;
    if (route != nullptr) {
      t_route = RouteIndex(route);
      error = Authorize(*route, req, res);
    } else if (!path_matched && serve::IsConsoleRequest(req.method, req.path)) {
      serve::ServeConsole(context.options.web_root, req, res);  // public, like the probes
      return HR::Handled;
    } else if (path_matched) {
      error = HttpError{405, "METHOD_NOT_ALLOWED",
                        fmt::format("{} is not allowed on {}; GET /openapi.json lists the routes",
                                    req.method, req.path)};
    } else {
      error = HttpError{404, "NOT_FOUND", fmt::format("no route {} {}; GET /openapi.json lists the routes",
                                                      req.method, req.path)};
    }
    if (!error) return HR::Unhandled;
    if (DeclaresBody(req) && kDispatchedMethods.contains(req.method)) {
      t_deferred_error = std::move(error);  // answered by Dispatch after the body
      return HR::Unhandled;
    }
    SendError(res, *error);
    return HR::Handled;
  });
  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    Dispatch(req, res, nullptr);
  };
  // Bodies are read by Dispatch (or an upload handler), not by httplib, so that each route
  // gets its own limit and a file upload is never held in memory.
  httplib::Server::HandlerWithContentReader dispatch_with_body =
      [this](const httplib::Request& req, httplib::Response& res,
             const httplib::ContentReader& reader) { Dispatch(req, res, &reader); };
  http.Get(".*", dispatch);
  http.Post(".*", dispatch_with_body);
  http.Put(".*", dispatch_with_body);
  http.Delete(".*", dispatch);
  http.Patch(".*", dispatch_with_body);  // no route takes PATCH: its 404/405 reads the body first
  // Errors httplib produces itself (413 body too large, 400 malformed HTTP) get the one shape.
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) SendError(res, serve::ErrorForHttpStatus(res.status));
  });
  http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    double seconds = t_start == Clock::time_point()
                         ? 0.0
                         : std::chrono::duration<double>(Clock::now() - t_start).count();
    context.metrics.RecordRequest(t_route, req.method, res.status, seconds);
    t_start = Clock::time_point();
    t_route = serve::Routes().size();
    t_deferred_error.reset();
  });
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

Result<std::unique_ptr<Server>> Server::Create(ServerOptions options) {
  if (!IsLoopbackHost(options.host) && !options.auth) {
    return InvalidArgument(fmt::format(
        "--host {} is reachable from other machines, so it needs authentication: add --auth "
        "and create tokens with `strata tokens create --scope read|admin`",
        options.host));
  }
  if (options.port < 0 || options.port > 65535) {
    return InvalidArgument(fmt::format("--port {} is not a TCP port (0-65535)", options.port));
  }
  if (options.max_body_bytes == 0 || options.max_upload_bytes == 0 || options.max_rows < 1) {
    return InvalidArgument("the body, upload and row limits must be positive");
  }
  if (options.job_nice < 0 || options.job_nice > 19) {
    return InvalidArgument(fmt::format(
        "--job-nice {}: expected 0 (jobs at the server's priority) to 19 (the lowest)",
        options.job_nice));
  }
  OpenOptions open;
  open.create = options.create_workspace;
  STRATA_ASSIGN_OR_RETURN(auto workspace, Workspace::Open(options.workspace_path, open));
  int max_jobs = options.max_jobs, max_queued = options.max_queued_jobs, nice = options.job_nice;
  std::string path = options.workspace_path;
  auto impl = std::make_unique<Impl>(std::move(options), std::move(workspace));
  STRATA_ASSIGN_OR_RETURN(impl->context.jobs,
                          serve::JobQueue::Create(path, max_jobs, max_queued, nice));
  impl->Install();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Result<int> Server::Bind() {
  const ServerOptions& o = impl_->context.options;
  if (o.port == 0) {
    impl_->port = impl_->http.bind_to_any_port(o.host);
    if (impl_->port < 0) {
      return IoError(fmt::format("could not listen on {}: no free port", o.host));
    }
  } else {
    if (!impl_->http.bind_to_port(o.host, o.port)) {
      return IoError(fmt::format("could not listen on {}:{}: the port is taken or the address "
                                 "is not this machine's; try another --port",
                                 o.host, o.port));
    }
    impl_->port = o.port;
  }
  impl_->bound = true;
  return impl_->port;
}

Status Server::Serve() {
  if (!impl_->bound) STRATA_RETURN_IF_ERROR(Bind().status());
  // listen_after_bind returns after stop(), once the thread pool has finished every
  // accepted connection: in-flight requests are answered before Serve() returns.
  if (!impl_->context.draining) impl_->http.listen_after_bind();
  impl_->context.jobs->Shutdown();
  return Status::Ok();
}

void Server::Stop() {
  impl_->context.draining = true;
  impl_->http.stop();
}

std::string Server::url() const {
  const std::string& host = impl_->context.options.host;
  bool v6 = host.find(':') != std::string::npos && !host.starts_with('[');
  return fmt::format("http://{}:{}", v6 ? "[" + host + "]" : host, impl_->port);
}

}  // namespace strata
