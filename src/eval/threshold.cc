// Choosing a binary classifier's decision threshold on evaluation data. Candidates are the
// distinct scores (predict positive when score >= threshold), read off the same sorted
// curve as ROC AUC, so the choice costs one sort.
#include <fmt/format.h>

#include <cmath>

#include "eval/metrics_internal.h"
#include "strata/metrics.h"

namespace strata {
namespace {

using eval_internal::BinaryCurve;

struct Operating {
  double precision = 0, recall = 0, f1 = 0;
};

Operating At(const BinaryCurve& curve, size_t i) {
  Operating o;
  double tp = curve.tps[i], fp = curve.fps[i], pos = curve.total_pos;
  o.precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  o.recall = pos > 0 ? tp / pos : 0;
  o.f1 = tp + fp + pos > 0 ? 2 * tp / (tp + fp + pos) : 0;  // 2TP / (2TP + FP + FN)
  return o;
}

ThresholdChoice Choice(const BinaryCurve& curve, size_t i) {
  Operating o = At(curve, i);
  ThresholdChoice c;
  c.threshold = curve.thresholds[i];
  c.precision = o.precision;
  c.recall = o.recall;
  c.f1 = o.f1;
  return c;
}

Status CheckInput(std::span<const int> y, std::span<const double> score,
                  std::span<const double> weights) {
  constexpr std::string_view kWhat = "threshold choice";
  if (y.empty()) return InvalidArgument("threshold choice: there are no rows to choose on");
  if (score.size() != y.size()) {
    return InvalidArgument(fmt::format("threshold choice: {} scores for {} labels", score.size(),
                                       y.size()));
  }
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] != 0 && y[i] != 1) {
      return InvalidArgument(fmt::format(
          "threshold choice: the label of row {} is {}; binary labels are 0 and 1", i + 1, y[i]));
    }
    if (std::isnan(score[i])) {
      return InvalidArgument(fmt::format("threshold choice: the score of row {} is NaN", i + 1));
    }
  }
  return eval_internal::CheckWeights(weights, y.size(), kWhat);
}

}  // namespace

Result<ThresholdChoice> SelectThreshold(std::span<const int> y, std::span<const double> score,
                                        std::span<const double> weights,
                                        const ThresholdSpec& spec) {
  STRATA_RETURN_IF_ERROR(CheckInput(y, score, weights));
  const bool targeted = spec.objective == ThresholdObjective::kPrecisionTarget ||
                        spec.objective == ThresholdObjective::kRecallTarget;
  if (targeted && !(spec.target > 0 && spec.target <= 1)) {
    return InvalidArgument(fmt::format(
        "threshold_target is {}; a precision or recall target must be in (0, 1], e.g. 0.9",
        spec.target));
  }
  if (spec.objective == ThresholdObjective::kFixed && !std::isfinite(spec.target)) {
    return InvalidArgument("threshold_target: a FIXED threshold must be a number, e.g. 0.5");
  }
  std::vector<uint8_t> positive(y.size());
  for (size_t i = 0; i < y.size(); ++i) positive[i] = y[i] == 1;
  const BinaryCurve curve = eval_internal::BuildBinaryCurve(positive, score, weights);
  const size_t m = curve.thresholds.size();

  if (spec.objective == ThresholdObjective::kFixed) {
    ThresholdChoice c;
    c.threshold = spec.target;
    // The rows predicted positive are those up to the last distinct score >= target.
    size_t i = 0;
    while (i < m && curve.thresholds[i] >= spec.target) ++i;
    if (i > 0) {
      Operating o = At(curve, i - 1);
      c.precision = o.precision;
      c.recall = o.recall;
      c.f1 = o.f1;
    }
    return c;
  }
  if (!(curve.total_pos > 0)) {
    ThresholdChoice c;
    c.target_met = false;
    c.note = "the evaluation rows have no positive class, so no threshold can be chosen; "
             "kept 0.5";
    return c;
  }

  size_t best = 0;
  switch (spec.objective) {
    case ThresholdObjective::kMaxF1:
      for (size_t i = 1; i < m; ++i) {
        if (At(curve, i).f1 > At(curve, best).f1) best = i;  // ties keep the higher threshold
      }
      return Choice(curve, best);
    case ThresholdObjective::kPrecisionTarget: {
      bool found = false;
      for (size_t i = 0; i < m; ++i) {
        Operating o = At(curve, i);
        if (o.precision >= spec.target && (!found || o.recall > At(curve, best).recall)) {
          best = i;
          found = true;
        }
      }
      if (found) return Choice(curve, best);
      // Unreachable target: the most precise threshold, the lowest (most recall) on ties.
      for (size_t i = 1; i < m; ++i) {
        if (At(curve, i).precision >= At(curve, best).precision) best = i;
      }
      ThresholdChoice c = Choice(curve, best);
      c.target_met = false;
      c.note = fmt::format(
          "no threshold reaches precision {:.4g} on the evaluation rows; chose the most precise "
          "one, {:.6g}, with precision {:.4g} and recall {:.4g}",
          spec.target, c.threshold, c.precision, c.recall);
      return c;
    }
    case ThresholdObjective::kRecallTarget:
      // Recall only grows as the threshold falls, and the lowest score has recall 1.
      while (best + 1 < m && At(curve, best).recall < spec.target) ++best;
      return Choice(curve, best);
    case ThresholdObjective::kFixed:
      break;
  }
  return Internal("unhandled threshold objective");
}

double ChooseThresholdMaxF1(std::span<const int> y, std::span<const double> score,
                            std::span<const double> weights) {
  ThresholdSpec spec;
  spec.objective = ThresholdObjective::kMaxF1;
  auto c = SelectThreshold(y, score, weights, spec);
  return c.ok() ? c->threshold : 0.5;
}

double ChooseThresholdForPrecision(std::span<const int> y, std::span<const double> score,
                                   std::span<const double> weights, double target) {
  ThresholdSpec spec{ThresholdObjective::kPrecisionTarget, target};
  auto c = SelectThreshold(y, score, weights, spec);
  return c.ok() ? c->threshold : 0.5;
}

double ChooseThresholdForRecall(std::span<const int> y, std::span<const double> score,
                                std::span<const double> weights, double target) {
  ThresholdSpec spec{ThresholdObjective::kRecallTarget, target};
  auto c = SelectThreshold(y, score, weights, spec);
  return c.ok() ? c->threshold : 0.5;
}

}  // namespace strata
