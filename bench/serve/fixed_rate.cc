// An open-loop HTTP load generator for bench/serve/run.py: POSTs one JSON body at a fixed
// rate and reports latency percentiles and errors as one JSON line.
//
//   strata_fixed_rate --port P --path /v1/models/m:predict --body FILE --rate R
//                     [--duration S] [--connections K] [--host 127.0.0.1]
//
// Why not wrk: wrk is closed-loop (each connection sends its next request when the last one
// returns), so a slow response delays the requests behind it and they are never measured
// ("coordinated omission"), and Debian 12 has no wrk2. Here request i is due at
// start + i / R; K threads, each with its own keep-alive connection, take the next due
// request, wait for its time, send it, and record the latency from its *due* time to the
// end of the response. When every connection is busy the request waits, and that wait is
// part of its latency, as a client of a real service would see it.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
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

struct Counts {
  std::vector<double> latencies_ms;
  long non2xx = 0;
  long socket_errors = 0;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "strata_fixed_rate: %s\nusage: strata_fixed_rate --port P --path PATH --body FILE "
               "--rate REQ_PER_S [--duration S] [--connections K] [--host H]\n",
               why);
  std::exit(2);
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

}  // namespace

int main(int argc, char** argv) {
  Options o = Parse(argc, argv);
  std::ifstream in(o.body_file, std::ios::binary);
  if (!in) Usage(("cannot read --body " + o.body_file).c_str());
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string body = buffer.str();

  const auto interval = std::chrono::duration<double>(1.0 / o.rate);
  const long total = static_cast<long>(o.rate * o.duration);
  std::atomic<long> next{0};
  std::vector<Counts> counts(static_cast<size_t>(o.connections));
  // Connect every client before the clock starts, so that connecting is not measured.
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int c = 0; c < o.connections; ++c) {
    auto client = std::make_unique<httplib::Client>(o.host, o.port);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);
    client->set_connection_timeout(std::chrono::seconds(5));
    client->set_read_timeout(std::chrono::seconds(30));
    client->Get("/healthz");
    clients.push_back(std::move(client));
  }
  const Clock::time_point start = Clock::now() + std::chrono::milliseconds(20);
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c) {
    threads.emplace_back([&, c] {
      Counts& mine = counts[static_cast<size_t>(c)];
      mine.latencies_ms.reserve(static_cast<size_t>(total / o.connections + 16));
      httplib::Client& client = *clients[static_cast<size_t>(c)];
      for (long i = next++; i < total; i = next++) {
        Clock::time_point due =
            start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i));
        std::this_thread::sleep_until(due);
        httplib::Result res = client.Post(o.path, body, "application/json");
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
        if (!res) {
          ++mine.socket_errors;
        } else if (res->status / 100 != 2) {
          ++mine.non2xx;
        }
        mine.latencies_ms.push_back(ms);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  double wall = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<double> all;
  long non2xx = 0, socket_errors = 0;
  for (const Counts& c : counts) {
    all.insert(all.end(), c.latencies_ms.begin(), c.latencies_ms.end());
    non2xx += c.non2xx;
    socket_errors += c.socket_errors;
  }
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
