// AutoML (include/strata/automl.h): a portfolio of configurations scored by the one
// cross-validation (strata/cross_validation.h, itself the one Train()), Caruana ensemble
// selection over their out-of-fold predictions, and one ensemble bundle.
#include "strata/automl.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "automl/portfolio.h"
#include "common/clock.h"
#include "common/watchdog.h"
#include "common/text.h"
#include "models/evaluation.h"
#include "strata/build_info.h"
#include "strata/calibration.h"
#include "strata/choose.h"
#include "strata/cross_validation.h"
#include "strata/ensemble.h"
#include "strata/suggest.h"
#include "strata/train_spec.h"
#include "strata/tune.h"

namespace strata {
namespace {

using Clock = std::chrono::steady_clock;
using automl::Candidate;
using automl::DataFacts;
using automl::kImbalancedShare;
using automl::NetworksFit;
using automl::Portfolio;
using automl::Rebalancing;
using automl::RebalancingOf;
using automl::Rebalancings;
using automl::WithRebalancing;
using automl::TypeFor;

// At most this many of the best configurations enter ensemble selection.
constexpr size_t kEnsembleCandidates = 10;
constexpr int kEnsembleRounds = 25;

// The metric's name as ensemble selection knows it (lower-is-better there).
std::string SelectionMetric(const std::string& metric, Task task) {
  static const std::vector<std::string> kShared = {"log_loss", "roc_auc", "pr_auc", "brier_score",
                                                   "accuracy", "mean_squared_error",
                                                   "root_mean_squared_error", "mean_absolute_error"};
  if (std::find(kShared.begin(), kShared.end(), metric) != kShared.end()) return AsciiUpper(metric);
  return task == Task::kRegression ? "MEAN_SQUARED_ERROR" : "LOG_LOSS";
}

// Metrics that are better when lower.
bool LowerIsBetter(const std::string& metric) {
  static const std::vector<std::string> kLower = {
      "log_loss", "brier_score", "mean_absolute_error", "mean_squared_error",
      "root_mean_squared_error", "mean_squared_log_error", "median_absolute_error"};
  return std::find(kLower.begin(), kLower.end(), metric) != kLower.end();
}

Result<std::string> ResolveMetric(const std::string& requested, const DataFacts& facts) {
  if (requested.empty()) {
    if (facts.task == Task::kRegression) return std::string("root_mean_squared_error");
    return std::string(facts.num_classes == 2 ? "roc_auc" : "log_loss");
  }
  std::string m = AsciiLower(requested);
  static const std::vector<std::string> kClassification = {
      "roc_auc", "log_loss", "pr_auc", "accuracy", "f1_score", "precision", "recall",
      "balanced_accuracy", "brier_score"};
  static const std::vector<std::string> kRegression = {
      "root_mean_squared_error", "mean_squared_error", "mean_absolute_error", "r2_score",
      "median_absolute_error", "explained_variance", "mean_squared_log_error"};
  const auto& valid = facts.task == Task::kRegression ? kRegression : kClassification;
  if (std::find(valid.begin(), valid.end(), m) == valid.end()) {
    return InvalidArgument(fmt::format("metric '{}' does not apply to {}; use one of: {}.{}", requested,
                                       TaskName(facts.task), fmt::join(valid, ", "),
                                       DidYouMean(m, valid)));
  }
  return m;
}

Result<DataFacts> Inspect(const Table& data, const std::string& label, std::optional<Task> task) {
  STRATA_ASSIGN_OR_RETURN(ModelAdvice advice, ChooseModel(data, label));
  DataFacts facts;
  facts.task = task.value_or(advice.task);
  if (facts.task == Task::kRegression) {
    STRATA_ASSIGN_OR_RETURN(const Column* y, data.GetColumn(label));
    if (y->type() != DataType::kInt64 && y->type() != DataType::kFloat64) {
      return InvalidArgument(fmt::format("AUTOML_REGRESSOR needs a numeric label, but '{}' is {}; use "
                                         "AUTOML_CLASSIFIER",
                                         label, DataTypeName(y->type())));
    }
  }
  facts.rows = data.num_rows();
  // One-hot categories: counted as 10 inputs each.
  facts.inputs = advice.numeric_columns + 10 * advice.categorical_columns + 3 * advice.time_columns;
  facts.has_categorical = advice.categorical_columns > 0;
  if (facts.task == Task::kRegression) {
    STRATA_ASSIGN_OR_RETURN(const Column* y, data.GetColumn(label));
    bool any = false, positive = true;
    for (int64_t r = 0; r < y->size() && positive; ++r) {
      if (y->IsNull(r)) continue;
      any = true;
      positive = y->GetAsDouble(r) > 0;
    }
    facts.positive_label = any && positive;
  }
  if (facts.task == Task::kClassification) {
    STRATA_ASSIGN_OR_RETURN(const Column* y, data.GetColumn(label));
    std::map<std::string, int64_t> counts;
    for (int64_t r = 0; r < y->size(); ++r) {
      if (!y->IsNull(r)) ++counts[y->FormatValue(r)];
    }
    facts.num_classes = static_cast<int>(counts.size());
    int64_t smallest = std::numeric_limits<int64_t>::max();
    for (const auto& [value, count] : counts) smallest = std::min(smallest, count);
    if (!counts.empty()) facts.minority_share = static_cast<double>(smallest) / static_cast<double>(facts.rows);
  }
  return facts;
}

struct Scored {
  LeaderboardEntry entry;
  CrossValidationResult cv;
};

// Feature importance of an ensemble, per input column: each member's gain importance (XGBoost
// gain; |standardised coefficient| for linear models) summed back to its input columns and
// normalised to sum to 1, then averaged with the member weights. Deterministic and instant,
// unlike attributions of deep forests.
nlohmann::json EnsembleImportance(const std::vector<std::pair<double, const ModelBundle*>>& members) {
  std::map<std::string, double> by_column;
  for (const auto& [weight, bundle] : members) {
    std::map<std::string, std::string> source;
    for (const FeatureInfo& f : bundle->preprocessor.features()) source[f.name] = f.source_column;
    std::map<std::string, double> own;
    double total = 0;
    for (const auto& f : bundle->importance) {
      const std::string feature = f.value("feature", "");
      const double gain = f.value("importance_gain", 0.0);
      if (!(gain > 0) || !std::isfinite(gain)) continue;
      auto it = source.find(feature);
      own[it == source.end() ? feature : it->second] += gain;
      total += gain;
    }
    for (const auto& [column, gain] : own) by_column[column] += weight * gain / total;
  }
  std::vector<std::pair<double, std::string>> ranked;
  for (const auto& [column, value] : by_column) ranked.push_back({value, column});
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [value, column] : ranked) {
    out.push_back({{"feature", column}, {"importance_weight", 0}, {"importance_gain", value}, {"importance_cover", 0}});
  }
  return out;
}

// A search after the portfolio: a TPE sampler over the main options of one family — boosted
// trees (with the rebalancing as one more dimension on imbalanced labels) or neural networks
// — its history seeded with the portfolio's configurations of that family.
struct TunedSearch {
  std::string model_type;
  std::string prefix;  // of the trials' names
  SearchSpace space;
  std::vector<Rebalancing> rebalancings;  // the "rebalancing" dimension's values, if searched
  std::unique_ptr<Sampler> sampler;
  std::vector<Observation> history;

