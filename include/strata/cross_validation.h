// K-fold cross-validation through the one Train(): every fold trains a model on the other
// folds, with the held-out fold as its evaluation split (early stopping, decision threshold,
// metrics), and predicts the held-out rows. AutoML scores candidates on the fold metrics and
// builds ensembles from the out-of-fold predictions.
//
//   strata::CrossValidationOptions cv;
//   cv.folds = 5;
//   STRATA_ASSIGN_OR_RETURN(strata::CrossValidationResult r,
//                           strata::CrossValidate(spec, table, cv));
//   r.mean["roc_auc"];  // mean over the folds; r.stddev["roc_auc"] their spread
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "strata/bundle.h"
#include "strata/model.h"
#include "strata/progress.h"
#include "strata/status.h"
#include "strata/table.h"
#include "strata/train_spec.h"

namespace strata {

struct CrossValidationOptions {
  int folds = 5;
  ProgressCallback progress;  // stage "fold", folds done / total
  const std::atomic<bool>* cancel = nullptr;
  int threads = 0;  // per training (0: all cores)
  // Run only the first `run_folds` folds (0: all). 1 makes a holdout of 1/folds of the
  // rows; rows of folds not run get no out-of-fold prediction (see predicted_rows).
  int run_folds = 0;
  bool keep_models = false;  // return each fold's bundle (AutoML ensembles them)
};

struct CrossValidationResult {
  std::vector<int> fold;                 // fold of each input row
  ModelOutput oof;                       // out-of-fold predictions, one per input row
                                         // (NaN for rows of folds not run)
  std::vector<int64_t> predicted_rows;   // rows with an out-of-fold prediction, ascending
  std::vector<ModelBundle> models;       // each fold's bundle, with keep_models
  std::vector<double> labels;            // labels as the model sees them (class index / value)
  std::vector<std::string> class_labels; // classification: index -> label text
  std::vector<nlohmann::json> fold_metrics;  // each fold's bundle metrics (held-out fold)
  std::map<std::string, double> mean, stddev;  // numeric metrics over the folds (sample std)
  double seconds = 0;                    // wall time of all folds
};

// Cross-validates `spec` on `data`: folds stratified by the label for classifiers,
// deterministic for spec.seed. The spec's own split options are replaced by the folds; its
// balance options apply to each fold's training part only. Errors are those of Train().
Result<CrossValidationResult> CrossValidate(const TrainSpec& spec, const Table& data,
                                            const CrossValidationOptions& options = {});

}  // namespace strata
