#include "sql/ml_functions.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "strata/model_store.h"
#include "strata/predictor.h"
#include "strata/suggest.h"
#include "strata/trainer.h"
#include "strata/tune.h"
#include "workspace/table_reader.h"

namespace strata::sql {
namespace {

// ML.PREDICT reads and predicts this many input rows at a time.
constexpr int64_t kPredictBatchRows = 8192;

const std::vector<std::string> kFunctions = {
    "PREDICT",       "EVALUATE",     "CONFUSION_MATRIX", "ROC_CURVE",      "FEATURE_IMPORTANCE",
    "TRAINING_INFO", "FEATURE_INFO", "WEIGHTS",          "EXPLAIN_PREDICT", "GLOBAL_EXPLAIN",
    "CENTROIDS",     "TRIAL_INFO"};
// BigQuery ML functions Strata does not offer yet: named, so the error says so.
const std::vector<std::string> kLater = {"ADVANCED_WEIGHTS", "RECOMMEND", "FORECAST",
                                         "DETECT_ANOMALIES", "GENERATE_TEXT"};

// A function whose rows are computed up front (they are few).
class StaticFunction : public MlFunction {
 public:
  explicit StaticFunction(Table rows) : rows_(std::make_shared<const Table>(std::move(rows))) {
    for (const Column& c : rows_->columns()) columns_.push_back(c.name());
  }
  Result<Batch> First() override { return rows_; }
  Result<Batch> Next() override { return std::make_shared<const Table>(); }

