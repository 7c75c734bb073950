// The HTTP plumbing: an event-loop HTTP/1.1 server (Boost.Beast over Boost.Asio). One
// event-loop thread per core reads every request's header, routes and authorizes it, reads
// its body with the route's limit, and answers the short routes itself (predictions, health,
// model metadata: AnsweredOnEventLoop); every other route runs on a pool of request threads
// (--threads), where a handler may block on the workspace, stream an upload in, or stream an
// answer out. One error shape for every failure, metrics per request, and a graceful stop.
//
// Connections cost no thread while idle, so any number of keep-alive clients can stay
// connected; the previous server (cpp-httplib's) held a thread per open connection.
#include "strata/server.h"

#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "serve/console.h"
#include "serve/http_error.h"
#include "serve/routes.h"
#include "serve/server_context.h"
#include "strata/api_tokens.h"

namespace strata {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

using serve::HttpError;
using serve::Route;
using serve::Scope;

namespace {

using Clock = std::chrono::steady_clock;

// How long an idle keep-alive connection is kept open (nginx's client_header_timeout).
constexpr auto kIdleTimeout = std::chrono::seconds(60);
// Larger request headers get 431.
constexpr uint32_t kHeaderLimit = 16 * 1024;
// Bodies are read in chunks of this size (a buffer each connection keeps once it has had a
// body).
constexpr size_t kReadChunkBytes = 16 * 1024;
// A prediction body up to this size is answered on the event-loop thread, a larger one
// (thousands of rows) on a request thread.
constexpr size_t kInlineBodyBytes = 64 * 1024;

std::vector<std::unique_ptr<asio::io_context>> MakeLoops() {
  std::vector<std::unique_ptr<asio::io_context>> loops;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < cores; ++i) loops.push_back(std::make_unique<asio::io_context>(1));
  return loops;
}

size_t RouteIndex(const Route* route) {
  return route == nullptr ? serve::Routes().size()
                          : static_cast<size_t>(route - serve::Routes().data());
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `text` ('+' is a space when `plus_is_space`, as in a query); an invalid
// escape is kept as it is.
std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = HexDigit(text[i + 1]), lo = HexDigit(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

serve::RequestHead MakeHead(const http::request_header<>& header) {
  serve::RequestHead head;
  head.method = std::string(header.method_string());
  std::string_view target(header.target().data(), header.target().size());
  size_t question = target.find('?');
  head.path = PercentDecode(target.substr(0, question), false);
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      head.query.emplace_back(
          PercentDecode(pair.substr(0, eq), true),
          eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true));
    }
  }
  for (const auto& field : header) {
    head.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return head;
}

std::string ChunkOf(std::string_view data) {
  return fmt::format("{:x}\r\n{}\r\n", data.size(), data);
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  if (!host.starts_with("127.")) return false;
  return std::all_of(host.begin(), host.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
}

struct Server::Impl {
  class Session;

  explicit Impl(ServerOptions options, std::unique_ptr<Workspace> workspace)
      : context(std::move(options), std::move(workspace), serve::Routes().size()),
        loops(MakeLoops()),
        acceptor(loops.front()->get_executor()),
        workers_count(context.options.threads > 0
                          ? context.options.threads
                          : std::max(8, static_cast<int>(std::thread::hardware_concurrency()))),
        workers(static_cast<size_t>(workers_count)) {}
  ~Impl() { workers.join(); }

  // The 401/403 for a request the route's scope does not allow; *www_authenticate is set to
  // the WWW-Authenticate header a 401 carries.
  std::optional<HttpError> Authorize(const Route& route, const serve::RequestHead& head,
                                     std::string* www_authenticate);
  void Accept();
  void Register(Session* session);
  void Unregister(Session* session);

  std::chrono::milliseconds RequestTimeout() const {
    return std::chrono::milliseconds(std::max(1000, context.options.request_timeout_ms));
  }

  serve::ServerContext context;
  int port = 0;
  bool bound = false;
  std::atomic<bool> listening{false};  // until Stop() has closed the listening socket

  // Declared before the event loop, which destroys its pending handlers (and the connections
  // they hold) when it is destroyed.
  std::mutex sessions_mutex;
  std::condition_variable sessions_done;
  std::set<Session*> sessions;  // open connections

  // One event loop per core, each run by one thread: a connection belongs to one loop, so its
  // steps never run at once and need no strand, and the loops never wake each other. (One
  // loop run by every core's thread, with a strand per connection, took 20-70% more server
  // CPU per prediction in cross-thread wakeups: bench/RESULTS.md.)
  std::vector<std::unique_ptr<asio::io_context>> loops;
  size_t next_loop = 0;  // the loop of the next accepted connection (round robin)
  tcp::acceptor acceptor;  // on the first loop
  int workers_count;          // --threads, or its default
  asio::thread_pool workers;  // request threads
};

// One connection: reads requests one after another (keep-alive) and answers each. Every
// step on the socket runs on the connection's event loop; a handler running on a request
// thread does its own reads and writes through Await, which runs them there and waits.
class Server::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server::Impl& server, tcp::socket socket)
      : server_(server), context_(server.context), stream_(std::move(socket)) {
    server_.Register(this);
  }
  ~Session() { server_.Unregister(this); }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Closes the connection if it waits for a next request (graceful stop); on its event loop.
  void CloseIfIdle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->idle_) return;
      // Bytes waiting in the socket are a request that has begun to arrive: it is answered.
      beast::error_code ec;
      if (self->stream_.socket().available(ec) > 0 && !ec) return;
      // Cancelling the wait ends it (OnHeader closes the connection) unless a read has
      // already taken bytes, which then arrive as usual.
      self->stream_.socket().cancel(ec);
    });
  }

 private:
  void ReadHeader() {
    if (context_.draining && buffer_.size() == 0) {
      // Stopping: a connection with no request begun is closed; one whose request has begun
      // to arrive (a new connection's first) is answered, then closed.
      beast::error_code ec;
      if (stream_.socket().available(ec) == 0 || ec) return Close();
    }
    header_parser_.emplace();
    header_parser_->header_limit(kHeaderLimit);
    header_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    body_parser_.reset();
    request_ = serve::RouteRequest();
    route_ = nullptr;
    www_authenticate_.clear();
    idle_ = buffer_.size() == 0;
    // A large body grew the read buffer; an idle connection keeps a small one.
    if (idle_ && buffer_.capacity() > kReadChunkBytes) buffer_.shrink_to_fit();
    stream_.expires_after(idle_ ? std::chrono::milliseconds(kIdleTimeout) : server_.RequestTimeout());
    http::async_read_header(stream_, buffer_, *header_parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    bool was_idle = std::exchange(idle_, false);
    start_ = Clock::now();
    if (ec == asio::error::operation_aborted && buffer_.size() > 0 && stream_.socket().is_open()) {
      // Stop() cancelled the wait after part of a request had arrived: read the rest of it.
      stream_.expires_after(server_.RequestTimeout());
      return http::async_read_header(stream_, buffer_, *header_parser_,
                                     [self = shared_from_this()](beast::error_code e, size_t) { self->OnHeader(e); });
    }
    if (ec) {
      // The client closed or went quiet between requests, or the server is stopping.
      if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
          ec == asio::error::connection_reset || (was_idle && ec == beast::error::timeout)) {
        return Close();
      }
      keep_alive_ = false;
      head_ = serve::RequestHead();
      if (ec == beast::error::timeout) return Close();
      return Respond(serve::ErrorForHttpStatus(ec == http::error::header_limit ? 431 : 400));
    }
    const auto& header = header_parser_->get();
    head_ = MakeHead(header.base());
    version_ = header.version();
    keep_alive_ = header.keep_alive();
    head_only_ = header.method() == http::verb::head;
    bool has_body = !header_parser_->is_done();
    // RFC 9112: a request declares a body (perhaps empty) with Content-Length or chunked.
    bool declares_body = header_parser_->content_length().has_value() || header_parser_->chunked();
    const ServerOptions& options = context_.options;
    const bool upload_larger = options.max_upload_bytes > options.max_body_bytes;
    const size_t most = upload_larger ? options.max_upload_bytes : options.max_body_bytes;
    if (auto length = header_parser_->content_length(); length && *length > most) {
      keep_alive_ = false;  // the body is not read: too large even to drop
      return Respond(serve::PayloadTooLarge("the request body", most,
                                           upload_larger ? "--max-upload-mb" : "--max-body-mb"));
    }
    body_parser_.emplace(std::move(*header_parser_));
    body_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());

    bool path_matched = false;
    route_ = serve::MatchRoute(head_.method, head_.path, &request_.params, &path_matched);
    std::optional<serve::HandlerResult> early;  // answered without running a route
    if (route_ != nullptr) {
      if (auto error = server_.Authorize(*route_, head_, &www_authenticate_)) early = *error;
    } else if (!path_matched && serve::IsConsoleRequest(head_.method, head_.path)) {
      early = serve::ServeConsole(options.web_root, head_.path);  // public, like the probes
    } else if (path_matched) {
      early = HttpError{405, "METHOD_NOT_ALLOWED",
                        fmt::format("{} is not allowed on {}; GET /openapi.json lists the routes",
                                    head_.method, head_.path)};
    } else {
      early = HttpError{404, "NOT_FOUND", fmt::format("no route {} {}; GET /openapi.json lists the routes",
                                                      head_.method, head_.path)};
    }
    if (early) {
      // The body is read and dropped before the answer: a client sends the whole body before
      // it reads the answer, and on a keep-alive connection the next request follows it.
      if (!has_body) return Respond(std::move(*early));
      auto answer = std::make_shared<serve::HandlerResult>(std::move(*early));
      return ReadBody(0, [this, answer](bool read, bool) {
        if (!read) return Close();
        Respond(std::move(*answer));
      });
    }
    request_.head = &head_;
    request_.deadline = start_ + std::chrono::milliseconds(options.request_timeout_ms);
    if (route_->raw_body) {
      if (!declares_body) {
        return Respond(HttpError{400, "INVALID_ARGUMENT",
                                 "the request has no body: send the file as the body "
                                 "(curl --data-binary @FILE ...)"});
      }
      return SendContinueThen([this] { RunOnWorker(); });
    }
    if (!has_body) return Dispatch();
    ReadBody(options.max_body_bytes, [this](bool read, bool too_large) {
      if (!read) {
        keep_alive_ = false;
        if (!timed_out_) return Respond(serve::ErrorForHttpStatus(400));
        return Respond(HttpError{
            408, "DEADLINE_EXCEEDED",
            fmt::format("the request body stopped arriving: nothing came for {} ms "
                        "(--request-timeout-ms), {} bytes read",
                        server_.RequestTimeout().count(), request_.body.size())});
      }
      if (too_large) {
        return Respond(serve::PayloadTooLarge("the request body", context_.options.max_body_bytes, "--max-body-mb"));
      }
      Dispatch();
    });
  }

  // Curl and other clients send "Expect: 100-continue" before a large body and wait (a
  // second, in curl's case) for the interim answer before they send it.
  void SendContinueThen(std::function<void()> next) {
    std::optional<std::string_view> expect = head_.Header("Expect");
    bool wants_continue = version_ >= 11 && expect &&
                          beast::iequals(beast::string_view(expect->data(), expect->size()), "100-continue");
    if (!wants_continue) return next();
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(server_.RequestTimeout());
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this(), next = std::move(next)](beast::error_code ec, size_t) {
                        if (ec) return self->Close();
                        next();
                      });
  }

  // Reads the body into request_.body, keeping at most `limit` bytes (beyond it the rest is
  // read and dropped, and `done` gets too_large); `done(read, too_large)` runs on its event loop.
  // A read that gets nothing for RequestTimeout() fails with timed_out_ set.
  void ReadBody(size_t limit, std::function<void(bool read, bool too_large)> done) {
    SendContinueThen([this, limit, done = std::move(done)]() mutable {
      too_large_ = false;
      timed_out_ = false;
      ReadBodyChunk(limit, std::move(done));
    });
  }

  void ReadBodyChunk(size_t limit, std::function<void(bool, bool)> done) {
    if (body_parser_->is_done()) return done(true, too_large_);
    PrepareChunk();
    const uint64_t read = ++body_reads_;
    if (buffer_.size() > 0) {
      // Bytes already read are parsed first (usually the whole body came with the header).
      stream_.expires_after(server_.RequestTimeout());
    } else {
      // A read that gets nothing for RequestTimeout() is cancelled by a timer rather than by
      // the stream's own timeout, which would close the socket before the 408 could be sent.
      stream_.expires_never();
      if (!body_timer_) body_timer_.emplace(stream_.get_executor());
      body_timer_->expires_after(server_.RequestTimeout());
      body_timer_->async_wait([self = shared_from_this(), read](beast::error_code ec) {
        if (ec || read != self->body_reads_) return;  // cancelled, or that read already ended
        self->timed_out_ = true;
        beast::error_code ignored;
        self->stream_.socket().cancel(ignored);
      });
    }
    http::async_read_some(
        stream_, buffer_, *body_parser_,
        [self = shared_from_this(), limit, done = std::move(done), read](beast::error_code ec, size_t) mutable {
          if (self->body_timer_ && read == self->body_reads_) {
            ++self->body_reads_;  // the timer of this read no longer applies
            self->body_timer_->cancel();
          }
          if (ec == http::error::need_buffer) ec = {};
          if (ec) return done(false, false);
          std::string_view got = self->ChunkRead();
          if (!self->too_large_ && self->request_.body.size() + got.size() > limit) {
            self->too_large_ = true;
            std::string().swap(self->request_.body);
          }
          if (!self->too_large_) self->request_.body.append(got);
          self->ReadBodyChunk(limit, std::move(done));
        });
  }

  void PrepareChunk() {
    if (chunk_.empty()) chunk_.resize(kReadChunkBytes);
    auto& body = body_parser_->get().body();
    body.data = chunk_.data();
    body.size = chunk_.size();
  }
  std::string_view ChunkRead() const {
    return {chunk_.data(), chunk_.size() - body_parser_->get().body().size};
  }

  // Runs the route: here on the event loop for the short routes, else on a request thread.
  void Dispatch() {
    if (serve::AnsweredOnEventLoop(*route_) && request_.body.size() <= kInlineBodyBytes) {
      return Respond(RunHandler());
    }
    RunOnWorker();
  }

  void RunOnWorker() {
    asio::post(server_.workers, [self = shared_from_this()] {
      serve::BodyReader reader = [&self](const std::function<bool(const char*, size_t)>& receive) {
        return self->ReadBodyOnWorker(receive);
      };
      if (self->route_->raw_body) self->request_.reader = &reader;
      // A request that waited past its deadline for a request thread is not run late.
      serve::HandlerResult result = Clock::now() > self->request_.deadline
                                        ? serve::HandlerResult(self->WaitedTooLong())
                                        : self->RunHandler();
      self->request_.reader = nullptr;
      // A body the handler did not read whole is still in the socket: close after answering.
      if (self->route_->raw_body && !self->body_parser_->is_done()) self->keep_alive_ = false;
      asio::post(self->stream_.get_executor(),
                 [self, result = std::move(result)]() mutable { self->Respond(std::move(result)); });
    });
  }

  HttpError WaitedTooLong() const {
    return HttpError{408, "DEADLINE_EXCEEDED",
                     fmt::format("the request waited {} ms for a request thread, past "
                                 "--request-timeout-ms: all {} were busy; retry, or start the "
                                 "server with more --threads",
                                 std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count(),
                                 server_.workers_count)};
  }

  serve::HandlerResult RunHandler() {
    try {
      return route_->handler(context_, request_);
    } catch (const std::exception& e) {
      return HttpError{500, "INTERNAL",
                       fmt::format("internal error in {} {}: {} (please report it)", route_->method,
                                   route_->path, e.what())};
    }
  }

  // Runs `initiate(handler)` (an asynchronous operation on the socket) on its event loop and waits
  // for its completion: the blocking reads and writes of a request thread.
  template <class Initiate>
  std::pair<beast::error_code, size_t> Await(Initiate initiate) {
    std::promise<std::pair<beast::error_code, size_t>> done;
    asio::post(stream_.get_executor(), [&] {
      initiate([&done](beast::error_code ec, size_t n) { done.set_value({ec, n}); });
    });
    return done.get_future().get();
  }

  bool ReadBodyOnWorker(const std::function<bool(const char*, size_t)>& receive) {
    while (!body_parser_->is_done()) {
      PrepareChunk();
      auto [ec, n] = Await([this](auto handler) {
        stream_.expires_after(server_.RequestTimeout());
        http::async_read_some(stream_, buffer_, *body_parser_, std::move(handler));
      });
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        keep_alive_ = false;
        return false;
      }
      std::string_view got = ChunkRead();
      if (!got.empty() && !receive(got.data(), got.size())) return false;
    }
    return true;
  }

  // The header of a streamed answer (an event stream, a download): chunked on HTTP/1.1; on
  // HTTP/1.0 the end of the answer is the end of the connection.
  std::string StreamHeader(const serve::Reply& reply) {
    http::response<http::empty_body> res{static_cast<http::status>(reply.status), version_};
    res.set(http::field::content_type, reply.content_type);
    for (const auto& [name, value] : reply.headers) res.set(name, value);
    res.keep_alive(keep_alive_ && !context_.draining);
    if (version_ >= 11) res.chunked(true);
    else keep_alive_ = false;
    std::ostringstream header;
    header << res.base();
    return header.str();
  }

  // A streamed answer (a job's Server-Sent Events, a download), driven from the event loop:
  // each poll of the handler's stream runs briefly on a request thread, its chunk is written
  // here and the next poll waits for that write, and a poll with nothing new is repeated
  // after kStreamPollInterval on a timer. An open stream holds no thread, so any number of
  // clients can follow jobs or download slowly. On its event loop.
  void StartStream(serve::Reply reply) {
    stream_poll_ = std::move(reply.stream);
    stream_status_ = reply.status;
    out_ = StreamHeader(reply);
    WriteStreamOut(!head_only_);
  }

  void PollStream() {
    asio::post(server_.workers, [self = shared_from_this()] {
      std::string chunk;
      bool more = false;
      try {
        more = self->stream_poll_(&chunk);
      } catch (const std::exception&) {  // the client sees the answer cut short
        return asio::post(self->stream_.get_executor(), [self] { self->EndStream(false); });
      }
      asio::post(self->stream_.get_executor(), [self, chunk = std::move(chunk), more]() mutable {
        self->OnStreamPoll(std::move(chunk), more);
      });
    });
  }

  void OnStreamPoll(std::string chunk, bool more) {
    if (chunk.empty() && more) {  // nothing new: poll again later
      if (!poll_timer_) poll_timer_.emplace(stream_.get_executor());
      poll_timer_->expires_after(serve::kStreamPollInterval);
      return poll_timer_->async_wait([self = shared_from_this()](beast::error_code ec) {
        if (ec) return self->EndStream(false);
        self->PollStream();
      });
    }
    bool chunked = version_ >= 11;
    out_ = chunk.empty() ? std::string() : chunked ? ChunkOf(chunk) : std::move(chunk);
    if (!more && chunked) out_ += "0\r\n\r\n";
    WriteStreamOut(more);
  }

  // Writes out_, then polls again when `more`, else ends the stream.
  void WriteStreamOut(bool more) {
    if (out_.empty()) return EndStream(true);  // an HTTP/1.0 stream that ended with nothing
    stream_.expires_after(server_.RequestTimeout());
    asio::async_write(stream_, asio::buffer(out_), [self = shared_from_this(), more](beast::error_code ec, size_t) {
      if (ec) return self->EndStream(false);  // the client has gone
      if (more) return self->PollStream();
      self->EndStream(true);
    });
  }

  void EndStream(bool complete) {
    if (!complete) keep_alive_ = false;
    stream_poll_ = nullptr;  // releases what the handler's stream holds
    Finish(stream_status_);
  }

  // Writes a complete answer; on its event loop.
  void Respond(serve::HandlerResult result) {
    if (result.reply && result.reply->stream) return StartStream(std::move(*result.reply));
    response_ = http::response<http::string_body>();
    response_.version(version_);
    if (result.error) {
      response_.result(static_cast<unsigned>(result.error->status));
      response_.set(http::field::content_type, "application/json");
      response_.body() = serve::DumpJson(serve::ErrorBody(*result.error));
      if (result.error->status == 401 && !www_authenticate_.empty()) {
        response_.set(http::field::www_authenticate, www_authenticate_);
      }
    } else {
      serve::Reply& reply = *result.reply;
      response_.result(static_cast<unsigned>(reply.status));
      for (const auto& [name, value] : reply.headers) response_.set(name, value);
      if (!reply.content_type.empty()) {
        response_.set(http::field::content_type, reply.content_type);
        response_.body() = std::move(reply.text);
      } else {
        response_.set(http::field::content_type, "application/json");
        response_.body() = serve::DumpJson(reply.body);
      }
    }
    response_.keep_alive(keep_alive_ && !context_.draining);
    response_.prepare_payload();
    if (head_only_) response_.body().clear();  // Content-Length stays that of the GET
    stream_.expires_after(server_.RequestTimeout());
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) self->keep_alive_ = false;
      self->Finish(self->response_.result_int());
    });
  }

  // After an answer: records it, then reads the next request or closes; on its event loop.
  void Finish(int status) {
    double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    context_.metrics.RecordRequest(RouteIndex(route_), head_.method, status, seconds);
    if (keep_alive_ && !context_.draining && body_parser_ && body_parser_->is_done()) {
      return ReadHeader();
    }
    Close();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  Server::Impl& server_;
  serve::ServerContext& context_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> header_parser_;
  std::optional<http::request_parser<http::buffer_body>> body_parser_;
  std::vector<char> chunk_;  // the body's read buffer
  serve::RequestHead head_;
  serve::RouteRequest request_;
  const Route* route_ = nullptr;
  std::string www_authenticate_;
  http::response<http::string_body> response_;
  std::function<bool(std::string*)> stream_poll_;  // the handler's, while a streamed answer runs
  std::optional<asio::steady_timer> poll_timer_;
  std::string out_;  // the streamed answer's next write
  int stream_status_ = 200;
  Clock::time_point start_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_only_ = false;
  bool too_large_ = false;
  bool timed_out_ = false;  // the last body read got nothing for RequestTimeout()
  std::optional<asio::steady_timer> body_timer_;  // cancels a body read that gets nothing
  uint64_t body_reads_ = 0;  // counts body reads begun and ended, so a late timer is ignored
  bool idle_ = false;  // waiting for the first byte of a next request
};