  // The trial's OPTIONS at `point`: the searched values, with "rebalancing" replaced by the
  // balance options it names.
  nlohmann::json OptionsAt(const std::vector<double>& point) const {
    nlohmann::json options = space.OptionsAt(point);
    options.erase("model_type");
    options.erase("input_label_cols");
    if (!options.contains(kRebalancing)) return options;
    const std::string name = options[kRebalancing].get<std::string>();
    options.erase(kRebalancing);
    return WithRebalancing(std::move(options), rebalancings, name);
  }
  static constexpr const char* kRebalancing = "rebalancing";
};

Result<TunedSearch> MakeTunedSearch(const DataFacts& facts, const std::vector<Scored>& scored,
                                    bool lower_better, bool networks, uint64_t seed) {
  const bool cls = facts.task == Task::kClassification;
  TunedSearch search;
  search.model_type = TypeFor(networks ? "DNN" : "BOOSTED_TREE", facts.task);
  search.prefix = networks ? "tuned_dnn" : "tuned_boosted_tree";
  STRATA_ASSIGN_OR_RETURN(const ModelType* type, FindModelType(search.model_type));
  nlohmann::json options;
  if (networks) {
    options = {
        {"model_type", search.model_type},
        {"max_iterations", 300},
        {"early_stopping_rounds", 20},
        {"min_rel_progress", 0.001},
        {"hidden_units", HparamCandidates({{64}, {128}, {256}, {512}, {128, 64}, {256, 128}})},
        {"l2_reg", HparamRange(1e-6, 1e-2)},
        {"dropout", HparamRange(0, 0.6)},
        {"learn_rate", HparamRange(3e-4, 3e-2)},
        {"batch_size", HparamCandidates({32, 64, 128, 256})}};
  } else {
    options = {{"model_type", search.model_type},
               {"max_iterations", 1000},
               {"early_stopping_rounds", 30},
               {"learn_rate", HparamRange(0.01, 0.3)},
               {"max_tree_depth", HparamRange(3, 10)},
               {"subsample", HparamRange(0.5, 1.0)},
               {"colsample_bytree", HparamRange(0.5, 1.0)},
               {"min_tree_child_weight", HparamRange(1, 20)},
               {"l2_reg", HparamRange(0.1, 10)}};
    if (facts.positive_label) options["objective"] = HparamCandidates({"SQUARED_ERROR", "GAMMA"});
  }
  STRATA_ASSIGN_OR_RETURN(search.space, BuildSearchSpace(*type, options));
  // On imbalanced labels every rebalancing of the portfolio, alone or combined, is one value
  // of a categorical dimension, chosen by TPE like any hyperparameter.
  if (!networks && cls && facts.minority_share < kImbalancedShare) {
    search.rebalancings = Rebalancings(facts);
    SearchParam rebalancing;
    rebalancing.name = TunedSearch::kRebalancing;
    rebalancing.kind = ParamKind::kCategorical;
    for (const Rebalancing& r : search.rebalancings) rebalancing.candidates.push_back(r.name);
    search.space.params.push_back(std::move(rebalancing));
  }
  search.sampler = MakeTpeSampler(search.space, seed, /*startup_trials=*/3);
  // Warm start: each portfolio configuration of the family as a point (options it did not
  // set at their declared defaults).
  for (const Scored& s : scored) {
    if (s.entry.model_type != search.model_type) continue;
    std::vector<double> point;
    for (const SearchParam& p : search.space.params) {
      if (p.name == TunedSearch::kRebalancing) {
        point.push_back(p.Encode(RebalancingOf(s.entry.options, facts)));
        continue;
      }
      nlohmann::json value = s.entry.options.contains(p.name) ? s.entry.options[p.name] : nlohmann::json();
      if (value.is_null()) {
        for (const OptionSpec& o : type->options) {
          if (o.name == p.name) value = o.default_value;
        }
      }
      if (value.is_null()) {
        value = p.kind == ParamKind::kCategorical ? p.candidates.front() : nlohmann::json(p.lo);
      }
      point.push_back(p.Encode(value));
    }
    search.history.push_back({point, lower_better ? -s.entry.score : s.entry.score});
  }
  return search;
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

}  // namespace

const std::vector<OptionSpec>& AutoMlOptionSpecs() {
  static const auto* specs = new std::vector<OptionSpec>{
      OptionSpec::Enum("model_type", {"AUTOML_CLASSIFIER", "AUTOML_REGRESSOR"}, "AUTOML_CLASSIFIER",
                       "AUTOML_CLASSIFIER or AUTOML_REGRESSOR"),
      OptionSpec::StringList("input_label_cols", "The label column, as a one-element list"),
      OptionSpec::Float("budget_hours", 1.0, "Time budget in hours (honoured within 10%)").Min(0, true).Max(72),
      OptionSpec::String("optimization_objective",
                         "MAXIMIZE_AU_ROC, MINIMIZE_LOG_LOSS, MAXIMIZE_AU_PRC, MINIMIZE_RMSE, MINIMIZE_MAE, "
                         "MINIMIZE_RMSLE, or an ML.EVALUATE metric name"),
      OptionSpec::String("data_split_col", "Not supported: AutoML cross-validates (or holds out 20%)"),
      OptionSpec::Int("folds", 0, "Cross-validation folds; 0: 5 up to 50,000 rows, else a 20% holdout")
          .Min(0).Max(20).Extension(),
      OptionSpec::Bool("ensemble", true, "Combine the best configurations (Caruana selection)").Extension(),
      OptionSpec::String("positive_class", "Binary: the label that counts as positive").Extension(),
      OptionSpec::Int("seed", 42, "Random seed (folds and models)").Min(0).Extension(),
  };
  return *specs;
}

Result<AutoMlSpec> AutoMlSpecFromOptions(const nlohmann::json& options) {
  STRATA_ASSIGN_OR_RETURN(OptionValues v, ValidateOptions(AutoMlOptionSpecs(), options));
  if (!options.contains("model_type") && !options.contains("MODEL_TYPE")) {
    return InvalidArgument("OPTIONS needs model_type = 'AUTOML_CLASSIFIER' or 'AUTOML_REGRESSOR'");
  }
  AutoMlSpec spec;
  spec.task = v.GetString("model_type") == "AUTOML_REGRESSOR" ? Task::kRegression : Task::kClassification;
  std::vector<std::string> labels = v.GetStringList("input_label_cols");
  if (labels.size() > 1) {
    return InvalidArgument(fmt::format("input_label_cols: only one label column is supported, got {}", labels.size()));
  }
  spec.label = labels.empty() ? "label" : labels[0];
  spec.budget_seconds = v.GetDouble("budget_hours") * 3600.0;
  if (v.Has("data_split_col")) {
    return InvalidArgument("data_split_col is not supported for AutoML models: Strata cross-validates "
                           "(or holds out 20% of large data); remove the option");
  }
  if (v.Has("optimization_objective")) {
    static const std::map<std::string, std::string> kObjectives = {
        {"MAXIMIZE_AU_ROC", "roc_auc"},        {"MINIMIZE_LOG_LOSS", "log_loss"},
        {"MAXIMIZE_AU_PRC", "pr_auc"},         {"MINIMIZE_RMSE", "root_mean_squared_error"},
        {"MINIMIZE_MAE", "mean_absolute_error"}, {"MINIMIZE_RMSLE", "mean_squared_log_error"}};
    const std::string objective = v.GetString("optimization_objective");
    auto it = kObjectives.find(AsciiUpper(objective));
    spec.metric = it != kObjectives.end() ? it->second : AsciiLower(objective);
  }
  spec.folds = static_cast<int>(v.GetInt("folds"));
  spec.ensemble = v.GetBool("ensemble");
  if (v.Has("positive_class")) spec.positive_class = v.GetString("positive_class");
  spec.seed = static_cast<uint64_t>(v.GetInt("seed"));
  return spec;
}

nlohmann::json AutoMlSpec::ToJson() const {
  nlohmann::json j = {{"source", source},         {"source_file", source_file},
                      {"label", label},           {"budget_seconds", budget_seconds},
                      {"metric", metric},         {"folds", folds},
                      {"ensemble", ensemble},     {"seed", seed}};
  if (positive_class) j["positive_class"] = *positive_class;
  if (task) j["task"] = TaskName(*task);
  return j;
}

Result<AutoMlSpec> AutoMlSpec::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgument("an AutoML spec must be a JSON object");
  static const std::vector<std::string> kFields = {"source", "source_file", "label", "budget_seconds", "metric",
                                                   "folds", "ensemble", "seed", "positive_class", "task"};
  for (const auto& [key, value] : j.items()) {
    if (std::find(kFields.begin(), kFields.end(), key) == kFields.end()) {
      return InvalidArgument(fmt::format("unknown AutoML spec field '{}'.{}", key, DidYouMean(key, kFields)));
    }
  }
  AutoMlSpec s;
  try {
    s.source = j.value("source", "");
    s.source_file = j.value("source_file", "");
    s.label = j.value("label", "");
    s.budget_seconds = j.value("budget_seconds", s.budget_seconds);
    s.metric = j.value("metric", "");
    s.folds = j.value("folds", 0);
    s.ensemble = j.value("ensemble", true);
    s.seed = j.value("seed", s.seed);
    if (j.contains("positive_class")) s.positive_class = j["positive_class"].get<std::string>();
    if (j.contains("task")) {
      const std::string task = j["task"].get<std::string>();
      if (task == "classification") {
        s.task = Task::kClassification;
      } else if (task == "regression") {
        s.task = Task::kRegression;
      } else {
        return InvalidArgument("AutoML spec: task must be \"classification\" or \"regression\", not \"" + task + "\"");
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("AutoML spec: ") + e.what());
  }
  return s;
}

Result<AutoMlResult> RunAutoMl(const AutoMlSpec& spec, const Table& data, const AutoMlOptions& options) {
  const auto started = Clock::now();
  if (!(spec.budget_seconds > 0) || !std::isfinite(spec.budget_seconds)) {
    return InvalidArgument(fmt::format("the AutoML budget must be a positive number of seconds, not {}",
                                       spec.budget_seconds));
  }
  if (spec.label.empty()) return InvalidArgument("AutoML needs the label column (--target / input_label_cols)");
  STRATA_RETURN_IF_ERROR(data.GetColumn(spec.label).status().WithContext("label"));
  STRATA_ASSIGN_OR_RETURN(DataFacts facts, Inspect(data, spec.label, spec.task));
  if (facts.task == Task::kClustering) return InvalidArgument("AutoML needs a label to predict");
  if (facts.task == Task::kClassification && facts.num_classes < 2) {
    return InvalidArgument(fmt::format("label '{}' has only one value; a classifier needs at least two",
                                       spec.label));
  }
  STRATA_ASSIGN_OR_RETURN(std::string metric, ResolveMetric(spec.metric, facts));
  const bool lower_better = LowerIsBetter(metric);
  auto better = [lower_better](double a, double b) { return lower_better ? a < b : a > b; };
  if (spec.folds == 1 || spec.folds < 0 || spec.folds > 20) {
    return InvalidArgument(fmt::format("folds = {} is out of range: 0 (automatic) or 2 to 20", spec.folds));
  }
  CrossValidationOptions cv_options;
  const bool holdout = spec.folds == 0 && facts.rows > kAutoMlCvMaxRows;
  cv_options.folds = spec.folds > 0 ? spec.folds : 5;
  cv_options.run_folds = holdout ? 1 : 0;  // a 20% holdout for large data
  facts.networks =
      NetworksFit(facts, spec.budget_seconds, holdout ? 1 : cv_options.folds, cv_options.folds);
  cv_options.keep_models = true;
  cv_options.threads = options.threads;

  // Everything after the search (selection, threshold, metrics, importance) must fit in the
  // rest of the budget: a twentieth of it, at least a second.
  const double reserve = std::max(1.0, spec.budget_seconds * 0.05);
  const auto search_deadline =
      started + std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(std::max(0.0, spec.budget_seconds - reserve)));
  Watchdog watchdog(search_deadline, options.cancel);
  cv_options.cancel = watchdog.flag();

