// The one training pipeline every face calls (CLI, SQL, server jobs, tuning, AutoML):
//   validate spec -> split -> fit preprocessing on the training part -> rebalance the
//   training part -> fit the model (early stopping on the eval part) -> predict eval ->
//   correct probabilities for prior shift -> choose the decision threshold -> metrics ->
//   importance -> ModelBundle.
//
//   strata::TrainOptions o;
//   o.progress = [](const strata::Progress& p) { ... };
//   STRATA_ASSIGN_OR_RETURN(strata::ModelBundle bundle, strata::Train(spec, table, o));
#pragma once

#include <atomic>

#include "strata/bundle.h"
#include "strata/progress.h"
#include "strata/status.h"
#include "strata/table.h"
#include "strata/train_spec.h"

namespace strata {

struct TrainOptions {
  ProgressCallback progress;
  const std::atomic<bool>* cancel = nullptr;
  int threads = 0;
  std::string data_fingerprint;  // recorded in the lineage when known
};

// Checks a spec against the data without training: model type, options (names, types,
// ranges), label column (exists, no NULLs, type fits the task), split and balance options.
Status ValidateTrainSpec(const TrainSpec& spec, const Table& data);

// Trains a model as described above.
Result<ModelBundle> Train(const TrainSpec& spec, const Table& data,
                          const TrainOptions& options = {});
// The same, taking the table over: its memory is released as soon as the training and
// evaluation parts are copied out, which lowers the peak on large data.
Result<ModelBundle> Train(const TrainSpec& spec, Table&& data, const TrainOptions& options = {});

// Evaluates a bundle on a labelled table (ML.EVALUATE with input data); `threshold`
// overrides the bundle's for binary models. Returns the metrics JSON as stored in bundles.
Result<nlohmann::json> Evaluate(const ModelBundle& bundle, const Table& data,
                                std::optional<double> threshold = std::nullopt);

}  // namespace strata
