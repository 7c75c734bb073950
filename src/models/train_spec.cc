#include "strata/train_spec.h"
#include "common/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "strata/suggest.h"

namespace strata {
namespace {

struct NamedSplit {
  const char* name;
  SplitMethod method;
};
constexpr NamedSplit kSplits[] = {{"AUTO_SPLIT", SplitMethod::kAutoSplit},
                                  {"RANDOM", SplitMethod::kRandom},
                                  {"SEQ", SplitMethod::kSeq},
                                  {"CUSTOM", SplitMethod::kCustom},
                                  {"NO_SPLIT", SplitMethod::kNoSplit}};

struct NamedUpsample {
  const char* name;
  UpsampleMethod method;
};
constexpr NamedUpsample kUpsamples[] = {{"NONE", UpsampleMethod::kNone},
                                        {"DUPLICATE", UpsampleMethod::kDuplicate},
                                        {"SMOTE", UpsampleMethod::kSmote},
                                        {"SMOTE_NC", UpsampleMethod::kSmoteNc}};

struct NamedThreshold {
  const char* name;
  ThresholdObjective method;
};
constexpr NamedThreshold kThresholds[] = {{"MAX_F1", ThresholdObjective::kMaxF1},
                                          {"PRECISION", ThresholdObjective::kPrecisionTarget},
                                          {"RECALL", ThresholdObjective::kRecallTarget},
                                          {"FIXED", ThresholdObjective::kFixed}};

template <typename Table, typename Value>
std::string NameOf(const Table& table, Value v) {
  for (const auto& e : table) {
    if (e.method == v) return e.name;
  }
  return "?";
}

std::vector<OptionSpec> BuildCommonOptions() {
  std::vector<OptionSpec> o;
  o.push_back(OptionSpec::String("model_type", "The model type, e.g. 'LOGISTIC_REG' (required)"));
  o.push_back(OptionSpec::StringList(
      "input_label_cols", "The label column, as a one-element list (default ['label'])"));
  o.push_back(OptionSpec::Enum("data_split_method",
                               {"AUTO_SPLIT", "RANDOM", "SEQ", "CUSTOM", "NO_SPLIT"}, "AUTO_SPLIT",
                               "How rows are split into training and evaluation data"));
  o.push_back(OptionSpec::Float("data_split_eval_fraction", 0.2,
                                "Share of rows for evaluation (RANDOM and SEQ)")
                  .Min(0, true)
                  .Max(1, true));
  o.push_back(OptionSpec::Float("data_split_test_fraction", 0.0,
                                "Share of rows held out as a test part (tuning)")
                  .Min(0)
                  .Max(1, true));
  o.push_back(OptionSpec::String(
      "data_split_col", "Split column: BOOL for CUSTOM (TRUE = eval), sort key for SEQ"));
  o.push_back(OptionSpec::Bool("auto_class_weights", false,
                               "Weight classes inversely to their frequency"));
  o.push_back(OptionSpec::FloatMap("class_weights",
                                   "Explicit weight per label, e.g. {'yes': 5, 'no': 1}"));
  o.push_back(OptionSpec::String("instance_weight_col", "A column of per-row weights"));
  o.push_back(OptionSpec::Bool("enable_global_explain", false,
                               "Compute global explanations at training time"));
  // Strata's extensions (documented as such in docs/models.md).
  o.push_back(OptionSpec::Bool("data_split_stratify", true,
                               "Stratify random splits by label (classification)")
                  .Extension());
  o.push_back(OptionSpec::Float("downsample_ratio", std::nullopt,
                                "Downsample larger classes to at most ratio x the minority "
                                "class (1 = balanced)")
                  .Min(1)
                  .Extension());
  o.push_back(OptionSpec::Bool("downsample_upweight", true,
                               "Weight the kept rows by the downsampling factor")
                  .Extension());
  o.push_back(OptionSpec::Enum("upsample_method", {"NONE", "DUPLICATE", "SMOTE", "SMOTE_NC"},
                               "NONE", "Upsample smaller classes by duplication or SMOTE")
                  .Extension());
  o.push_back(OptionSpec::Float("upsample_ratio", 1.0,
                                "Upsample smaller classes to ratio x the majority class")
                  .Min(0, true)
                  .Max(1)
                  .Extension());
  o.push_back(OptionSpec::Int("smote_k_neighbors", 5, "Neighbours SMOTE interpolates between")
                  .Min(1)
                  .Max(100)
                  .Extension());
  o.push_back(OptionSpec::Bool("correct_prior_shift", true,
                               "Correct probabilities for the prior shift of rebalancing")
                  .Extension());
  o.push_back(OptionSpec::Enum("threshold_objective", {"MAX_F1", "PRECISION", "RECALL", "FIXED"},
                               "MAX_F1",
                               "How a binary model's decision threshold is chosen on the "
                               "evaluation data")
                  .Extension());
  o.push_back(OptionSpec::Float("threshold_target", std::nullopt,
                                "The precision or recall to reach, or the FIXED threshold")
                  .Min(0)
                  .Max(1)
                  .Extension());
  o.push_back(OptionSpec::String("positive_class", "Binary: the label that counts as positive")
                  .Extension());
  o.push_back(OptionSpec::Int("seed", 42, "Random seed (splits, sampling, models)")
                  .Min(0)
                  .Extension());
  return o;
}

}  // namespace

std::string_view SplitMethodName(SplitMethod method) {
  for (const auto& e : kSplits) {
    if (e.method == method) return e.name;
  }
  return "?";
}

const std::vector<OptionSpec>& CommonTrainOptions() {
  static const std::vector<OptionSpec> kOptions = BuildCommonOptions();
  return kOptions;
}

nlohmann::json TrainSpec::ToJson() const {
  nlohmann::json j;
  j["source"] = source;
  if (!source_file.empty()) j["source_file"] = source_file;
  j["label"] = label;
  j["model_type"] = model_type;
  j["options"] = options;
  j["features"] = features;
  if (!transform.is_null()) j["transform"] = transform;
  j["split"] = {{"method", NameOf(kSplits, split.method)},
                {"eval_fraction", split.eval_fraction},
                {"test_fraction", split.test_fraction},
                {"column", split.column},
                {"stratify", split.stratify}};
  nlohmann::json b = {{"auto_class_weights", balance.auto_class_weights},
                      {"class_weights", balance.class_weights},
                      {"downsample_upweight", balance.downsample_upweight},
                      {"upsample", NameOf(kUpsamples, balance.upsample)},
                      {"upsample_ratio", balance.upsample_ratio},
                      {"smote_k_neighbors", balance.smote_k_neighbors},
                      {"correct_prior_shift", balance.correct_prior_shift}};
  b["downsample_ratio"] = balance.downsample_ratio ? nlohmann::json(*balance.downsample_ratio)
                                                   : nlohmann::json();
  j["balance"] = b;
  j["threshold"] = {{"objective", NameOf(kThresholds, threshold.objective)},
                    {"target", threshold.target}};
  j["positive_class"] = positive_class ? nlohmann::json(*positive_class) : nlohmann::json();
  j["seed"] = seed;
  j["instance_weight_col"] = instance_weight_col;
  j["enable_global_explain"] = enable_global_explain;
  return j;
}

Result<TrainSpec> TrainSpec::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgument("a training spec must be a JSON object");
  static const std::vector<std::string> kFields = {
      "source", "source_file", "label", "model_type", "transform", "options", "features", "split",
      "balance", "threshold", "positive_class", "seed", "instance_weight_col",
      "enable_global_explain"};
  for (const auto& [key, value] : j.items()) {
    if (std::find(kFields.begin(), kFields.end(), key) == kFields.end()) {
      return InvalidArgument(
          fmt::format("training spec: unknown field '{}'.{}", key, DidYouMean(key, kFields)));
    }
  }
  TrainSpec spec;
  auto field_error = [](std::string_view field, std::string_view expected) {
    return InvalidArgument(fmt::format("training spec: field '{}' must be {}", field, expected));
  };
  try {
    if (j.contains("source")) spec.source = j["source"].get<std::string>();
    if (j.contains("source_file")) spec.source_file = j["source_file"].get<std::string>();
    if (!spec.source.empty() && !spec.source_file.empty()) {
      return InvalidArgument(
          "training spec: give either 'source' (a workspace table) or 'source_file' (a data "
          "file), not both");
    }
    if (j.contains("label")) spec.label = j["label"].get<std::string>();
    if (!j.contains("model_type") || !j["model_type"].is_string()) {
      return field_error("model_type", "a model type name such as \"LOGISTIC_REG\"");
    }
    spec.model_type = j["model_type"].get<std::string>();
    if (j.contains("options")) {
      if (!j["options"].is_object()) return field_error("options", "an object");
      spec.options = j["options"];
    }
    if (j.contains("features")) spec.features = j["features"].get<std::vector<std::string>>();
    if (j.contains("transform")) {
      if (!j["transform"].is_array() && !j["transform"].is_null()) return field_error("transform", "an array");
      spec.transform = j["transform"];
    }
    if (j.contains("split")) {
      const auto& s = j["split"];
      if (s.contains("method")) {
        std::string m = s["method"].get<std::string>();
        auto it = std::find_if(std::begin(kSplits), std::end(kSplits),
                               [&](const NamedSplit& e) { return m == e.name; });
        if (it == std::end(kSplits)) {
          return field_error("split.method", "AUTO_SPLIT, RANDOM, SEQ, CUSTOM or NO_SPLIT");
        }
        spec.split.method = it->method;
      }
      spec.split.eval_fraction = s.value("eval_fraction", spec.split.eval_fraction);
      spec.split.test_fraction = s.value("test_fraction", spec.split.test_fraction);
      spec.split.column = s.value("column", spec.split.column);
      spec.split.stratify = s.value("stratify", spec.split.stratify);
    }
    if (j.contains("balance")) {
      const auto& b = j["balance"];
      spec.balance.auto_class_weights = b.value("auto_class_weights", false);
      if (b.contains("class_weights")) {
        spec.balance.class_weights = b["class_weights"].get<std::map<std::string, double>>();
      }
      if (b.contains("downsample_ratio") && !b["downsample_ratio"].is_null()) {
        spec.balance.downsample_ratio = b["downsample_ratio"].get<double>();
      }
      spec.balance.downsample_upweight = b.value("downsample_upweight", true);
      if (b.contains("upsample")) {
        std::string m = b["upsample"].get<std::string>();
        auto it = std::find_if(std::begin(kUpsamples), std::end(kUpsamples),
                               [&](const NamedUpsample& e) { return m == e.name; });
        if (it == std::end(kUpsamples)) {
          return field_error("balance.upsample", "NONE, DUPLICATE, SMOTE or SMOTE_NC");
        }
        spec.balance.upsample = it->method;
      }
      spec.balance.upsample_ratio = b.value("upsample_ratio", 1.0);
      spec.balance.smote_k_neighbors = b.value("smote_k_neighbors", 5);
      spec.balance.correct_prior_shift = b.value("correct_prior_shift", true);
    }
    if (j.contains("threshold")) {
      const auto& t = j["threshold"];
      if (t.contains("objective")) {
        std::string m = t["objective"].get<std::string>();
        auto it = std::find_if(std::begin(kThresholds), std::end(kThresholds),
                               [&](const NamedThreshold& e) { return m == e.name; });
        if (it == std::end(kThresholds)) {
          return field_error("threshold.objective", "MAX_F1, PRECISION, RECALL or FIXED");
        }
        spec.threshold.objective = it->method;
      }
      spec.threshold.target = t.value("target", 0.5);
    }
    if (j.contains("positive_class") && !j["positive_class"].is_null()) {
      spec.positive_class = j["positive_class"].get<std::string>();
    }
    if (j.contains("seed")) spec.seed = j["seed"].get<uint64_t>();
    spec.instance_weight_col = j.value("instance_weight_col", std::string());
    spec.enable_global_explain = j.value("enable_global_explain", false);
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("training spec: ") + e.what());
  }
  return spec;
}

