#include "models/linear_params.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace strata {
namespace {

constexpr std::string_view kPayloadFormat = "strata.linear";
constexpr int kPayloadVersion = 1;
// Far above any real model (the preprocessor caps one-hot columns per input), low enough
// that a corrupt size cannot ask for an absurd allocation before the arrays are checked.
constexpr int64_t kMaxStoredValues = int64_t{1} << 31;

std::string FeatureName(const std::vector<FeatureInfo>& features, int j) {
  if (j < static_cast<int>(features.size()) && !features[j].name.empty()) {
    return features[j].name;
  }
  return fmt::format("feature_{}", j);
}

nlohmann::json WeightsJson(const Eigen::MatrixXd& coef, int output,
                           const std::vector<FeatureInfo>& features) {
  nlohmann::json weights = nlohmann::json::array();
  for (int j = 0; j < coef.rows(); ++j) {
    nlohmann::json w = {{"feature", FeatureName(features, j)}};
    if (j < static_cast<int>(features.size())) {
      const FeatureInfo& info = features[j];
      w["source_column"] = info.source_column.empty() ? w["feature"] : nlohmann::json(info.source_column);
      if (info.kind == FeatureKind::kOneHot) w["category"] = info.category;
    }
    w["weight"] = coef(j, output);
    weights.push_back(std::move(w));
  }
  return weights;
}

Status Corrupt(std::string_view what) {
  return DataLoss(fmt::format("linear model payload is corrupt: {}; retrain the model or "
                              "restore the bundle from a backup",
                              what));
}

// Reads a JSON array of finite numbers of length `size` into `out`.
Status ReadNumbers(const nlohmann::json& array, int64_t size, std::string_view what,
                   double* out) {
  if (!array.is_array() || static_cast<int64_t>(array.size()) != size) {
    return Corrupt(fmt::format("'{}' is not an array of {} numbers", what, size));
  }
  for (int64_t i = 0; i < size; ++i) {
    const nlohmann::json& v = array[static_cast<size_t>(i)];
    if (!v.is_number() || !std::isfinite(v.get<double>())) {
      return Corrupt(fmt::format("'{}' holds a value that is not a finite number", what));
    }
    out[i] = v.get<double>();
  }
  return Status::Ok();
}

Status ReadInt(const nlohmann::json& object, std::string_view key, int64_t lo, int64_t hi,
               int64_t* out) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) {
    return Corrupt(fmt::format("'{}' is missing or not an integer", key));
  }
  int64_t v = it->get<int64_t>();
  if (v < lo || v > hi) return Corrupt(fmt::format("'{}' = {} is out of range", key, v));
  *out = v;
  return Status::Ok();
}

}  // namespace

Status CheckFeatureValues(const FeatureMatrix& x, int features, std::string_view what) {
  if (x.cols() != features) {
    return InvalidArgument(fmt::format("{}: {} columns, but the model has {} features; build "
                                       "the matrix with the model's own preprocessing",
                                       what, x.cols(), features));
  }
  for (int c = 0; c < x.cols(); ++c) {
    const double* col = x.column(c);
    const double* bad = std::find_if(col, col + x.rows(), [](double v) { return !std::isfinite(v); });
    if (bad != col + x.rows()) {
      return InvalidArgument(fmt::format(
          "{}: column {} row {} is {}; linear models need every value present and finite "
          "(the trainer imputes NULLs: pass features through the model's preprocessing)",
          what, c, bad - col, std::isnan(*bad) ? "NaN (a missing value)" : "infinite"));
    }
  }
  return Status::Ok();
}

Eigen::MatrixXd LinearScores(const LinearParams& params, const FeatureMatrix& x) {
  Eigen::Map<const Eigen::MatrixXd> m(x.data().data(), x.rows(), x.cols());
  Eigen::MatrixXd scores(x.rows(), params.outputs());
  if (params.features() > 0) {
    scores.noalias() = m * params.coefficients;
  } else {
    scores.setZero();
  }
  scores.rowwise() += params.intercepts.transpose();
  return scores;
}

Status LinearContributions(const LinearParams& params, const FeatureMatrix& x,
                           Contributions* out) {
  STRATA_RETURN_IF_ERROR(CheckFeatureValues(x, params.features(), "contribution features"));
  const int p = params.features();
  const int k = params.outputs();
  const int64_t width = p + 1;
  out->rows = x.rows();
  out->features = p;
  out->classes = k;
  out->values.assign(static_cast<size_t>(x.rows() * k * width), 0.0);
  for (int64_t r = 0; r < x.rows(); ++r) {
    for (int c = 0; c < k; ++c) {
      double* row = out->values.data() + (r * k + c) * width;
      for (int j = 0; j < p; ++j) row[j] = params.coefficients(j, c) * x.at(r, j);
      row[p] = params.intercepts[c];
    }
  }
  return Status::Ok();
}

Result<std::vector<FeatureImportance>> LinearImportance(const LinearParams& params,
                                                        const std::vector<FeatureInfo>& features) {
  if (static_cast<int>(features.size()) != params.features()) {
    return InvalidArgument(fmt::format("importance: {} feature names for a model of {} features",
                                       features.size(), params.features()));
  }
  std::vector<FeatureImportance> out;
  out.reserve(features.size());
  for (int j = 0; j < params.features(); ++j) {
    double magnitude = params.coefficients.row(j).cwiseAbs().sum();
    out.push_back({features[j].name, magnitude, magnitude, 0.0});
  }
  return out;
}