  std::vector<Scored> scored;
  std::vector<LeaderboardEntry> failed;
  int done = 0;
  const LeaderboardEntry* best = nullptr;
  // Seconds each forest type took, to skip one that cannot finish in the time left: a forest
  // is a single XGBoost round, which cannot be interrupted (boosted trees and linear models
  // stop within an iteration when the budget ends).
  std::map<std::string, double> seconds_by_type;
  // Scores one configuration by cross-validation and records it; false when the search
  // must stop (budget reached or cancelled).
  auto evaluate = [&](const Candidate& c) -> Result<bool> {
    // The caller's flag too: the watchdog sees it within 20 ms, and a cancel set between two
    // configurations must start no further one.
    if (watchdog.flag()->load() || watchdog.user_cancelled()) return false;
    const double left = std::chrono::duration<double>(search_deadline - Clock::now()).count();
    if (auto seen = seconds_by_type.find(c.model_type); seen != seconds_by_type.end() && seen->second > left) {
      LeaderboardEntry skipped;
      skipped.name = c.name;
      skipped.model_type = c.model_type;
      skipped.options = c.options;
      skipped.status = fmt::format("skipped: a {} took {:.1f} s, {:.1f} s were left", c.model_type,
                                   seen->second, left);
      failed.push_back(skipped);
      return true;
    }
    nlohmann::json o = c.options;
    o["model_type"] = c.model_type;
    o["input_label_cols"] = {spec.label};
    auto train_spec = TrainSpecFromOptions(o);
    if (!train_spec.ok()) return train_spec.status().WithContext("AutoML configuration " + c.name);
    train_spec->source = spec.source;
    train_spec->source_file = spec.source_file;
    train_spec->positive_class = spec.positive_class;
    train_spec->seed = spec.seed;
    LeaderboardEntry entry;
    entry.name = c.name;
    entry.model_type = c.model_type;
    entry.options = c.options;
    const auto fit_started = Clock::now();
    auto cv = CrossValidate(*train_spec, data, cv_options);
    entry.fit_seconds = Seconds(fit_started);
    if (c.model_type.starts_with("RANDOM_FOREST")) {
      seconds_by_type[c.model_type] = std::max(seconds_by_type[c.model_type], entry.fit_seconds);
    }
    ++done;
    if (!cv.ok()) {
      if (cv.status().code() == StatusCode::kCancelled) {
        entry.status = watchdog.user_cancelled() ? "cancelled" : "stopped: budget reached";
        failed.push_back(entry);
        return false;
      }
      // A configuration that cannot train this data (e.g. SMOTE on a class of one row) is
      // reported, not fatal; an error in the data itself fails every one the same way.
      entry.status = "failed: " + cv.status().message();
      failed.push_back(entry);
      if (scored.empty() && failed.size() >= 3) return cv.status().WithContext("AutoML");
      return true;
    }
    auto it = cv->mean.find(metric);
    if (it == cv->mean.end() || !std::isfinite(it->second)) {
      entry.status = "failed: metric " + metric + " is undefined on this data";
      failed.push_back(entry);
      return true;
    }
    entry.score = it->second;
    entry.score_std = cv->stddev.count(metric) ? cv->stddev.at(metric) : 0.0;
    entry.status = "ok";
    scored.push_back({entry, std::move(*cv)});
    best = nullptr;
    for (const Scored& s : scored) {
      if (best == nullptr || better(s.entry.score, best->score)) {
        best = &s.entry;
      }
    }
    if (options.on_progress) {
      options.on_progress(AutoMlEvent{done, Seconds(started), spec.budget_seconds,
                                      &scored.back().entry, best, metric});
    }
    return true;
  };

