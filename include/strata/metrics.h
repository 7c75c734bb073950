// Evaluation metrics with BigQuery ML's ML.EVALUATE names, plus what imbalanced data needs:
// per-class precision/recall/F1, the confusion matrix, ROC and precision-recall curves,
// PR AUC, balanced accuracy, Brier score and calibration bins.
//
//   std::vector<int> y = {0, 1, 1, 0};
//   std::vector<double> p1 = {0.1, 0.8, 0.4, 0.3};  // P(class 1)
//   STRATA_ASSIGN_OR_RETURN(strata::ClassificationMetrics m,
//       strata::EvaluateBinary(y, p1, {}, 0.5, {"no", "yes"}));
//   m.roc_auc;  // 1.0
//
// Conventions (checked against scikit-learn 1.2 in tests/eval; docs/evaluation.md):
// - binary metrics are those of the positive class (index 1); a row is predicted positive
//   when P(positive) >= threshold. Multiclass precision/recall/F1/ROC AUC/PR AUC are macro
//   averages over the classes (one-vs-rest AUCs), accuracy is micro; multiclass log loss
//   is the multinomial cross-entropy (scikit-learn's log_loss).
// - Weights, when given, weight every metric except the counts (support, confusion matrix,
//   curve counts, calibration counts); a row of weight 0 is treated as absent.
// - Probabilities are clipped to [1e-15, 1 - 1e-15] (and rows renormalised) for log loss.
// - Undefined metrics are NaN (null in JSON): ROC AUC when y holds one class only, PR AUC
//   when it has no positives, precision/recall of a class never predicted/present are 0
//   (scikit-learn's zero_division default).
// - Errors (InvalidArgument): empty input, mismatched sizes, labels outside 0..k-1, NaN or
//   out-of-range probabilities, negative or non-finite weights, weights that sum to 0.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "strata/status.h"
#include "strata/train_spec.h"

namespace strata {

// One point of the ROC curve; with `precision` it is also a point of the precision-recall
// curve. Rates are weighted when weights are given.
struct CurvePoint {
  double threshold = 0;  // rows with score >= threshold are predicted positive
  double tpr = 0;        // recall
  double fpr = 0;        // false positive rate
  double precision = 0;  // 1 where nothing is predicted positive (the curve's start)
  int64_t tp = 0, fp = 0, tn = 0, fn = 0;  // unweighted counts at this threshold
};

// One of 10 equal-width bins of P(positive): (lower, upper], the first one [0, 0.1], as
// scikit-learn's calibration_curve(n_bins=10). Empty bins have NaN means.
struct CalibrationBin {
  double lower = 0, upper = 0;  // predicted probability range
  double mean_predicted = 0;    // (weighted) average prediction in the bin
  double fraction_positive = 0; // (weighted) observed share of positives
  int64_t count = 0;
};

struct ClassMetrics {
  std::string label;
  double precision = 0, recall = 0, f1 = 0;
  int64_t support = 0;  // rows whose true class this is
};

struct ClassificationMetrics {
  // ML.EVALUATE columns.
  double precision = 0, recall = 0, accuracy = 0, f1_score = 0, log_loss = 0, roc_auc = 0;
  // Strata's additions.
  double pr_auc = 0;  // average precision (binary: positive class; multiclass: macro)
  double balanced_accuracy = 0;
  double brier_score = 0;  // binary: mean (p - y)^2; multiclass: mean sum over classes
  double threshold = 0.5;  // the threshold the thresholded metrics used (binary)
  std::vector<ClassMetrics> per_class;
  std::vector<std::string> labels;             // class labels, index order
  std::vector<std::vector<int64_t>> confusion; // [true][predicted], unweighted counts
  // Binary: one point per distinct score, highest first, after a first point that predicts
  // nothing positive (threshold = highest score + 1, as scikit-learn 1.2's roc_curve).
  std::vector<CurvePoint> roc_curve;
  std::vector<CalibrationBin> calibration;     // binary: 10 equal-width bins

