#include "strata/predictor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "models/evaluation.h"
#include "models/labels.h"
#include "strata/balance.h"
#include "strata/calibration.h"
#include "strata/ensemble.h"
#include "strata/trainer.h"

namespace strata {
namespace {

// JSON text of [{"label": ..., "prob": ...}] — BigQuery ML's predicted_<label>_probs. The
// label is written in its own type (number, bool or string).
std::string ProbsJson(const std::vector<std::string>& labels, DataType label_type,
                      const double* probs) {
  nlohmann::json arr = nlohmann::json::array();
  for (size_t c = 0; c < labels.size(); ++c) {
    nlohmann::json label = labels[c];
    if (label_type == DataType::kInt64 || label_type == DataType::kFloat64) {
      try {
        label = nlohmann::json::parse(labels[c]);
      } catch (const nlohmann::json::exception&) {
      }
    } else if (label_type == DataType::kBool) {
      label = labels[c] == "true";
    }
    arr.push_back({{"label", label}, {"prob", probs[c]}});
  }
  return arr.dump();
}

}  // namespace

Predictor::Predictor(ModelBundle bundle, std::unique_ptr<Model> model, std::vector<Member> members)
    : bundle_(std::move(bundle)),
      input_schema_(bundle_.preprocessor.input_schema()),
      model_(std::move(model)),
      members_(std::move(members)) {}

Result<std::shared_ptr<const Predictor>> Predictor::Create(ModelBundle bundle) {
  if (IsEnsembleModelType(bundle.model_type)) {
    STRATA_ASSIGN_OR_RETURN(std::vector<EnsembleMember> parsed, EnsembleMembers(bundle));
    std::vector<Member> members;
    for (EnsembleMember& m : parsed) {
      STRATA_ASSIGN_OR_RETURN(auto predictor, Create(std::move(m.bundle)));
      members.push_back({m.weight, std::move(predictor)});
    }
    bundle.payload.clear();  // the members hold their own copies
    return std::shared_ptr<const Predictor>(new Predictor(std::move(bundle), nullptr, std::move(members)));
  }
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, bundle.LoadModel());
  return std::shared_ptr<const Predictor>(new Predictor(std::move(bundle), std::move(model), {}));
}

Result<ModelOutput> Predictor::PredictRaw(const Table& input) const {
  if (is_ensemble()) {
    std::vector<ModelOutput> outputs;
    std::vector<const ModelOutput*> pointers;
    std::vector<double> weights;
    outputs.reserve(members_.size());
    for (const Member& m : members_) {
      STRATA_ASSIGN_OR_RETURN(ModelOutput out, m.predictor->PredictRaw(input));
      outputs.push_back(std::move(out));
      weights.push_back(m.weight);
    }
    for (const ModelOutput& o : outputs) pointers.push_back(&o);
    STRATA_ASSIGN_OR_RETURN(ModelOutput average, AverageOutputs(pointers, weights));
    ApplyTemperature(bundle_.temperature, average.width, &average.probabilities);
    return average;
  }
  STRATA_ASSIGN_OR_RETURN(FeatureMatrix x, bundle_.preprocessor.Transform(input));
  return PredictFeatures(x);
}

Result<ModelOutput> Predictor::PredictFeatures(const FeatureMatrix& x) const {
  if (is_ensemble()) {
    return FailedPrecondition("an ensemble predicts from the input table (PredictRaw), since "
                              "each member has its own preprocessing");
  }
  ModelOutput out;
  STRATA_RETURN_IF_ERROR(model_->Predict(x, &out));
  if (!bundle_.prior_correction.empty()) {
    CorrectProbabilities(bundle_.prior_correction, static_cast<int>(bundle_.class_labels.size()),
                         &out.probabilities);
  }
  ApplyTemperature(bundle_.temperature, out.width, &out.probabilities);
  return out;
}