 private:
  Batch rows_;
};

// Rows of JSON objects as a table with the given columns (missing or null -> NULL).
Result<Table> JsonRows(const std::vector<Field>& fields, const nlohmann::json& rows) {
  Table t;
  for (const Field& f : fields) {
    Column c(f.name, f.type);
    for (const auto& row : rows) {
      auto it = row.find(f.name);
      if (it == row.end() || it->is_null()) {
        c.AppendNull();
        continue;
      }
      switch (f.type) {
        case DataType::kInt64: c.AppendInt64(it->is_number() ? it->get<int64_t>() : 0); break;
        case DataType::kFloat64: c.AppendFloat64(it->get<double>()); break;
        case DataType::kBool: c.AppendBool(it->get<bool>()); break;
        default: c.AppendString(it->is_string() ? it->get<std::string>() : it->dump()); break;
      }
    }
    STRATA_RETURN_IF_ERROR(t.AddColumn(std::move(c)));
  }
  return t;
}

// A label as a column name, as BigQuery ML names the confusion matrix's columns.
std::string SanitizeName(const std::string& label) {
  std::string out;
  for (char c : label) {
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_');
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "_" + out;
  return out;
}

Status CheckSettings(const MlCall& call, const std::vector<std::string>& allowed) {
  for (const auto& [name, value] : call.settings.items()) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string message = fmt::format("ML.{} takes no setting '{}'", call.function, name);
      if (!allowed.empty()) message += fmt::format(" (it takes {}).", fmt::join(allowed, ", "));
      return SyntaxError(call.begin, message + DidYouMean(name, allowed));
    }
  }
  return Status::Ok();
}

Result<std::optional<double>> Threshold(const MlCall& call) {
  auto it = call.settings.find("threshold");
  if (it == call.settings.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 1) {
    return SyntaxError(call.begin, "threshold must be a number in [0, 1]");
  }
  return std::optional<double>(it->get<double>());
}

// The labelled input of EVALUATE-like calls, evaluated; or the stored evaluation.
Result<nlohmann::json> Metrics(Workspace& ws, const ModelBundle& bundle, const MlCall& call,
                               const std::string& input_sql) {
  STRATA_ASSIGN_OR_RETURN(std::optional<double> threshold, Threshold(call));
  if (input_sql.empty()) {
    if (threshold) {
      return SyntaxError(call.begin, fmt::format("ML.{} with a threshold needs the evaluation data: "
                                                 "ML.{}(MODEL {}, TABLE t, STRUCT({} AS threshold))",
                                                 call.function, call.function, call.model, *threshold));
    }
    nlohmann::json m = bundle.metrics;
    m["summary"] = bundle.eval_summary;
    return m;
  }
  std::vector<Field> hints = bundle.preprocessor.input_schema();
  if (!bundle.label.empty()) hints.push_back({bundle.label, bundle.label_type});
  STRATA_ASSIGN_OR_RETURN(Table data, ReadQuery(ws.db(), input_sql, hints));
  return Evaluate(bundle, data, threshold);
}

Result<Table> EvaluateRows(const ModelBundle& bundle, const nlohmann::json& metrics) {
  // BigQuery ML's columns first, in its order; Strata's additions after them.
  static const std::vector<std::string> kFirst = {
      "precision", "recall", "accuracy", "f1_score", "log_loss", "roc_auc",
      "mean_absolute_error", "mean_squared_error", "mean_squared_log_error",
      "median_absolute_error", "r2_score", "explained_variance", "davies_bouldin_index",
      "mean_squared_distance"};
  std::vector<std::string> names;
  for (const std::string& n : kFirst) {
    if (metrics.contains(n)) names.push_back(n);
  }
  for (const auto& [name, value] : metrics.items()) {
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    if (value.is_primitive() && name != "evaluated_on") names.push_back(name);
  }
  (void)bundle;
  std::vector<Field> fields;
  for (const std::string& n : names) {
    const auto& v = metrics[n];
    fields.push_back({n, v.is_string() ? DataType::kString
                         : v.is_number_integer() ? DataType::kInt64
                                                 : DataType::kFloat64});
  }
  return JsonRows(fields, nlohmann::json::array({metrics}));
}

Result<Table> ConfusionRows(const nlohmann::json& summary, const MlCall& call) {
  if (!summary.contains("confusion_matrix") || !summary.contains("labels")) {
    return InvalidArgument(fmt::format("ML.CONFUSION_MATRIX: model {} is not a classifier", call.model));
  }
  std::vector<std::string> labels = summary["labels"].get<std::vector<std::string>>();
  const auto& m = summary["confusion_matrix"];
  Table t;
  Column expected("expected_label", DataType::kString);
  for (const std::string& l : labels) expected.AppendString(l);
  STRATA_RETURN_IF_ERROR(t.AddColumn(std::move(expected)));
  for (size_t j = 0; j < labels.size(); ++j) {
    std::string name = SanitizeName(labels[j]);
    while (t.GetColumn(name).ok()) name += "_";
    Column c(name, DataType::kInt64);
    for (size_t i = 0; i < labels.size(); ++i) c.AppendInt64(m[i][j].get<int64_t>());
    STRATA_RETURN_IF_ERROR(t.AddColumn(std::move(c)));
  }
  return t;
}

Result<Table> WeightRows(const ModelBundle& bundle, const MlCall& call) {
  if (bundle.model_type != "LINEAR_REG" && bundle.model_type != "LOGISTIC_REG") {
    return InvalidArgument(fmt::format("ML.WEIGHTS applies to LINEAR_REG and LOGISTIC_REG models; {} is {}",
                                       call.model, bundle.model_type));
  }
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, bundle.LoadModel());
  nlohmann::json d = model->Describe(bundle.preprocessor.features());
  if (!d.contains("weights") || !d["weights"].is_array() || !d.contains("intercept") ||
      !d["intercept"].is_number()) {
    return Unimplemented(fmt::format("ML.WEIGHTS of a multiclass model is not supported yet ({})", call.model));
  }
  // Numbers: one row each. One-hot groups: one row per input column, the categories' weights
  // in category_weights (BigQuery ML's ARRAY<STRUCT<category, weight>>, as JSON).
  nlohmann::json rows = nlohmann::json::array();
  std::map<std::string, size_t> group_row;
  const auto& features = bundle.preprocessor.features();
  for (size_t i = 0; i < features.size() && i < d["weights"].size(); ++i) {
    const FeatureInfo& f = features[i];
    const double w = d["weights"][i]["weight"].get<double>();
    if (f.kind == FeatureKind::kOneHot) {
      auto [it, added] = group_row.emplace(f.source_column, rows.size());
      if (added) {
        rows.push_back({{"processed_input", f.source_column},
                        {"weight", nullptr},
                        {"category_weights", nlohmann::json::array()}});
      }
      rows[it->second]["category_weights"].push_back({{"category", f.category}, {"weight", w}});
    } else {
      rows.push_back({{"processed_input", f.name}, {"weight", w}, {"category_weights", nullptr}});
    }
  }
  rows.push_back({{"processed_input", "__INTERCEPT__"},
                  {"weight", d["intercept"]},
                  {"category_weights", nullptr}});
  for (auto& r : rows) {
    if (r["category_weights"].is_array()) r["category_weights"] = r["category_weights"].dump();
  }
  return JsonRows({{"processed_input", DataType::kString},
                   {"weight", DataType::kFloat64},
                   {"category_weights", DataType::kString}},
                  rows);
}