  // Phase 1: the portfolio of known-good configurations.
  bool going = true;
  for (const Candidate& c : Portfolio(facts)) {
    STRATA_ASSIGN_OR_RETURN(going, evaluate(c));
    if (!going) break;
  }
  // Phase 2: what is left of the budget tunes boosted trees and neural networks with TPE
  // (strata/tune.h), each warm-started with the portfolio's results of its family: two
  // trials of the family that did better in the portfolio for every one of the other, so
  // that the ensemble still has members that err differently.
  if (going) {
    auto best_of = [&](std::string_view family) {
      std::optional<double> found;
      for (const Scored& s : scored) {
        if (s.entry.model_type != TypeFor(family, facts.task)) continue;
        if (!found || better(s.entry.score, *found)) found = s.entry.score;
      }
      return found;
    };
    const std::optional<double> best_bt = best_of("BOOSTED_TREE"), best_dnn = best_of("DNN");
    const bool networks_first = best_dnn && (!best_bt || better(*best_dnn, *best_bt));
    std::vector<TunedSearch> searches;
    for (bool networks : {networks_first, !networks_first}) {
      if (networks && !best_dnn) continue;  // networks were not tried (or all failed)
      STRATA_ASSIGN_OR_RETURN(TunedSearch search,
                              MakeTunedSearch(facts, scored, lower_better, networks, spec.seed));
      searches.push_back(std::move(search));
    }
    std::vector<int> trials(searches.size(), 0);
    for (int round = 0; going; ++round) {
      const size_t which = searches.size() > 1 && round % 3 == 2 ? 1 : 0;
      TunedSearch& search = searches[which];
      std::optional<std::vector<double>> point = search.sampler->Suggest(search.history);
      if (!point) break;
      Candidate c{fmt::format("{}_{}", search.prefix, ++trials[which]), search.model_type,
                  search.OptionsAt(*point)};
      const size_t before = scored.size();
      STRATA_ASSIGN_OR_RETURN(going, evaluate(c));
      // A failed or stopped trial teaches the sampler nothing; a finished one is observed.
      if (scored.size() > before) {
        const double score = scored.back().entry.score;
        search.history.push_back({*point, lower_better ? -score : score});
      }
    }
  }
  if (scored.empty()) {
    if (watchdog.user_cancelled()) return Cancelled("AutoML cancelled before any model finished");
    return ResourceExhausted(fmt::format(
        "no model finished within the budget of {:.0f} s; give AutoML more time (--budget)",
        spec.budget_seconds));
  }

