#include "models/logistic_regression.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/parallel.h"
#include "models/lbfgs.h"
#include "models/linear_loss.h"
#include "models/linear_objective.h"
#include "models/linear_training.h"

namespace strata {
namespace {

constexpr std::string_view kModelType = "LOGISTIC_REG";
// Class priors are clamped here before taking logs, so a class absent from the training
// rows starts at a very low (not infinite) logit.
constexpr double kMinPrior = 1e-12;

// Intercepts of the intercept-only model: the log-odds (k = 2) or log priors (k > 2). They
// are its exact optimum without penalties, so the solver starts where the coefficients
// alone remain to be found.
Eigen::VectorXd PriorIntercepts(const TrainingData& data, double total_weight) {
  const int k = data.num_classes;
  Eigen::VectorXd prior = Eigen::VectorXd::Zero(k);
  for (size_t i = 0; i < data.labels.size(); ++i) {
    prior[static_cast<int>(data.labels[i])] += data.weights.empty() ? 1.0 : data.weights[i];
  }
  prior /= total_weight;
  prior = prior.cwiseMax(kMinPrior).cwiseMin(1 - kMinPrior);
  if (k == 2) return Eigen::VectorXd::Constant(1, std::log(prior[1] / prior[0]));
  return prior.array().log().matrix();
}

double Sigmoid(double s) {
  if (s >= 0) return 1.0 / (1.0 + std::exp(-s));
  double e = std::exp(s);
  return e / (1.0 + e);
}

}  // namespace

Status LogisticRegressionModel::CheckFitted() const {
  if (num_classes_ < 2) return FailedPrecondition("the LOGISTIC_REG model is not trained yet");
  return Status::Ok();
}

Status LogisticRegressionModel::Fit(const TrainingData& data, const FitContext& context) {
  STRATA_RETURN_IF_ERROR(CheckLinearData(data, /*classification=*/true, -1, "training data"));
  const FeatureMatrix& x = *data.features;
  const int k = data.num_classes;
  if (context.eval != nullptr) {
    STRATA_RETURN_IF_ERROR(CheckLinearData(*context.eval, true, x.cols(), "evaluation data"));
    if (context.eval->num_classes != k) {
      return InvalidArgument(fmt::format("evaluation data has {} classes, training data {}",
                                         context.eval->num_classes, k));
    }
  }
  const LinearOptions o = ReadLinearOptions(context.options);
  const int outputs = k == 2 ? 1 : k;
  const LossKind kind = k == 2 ? LossKind::kLogistic : LossKind::kSoftmax;
  const int threads = ResolveThreads(context.threads);
  const double total_weight = TotalWeight(data);

  LinearLoss loss(kind, x, data.labels, data.weights, outputs, threads);
  Eigen::VectorXd center;
  if (o.fit_intercept) center = WeightedColumnMeans(x, data.weights);
  PenalizedLinearObjective objective(loss, total_weight, o.l2_reg, o.fit_intercept, center);
  Eigen::VectorXd theta = objective.Start(PriorIntercepts(data, total_weight));

  std::optional<LinearLoss> eval_loss;
  double eval_weight = 1;
  if (context.eval != nullptr) {
    eval_loss.emplace(kind, *context.eval->features, context.eval->labels,
                      context.eval->weights, outputs, threads);
    eval_weight = TotalWeight(*context.eval);
  }
  TrainingLog log(context, o.max_iterations);
  auto record = [&](int iteration, const Eigen::VectorXd& at, double value, double step) {
    double eval = std::numeric_limits<double>::quiet_NaN();
    if (eval_loss) {
      LinearParams p = objective.ToParams(at);
      eval = eval_loss->Evaluate(p.coefficients, p.intercepts, nullptr, nullptr) / eval_weight;
    }
    // The log shows the mean log loss BigQuery reports, without the penalty.
    return log.Record(iteration, value - objective.Penalty(at, o.l1_reg), eval, step);
  };

  LbfgsOptions solver;
  solver.max_iterations = o.max_iterations;
  solver.min_rel_progress = o.early_stop ? o.min_rel_progress : 0.0;
  solver.initial_step = o.ls_init_learn_rate;
  if (o.constant_learn_rate) solver.constant_step = o.learn_rate;
  if (o.l1_reg > 0) solver.l1 = objective.L1Weights(o.l1_reg);
  STRATA_RETURN_IF_ERROR(log.CheckCancel());
  STRATA_ASSIGN_OR_RETURN(
      SolverResult result,
      MinimizeLbfgs(std::cref(objective), solver, &theta, [&](const SolverIteration& it) {
        return record(it.iteration, *it.x, it.value, it.step);
      }));
  if (result.iterations == 0) {
    // Already optimal at the start (e.g. no features): still leave one line in the log.
    STRATA_RETURN_IF_ERROR(record(0, theta, result.value, 0.0));
  }

  LinearParams params = objective.ToParams(theta);
  if (!params.coefficients.allFinite() || !params.intercepts.allFinite()) {
    return InvalidArgument("LOGISTIC_REG training diverged; set l2_reg > 0 or lower learn_rate");
  }
  params_ = std::move(params);
  num_classes_ = k;
  summary_.solver = o.constant_learn_rate ? "GRADIENT_DESCENT" : (o.l1_reg > 0 ? "OWLQN" : "LBFGS");
  summary_.iterations = result.iterations;
  summary_.stop_reason = std::string(StopReasonName(result.reason));
  return Status::Ok();
}

Status LogisticRegressionModel::Predict(const FeatureMatrix& features, ModelOutput* out) const {
  STRATA_RETURN_IF_ERROR(CheckFitted());
  STRATA_RETURN_IF_ERROR(CheckFeatureValues(features, params_.features(), "prediction features"));
  Eigen::MatrixXd scores = LinearScores(params_, features);
  const int64_t rows = features.rows();
  const int k = num_classes_;
  *out = ModelOutput{};
  out->width = k;
  out->probabilities.resize(static_cast<size_t>(rows * k));
  double* prob = out->probabilities.data();
  if (k == 2) {
    for (int64_t r = 0; r < rows; ++r) {
      double p = Sigmoid(scores(r, 0));
      prob[2 * r] = 1.0 - p;
      prob[2 * r + 1] = p;
    }
    return Status::Ok();
  }
  for (int64_t r = 0; r < rows; ++r) {
    double top = scores.row(r).maxCoeff();
    double total = 0;
    for (int c = 0; c < k; ++c) total += (prob[r * k + c] = std::exp(scores(r, c) - top));
    for (int c = 0; c < k; ++c) prob[r * k + c] /= total;
  }
  return Status::Ok();
}

Result<std::vector<FeatureImportance>> LogisticRegressionModel::Importance(
    const std::vector<FeatureInfo>& features) const {
  STRATA_RETURN_IF_ERROR(CheckFitted());
  return LinearImportance(params_, features);
}

Status LogisticRegressionModel::Contribute(const FeatureMatrix& features,
                                           Contributions* out) const {
  STRATA_RETURN_IF_ERROR(CheckFitted());
  return LinearContributions(params_, features, out);
}

Result<std::string> LogisticRegressionModel::Save() const {
  STRATA_RETURN_IF_ERROR(CheckFitted());
  return SaveLinearPayload(kModelType, num_classes_, params_, summary_);
}

Status LogisticRegressionModel::Load(std::string_view bytes) {
  LinearParams params;
  LinearTrainingSummary summary;
  int classes = 0;
  STRATA_RETURN_IF_ERROR(LoadLinearPayload(bytes, kModelType, &params, &summary, &classes));
  if (classes < 2) return DataLoss("linear model payload is corrupt: LOGISTIC_REG without classes");
  params_ = std::move(params);
  summary_ = std::move(summary);
  num_classes_ = classes;
  return Status::Ok();
}

nlohmann::json LogisticRegressionModel::Describe(const std::vector<FeatureInfo>& features) const {
  if (num_classes_ < 2) return {{"model_type", kModelType}, {"trained", false}};
  return DescribeLinear(kModelType, num_classes_, params_, summary_, features);
}

}  // namespace strata