Result<Table> FeatureInfoRows(const ModelBundle& bundle) {
  nlohmann::json rows = nlohmann::json::array();
  for (const ColumnTransform& t : bundle.preprocessor.columns()) {
    int64_t dimension = 0;
    for (const FeatureInfo& f : bundle.preprocessor.features()) dimension += f.source_column == t.column;
    const bool categorical = !t.categories.empty() || t.type == DataType::kString;
    nlohmann::json r = {{"input", t.column}, {"null_count", t.null_count}, {"dimension", dimension}};
    if (categorical) {
      r["category_count"] = static_cast<int64_t>(t.categories.size());
    } else {
      r["min"] = t.min;
      r["max"] = t.max;
      r["mean"] = t.mean;
      r["median"] = t.median;
      r["stddev"] = t.stddev;
    }
    rows.push_back(std::move(r));
  }
  return JsonRows({{"input", DataType::kString},
                   {"min", DataType::kFloat64},
                   {"max", DataType::kFloat64},
                   {"mean", DataType::kFloat64},
                   {"median", DataType::kFloat64},
                   {"stddev", DataType::kFloat64},
                   {"category_count", DataType::kInt64},
                   {"null_count", DataType::kInt64},
                   {"dimension", DataType::kInt64}},
                  rows);
}

// A function over input rows, computed a batch at a time. A scan streams, holding one batch.
// When SQLite scans again (the inner side of a join re-reads its table once per outer row),
// the second scan also keeps its output while that stays under kCacheRows, and later scans
// read the kept rows instead of recomputing them. So a single scan's memory does not grow
// with the input, and a rescanned result's is bounded.
class StreamingFunction : public MlFunction {
 public:
  static constexpr int64_t kCacheRows = 200'000;

  StreamingFunction(Workspace& ws, std::shared_ptr<const Predictor> predictor, std::string sql)
      : ws_(ws), predictor_(std::move(predictor)), sql_(std::move(sql)) {
    hints_ = predictor_->bundle().preprocessor.input_schema();
  }

  // Fixes the columns by computing no rows of the input's shape.
  Status Init() {
    STRATA_ASSIGN_OR_RETURN(QueryReader reader, QueryReader::Start(ws_.db(), sql_, hints_));
    Table empty;
    for (size_t i = 0; i < reader.names().size(); ++i) {
      STRATA_RETURN_IF_ERROR(empty.AddColumn(
          Column(reader.names()[i], reader.types()[i].value_or(DataType::kString))));
    }
    STRATA_ASSIGN_OR_RETURN(Table out, Compute(empty));
    for (const Column& c : out.columns()) columns_.push_back(c.name());
    return Status::Ok();
  }

  Result<Batch> First() override {
    if (cache_complete_) {
      next_cached_ = 0;
      return NextCached();
    }
    cache_.clear();
    cached_rows_ = 0;
    rows_read_ = 0;
    caching_ = ++scans_ >= 2;
    reader_.reset();
    STRATA_ASSIGN_OR_RETURN(QueryReader reader, QueryReader::Start(ws_.db(), sql_, hints_));
    reader_.emplace(std::move(reader));
    return Next();
  }

