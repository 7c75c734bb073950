// Hyperparameter tuning (BigQuery ML's NUM_TRIALS): a search space built from the model
// type's option declarations, samplers that propose trials (quasi-random, grid, TPE),
// asynchronous-successive-halving promotion over boosting rounds, and the tuner that runs
// the trials through the one Train() function, picks the best on evaluation data and
// reports it on a held-out test part (BigQuery ML's 80/10/10).
//
//   nlohmann::json options = {{"model_type", "BOOSTED_TREE_CLASSIFIER"},
//                             {"input_label_cols", {"churn"}},
//                             {"num_trials", 20},
//                             {"max_tree_depth", strata::HparamCandidates({4, 6, 8})},
//                             {"l2_reg", strata::HparamRange(0, 10)}};
//   STRATA_ASSIGN_OR_RETURN(strata::TuneSpec spec, strata::TuneSpecFromOptions(options));
//   STRATA_ASSIGN_OR_RETURN(strata::TuneResult result, strata::Tune(spec, table));
//   const strata::TrialResult& best = result.trials[result.optimal_index];
//
// A trial is a flat OPTIONS object (model options and common ones such as
// auto_class_weights alike) turned into a TrainSpec by TrainSpecFromOptions, so anything
// the SQL OPTIONS take can be searched.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "strata/bundle.h"
#include "strata/model.h"
#include "strata/options.h"
#include "strata/status.h"
#include "strata/table.h"
#include "strata/workspace.h"

namespace strata {

// ---- Search space ----------------------------------------------------------------------

// HPARAM_RANGE(lo, hi) and HPARAM_CANDIDATES([...]) as option values in an OPTIONS object:
// {"hparam_range": [lo, hi]} and {"hparam_candidates": [...]}. SQL and the CLI produce these.
nlohmann::json HparamRange(double lo, double hi);
nlohmann::json HparamCandidates(nlohmann::json candidates);
// Whether an option value is one of the two forms above.
bool IsHparam(const nlohmann::json& value);

enum class ParamKind { kFloat, kInt, kCategorical };

// One searched option. Samplers see every dimension as [0, 1); Decode maps it back.
struct SearchParam {
  std::string name;  // lower-case option name
  ParamKind kind = ParamKind::kFloat;
  double lo = 0, hi = 1;                   // numeric: the searched range (inclusive)
  Scale scale = Scale::kLinear;            // kLog: sampled uniformly in log space
  std::vector<nlohmann::json> candidates;  // kCategorical: the values, in the given order

  // The option value at unit coordinate u in [0, 1].
  nlohmann::json Decode(double u) const;
  // The unit coordinate of a value (the centre of its cell for categories).
  double Encode(const nlohmann::json& value) const;
  // Grid points of this dimension (every candidate; integers when few; else 5 points).
  std::vector<double> GridPoints() const;
};

struct SearchSpace {
  std::vector<SearchParam> params;
  // The options that are not searched (model_type, input_label_cols, fixed values).
  nlohmann::json fixed = nlohmann::json::object();

  // The flat OPTIONS of the trial at `point` (one coordinate per param): fixed + searched.
  nlohmann::json OptionsAt(const std::vector<double>& point) const;
  // Only the searched values, for ML.TRIAL_INFO's hyperparameters column.
  nlohmann::json HyperparametersAt(const std::vector<double>& point) const;
};

// Builds the space for a model type from flat OPTIONS: options given as HPARAM_RANGE or
// HPARAM_CANDIDATES are searched (checked against their declarations: a range needs a
// numeric option and must lie inside its valid range; candidates must be valid values);
// when none is given, the type's default set is searched over its declared tuning ranges.
// Errors name the option, what was expected and the closest valid name.
Result<SearchSpace> BuildSearchSpace(const ModelType& type, const nlohmann::json& options);

// The options searched by default for a model type (BigQuery ML's tunable ones).
std::vector<std::string> DefaultTunedOptions(const ModelType& type);

// ---- Samplers --------------------------------------------------------------------------

// A finished trial as samplers see it: its unit point and objective (larger is better;
// the tuner negates minimised objectives).
struct Observation {
  std::vector<double> point;
  double score = 0;
};

// Proposes the next point from the completed trials (in completion order, which the tuner
// keeps deterministic). Returns nullopt when the sampler is exhausted (grid).
class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual std::optional<std::vector<double>> Suggest(const std::vector<Observation>& history) = 0;
};

