#include "models/linear_regression.h"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

#include "common/parallel.h"
#include "models/lbfgs.h"
#include "models/linear_least_squares.h"
#include "models/linear_loss.h"
#include "models/linear_objective.h"
#include "models/linear_training.h"

namespace strata {
namespace {

constexpr std::string_view kModelType = "LINEAR_REG";
// Coordinate descent keeps the p x p Gram matrix up to here (2 MB); past it a pass over the
// residuals (rows x p) is cheaper than forming the matrix (rows x p^2).
constexpr int kGramMaxFeatures = 512;
// BigQuery ML's AUTO_STRATEGY switches to gradient descent past this many features.
constexpr int kNormalEquationMaxFeatures = 10000;

enum class Solver { kNormalEquation, kCoordinateDescent, kGradientDescent };

Result<Solver> ChooseSolver(const LinearOptions& o, int features) {
  if (o.optimize_strategy == "NORMAL_EQUATION") {
    if (o.l1_reg > 0) {
      return InvalidArgument(
          "optimize_strategy 'NORMAL_EQUATION' cannot apply l1_reg; set l1_reg = 0, or use "
          "'AUTO_STRATEGY' (coordinate descent) or 'BATCH_GRADIENT_DESCENT'");
    }
    return Solver::kNormalEquation;
  }
  if (o.optimize_strategy == "BATCH_GRADIENT_DESCENT") return Solver::kGradientDescent;
  // AUTO_STRATEGY. BigQuery also picks gradient descent when rows < 10 x features; the
  // exact solve handles that case (it returns the minimum-norm solution when rows < p).
  if (o.l1_reg > 0) return Solver::kCoordinateDescent;
  if (features > kNormalEquationMaxFeatures) return Solver::kGradientDescent;
  return Solver::kNormalEquation;
}

LinearParams MakeParams(const Eigen::VectorXd& beta, const Eigen::VectorXd& x_mean,
                        double y_mean) {
  LinearParams params;
  params.coefficients = beta;
  params.intercepts = Eigen::VectorXd::Constant(1, y_mean - (beta.size() ? x_mean.dot(beta) : 0.0));
  return params;
}

double Penalty(const Eigen::VectorXd& beta, double l1, double l2) {
  return l1 * beta.cwiseAbs().sum() + 0.5 * l2 * beta.squaredNorm();
}

// Mean squared error on the evaluation rows, NaN without any.
class EvalMse {
 public:
  EvalMse(const TrainingData* eval, int threads) {
    if (eval == nullptr) return;
    loss_.emplace(LossKind::kSquared, *eval->features, eval->labels, eval->weights, 1, threads);
    weight_ = TotalWeight(*eval);
  }
  double operator()(const LinearParams& params) const {
    if (!loss_) return std::numeric_limits<double>::quiet_NaN();
    return 2 * loss_->Evaluate(params.coefficients, params.intercepts, nullptr, nullptr) / weight_;
  }