  Result<Batch> Next() override {
    if (cache_complete_) return NextCached();
    if (!reader_ || reader_->done()) return Finish();
    STRATA_ASSIGN_OR_RETURN(Table input, reader_->Next(kPredictBatchRows));
    if (input.num_rows() == 0) return Finish();
    const int64_t first_row = rows_read_ + 1;
    rows_read_ += input.num_rows();
    auto result = Compute(input);
    if (!result.ok() && rows_read_ > kPredictBatchRows) {
      // Row numbers in the message count from this batch's first row.
      return result.status().WithContext(
          fmt::format("in input rows {}-{} (row numbers below count from {})", first_row, rows_read_, first_row));
    }
    STRATA_ASSIGN_OR_RETURN(Table computed, std::move(result));
    auto out = std::make_shared<const Table>(std::move(computed));
    if (caching_) {
      cached_rows_ += out->num_rows();
      if (cached_rows_ > kCacheRows) {
        caching_ = false;
        cache_.clear();
      } else {
        cache_.push_back(out);
      }
    }
    return out;
  }

 protected:
  virtual Result<Table> Compute(const Table& input) = 0;
  const std::shared_ptr<const Predictor>& predictor() const { return predictor_; }

 private:
  Result<Batch> Finish() {
    if (caching_) cache_complete_ = true;
    caching_ = false;
    reader_.reset();
    return std::make_shared<const Table>();
  }
  Result<Batch> NextCached() {
    if (next_cached_ >= cache_.size()) return std::make_shared<const Table>();
    return cache_[next_cached_++];
  }

  Workspace& ws_;
  std::shared_ptr<const Predictor> predictor_;
  std::string sql_;
  std::vector<Field> hints_;
  std::optional<QueryReader> reader_;
  std::vector<Batch> cache_;
  int64_t cached_rows_ = 0;
  int64_t rows_read_ = 0;
  size_t next_cached_ = 0;
  int scans_ = 0;
  bool caching_ = false;
  bool cache_complete_ = false;
};

class PredictFunction : public StreamingFunction {
 public:
  PredictFunction(Workspace& ws, std::shared_ptr<const Predictor> predictor, std::string sql,
                  PredictOptions options)
      : StreamingFunction(ws, std::move(predictor), std::move(sql)), options_(options) {}

 protected:
  Result<Table> Compute(const Table& input) override { return predictor()->Predict(input, options_); }

 private:
  PredictOptions options_;
};

// ML.EXPLAIN_PREDICT: the prediction of each input row with its top feature attributions
// (TreeSHAP for trees, coefficient x value for linear models: both exact).
class ExplainFunction : public StreamingFunction {
 public:
  ExplainFunction(Workspace& ws, std::shared_ptr<const Predictor> predictor, std::string sql,
                  PredictOptions options, int top_k)
      : StreamingFunction(ws, std::move(predictor), std::move(sql)), options_(options), top_k_(top_k) {}

 protected:
  Result<Table> Compute(const Table& input) override { return Explain(input); }

