// The tuner (include/strata/tune.h): holds a test part out once, runs trials through the
// one Train() in batches of max_parallel_trials, picks the best on evaluation data and
// evaluates it on the test part.
//
// Trials run in batches: the next batch is proposed once the previous one has finished, in
// trial order. That keeps the same seed giving the same trials whatever the thread timing
// (ASHA's fully asynchronous version would promote by completion order, which is not
// reproducible), at the price of idle cores while the slowest trial of a batch finishes.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "common/parallel.h"
#include "common/text.h"
#include "strata/split.h"
#include "strata/trainer.h"
#include "strata/tune.h"

namespace strata {
namespace {

// BigQuery ML's 80/10/10 when tuning with AUTO_SPLIT.
constexpr double kTestFraction = 0.1;
constexpr double kEvalFraction = 0.1;
// ASHA's reduction factor and the smallest rung as a share of the full resource.
constexpr int kEta = 3;
constexpr int kMinResourceDivisor = 9;
// Fewer rounds (or trees) than this rank trials by noise: on churn, 1- and 2-round boosted
// trees scored ROC AUC 0.48-0.86 whatever their later quality.
constexpr int64_t kMinResource = 3;

std::vector<OptionSpec> BuildTuneOptionSpecs() {
  return {
      OptionSpec::Int("num_trials", std::nullopt, "Number of trials (hyperparameter tuning)")
          .Min(1)
          .Max(100),
      OptionSpec::Int("max_parallel_trials", 1, "Trials run at the same time").Min(1).Max(5),
      OptionSpec::Enum(
          "hparam_tuning_algorithm",
          {"VIZIER_DEFAULT", "RANDOM_SEARCH", "GRID_SEARCH", "TPE", "TPE_ASHA", "RANDOM", "GRID"},
          "VIZIER_DEFAULT",
          "How trials are proposed: VIZIER_DEFAULT (TPE with successive halving), "
          "RANDOM_SEARCH (quasi-random), GRID_SEARCH"),
      OptionSpec::StringList("hparam_tuning_objectives",
                             "The metric to optimise on evaluation data, e.g. ['roc_auc']"),
      OptionSpec::Float("tuning_time_budget_seconds", 0.0,
                        "Start no trial after this many seconds (0: no limit)")
          .Min(0)
          .Extension(),
  };
}

struct Outcome {
  Result<ModelBundle> bundle = Internal("not run");
  double seconds = 0;
};

// The held-out test rows and the split the trials use on the rest.
struct Holdout {
  Table rest, test;
  SplitSpec trial_split;
};

Result<Holdout> HoldOut(const Table& data, const TrainSpec& base, const std::string& label,
                        bool classification) {
  Holdout h;
  h.trial_split = base.split;
  h.trial_split.test_fraction = 0;
  const double test = base.split.test_fraction > 0 ? base.split.test_fraction : kTestFraction;
  SplitResult parts;
  switch (base.split.method) {
    case SplitMethod::kAutoSplit:
    case SplitMethod::kRandom: {
      const double eval =
          base.split.method == SplitMethod::kRandom ? base.split.eval_fraction : kEvalFraction;
      if (eval + test >= 1) {
        return InvalidArgument(fmt::format(
            "data_split_eval_fraction ({}) + data_split_test_fraction ({}) leave no training rows: "
            "their sum must be below 1",
            eval, test));
      }
      SplitSpec hold;
      hold.method = SplitMethod::kRandom;
      hold.eval_fraction = test;
      hold.stratify = base.split.stratify;
      STRATA_ASSIGN_OR_RETURN(parts, SplitRows(data, hold, label, classification, base.seed));
      h.rest = data.Take(parts.train);
      h.test = data.Take(parts.eval);
      h.trial_split.method = SplitMethod::kRandom;
      h.trial_split.eval_fraction = eval / (1 - test);
      return h;
    }
    case SplitMethod::kSeq: {
      SplitSpec seq = base.split;
      seq.test_fraction = test;
      STRATA_ASSIGN_OR_RETURN(parts, SplitRows(data, seq, label, classification, base.seed));
      RowIndices rest = parts.train;
      rest.insert(rest.end(), parts.eval.begin(), parts.eval.end());
      std::sort(rest.begin(), rest.end());
      h.rest = data.Take(rest);
      h.test = data.Take(parts.test);
      h.trial_split.eval_fraction = base.split.eval_fraction / (1 - test);
      return h;
    }
    default:  // CUSTOM and NO_SPLIT: the user's split, no test part
      h.rest = data.Slice(0, data.num_rows());
      return h;
  }
}

std::optional<double> LastLoss(const ModelBundle& b, const char* key) {
  if (!b.training_info.is_array() || b.training_info.empty()) return std::nullopt;
  const auto& last = b.training_info.back();
  if (!last.contains(key) || !last[key].is_number()) return std::nullopt;
  return last[key].get<double>();
}

std::string FormatValue(const nlohmann::json& v) {
  if (v.is_number_float()) return fmt::format("{:.4g}", v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// The unit point of the declared default values, clamped into the space; the middle where
// an option has no default (num_clusters, downsample_ratio) or it lies outside a category list.
std::vector<double> DefaultPoint(const SearchSpace& space, const OptionValues& declared) {
  std::vector<double> point;
  for (const SearchParam& p : space.params) {
    const nlohmann::json& v = declared.Get(p.name);
    double u = 0.5;
    if (p.kind == ParamKind::kCategorical) {
      if (std::find(p.candidates.begin(), p.candidates.end(), v) != p.candidates.end()) u = p.Encode(v);
    } else if (v.is_number()) {
      u = p.Encode(std::max(v.get<double>(), p.lo));
    }
    point.push_back(std::isfinite(u) ? std::clamp(u, 0.0, 1.0) : 0.5);
  }
  return point;
}

}  // namespace

nlohmann::json WithoutHparams(const nlohmann::json& options) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : options.items()) {
    if (!IsHparam(v)) out[k] = v;
  }
  return out;
}

const std::vector<OptionSpec>& TuneOptionSpecs() {
  static const std::vector<OptionSpec> kSpecs = BuildTuneOptionSpecs();
  return kSpecs;
}

bool WantsTuning(const nlohmann::json& options) {
  if (!options.is_object()) return false;
  for (const auto& [k, v] : options.items()) {
    if (AsciiLower(k) == "num_trials") return true;
  }
  return false;
}

Result<TuneAlgorithm> ParseTuneAlgorithm(std::string_view name) {
  const std::string n = AsciiUpper(name);
  if (n == "VIZIER_DEFAULT" || n == "TPE_ASHA") return TuneAlgorithm::kTpeAsha;
  if (n == "TPE") return TuneAlgorithm::kTpe;
  if (n == "RANDOM_SEARCH" || n == "RANDOM") return TuneAlgorithm::kRandom;
  if (n == "GRID_SEARCH" || n == "GRID") return TuneAlgorithm::kGrid;
  return InvalidArgument(fmt::format(
      "hparam_tuning_algorithm: '{}' is not an algorithm; use VIZIER_DEFAULT (tpe_asha), TPE, "
      "RANDOM_SEARCH (random) or GRID_SEARCH (grid)",
      name));
}

std::string_view TuneAlgorithmName(TuneAlgorithm algorithm) {
  switch (algorithm) {
    case TuneAlgorithm::kTpeAsha:
      return "TPE_ASHA";
    case TuneAlgorithm::kTpe:
      return "TPE";
    case TuneAlgorithm::kRandom:
      return "RANDOM_SEARCH";
    case TuneAlgorithm::kGrid:
      return "GRID_SEARCH";
  }
  return "?";
}

std::string_view TrialStatusName(TrialStatus status) {
  return status == TrialStatus::kSucceeded ? "SUCCEEDED" : "FAILED";
}

Result<TuneSpec> TuneSpecFromOptions(const nlohmann::json& options) {
  if (!options.is_object()) return InvalidArgument("OPTIONS must be a list of name = value");
  TuneSpec spec;
  nlohmann::json tuning = nlohmann::json::object();
  for (const auto& [raw, value] : options.items()) {
    const std::string name = AsciiLower(raw);
    const bool is_tuning = std::any_of(TuneOptionSpecs().begin(), TuneOptionSpecs().end(),
                                       [&](const OptionSpec& s) { return s.name == name; });
    (is_tuning ? tuning : spec.options)[name] = value;
  }
  STRATA_ASSIGN_OR_RETURN(OptionValues v, ValidateOptions(TuneOptionSpecs(), tuning));
  if (!v.Has("num_trials")) {
    return InvalidArgument("hyperparameter tuning needs num_trials, e.g. num_trials = 20");
  }
  spec.num_trials = static_cast<int>(v.GetInt("num_trials"));
  spec.max_parallel_trials = static_cast<int>(v.GetInt("max_parallel_trials"));
  STRATA_ASSIGN_OR_RETURN(spec.algorithm,
                          ParseTuneAlgorithm(v.GetString("hparam_tuning_algorithm")));
  std::vector<std::string> objectives = v.GetStringList("hparam_tuning_objectives");
  if (objectives.size() > 1) {
    return InvalidArgument(
        fmt::format("hparam_tuning_objectives: Strata optimises one objective, "
                    "got {}; give one, e.g. ['{}']",
                    objectives.size(), objectives[0]));
  }
  if (!objectives.empty()) spec.objective = objectives[0];
  spec.time_budget_seconds = v.GetDouble("tuning_time_budget_seconds");
  return spec;
}

std::string FormatHyperparameters(const nlohmann::json& hyperparameters) {
  std::string out;
  for (const auto& [name, value] : hyperparameters.items()) {
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", name, FormatValue(value));
  }
  return out;
}

std::string FormatTrialLine(const TuneProgress& p) {
  const TrialResult& t = *p.trial;
  std::string line = fmt::format("trial {}/{}  {}", t.trial_id, p.total, FormatHyperparameters(t.hyperparameters));
  if (t.status != TrialStatus::kSucceeded) return line + "  FAILED: " + t.error_message;
  const std::string metric = p.objective ? p.objective->metric : "objective";
  line += fmt::format("  {}={:.4f}", metric, t.objective);
  if (p.best) line += fmt::format("  best={:.4f} (trial {})", p.best->objective, p.best->trial_id);
  return line;
}

nlohmann::json TuneResultToJson(const TuneResult& result) {
  nlohmann::json trials = nlohmann::json::array();
  for (const TrialResult& t : result.trials) {
    trials.push_back(
        {{"trial_id", t.trial_id},
         {"hyperparameters", t.hyperparameters},
         {"status", std::string(TrialStatusName(t.status))},
         {"error_message", t.error_message},
         {"objective",
          t.status == TrialStatus::kSucceeded ? nlohmann::json(t.objective) : nlohmann::json()},
         {"seconds", t.seconds},
         {"is_optimal", t.is_optimal}});
  }
  const bool any = result.optimal_index < result.trials.size();
  return {{"model_type", result.model.model_type},
          {"objective", result.objective.name},
          {"algorithm", std::string(TuneAlgorithmName(result.algorithm))},
          {"optimal_trial_id", any ? nlohmann::json(result.trials[result.optimal_index].trial_id)
                                   : nlohmann::json()},
          {"eval_metrics", any ? result.trials[result.optimal_index].eval_metrics : nlohmann::json()},
          {"test_metrics", result.model.metrics},
          {"cancelled", result.cancelled},
          {"trials", trials}};
}

Result<TuneResult> Tune(const TuneSpec& spec, const Table& data, const TuneOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  RegisterBuiltinModels();
  if (spec.num_trials < 1 || spec.num_trials > 100) {
    return InvalidArgument(fmt::format("num_trials must be in [1, 100], got {}", spec.num_trials));
  }
  STRATA_ASSIGN_OR_RETURN(TrainSpec base, TrainSpecFromOptions(WithoutHparams(spec.options)));
  STRATA_ASSIGN_OR_RETURN(const ModelType* type, FindModelType(base.model_type));
  STRATA_ASSIGN_OR_RETURN(SearchSpace space, BuildSearchSpace(*type, spec.options));
  TuneResult result;
  result.algorithm = spec.algorithm;
  STRATA_ASSIGN_OR_RETURN(result.objective, FindObjective(type->task, spec.objective));
  const Objective& objective = result.objective;

  // Check the fixed part against the data before anything runs (label, option values); the
  // searched values were checked against their declarations already.
  TrainSpec probe = base;
  probe.transform = spec.transform;
  probe.features = spec.features;
  STRATA_RETURN_IF_ERROR(ValidateTrainSpec(probe, data));
  STRATA_ASSIGN_OR_RETURN(OptionValues declared,
                          ValidateOptions(type->options, nlohmann::json::object()));

  const bool classification = type->task == Task::kClassification;
  const std::string label =
      type->task == Task::kClustering ? "" : (base.label.empty() ? "label" : base.label);
  STRATA_ASSIGN_OR_RETURN(Holdout holdout, HoldOut(data, base, label, classification));
  result.test_rows = holdout.test.num_rows();

  // Cores: trials at once never exceed them, and share them out.
  const int cores = ResolveThreads(options.threads);
  const int parallel = std::clamp(spec.max_parallel_trials, 1, cores);
  const int threads_per_trial = std::max(1, cores / parallel);

  // Successive halving over boosting rounds (trees for a forest), unless that is searched.
  const bool boosted = type->name.rfind("BOOSTED_TREE", 0) == 0;
  const bool forest = type->name.rfind("RANDOM_FOREST", 0) == 0;
  const std::string resource_option = boosted ? "max_iterations" : "num_parallel_tree";
  const bool searched =
      std::any_of(space.params.begin(), space.params.end(),
                  [&](const SearchParam& p) { return p.name == resource_option; });
  std::optional<SuccessiveHalving> asha;
  if (spec.algorithm == TuneAlgorithm::kTpeAsha && (boosted || forest) && !searched) {
    STRATA_ASSIGN_OR_RETURN(OptionValues defaults,
                            ValidateOptions(type->options, nlohmann::json::object()));
    int64_t max_resource =
        space.fixed.contains(resource_option) && space.fixed[resource_option].is_number()
            ? space.fixed[resource_option].get<int64_t>()
            : defaults.GetInt(resource_option);
    const int64_t min_resource = std::max<int64_t>(kMinResource, max_resource / kMinResourceDivisor);
    asha.emplace(max_resource, kEta, min_resource);
    if (asha->rungs() < 2) asha.reset();
  }

  // TPE's first trial is the declared defaults (where they fall in the space): a search
  // then never ends below the defaults on evaluation data unless successive halving cut them.
  const bool uses_tpe =
      spec.algorithm == TuneAlgorithm::kTpe || spec.algorithm == TuneAlgorithm::kTpeAsha;
  std::unique_ptr<Sampler> sampler;
  const uint64_t seed = base.seed;
  switch (spec.algorithm) {
    case TuneAlgorithm::kGrid:
      sampler = MakeGridSampler(space, seed);
      break;
    case TuneAlgorithm::kRandom:
      sampler = MakeQuasiRandomSampler(space, seed);
      break;
    default:
      sampler = MakeTpeSampler(space, seed, std::clamp(spec.num_trials / 4, 3, 10));
      break;
  }

  std::vector<std::vector<double>> points;  // per trial
  auto stop_requested = [&] {
    if (options.cancel != nullptr && options.cancel->load()) return true;
    if (spec.time_budget_seconds > 0) {
      double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (elapsed >= spec.time_budget_seconds) return true;
    }
    return false;
  };
  auto best_index = [&]() -> std::optional<size_t> {
    std::optional<size_t> best;
    for (size_t i = 0; i < result.trials.size(); ++i) {
      const TrialResult& t = result.trials[i];
      if (t.status != TrialStatus::kSucceeded) continue;
      const double s = objective.maximize ? t.objective : -t.objective;
      const TrialResult* b = best ? &result.trials[*best] : nullptr;
      if (b == nullptr || s > (objective.maximize ? b->objective : -b->objective)) best = i;
    }
    return best;
  };

  struct Job {
    size_t trial;
    int rung;
  };
  int done = 0;
  // Runs a batch of jobs at once and records them in job order.
  auto run_batch = [&](const std::vector<Job>& jobs) {
    std::vector<Outcome> outcomes(jobs.size());
    std::vector<nlohmann::json> job_options(jobs.size());
    for (size_t j = 0; j < jobs.size(); ++j) {
      job_options[j] = space.OptionsAt(points[jobs[j].trial]);
      if (asha) job_options[j][resource_option] = asha->Resource(jobs[j].rung);
    }
    ParallelFor(
        static_cast<int64_t>(jobs.size()), static_cast<int>(jobs.size()),
        [&](int64_t begin, int64_t end, int) {
          for (int64_t j = begin; j < end; ++j) {
            auto t0 = std::chrono::steady_clock::now();
            Outcome& out = outcomes[static_cast<size_t>(j)];
            auto trial_spec = TrainSpecFromOptions(job_options[static_cast<size_t>(j)]);
            if (!trial_spec.ok()) {
              out.bundle = trial_spec.status();
              continue;
            }
            trial_spec->split = holdout.trial_split;
            trial_spec->source = spec.source;
            trial_spec->transform = spec.transform;
            trial_spec->features = spec.features;
            TrainOptions train;
            train.threads = threads_per_trial;
            train.cancel = options.cancel;
            train.data_fingerprint = options.data_fingerprint;
            out.bundle = Train(*trial_spec, holdout.rest, train);
            out.seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          }
        });

    for (size_t j = 0; j < jobs.size(); ++j) {
      TrialResult& t = result.trials[jobs[j].trial];
      Outcome& out = outcomes[j];
      t.seconds += out.seconds;
      const bool promotion = jobs[j].rung > 0;
      if (!out.bundle.ok()) {
        if (out.bundle.status().code() == StatusCode::kCancelled && promotion)
          continue;  // keep rung k
        t.status = TrialStatus::kFailed;
        t.error_message = out.bundle.status().message();
        t.objective = std::nan("");
        t.bundle.reset();
      } else {
        const nlohmann::json& m = out.bundle->metrics;
        if (!m.contains(objective.metric) || !m[objective.metric].is_number()) {
          t.status = TrialStatus::kFailed;
          t.error_message = fmt::format(
              "the objective {} could not be computed on the "
              "evaluation data",
              objective.name);
          t.bundle.reset();
        } else {
          t.status = TrialStatus::kSucceeded;
          t.error_message.clear();
          t.objective = m[objective.metric].get<double>();
          t.eval_metrics = m;
          t.training_loss = LastLoss(*out.bundle, "loss");
          t.eval_loss = LastLoss(*out.bundle, "eval_loss");
          t.options = job_options[j];
          if (asha) {
            t.resource = asha->Resource(jobs[j].rung);
            t.hyperparameters[resource_option] = t.resource;
            asha->Report(t.trial_id, jobs[j].rung, objective.maximize ? t.objective : -t.objective);
          }
          t.bundle = std::make_shared<const ModelBundle>(std::move(*out.bundle));
        }
      }
      if (!promotion) ++done;
      if (options.progress) {
        std::optional<size_t> best = best_index();
        TuneProgress p;
        p.trial = &t;
        p.done = done;
        p.total = spec.num_trials;
        p.best = best ? &result.trials[*best] : nullptr;
        p.objective = &objective;
        options.progress(p);
      }
    }
  };
  while (true) {
    if (stop_requested()) {
      result.cancelled = true;
      break;
    }
    // Observations: each succeeded trial's latest score, in trial order.
    std::vector<Observation> history;
    for (size_t i = 0; i < result.trials.size(); ++i) {
      const TrialResult& t = result.trials[i];
      if (t.status != TrialStatus::kSucceeded) continue;
      history.push_back({points[i], objective.maximize ? t.objective : -t.objective});
    }
    std::vector<Job> jobs;
    while (static_cast<int>(jobs.size()) < parallel) {
      if (asha) {
        if (auto promotion = asha->NextPromotion()) {
          jobs.push_back({static_cast<size_t>(promotion->first - 1), promotion->second});
          continue;
        }
      }
      if (static_cast<int>(result.trials.size()) >= spec.num_trials) break;
      std::optional<std::vector<double>> point =
          result.trials.empty() && uses_tpe ? DefaultPoint(space, declared) : sampler->Suggest(history);
      if (!point) break;  // a grid smaller than num_trials is done
      TrialResult t;
      t.trial_id = static_cast<int>(result.trials.size()) + 1;
      t.hyperparameters = space.HyperparametersAt(*point);
      t.objective = std::nan("");
      result.trials.push_back(std::move(t));
      points.push_back(*point);
      jobs.push_back({result.trials.size() - 1, 0});
    }
    if (jobs.empty()) break;

    run_batch(jobs);
  }

  // ASHA with few trials may never reach the top rung: the best trial then trains once
  // more with the full resource, so the model is not cut short of the rounds asked for.
  if (asha && !result.cancelled) {
    std::optional<size_t> leader = best_index();
    if (leader && result.trials[*leader].resource < asha->Resource(asha->rungs() - 1)) {
      run_batch({Job{*leader, asha->rungs() - 1}});
    }
  }
  std::optional<size_t> best = best_index();
  if (!best) {
    if (result.cancelled && options.cancel != nullptr && options.cancel->load()) {
      return Cancelled("tuning was cancelled before any trial finished");
    }
    std::string first_error;
    for (const TrialResult& t : result.trials) {
      if (!t.error_message.empty()) {
        first_error = t.error_message;
        break;
      }
    }
    return InvalidArgument(fmt::format("no trial succeeded ({} tried); the first error: {}",
                                       result.trials.size(), first_error));
  }
  result.optimal_index = *best;
  TrialResult& optimal = result.trials[*best];
  optimal.is_optimal = true;
  result.model = *optimal.bundle;
  if (holdout.test.num_rows() > 0) {
    STRATA_ASSIGN_OR_RETURN(result.test_metrics, Evaluate(result.model, holdout.test));
    result.model.eval_summary = result.test_metrics.value("summary", nlohmann::json::object());
    result.model.metrics = result.test_metrics;
    result.model.metrics.erase("summary");
    result.model.metrics["evaluated_on"] = "test split";
  }
  result.model.lineage["test_rows"] = holdout.test.num_rows();
  result.model.lineage["tuning"] = {{"num_trials", result.trials.size()},
                                    {"optimal_trial_id", optimal.trial_id},
                                    {"objective", objective.name},
                                    {"algorithm", std::string(TuneAlgorithmName(spec.algorithm))},
                                    {"successive_halving", asha.has_value()},
                                    {"max_parallel_trials", parallel},
                                    {"threads_per_trial", threads_per_trial}};
  return result;
}

}  // namespace strata