  // Every field under its ML.EVALUATE name, plus "per_class", "confusion_matrix",
  // "roc_curve" (ML.ROC_CURVE column names) and "calibration" arrays; NaN becomes null.
  nlohmann::json ToJson() const;
};

struct RegressionMetrics {
  // ML.EVALUATE columns.
  double mean_absolute_error = 0, mean_squared_error = 0, mean_squared_log_error = 0,
         median_absolute_error = 0, r2_score = 0, explained_variance = 0;
  double root_mean_squared_error = 0;  // Strata's addition
  nlohmann::json ToJson() const;
};

struct ClusteringMetrics {
  double davies_bouldin_index = 0, mean_squared_distance = 0;
  nlohmann::json ToJson() const;
};

// Binary classification from P(positive) per row. `y` holds 0/1; `weights` empty or per row.
Result<ClassificationMetrics> EvaluateBinary(std::span<const int> y,
                                             std::span<const double> positive_probability,
                                             std::span<const double> weights, double threshold,
                                             const std::vector<std::string>& labels);

// Multiclass from a rows x k row-major probability matrix; prediction = argmax.
Result<ClassificationMetrics> EvaluateMulticlass(std::span<const int> y,
                                                 std::span<const double> probabilities,
                                                 std::span<const double> weights,
                                                 const std::vector<std::string>& labels);

// Regression, with BigQuery ML's formulas (which coincide with scikit-learn's): MSLE =
// mean (ln(1+y) - ln(1+p))^2, NaN when a label or prediction is <= -1; the median absolute
// error averages the two middle values for even counts (numpy's median; weighted: the
// weighted median); r2_score and explained_variance are 1 for a constant label predicted
// exactly and 0 for one predicted otherwise (scikit-learn's force_finite); r2_score is NaN
// for a single row. Labels and predictions must be finite.
Result<RegressionMetrics> EvaluateRegression(std::span<const double> y,
                                             std::span<const double> predicted,
                                             std::span<const double> weights);

// Clustering quality from the points (rows x d, row-major), assignments and centroids
// (k x d, row-major). The Davies-Bouldin index uses the given centroids and only the
// clusters that have points, so it equals scikit-learn's davies_bouldin_score when the
// centroids are the cluster means; NaN with fewer than 2 non-empty clusters.
Result<ClusteringMetrics> EvaluateClustering(std::span<const double> points, int dims,
                                             std::span<const int> cluster,
                                             std::span<const double> centroids, int k);

// The outcome of choosing a binary decision threshold, with what it achieves (weighted).
struct ThresholdChoice {
  double threshold = 0.5;  // predict positive when score >= threshold
  double precision = 0, recall = 0, f1 = 0;
  bool target_met = true;  // false when no threshold reaches the precision target, or the
                           // rows have no positives (threshold stays 0.5)
  std::string note;        // why a target was not met, for the training report
};

// Chooses the threshold as `spec` says, among the distinct scores: kMaxF1 (ties: the
// highest threshold), kPrecisionTarget (the highest recall among thresholds with precision
// >= target; unreachable: the most precise threshold), kRecallTarget (the highest threshold
// with recall >= target), kFixed (spec.target). InvalidArgument for bad input or a target
// outside (0, 1].
Result<ThresholdChoice> SelectThreshold(std::span<const int> y, std::span<const double> score,
                                        std::span<const double> weights,
                                        const ThresholdSpec& spec);

// Shorthands for SelectThreshold(...).threshold; they return 0.5 when it fails.
double ChooseThresholdMaxF1(std::span<const int> y, std::span<const double> score,
                            std::span<const double> weights);
double ChooseThresholdForPrecision(std::span<const int> y, std::span<const double> score,
                                   std::span<const double> weights, double target);
double ChooseThresholdForRecall(std::span<const int> y, std::span<const double> score,
                                std::span<const double> weights, double target);

}  // namespace strata