 private:
  Result<Table> Explain(const Table& input) {
    const ModelBundle& b = predictor()->bundle();
    STRATA_ASSIGN_OR_RETURN(Table out, predictor()->Predict(input, options_));
    const std::string probs_name = "predicted_" + b.label + "_probs";
    Table result;
    for (const Column& c : out.columns()) {
      if (c.name() != probs_name) STRATA_RETURN_IF_ERROR(result.AddColumn(c.Slice(0, c.size())));
    }
    const bool classifier = b.task == Task::kClassification;
    if (classifier) {
      // The probability of the predicted class.
      STRATA_ASSIGN_OR_RETURN(ModelOutput raw, predictor()->PredictRaw(input));
      STRATA_ASSIGN_OR_RETURN(const Column* predicted, out.GetColumn("predicted_" + b.label));
      Column probability("probability", DataType::kFloat64);
      const size_t k = b.class_labels.size();
      for (int64_t r = 0; r < out.num_rows(); ++r) {
        const std::string label = predicted->FormatValue(r);
        auto it = std::find(b.class_labels.begin(), b.class_labels.end(), label);
        const size_t j = static_cast<size_t>(it - b.class_labels.begin());
        if (j < k && raw.probabilities.size() >= (static_cast<size_t>(r) + 1) * k) {
          probability.AppendFloat64(raw.probabilities[static_cast<size_t>(r) * k + j]);
        } else {
          probability.AppendNull();
        }
      }
      STRATA_RETURN_IF_ERROR(result.AddColumn(std::move(probability)));
    }
    Column attributions("top_feature_attributions", DataType::kString);
    Column baseline("baseline_prediction_value", DataType::kFloat64);
    Column value("prediction_value", DataType::kFloat64);
    Column error("approximation_error", DataType::kFloat64);
    if (input.num_rows() > 0) {
      STRATA_ASSIGN_OR_RETURN(Predictor::Explanation e, predictor()->Explain(input, top_k_));
      for (size_t r = 0; r < e.rows.size(); ++r) {
        nlohmann::json arr = nlohmann::json::array();
        for (const Attribution& a : e.rows[r]) arr.push_back({{"feature", a.feature}, {"attribution", a.attribution}});
        attributions.AppendString(arr.dump());
        baseline.AppendFloat64(e.baseline[r]);
        value.AppendFloat64(e.prediction_value[r]);
        error.AppendFloat64(0.0);  // exact attributions: they sum to prediction_value
      }
    }
    STRATA_RETURN_IF_ERROR(result.AddColumn(std::move(attributions)));
    STRATA_RETURN_IF_ERROR(result.AddColumn(std::move(baseline)));
    STRATA_RETURN_IF_ERROR(result.AddColumn(std::move(value)));
    STRATA_RETURN_IF_ERROR(result.AddColumn(std::move(error)));
    return result;
  }

  PredictOptions options_;
  int top_k_;
};

// ML.CENTROIDS: one row per centroid and input column, on the input's own scale unless
// STRUCT(TRUE AS standardize).
Result<Table> CentroidRows(const ModelBundle& bundle, bool standardize) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, bundle.LoadModel());
  nlohmann::json d = model->Describe(bundle.preprocessor.features());
  const bool scaled = bundle.preprocessor.style() == EncodingStyle::kStandardizeOneHot;
  std::map<std::string, const ColumnTransform*> transforms;
  for (const ColumnTransform& t : bundle.preprocessor.columns()) transforms[t.column] = &t;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : d["centroids"]) {
    std::map<std::string, size_t> group_row;
    const auto& features = bundle.preprocessor.features();
    for (size_t f = 0; f < features.size() && f < c["features"].size(); ++f) {
      const FeatureInfo& info = features[f];
      double v = c["features"][f]["value"].get<double>();
      if (info.kind == FeatureKind::kOneHot) {
        auto [it, added] = group_row.emplace(info.source_column, rows.size());
        if (added) {
          rows.push_back({{"centroid_id", c["centroid_id"]},
                          {"feature", info.source_column},
                          {"numerical_value", nullptr},
                          {"categorical_value", nlohmann::json::array()},
                          {"geography_value", nullptr}});
        }
        rows[it->second]["categorical_value"].push_back({{"category", info.category}, {"value", v}});
        continue;
      }
      auto t = transforms.find(info.source_column);
      if (scaled && !standardize && t != transforms.end() && info.name == info.source_column) {
        v = v * t->second->stddev + t->second->mean;
      }
      rows.push_back({{"centroid_id", c["centroid_id"]},
                      {"feature", info.name},
                      {"numerical_value", v},
                      {"categorical_value", nullptr},
                      {"geography_value", nullptr}});
    }
  }
  for (auto& r : rows) {
    if (r["categorical_value"].is_array()) r["categorical_value"] = r["categorical_value"].dump();
  }
  return JsonRows({{"centroid_id", DataType::kInt64},
                   {"feature", DataType::kString},
                   {"numerical_value", DataType::kFloat64},
                   {"categorical_value", DataType::kString},
                   {"geography_value", DataType::kString}},
                  rows);
}

