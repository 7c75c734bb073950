// `strata models list|show|drop|export|import`: the models in the workspace registry.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <optional>

#include "cli/cli.h"
#include "cli/ml_common.h"
#include "cli/output.h"
#include "strata/bundle.h"
#include "strata/model_store.h"
#include "strata/train_spec.h"

namespace strata::cli {
namespace {

Status RunList(const GlobalOptions& global) {
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/false));
  ModelStore store(*ws);
  STRATA_ASSIGN_OR_RETURN(std::vector<ModelInfo> models, store.List());
  if (models.empty() && global.format == OutputFormat::kTable) {
    std::cout << "No models in " << ws->path() << ". Train one with: " << CommandLine(global)
              << " train TABLE --target COL --model TYPE\n";
    return Status::Ok();
  }
  TextTableBuilder b({{"model", DataType::kString},
                      {"model_type", DataType::kString},
                      {"label", DataType::kString},
                      {"versions", DataType::kInt64},
                      {"latest", DataType::kInt64},
                      {"updated_at", DataType::kString}});
  for (const ModelInfo& m : models) {
    b.AddRow({m.name, m.model_type, m.label, std::to_string(m.versions),
              std::to_string(m.latest_version), m.updated_at});
  }
  PrintTable(b.Build(), global.format, std::cout);
  return Status::Ok();
}

Status RunShow(const std::string& name, int version, const GlobalOptions& global) {
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/false));
  ModelStore store(*ws);
  std::optional<int> v;
  if (version > 0) v = version;
  STRATA_ASSIGN_OR_RETURN(ModelBundle bundle, store.Load(name, v));
  STRATA_ASSIGN_OR_RETURN(std::vector<ModelVersionInfo> versions, store.Versions(name));
  STRATA_ASSIGN_OR_RETURN(auto model, bundle.LoadModel());
  nlohmann::json description = model->Describe(bundle.preprocessor.features());
  if (global.format == OutputFormat::kJson) {
    nlohmann::json out = {{"model", name},
                          {"model_type", bundle.model_type},
                          {"task", TaskName(bundle.task)},
                          {"label", bundle.label},
                          {"classes", bundle.class_labels},
                          {"threshold", bundle.threshold},
                          {"options", bundle.options},
                          {"spec", bundle.spec.ToJson()},
                          {"metrics", bundle.metrics},
                          {"lineage", bundle.lineage},
                          {"input_schema", nlohmann::json::array()},
                          {"versions", nlohmann::json::array()},
                          {"parameters", description}};
    if (bundle.eval_summary.contains("leaderboard")) out["leaderboard"] = bundle.eval_summary["leaderboard"];
    for (const Field& f : bundle.preprocessor.input_schema()) {
      out["input_schema"].push_back({{"name", f.name}, {"type", DataTypeName(f.type)}});
    }
    for (const ModelVersionInfo& mv : versions) {
      out["versions"].push_back({{"version", mv.version}, {"created_at", mv.created_at},
                                 {"bytes", mv.bundle_bytes}, {"metrics", mv.metrics}});
    }
    std::cout << out.dump(2) << "\n";
    return Status::Ok();
  }
  std::cout << fmt::format("Model '{}': {} ({}), label '{}'\n", name, bundle.model_type,
                           TaskName(bundle.task), bundle.label);
  if (bundle.task == Task::kClassification) {
    std::cout << "Classes: " << nlohmann::json(bundle.class_labels).dump();
    if (bundle.class_labels.size() == 2) {
      std::cout << fmt::format(", positive '{}', threshold {:.4f}", bundle.class_labels[1],
                               bundle.threshold);
    }
    std::cout << "\n";
  }
  std::cout << "Trained on '" << bundle.lineage.value("source", "") << "' at "
            << bundle.lineage.value("created_at", "") << "; inputs:";
  const Schema inputs = bundle.preprocessor.input_schema();
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::cout << (i == 0 ? " " : ", ") << inputs[i].name << " " << DataTypeName(inputs[i].type);
  }
  std::cout << "\nOptions: " << bundle.options.dump() << "\n";
  PrintMetrics(bundle.metrics, OutputFormat::kTable, std::cout);
  if (bundle.eval_summary.contains("leaderboard")) {
    // AutoML: every configuration it tried, best first, with its ensemble weight.
    PrintLeaderboard(bundle.eval_summary["leaderboard"], /*max_rows=*/0, std::cout);
  }
  TextTableBuilder b({{"version", DataType::kInt64},
                      {"created_at", DataType::kString},
                      {"bytes", DataType::kInt64}});
  for (const ModelVersionInfo& mv : versions) {
    b.AddRow({std::to_string(mv.version), mv.created_at, std::to_string(mv.bundle_bytes)});
  }
  std::cout << "Versions:\n";
  PrintTable(b.Build(), OutputFormat::kTable, std::cout);
  return Status::Ok();
}

