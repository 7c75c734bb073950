// Search spaces from option declarations (include/strata/tune.h): HPARAM_RANGE and
// HPARAM_CANDIDATES given by the user, else the model type's default tuned options over
// their declared tuning ranges (BigQuery ML's defaults, docs/models.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/text.h"
#include "strata/suggest.h"
#include "strata/train_spec.h"
#include "strata/tune.h"

namespace strata {
namespace {

// A log-scaled range that starts at 0 (BigQuery ML's l1_reg/l2_reg default, (0, 10]) starts
// this far below its top instead: log(0) is -inf, and penalties below 1e-4 x 10 behave as 0.
constexpr double kLogFloorRatio = 1e-5;
// Float ranges on a grid: this many points (BigQuery ML's GRID_SEARCH takes candidates only;
// Strata grids a range too rather than refusing it).
constexpr int kGridPointsPerRange = 5;
constexpr int kMaxIntGridPoints = 10;

const OptionSpec* FindSpec(const std::vector<const OptionSpec*>& specs, const std::string& name) {
  for (const OptionSpec* s : specs) {
    if (s->name == name) return s;
  }
  return nullptr;
}

// An exclusive bound is kept out of the sampled range by a thousandth of the range.
void KeepInside(const OptionSpec& spec, double* lo, double* hi) {
  const double nudge = (*hi - *lo) * 1e-3;
  if (spec.min && spec.min_exclusive && *lo <= *spec.min) *lo = *spec.min + nudge;
  if (spec.max && spec.max_exclusive && *hi >= *spec.max) *hi = *spec.max - nudge;
}

// The value as the option stores it (e.g. "64, 32" as [64, 32]), or InvalidArgument naming
// `what`, the option and its valid range.
Result<nlohmann::json> CheckedValue(const OptionSpec& spec, const nlohmann::json& value,
                                    std::string_view what) {
  auto checked = ValidateOptions({spec}, nlohmann::json{{spec.name, value}});
  if (!checked.ok()) {
    return InvalidArgument(
        fmt::format("{} for {}: {}", what, spec.name, checked.status().message()));
  }
  return checked->Get(spec.name);
}

Status CheckValue(const OptionSpec& spec, const nlohmann::json& value, std::string_view what) {
  return CheckedValue(spec, value, what).status();
}

Result<SearchParam> RangeParam(const OptionSpec& spec, const nlohmann::json& range) {
  if (spec.type != OptionType::kInt && spec.type != OptionType::kFloat) {
    return InvalidArgument(fmt::format(
        "HPARAM_RANGE applies to numeric options, but {} is {}; use HPARAM_CANDIDATES([...]) "
        "to search its values",
        spec.name, spec.RangeText()));
  }
  if (!range.is_array() || range.size() != 2 || !range[0].is_number() || !range[1].is_number()) {
    return InvalidArgument(
        fmt::format("HPARAM_RANGE for {} takes two numbers (min, max), e.g. "
                    "{} = HPARAM_RANGE(0, 10)",
                    spec.name, spec.name));
  }
  SearchParam p;
  p.name = spec.name;
  p.kind = spec.type == OptionType::kInt ? ParamKind::kInt : ParamKind::kFloat;
  p.lo = range[0].get<double>();
  p.hi = range[1].get<double>();
  if (!(p.lo < p.hi)) {
    return InvalidArgument(
        fmt::format("HPARAM_RANGE for {}: the minimum ({}) must be below the "
                    "maximum ({})",
                    spec.name, p.lo, p.hi));
  }
  KeepInside(spec, &p.lo, &p.hi);
  if (p.kind == ParamKind::kInt) {
    p.lo = std::ceil(p.lo);
    p.hi = std::floor(p.hi);
  }
  STRATA_RETURN_IF_ERROR(CheckValue(spec, p.lo, "HPARAM_RANGE minimum"));
  STRATA_RETURN_IF_ERROR(CheckValue(spec, p.hi, "HPARAM_RANGE maximum"));
  p.scale = spec.scale;
  if (p.scale == Scale::kLog && p.lo <= 0) p.lo = p.hi * kLogFloorRatio;
  return p;
}

Result<SearchParam> CandidateParam(const OptionSpec& spec, const nlohmann::json& values) {
  if (!values.is_array() || values.empty()) {
    return InvalidArgument(
        fmt::format("HPARAM_CANDIDATES for {} takes a non-empty list, e.g. "
                    "{} = HPARAM_CANDIDATES([...])",
                    spec.name, spec.name));
  }
  SearchParam p;
  p.name = spec.name;
  p.kind = ParamKind::kCategorical;
  for (nlohmann::json v : values) {
    // BigQuery ML writes array candidates as STRUCT([8, 16]): a one-field struct.
    if (spec.type == OptionType::kIntList && v.is_array() && v.size() == 1 && v[0].is_array()) {
      v = v[0];
    }
    STRATA_ASSIGN_OR_RETURN(nlohmann::json checked,
                            CheckedValue(spec, v, "HPARAM_CANDIDATES value"));
    p.candidates.push_back(std::move(checked));
  }
  return p;
}

}  // namespace

nlohmann::json HparamRange(double lo, double hi) { return {{"hparam_range", {lo, hi}}}; }

nlohmann::json HparamCandidates(nlohmann::json candidates) {
  return {{"hparam_candidates", std::move(candidates)}};
}

bool IsHparam(const nlohmann::json& value) {
  return value.is_object() && value.size() == 1 &&
         (value.contains("hparam_range") || value.contains("hparam_candidates"));
}

nlohmann::json SearchParam::Decode(double u) const {
  u = std::clamp(u, 0.0, 1.0);
  if (kind == ParamKind::kCategorical) {
    const auto k = static_cast<double>(candidates.size());
    auto i = static_cast<size_t>(std::min(k - 1, std::floor(u * k)));
    return candidates[i];
  }
  double v = scale == Scale::kLog ? std::exp(std::log(lo) + u * (std::log(hi) - std::log(lo)))
                                  : lo + u * (hi - lo);
  if (kind == ParamKind::kInt) return static_cast<int64_t>(std::clamp(std::round(v), lo, hi));
  return std::clamp(v, lo, hi);
}

double SearchParam::Encode(const nlohmann::json& value) const {
  if (kind == ParamKind::kCategorical) {
    auto it = std::find(candidates.begin(), candidates.end(), value);
    auto i = static_cast<double>(it == candidates.end() ? 0 : it - candidates.begin());
    return (i + 0.5) / static_cast<double>(candidates.size());
  }
  double v = value.get<double>();
  if (scale == Scale::kLog) return (std::log(v) - std::log(lo)) / (std::log(hi) - std::log(lo));
  return (v - lo) / (hi - lo);
}

std::vector<double> SearchParam::GridPoints() const {
  std::vector<double> points;
  if (kind == ParamKind::kCategorical) {
    for (size_t i = 0; i < candidates.size(); ++i) {
      points.push_back((static_cast<double>(i) + 0.5) / static_cast<double>(candidates.size()));
    }
    return points;
  }
  if (kind == ParamKind::kInt && hi - lo + 1 <= kMaxIntGridPoints && scale == Scale::kLinear) {
    for (double v = lo; v <= hi; v += 1) points.push_back(Encode(static_cast<int64_t>(v)));
    return points;
  }
  for (int i = 0; i < kGridPointsPerRange; ++i) points.push_back(i / (kGridPointsPerRange - 1.0));
  return points;
}

nlohmann::json SearchSpace::OptionsAt(const std::vector<double>& point) const {
  nlohmann::json out = fixed;
  for (size_t i = 0; i < params.size(); ++i) out[params[i].name] = params[i].Decode(point[i]);
  return out;
}

nlohmann::json SearchSpace::HyperparametersAt(const std::vector<double>& point) const {
  nlohmann::json out = nlohmann::json::object();
  for (size_t i = 0; i < params.size(); ++i) out[params[i].name] = params[i].Decode(point[i]);
  return out;
}

std::vector<std::string> DefaultTunedOptions(const ModelType& type) {
  // BigQuery ML's hp-tuning-overview lists these per type; Strata searches the ones that
  // matter most when the user marks none (a handful keeps 10-20 trials meaningful).
  if (type.name == "LINEAR_REG" || type.name == "LOGISTIC_REG") return {"l1_reg", "l2_reg"};
  if (type.name == "BOOSTED_TREE_CLASSIFIER" || type.name == "BOOSTED_TREE_REGRESSOR") {
    return {"learn_rate", "max_tree_depth",   "l2_reg",
            "subsample",  "colsample_bytree", "min_tree_child_weight"};
  }
  if (type.name == "RANDOM_FOREST_CLASSIFIER" || type.name == "RANDOM_FOREST_REGRESSOR") {
    return {"max_tree_depth", "subsample", "colsample_bynode", "min_tree_child_weight"};
  }
  if (type.name == "KMEANS") return {"num_clusters"};
  if (type.name == "DNN_CLASSIFIER" || type.name == "DNN_REGRESSOR") {
    return {"learn_rate", "l2_reg", "dropout", "batch_size"};
  }
  std::vector<std::string> all;
  for (const OptionSpec& s : type.options) {
    if (s.tuning_range) all.push_back(s.name);
  }
  return all;
}

Result<SearchSpace> BuildSearchSpace(const ModelType& type, const nlohmann::json& options) {
  if (!options.is_object()) return InvalidArgument("OPTIONS must be a list of name = value");
  std::vector<const OptionSpec*> specs;
  std::vector<std::string> names;
  for (const OptionSpec& s : type.options) specs.push_back(&s);
  for (const OptionSpec& s : CommonTrainOptions()) specs.push_back(&s);
  for (const OptionSpec* s : specs) names.push_back(s->name);

  SearchSpace space;
  for (const auto& [raw, value] : options.items()) {
    const std::string name = AsciiLower(raw);
    if (!IsHparam(value)) {
      space.fixed[name] = value;
      continue;
    }
    const OptionSpec* spec = FindSpec(specs, name);
    if (spec == nullptr) {
      return InvalidArgument(fmt::format("cannot tune '{}': {} has no such option.{}", name,
                                         type.name, DidYouMean(name, names)));
    }
    static const std::vector<std::string> kNotSearchable = {"model_type",
                                                            "input_label_cols",
                                                            "data_split_method",
                                                            "data_split_col",
                                                            "data_split_eval_fraction",
                                                            "data_split_test_fraction",
                                                            "instance_weight_col",
                                                            "seed",
                                                            "positive_class"};
    if (std::find(kNotSearchable.begin(), kNotSearchable.end(), name) != kNotSearchable.end()) {
      return InvalidArgument(
          fmt::format("cannot tune '{}': it describes the data or the split, "
                      "not a hyperparameter; give one value",
                      name));
    }
    if (value.contains("hparam_range")) {
      STRATA_ASSIGN_OR_RETURN(SearchParam p, RangeParam(*spec, value["hparam_range"]));
      space.params.push_back(std::move(p));
    } else {
      STRATA_ASSIGN_OR_RETURN(SearchParam p, CandidateParam(*spec, value["hparam_candidates"]));
      space.params.push_back(std::move(p));
    }
  }
  if (space.params.empty()) {
    for (const std::string& name : DefaultTunedOptions(type)) {
      if (space.fixed.contains(name)) continue;  // the user fixed it: keep it fixed
      const OptionSpec* spec = FindSpec(specs, name);
      if (spec == nullptr || !spec->tuning_range) continue;
      STRATA_ASSIGN_OR_RETURN(SearchParam p, RangeParam(*spec, {spec->tuning_range->first,
                                                                spec->tuning_range->second}));
      space.params.push_back(std::move(p));
    }
  }
  if (space.params.empty()) {
    return InvalidArgument(
        fmt::format("nothing to tune for {}: mark options with HPARAM_RANGE(min, max) or "
                    "HPARAM_CANDIDATES([...]) (CLI: --search 'name=range(min,max)')",
                    type.name));
  }
  // Sorted by name, so the same options give the same space whatever order they came in.
  std::sort(space.params.begin(), space.params.end(),
            [](const SearchParam& a, const SearchParam& b) { return a.name < b.name; });
  return space;
}

}  // namespace strata