// ML.TRIAL_INFO: one row per trial with BigQuery ML's columns; STRUCTs are JSON text.
Result<Table> TrialInfoRows(Workspace& ws, const std::string& model) {
  ModelStore store(ws);
  if (!store.Has(model)) return store.Load(model).status();  // NotFound with a suggestion
  STRATA_ASSIGN_OR_RETURN(std::vector<TrialResult> trials, LoadTrials(ws, model));
  nlohmann::json rows = nlohmann::json::array();
  for (const TrialResult& t : trials) {
    nlohmann::json metrics = nlohmann::json::object();
    // The objective's metric first as BigQuery ML shows it; then the others Strata computed.
    for (const char* key : {"roc_auc", "log_loss", "accuracy", "precision", "recall", "f1_score",
                            "pr_auc", "balanced_accuracy", "r2_score", "explained_variance",
                            "mean_absolute_error", "mean_squared_error", "mean_squared_log_error",
                            "median_absolute_error", "davies_bouldin_index"}) {
      if (t.eval_metrics.is_object() && t.eval_metrics.contains(key)) metrics[key] = t.eval_metrics[key];
    }
    rows.push_back({{"trial_id", t.trial_id},
                    {"hyperparameters", t.hyperparameters.dump()},
                    {"hparam_tuning_evaluation_metrics", metrics.dump()},
                    {"training_loss", t.training_loss ? nlohmann::json(*t.training_loss) : nlohmann::json()},
                    {"eval_loss", t.eval_loss ? nlohmann::json(*t.eval_loss) : nlohmann::json()},
                    {"status", std::string(TrialStatusName(t.status))},
                    {"error_message", t.error_message.empty() ? nlohmann::json() : nlohmann::json(t.error_message)},
                    {"is_optimal", t.is_optimal}});
  }
  return JsonRows({{"trial_id", DataType::kInt64},
                   {"hyperparameters", DataType::kString},
                   {"hparam_tuning_evaluation_metrics", DataType::kString},
                   {"training_loss", DataType::kFloat64},
                   {"eval_loss", DataType::kFloat64},
                   {"status", DataType::kString},
                   {"error_message", DataType::kString},
                   {"is_optimal", DataType::kBool}},
                  rows);
}

}  // namespace

const std::vector<std::string>& MlFunctionNames() { return kFunctions; }

