// Registration of LINEAR_REG and LOGISTIC_REG: their options with BigQuery ML's names,
// defaults, valid ranges and tuning spaces (create-glm.md), and their factories. The
// options every supervised type shares (input_label_cols, data_split_*, class weights,
// category_encoding_method, enable_global_explain) belong to the trainer, not here.
#include <memory>
#include <vector>

#include "models/builtin_models.h"
#include "models/linear_regression.h"
#include "models/logistic_regression.h"
#include "strata/model.h"

namespace strata {
namespace {

// The options LINEAR_REG and LOGISTIC_REG share. BigQuery ML tunes l1_reg and l2_reg over
// (0, 10] on a log scale by default.
std::vector<OptionSpec> CommonLinearOptions() {
  return {
      OptionSpec::Float("l1_reg", 0.0, "L1 (lasso) penalty on the coefficients; drives some to 0")
          .Min(0)
          .Tuning(0, 10, Scale::kLog),
      OptionSpec::Float("l2_reg", 0.0, "L2 (ridge) penalty on the coefficients; shrinks them")
          .Min(0)
          .Tuning(0, 10, Scale::kLog),
      OptionSpec::Int("max_iterations", 20, "maximum training iterations (solver passes)").Min(1),
      OptionSpec::Bool("early_stop", true,
                       "stop after the first iteration that improves the loss by less than "
                       "min_rel_progress"),
      OptionSpec::Float("min_rel_progress", 0.01,
                        "relative loss improvement an iteration needs to go on (with early_stop)")
          .Min(0),
      OptionSpec::Enum("learn_rate_strategy", {"LINE_SEARCH", "CONSTANT"}, "LINE_SEARCH",
                       "gradient descent step: a line search, or the fixed learn_rate"),
      OptionSpec::Float("learn_rate", 0.1, "fixed step when learn_rate_strategy = 'CONSTANT'")
          .Min(0, /*exclusive=*/true),
      OptionSpec::Float("ls_init_learn_rate", 0.1,
                        "first step tried by the line search (learn_rate_strategy = "
                        "'LINE_SEARCH')")
          .Min(0, /*exclusive=*/true),
      OptionSpec::Bool("fit_intercept", true, "fit an intercept (bias) term; never penalised"),
  };
}

}  // namespace

void RegisterLinearModels() {
  ModelType linear;
  linear.name = "LINEAR_REG";
  linear.task = Task::kRegression;
  linear.encoding = EncodingStyle::kStandardizeOneHot;
  linear.options = CommonLinearOptions();
  // LINEAR_REG alone chooses its solver; shown after min_rel_progress, as BigQuery lists it.
  linear.options.insert(
      linear.options.begin() + 5,
      OptionSpec::Enum("optimize_strategy",
                       {"AUTO_STRATEGY", "BATCH_GRADIENT_DESCENT", "NORMAL_EQUATION"},
                       "AUTO_STRATEGY",
                       "solver: exact normal equations (AUTO when l1_reg = 0), coordinate "
                       "descent (AUTO with l1_reg), or gradient descent"));
  linear.summary = "linear regression (least squares with L1/L2 penalties) for a numeric label";
  linear.create = [] { return std::make_unique<LinearRegressionModel>(); };
  RegisterModelType(std::move(linear));

  ModelType logistic;
  logistic.name = "LOGISTIC_REG";
  logistic.task = Task::kClassification;
  logistic.encoding = EncodingStyle::kStandardizeOneHot;
  logistic.options = CommonLinearOptions();
  logistic.summary =
      "logistic regression (binary or multinomial, L1/L2 penalties) for a categorical label";
  logistic.create = [] { return std::make_unique<LogisticRegressionModel>(); };
  RegisterModelType(std::move(logistic));
}

}  // namespace strata