 private:
  std::optional<LinearLoss> loss_;
  double weight_ = 1;
};

}  // namespace

Status LinearRegressionModel::CheckFitted() const {
  if (!fitted_) return FailedPrecondition("the LINEAR_REG model is not trained yet");
  return Status::Ok();
}

Status LinearRegressionModel::Fit(const TrainingData& data, const FitContext& context) {
  STRATA_RETURN_IF_ERROR(CheckLinearData(data, /*classification=*/false, -1, "training data"));
  const FeatureMatrix& x = *data.features;
  const int p = x.cols();
  if (context.eval != nullptr) {
    STRATA_RETURN_IF_ERROR(CheckLinearData(*context.eval, false, p, "evaluation data"));
  }
  const LinearOptions o = ReadLinearOptions(context.options);
  STRATA_ASSIGN_OR_RETURN(Solver solver, ChooseSolver(o, p));
  const int threads = ResolveThreads(context.threads);
  const double total_weight = TotalWeight(data);
  const EvalMse eval_mse(context.eval, threads);
  TrainingLog log(context, solver == Solver::kNormalEquation ? 1 : o.max_iterations);
  STRATA_RETURN_IF_ERROR(log.CheckCancel());

  LinearParams params;
  LinearTrainingSummary summary;
  if (solver == Solver::kNormalEquation) {
    GramSystem system = ComputeGram(x, data.labels, data.weights, o.fit_intercept, threads);
    STRATA_RETURN_IF_ERROR(log.CheckCancel());
    bool min_norm = false;
    Eigen::VectorXd beta = SolveNormalEquations(system, o.l2_reg, &min_norm);
    params = MakeParams(beta, system.x_mean, system.y_mean);
    double mse = 2 * GramObjective(system, beta, 0, 0) / total_weight;
    STRATA_RETURN_IF_ERROR(log.Record(1, mse, eval_mse(params), 0.0));
    summary = {"NORMAL_EQUATION", 1, min_norm ? "exact_min_norm" : "exact"};
  } else if (solver == Solver::kCoordinateDescent) {
    CoordinateDescentOptions cd;
    cd.l1 = o.l1_reg;
    cd.l2 = o.l2_reg;
    cd.max_iterations = o.max_iterations;
    cd.min_rel_progress = o.early_stop ? o.min_rel_progress : 0.0;
    Eigen::VectorXd beta = Eigen::VectorXd::Zero(p);
    Eigen::VectorXd x_mean;
    double y_mean = 0;
    auto on_pass = [&](int pass, const Eigen::VectorXd& b, double value) {
      double mse = 2 * (value - Penalty(b, o.l1_reg, o.l2_reg)) / total_weight;
      return log.Record(pass, mse, eval_mse(MakeParams(b, x_mean, y_mean)), 0.0);
    };
    SolverResult result;
    if (p <= kGramMaxFeatures) {
      GramSystem system = ComputeGram(x, data.labels, data.weights, o.fit_intercept, threads);
      x_mean = system.x_mean;
      y_mean = system.y_mean;
      STRATA_ASSIGN_OR_RETURN(result, CoordinateDescentGram(system, cd, &beta, on_pass));
    } else {
      WeightedMeans(x, data.labels, data.weights, o.fit_intercept, &x_mean, &y_mean);
      STRATA_ASSIGN_OR_RETURN(result, CoordinateDescentResidual(x, data.labels, data.weights,
                                                                x_mean, y_mean, cd, &beta,
                                                                on_pass));
    }
    params = MakeParams(beta, x_mean, y_mean);
    summary = {"COORDINATE_DESCENT", result.iterations, std::string(StopReasonName(result.reason))};
  } else {
    // Gradient descent on labels centred and scaled to unit weighted variance, so the
    // solver's absolute tolerances fit any label scale (Sale_Price is ~1e5). With
    // y = m + s y' and b = s b', the objective is s^2 times the same one in y' with
    // l1 / s: the minimiser is the same up to that scaling.
    Eigen::VectorXd x_mean;
    double y_mean = 0;
    WeightedMeans(x, data.labels, data.weights, o.fit_intercept, &x_mean, &y_mean);
    double spread = 0;
    for (size_t i = 0; i < data.labels.size(); ++i) {
      double d = data.labels[i] - y_mean;
      spread += (data.weights.empty() ? 1.0 : data.weights[i]) * d * d;
    }
    const double scale = spread > 0 ? std::sqrt(spread / total_weight) : 1.0;
    std::vector<double> scaled(data.labels.size());
    for (size_t i = 0; i < scaled.size(); ++i) scaled[i] = (data.labels[i] - y_mean) / scale;

    LinearLoss loss(LossKind::kSquared, x, scaled, data.weights, 1, threads);
    PenalizedLinearObjective objective(loss, total_weight, o.l2_reg, o.fit_intercept, x_mean);
    auto to_params = [&](const Eigen::VectorXd& theta) {
      LinearParams p_scaled = objective.ToParams(theta);
      p_scaled.coefficients *= scale;
      p_scaled.intercepts = p_scaled.intercepts * scale;
      if (o.fit_intercept) p_scaled.intercepts.array() += y_mean;
      return p_scaled;
    };
    LbfgsOptions lbfgs;
    lbfgs.max_iterations = o.max_iterations;
    lbfgs.min_rel_progress = o.early_stop ? o.min_rel_progress : 0.0;
    lbfgs.initial_step = o.ls_init_learn_rate;
    if (o.constant_learn_rate) lbfgs.constant_step = o.learn_rate;
    const double l1_scaled = o.l1_reg / scale;
    if (o.l1_reg > 0) lbfgs.l1 = objective.L1Weights(l1_scaled);
    Eigen::VectorXd theta = objective.Start(Eigen::VectorXd::Zero(1));
    auto record = [&](int iteration, const Eigen::VectorXd& at, double value, double step) {
      double mse = 2 * scale * scale * (value - objective.Penalty(at, l1_scaled));
      return log.Record(iteration, mse, eval_mse(to_params(at)), step);
    };
    STRATA_ASSIGN_OR_RETURN(
        SolverResult result,
        MinimizeLbfgs(std::cref(objective), lbfgs, &theta, [&](const SolverIteration& it) {
          return record(it.iteration, *it.x, it.value, it.step);
        }));
    if (result.iterations == 0) STRATA_RETURN_IF_ERROR(record(0, theta, result.value, 0.0));
    params = to_params(theta);
    summary = {o.constant_learn_rate ? "GRADIENT_DESCENT" : (o.l1_reg > 0 ? "OWLQN" : "LBFGS"),
               result.iterations, std::string(StopReasonName(result.reason))};
  }
  if (!o.fit_intercept) params.intercepts.setZero(1);
  if (!params.coefficients.allFinite() || !params.intercepts.allFinite()) {
    return InvalidArgument("LINEAR_REG training diverged; lower learn_rate or set l2_reg > 0");
  }
  params_ = std::move(params);
  summary_ = std::move(summary);
  fitted_ = true;
  return Status::Ok();
}

Status LinearRegressionModel::Predict(const FeatureMatrix& features, ModelOutput* out) const {
  STRATA_RETURN_IF_ERROR(CheckFitted());
  STRATA_RETURN_IF_ERROR(CheckFeatureValues(features, params_.features(), "prediction features"));
  Eigen::MatrixXd scores = LinearScores(params_, features);
  *out = ModelOutput{};
  out->values.assign(scores.data(), scores.data() + scores.rows());
  return Status::Ok();
}

Result<std::vector<FeatureImportance>> LinearRegressionModel::Importance(
    const std::vector<FeatureInfo>& features) const {
  STRATA_RETURN_IF_ERROR(CheckFitted());
  return LinearImportance(params_, features);
}

Status LinearRegressionModel::Contribute(const FeatureMatrix& features, Contributions* out) const {
  STRATA_RETURN_IF_ERROR(CheckFitted());
  return LinearContributions(params_, features, out);
}

Result<std::string> LinearRegressionModel::Save() const {
  STRATA_RETURN_IF_ERROR(CheckFitted());
  return SaveLinearPayload(kModelType, 0, params_, summary_);
}

Status LinearRegressionModel::Load(std::string_view bytes) {
  LinearParams params;
  LinearTrainingSummary summary;
  int classes = 0;
  STRATA_RETURN_IF_ERROR(LoadLinearPayload(bytes, kModelType, &params, &summary, &classes));
  if (classes != 0) return DataLoss("linear model payload is corrupt: LINEAR_REG with classes");
  params_ = std::move(params);
  summary_ = std::move(summary);
  fitted_ = true;
  return Status::Ok();
}

nlohmann::json LinearRegressionModel::Describe(const std::vector<FeatureInfo>& features) const {
  if (!fitted_) return {{"model_type", kModelType}, {"trained", false}};
  return DescribeLinear(kModelType, 0, params_, summary_, features);
}

}  // namespace strata