Result<std::unique_ptr<MlFunction>> StartMlFunction(Workspace& ws, const MlCall& given,
                                                    const std::string& input_sql) {
  const std::string& f = given.function;
  if (std::find(kFunctions.begin(), kFunctions.end(), f) == kFunctions.end()) {
    if (std::find(kLater.begin(), kLater.end(), f) != kLater.end()) {
      return Unimplemented(fmt::format("ML.{} is not supported by Strata's SQL yet", f));
    }
    return SyntaxError(given.begin, fmt::format("unknown function ML.{}.{}", f, DidYouMean(f, kFunctions)));
  }
  if (f == "TRIAL_INFO") {
    if (given.has_input) return SyntaxError(given.input_offset, "ML.TRIAL_INFO takes only MODEL name");
    STRATA_RETURN_IF_ERROR(CheckSettings(given, {}));
    STRATA_ASSIGN_OR_RETURN(Table rows, TrialInfoRows(ws, given.model));
    return std::unique_ptr<MlFunction>(std::make_unique<StaticFunction>(std::move(rows)));
  }
  // STRUCT(3 AS trial_id): a tuned model's trial instead of its optimal one (every function).
  MlCall call = given;
  std::optional<int> trial_id;
  if (auto it = call.settings.find("trial_id"); it != call.settings.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1) {
      return SyntaxError(call.begin, "trial_id must be an integer >= 1 (see ML.TRIAL_INFO)");
    }
    trial_id = static_cast<int>(std::min<int64_t>(it->get<int64_t>(), 1 << 30));
    call.settings.erase(it);
  }
  ModelStore store(ws);
  ModelBundle bundle;
  if (trial_id) {
    STRATA_ASSIGN_OR_RETURN(bundle, LoadTrialBundle(ws, call.model, *trial_id));
  } else {
    STRATA_ASSIGN_OR_RETURN(bundle, store.Load(call.model));
  }
  const bool takes_input = f == "PREDICT" || f == "EVALUATE" || f == "CONFUSION_MATRIX" ||
                           f == "ROC_CURVE" || f == "EXPLAIN_PREDICT";
  if (call.has_input && !takes_input) {
    return SyntaxError(call.input_offset, fmt::format("ML.{} takes only MODEL name", f));
  }

  if (f == "PREDICT") {
    STRATA_RETURN_IF_ERROR(CheckSettings(call, {"threshold", "keep_original_columns"}));
    if (input_sql.empty()) {
      return SyntaxError(call.end - 1, fmt::format("ML.PREDICT needs input rows: ML.PREDICT(MODEL {}, "
                                                   "TABLE t) or ML.PREDICT(MODEL {}, (SELECT ...))",
                                                   call.model, call.model));
    }
    PredictOptions options;
    STRATA_ASSIGN_OR_RETURN(options.threshold, Threshold(call));
    auto keep = call.settings.find("keep_original_columns");
    if (keep != call.settings.end() && keep->is_boolean()) options.keep_input_columns = keep->get<bool>();
    STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const Predictor> predictor, Predictor::Create(std::move(bundle)));
    auto fn = std::make_unique<PredictFunction>(ws, std::move(predictor), input_sql, options);
    STRATA_RETURN_IF_ERROR(fn->Init());
    return std::unique_ptr<MlFunction>(std::move(fn));
  }

  if (f == "EXPLAIN_PREDICT") {
    STRATA_RETURN_IF_ERROR(CheckSettings(call, {"top_k_features", "threshold"}));
    if (input_sql.empty()) {
      return SyntaxError(call.end - 1, fmt::format("ML.EXPLAIN_PREDICT needs input rows: "
                                                   "ML.EXPLAIN_PREDICT(MODEL {}, TABLE t)", call.model));
    }
    if (bundle.task == Task::kClustering) {
      return InvalidArgument(fmt::format("ML.EXPLAIN_PREDICT does not apply to {} models", bundle.model_type));
    }
    int top_k = 5;  // BigQuery ML's default
    if (auto it = call.settings.find("top_k_features"); it != call.settings.end()) {
      if (!it->is_number_integer() || it->get<int64_t>() < 1) {
        return SyntaxError(call.begin, "top_k_features must be an integer >= 1");
      }
      top_k = static_cast<int>(std::min<int64_t>(it->get<int64_t>(), 1 << 20));
    }
    PredictOptions options;
    STRATA_ASSIGN_OR_RETURN(options.threshold, Threshold(call));
    STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const Predictor> predictor, Predictor::Create(std::move(bundle)));
    auto fn = std::make_unique<ExplainFunction>(ws, std::move(predictor), input_sql, options, top_k);
    STRATA_RETURN_IF_ERROR(fn->Init());
    return std::unique_ptr<MlFunction>(std::move(fn));
  }

  Table rows;
  if (f == "GLOBAL_EXPLAIN") {
    STRATA_RETURN_IF_ERROR(CheckSettings(call, {"class_level_explain"}));
    if (auto it = call.settings.find("class_level_explain"); it != call.settings.end() && it->is_boolean() &&
                                                              it->get<bool>()) {
      return Unimplemented("ML.GLOBAL_EXPLAIN with class_level_explain is not supported yet");
    }
    if (!bundle.global_explain.is_array()) {
      return InvalidArgument(fmt::format("ML.GLOBAL_EXPLAIN needs a model trained with "
                                         "OPTIONS(enable_global_explain = TRUE); {} was not",
                                         call.model));
    }
    STRATA_ASSIGN_OR_RETURN(rows, JsonRows({{"feature", DataType::kString}, {"attribution", DataType::kFloat64}},
                                           bundle.global_explain));
  } else if (f == "CENTROIDS") {
    STRATA_RETURN_IF_ERROR(CheckSettings(call, {"standardize"}));
    if (bundle.model_type != "KMEANS") {
      return InvalidArgument(fmt::format("ML.CENTROIDS applies to KMEANS models; {} is {}", call.model,
                                         bundle.model_type));
    }
    auto it = call.settings.find("standardize");
    STRATA_ASSIGN_OR_RETURN(rows, CentroidRows(bundle, it != call.settings.end() && it->is_boolean() &&
                                                           it->get<bool>()));
  } else if (f == "EVALUATE") {
    STRATA_RETURN_IF_ERROR(CheckSettings(call, {"threshold"}));
    STRATA_ASSIGN_OR_RETURN(nlohmann::json metrics, Metrics(ws, bundle, call, input_sql));
    STRATA_ASSIGN_OR_RETURN(rows, EvaluateRows(bundle, metrics));
  } else if (f == "CONFUSION_MATRIX") {
    STRATA_RETURN_IF_ERROR(CheckSettings(call, {"threshold"}));
    STRATA_ASSIGN_OR_RETURN(nlohmann::json metrics, Metrics(ws, bundle, call, input_sql));
    STRATA_ASSIGN_OR_RETURN(rows, ConfusionRows(metrics.value("summary", nlohmann::json::object()), call));
  } else if (f == "ROC_CURVE") {
    STRATA_RETURN_IF_ERROR(CheckSettings(call, {}));
    STRATA_ASSIGN_OR_RETURN(nlohmann::json metrics, Metrics(ws, bundle, call, input_sql));
    const nlohmann::json summary = metrics.value("summary", nlohmann::json::object());
    if (!summary.contains("roc_curve")) {
      return InvalidArgument(fmt::format("ML.ROC_CURVE applies to binary classifiers; {} is {} with {} classes",
                                         call.model, bundle.model_type, bundle.class_labels.size()));
    }
    STRATA_ASSIGN_OR_RETURN(rows, JsonRows({{"threshold", DataType::kFloat64},
                                            {"recall", DataType::kFloat64},
                                            {"false_positive_rate", DataType::kFloat64},
                                            {"true_positives", DataType::kInt64},
                                            {"false_positives", DataType::kInt64},
                                            {"true_negatives", DataType::kInt64},
                                            {"false_negatives", DataType::kInt64}},
                                           summary["roc_curve"]));
  } else if (f == "FEATURE_IMPORTANCE") {
    STRATA_RETURN_IF_ERROR(CheckSettings(call, {}));
    if (bundle.model_type.find("TREE") == std::string::npos &&
        bundle.model_type.find("FOREST") == std::string::npos) {
      const bool linear = bundle.model_type == "LINEAR_REG" || bundle.model_type == "LOGISTIC_REG";
      return InvalidArgument(fmt::format(
          "ML.FEATURE_IMPORTANCE applies to boosted tree and random forest models; {} is {} ({})",
          call.model, bundle.model_type,
          linear ? "see ML.WEIGHTS"
                 : "see ML.GLOBAL_EXPLAIN, with OPTIONS(enable_global_explain = TRUE)"));
    }
    STRATA_ASSIGN_OR_RETURN(rows, JsonRows({{"feature", DataType::kString},
                                            {"importance_weight", DataType::kFloat64},
                                            {"importance_gain", DataType::kFloat64},
                                            {"importance_cover", DataType::kFloat64}},
                                           bundle.importance));
  } else if (f == "TRAINING_INFO") {
    STRATA_RETURN_IF_ERROR(CheckSettings(call, {}));
    STRATA_ASSIGN_OR_RETURN(rows, JsonRows({{"training_run", DataType::kInt64},
                                            {"iteration", DataType::kInt64},
                                            {"loss", DataType::kFloat64},
                                            {"eval_loss", DataType::kFloat64},
                                            {"learning_rate", DataType::kFloat64},
                                            {"duration_ms", DataType::kInt64}},
                                           bundle.training_info));
  } else if (f == "FEATURE_INFO") {
    STRATA_RETURN_IF_ERROR(CheckSettings(call, {}));
    STRATA_ASSIGN_OR_RETURN(rows, FeatureInfoRows(bundle));
  } else if (f == "WEIGHTS") {
    STRATA_RETURN_IF_ERROR(CheckSettings(call, {}));
    STRATA_ASSIGN_OR_RETURN(rows, WeightRows(bundle, call));
  }
  return std::unique_ptr<MlFunction>(std::make_unique<StaticFunction>(std::move(rows)));
}

}  // namespace strata::sql