  // Rank, then select the ensemble among the best over the rows every candidate predicted.
  auto by_score = [&](const Scored& a, const Scored& b) {
    return better(a.entry.score, b.entry.score);
  };
  std::stable_sort(scored.begin(), scored.end(), by_score);
  // The candidates: the best configurations, plus the best of every model type not among
  // them, so that selection can mix families (members that err differently).
  size_t m = 1;
  if (spec.ensemble) {
    std::vector<Scored> candidates, rest;
    std::set<std::string> types;
    for (Scored& s : scored) {
      const bool pick =
          candidates.size() < kEnsembleCandidates || !types.contains(s.entry.model_type);
      types.insert(s.entry.model_type);
      (pick ? candidates : rest).push_back(std::move(s));
    }
    m = candidates.size();
    for (Scored& s : rest) candidates.push_back(std::move(s));
    scored = std::move(candidates);
  }
  const std::vector<int64_t>& rows = scored.front().cv.predicted_rows;
  const int k = facts.task == Task::kClassification ? facts.num_classes : 0;
  const size_t width = k > 0 ? static_cast<size_t>(k) : 1;
  std::vector<double> labels;
  for (int64_t r : rows) labels.push_back(scored.front().cv.labels[r]);
  std::vector<ModelOutput> oof(m);
  for (size_t i = 0; i < m; ++i) {
    const ModelOutput& all = scored[i].cv.oof;
    std::vector<double>& dst = k > 0 ? oof[i].probabilities : oof[i].values;
    const std::vector<double>& src = k > 0 ? all.probabilities : all.values;
    oof[i].width = all.width;
    for (int64_t r : rows) {
      for (size_t c = 0; c < width; ++c) dst.push_back(src[static_cast<size_t>(r) * width + c]);
    }
  }
  STRATA_ASSIGN_OR_RETURN(EnsembleSelection selection,
                          SelectEnsemble(oof, labels, facts.task, k, SelectionMetric(metric, facts.task),
                                         m > 1 ? kEnsembleRounds : 1));