Status RunTypes(const std::string& only, const GlobalOptions& global) {
  RegisterBuiltinModels();
  std::vector<const ModelType*> types;
  if (!only.empty()) {
    STRATA_ASSIGN_OR_RETURN(const ModelType* t, FindModelType(only));
    types.push_back(t);
  } else {
    types = ModelTypes();
  }
  if (global.format == OutputFormat::kJson) {
    nlohmann::json out = nlohmann::json::array();
    for (const ModelType* t : types) {
      nlohmann::json options = nlohmann::json::array();
      for (const std::vector<OptionSpec>* specs : {&t->options, &CommonTrainOptions()}) {
        for (const OptionSpec& o : *specs) {
          if (o.name == "model_type") continue;
          options.push_back({{"name", o.name}, {"range", o.RangeText()}, {"default", o.default_value},
                             {"help", o.help}, {"extension", o.strata_extension},
                             {"choices", o.choices}});
        }
      }
      out.push_back({{"model_type", t->name}, {"task", TaskName(t->task)},
                     {"summary", t->summary}, {"options", options}});
    }
    std::cout << out.dump(2) << "\n";
    return Status::Ok();
  }
  if (only.empty()) {
    TextTableBuilder b({{"model_type", DataType::kString}, {"task", DataType::kString},
                        {"summary", DataType::kString}});
    for (const ModelType* t : types) b.AddRow({t->name, std::string(TaskName(t->task)), t->summary});
    PrintTable(b.Build(), global.format, std::cout, 100);
    std::cout << "Options of one type: strata models types TYPE\n";
    return Status::Ok();
  }
  const ModelType* t = types[0];
  std::cout << t->name << " (" << TaskName(t->task) << "): " << t->summary << "\n\nOptions:\n"
            << OptionsHelp(t->options) << "\nOptions every model takes:\n";
  std::vector<OptionSpec> common;
  for (const OptionSpec& o : CommonTrainOptions()) {
    if (o.name != "model_type") common.push_back(o);
  }
  std::cout << OptionsHelp(common);
  return Status::Ok();
}

Status RunDrop(const std::string& name, const GlobalOptions& global) {
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/false));
  ModelStore store(*ws);
  STRATA_RETURN_IF_ERROR(store.Drop(name));
  std::cout << "Dropped model '" << name << "'\n";
  return Status::Ok();
}

Status RunExport(const std::string& name, const std::string& path, bool xgboost_json,
                 const GlobalOptions& global) {
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/false));
  ModelStore store(*ws);
  STRATA_ASSIGN_OR_RETURN(ModelBundle bundle, store.Load(name));
  if (xgboost_json) {
    STRATA_ASSIGN_OR_RETURN(auto model, bundle.LoadModel());
    STRATA_ASSIGN_OR_RETURN(std::string json, model->ExportXgboostJson());
    std::ofstream out(path, std::ios::binary);
    out << json;
    if (!out) return IoError("cannot write '" + path + "'");
    std::cout << fmt::format("Exported '{}' as XGBoost JSON to {} (raw features: the model "
                             "expects Strata's preprocessing, see docs/models.md)\n",
                             name, path);
    return Status::Ok();
  }
  STRATA_RETURN_IF_ERROR(WriteBundleFile(bundle, path));
  std::cout << fmt::format("Exported '{}' to {}\n", name, path);
  return Status::Ok();
}

