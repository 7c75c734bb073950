// Registration of DNN_CLASSIFIER and DNN_REGRESSOR: their options with BigQuery ML's names,
// defaults, valid ranges and tuning spaces (create-dnn-models.md), and their factories.
// The options every supervised type shares belong to the trainer, not here.
#include <memory>
#include <vector>

#include "models/builtin_models.h"
#include "models/dnn.h"
#include "strata/model.h"

namespace strata {
namespace {

std::vector<OptionSpec> DnnOptions() {
  return {
      OptionSpec::IntList("hidden_units", {128},
                          "units of each hidden layer, input side first, e.g. [256, 128]")
          .Min(1)
          .Max(16384),
      OptionSpec::Enum("activation_fn", DnnActivations(), "RELU",
                       "activation of the hidden layers"),
      OptionSpec::Int("batch_size", std::nullopt, "rows per mini-batch; unset: min(32, rows)")
          .Min(1)
          .Max(8192)
          .Tuning(16, 1024, Scale::kLog),
      OptionSpec::Float("dropout", 0.0, "fraction of hidden units dropped in each training step")
          .Min(0)
          .Max(1, /*exclusive=*/true)
          .Tuning(0, 0.8),
      OptionSpec::Float("learn_rate", 0.001, "the optimizer's step size")
          .Min(0, /*exclusive=*/true)
          .Tuning(0, 1.0, Scale::kLog),
      OptionSpec::Enum("optimizer", {"ADAM", "ADAGRAD", "RMSPROP", "SGD"}, "ADAM",
                       "the mini-batch optimizer"),
      OptionSpec::Float("l1_reg", 0.0, "L1 penalty on the weights, added to each batch's mean loss")
          .Min(0)
          .Tuning(0, 10, Scale::kLog),
      OptionSpec::Float("l2_reg", 0.0, "L2 penalty on the weights, added to each batch's mean loss")
          .Min(0)
          .Tuning(0, 10, Scale::kLog),
      OptionSpec::Int("max_iterations", 20, "maximum training epochs (passes over the data)")
          .Min(1)
          .Max(100000),
      OptionSpec::Bool("early_stop", true,
                       "stop when an epoch improves the loss by less than min_rel_progress, and "
                       "keep the best epoch's parameters"),
      OptionSpec::Float("min_rel_progress", 0.01,
                        "relative loss improvement an epoch must make for training to go on")
          .Min(0),
      OptionSpec::Int("early_stopping_rounds", 0,
                      "when > 0, stop after this many epochs without min_rel_progress "
                      "improvement instead of at the first")
          .Min(0)
          .Extension(),
      OptionSpec::Int("integrated_gradients_num_steps", 15,
                      "steps of the integrated-gradients path for explanations")
          .Min(1)
          .Max(30),
  };
}

}  // namespace

void RegisterDnnModels() {
  ModelType classifier;
  classifier.name = "DNN_CLASSIFIER";
  classifier.task = Task::kClassification;
  classifier.encoding = EncodingStyle::kStandardizeOneHot;
  classifier.options = DnnOptions();
  classifier.summary = "feed-forward neural network (softmax output) for a categorical label";
  classifier.create = [] { return std::make_unique<DnnModel>(Task::kClassification); };
  RegisterModelType(std::move(classifier));

  ModelType regressor;
  regressor.name = "DNN_REGRESSOR";
  regressor.task = Task::kRegression;
  regressor.encoding = EncodingStyle::kStandardizeOneHot;
  regressor.options = DnnOptions();
  regressor.summary = "feed-forward neural network for a numeric label";
  regressor.create = [] { return std::make_unique<DnnModel>(Task::kRegression); };
  RegisterModelType(std::move(regressor));
}

}  // namespace strata
