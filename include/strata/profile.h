// Profile: an honest summary of a table, step 2 ("prepare") of the seven.
//
// Per column: type, count, nulls, distinct values, numeric statistics (min, max, mean,
// standard deviation, quantiles), a 20-bin histogram of numbers, the most frequent values,
// and text lengths. With a label
// column: the task it implies, the class distribution, and an imbalance warning when the
// minority class is rare, with advice (collect more data first, then the techniques Strata
// offers).
//
//   strata::ProfileOptions options;
//   options.target = "churn";
//   STRATA_ASSIGN_OR_RETURN(strata::Profile p, strata::ProfileTable(table, options));
//   std::cout << strata::ProfileToJson(p).dump(2);
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "strata/data_type.h"
#include "strata/status.h"
#include "strata/table.h"

namespace strata {

// Over the finite values; NaN where there is none (stddev also with a single value).
struct NumericStats {
  double min = 0, max = 0, mean = 0, stddev = 0;  // stddev: sample (n - 1), as pandas
  double p05 = 0, p25 = 0, median = 0, p75 = 0, p95 = 0;  // linear, as numpy's default
  int64_t zeros = 0;
  int64_t non_finite = 0;  // inf/-inf/NaN values (excluded from the statistics)
};

// Equal-width bins over [min, max] of the finite values, as numpy.histogram(values, bins):
// every bin half-open [a, b) but the last, which is closed; a constant column gets the
// range [v - 0.5, v + 0.5], as numpy does.
struct Histogram {
  std::vector<double> edges;    // bins + 1, ascending
  std::vector<int64_t> counts;  // values per bin; they sum to the finite values
};

// How many bins ProfileTable's histograms have.
inline constexpr int kHistogramBins = 20;

struct TextStats {
  int64_t min_length = 0, max_length = 0;  // in UTF-8 code points
  double mean_length = 0;
};

struct ValueCount {
  std::string value;  // formatted as Column::FormatValue does
  int64_t count = 0;
};

struct ColumnProfile {
  std::string name;
  DataType type = DataType::kString;
  int64_t count = 0;     // non-null values
  int64_t nulls = 0;
  int64_t distinct = 0;  // distinct non-null values
  std::optional<NumericStats> numeric;  // BOOL (as 0/1), INT64, FLOAT64; unset if all null
  std::optional<Histogram> histogram;   // INT64 and FLOAT64 with a finite value; else unset
  std::optional<TextStats> text;        // STRING; unset if all null
  std::optional<std::string> min_value, max_value;  // DATE/TIMESTAMP, formatted
  std::vector<ValueCount> top_values;   // most frequent first, ties by value
};

// Classification when the label is BOOL or STRING, or an integer with few distinct values;
// regression otherwise.
enum class LabelTask { kClassification, kRegression };

struct ClassShare {
  std::string label;
  int64_t count = 0;
  double fraction = 0;  // of non-null labels
};

struct LabelProfile {
  std::string column;
  LabelTask task = LabelTask::kClassification;
  int64_t nulls = 0;
  std::vector<ClassShare> classes;  // classification only; largest first
  bool imbalanced = false;          // minority share below ProfileOptions::imbalance_threshold
  std::string minority_label;
  double minority_fraction = 0;
  std::vector<std::string> advice;  // the imbalance warning and suggestions, in order
};

struct Profile {
  int64_t rows = 0;
  std::vector<ColumnProfile> columns;
  std::optional<LabelProfile> label;
  // Empty, constant, ID-like (all distinct INT64/STRING, > 20 rows) and mostly (> 50%) null
  // columns, and a single-class label.
  std::vector<std::string> warnings;
};

struct ProfileOptions {
  std::optional<std::string> target;  // the label column, if any
  int top_k = 5;                      // how many top values per column
  double imbalance_threshold = 0.20;  // minority share below which to warn
  int max_classes = 50;               // integer labels with more distinct values: regression
  int threads = 0;                    // columns profiled in parallel; 0: all hardware threads
};

// Computes the profile. NotFound if the target column does not exist (naming the closest).
Result<Profile> ProfileTable(const Table& table, const ProfileOptions& options = {});

// The task a label column implies (the same rule ProfileTable uses).
LabelTask DetectTask(const Column& label, int max_classes = 50);

// JSON form of a profile (stable field names, used by the CLI and the server).
nlohmann::json ProfileToJson(const Profile& profile);

}  // namespace strata