Result<TrainSpec> TrainSpecFromOptions(const nlohmann::json& options) {
  if (!options.is_object()) return InvalidArgument("OPTIONS must be a list of name = value");
  const std::vector<OptionSpec>& common = CommonTrainOptions();
  nlohmann::json common_given = nlohmann::json::object();
  TrainSpec spec;
  for (const auto& [raw, value] : options.items()) {
    std::string name = AsciiLower(raw);
    bool is_common = std::any_of(common.begin(), common.end(),
                                 [&](const OptionSpec& s) { return s.name == name; });
    if (is_common) {
      common_given[name] = value;
    } else {
      spec.options[name] = value;
    }
  }
  STRATA_ASSIGN_OR_RETURN(OptionValues v, ValidateOptions(common, common_given));
  if (!v.Has("model_type")) {
    return InvalidArgument("OPTIONS needs model_type, e.g. model_type = 'LOGISTIC_REG'");
  }
  spec.model_type = v.GetString("model_type");
  std::vector<std::string> labels = v.GetStringList("input_label_cols");
  if (labels.size() > 1) {
    return InvalidArgument("input_label_cols: only one label column is supported, got " +
                           std::to_string(labels.size()));
  }
  spec.label = labels.empty() ? "" : labels[0];
  std::string method = v.GetString("data_split_method");
  for (const auto& e : kSplits) {
    if (method == e.name) spec.split.method = e.method;
  }
  spec.split.eval_fraction = v.GetDouble("data_split_eval_fraction");
  spec.split.test_fraction = v.GetDouble("data_split_test_fraction");
  spec.split.column = v.GetString("data_split_col");
  spec.split.stratify = v.GetBool("data_split_stratify");
  spec.balance.auto_class_weights = v.GetBool("auto_class_weights");
  spec.balance.class_weights = v.GetFloatMap("class_weights");
  if (spec.balance.auto_class_weights && !spec.balance.class_weights.empty()) {
    return InvalidArgument("auto_class_weights and class_weights exclude each other; pick one");
  }
  if (v.Has("downsample_ratio")) spec.balance.downsample_ratio = v.GetDouble("downsample_ratio");
  spec.balance.downsample_upweight = v.GetBool("downsample_upweight");
  std::string up = v.GetString("upsample_method");
  for (const auto& e : kUpsamples) {
    if (up == e.name) spec.balance.upsample = e.method;
  }
  spec.balance.upsample_ratio = v.GetDouble("upsample_ratio");
  spec.balance.smote_k_neighbors = static_cast<int>(v.GetInt("smote_k_neighbors"));
  spec.balance.correct_prior_shift = v.GetBool("correct_prior_shift");
  std::string th = v.GetString("threshold_objective");
  for (const auto& e : kThresholds) {
    if (th == e.name) spec.threshold.objective = e.method;
  }
  if (v.Has("threshold_target")) {
    spec.threshold.target = v.GetDouble("threshold_target");
  } else if (spec.threshold.objective == ThresholdObjective::kPrecisionTarget ||
             spec.threshold.objective == ThresholdObjective::kRecallTarget ||
             spec.threshold.objective == ThresholdObjective::kFixed) {
    return InvalidArgument("threshold_objective = '" + th +
                           "' needs threshold_target, e.g. threshold_target = 0.9");
  }
  if (v.Has("positive_class")) spec.positive_class = v.GetString("positive_class");
  spec.seed = static_cast<uint64_t>(v.GetInt("seed"));
  spec.instance_weight_col = v.GetString("instance_weight_col");
  spec.enable_global_explain = v.GetBool("enable_global_explain");
  return spec;
}

