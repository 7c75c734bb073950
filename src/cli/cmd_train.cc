// `strata train TABLE --target COL --model TYPE`: step 4 of the seven. Builds a TrainSpec
// from BigQuery-ML-style options (the same path SQL's CREATE MODEL takes), trains through
// the one pipeline, and stores the bundle as a new model version.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/cli.h"
#include "cli/ml_common.h"
#include "cli/output.h"
#include "cli/progress_bar.h"
#include "strata/data_file.h"
#include "strata/model_store.h"
#include "strata/trainer.h"
#include "strata/workspace.h"

namespace strata::cli {
namespace {

struct TrainArgs {
  std::string table;
  std::string file;
  std::string target;
  std::string model_type;
  std::string name;
  std::vector<std::string> options;
  std::string spec_file;
  bool replace = false;
  // Imbalance shortcuts (each maps onto an OPTIONS name).
  bool auto_class_weights = false;
  std::vector<std::string> class_weights;
  double downsample = 0;
  bool no_upweight = false;
  std::string upsample;
  double upsample_ratio = 0;
  std::string split;
  double eval_fraction = 0;
  std::string threshold_objective;
  double threshold_target = -1;
  int64_t seed = -1;
  int threads = 0;
};

Result<TrainSpec> BuildSpec(const TrainArgs& a) {
  if (!a.spec_file.empty()) {
    std::ifstream in(a.spec_file);
    if (!in) return NotFound("cannot read spec file '" + a.spec_file + "'");
    nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return InvalidArgument("spec file '" + a.spec_file + "' is not valid JSON");
    STRATA_ASSIGN_OR_RETURN(TrainSpec spec, TrainSpec::FromJson(j));
    if (!a.table.empty()) spec.source = a.table;
    if (!a.file.empty()) spec.source_file = a.file;
    if (!a.table.empty() || !a.file.empty()) {
      // The command line names the data; it replaces the spec file's.
      if (a.table.empty()) spec.source.clear();
      if (a.file.empty()) spec.source_file.clear();
    }
    return spec;
  }
  STRATA_ASSIGN_OR_RETURN(nlohmann::json options,
                          BaseModelOptions(a.options, a.model_type, a.target));
  if (a.auto_class_weights) options["auto_class_weights"] = true;
  if (!a.class_weights.empty()) {
    STRATA_ASSIGN_OR_RETURN(options["class_weights"], ParseNameValues(a.class_weights, "--class-weight"));
  }
  if (a.downsample > 0) options["downsample_ratio"] = a.downsample;
  if (a.no_upweight) options["downsample_upweight"] = false;
  if (!a.upsample.empty()) options["upsample_method"] = a.upsample;
  if (a.upsample_ratio > 0) options["upsample_ratio"] = a.upsample_ratio;
  if (!a.split.empty()) options["data_split_method"] = a.split;
  if (a.eval_fraction > 0) options["data_split_eval_fraction"] = a.eval_fraction;
  if (!a.threshold_objective.empty()) options["threshold_objective"] = a.threshold_objective;
  if (a.threshold_target >= 0) options["threshold_target"] = a.threshold_target;
  if (a.seed >= 0) options["seed"] = a.seed;
  STRATA_ASSIGN_OR_RETURN(TrainSpec spec, TrainSpecFromOptions(options));
  spec.source = a.table;
  spec.source_file = a.file;
  return spec;
}

void PrintImportance(const ModelBundle& bundle) {
  if (!bundle.importance.is_array() || bundle.importance.empty()) return;
  // Sum the model inputs' gain back to the user's columns.
  std::map<std::string, double> by_column;
  for (const auto& f : bundle.importance) {
    std::string feature = f["feature"].get<std::string>();
    std::string column = feature;
    for (const FeatureInfo& info : bundle.preprocessor.features()) {
      if (info.name == feature) column = info.source_column;
    }
    by_column[column] += f["importance_gain"].get<double>();
  }
  std::vector<std::pair<double, std::string>> ranked;
  double total = 0;
  for (const auto& [c, g] : by_column) {
    ranked.push_back({g, c});
    total += g;
  }
  std::sort(ranked.rbegin(), ranked.rend());
  std::cout << "Most important columns:";
  for (size_t i = 0; i < ranked.size() && i < 5; ++i) {
    std::cout << fmt::format(" {} ({:.0f}%)", ranked[i].second,
                             total > 0 ? 100 * ranked[i].first / total : 0);
  }
  std::cout << "\n";
}

Status RunTrain(const TrainArgs& args, const GlobalOptions& global) {
  STRATA_ASSIGN_OR_RETURN(TrainSpec spec, BuildSpec(args));
  if (!spec.source.empty() && !spec.source_file.empty()) {
    return InvalidArgument("give the training data once: a workspace TABLE or --file FILE, not both");
  }
  if (spec.source.empty() && spec.source_file.empty()) {
    return InvalidArgument(
        "give the training data: strata train TABLE ... (a workspace table) or strata train "
        "--file FILE ... (a CSV/TSV/JSON Lines file)");
  }
  const bool from_file = !spec.source_file.empty();
  // Training from a file needs a workspace for the model only: create it if need be.
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/from_file));
  std::string name = args.name.empty() ? DefaultModelName(spec.source, spec.source_file) : args.name;
  ModelStore store(*ws);
  if (store.Has(name) && !args.replace) {
    // A retrained model becomes the next version; say so rather than surprise.
    if (!global.quiet) {
      std::cerr << fmt::format("note: model '{}' exists; this training adds a new version\n", name);
    }
  }
  STRATA_ASSIGN_OR_RETURN(TrainingInput input,
                          ReadTrainingInput(*ws, spec.source, spec.source_file, args.threads));