// Halton low-discrepancy points with a seeded random shift per dimension.
std::unique_ptr<Sampler> MakeQuasiRandomSampler(const SearchSpace& space, uint64_t seed);
// Every combination of the dimensions' grid points, in a seeded shuffled order.
std::unique_ptr<Sampler> MakeGridSampler(const SearchSpace& space, uint64_t seed);
// Tree-structured Parzen Estimator (Bergstra et al. 2011): quasi-random startup trials,
// then the candidate that maximises l(x)/g(x) among `candidates` drawn from l(x).
std::unique_ptr<Sampler> MakeTpeSampler(const SearchSpace& space, uint64_t seed,
                                        int startup_trials = 5, int candidates = 24,
                                        double gamma = 0.25);

// ---- Successive halving ----------------------------------------------------------------

// ASHA's promotion rule (Li et al. 2020) over a resource (boosting rounds): rung k trains
// with resource(k) = max_resource / eta^(rungs-1-k); a trial finished in rung k is promoted
// when it is in the top 1/eta of rung k's results and has not been promoted yet.
class SuccessiveHalving {
 public:
  SuccessiveHalving(int64_t max_resource, int eta = 3, int64_t min_resource = 1);
  int rungs() const { return static_cast<int>(resources_.size()); }
  int64_t Resource(int rung) const { return resources_[static_cast<size_t>(rung)]; }
  // Records trial `id`'s score (larger is better) at `rung`.
  void Report(int id, int rung, double score);
  // A trial to promote (id, next rung), highest rung first; nullopt when none qualifies.
  std::optional<std::pair<int, int>> NextPromotion();

 private:
  int eta_;
  std::vector<int64_t> resources_;
  std::vector<std::vector<std::pair<double, int>>> results_;  // per rung: (score, id)
  std::vector<std::vector<int>> promoted_;                    // per rung: ids promoted out
};

// ---- Objectives ------------------------------------------------------------------------

struct Objective {
  std::string name;    // BigQuery ML's, upper case: "ROC_AUC"
  std::string metric;  // the key in a bundle's metrics JSON: "roc_auc"
  bool maximize = true;
};

// The objective named by HPARAM_TUNING_OBJECTIVES for a task ("" gives BigQuery ML's
// default: R2_SCORE, ROC_AUC, DAVIES_BOULDIN_INDEX). InvalidArgument names the valid ones.
Result<Objective> FindObjective(Task task, std::string_view name);

// ---- The tuner ---------------------------------------------------------------------------

// BigQuery ML's HPARAM_TUNING_ALGORITHM, plus Strata's names for its parts. VIZIER_DEFAULT
// is TPE with successive halving for boosted trees and random forests, TPE otherwise.
enum class TuneAlgorithm { kTpeAsha, kTpe, kRandom, kGrid };
Result<TuneAlgorithm> ParseTuneAlgorithm(std::string_view name);
std::string_view TuneAlgorithmName(TuneAlgorithm algorithm);

struct TuneSpec {
  nlohmann::json options = nlohmann::json::object();  // flat OPTIONS, HPARAM values included
  std::string source;                                 // for lineage: the table or query trained on
  int num_trials = 10;                                // NUM_TRIALS, 1..100
  int max_parallel_trials = 1;                        // MAX_PARALLEL_TRIALS, 1..5
  TuneAlgorithm algorithm = TuneAlgorithm::kTpeAsha;
  std::string objective;           // HPARAM_TUNING_OBJECTIVES' first; "" for the default
  double time_budget_seconds = 0;  // > 0: no trial starts after this (Strata extension)
  // What every trial's TrainSpec takes besides OPTIONS (SQL's TRANSFORM, chosen features).
  nlohmann::json transform;
  std::vector<std::string> features;
};

// Takes the tuning options (num_trials, max_parallel_trials, hparam_tuning_algorithm,
// hparam_tuning_objectives, tuning_time_budget_seconds) out of flat OPTIONS and checks
// them; the rest stays in `options`.
Result<TuneSpec> TuneSpecFromOptions(const nlohmann::json& options);
// The declarations of those tuning options (ranges, help).
const std::vector<OptionSpec>& TuneOptionSpecs();
// Whether OPTIONS ask for tuning (num_trials given).
bool WantsTuning(const nlohmann::json& options);
// OPTIONS without the searched (HPARAM_*) ones: what TrainSpecFromOptions can check.
nlohmann::json WithoutHparams(const nlohmann::json& options);

