// The one training pipeline (see include/strata/trainer.h). Every face builds a TrainSpec
// and calls Train(); nothing else splits, preprocesses, balances or fits models.
#include "strata/trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "common/clock.h"
#include "models/evaluation.h"
#include "models/labels.h"
#include "strata/balance.h"
#include "strata/predictor.h"
#include "strata/build_info.h"
#include "strata/split.h"
#include "strata/suggest.h"

namespace strata {
namespace {

// Everything ValidateTrainSpec finds out, reused by Train.
struct Plan {
  const ModelType* type = nullptr;
  OptionValues options;
  std::vector<std::string> features;
  const Column* label = nullptr;  // null for clustering
  std::vector<std::string> classes;
  EncodingStyle encoding = EncodingStyle::kStandardizeOneHot;
};

Result<Plan> MakePlan(const TrainSpec& spec, const Table& data) {
  RegisterBuiltinModels();
  Plan plan;
  STRATA_ASSIGN_OR_RETURN(plan.type, FindModelType(spec.model_type));
  auto options = ValidateOptions(plan.type->options, spec.options);
  if (!options.ok()) {
    // Name the model type, and suggest among every option it accepts.
    std::string message = options.status().message();
    return Status(options.status().code(),
                  fmt::format("{} (model_type {})", message, plan.type->name));
  }
  plan.options = std::move(*options);
  plan.encoding = plan.type->encoding;
  if (plan.type->task == Task::kClustering && plan.options.Has("standardize_features") &&
      !plan.options.GetBool("standardize_features")) {
    plan.encoding = EncodingStyle::kOneHotOnly;
  }
  if (data.num_rows() == 0) return InvalidArgument("the training data has no rows");

  std::vector<std::string> excluded;
  if (plan.type->task != Task::kClustering) {
    std::string label = spec.label.empty() ? "label" : spec.label;
    auto col = data.GetColumn(label);
    if (!col.ok()) {
      return NotFound(fmt::format("label column '{}' is not in the data: {} Set the label with "
                                  "input_label_cols (SQL) or --target (CLI)",
                                  label, col.status().message()));
    }
    plan.label = *col;
    STRATA_RETURN_IF_ERROR(CheckNoNullLabels(*plan.label));
    excluded.push_back(label);
    if (plan.type->task == Task::kRegression) {
      DataType t = plan.label->type();
      if (t != DataType::kInt64 && t != DataType::kFloat64) {
        return InvalidArgument(fmt::format(
            "{} needs a numeric label, but '{}' is {}. Possible solutions: use a classifier "
            "(e.g. BOOSTED_TREE_CLASSIFIER), or cast the label to a number",
            plan.type->name, label, DataTypeName(t)));
      }
    } else {
      STRATA_ASSIGN_OR_RETURN(plan.classes, ClassLabels(*plan.label, spec.positive_class));
      if (plan.classes.size() < 2) {
        return InvalidArgument(fmt::format(
            "label '{}' has only one value ('{}'); a classifier needs at least two classes",
            label, plan.classes.empty() ? "" : plan.classes[0]));
      }
      if (plan.classes.size() > 1000) {
        return InvalidArgument(fmt::format(
            "label '{}' has {} distinct values; that looks like a regression target or an ID. "
            "Possible solutions: use a regressor, or bucket the label",
            label, plan.classes.size()));
      }
    }
  } else if (!spec.label.empty()) {
    return InvalidArgument(plan.type->name +
                           " is unsupervised and takes no label: remove input_label_cols / "
                           "--target");
  }
  if (!spec.split.column.empty()) {
    STRATA_RETURN_IF_ERROR(data.GetColumn(spec.split.column).status().WithContext("data_split_col"));
    excluded.push_back(spec.split.column);
  }
  if (!spec.instance_weight_col.empty()) {
    STRATA_ASSIGN_OR_RETURN(const Column* w, data.GetColumn(spec.instance_weight_col));
    if (!IsNumeric(w->type()) || w->type() == DataType::kBool) {
      return InvalidArgument("instance_weight_col '" + spec.instance_weight_col +
                             "' must be numeric, not " + std::string(DataTypeName(w->type())));
    }
    excluded.push_back(spec.instance_weight_col);
  }
  if (spec.features.empty()) {
    for (const Column& c : data.columns()) {
      if (std::find(excluded.begin(), excluded.end(), c.name()) == excluded.end()) {
        plan.features.push_back(c.name());
      }
    }
  } else {
    for (const std::string& f : spec.features) {
      STRATA_RETURN_IF_ERROR(data.GetColumn(f).status().WithContext("feature"));
      if (std::find(excluded.begin(), excluded.end(), f) != excluded.end()) {
        return InvalidArgument("column '" + f + "' is the label, split or weight column and "
                               "cannot also be a feature");
      }
      plan.features.push_back(f);
    }
  }
  if (plan.features.empty()) {
    return InvalidArgument("no feature columns: the data has only the label column");
  }
  if (plan.type->task == Task::kClassification && spec.balance.Any()) {
    for (const auto& [label, weight] : spec.balance.class_weights) {
      if (std::find(plan.classes.begin(), plan.classes.end(), label) == plan.classes.end()) {
        return InvalidArgument(fmt::format("class_weights: '{}' is not a label value.{}", label,
                                           DidYouMean(label, plan.classes)));
      }
    }
  } else if (plan.type->task != Task::kClassification && spec.balance.Any()) {
    return InvalidArgument("class weights, downsampling and upsampling apply to classifiers "
                           "only, not to " + plan.type->name);
  }
  return plan;
}

// Labels of `rows` as doubles: class indices or regression values.
std::vector<double> LabelValues(const Column& label, const std::vector<std::string>& classes,
                                Task task) {
  std::vector<double> y(static_cast<size_t>(label.size()));
  if (task == Task::kClassification) {
    std::vector<int> idx = ClassIndices(label, classes);
    for (size_t i = 0; i < y.size(); ++i) y[i] = idx[i];
  } else {
    for (int64_t r = 0; r < label.size(); ++r) y[r] = label.GetAsDouble(r);
  }
  return y;
}

Result<std::vector<double>> RowWeights(const Table& t, const std::string& column) {
  if (column.empty()) return std::vector<double>();
  STRATA_ASSIGN_OR_RETURN(const Column* c, t.GetColumn(column));
  std::vector<double> w(static_cast<size_t>(c->size()));
  for (int64_t r = 0; r < c->size(); ++r) {
    w[r] = c->GetAsDouble(r);
    if (!(w[r] >= 0) || !std::isfinite(w[r])) {
      return InvalidArgument(fmt::format("instance_weight_col '{}', row {}: weight '{}' must be a "
                                         "finite number >= 0",
                                         column, r + 1, c->FormatValue(r)));
    }
  }
  return w;
}

void Report(const TrainOptions& o, std::string_view stage, int64_t done, int64_t total) {
  if (o.progress) o.progress(Progress{stage, done, total});
}

}  // namespace

Status ValidateTrainSpec(const TrainSpec& spec, const Table& data) {
  return MakePlan(spec, data).status();
}

// `owned`, when not null, is `data` itself, handed over by the caller: it is emptied once
// the parts are taken out of it.
Result<ModelBundle> TrainImpl(const TrainSpec& spec, const Table& data, Table* owned,
                              const TrainOptions& options) {
  auto started = std::chrono::steady_clock::now();
  STRATA_ASSIGN_OR_RETURN(Plan plan, MakePlan(spec, data));
  const int64_t data_rows = data.num_rows();
  const Task task = plan.type->task;
  const bool classification = task == Task::kClassification;

  Report(options, "splitting", 0, 1);
  STRATA_ASSIGN_OR_RETURN(SplitResult split,
                          SplitRows(data, spec.split, plan.label ? plan.label->name() : "",
                                    classification, spec.seed));
  Table train = data.Take(split.train);
  const bool has_eval = !split.eval.empty();
  Table eval = has_eval ? data.Take(split.eval) : Table();
  const std::string label_name = plan.label ? plan.label->name() : "";
  const DataType label_type = plan.label ? plan.label->type() : DataType::kString;
  if (owned != nullptr) {
    plan.label = nullptr;  // pointed into `data`
    *owned = Table();
  }

  Report(options, "preprocessing", 0, 1);
  PreprocessOptions prep_options;
  prep_options.style = plan.encoding;
  prep_options.transform = spec.transform;
  prep_options.label = label_name;
  STRATA_ASSIGN_OR_RETURN(Preprocessor prep, Preprocessor::Fit(train, plan.features, prep_options));
  STRATA_ASSIGN_OR_RETURN(FeatureMatrix x_train, prep.Transform(train));
  FeatureMatrix x_eval;
  if (has_eval) {
    STRATA_ASSIGN_OR_RETURN(x_eval, prep.Transform(eval));
  }

  std::vector<double> y_train, y_eval;
  if (!label_name.empty()) {
    y_train = LabelValues(train.column(train.ColumnIndex(label_name)), plan.classes, task);
    if (has_eval) {
      y_eval = LabelValues(eval.column(eval.ColumnIndex(label_name)), plan.classes, task);
    }
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<double> w_train, RowWeights(train, spec.instance_weight_col));
  // With an evaluation part the training rows live on as features, labels and weights only.
  if (has_eval) train = Table();

  // Rebalance the training part only: evaluation rows never pass through here.
  // The rebalanced copy trains; the untouched x_train stays for evaluation with no split.
  std::vector<double> correction;
  std::vector<std::string> balance_notes;
  FeatureMatrix x_fit;
  std::vector<double> y_fit;
  bool rebalanced = false;
  const int k = static_cast<int>(plan.classes.size());
  if (classification && spec.balance.Any()) {
    Report(options, "balancing", 0, 1);
    STRATA_ASSIGN_OR_RETURN(BalancedData balanced,
                            Rebalance(x_train, y_train, w_train, k, plan.classes, prep.features(),
                                      spec.balance, spec.seed));
    if (spec.balance.correct_prior_shift) correction = PriorCorrection(balanced);
    balance_notes = balanced.notes;
    x_fit = std::move(balanced.features);
    y_fit = std::move(balanced.labels);
    w_train = std::move(balanced.weights);
    rebalanced = true;
    if (has_eval) x_train = FeatureMatrix();  // only the rebalanced copy is used from here
  }
  const FeatureMatrix& x_used = rebalanced ? x_fit : x_train;

  TrainingData train_data{&x_used, rebalanced ? y_fit : y_train, w_train, k, prep.features()};
  TrainingData eval_data{&x_eval, y_eval, {}, k, prep.features()};
  std::vector<IterationInfo> log;
  FitContext ctx;
  ctx.options = plan.options;
  ctx.eval = has_eval ? &eval_data : nullptr;
  ctx.seed = spec.seed;
  ctx.threads = options.threads;
  ctx.progress = options.progress;
  ctx.cancel = options.cancel;
  ctx.log = &log;
  std::unique_ptr<Model> model = plan.type->create();
  STRATA_RETURN_IF_ERROR(model->Fit(train_data, ctx));

  ModelBundle bundle;
  bundle.model_type = plan.type->name;
  bundle.task = task;
  bundle.spec = spec;
  bundle.spec.model_type = plan.type->name;
  if (!label_name.empty()) {
    bundle.label = label_name;
    bundle.spec.label = bundle.label;
    bundle.label_type = label_type;
  }
  bundle.class_labels = plan.classes;
  bundle.positive_class = 1;
  bundle.prior_correction = correction;
  bundle.options = plan.options.ToJson();
  STRATA_ASSIGN_OR_RETURN(bundle.payload, model->Save());

  // Evaluate on the evaluation part (or, with no split, on the training data, as BigQuery
  // ML does), after prior correction; binary models choose their threshold there.
  Report(options, "evaluating", 0, 1);
  const FeatureMatrix& x_metrics = has_eval ? x_eval : x_train;
  Table metrics_table = has_eval ? std::move(eval) : std::move(train);
  ModelOutput out;
  STRATA_RETURN_IF_ERROR(model->Predict(x_metrics, &out));
  if (!correction.empty()) CorrectProbabilities(correction, k, &out.probabilities);
  std::vector<int> y_metrics;
  if (classification) {
    y_metrics = ClassIndices(metrics_table.column(metrics_table.ColumnIndex(bundle.label)),
                             plan.classes);
    if (k == 2) {
      STRATA_ASSIGN_OR_RETURN(bundle.threshold,
                              ChooseThreshold(spec.threshold, y_metrics, out.probabilities));
    }
  }
  STRATA_ASSIGN_OR_RETURN(EvaluationResult evaluation,
                          EvaluateOutput(bundle, metrics_table, x_metrics, out, bundle.threshold));
  bundle.metrics = evaluation.metrics;
  bundle.eval_summary = evaluation.summary;
  bundle.metrics["evaluated_on"] = has_eval ? "evaluation split" : "training data (no split)";

  bundle.training_info = nlohmann::json::array();
  for (const IterationInfo& it : log) {
    bundle.training_info.push_back(
        {{"training_run", 0},
         {"iteration", it.iteration},
         {"loss", std::isfinite(it.loss) ? nlohmann::json(it.loss) : nlohmann::json()},
         {"eval_loss", std::isfinite(it.eval_loss) ? nlohmann::json(it.eval_loss) : nlohmann::json()},
         {"learning_rate", it.learning_rate},
         {"duration_ms", it.duration_ms}});
  }
  auto importance = model->Importance(prep.features());
  bundle.importance = nlohmann::json::array();
  if (importance.ok()) {
    for (const FeatureImportance& f : *importance) {
      bundle.importance.push_back({{"feature", f.feature},
                                   {"importance_weight", f.weight},
                                   {"importance_gain", f.gain},
                                   {"importance_cover", f.cover}});
    }
  }
  bundle.preprocessor = std::move(prep);
  if (spec.enable_global_explain) {
    if (task == Task::kClustering) {
      return InvalidArgument("enable_global_explain applies to supervised models, not to " + plan.type->name);
    }
    Report(options, "explaining", 0, 1);
    STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const Predictor> predictor, Predictor::Create(bundle));
    STRATA_ASSIGN_OR_RETURN(bundle.global_explain, GlobalExplain(*predictor, metrics_table));
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  bundle.lineage = {{"source", spec.source_file.empty() ? spec.source : spec.source_file},
                    {"source_kind", spec.source_file.empty() ? "table" : "file"},
                    {"rows", data_rows},
                    {"train_rows", static_cast<int64_t>(split.train.size())},
                    {"eval_rows", static_cast<int64_t>(split.eval.size())},
                    {"split_method", SplitMethodName(split.method_used)},
                    {"data_fingerprint", options.data_fingerprint},
                    {"balance", balance_notes},
                    {"created_at", NowUtc()},
                    {"training_seconds", seconds},
                    {"strata_version", STRATA_VERSION}};
  return bundle;
}

Result<ModelBundle> Train(const TrainSpec& spec, const Table& data, const TrainOptions& options) {
  return TrainImpl(spec, data, nullptr, options);
}

Result<ModelBundle> Train(const TrainSpec& spec, Table&& data, const TrainOptions& options) {
  return TrainImpl(spec, data, &data, options);
}

}  // namespace strata
