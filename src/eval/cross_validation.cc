// K-fold cross-validation (include/strata/cross_validation.h). Each fold is one ordinary
// Train() with a CUSTOM split on a generated column, so nothing here splits, preprocesses,
// balances or fits models itself.
#include "strata/cross_validation.h"

#include <fmt/format.h>

#include <chrono>
#include <algorithm>
#include <cmath>
#include <limits>

#include "models/labels.h"
#include "strata/predictor.h"
#include "strata/split.h"
#include "strata/trainer.h"

namespace strata {
namespace {

// The generated CUSTOM split column: TRUE on the held-out fold.
constexpr const char* kFoldColumn = "__strata_cv_holdout";

}  // namespace

Result<CrossValidationResult> CrossValidate(const TrainSpec& spec, const Table& data,
                                            const CrossValidationOptions& options) {
  auto started = std::chrono::steady_clock::now();
  RegisterBuiltinModels();
  STRATA_ASSIGN_OR_RETURN(const ModelType* type, FindModelType(spec.model_type));
  if (type->task == Task::kClustering) {
    return InvalidArgument("cross-validation needs a supervised model, not " + type->name);
  }
  if (data.ColumnIndex(kFoldColumn) >= 0) {
    return InvalidArgument(fmt::format("the data already has a column named {}", kFoldColumn));
  }
  STRATA_RETURN_IF_ERROR(ValidateTrainSpec(spec, data));
  const bool classification = type->task == Task::kClassification;
  const std::string label = spec.label.empty() ? "label" : spec.label;
  CrossValidationResult result;
  STRATA_ASSIGN_OR_RETURN(result.fold, AssignFolds(data, options.folds, label, classification, spec.seed));

  // One table with the holdout column, rewritten for each fold.
  Table table = data;
  const int64_t n = data.num_rows();
  {
    Column placeholder(kFoldColumn, DataType::kBool);
    placeholder.Reserve(n);
    for (int64_t r = 0; r < n; ++r) placeholder.AppendBool(false);
    STRATA_RETURN_IF_ERROR(table.AddColumn(std::move(placeholder)));
  }
  const int holdout_index = table.ColumnIndex(kFoldColumn);

  TrainSpec fold_spec = spec;
  fold_spec.split = SplitSpec{};
  fold_spec.split.method = SplitMethod::kCustom;
  fold_spec.split.column = kFoldColumn;
  fold_spec.enable_global_explain = false;

  const int run = options.run_folds > 0 ? std::min(options.run_folds, options.folds) : options.folds;
  int width = 0;
  for (int f = 0; f < run; ++f) {
    if (options.cancel != nullptr && options.cancel->load()) return Cancelled("cross-validation cancelled");
    if (options.progress) options.progress(Progress{"fold", f, run});
    Column holdout(kFoldColumn, DataType::kBool);
    holdout.Reserve(n);
    std::vector<int64_t> held;
    for (int64_t r = 0; r < n; ++r) {
      holdout.AppendBool(result.fold[r] == f);
      if (result.fold[r] == f) held.push_back(r);
    }
    STRATA_RETURN_IF_ERROR(table.SetColumn(holdout_index, std::move(holdout)));
    TrainOptions train_options;
    train_options.cancel = options.cancel;
    train_options.threads = options.threads;
    auto bundle = Train(fold_spec, table, train_options);
    if (!bundle.ok()) return bundle.status().WithContext(fmt::format("fold {} of {}", f + 1, options.folds));
    if (f == 0) result.class_labels = bundle->class_labels;
    result.fold_metrics.push_back(bundle->metrics);
    if (options.keep_models) result.models.push_back(*bundle);
    STRATA_ASSIGN_OR_RETURN(auto predictor, Predictor::Create(std::move(*bundle)));
    STRATA_ASSIGN_OR_RETURN(ModelOutput out, predictor->PredictRaw(data.Take(held)));
    if (f == 0) {
      width = classification ? out.width : 1;
      const double nan = std::numeric_limits<double>::quiet_NaN();
      if (classification) {
        result.oof.probabilities.assign(static_cast<size_t>(n) * width, nan);
        result.oof.width = width;
      } else {
        result.oof.values.assign(static_cast<size_t>(n), nan);
      }
    }
    for (size_t i = 0; i < held.size(); ++i) {
      const auto r = static_cast<size_t>(held[i]);
      if (classification) {
        for (int c = 0; c < width; ++c) {
          result.oof.probabilities[r * width + c] = out.probabilities[i * width + c];
        }
      } else {
        result.oof.values[r] = out.values[i];
      }
    }
  }
  if (options.progress) options.progress(Progress{"fold", run, run});
  for (int64_t r = 0; r < n; ++r) {
    if (result.fold[r] < run) result.predicted_rows.push_back(r);
  }

  // Labels as the models see them: class indices in the bundle's class order, or values.
  const Column& y = *data.GetColumn(label).value();
  result.labels.resize(static_cast<size_t>(n));
  if (classification) {
    std::vector<int> idx = ClassIndices(y, result.class_labels);
    for (int64_t r = 0; r < n; ++r) result.labels[r] = idx[r];
  } else {
    for (int64_t r = 0; r < n; ++r) result.labels[r] = y.GetAsDouble(r);
  }

  // Mean and sample standard deviation of every numeric metric the folds share.
  for (const auto& [name, value] : result.fold_metrics.front().items()) {
    if (!value.is_number()) continue;
    std::vector<double> v;
    for (const nlohmann::json& m : result.fold_metrics) {
      if (m.contains(name) && m[name].is_number()) v.push_back(m[name].get<double>());
    }
    if (v.size() != result.fold_metrics.size()) continue;
    double mean = 0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    double ss = 0;
    for (double x : v) ss += (x - mean) * (x - mean);
    result.mean[name] = mean;
    result.stddev[name] = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0.0;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace strata
