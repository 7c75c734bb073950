// What LINEAR_REG and LOGISTIC_REG training share: the options they read, the checks on
// the data they are given, and the training log (ML.TRAINING_INFO), progress and cancel.
#pragma once

#include <chrono>
#include <string>

#include "strata/model.h"
#include "strata/status.h"

namespace strata {

// The options of both linear model types, read from validated OptionValues.
struct LinearOptions {
  double l1_reg = 0;
  double l2_reg = 0;
  int max_iterations = 20;
  bool early_stop = true;
  double min_rel_progress = 0.01;
  std::string optimize_strategy = "AUTO_STRATEGY";  // LINEAR_REG only
  bool constant_learn_rate = false;  // learn_rate_strategy = 'CONSTANT'
  double learn_rate = 0.1;
  double ls_init_learn_rate = 0.1;
  bool fit_intercept = true;
};

LinearOptions ReadLinearOptions(const OptionValues& values);

// Checks training (or, with `what` = "evaluation data", evaluation) data: a feature matrix
// with at least one row and only finite values, one finite label per row, weights empty or
// one finite non-negative weight per row with a positive sum, and for classification
// (num_classes >= 2 required) labels that are class indices 0..k-1. `features` is the
// expected column count (-1: any).
Status CheckLinearData(const TrainingData& data, bool classification, int features,
                       std::string_view what);

// The sum of the row weights (the row count when there are none).
double TotalWeight(const TrainingData& data);

// Records iterations into FitContext::log, reports progress (stage "training") and turns a
// set cancel flag into Cancelled.
class TrainingLog {
 public:
  TrainingLog(const FitContext& context, int max_iterations);

  // Cancelled when the context's cancel flag is set.
  Status CheckCancel() const;
  // Appends one IterationInfo (its duration measured since the previous call or the
  // constructor), reports progress, then checks for cancel.
  Status Record(int iteration, double loss, double eval_loss, double learning_rate);

 private:
  const FitContext& context_;
  int max_iterations_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace strata