  // The final bundle: every fold model of each selected configuration, sharing its weight.
  std::vector<EnsembleMember> members;
  std::vector<std::pair<double, const ModelBundle*>> members_for_importance;
  std::vector<const ModelOutput*> chosen;
  std::vector<double> chosen_weights;
  for (size_t i = 0; i < m; ++i) {
    scored[i].entry.ensemble_weight = selection.weights[i];
    if (selection.weights[i] <= 0) continue;
    const auto& models = scored[i].cv.models;
    for (const ModelBundle& b : models) {
      members.push_back({selection.weights[i] / static_cast<double>(models.size()), b});
      members_for_importance.push_back({selection.weights[i] / static_cast<double>(models.size()), &b});
    }
    chosen.push_back(&oof[i]);
    chosen_weights.push_back(selection.weights[i]);
  }
  const std::string automl_type = k > 0 ? "AUTOML_CLASSIFIER" : "AUTOML_REGRESSOR";
  STRATA_ASSIGN_OR_RETURN(ModelBundle bundle, MakeEnsembleBundle(std::move(members), automl_type));
  STRATA_ASSIGN_OR_RETURN(ModelOutput ensemble_oof, AverageOutputs(chosen, chosen_weights));
  // Recalibration: one temperature fitted on the ensemble's out-of-fold probabilities
  // (averaging members softens them), applied before the threshold and the metrics, and
  // stored in the bundle for every later prediction.
  if (k > 0) {
    bundle.temperature = FitTemperature(ensemble_oof.probabilities, labels, k);
    ApplyTemperature(bundle.temperature, k, &ensemble_oof.probabilities);
  }