  ProgressBar bar(!global.quiet && StderrIsTty());
  TrainOptions options;
  options.progress = bar.Callback("iterations");
  options.threads = args.threads;
  options.data_fingerprint = input.fingerprint;
  Result<ModelBundle> bundle = Internal("not trained");
  {
    CancelOnInterrupt interrupt;
    options.cancel = interrupt.flag();
    bundle = Train(spec, std::move(input.data), options);
  }
  bar.Finish();
  if (!bundle.ok()) return bundle.status();
  STRATA_ASSIGN_OR_RETURN(int version, store.Save(name, *bundle, args.replace));

  if (global.format == OutputFormat::kJson) {
    nlohmann::json out = {{"model", name},
                          {"version", version},
                          {"model_type", bundle->model_type},
                          {"metrics", bundle->metrics},
                          {"lineage", bundle->lineage}};
    std::cout << out.dump(2) << "\n";
    return Status::Ok();
  }
  const auto& lineage = bundle->lineage;
  std::cout << fmt::format(
      "Trained {} '{}' version {} on {} rows ({} training, {} evaluation; {}) in {:.2f} s\n",
      bundle->model_type, name, version, WithThousands(lineage["rows"].get<int64_t>()),
      WithThousands(lineage["train_rows"].get<int64_t>()),
      WithThousands(lineage["eval_rows"].get<int64_t>()),
      lineage["split_method"].get<std::string>(), lineage["training_seconds"].get<double>());
  for (const auto& note : lineage["balance"]) std::cout << "Balance: " << note.get<std::string>() << "\n";
  if (!bundle->training_info.empty()) {
    const auto& last = bundle->training_info.back();
    std::cout << fmt::format("Iterations: {}", bundle->training_info.size());
    if (last["loss"].is_number()) std::cout << fmt::format(", final loss {:.6g}", last["loss"].get<double>());
    if (last["eval_loss"].is_number()) {
      std::cout << fmt::format(", eval loss {:.6g}", last["eval_loss"].get<double>());
    }
    std::cout << "\n";
  }
  std::cout << "Evaluation (" << bundle->metrics.value("evaluated_on", "") << "):\n";
  PrintMetrics(bundle->metrics, global.format, std::cout);
  PrintConfusion(bundle->eval_summary, std::cout);
  PrintImportance(*bundle);
  std::cout << fmt::format("Next: {0} evaluate {1} | {0} predict {1} {2} {3}\n",
                           CommandLine(global), name, from_file ? "--file" : "--table",
                           from_file ? spec.source_file : spec.source);
  return Status::Ok();
}

}  // namespace

void AddTrainCommand(CLI::App& app, CommandContext& ctx) {
  auto a = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "train",
      "Step 4: train a model on a workspace table or a data file and store it as a new version");
  AddModelDataOptions(*cmd, a->table, a->file, a->target, a->model_type, a->name, "Train");
  cmd->add_option("-o,--option", a->options,
                  "A BigQuery ML option, NAME=VALUE (repeatable), e.g. -o max_iterations=50 "
                  "-o l2_reg=0.1; see docs/models.md");
  cmd->add_option("--spec", a->spec_file, "Read the whole TrainSpec from a JSON file");
  cmd->add_flag("--replace", a->replace, "Replace the model and its versions (CREATE OR REPLACE)");
  cmd->add_flag("--auto-class-weights", a->auto_class_weights,
                "Weight classes inversely to their frequency (auto_class_weights)");
  cmd->add_option("--class-weight", a->class_weights, "LABEL=WEIGHT (repeatable; class_weights)");
  cmd->add_option("--downsample", a->downsample,
                  "Downsample larger classes to RATIO x the minority class (downsample_ratio)");
  cmd->add_flag("--no-upweight", a->no_upweight,
                "Do not weight kept rows by the downsampling factor");
  cmd->add_option("--upsample", a->upsample,
                  "Upsample smaller classes: duplicate, smote or smote_nc (upsample_method)");
  cmd->add_option("--upsample-ratio", a->upsample_ratio,
                  "Upsample to RATIO x the majority class (default 1)");
  cmd->add_option("--split", a->split,
                  "data_split_method: auto_split, random, seq, custom, no_split");
  cmd->add_option("--eval-fraction", a->eval_fraction, "data_split_eval_fraction");
  cmd->add_option("--threshold-objective", a->threshold_objective,
                  "Binary threshold: max_f1 (default), precision, recall or fixed");
  cmd->add_option("--threshold-target", a->threshold_target,
                  "Precision/recall target, or the fixed threshold");
  cmd->add_option("--seed", a->seed, "Random seed (default 42)");
  cmd->add_option("--threads", a->threads, "Threads (default: all cores)");
  AddFormatOption(*cmd, ctx);
  cmd->callback([a, &ctx] { ctx.result = RunTrain(*a, ctx.global); });
}

}  // namespace strata::cli
