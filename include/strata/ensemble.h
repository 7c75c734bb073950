// Ensembles: a bundle whose prediction is the weighted average of other bundles' outputs
// (class probabilities, or regression values). AutoML builds them with Caruana's ensemble
// selection over out-of-fold predictions; they are stored, served and exported like any
// other bundle, and Predictor handles them (see predictor.h).
//
//   STRATA_ASSIGN_OR_RETURN(strata::EnsembleSelection sel,
//       strata::SelectEnsemble(oof_outputs, labels, strata::Task::kClassification, 2, "LOG_LOSS"));
//   std::vector<strata::EnsembleMember> members = ...;  // bundles with sel.weights[i] > 0
//   STRATA_ASSIGN_OR_RETURN(strata::ModelBundle ensemble,
//                           strata::MakeEnsembleBundle(std::move(members), "ENSEMBLE"));
#pragma once

#include <nlohmann/json.hpp>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strata/bundle.h"
#include "strata/model.h"
#include "strata/status.h"

namespace strata {

// Model types whose payload is a list of member bundles: ENSEMBLE, and AutoML's
// AUTOML_CLASSIFIER / AUTOML_REGRESSOR (BigQuery ML's names for what AutoML returns).
bool IsEnsembleModelType(std::string_view model_type);

struct EnsembleMember {
  double weight = 0;  // > 0; weights are normalised to sum to 1
  ModelBundle bundle;
};

// An ensemble bundle of type `model_type` (one of IsEnsembleModelType). Members must be
// supervised, of one task, predict the same label with the same classes, and read the same
// input columns. The label, classes, threshold (the weighted mean of the members', until the
// caller chooses one) and input schema come from the members; metrics stay empty for the
// caller to fill.
Result<ModelBundle> MakeEnsembleBundle(std::vector<EnsembleMember> members,
                                       std::string_view model_type = "ENSEMBLE");

// The members of an ensemble bundle, parsed from its payload. DataLoss for a corrupt payload.
Result<std::vector<EnsembleMember>> EnsembleMembers(const ModelBundle& bundle);

// The outcome of ensemble selection.
struct EnsembleSelection {
  std::vector<double> weights;        // one per candidate, summing to 1 (0: not chosen)
  double score = 0;                   // the metric of the weighted average, lower is better
  std::vector<double> score_by_round; // after each greedy round
};

// Caruana et al. (2004) ensemble selection with replacement: start empty, and each round add
// the candidate (repeats allowed) whose inclusion in the running average most improves
// `metric` on the given predictions; weights are the counts divided by the rounds. The
// candidates' outputs are out-of-fold predictions of the same rows, in the same order as
// `labels` (class indices for classification). Metrics: LOG_LOSS, ROC_AUC (binary),
// PR_AUC (binary), BRIER_SCORE, ACCURACY for classification; MEAN_SQUARED_ERROR,
// ROOT_MEAN_SQUARED_ERROR, MEAN_ABSOLUTE_ERROR for regression. Deterministic: ties go to
// the lower candidate index.
Result<EnsembleSelection> SelectEnsemble(const std::vector<ModelOutput>& candidates,
                                         std::span<const double> labels, Task task,
                                         int num_classes, std::string_view metric,
                                         int rounds = 25);

// The weighted average of several outputs of the same rows (probabilities or values),
// exactly as an ensemble bundle predicts.
Result<ModelOutput> AverageOutputs(const std::vector<const ModelOutput*>& outputs,
                                   std::span<const double> weights);

}  // namespace strata