  // Threshold and metrics on the out-of-fold predictions (never seen by the fold models).
  Table held = data.Take(rows);
  if (k == 2) {
    std::vector<int> y(labels.begin(), labels.end());
    STRATA_ASSIGN_OR_RETURN(bundle.threshold,
                            ChooseThreshold(ThresholdSpec{}, y, ensemble_oof.probabilities));
  }
  STRATA_ASSIGN_OR_RETURN(EvaluationResult evaluation,
                          EvaluateOutput(bundle, held, FeatureMatrix(), ensemble_oof, bundle.threshold));
  bundle.metrics = evaluation.metrics;
  bundle.eval_summary = evaluation.summary;
  bundle.metrics["evaluated_on"] =
      holdout ? fmt::format("out-of-fold predictions of a 1/{} holdout", cv_options.folds)
              : fmt::format("out-of-fold predictions ({}-fold cross-validation)", cv_options.folds);

  AutoMlResult result;
  result.metric = metric;
  result.higher_is_better = !lower_better;
  result.ensemble_score = bundle.metrics.contains(metric) && bundle.metrics[metric].is_number()
                              ? bundle.metrics[metric].get<double>()
                              : std::numeric_limits<double>::quiet_NaN();
  // Importance first: it points into the fold models that the sort below moves.
  bundle.importance = EnsembleImportance(members_for_importance);
  std::stable_sort(scored.begin(), scored.end(), by_score);  // the leaderboard's order
  for (const Scored& s : scored) result.leaderboard.push_back(s.entry);
  for (const LeaderboardEntry& f : failed) result.leaderboard.push_back(f);
  result.cancelled = watchdog.user_cancelled();