std::optional<HttpError> Server::Impl::Authorize(const Route& route, const serve::RequestHead& head,
                                                 std::string* www_authenticate) {
  if (!context.options.auth || route.scope == Scope::kPublic) return std::nullopt;
  std::string header(head.Header("Authorization").value_or(""));
  constexpr std::string_view kBearer = "Bearer ";
  if (!header.starts_with(kBearer)) {
    *www_authenticate = "Bearer";
    return HttpError{401, "UNAUTHENTICATED",
                     "this server requires an API token: send 'Authorization: Bearer <token>' "
                     "(create one with `strata tokens create --scope read`)"};
  }
  Result<ApiTokenInfo> token = [&] {
    std::lock_guard lock(context.workspace_mutex);
    return VerifyApiToken(*context.workspace, header.substr(kBearer.size()));
  }();
  if (!token.ok()) {
    *www_authenticate = "Bearer error=\"invalid_token\"";
    return HttpError{401, "UNAUTHENTICATED", token.status().message()};
  }
  if (route.scope == Scope::kAdmin && token->scope != TokenScope::kAdmin) {
    return HttpError{403, "PERMISSION_DENIED",
                     fmt::format("{} {} needs an admin token; token '{}' has scope '{}'",
                                 route.method, route.path, token->id, TokenScopeName(token->scope))};
  }
  return std::nullopt;
}