Status RunImport(const std::string& path, const std::string& name, bool replace, bool xgboost,
                 const std::vector<std::string>& input_columns, const GlobalOptions& global) {
  if (!xgboost && !input_columns.empty()) {
    return InvalidArgument("--input-columns names the features of an XGBoost model: add --xgboost");
  }
  STRATA_ASSIGN_OR_RETURN(ModelBundle bundle,
                          xgboost ? ImportXgboostModelFile(path, input_columns) : ReadBundleFile(path));
  STRATA_RETURN_IF_ERROR(bundle.LoadModel().status().WithContext(path));
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/true));
  ModelStore store(*ws);
  STRATA_ASSIGN_OR_RETURN(int version, store.Save(name, bundle, replace));
  std::cout << fmt::format("Imported {} as model '{}' version {}\n", path, name, version);
  return Status::Ok();
}

}  // namespace

void AddModelsCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* models = app.add_subcommand("models", "List, show, drop, export and import models");
  models->require_subcommand(1);

  auto types_name = std::make_shared<std::string>();
  CLI::App* types = models->add_subcommand(
      "types", "The model types and, for one type, every option with its range and default");
  types->add_option("type", *types_name, "A model type, e.g. BOOSTED_TREE_CLASSIFIER");
  AddFormatOption(*types, ctx);
  types->callback([types_name, &ctx] { ctx.result = RunTypes(*types_name, ctx.global); });

  CLI::App* list = models->add_subcommand("list", "List the models in the workspace");
  AddFormatOption(*list, ctx);
  list->callback([&ctx] { ctx.result = RunList(ctx.global); });

  struct NameArgs {
    std::string name, path;
    int version = 0;
    bool flag = false;
    bool xgboost = false;
    std::vector<std::string> columns;
  };
  auto show_args = std::make_shared<NameArgs>();
  CLI::App* show = models->add_subcommand("show", "A model's type, inputs, options, metrics, versions");
  show->add_option("model", show_args->name, "Model name")->required();
  show->add_option("--version", show_args->version, "Version (default: the latest)");
  AddFormatOption(*show, ctx);
  show->callback([show_args, &ctx] {
    ctx.result = RunShow(show_args->name, show_args->version, ctx.global);
  });

  auto drop_args = std::make_shared<NameArgs>();
  CLI::App* drop = models->add_subcommand("drop", "Drop a model and all its versions");
  drop->add_option("model", drop_args->name, "Model name")->required();
  drop->callback([drop_args, &ctx] { ctx.result = RunDrop(drop_args->name, ctx.global); });

  auto export_args = std::make_shared<NameArgs>();
  CLI::App* exp = models->add_subcommand("export", "Write a model's bundle (or XGBoost JSON) to a file");
  exp->add_option("model", export_args->name, "Model name")->required();
  exp->add_option("file", export_args->path, "Output file")->required();
  exp->add_flag("--xgboost-json", export_args->flag, "Write the trees in XGBoost's JSON format");
  exp->callback([export_args, &ctx] {
    ctx.result = RunExport(export_args->name, export_args->path, export_args->flag, ctx.global);
  });

  auto import_args = std::make_shared<NameArgs>();
  CLI::App* imp = models->add_subcommand(
      "import", "Store an exported bundle file, or a model saved by XGBoost (--xgboost), as a model");
  imp->add_option("file", import_args->path, "Bundle file (or XGBoost JSON/UBJSON model with --xgboost)")
      ->required();
  imp->add_option("--as", import_args->name, "Model name")->required();
  imp->add_flag("--replace", import_args->flag, "Replace a model of that name");
  imp->add_flag("--xgboost", import_args->xgboost,
                "The file is a model saved by XGBoost itself (SQL: model_type = 'XGBOOST')");
  imp->add_option("--input-columns", import_args->columns,
                  "With --xgboost: the input column of each feature, in order (default: the "
                  "model's feature names, else f0, f1, ...)")
      ->delimiter(',');
  imp->callback([import_args, &ctx] {
    ctx.result = RunImport(import_args->path, import_args->name, import_args->flag,
                           import_args->xgboost, import_args->columns, ctx.global);
  });
}

}  // namespace strata::cli
