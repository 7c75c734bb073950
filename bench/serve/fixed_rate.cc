// An open-loop HTTP load generator for bench/serve/run.py: POSTs one JSON body at a fixed
// rate and reports latency percentiles and errors as one JSON line.
//
//   strata_fixed_rate --port P --path /v1/models/m:predict --body FILE --rate R
//                     [--duration S] [--connections K] [--host 127.0.0.1]
//
// Why not wrk: wrk is closed-loop (each connection sends its next request when the last one
// returns), so a slow response delays the requests behind it and they are never measured
// ("coordinated omission"), and Debian 12 has no wrk2. Here request i is due at
// start + i / R; it is sent at its due time on a free keep-alive connection (one of K), and
// its latency runs from its *due* time to the end of the response. When every connection is
// busy the request waits, and that wait is part of its latency, as a client of a real service
// would see it.
//
// Like wrk2, it is one thread on an epoll loop (a timerfd wakes it at the next due time).
// The load generator shares the machine's cores with the server it measures, so its own CPU
// matters: the first version, a blocking client thread per connection, spent about 75 us of
// CPU per request (a third of 2 cores at 7,300 req/s), and that CPU was taken from the server.
// Responses are read by Content-Length (the servers measured send no chunked bodies); a
// "Connection: close" response, or a closed socket, reconnects.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path;
  std::string body_file;
  double rate = 0;
  double duration = 10;
  int connections = 8;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "strata_fixed_rate: %s\nusage: strata_fixed_rate --port P --path PATH --body FILE "
               "--rate REQ_PER_S [--duration S] [--connections K] [--host H]\n",
               why);
  std::exit(2);
}

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "strata_fixed_rate: %s\n", why.c_str());
  std::exit(1);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      std::printf("POSTs a JSON body at a fixed rate (open loop) and prints latency percentiles "
                  "and errors as JSON.\nusage: strata_fixed_rate --port P --path PATH --body FILE "
                  "--rate REQ_PER_S [--duration S=10] [--connections K=8] [--host H=127.0.0.1]\n");
      std::exit(0);
    }
    if (i + 1 >= argc) Usage(("option " + flag + " needs a value").c_str());
    const char* value = argv[++i];
    if (flag == "--host") {
      o.host = value;
    } else if (flag == "--port") {
      o.port = std::atoi(value);
    } else if (flag == "--path") {
      o.path = value;
    } else if (flag == "--body") {
      o.body_file = value;
    } else if (flag == "--rate") {
      o.rate = std::atof(value);
    } else if (flag == "--duration") {
      o.duration = std::atof(value);
    } else if (flag == "--connections") {
      o.connections = std::atoi(value);
    } else {
      Usage(("unknown option " + flag).c_str());
    }
  }
  if (o.port <= 0 || o.port > 65535) Usage("--port must be a TCP port");
  if (o.path.empty() || o.body_file.empty()) Usage("--path and --body are required");
  if (o.rate <= 0 || o.duration <= 0 || o.connections < 1) {
    Usage("--rate, --duration and --connections must be positive");
  }
  return o;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

// A keep-alive connection and the request in flight on it, if any.
struct Connection {
  int fd = -1;
  std::optional<Clock::time_point> due;  // the request in flight
  std::string in;                        // bytes of the response read so far
};

