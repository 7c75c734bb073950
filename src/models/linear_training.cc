#include "models/linear_training.h"

#include <fmt/format.h>

#include <cmath>

#include "models/linear_params.h"

namespace strata {

LinearOptions ReadLinearOptions(const OptionValues& values) {
  LinearOptions o;
  auto number = [&](std::string_view name, double fallback) {
    return values.Has(name) ? values.GetDouble(name) : fallback;
  };
  o.l1_reg = number("l1_reg", o.l1_reg);
  o.l2_reg = number("l2_reg", o.l2_reg);
  if (values.Has("max_iterations")) o.max_iterations = static_cast<int>(values.GetInt("max_iterations"));
  if (values.Has("early_stop")) o.early_stop = values.GetBool("early_stop");
  o.min_rel_progress = number("min_rel_progress", o.min_rel_progress);
  if (values.Has("optimize_strategy")) o.optimize_strategy = values.GetString("optimize_strategy");
  if (values.Has("learn_rate_strategy")) {
    o.constant_learn_rate = values.GetString("learn_rate_strategy") == "CONSTANT";
  }
  o.learn_rate = number("learn_rate", o.learn_rate);
  o.ls_init_learn_rate = number("ls_init_learn_rate", o.ls_init_learn_rate);
  if (values.Has("fit_intercept")) o.fit_intercept = values.GetBool("fit_intercept");
  return o;
}

Status CheckLinearData(const TrainingData& data, bool classification, int features,
                       std::string_view what) {
  if (data.features == nullptr) return InvalidArgument(fmt::format("{}: no feature matrix", what));
  const FeatureMatrix& x = *data.features;
  if (x.rows() == 0) return InvalidArgument(fmt::format("{}: no rows to train on", what));
  if (static_cast<int64_t>(data.labels.size()) != x.rows()) {
    return InvalidArgument(fmt::format("{}: {} labels for {} rows; give one label per row", what,
                                       data.labels.size(), x.rows()));
  }
  if (!data.weights.empty() && static_cast<int64_t>(data.weights.size()) != x.rows()) {
    return InvalidArgument(fmt::format("{}: {} weights for {} rows; give one weight per row or "
                                       "none",
                                       what, data.weights.size(), x.rows()));
  }
  if (classification && data.num_classes < 2) {
    return InvalidArgument(fmt::format("{}: num_classes is {}; a classifier needs at least two "
                                       "classes in the label",
                                       what, data.num_classes));
  }
  STRATA_RETURN_IF_ERROR(
      CheckFeatureValues(x, features < 0 ? x.cols() : features, fmt::format("{} features", what)));
  for (size_t i = 0; i < data.labels.size(); ++i) {
    double y = data.labels[i];
    if (!std::isfinite(y)) {
      return InvalidArgument(fmt::format("{}: the label of row {} is {}; drop rows without a "
                                         "label",
                                         what, i, std::isnan(y) ? "NULL (NaN)" : "infinite"));
    }
    if (classification && (y != std::floor(y) || y < 0 || y >= data.num_classes)) {
      return InvalidArgument(fmt::format("{}: the label of row {} is {}, not a class index in "
                                         "0..{}",
                                         what, i, y, data.num_classes - 1));
    }
  }
  double total = 0;
  for (size_t i = 0; i < data.weights.size(); ++i) {
    double w = data.weights[i];
    if (!std::isfinite(w) || w < 0) {
      return InvalidArgument(fmt::format("{}: the weight of row {} is {}; weights must be finite "
                                         "and non-negative",
                                         what, i, w));
    }
    total += w;
  }
  if (!data.weights.empty() && !(total > 0)) {
    return InvalidArgument(fmt::format("{}: all row weights are zero", what));
  }
  return Status::Ok();
}

double TotalWeight(const TrainingData& data) {
  if (data.weights.empty()) return static_cast<double>(data.labels.size());
  double total = 0;
  for (double w : data.weights) total += w;
  return total;
}

TrainingLog::TrainingLog(const FitContext& context, int max_iterations)
    : context_(context), max_iterations_(max_iterations), last_(std::chrono::steady_clock::now()) {}

Status TrainingLog::CheckCancel() const {
  if (context_.cancel != nullptr && context_.cancel->load(std::memory_order_relaxed)) {
    return Cancelled("training cancelled");
  }
  return Status::Ok();
}

Status TrainingLog::Record(int iteration, double loss, double eval_loss, double learning_rate) {
  auto now = std::chrono::steady_clock::now();
  if (context_.log != nullptr) {
    IterationInfo info;
    info.iteration = iteration;
    info.loss = loss;
    info.eval_loss = eval_loss;
    info.learning_rate = learning_rate;
    info.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_).count();
    context_.log->push_back(info);
  }
  last_ = now;
  if (context_.progress) context_.progress({"training", iteration, max_iterations_, loss, eval_loss});
  return CheckCancel();
}

}  // namespace strata