nlohmann::json TrainSpecToOptions(const TrainSpec& spec) {
  nlohmann::json o = spec.options.is_object() ? spec.options : nlohmann::json::object();
  o["model_type"] = spec.model_type;
  if (!spec.label.empty()) o["input_label_cols"] = {spec.label};
  o["data_split_method"] = NameOf(kSplits, spec.split.method);
  o["data_split_eval_fraction"] = spec.split.eval_fraction;
  o["data_split_test_fraction"] = spec.split.test_fraction;
  if (!spec.split.column.empty()) o["data_split_col"] = spec.split.column;
  o["data_split_stratify"] = spec.split.stratify;
  o["auto_class_weights"] = spec.balance.auto_class_weights;
  if (!spec.balance.class_weights.empty()) o["class_weights"] = spec.balance.class_weights;
  if (spec.balance.downsample_ratio) o["downsample_ratio"] = *spec.balance.downsample_ratio;
  o["downsample_upweight"] = spec.balance.downsample_upweight;
  o["upsample_method"] = NameOf(kUpsamples, spec.balance.upsample);
  o["upsample_ratio"] = spec.balance.upsample_ratio;
  o["smote_k_neighbors"] = spec.balance.smote_k_neighbors;
  o["correct_prior_shift"] = spec.balance.correct_prior_shift;
  o["threshold_objective"] = NameOf(kThresholds, spec.threshold.objective);
  o["threshold_target"] = spec.threshold.target;
  if (spec.positive_class) o["positive_class"] = *spec.positive_class;
  o["seed"] = spec.seed;
  if (!spec.instance_weight_col.empty()) o["instance_weight_col"] = spec.instance_weight_col;
  o["enable_global_explain"] = spec.enable_global_explain;
  return o;
}

}  // namespace strata