// A connected socket, or -1 with errno set.
int Connect(const sockaddr_in& address) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Case-insensitive search for a header's value in the head of a response ("" when absent).
std::string_view HeaderValue(std::string_view head, std::string_view name) {
  size_t pos = 0;
  while ((pos = head.find("\r\n", pos)) != std::string_view::npos) {
    pos += 2;
    std::string_view line = head.substr(pos, head.find("\r\n", pos) - pos);
    if (line.size() > name.size() && line[name.size()] == ':' &&
        std::equal(name.begin(), name.end(), line.begin(),
                   [](char a, char b) { return Lower(a) == Lower(b); })) {
      std::string_view value = line.substr(name.size() + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return value;
    }
  }
  return {};
}

// The parts of a complete response at the start of `in`, or nullopt while it is incomplete.
struct Response {
  int status = 0;
  size_t size = 0;  // head and body
  bool close = false;
};
std::optional<Response> ParseResponse(const std::string& in) {
  size_t head_end = in.find("\r\n\r\n");
  if (head_end == std::string::npos) return std::nullopt;
  std::string_view head(in.data(), head_end);
  Response r;
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/")
    Fail("not an HTTP response: " + in.substr(0, 40));
  r.status = std::atoi(std::string(head.substr(9, 3)).c_str());
  std::string_view length = HeaderValue(head, "Content-Length");
  if (length.empty()) Fail("a response without Content-Length (not supported here)");
  r.size = head_end + 4 + std::strtoull(std::string(length).c_str(), nullptr, 10);
  if (in.size() < r.size) return std::nullopt;
  std::string_view connection = HeaderValue(head, "Connection");
  r.close = connection.size() == 5 && Lower(connection[0]) == 'c';
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = Parse(argc, argv);
  std::ifstream file(o.body_file, std::ios::binary);
  if (!file) Usage(("cannot read --body " + o.body_file).c_str());
  std::stringstream buffer;
  buffer << file.rdbuf();
  const std::string body = buffer.str();
  const std::string request =
      "POST " + o.path + " HTTP/1.1\r\nHost: " + o.host + ":" + std::to_string(o.port) +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;

  addrinfo hints{}, *found = nullptr;
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(o.host.c_str(), std::to_string(o.port).c_str(), &hints, &found) != 0 || !found) {
    Fail("cannot resolve --host " + o.host);
  }
  sockaddr_in address = *reinterpret_cast<sockaddr_in*>(found->ai_addr);
  freeaddrinfo(found);

  int epoll = epoll_create1(EPOLL_CLOEXEC);
  int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (epoll < 0 || timer < 0) Fail(std::string("epoll/timerfd: ") + std::strerror(errno));
  epoll_event timer_event{};
  timer_event.events = EPOLLIN;
  timer_event.data.u64 = ~0ULL;
  epoll_ctl(epoll, EPOLL_CTL_ADD, timer, &timer_event);
  // Connect every connection before the clock starts, so that connecting is not measured.
  std::vector<Connection> connections(static_cast<size_t>(o.connections));
  // A connection whose server went away stays closed (fd -1) and is tried again when its
  // next request is due; each request it cannot send counts as a socket error. Reopening
  // keeps the connection's place: in flight or idle is decided by `due` and `idle` alone.
  auto open = [&](size_t c) {
    connections[c].in.clear();
    connections[c].fd = Connect(address);
    if (connections[c].fd < 0) return false;
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.u64 = c;
    epoll_ctl(epoll, EPOLL_CTL_ADD, connections[c].fd, &e);
    return true;
  };
  auto reopen = [&](size_t c) {
    if (connections[c].fd >= 0) {
      epoll_ctl(epoll, EPOLL_CTL_DEL, connections[c].fd, nullptr);
      close(connections[c].fd);
    }
    open(c);
  };
  // One at a time, each with a first request answered: connect() returns once the kernel has
  // queued the connection, and httplib listens with a backlog of 5, so connecting all at once
  // could overflow the queue and stall a connection for a second (SYN retransmission).
  const std::string warm_up = "GET /healthz HTTP/1.1\r\nHost: " + o.host + "\r\n\r\n";
  for (size_t c = 0; c < connections.size(); ++c) {
    if (!open(c)) Fail(std::string("cannot connect to the server: ") + std::strerror(errno));
    Connection& conn = connections[c];
    if (send(conn.fd, warm_up.data(), warm_up.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(warm_up.size())) {
      Fail(std::string("cannot send to the server: ") + std::strerror(errno));
    }
    std::optional<Response> response;
    char part[4096];
    while (!(response = ParseResponse(conn.in))) {
      ssize_t got = recv(conn.fd, part, sizeof part, 0);
      if (got <= 0) Fail("the server closed the connection before answering GET /healthz");
      conn.in.append(part, static_cast<size_t>(got));
    }
    conn.in.erase(0, response->size);
    if (response->close) reopen(c);
  }

  const auto interval = std::chrono::duration<double>(1.0 / o.rate);
  const long total = static_cast<long>(o.rate * o.duration);
  const Clock::time_point start = Clock::now() + std::chrono::milliseconds(20);
  auto due_time = [&](long i) {
    return start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i));
  };
  // A request that never completes (a hung server) must not hang the benchmark.
  const Clock::time_point deadline = due_time(total) + std::chrono::seconds(30);
  std::vector<double> latencies_ms;
  latencies_ms.reserve(static_cast<size_t>(total));
  long non2xx = 0, socket_errors = 0, next = 0, completed = 0, timer_armed_for = -1;
  std::deque<Clock::time_point> waiting;  // due, not yet sent: every connection was busy
  std::vector<size_t> idle;
  for (size_t c = connections.size(); c-- > 0;) idle.push_back(c);
  auto finish = [&](size_t c, bool ok, int status) {
    Connection& conn = connections[c];
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - *conn.due).count();
    latencies_ms.push_back(ms);
    if (!ok) {
      ++socket_errors;
    } else if (status / 100 != 2) {
      ++non2xx;
    }
    conn.due.reset();
    ++completed;
    idle.push_back(c);
  };
  auto send_on = [&](size_t c, Clock::time_point due) {
    Connection& conn = connections[c];
    conn.due = due;
    if (conn.fd < 0 && !open(c)) {
      finish(c, /*ok=*/false, 0);
      return;
    }
    size_t sent = 0;
    while (sent < request.size()) {
      ssize_t n = send(conn.fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        finish(c, /*ok=*/false, 0);
        reopen(c);
        return;
      }
      sent += static_cast<size_t>(n);
    }
  };

  epoll_event events[64];
  char chunk[16384];
  while (completed < total) {
    Clock::time_point now = Clock::now();
    if (now > deadline) {
      socket_errors += total - completed;  // never answered
      break;
    }
    while (next < total && due_time(next) <= now) waiting.push_back(due_time(next++));
    while (!waiting.empty() && !idle.empty()) {
      size_t c = idle.back();
      idle.pop_back();
      Clock::time_point due = waiting.front();
      waiting.pop_front();
      send_on(c, due);
    }
    if (next < total && next != timer_armed_for) {
      timer_armed_for = next;
      itimerspec at{};
      // The timer counts from the monotonic clock's zero, like steady_clock on Linux.
      auto abs =
          std::chrono::duration_cast<std::chrono::nanoseconds>(due_time(next).time_since_epoch());
      at.it_value.tv_sec = static_cast<time_t>(abs.count() / 1000000000);
      at.it_value.tv_nsec = static_cast<long>(abs.count() % 1000000000);
      timerfd_settime(timer, TFD_TIMER_ABSTIME, &at, nullptr);
    }
    int n = epoll_wait(epoll, events, 64, 1000);
    for (int k = 0; k < n; ++k) {
      if (events[k].data.u64 == ~0ULL) {
        uint64_t expirations;
        [[maybe_unused]] ssize_t r = read(timer, &expirations, sizeof expirations);
        continue;
      }
      size_t c = events[k].data.u64;
      Connection& conn = connections[c];
      ssize_t got = recv(conn.fd, chunk, sizeof chunk, MSG_DONTWAIT);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (got <= 0) {  // closed or failed: the request in flight, if any, failed
        if (conn.due) finish(c, /*ok=*/false, 0);
        reopen(c);
        continue;
      }
      conn.in.append(chunk, static_cast<size_t>(got));
      std::optional<Response> response = ParseResponse(conn.in);
      if (!response) continue;
      if (!conn.due) Fail("a response that no request asked for");
      conn.in.erase(0, response->size);
      finish(c, /*ok=*/true, response->status);
      if (response->close) reopen(c);
    }
  }
  double wall = std::chrono::duration<double>(Clock::now() - start).count();
  for (Connection& conn : connections) {
    if (conn.fd >= 0) close(conn.fd);
  }

  std::vector<double>& all = latencies_ms;
  std::sort(all.begin(), all.end());
  double sum = 0;
  for (double v : all) sum += v;
  std::printf(
      "{\"rate\": %.1f, \"duration_s\": %.3f, \"connections\": %d, \"requests\": %zu, "
      "\"achieved_rps\": %.1f, \"non2xx\": %ld, \"socket_errors\": %ld, \"latency_ms\": "
      "{\"mean\": %.4f, \"p50\": %.4f, \"p90\": %.4f, \"p99\": %.4f, \"p999\": %.4f, "
      "\"max\": %.4f}}\n",
      o.rate, wall, o.connections, all.size(), static_cast<double>(all.size()) / wall, non2xx,
      socket_errors, all.empty() ? 0.0 : sum / static_cast<double>(all.size()),
      Percentile(all, 50), Percentile(all, 90), Percentile(all, 99), Percentile(all, 99.9),
      all.empty() ? 0.0 : all.back());
  return 0;
}