enum class TrialStatus { kSucceeded, kFailed, kStopped };  // kStopped: halted by ASHA
std::string_view TrialStatusName(TrialStatus status);      // "SUCCEEDED", ...

struct TrialResult {
  int trial_id = 0;                // 1, 2, ... in the order trials were proposed
  nlohmann::json hyperparameters;  // the searched values
  nlohmann::json options;          // the full flat OPTIONS it trained with
  TrialStatus status = TrialStatus::kSucceeded;
  std::string error_message;
  double objective = 0;         // the objective on evaluation data (NaN if failed)
  nlohmann::json eval_metrics;  // the bundle's metrics on evaluation data
  std::optional<double> training_loss, eval_loss;  // last iteration's
  int64_t resource = 0;  // ASHA: rounds (or trees) of its last rung; 0: none
  double seconds = 0;    // training time, all rungs
  bool is_optimal = false;
  std::shared_ptr<const ModelBundle> bundle;  // null if failed
};

struct TuneResult {
  Objective objective;
  TuneAlgorithm algorithm = TuneAlgorithm::kTpeAsha;
  std::vector<TrialResult> trials;  // by trial_id
  size_t optimal_index = 0;         // into trials
  // The optimal trial's bundle with its metrics replaced by those on the test part
  // (ML.EVALUATE of a tuned model), or on the evaluation part when there is no test part.
  ModelBundle model;
  nlohmann::json test_metrics;  // null when the split leaves no test part
  bool cancelled = false;       // stopped by cancel or the time budget
  int64_t test_rows = 0;
};

// Called after each trial (or rung) finishes: the trial, how many trials are done of how
// many, and the best so far.
struct TuneProgress {
  const TrialResult* trial = nullptr;
  int done = 0, total = 0;
  const TrialResult* best = nullptr;
  const Objective* objective = nullptr;
};
using TuneProgressCallback = std::function<void(const TuneProgress&)>;

struct TuneOptions {
  TuneProgressCallback progress;
  const std::atomic<bool>* cancel = nullptr;  // stops starting trials; keeps the best so far
  int threads = 0;  // cores to use in all (0: all); each trial gets threads / parallel
  std::string data_fingerprint;
};

// Runs the trials on `data` and picks the optimal one. Failed trials are recorded with
// their error and do not stop the tuning; it fails only when no trial succeeded (or the
// options are wrong). Same spec and seed give the same trials.
Result<TuneResult> Tune(const TuneSpec& spec, const Table& data, const TuneOptions& options = {});

// Searched values as "learn_rate=0.2105 max_tree_depth=7" (floats to 4 significant
// digits), for progress lines and summaries.
std::string FormatHyperparameters(const nlohmann::json& hyperparameters);
// A one-line rendering of a trial for progress output: "trial 3/20  l2_reg=0.31 ...".
std::string FormatTrialLine(const TuneProgress& progress);
// The result as JSON, as `strata tune --format json` prints it and a server tune job
// returns it: model_type, objective, algorithm, optimal_trial_id, eval_metrics,
// test_metrics, cancelled and every trial (id, hyperparameters, status, objective, seconds).
nlohmann::json TuneResultToJson(const TuneResult& result);

// ---- Workspace ----------------------------------------------------------------------------

// Stores a tuned model in one transaction: the optimal bundle as the model's next version
// (through ModelStore) and every trial in strata_trials. Returns the version.
Result<int> SaveTunedModel(Workspace& workspace, std::string_view name, const TuneResult& result,
                           bool replace = false);

// The trials of a model version (the latest when unset), by trial_id; the bundles are not
// loaded. NotFound when the model has no trials.
Result<std::vector<TrialResult>> LoadTrials(Workspace& workspace, std::string_view name,
                                            std::optional<int> version = std::nullopt);
// One trial's bundle (ML.PREDICT(..., STRUCT(3 AS trial_id))). NotFound names the valid ids.
Result<ModelBundle> LoadTrialBundle(Workspace& workspace, std::string_view name, int trial_id);

}  // namespace strata
