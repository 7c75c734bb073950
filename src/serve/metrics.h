// Prometheus metrics of the server, in the text exposition format: requests by route,
// method and status, request latency histograms by route, rows predicted per model version,
// and dataset uploads with their bytes. A request's counter and histogram change under one mutex, so a
// scrape never shows one without the other.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace strata::serve {

class Metrics {
 public:
  // `routes`: how many routes there are; index routes.size() counts unmatched requests.
  explicit Metrics(size_t routes);

  // One answered request on route `route` (or the unmatched index) with its duration.
  void RecordRequest(size_t route, const std::string& method, int status, double seconds);
  // Rows predicted by a model version.
  void RecordPredictions(const std::string& model, int version, int64_t rows);
  // A dataset uploaded (POST /v1/datasets) and imported, with the bytes of its file.
  void RecordUpload(uint64_t bytes);

  // The exposition text; `route_name(i)` gives route i's path template.
  std::string Render(const std::vector<std::string>& route_names) const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,  0.5,   1,    5};
  struct Histogram {
    std::array<uint64_t, kBuckets.size() + 1> counts{};  // last: +Inf
    uint64_t sum_micros = 0;
  };
  mutable std::mutex mutex_;  // guards latency_, requests_ and predictions_
  std::vector<Histogram> latency_;
  std::map<std::tuple<size_t, std::string, int>, uint64_t> requests_;
  std::map<std::pair<std::string, int>, uint64_t> predictions_;
  std::atomic<uint64_t> uploads_{0};
  std::atomic<uint64_t> upload_bytes_{0};
};

}  // namespace strata::serve
