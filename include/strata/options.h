// Option declarations: every model option is declared once — name, type, default, valid
// range, scale and help — and validation, defaults, tuning spaces, `--help`, SQL OPTIONS
// checking and API docs all derive from that declaration (XGBoost's param.h idea).
//
//   std::vector<strata::OptionSpec> specs = {
//       strata::OptionSpec::Float("l2_reg", 0.0, "L2 regularisation strength")
//           .Min(0).Tuning(0, 10, strata::Scale::kLog)};
//   STRATA_ASSIGN_OR_RETURN(strata::OptionValues v,
//                           strata::ValidateOptions(specs, {{"L2_REG", 0.5}}));
//   double l2 = v.GetDouble("l2_reg");  // 0.5
//
// Option names are BigQuery ML's, case-insensitive, stored lower-case.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata {

enum class OptionType {
  kBool,
  kInt,
  kFloat,
  kString,      // free text (e.g. a column name)
  kEnum,        // one of `choices`, case-insensitive, stored upper-case
  kStringList,  // e.g. input_label_cols = ['label']
  kFloatMap,    // label -> number, e.g. class_weights = {"yes": 5, "no": 1}
  kIntList,     // whole numbers each within min/max, e.g. hidden_units = [128, 64]
};

// How a tuner samples a numeric range.
enum class Scale { kLinear, kLog };

// One declared option.
struct OptionSpec {
  std::string name;  // lower-case BigQuery ML name
  OptionType type = OptionType::kFloat;
  nlohmann::json default_value;  // null: no default (unset unless given)
  std::optional<double> min, max;  // valid range for numbers
  bool min_exclusive = false, max_exclusive = false;
  std::vector<std::string> choices;  // kEnum values, upper-case
  Scale scale = Scale::kLinear;
  // BigQuery ML's default hyperparameter-tuning range, when the option is tunable.
  std::optional<std::pair<double, double>> tuning_range;
  std::string help;
  bool strata_extension = false;  // not a BigQuery ML option (documented as an extension)

  // Builders, so declarations read as one line each.
  static OptionSpec Bool(std::string name, bool default_value, std::string help);
  static OptionSpec Int(std::string name, std::optional<int64_t> default_value, std::string help);
  static OptionSpec Float(std::string name, std::optional<double> default_value, std::string help);
  static OptionSpec String(std::string name, std::string help);
  static OptionSpec Enum(std::string name, std::vector<std::string> choices,
                         std::string default_value, std::string help);
  static OptionSpec StringList(std::string name, std::string help);
  static OptionSpec FloatMap(std::string name, std::string help);
  static OptionSpec IntList(std::string name, std::vector<int64_t> default_value, std::string help);
  OptionSpec& Min(double v, bool exclusive = false);
  OptionSpec& Max(double v, bool exclusive = false);
  OptionSpec& Tuning(double lo, double hi, Scale s = Scale::kLinear);
  OptionSpec& Extension();

  // "FLOAT64 in [0, +inf), default 0" — for help and error messages.
  std::string RangeText() const;
};

// Validated option values with the declared defaults filled in.
class OptionValues {
 public:
  OptionValues() = default;
  explicit OptionValues(const std::map<std::string, nlohmann::json>& values)
      : values_(values.begin(), values.end()) {}

  bool Has(std::string_view name) const;  // given or defaulted (not null)
  bool GetBool(std::string_view name) const;
  int64_t GetInt(std::string_view name) const;
  double GetDouble(std::string_view name) const;
  std::string GetString(std::string_view name) const;  // also kEnum
  std::vector<std::string> GetStringList(std::string_view name) const;
  std::map<std::string, double> GetFloatMap(std::string_view name) const;
  std::vector<int64_t> GetIntList(std::string_view name) const;
  const nlohmann::json& Get(std::string_view name) const;  // null when unset
  void Set(std::string name, nlohmann::json value) { values_[std::move(name)] = std::move(value); }

  // All values (given and defaulted), for bundles and ML.TRAINING_INFO-style reports.
  nlohmann::json ToJson() const;

 private:
  std::map<std::string, nlohmann::json, std::less<>> values_;
};

// Checks `given` (an object of name -> value; names case-insensitive) against `specs`:
// unknown names are rejected naming the closest valid one; values of the wrong type or out
// of range are rejected naming the option, the value and its valid range. Ints given as
// whole floats and numbers given as strings ("0.5") are accepted.
Result<OptionValues> ValidateOptions(const std::vector<OptionSpec>& specs,
                                     const nlohmann::json& given);

// Help text for a set of options: one line each with type, range, default and help.
std::string OptionsHelp(const std::vector<OptionSpec>& specs);

// One declaration as JSON for API clients (GET /v1/model-types, the console's forms):
// {"name", "type" (bool|int|float|string|enum|string_list|float_map|int_list), "sql_type",
//  "default", "min", "max", "min_exclusive", "max_exclusive", "allowed", "scale", "tuning_range",
//  "range", "help", "extension"}; absent bounds are null.
nlohmann::json OptionSpecToJson(const OptionSpec& spec);

}  // namespace strata
