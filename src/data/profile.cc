// ProfileTable: column statistics in parallel (profile_stats.cc), then the table-level
// warnings and the label's class balance with imbalance advice.
#include "strata/profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "common/parallel.h"
#include "data/profile_stats.h"
#include "strata/suggest.h"

namespace strata {
namespace {

// Below this many rows every value being distinct is unremarkable.
constexpr int64_t kIdLikeMinRows = 20;
constexpr double kMostlyNullShare = 0.5;

std::string Percent(double fraction) { return fmt::format("{:.1f}%", 100.0 * fraction); }

void AddColumnWarnings(const ColumnProfile& c, int64_t rows, bool is_target,
                       std::vector<std::string>* warnings) {
  if (rows == 0) return;
  if (c.count == 0) {
    warnings->push_back(fmt::format("Column '{}' is empty: all {} values are null.", c.name, rows));
    return;
  }
  if (c.distinct == 1) {
    std::string value = c.top_values.empty() ? "" : c.top_values[0].value;
    warnings->push_back(fmt::format(
        "Column '{}' is constant: every non-null value is '{}'{}; it cannot help a model.", c.name,
        value, c.nulls > 0 ? fmt::format(" ({} rows are null)", c.nulls) : ""));
  }
  bool id_type = c.type == DataType::kString || c.type == DataType::kInt64;
  if (!is_target && id_type && rows > kIdLikeMinRows && c.count == rows && c.distinct == rows) {
    warnings->push_back(fmt::format(
        "Column '{}' looks like an ID: all {} values are distinct. A model would memorise it "
        "instead of learning; leave it out of the features.",
        c.name, rows));
  }
  double null_share = static_cast<double>(c.nulls) / static_cast<double>(rows);
  if (null_share > kMostlyNullShare) {
    warnings->push_back(fmt::format("Column '{}' is {} null ({} of {} rows).", c.name,
                                    Percent(null_share), c.nulls, rows));
  }
}

// Class counts in natural value order (false < true, numbers ascending, strings by bytes),
// so that the stable sort by count leaves ties in value order.
std::vector<ClassShare> CountClasses(const Column& label) {
  std::vector<ClassShare> classes;
  switch (label.type()) {
    case DataType::kBool: {
      int64_t counts[2] = {0, 0};
      for (int64_t i = 0; i < label.size(); ++i) {
        if (!label.IsNull(i)) ++counts[label.GetBool(i) ? 1 : 0];
      }
      if (counts[0] > 0) classes.push_back({"false", counts[0], 0});
      if (counts[1] > 0) classes.push_back({"true", counts[1], 0});
      break;
    }
    case DataType::kString: {
      std::map<std::string_view, int64_t> counts;
      for (int64_t i = 0; i < label.size(); ++i) {
        if (!label.IsNull(i)) ++counts[label.GetString(i)];
      }
      for (const auto& [value, count] : counts) classes.push_back({std::string(value), count, 0});
      break;
    }
    default: {  // INT64: DetectTask calls every other type regression
      std::map<int64_t, int64_t> counts;
      for (int64_t i = 0; i < label.size(); ++i) {
        if (!label.IsNull(i)) ++counts[label.GetInt64(i)];
      }
      for (const auto& [value, count] : counts) {
        classes.push_back({fmt::format("{}", value), count, 0});
      }
      break;
    }
  }
  std::stable_sort(classes.begin(), classes.end(),
                   [](const ClassShare& a, const ClassShare& b) { return a.count > b.count; });
  int64_t total = 0;
  for (const ClassShare& c : classes) total += c.count;
  for (ClassShare& c : classes) {
    c.fraction = static_cast<double>(c.count) / static_cast<double>(total);
  }
  return classes;
}

// The advice follows the order in which the remedies should be tried: better data beats
// any resampling, and evaluation must not hide the minority class whatever is done.
std::vector<std::string> ImbalanceAdvice(const LabelProfile& label, int64_t labelled) {
  const ClassShare& minority = label.classes.back();
  const ClassShare& majority = label.classes.front();
  return {
      fmt::format("Imbalanced label: '{}' is {} of {} rows ({} rows); a model can score {} "
                  "accuracy by always predicting '{}'.",
                  minority.label, Percent(minority.fraction), labelled, minority.count,
                  Percent(majority.fraction), majority.label),
      fmt::format("First, collect more data, especially more examples of '{}', if you can.",
                  minority.label),
      fmt::format("Then try downsampling the majority class with upweighting: train on a "
                  "fraction of the '{}' rows and weight each kept row by the downsampling "
                  "factor, so predicted probabilities stay calibrated.",
                  majority.label),
      fmt::format("Or upsample the minority class: duplicate '{}' rows, or synthesise new ones "
                  "with SMOTE (SMOTE-NC when the features mix numbers and categories).",
                  minority.label),
      fmt::format("Or weight the classes (auto_class_weights): each class is weighted "
                  "inversely to its frequency, so errors on '{}' cost more. The three "
                  "techniques combine, and apply to the training split only.",
                  minority.label),
      "Evaluate with per-class precision and recall, PR AUC and a decision threshold tuned "
      "on evaluation data, rather than accuracy.",
  };
}

LabelProfile ProfileLabel(const Column& label, const ProfileOptions& options,
                          std::vector<std::string>* warnings) {
  LabelProfile p;
  p.column = label.name();
  p.nulls = label.null_count();
  p.task = DetectTask(label, options.max_classes);
  if (p.task == LabelTask::kRegression) return p;
  p.classes = CountClasses(label);
  if (p.classes.empty()) return p;
  const int64_t labelled = label.size() - p.nulls;
  p.minority_label = p.classes.back().label;
  p.minority_fraction = p.classes.back().fraction;
  if (p.classes.size() == 1) {
    warnings->push_back(fmt::format(
        "Label '{}' has a single class ('{}'); a classifier needs examples of at least two.",
        p.column, p.minority_label));
    return p;
  }
  p.imbalanced = p.minority_fraction < options.imbalance_threshold;
  if (p.imbalanced) p.advice = ImbalanceAdvice(p, labelled);
  return p;
}

// JSON has no NaN or infinity: statistics that do not exist (the deviation of one value, the
// mean of a column of infinities) are null.
nlohmann::json Number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

}  // namespace

LabelTask DetectTask(const Column& label, int max_classes) {
  switch (label.type()) {
    case DataType::kBool:
    case DataType::kString:
      return LabelTask::kClassification;
    case DataType::kInt64: {
      std::unordered_set<int64_t> seen;
      for (int64_t i = 0; i < label.size(); ++i) {
        if (label.IsNull(i)) continue;
        seen.insert(label.GetInt64(i));
        if (static_cast<int64_t>(seen.size()) > max_classes) return LabelTask::kRegression;
      }
      return LabelTask::kClassification;
    }
    case DataType::kFloat64:
    case DataType::kDate:
    case DataType::kTimestamp:
      return LabelTask::kRegression;
  }
  return LabelTask::kRegression;
}

Result<Profile> ProfileTable(const Table& table, const ProfileOptions& options) {
  int target = -1;
  if (options.target) {
    target = table.ColumnIndex(*options.target);
    if (target < 0) {
      std::vector<std::string> names;
      for (const Column& c : table.columns()) names.push_back(c.name());
      return NotFound(fmt::format("target column '{}' not found.{}", *options.target,
                                  DidYouMean(*options.target, names)));
    }
  }
  Profile profile;
  profile.rows = table.num_rows();
  profile.columns.resize(static_cast<size_t>(table.num_columns()));
  // Columns differ a lot in cost (a STRING column is a counting pass, a FLOAT64 one a sort),
  // so workers take the next column from a shared counter instead of fixed ranges.
  int threads = std::min(ResolveThreads(options.threads), std::max(table.num_columns(), 1));
  std::atomic<int> next{0};
  ParallelFor(threads, threads, [&](int64_t, int64_t, int) {
    for (int i = next++; i < table.num_columns(); i = next++) {
      profile.columns[i] = ProfileColumn(table.column(i), options.top_k);
    }
  });
  for (int i = 0; i < table.num_columns(); ++i) {
    AddColumnWarnings(profile.columns[i], profile.rows, i == target, &profile.warnings);
  }
  if (target >= 0) profile.label = ProfileLabel(table.column(target), options, &profile.warnings);
  return profile;
}

nlohmann::json ProfileToJson(const Profile& profile) {
  nlohmann::json columns = nlohmann::json::array();
  for (const ColumnProfile& c : profile.columns) {
    nlohmann::json j = {{"name", c.name},   {"type", DataTypeName(c.type)}, {"count", c.count},
                        {"nulls", c.nulls}, {"distinct", c.distinct},       {"numeric", nullptr},
                        {"histogram", nullptr}, {"text", nullptr},          {"min_value", nullptr},
                        {"max_value", nullptr}};
    if (c.numeric) {
      const NumericStats& n = *c.numeric;
      j["numeric"] = {
          {"min", Number(n.min)},       {"max", Number(n.max)},      {"mean", Number(n.mean)},
          {"stddev", Number(n.stddev)}, {"p05", Number(n.p05)},      {"p25", Number(n.p25)},
          {"median", Number(n.median)}, {"p75", Number(n.p75)},      {"p95", Number(n.p95)},
          {"zeros", n.zeros},           {"non_finite", n.non_finite}};
    }
    if (c.histogram) {
      j["histogram"] = {{"edges", c.histogram->edges}, {"counts", c.histogram->counts}};
    }
    if (c.text) {
      j["text"] = {{"min_length", c.text->min_length},
                   {"max_length", c.text->max_length},
                   {"mean_length", Number(c.text->mean_length)}};
    }
    if (c.min_value) j["min_value"] = *c.min_value;
    if (c.max_value) j["max_value"] = *c.max_value;
    nlohmann::json top = nlohmann::json::array();
    for (const ValueCount& v : c.top_values) {
      top.push_back({{"value", v.value}, {"count", v.count}});
    }
    j["top_values"] = std::move(top);
    columns.push_back(std::move(j));
  }
  nlohmann::json out = {{"rows", profile.rows},
                        {"columns", std::move(columns)},
                        {"label", nullptr},
                        {"warnings", profile.warnings}};
  if (profile.label) {
    const LabelProfile& l = *profile.label;
    nlohmann::json classes = nlohmann::json::array();
    for (const ClassShare& c : l.classes) {
      classes.push_back({{"label", c.label}, {"count", c.count}, {"fraction", Number(c.fraction)}});
    }
    out["label"] = {
        {"column", l.column},
        {"task", l.task == LabelTask::kClassification ? "classification" : "regression"},
        {"nulls", l.nulls},
        {"classes", std::move(classes)},
        {"imbalanced", l.imbalanced},
        {"minority_label", l.minority_label},
        {"minority_fraction", Number(l.minority_fraction)},
        {"advice", l.advice}};
  }
  return out;
}

}  // namespace strata
