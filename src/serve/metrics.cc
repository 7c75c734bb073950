#include "serve/metrics.h"

#include <fmt/format.h>

namespace strata::serve {
namespace {

// Label values escape backslash, quote and newline (Prometheus text format).
std::string Escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

Metrics::Metrics(size_t routes) : latency_(routes + 1) {}

void Metrics::RecordRequest(size_t route, const std::string& method, int status, double seconds) {
  if (route >= latency_.size()) route = latency_.size() - 1;
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  std::lock_guard lock(mutex_);
  Histogram& h = latency_[route];
  ++h.counts[bucket];
  h.sum_micros += static_cast<uint64_t>(seconds * 1e6);
  ++requests_[{route, method, status}];
}

void Metrics::RecordPredictions(const std::string& model, int version, int64_t rows) {
  std::lock_guard lock(mutex_);
  predictions_[{model, version}] += static_cast<uint64_t>(rows);
}

void Metrics::RecordUpload(uint64_t bytes) {
  uploads_.fetch_add(1, std::memory_order_relaxed);
  upload_bytes_.fetch_add(bytes, std::memory_order_relaxed);
}

std::string Metrics::Render(const std::vector<std::string>& route_names) const {
  auto name = [&](size_t i) {
    return Escape(i < route_names.size() ? route_names[i] : std::string("unmatched"));
  };
  std::string out;
  std::vector<Histogram> latency;  // copied under the lock with requests_, so the two agree
  out += "# HELP strata_http_requests_total HTTP requests answered, by route, method and status.\n";
  out += "# TYPE strata_http_requests_total counter\n";
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, count] : requests_) {
      const auto& [route, method, status] = key;
      out += fmt::format("strata_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                         name(route), Escape(method), status, count);
    }
    out += "# HELP strata_http_errors_total HTTP requests answered with a 4xx or 5xx status.\n";
    out += "# TYPE strata_http_errors_total counter\n";
    std::map<size_t, uint64_t> errors;
    for (const auto& [key, count] : requests_) {
      if (std::get<2>(key) >= 400) errors[std::get<0>(key)] += count;
    }
    for (const auto& [route, count] : errors) {
      out += fmt::format("strata_http_errors_total{{route=\"{}\"}} {}\n", name(route), count);
    }
    out += "# HELP strata_predictions_total Rows predicted, by model and version.\n";
    out += "# TYPE strata_predictions_total counter\n";
    for (const auto& [key, rows] : predictions_) {
      out += fmt::format("strata_predictions_total{{model=\"{}\",version=\"{}\"}} {}\n",
                         Escape(key.first), key.second, rows);
    }
    latency = latency_;
  }
  out += "# HELP strata_dataset_uploads_total Datasets uploaded and imported.\n";
  out += "# TYPE strata_dataset_uploads_total counter\n";
  out += fmt::format("strata_dataset_uploads_total {}\n", uploads_.load(std::memory_order_relaxed));
  out += "# HELP strata_dataset_upload_bytes_total Bytes of the dataset files imported.\n";
  out += "# TYPE strata_dataset_upload_bytes_total counter\n";
  out += fmt::format("strata_dataset_upload_bytes_total {}\n",
                     upload_bytes_.load(std::memory_order_relaxed));
  out += "# HELP strata_http_request_duration_seconds Time from routing to the answer.\n";
  out += "# TYPE strata_http_request_duration_seconds histogram\n";
  for (size_t r = 0; r < latency.size(); ++r) {
    const Histogram& h = latency[r];
    uint64_t cumulative = 0;
    std::string lines;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += h.counts[b];
      std::string le = b < kBuckets.size() ? fmt::format("{}", kBuckets[b]) : "+Inf";
      lines += fmt::format("strata_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                           name(r), le, cumulative);
    }
    if (cumulative == 0) continue;
    out += lines;
    out += fmt::format("strata_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", name(r),
                       static_cast<double>(h.sum_micros) / 1e6);
    out += fmt::format("strata_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", name(r),
                       cumulative);
  }
  return out;
}

}  // namespace strata::serve