  nlohmann::json leaderboard = nlohmann::json::array();
  for (size_t i = 0; i < result.leaderboard.size(); ++i) {
    const LeaderboardEntry& e = result.leaderboard[i];
    leaderboard.push_back({{"rank", i + 1},
                           {"name", e.name},
                           {"model_type", e.model_type},
                           {"options", e.options},
                           {"metric", metric},
                           {"score", e.status == "ok" ? nlohmann::json(e.score) : nlohmann::json()},
                           {"score_std", e.status == "ok" ? nlohmann::json(e.score_std) : nlohmann::json()},
                           {"fit_seconds", e.fit_seconds},
                           {"ensemble_weight", e.ensemble_weight},
                           {"status", e.status}});
  }
  bundle.eval_summary["leaderboard"] = leaderboard;
  bundle.options = {{"budget_hours", spec.budget_seconds / 3600.0},
                    {"optimization_objective", metric},
                    {"folds", holdout ? 1 : cv_options.folds}};
  bundle.spec.options = bundle.options;
  result.seconds = Seconds(started);
  bundle.lineage = {{"source", spec.source_file.empty() ? spec.source : spec.source_file},
                    {"source_kind", spec.source_file.empty() ? "table" : "file"},
                    {"rows", data.num_rows()},
                    {"train_rows", data.num_rows()},
                    {"eval_rows", static_cast<int64_t>(rows.size())},
                    {"split_method", holdout ? "HOLDOUT" : "CROSS_VALIDATION"},
                    {"automl", spec.ToJson()},
                    {"calibration_temperature", bundle.temperature},
                    {"created_at", NowUtc()},
                    {"training_seconds", result.seconds},
                    {"strata_version", STRATA_VERSION}};
  result.bundle = std::move(bundle);
  return result;
}

}  // namespace strata
