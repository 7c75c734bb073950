#include "models/tree_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/parallel.h"
#include "common/random.h"

namespace strata {
namespace {

// Payload layout (all integers little-endian u64):
//   kMagic | metadata length | metadata JSON | model length | XGBoost UBJSON model |
//   FNV-1a 64 checksum of everything before it.
// The bundle around it has its own checksum; this one makes Model::Load safe on its own,
// because XGBoost's parser trusts the lengths inside its input.
constexpr std::string_view kMagic = "STRXGB01";

uint64_t Fnv1a(std::string_view bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

bool GetU64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = 0;
  for (int i = 0; i < 8; ++i) *v |= static_cast<uint64_t>(static_cast<unsigned char>((*in)[i])) << (8 * i);
  in->remove_prefix(8);
  return true;
}

std::string_view EnsembleName(TreeEnsemble e) {
  return e == TreeEnsemble::kBoosted ? "boosted_tree" : "random_forest";
}

Status CheckData(const TrainingData& data, Task task, std::string_view what) {
  if (data.features == nullptr) return InvalidArgument(fmt::format("no {} features", what));
  const FeatureMatrix& x = *data.features;
  if (x.rows() == 0) return InvalidArgument(fmt::format("the {} data has no rows", what));
  if (x.cols() == 0) return InvalidArgument(fmt::format("the {} data has no feature columns", what));
  if (static_cast<int64_t>(data.labels.size()) != x.rows()) {
    return InvalidArgument(fmt::format("{} data: {} labels for {} rows", what, data.labels.size(),
                                       x.rows()));
  }
  if (!data.weights.empty() && static_cast<int64_t>(data.weights.size()) != x.rows()) {
    return InvalidArgument(fmt::format("{} data: {} row weights for {} rows", what,
                                       data.weights.size(), x.rows()));
  }
  for (size_t i = 0; i < data.weights.size(); ++i) {
    if (!std::isfinite(data.weights[i]) || data.weights[i] < 0) {
      return InvalidArgument(fmt::format(
          "{} data row {}: weight {} is not a finite number >= 0", what, i + 1, data.weights[i]));
    }
  }
  for (size_t i = 0; i < data.labels.size(); ++i) {
    double y = data.labels[i];
    if (task == Task::kClassification) {
      if (!(y >= 0 && y < data.num_classes && y == std::floor(y))) {
        return InvalidArgument(fmt::format("{} data row {}: class index {} is not in 0..{}", what,
                                           i + 1, y, data.num_classes - 1));
      }
    } else if (!std::isfinite(y)) {
      return InvalidArgument(fmt::format(
          "{} data row {}: the label is {}; a regressor needs finite numbers (drop or fill "
          "rows with a NULL label)",
          what, i + 1, y));
    }
  }
  return Status::Ok();
}

// Builds the DMatrix XGBoost trains or evaluates on (labels and weights included).
Result<xgb::DMatrix> TrainingMatrix(const TrainingData& data, const TreeTrainingPlan& plan) {
  STRATA_ASSIGN_OR_RETURN(xgb::DMatrix m, xgb::DMatrix::FromFeatures(*data.features, plan.threads));
  // Label-encoded categories (codes in sorted order of the values) split as sets of
  // categories: the alphabetical order of the codes means nothing. On diamonds' cut, color
  // and clarity that lowered xgboost-python's RMSE from 551 to 543 (bench/automl).
  auto set_splits = [](const FeatureInfo& f) {
    return f.kind == FeatureKind::kCategorical && f.categories <= kMaxCategoriesForSetSplits;
  };
  const bool any_categorical =
      std::any_of(data.feature_info.begin(), data.feature_info.end(), set_splits);
  if (plan.categorical_splits && any_categorical) {
    if (data.feature_info.size() != static_cast<size_t>(data.features->cols())) {
      return Internal(fmt::format("{} feature descriptions for {} feature columns",
                                  data.feature_info.size(), data.features->cols()));
    }
    std::vector<std::string> types;
    for (const FeatureInfo& f : data.feature_info) {
      types.push_back(set_splits(f) ? "c" : "q");
    }
    STRATA_RETURN_IF_ERROR(m.SetFeatureTypes(types));
  }
  STRATA_RETURN_IF_ERROR(m.SetLabels(data.labels));
  if (!data.weights.empty()) STRATA_RETURN_IF_ERROR(m.SetWeights(data.weights));
  return m;
}

// Above this many training rows the per-round training loss is measured on a fixed random
// sample of this many of them: XGBoost's evaluation costs a pass over every row it is given
// (measured: 3.8 s of 11 s for 100 rounds on 900,000 rows), and a loss curve for the log does
// not need more. Early stopping on the training loss (no evaluation data) still sees all.
constexpr int64_t kMaxLossRows = 50'000;

// kMaxLossRows distinct row numbers out of `rows`, ascending, the same for a given seed.
std::vector<int> LossSample(int64_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0x5eed'1055ull);
  std::vector<int> all(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) all[i] = static_cast<int>(i);
  for (int64_t i = 0; i < kMaxLossRows; ++i) {  // partial Fisher-Yates
    std::swap(all[i], all[i + UniformIndex(rng, rows - i)]);
  }
  all.resize(kMaxLossRows);
  std::sort(all.begin(), all.end());
  return all;
}

// A log-link objective's labels checked against its floor (gamma: > 0; Poisson and Tweedie:
// >= 0, not all 0), in the training and evaluation data; returns the training labels'
// (weighted) mean, the model's starting prediction. XGBoost 1.7 would start from 0.5, which
// for labels in the thousands costs dozens of rounds and stops BigQuery ML's
// min_rel_progress rule early.
Result<double> LogLinkStart(const TrainingData& data, const FitContext& context) {
  const std::string objective = context.options.GetString("objective");
  const bool positive = objective == "GAMMA";
  auto check = [&](const TrainingData& d, const char* part) -> Status {
    int64_t bad = 0;
    double example = 0;
    for (double y : d.labels) {
      if (positive ? !(y > 0) : !(y >= 0)) {
        if (bad++ == 0) example = y;
      }
    }
    if (bad == 0) return Status::Ok();
    return InvalidArgument(fmt::format(
        "option objective = '{}' needs labels {} 0, but {} {} row(s) have a label {} 0 (for "
        "example {}); use objective = '{}' or filter those rows",
        objective, positive ? "above" : "of at least", bad, part,
        positive ? "at or below" : "below", example,
        positive ? "TWEEDIE' or 'SQUARED_ERROR" : "SQUARED_ERROR"));
  };
  STRATA_RETURN_IF_ERROR(check(data, "training"));
  if (context.eval != nullptr) STRATA_RETURN_IF_ERROR(check(*context.eval, "evaluation"));
  double sum = 0, weight = 0;
  for (size_t i = 0; i < data.labels.size(); ++i) {
    const double w = data.weights.empty() ? 1.0 : data.weights[i];
    sum += w * data.labels[i];
    weight += w;
  }
  const double mean = weight > 0 ? sum / weight : 0;
  if (!(mean > 0)) {
    return InvalidArgument(fmt::format(
        "option objective = '{}' needs some labels above 0, but every training label is 0",
        objective));
  }
  return mean;
}

std::vector<double> ToDoubles(const std::vector<float>& v) {
  return std::vector<double>(v.begin(), v.end());
}

}  // namespace

Status TreeModel::Fit(const TrainingData& data, const FitContext& context) {
  STRATA_RETURN_IF_ERROR(CheckData(data, task_, "training"));
  if (context.eval != nullptr) {
    STRATA_RETURN_IF_ERROR(CheckData(*context.eval, task_, "evaluation"));
    if (context.eval->features->cols() != data.features->cols()) {
      return InvalidArgument(fmt::format("evaluation data has {} feature columns, training {}",
                                         context.eval->features->cols(), data.features->cols()));
    }
  }
  const int classes = task_ == Task::kClassification ? data.num_classes : 0;
  FitContext sized = context;
  if (sized.threads <= 0) {
    // Unless told otherwise, one thread per ~250k feature values: on small data XGBoost's
    // OpenMP threads mostly wait on each other, and on a busy machine their spinning makes a
    // one-second training take many (measured: 4,000 x 19 rows, 0.27 s on one thread vs
    // 6.8 s on two under load).
    const int64_t cells = data.features->rows() * data.features->cols();
    sized.threads = static_cast<int>(std::clamp<int64_t>(cells / 250'000, 1, ResolveThreads(0)));
  }
  STRATA_ASSIGN_OR_RETURN(TreeTrainingPlan plan,
                          PlanTreeTraining(ensemble_, task_, classes, sized));
  if (plan.log_link) {
    STRATA_ASSIGN_OR_RETURN(double start, LogLinkStart(data, context));
    plan.params.emplace_back("base_score", fmt::format("{}", start));
  }
  return Train(data, sized, plan);
}

Status TreeModel::Train(const TrainingData& data, const FitContext& context,
                        const TreeTrainingPlan& plan) {
  STRATA_ASSIGN_OR_RETURN(xgb::DMatrix train, TrainingMatrix(data, plan));
  const bool watch_eval = context.eval != nullptr;
  // The matrices evaluated each round: the training loss on `train` or a sample of it
  // (kMaxLossRows), then the evaluation loss.
  xgb::DMatrix loss_sample, eval;
  const xgb::DMatrix* loss_matrix = &train;
  const int64_t train_rows = data.features->rows();
  const bool watch_train = plan.early_stop && !watch_eval;
  if (train_rows > kMaxLossRows && !watch_train) {
    STRATA_ASSIGN_OR_RETURN(loss_sample, train.Slice(LossSample(train_rows, context.seed)));
    loss_matrix = &loss_sample;
    loss_rows_ = kMaxLossRows;
  } else {
    loss_rows_ = train_rows;
  }
  std::vector<const xgb::DMatrix*> evaluated = {loss_matrix};
  if (watch_eval) {
    STRATA_ASSIGN_OR_RETURN(eval, TrainingMatrix(*context.eval, plan));
    evaluated.push_back(&eval);
  }
  // Every matrix the booster predicts each round is in its cache, so a round adds one tree's
  // predictions rather than recomputing all of them.
  std::vector<const xgb::DMatrix*> cached = {&train};
  if (loss_matrix != &train) cached.push_back(loss_matrix);
  if (watch_eval) cached.push_back(&eval);
  STRATA_ASSIGN_OR_RETURN(xgb::Booster booster, xgb::Booster::Create(cached));
  for (const auto& [name, value] : plan.params) {
    STRATA_RETURN_IF_ERROR(booster.SetParam(name, value));
  }

  // Early stopping watches the evaluation loss, or the training loss without evaluation
  // data. Two rules: XGBoost's (early_stopping_rounds without a new best, strictly lower)
  // and BigQuery ML's (a round improving on the previous one by less than min_rel_progress
  // of it). Either way the model keeps the rounds up to the best one, as xgboost-python's
  // sklearn models predict with best_iteration.
  int best = -1;
  double best_loss = std::numeric_limits<double>::infinity();
  double previous = std::numeric_limits<double>::quiet_NaN();
  int rounds = 0;
  std::string stop_reason = ensemble_ == TreeEnsemble::kRandomForest
                                ? "a random forest is one round"
                                : "max_iterations reached";
  for (int i = 0; i < plan.max_rounds; ++i) {
    if (context.cancel != nullptr && context.cancel->load()) {
      return Cancelled(fmt::format("training cancelled after {} of {} rounds", i, plan.max_rounds));
    }
    auto start = std::chrono::steady_clock::now();
    STRATA_RETURN_IF_ERROR(booster.UpdateOneIter(i, train));
    STRATA_ASSIGN_OR_RETURN(std::vector<double> losses, booster.Eval(i, evaluated));
    rounds = i + 1;
    const double loss = losses[0];
    const double eval_loss = watch_eval ? losses[1] : std::numeric_limits<double>::quiet_NaN();
    if (context.log != nullptr) {
      IterationInfo info;
      info.iteration = i;
      info.loss = loss;
      info.eval_loss = eval_loss;
      info.learning_rate = plan.learning_rate;
      info.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
      context.log->push_back(info);
    }
    if (context.progress) context.progress({"training", rounds, plan.max_rounds, loss, eval_loss});
    if (!plan.early_stop) continue;

    const double watched = watch_eval ? eval_loss : loss;
    if (best < 0 || watched < best_loss) {
      best = i;
      best_loss = watched;
    }
    if (plan.early_stopping_rounds > 0) {
      if (i - best >= plan.early_stopping_rounds) {
        stop_reason = fmt::format("no better {} loss in {} rounds", watch_eval ? "evaluation" : "training",
                                  plan.early_stopping_rounds);
        break;
      }
    } else if (i > 0 && previous - watched < plan.min_rel_progress * std::fabs(previous)) {
      stop_reason = fmt::format("{} loss improved by less than min_rel_progress = {}",
                                watch_eval ? "evaluation" : "training", plan.min_rel_progress);
      break;
    }
    previous = watched;
  }

  int kept = rounds;
  if (plan.early_stop && best >= 0 && best + 1 < rounds) {
    STRATA_ASSIGN_OR_RETURN(booster, booster.Slice(0, best + 1));
    kept = best + 1;
  }

  booster_ = std::move(booster);
  num_classes_ = task_ == Task::kClassification ? data.num_classes : 0;
  num_features_ = data.features->cols();
  rounds_ = kept;
  rounds_trained_ = rounds;
  best_iteration_ = plan.early_stop ? best : -1;
  stop_reason_ = stop_reason;
  params_ = nlohmann::json::object();
  for (const auto& [name, value] : plan.params) {
    if (name != "nthread" && name != "validate_parameters") params_[name] = value;
  }
  return Status::Ok();
}

Status TreeModel::CheckFitted(const FeatureMatrix& features) const {
  if (!booster_.valid()) return FailedPrecondition("the tree model has not been trained or loaded");
  if (features.cols() != num_features_) {
    return InvalidArgument(fmt::format("the model was trained on {} features, got {}",
                                       num_features_, features.cols()));
  }
  return Status::Ok();
}

Status TreeModel::Predict(const FeatureMatrix& features, ModelOutput* out) const {
  STRATA_RETURN_IF_ERROR(CheckFitted(features));
  *out = ModelOutput{};
  if (features.rows() == 0) {
    out->width = task_ == Task::kClassification ? num_classes_ : 0;
    return Status::Ok();
  }
  STRATA_ASSIGN_OR_RETURN(xgb::Prediction p,
                          booster_.PredictDense(features, xgb::PredictType::kValue));
  const size_t rows = static_cast<size_t>(features.rows());
  if (task_ == Task::kRegression) {
    if (p.values.size() != rows) return Internal("XGBoost returned the wrong number of values");
    out->values = ToDoubles(p.values);
    return Status::Ok();
  }
  out->width = num_classes_;
  if (num_classes_ == 2) {
    if (p.values.size() != rows) return Internal("XGBoost returned the wrong number of values");
    out->probabilities.resize(2 * rows);
    for (size_t r = 0; r < rows; ++r) {
      const double positive = p.values[r];
      out->probabilities[2 * r] = 1.0 - positive;
      out->probabilities[2 * r + 1] = positive;
    }
    return Status::Ok();
  }
  if (p.values.size() != rows * static_cast<size_t>(num_classes_)) {
    return Internal("XGBoost returned the wrong number of class probabilities");
  }
  out->probabilities = ToDoubles(p.values);
  return Status::Ok();
}

Result<std::vector<double>> TreeModel::PredictMargin(const FeatureMatrix& features) const {
  STRATA_RETURN_IF_ERROR(CheckFitted(features));
  if (features.rows() == 0) return std::vector<double>{};
  STRATA_ASSIGN_OR_RETURN(xgb::Prediction p,
                          booster_.PredictDense(features, xgb::PredictType::kMargin));
  return ToDoubles(p.values);
}

Status TreeModel::Contribute(const FeatureMatrix& features, Contributions* out) const {
  STRATA_RETURN_IF_ERROR(CheckFitted(features));
  *out = Contributions{};
  out->features = static_cast<int>(num_features_);
  out->classes = num_classes_ > 2 ? num_classes_ : 1;
  if (features.rows() == 0) return Status::Ok();
  STRATA_ASSIGN_OR_RETURN(xgb::DMatrix m, xgb::DMatrix::FromFeatures(features, ResolveThreads(0)));
  STRATA_ASSIGN_OR_RETURN(xgb::Prediction p,
                          booster_.Predict(m, xgb::PredictType::kContributions));
  // Strict shape: rows x groups x (features + 1), bias last — model.h's layout.
  if (p.shape.size() != 3 || p.shape[0] != static_cast<uint64_t>(features.rows()) ||
      p.shape[1] != static_cast<uint64_t>(out->classes) ||
      p.shape[2] != static_cast<uint64_t>(num_features_ + 1)) {
    return Internal("XGBoost returned contributions of an unexpected shape");
  }
  out->values = ToDoubles(p.values);
  out->rows = features.rows();
  if (LogLink()) {
    // TreeSHAP explains the margin, log(prediction). In label units: the bias becomes
    // exp(bias) and the attributions are scaled by one factor per row so that they still sum
    // to the prediction, exp(margin) - exp(bias), each keeping its share of the margin
    // (the derivative exp(bias) where the margin equals the bias).
    const size_t width = static_cast<size_t>(num_features_) + 1;
    for (int64_t r = 0; r < out->rows; ++r) {
      double* row = out->values.data() + static_cast<size_t>(r) * width;
      const double bias = row[width - 1];
      double margin = bias;
      for (size_t j = 0; j + 1 < width; ++j) margin += row[j];
      const double base = std::exp(bias);
      const double scale = margin != bias ? (std::exp(margin) - base) / (margin - bias) : base;
      for (size_t j = 0; j + 1 < width; ++j) row[j] *= scale;
      row[width - 1] = base;
    }
  }
  return Status::Ok();
}

bool TreeModel::LogLink() const {
  auto it = params_.find("objective");
  if (it == params_.end() || !it->is_string()) return false;
  const std::string& objective = it->get_ref<const std::string&>();
  return objective == "reg:gamma" || objective == "count:poisson" || objective == "reg:tweedie";
}

Result<std::vector<FeatureImportance>> TreeModel::Importance(
    const std::vector<FeatureInfo>& features) const {
  if (!booster_.valid()) return FailedPrecondition("the tree model has not been trained or loaded");
  if (static_cast<int64_t>(features.size()) != num_features_) {
    return InvalidArgument(fmt::format("the model has {} features, {} names were given",
                                       num_features_, features.size()));
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<double> weight, booster_.FeatureScores("weight", num_features_));
  STRATA_ASSIGN_OR_RETURN(std::vector<double> gain, booster_.FeatureScores("gain", num_features_));
  STRATA_ASSIGN_OR_RETURN(std::vector<double> cover, booster_.FeatureScores("cover", num_features_));
  std::vector<FeatureImportance> out(features.size());
  for (size_t i = 0; i < features.size(); ++i) {
    out[i].feature = features[i].name;
    out[i].weight = weight[i];
    out[i].gain = gain[i];
    out[i].cover = cover[i];
  }
  return out;
}

Result<std::string> TreeModel::Save() const {
  if (!booster_.valid()) return FailedPrecondition("the tree model has not been trained or loaded");
  STRATA_ASSIGN_OR_RETURN(std::string model, booster_.Save("ubj"));
  nlohmann::json meta = {{"ensemble", EnsembleName(ensemble_)},
                         {"task", TaskName(task_)},
                         {"num_classes", num_classes_},
                         {"num_features", num_features_},
                         {"rounds", rounds_},
                         {"rounds_trained", rounds_trained_},
                         {"best_iteration", best_iteration_},
                         {"stop_reason", stop_reason_},
                         {"loss_rows", loss_rows_},
                         {"params", params_}};
  std::string meta_text = meta.dump();
  std::string out(kMagic);
  PutU64(&out, meta_text.size());
  out += meta_text;
  PutU64(&out, model.size());
  out += model;
  PutU64(&out, Fnv1a(out));
  return out;
}

Status TreeModel::Load(std::string_view bytes) {
  auto corrupt = [](std::string_view why) {
    return DataLoss(fmt::format("the tree model payload is corrupt or not a tree model ({})", why));
  };
  if (bytes.size() < kMagic.size() + 24 || bytes.substr(0, kMagic.size()) != kMagic) {
    return corrupt("no STRXGB01 header");
  }
  std::string_view tail = bytes.substr(bytes.size() - 8);
  uint64_t checksum = 0;
  if (!GetU64(&tail, &checksum) || checksum != Fnv1a(bytes.substr(0, bytes.size() - 8))) {
    return corrupt("checksum mismatch");
  }
  std::string_view rest = bytes.substr(kMagic.size(), bytes.size() - kMagic.size() - 8);
  uint64_t meta_size = 0, model_size = 0;
  if (!GetU64(&rest, &meta_size) || meta_size > rest.size()) return corrupt("bad metadata length");
  std::string_view meta_text = rest.substr(0, meta_size);
  rest.remove_prefix(meta_size);
  if (!GetU64(&rest, &model_size) || model_size != rest.size()) return corrupt("bad model length");

  nlohmann::json meta = nlohmann::json::parse(meta_text, nullptr, /*allow_exceptions=*/false);
  if (meta.is_discarded() || !meta.is_object()) return corrupt("unreadable metadata");
  int num_classes = 0, rounds = 0, rounds_trained = 0, best = -1;
  int64_t num_features = 0, loss_rows = 0;
  std::string ensemble, task, stop_reason;
  nlohmann::json params;
  try {
    ensemble = meta.at("ensemble").get<std::string>();
    task = meta.at("task").get<std::string>();
    num_classes = meta.at("num_classes").get<int>();
    num_features = meta.at("num_features").get<int64_t>();
    rounds = meta.at("rounds").get<int>();
    rounds_trained = meta.at("rounds_trained").get<int>();
    best = meta.at("best_iteration").get<int>();
    stop_reason = meta.at("stop_reason").get<std::string>();
    params = meta.at("params");
    loss_rows = meta.value("loss_rows", int64_t{0});  // absent in older bundles
  } catch (const nlohmann::json::exception& e) {
    return corrupt(e.what());
  }
  if (ensemble != EnsembleName(ensemble_) || task != TaskName(task_)) {
    return InvalidArgument(fmt::format("the payload holds a {} {} model, not a {} {} model",
                                       ensemble, task, EnsembleName(ensemble_), TaskName(task_)));
  }
  STRATA_ASSIGN_OR_RETURN(xgb::Booster booster, xgb::Booster::Load(rest));
  STRATA_ASSIGN_OR_RETURN(int64_t booster_features, booster.NumFeatures());
  STRATA_ASSIGN_OR_RETURN(int booster_rounds, booster.BoostedRounds());
  if (booster_features != num_features || booster_rounds != rounds) {
    return corrupt("the trees do not match the metadata");
  }
  booster_ = std::move(booster);
  num_classes_ = num_classes;
  num_features_ = num_features;
  rounds_ = rounds;
  rounds_trained_ = rounds_trained;
  best_iteration_ = best;
  stop_reason_ = stop_reason;
  loss_rows_ = loss_rows;
  params_ = params.is_object() ? params : nlohmann::json::object();
  return Status::Ok();
}

nlohmann::json TreeModel::Describe(const std::vector<FeatureInfo>& features) const {
  int per_round = 1;
  auto it = params_.find("num_parallel_tree");
  if (it != params_.end() && it->is_string()) per_round = std::atoi(it->get<std::string>().c_str());
  const int groups = num_classes_ > 2 ? num_classes_ : 1;
  nlohmann::json names = nlohmann::json::array();
  for (const FeatureInfo& f : features) names.push_back(f.name);
  return {{"engine", "xgboost " + xgb::Version()},
          {"ensemble", EnsembleName(ensemble_)},
          {"task", TaskName(task_)},
          {"num_classes", num_classes_},
          {"num_features", num_features_},
          {"features", names},
          {"rounds", rounds_},
          {"rounds_trained", rounds_trained_},
          {"best_iteration", best_iteration_ < 0 ? nlohmann::json() : nlohmann::json(best_iteration_)},
          {"stop_reason", stop_reason_},
          {"training_loss_rows", loss_rows_},
          {"num_trees", static_cast<int64_t>(rounds_) * per_round * groups},
          {"params", params_}};
}

Result<std::string> TreeModel::ExportXgboostJson() const {
  if (!booster_.valid()) return FailedPrecondition("the tree model has not been trained or loaded");
  return booster_.Save("json");
}

namespace {

// XGBoost's JSON writes non-finite numbers as bare NaN, Infinity and -Infinity (a categorical
// split's condition is NaN), which strict JSON parsers reject: a copy of `text` with those
// tokens, outside strings, replaced by null.
std::string NonFiniteToNull(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (std::string_view token : {"NaN", "Infinity", "-Infinity"}) {
      if (text.substr(i).starts_with(token)) {
        out += "null";
        i += token.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

}  // namespace

Result<ImportedTrees> ImportXgboostTrees(std::string_view model_bytes) {
  // XGBoost's parser trusts the lengths inside its input (a stray file makes it allocate
  // petabytes): check first that the bytes are a JSON or UBJSON document holding a learner.
  nlohmann::json doc = nlohmann::json::parse(model_bytes, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() && model_bytes.starts_with('{')) {
    doc = nlohmann::json::parse(NonFiniteToNull(model_bytes), nullptr, /*allow_exceptions=*/false);
  }
  if (doc.is_discarded()) {
    doc = nlohmann::json::from_ubjson(model_bytes, /*strict=*/true, /*allow_exceptions=*/false);
  }
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("learner") || !doc.contains("version")) {
    return InvalidArgument(
        "not an XGBoost model (JSON or UBJSON with a learner, as Booster.save_model writes)");
  }
  doc = nlohmann::json();
  auto booster = xgb::Booster::Load(model_bytes);
  if (!booster.ok()) {
    return InvalidArgument("not an XGBoost model (JSON or UBJSON, as Booster.save_model writes): " +
                           booster.status().message());
  }
  STRATA_ASSIGN_OR_RETURN(std::string config_text, booster->Config());
  nlohmann::json config = nlohmann::json::parse(config_text, nullptr, /*allow_exceptions=*/false);
  ImportedTrees out;
  try {
    out.objective = config.at("learner").at("objective").at("name").get<std::string>();
    const std::string booster_type = config.at("learner").at("gradient_booster").at("name").get<std::string>();
    if (booster_type != "gbtree" && booster_type != "dart") {
      return InvalidArgument("only tree boosters (gbtree, dart) can be imported, not " + booster_type);
    }
    const int num_class =
        std::stoi(config.at("learner").at("learner_model_param").at("num_class").get<std::string>());
    if (out.objective == "binary:logistic") {
      out.task = Task::kClassification;
      out.num_classes = 2;
    } else if (out.objective == "multi:softprob") {
      out.task = Task::kClassification;
      out.num_classes = num_class;
    } else if (out.objective.rfind("reg:", 0) == 0 && out.objective != "reg:logistic") {
      out.task = Task::kRegression;
    } else {
      return InvalidArgument(fmt::format(
          "the model's objective {} cannot be imported: use binary:logistic, multi:softprob or a "
          "reg:* objective (multi:softmax predicts classes without probabilities)",
          out.objective));
    }
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("the XGBoost model's configuration is unreadable: ") + e.what());
  }
  STRATA_ASSIGN_OR_RETURN(out.num_features, booster->NumFeatures());
  STRATA_ASSIGN_OR_RETURN(out.feature_names, booster->FeatureNames());
  STRATA_RETURN_IF_ERROR(booster->ClearFeatureNames());
  STRATA_ASSIGN_OR_RETURN(int rounds, booster->BoostedRounds());
  TreeModel model(TreeEnsemble::kBoosted, out.task);
  model.booster_ = std::move(*booster);
  model.num_classes_ = out.num_classes;
  model.num_features_ = out.num_features;
  model.rounds_ = rounds;
  model.rounds_trained_ = rounds;
  model.best_iteration_ = -1;
  model.stop_reason_ = "imported";
  model.params_ = {{"objective", out.objective}};
  STRATA_ASSIGN_OR_RETURN(out.payload, model.Save());
  return out;
}

}  // namespace strata