nlohmann::json DescribeLinear(std::string_view model_type, int num_classes,
                              const LinearParams& params, const LinearTrainingSummary& summary,
                              const std::vector<FeatureInfo>& features) {
  nlohmann::json out = {{"model_type", model_type},
                        {"num_features", params.features()},
                        {"solver", summary.solver},
                        {"iterations", summary.iterations},
                        {"stop_reason", summary.stop_reason}};
  if (num_classes > 0) out["num_classes"] = num_classes;
  if (params.outputs() == 1) {
    // Binary logistic regression: the weights give the log-odds of class index 1.
    out["intercept"] = params.intercepts.size() > 0 ? params.intercepts[0] : 0.0;
    out["weights"] = WeightsJson(params.coefficients, 0, features);
    return out;
  }
  nlohmann::json classes = nlohmann::json::array();
  for (int c = 0; c < params.outputs(); ++c) {
    classes.push_back({{"class_index", c},
                       {"intercept", params.intercepts[c]},
                       {"weights", WeightsJson(params.coefficients, c, features)}});
  }
  out["classes"] = std::move(classes);
  return out;
}

std::string SaveLinearPayload(std::string_view model_type, int num_classes,
                              const LinearParams& params, const LinearTrainingSummary& summary) {
  nlohmann::json coefficients = nlohmann::json::array();
  for (int c = 0; c < params.outputs(); ++c) {
    nlohmann::json column = nlohmann::json::array();
    for (int j = 0; j < params.features(); ++j) column.push_back(params.coefficients(j, c));
    coefficients.push_back(std::move(column));
  }
  nlohmann::json intercepts = nlohmann::json::array();
  for (int c = 0; c < params.outputs(); ++c) intercepts.push_back(params.intercepts[c]);
  nlohmann::json out = {
      {"format", kPayloadFormat},
      {"version", kPayloadVersion},
      {"model_type", model_type},
      {"num_classes", num_classes},
      {"features", params.features()},
      {"outputs", params.outputs()},
      {"coefficients", std::move(coefficients)},
      {"intercepts", std::move(intercepts)},
      {"training",
       {{"solver", summary.solver},
        {"iterations", summary.iterations},
        {"stop_reason", summary.stop_reason}}}};
  return out.dump();
}

Status LoadLinearPayload(std::string_view bytes, std::string_view model_type,
                         LinearParams* params, LinearTrainingSummary* summary,
                         int* num_classes) {
  nlohmann::json doc = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Corrupt("not a JSON object");
  auto format = doc.find("format");
  if (format == doc.end() || !format->is_string() || format->get<std::string>() != kPayloadFormat) {
    return Corrupt("not a linear model");
  }
  int64_t version = 0;
  STRATA_RETURN_IF_ERROR(ReadInt(doc, "version", 1, 1'000'000, &version));
  if (version != kPayloadVersion) {
    return Unimplemented(fmt::format("linear model payload version {} is newer than this "
                                     "Strata reads ({}); upgrade Strata",
                                     version, kPayloadVersion));
  }
  auto type = doc.find("model_type");
  if (type == doc.end() || !type->is_string() || type->get<std::string>() != model_type) {
    return Corrupt(fmt::format("it does not hold a {} model", model_type));
  }
  int64_t classes = 0, features = 0, outputs = 0;
  STRATA_RETURN_IF_ERROR(ReadInt(doc, "num_classes", 0, 1'000'000, &classes));
  STRATA_RETURN_IF_ERROR(ReadInt(doc, "features", 0, kMaxStoredValues, &features));
  STRATA_RETURN_IF_ERROR(ReadInt(doc, "outputs", 1, 1'000'000, &outputs));
  int64_t expected_outputs = classes > 2 ? classes : 1;
  if (classes == 1 || outputs != expected_outputs || features * outputs > kMaxStoredValues) {
    return Corrupt("class and output counts do not match");
  }
  const nlohmann::json& coefficients = doc["coefficients"];
  if (!coefficients.is_array() || static_cast<int64_t>(coefficients.size()) != outputs) {
    return Corrupt("'coefficients' does not hold one array per output");
  }
  LinearParams loaded;
  loaded.coefficients.resize(features, outputs);
  loaded.intercepts.resize(outputs);
  for (int64_t c = 0; c < outputs; ++c) {
    STRATA_RETURN_IF_ERROR(ReadNumbers(coefficients[static_cast<size_t>(c)], features,
                                       "coefficients", loaded.coefficients.col(c).data()));
  }
  STRATA_RETURN_IF_ERROR(ReadNumbers(doc["intercepts"], outputs, "intercepts",
                                     loaded.intercepts.data()));
  LinearTrainingSummary info;
  const nlohmann::json& training = doc["training"];
  if (training.is_object()) {
    if (training.contains("solver") && training["solver"].is_string()) {
      info.solver = training["solver"].get<std::string>();
    }
    int64_t iterations = 0;
    if (ReadInt(training, "iterations", 0, 1'000'000'000, &iterations).ok()) {
      info.iterations = static_cast<int>(iterations);
    }
    if (training.contains("stop_reason") && training["stop_reason"].is_string()) {
      info.stop_reason = training["stop_reason"].get<std::string>();
    }
  }
  *params = std::move(loaded);
  *summary = std::move(info);
  *num_classes = static_cast<int>(classes);
  return Status::Ok();
}

}  // namespace strata