Result<Table> Predictor::Predict(const Table& input, const PredictOptions& options) const {
  STRATA_ASSIGN_OR_RETURN(ModelOutput out, PredictRaw(input));
  const int64_t n = input.num_rows();
  Table result;
  if (options.keep_input_columns) {
    for (const Column& c : input.columns()) STRATA_RETURN_IF_ERROR(result.AddColumn(c));
  }
  auto add = [&](Column c) -> Status {
    // An input column with the output's name is replaced, as ML.PREDICT does.
    int existing = result.ColumnIndex(c.name());
    if (existing >= 0) return result.SetColumn(existing, std::move(c));
    return result.AddColumn(std::move(c));
  };
  switch (bundle_.task) {
    case Task::kRegression: {
      Column pred("predicted_" + bundle_.label, DataType::kFloat64);
      pred.Reserve(n);
      for (int64_t r = 0; r < n; ++r) pred.AppendFloat64(out.values[r]);
      STRATA_RETURN_IF_ERROR(add(std::move(pred)));
      break;
    }
    case Task::kClassification: {
      const int k = static_cast<int>(bundle_.class_labels.size());
      double threshold = options.threshold.value_or(bundle_.threshold);
      if (options.threshold && k != 2) {
        return InvalidArgument("threshold applies to binary classifiers only; this model has " +
                               std::to_string(k) + " classes");
      }
      if (!(threshold >= 0 && threshold <= 1)) {
        return InvalidArgument(fmt::format("threshold {} must be between 0 and 1", threshold));
      }
      std::vector<int> chosen(static_cast<size_t>(n));
      Column probs("predicted_" + bundle_.label + "_probs", DataType::kString);
      probs.Reserve(n);
      for (int64_t r = 0; r < n; ++r) {
        const double* p = out.probabilities.data() + static_cast<size_t>(r) * k;
        if (k == 2) {
          chosen[r] = p[1] >= threshold ? 1 : 0;
        } else {
          chosen[r] = static_cast<int>(std::max_element(p, p + k) - p);
        }
        probs.AppendString(ProbsJson(bundle_.class_labels, bundle_.label_type, p));
      }
      STRATA_RETURN_IF_ERROR(add(LabelColumn("predicted_" + bundle_.label, bundle_.label_type,
                                             bundle_.class_labels, chosen)));
      STRATA_RETURN_IF_ERROR(add(std::move(probs)));
      break;
    }
    case Task::kClustering: {
      const int k = out.width;
      Column id("centroid_id", DataType::kInt64);
      Column dist("nearest_centroids_distance", DataType::kString);
      for (int64_t r = 0; r < n; ++r) {
        id.AppendInt64(out.cluster[r] + 1);
        std::vector<std::pair<double, int>> d;
        for (int c = 0; c < k; ++c) d.push_back({out.distances[static_cast<size_t>(r) * k + c], c + 1});
        std::sort(d.begin(), d.end());
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& [distance, cid] : d) arr.push_back({{"centroid_id", cid}, {"distance", distance}});
        dist.AppendString(arr.dump());
      }
      STRATA_RETURN_IF_ERROR(add(std::move(id)));
      STRATA_RETURN_IF_ERROR(add(std::move(dist)));
      break;
    }
  }
  if (options.explain_top_k > 0) {
    STRATA_ASSIGN_OR_RETURN(Explanation e, Explain(input, options.explain_top_k));
    Column attributions("top_feature_attributions", DataType::kString);
    for (const auto& row : e.rows) {
      nlohmann::json arr = nlohmann::json::array();
      for (const Attribution& a : row) arr.push_back({{"feature", a.feature}, {"attribution", a.attribution}});
      attributions.AppendString(arr.dump());
    }
    STRATA_RETURN_IF_ERROR(add(std::move(attributions)));
  }
  return result;
}

Result<Predictor::Explanation> Predictor::Explain(const Table& input, int top_k) const {
  if (bundle_.task == Task::kClustering) {
    return Unimplemented("explanations are not available for clustering models");
  }
  if (is_ensemble()) return ExplainEnsemble(input, top_k);
  STRATA_ASSIGN_OR_RETURN(FeatureMatrix x, bundle_.preprocessor.Transform(input));
  Contributions contributions;
  STRATA_RETURN_IF_ERROR(model_->Contribute(x, &contributions));
  const auto& features = bundle_.preprocessor.features();
  const int f = contributions.features;
  if (f != static_cast<int>(features.size())) {
    return Internal("contribution width does not match the model's features");
  }
  // For multiclass models, explain the predicted class.
  const int k = contributions.classes;
  std::vector<int> klass(static_cast<size_t>(x.rows()), 0);
  if (k > 1) {
    ModelOutput out;
    STRATA_RETURN_IF_ERROR(model_->Predict(x, &out));
    for (int64_t r = 0; r < x.rows(); ++r) {
      const double* p = out.probabilities.data() + static_cast<size_t>(r) * k;
      klass[r] = static_cast<int>(std::max_element(p, p + k) - p);
    }
  }
  Explanation e;
  for (int64_t r = 0; r < x.rows(); ++r) {
    const double* row = contributions.values.data() +
                        (static_cast<size_t>(r) * k + klass[r]) * static_cast<size_t>(f + 1);
    // Sum the model-input contributions back to the user's columns.
    std::map<std::string, double> by_column;
    double total = row[f];
    for (int j = 0; j < f; ++j) {
      by_column[features[j].source_column] += row[j];
      total += row[j];
    }
    std::vector<Attribution> attrs;
    for (const auto& [name, value] : by_column) attrs.push_back({name, value});
    std::sort(attrs.begin(), attrs.end(), [](const Attribution& a, const Attribution& b) {
      return std::fabs(a.attribution) > std::fabs(b.attribution);
    });
    if (top_k > 0 && static_cast<int>(attrs.size()) > top_k) attrs.resize(static_cast<size_t>(top_k));
    e.rows.push_back(std::move(attrs));
    e.baseline.push_back(row[f]);
    e.prediction_value.push_back(total);
  }
  return e;
}

