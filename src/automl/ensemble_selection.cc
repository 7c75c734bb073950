// Caruana ensemble selection (include/strata/ensemble.h): greedy forward selection with
// replacement over out-of-fold predictions, scored with the metrics of strata/metrics.h.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/text.h"
#include "strata/ensemble.h"
#include "strata/metrics.h"

namespace strata {
namespace {

// A metric as "lower is better", computed by the one metrics implementation.
struct Scorer {
  std::string name;
  Task task = Task::kClassification;
  int k = 2;
  std::vector<int> y_class;
  std::span<const double> y;

  Result<double> operator()(const ModelOutput& out) const {
    if (task == Task::kRegression) {
      STRATA_ASSIGN_OR_RETURN(RegressionMetrics m, EvaluateRegression(y, out.values, {}));
      if (name == "MEAN_SQUARED_ERROR") return m.mean_squared_error;
      if (name == "ROOT_MEAN_SQUARED_ERROR") return m.root_mean_squared_error;
      return m.mean_absolute_error;
    }
    ClassificationMetrics m;
    if (k == 2) {
      std::vector<double> positive(y_class.size());
      for (size_t r = 0; r < positive.size(); ++r) positive[r] = out.probabilities[2 * r + 1];
      STRATA_ASSIGN_OR_RETURN(m, EvaluateBinary(y_class, positive, {}, 0.5, {"0", "1"}));
    } else {
      std::vector<std::string> labels(static_cast<size_t>(k));
      for (int c = 0; c < k; ++c) labels[c] = std::to_string(c);
      STRATA_ASSIGN_OR_RETURN(m, EvaluateMulticlass(y_class, out.probabilities, {}, labels));
    }
    double v = std::numeric_limits<double>::infinity();
    if (name == "LOG_LOSS") v = m.log_loss;
    if (name == "ROC_AUC") v = -m.roc_auc;
    if (name == "PR_AUC") v = -m.pr_auc;
    if (name == "BRIER_SCORE") v = m.brier_score;
    if (name == "ACCURACY") v = -m.accuracy;
    return std::isnan(v) ? std::numeric_limits<double>::infinity() : v;
  }
};

}  // namespace

Result<EnsembleSelection> SelectEnsemble(const std::vector<ModelOutput>& candidates,
                                         std::span<const double> labels, Task task,
                                         int num_classes, std::string_view metric, int rounds) {
  static const std::vector<std::string> kClassification = {"LOG_LOSS", "ROC_AUC", "PR_AUC",
                                                          "BRIER_SCORE", "ACCURACY"};
  static const std::vector<std::string> kRegression = {"MEAN_SQUARED_ERROR", "ROOT_MEAN_SQUARED_ERROR",
                                                      "MEAN_ABSOLUTE_ERROR"};
  Scorer score;
  score.name = AsciiUpper(metric);
  score.task = task;
  score.k = num_classes;
  score.y = labels;
  const auto& valid = task == Task::kRegression ? kRegression : kClassification;
  if (task == Task::kClustering) return InvalidArgument("ensemble selection needs a supervised task");
  if (std::find(valid.begin(), valid.end(), score.name) == valid.end()) {
    return InvalidArgument(fmt::format("ensemble selection metric '{}' is not one of: {}", metric,
                                       fmt::join(valid, ", ")));
  }
  if (task == Task::kClassification && num_classes < 2) {
    return InvalidArgument("ensemble selection for classification needs at least two classes");
  }
  if (candidates.empty()) return InvalidArgument("ensemble selection needs at least one candidate");
  if (rounds < 1) return InvalidArgument(fmt::format("ensemble selection rounds {} must be >= 1", rounds));
  const size_t n = labels.size();
  const size_t width = task == Task::kRegression ? 1 : static_cast<size_t>(num_classes);
  for (size_t m = 0; m < candidates.size(); ++m) {
    const size_t size = task == Task::kRegression ? candidates[m].values.size()
                                                  : candidates[m].probabilities.size();
    if (size != n * width) {
      return InvalidArgument(fmt::format("candidate {} has {} predictions for {} rows", m + 1,
                                         size / std::max<size_t>(width, 1), n));
    }
  }
  if (task == Task::kClassification) {
    score.y_class.resize(n);
    for (size_t r = 0; r < n; ++r) score.y_class[r] = static_cast<int>(labels[r]);
  }

  // The running sum of the chosen candidates' outputs; a trial average adds one more.
  std::vector<double> sum(n * width, 0.0);
  std::vector<int> counts(candidates.size(), 0);
  EnsembleSelection result;
  result.score = std::numeric_limits<double>::infinity();
  ModelOutput trial;
  trial.width = task == Task::kRegression ? 0 : num_classes;
  std::vector<double>& values = task == Task::kRegression ? trial.values : trial.probabilities;
  values.resize(n * width);
  std::vector<int> best_counts = counts;
  for (int round = 1; round <= rounds; ++round) {
    double best = std::numeric_limits<double>::infinity();
    int best_m = -1;
    for (size_t m = 0; m < candidates.size(); ++m) {
      const std::vector<double>& c = task == Task::kRegression ? candidates[m].values
                                                               : candidates[m].probabilities;
      for (size_t i = 0; i < values.size(); ++i) values[i] = (sum[i] + c[i]) / round;
      STRATA_ASSIGN_OR_RETURN(double s, score(trial));
      if (s < best) {
        best = s;
        best_m = static_cast<int>(m);
      }
    }
    if (best_m < 0) best_m = 0;  // every candidate scores +inf: keep the first
    const std::vector<double>& chosen = task == Task::kRegression ? candidates[best_m].values
                                                                  : candidates[best_m].probabilities;
    for (size_t i = 0; i < sum.size(); ++i) sum[i] += chosen[i];
    ++counts[best_m];
    result.score_by_round.push_back(best);
    // Keep the best prefix of the greedy path (later rounds can only overfit more).
    if (best < result.score || round == 1) {
      result.score = best;
      best_counts = counts;
    }
  }
  int total = 0;
  for (int c : best_counts) total += c;
  result.weights.resize(candidates.size());
  for (size_t m = 0; m < candidates.size(); ++m) {
    result.weights[m] = static_cast<double>(best_counts[m]) / total;
  }
  return result;
}

}  // namespace strata