void Server::Impl::Accept() {
  asio::io_context& loop = *loops[next_loop++ % loops.size()];
  acceptor.async_accept(loop.get_executor(), [this](beast::error_code ec, tcp::socket socket) {
    if (!listening || context.draining) return;
    if (!ec) {
      // Without TCP_NODELAY, a client that sends headers and body in two writes (Python's
      // http.client does) waits for Nagle plus delayed ACK: 44 ms per request on loopback.
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(*this, std::move(socket))->Start();
    }
    Accept();
  });
}

void Server::Impl::Register(Session* session) {
  std::lock_guard lock(sessions_mutex);
  sessions.insert(session);
}

void Server::Impl::Unregister(Session* session) {
  std::lock_guard lock(sessions_mutex);
  sessions.erase(session);
  if (sessions.empty()) sessions_done.notify_all();
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
  if (options.request_timeout_ms < 0 || options.sql_timeout_ms < 0) {
    return InvalidArgument(fmt::format(
        "--request-timeout-ms {} / --sql-timeout-ms {}: expected 0 or more milliseconds",
        options.request_timeout_ms, options.sql_timeout_ms));
  }
  if (options.max_jobs < 1 || options.max_queued_jobs < 0) {
    return InvalidArgument(fmt::format(
        "--max-jobs {} / --max-queued-jobs {}: expected at least 1 job at a time and 0 or more "
        "waiting",
        options.max_jobs, options.max_queued_jobs));
  }
  if (options.job_nice < 0 || options.job_nice > kJobNiceIdle) {
    return InvalidArgument(fmt::format(
        "--job-nice {}: expected idle, or 0 (jobs at the server's priority) to 19 (the lowest "
        "nice level)",
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
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Result<int> Server::Bind() {
  const ServerOptions& o = impl_->context.options;
  std::string host = o.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  beast::error_code ec;
  tcp::endpoint endpoint;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, static_cast<unsigned short>(o.port));
  } else {
    tcp::resolver resolver(*impl_->loops.front());
    auto found = resolver.resolve(host, std::to_string(o.port), ec);
    if (ec || found.empty()) {
      return IoError(fmt::format("could not listen on {}: the host is not known ({})", o.host,
                                 ec ? ec.message() : "no address"));
    }
    endpoint = found.begin()->endpoint();
  }
  tcp::acceptor& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor.close(ignored);
    if (o.port == 0) {
      return IoError(fmt::format("could not listen on {}: {}", o.host, ec.message()));
    }
    return IoError(fmt::format("could not listen on {}:{}: the port is taken or the address "
                               "is not this machine's ({}); try another --port",
                               o.host, o.port, ec.message()));
  }
  impl_->port = acceptor.local_endpoint().port();
  impl_->bound = true;
  impl_->listening = true;
  return impl_->port;
}

Status Server::Serve() {
  if (!impl_->bound) STRATA_RETURN_IF_ERROR(Bind().status());
  Impl& impl = *impl_;
  if (!impl.context.draining) {
    // Kept until every connection has closed: a request on a request thread has nothing
    // pending on the event loop, which would otherwise run out of work and return.
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
    for (auto& loop : impl.loops) work.push_back(asio::make_work_guard(*loop));
    asio::post(impl.acceptor.get_executor(), [&impl] { impl.Accept(); });
    std::vector<std::thread> threads;
    for (auto& loop : impl.loops) threads.emplace_back([&loop] { loop->run(); });
    {
      // Stop() closes the listening socket and every idle connection; the others close
      // after their answer, so in-flight requests are answered before Serve() returns.
      std::unique_lock lock(impl.sessions_mutex);
      impl.sessions_done.wait(lock, [&] {
        return impl.context.draining && !impl.listening && impl.sessions.empty();
      });
    }
    work.clear();
    for (auto& loop : impl.loops) loop->stop();
    for (std::thread& thread : threads) thread.join();
  }
  impl.context.jobs->Shutdown();
  return Status::Ok();
}

void Server::Stop() {
  Impl& impl = *impl_;
  impl.context.draining = true;
  asio::post(impl.acceptor.get_executor(), [&impl] {
    beast::error_code ignored;
    impl.acceptor.close(ignored);
    std::lock_guard lock(impl.sessions_mutex);
    impl.listening = false;
    impl.sessions_done.notify_all();
  });
  std::vector<std::shared_ptr<Impl::Session>> open;
  {
    std::lock_guard lock(impl.sessions_mutex);
    for (Impl::Session* session : impl.sessions) {
      // A session whose last reference is gone is unregistering, behind this lock.
      if (auto alive = session->weak_from_this().lock()) open.push_back(std::move(alive));
    }
  }
  // Outside the lock: dropping the last reference to a session unregisters it.
  for (const auto& session : open) session->CloseIfIdle();
}

std::string Server::url() const {
  const std::string& host = impl_->context.options.host;
  bool v6 = host.find(':') != std::string::npos && !host.starts_with('[');
  return fmt::format("http://{}:{}", v6 ? "[" + host + "]" : host, impl_->port);
}

}  // namespace strata