Result<Predictor::Explanation> Predictor::ExplainEnsemble(const Table& input, int top_k) const {
  Explanation e;
  const auto n = static_cast<size_t>(input.num_rows());
  std::vector<std::map<std::string, double>> by_column(n);
  e.baseline.assign(n, 0.0);
  e.prediction_value.assign(n, 0.0);
  for (const Member& m : members_) {
    STRATA_ASSIGN_OR_RETURN(Explanation part, m.predictor->Explain(input, /*top_k=*/0));
    for (size_t r = 0; r < n; ++r) {
      for (const Attribution& a : part.rows[r]) by_column[r][a.feature] += m.weight * a.attribution;
      e.baseline[r] += m.weight * part.baseline[r];
      e.prediction_value[r] += m.weight * part.prediction_value[r];
    }
  }
  for (size_t r = 0; r < n; ++r) {
    std::vector<Attribution> attrs;
    for (const auto& [name, value] : by_column[r]) attrs.push_back({name, value});
    std::sort(attrs.begin(), attrs.end(), [](const Attribution& a, const Attribution& b) {
      return std::fabs(a.attribution) > std::fabs(b.attribution);
    });
    if (top_k > 0 && static_cast<int>(attrs.size()) > top_k) attrs.resize(static_cast<size_t>(top_k));
    e.rows.push_back(std::move(attrs));
  }
  return e;
}

Result<nlohmann::json> GlobalExplain(const Predictor& predictor, const Table& rows, int64_t max_rows) {
  const int64_t n = std::min<int64_t>(rows.num_rows(), max_rows);
  if (n == 0) return nlohmann::json::array();
  STRATA_ASSIGN_OR_RETURN(Predictor::Explanation e, predictor.Explain(rows.Slice(0, n), /*top_k=*/0));
  std::map<std::string, double> total;
  for (const auto& row : e.rows) {
    for (const Attribution& a : row) total[a.feature] += std::fabs(a.attribution);
  }
  std::vector<std::pair<double, std::string>> ranked;
  for (const auto& [feature, sum] : total) ranked.push_back({sum / static_cast<double>(n), feature});
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [attribution, feature] : ranked) {
    out.push_back({{"feature", feature}, {"attribution", attribution}});
  }
  return out;
}

Result<nlohmann::json> Evaluate(const ModelBundle& bundle, const Table& data,
                                std::optional<double> threshold) {
  STRATA_ASSIGN_OR_RETURN(auto predictor, Predictor::Create(bundle));
  // Ensembles predict from the table; only clustering metrics read the features, and
  // ensembles are never clustering models.
  FeatureMatrix x;
  ModelOutput out;
  if (predictor->is_ensemble()) {
    STRATA_ASSIGN_OR_RETURN(out, predictor->PredictRaw(data));
  } else {
    STRATA_ASSIGN_OR_RETURN(x, bundle.preprocessor.Transform(data));
    STRATA_ASSIGN_OR_RETURN(out, predictor->PredictFeatures(x));
  }
  if (threshold && bundle.class_labels.size() != 2) {
    return InvalidArgument("threshold applies to binary classifiers only");
  }
  STRATA_ASSIGN_OR_RETURN(EvaluationResult r,
                          EvaluateOutput(bundle, data, x, out, threshold.value_or(bundle.threshold)));
  nlohmann::json j = r.metrics;
  j["summary"] = r.summary;
  return j;
}

}  // namespace strata
