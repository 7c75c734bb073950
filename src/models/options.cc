#include "strata/options.h"
#include "common/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "data/value_parser.h"
#include "strata/suggest.h"

namespace strata {
namespace {

std::string TypeName(OptionType t) {
  switch (t) {
    case OptionType::kBool: return "BOOL";
    case OptionType::kInt: return "INT64";
    case OptionType::kFloat: return "FLOAT64";
    case OptionType::kString: return "STRING";
    case OptionType::kEnum: return "STRING";
    case OptionType::kStringList: return "ARRAY<STRING>";
    case OptionType::kFloatMap: return "ARRAY<STRUCT<STRING, FLOAT64>>";
    case OptionType::kIntList: return "ARRAY<INT64>";
  }
  return "?";
}

std::string Num(double v) {
  if (std::isinf(v)) return v > 0 ? "+inf" : "-inf";
  return fmt::format("{}", v);
}

// Reads a number from a JSON number or numeric string.
bool AsNumber(const nlohmann::json& v, double* out) {
  if (v.is_number()) {
    *out = v.get<double>();
    return true;
  }
  if (v.is_string()) return ParseFloat64Value(v.get<std::string>(), out);
  if (v.is_boolean()) return false;
  return false;
}

Status Invalid(const OptionSpec& spec, const nlohmann::json& value, std::string_view why) {
  return InvalidArgument(fmt::format("option {}: {} is {}; expected {}", spec.name, value.dump(),
                                     why, spec.RangeText()));
}

Result<nlohmann::json> Coerce(const OptionSpec& spec, const nlohmann::json& value) {
  switch (spec.type) {
    case OptionType::kBool: {
      if (value.is_boolean()) return value;
      bool b;
      if (value.is_string() && ParseBoolValue(value.get<std::string>(), &b)) return nlohmann::json(b);
      return Invalid(spec, value, "not TRUE or FALSE");
    }
    case OptionType::kInt:
    case OptionType::kFloat: {
      double d;
      if (!AsNumber(value, &d) || std::isnan(d)) return Invalid(spec, value, "not a number");
      if (spec.type == OptionType::kInt && d != std::floor(d)) {
        return Invalid(spec, value, "not a whole number");
      }
      if (spec.min && (d < *spec.min || (spec.min_exclusive && d == *spec.min))) {
        return Invalid(spec, value, "out of range");
      }
      if (spec.max && (d > *spec.max || (spec.max_exclusive && d == *spec.max))) {
        return Invalid(spec, value, "out of range");
      }
      if (spec.type == OptionType::kInt) return nlohmann::json(static_cast<int64_t>(d));
      return nlohmann::json(d);
    }
    case OptionType::kString:
      if (value.is_string()) return value;
      return Invalid(spec, value, "not a string");
    case OptionType::kEnum: {
      if (!value.is_string()) return Invalid(spec, value, "not a string");
      std::string up = AsciiUpper(value.get<std::string>());
      if (std::find(spec.choices.begin(), spec.choices.end(), up) != spec.choices.end()) return nlohmann::json(up);
      std::string hint = DidYouMean(up, spec.choices);
      return InvalidArgument(fmt::format("option {}: '{}' is not a valid value; expected {}.{}",
                                         spec.name, value.get<std::string>(), spec.RangeText(),
                                         hint));
    }
    case OptionType::kStringList: {
      if (value.is_string()) return nlohmann::json::array({value});
      if (!value.is_array()) return Invalid(spec, value, "not a list of strings");
      for (const auto& item : value) {
        if (!item.is_string()) return Invalid(spec, value, "not a list of strings");
      }
      return value;
    }
    case OptionType::kIntList: {
      // A bare number is a one-element list ([128] written as 128); text may list the
      // numbers with commas ("128,64", as the CLI and the console pass them).
      nlohmann::json items = value.is_array() ? value : nlohmann::json::array({value});
      if (value.is_string()) {
        items = nlohmann::json::array();
        std::string text = value.get<std::string>();
        for (size_t start = 0; start <= text.size();) {
          size_t comma = std::min(text.find(',', start), text.size());
          std::string part = text.substr(start, comma - start);
          part.erase(0, part.find_first_not_of(" []"));
          part.erase(part.find_last_not_of(" []") + 1);
          if (!part.empty()) items.push_back(part);
          start = comma + 1;
        }
      }
      if (items.empty()) return Invalid(spec, value, "an empty list");
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : items) {
        double d;
        if (!AsNumber(item, &d) || !std::isfinite(d) || d != std::floor(d)) {
          return Invalid(spec, value, "not a list of whole numbers");
        }
        if ((spec.min && d < *spec.min) || (spec.max && d > *spec.max)) {
          return Invalid(spec, value, fmt::format("out of range (element {})", Num(d)));
        }
        out.push_back(static_cast<int64_t>(d));
      }
      return out;
    }
    case OptionType::kFloatMap: {
      // Accept {"a": 1} and BigQuery's [STRUCT('a', 1)] written as [["a", 1]] or
      // [{"label": "a", "weight": 1}].
      nlohmann::json out = nlohmann::json::object();
      auto put = [&](const nlohmann::json& k, const nlohmann::json& v) -> Status {
        double d;
        if (!AsNumber(v, &d) || !std::isfinite(d) || d < 0) {
          return Invalid(spec, value, "not a map of labels to non-negative numbers");
        }
        out[k.is_string() ? k.get<std::string>() : k.dump()] = d;
        return Status::Ok();
      };
      if (value.is_object()) {
        for (const auto& [k, v] : value.items()) STRATA_RETURN_IF_ERROR(put(k, v));
        return out;
      }
      if (value.is_array()) {
        for (const auto& item : value) {
          if (item.is_array() && item.size() == 2) {
            STRATA_RETURN_IF_ERROR(put(item[0], item[1]));
          } else if (item.is_object() && item.size() == 2) {
            auto it = item.begin();
            const nlohmann::json& k = *it;
            const nlohmann::json& v = *(++it);
            STRATA_RETURN_IF_ERROR(put(k, v));
          } else {
            return Invalid(spec, value, "not a list of (label, weight) pairs");
          }
        }
        return out;
      }
      return Invalid(spec, value, "not a map of labels to numbers");
    }
  }
  return Internal("unknown option type");
}

}  // namespace

OptionSpec OptionSpec::Bool(std::string name, bool default_value, std::string help) {
  OptionSpec s;
  s.name = std::move(name);
  s.type = OptionType::kBool;
  s.default_value = default_value;
  s.help = std::move(help);
  return s;
}

OptionSpec OptionSpec::Int(std::string name, std::optional<int64_t> default_value,
                           std::string help) {
  OptionSpec s;
  s.name = std::move(name);
  s.type = OptionType::kInt;
  if (default_value) s.default_value = *default_value;
  s.help = std::move(help);
  return s;
}

OptionSpec OptionSpec::Float(std::string name, std::optional<double> default_value,
                             std::string help) {
  OptionSpec s;
  s.name = std::move(name);
  s.type = OptionType::kFloat;
  if (default_value) s.default_value = *default_value;
  s.help = std::move(help);
  return s;
}

OptionSpec OptionSpec::String(std::string name, std::string help) {
  OptionSpec s;
  s.name = std::move(name);
  s.type = OptionType::kString;
  s.help = std::move(help);
  return s;
}

OptionSpec OptionSpec::Enum(std::string name, std::vector<std::string> choices,
                            std::string default_value, std::string help) {
  OptionSpec s;
  s.name = std::move(name);
  s.type = OptionType::kEnum;
  s.choices = std::move(choices);
  if (!default_value.empty()) s.default_value = default_value;
  s.help = std::move(help);
  return s;
}

OptionSpec OptionSpec::StringList(std::string name, std::string help) {
  OptionSpec s;
  s.name = std::move(name);
  s.type = OptionType::kStringList;
  s.help = std::move(help);
  return s;
}

OptionSpec OptionSpec::FloatMap(std::string name, std::string help) {
  OptionSpec s;
  s.name = std::move(name);
  s.type = OptionType::kFloatMap;
  s.help = std::move(help);
  return s;
}

OptionSpec OptionSpec::IntList(std::string name, std::vector<int64_t> default_value,
                               std::string help) {
  OptionSpec s;
  s.name = std::move(name);
  s.type = OptionType::kIntList;
  if (!default_value.empty()) s.default_value = default_value;
  s.help = std::move(help);
  return s;
}

OptionSpec& OptionSpec::Min(double v, bool exclusive) {
  min = v;
  min_exclusive = exclusive;
  return *this;
}

OptionSpec& OptionSpec::Max(double v, bool exclusive) {
  max = v;
  max_exclusive = exclusive;
  return *this;
}

OptionSpec& OptionSpec::Tuning(double lo, double hi, Scale s) {
  tuning_range = {lo, hi};
  scale = s;
  return *this;
}

OptionSpec& OptionSpec::Extension() {
  strata_extension = true;
  return *this;
}

std::string OptionSpec::RangeText() const {
  std::string out = TypeName(type);
  if (type == OptionType::kInt || type == OptionType::kFloat || type == OptionType::kIntList) {
    if (min || max) {
      out += fmt::format("{}{}{}, {}{}", type == OptionType::kIntList ? ", each in " : " in ",
                         min && !min_exclusive ? "[" : "(", min ? Num(*min) : "-inf",
                         max ? Num(*max) : "+inf", max && !max_exclusive ? "]" : ")");
    }
  } else if (type == OptionType::kEnum) {
    out = "one of ";
    for (size_t i = 0; i < choices.size(); ++i) {
      out += (i ? ", '" : "'") + choices[i] + "'";
    }
  }
  if (!default_value.is_null()) out += ", default " + default_value.dump();
  return out;
}

bool OptionValues::Has(std::string_view name) const {
  auto it = values_.find(name);
  return it != values_.end() && !it->second.is_null();
}

const nlohmann::json& OptionValues::Get(std::string_view name) const {
  static const nlohmann::json kNull;
  auto it = values_.find(name);
  return it == values_.end() ? kNull : it->second;
}

bool OptionValues::GetBool(std::string_view name) const {
  const auto& v = Get(name);
  return v.is_boolean() && v.get<bool>();
}

int64_t OptionValues::GetInt(std::string_view name) const {
  const auto& v = Get(name);
  return v.is_number() ? v.get<int64_t>() : 0;
}

double OptionValues::GetDouble(std::string_view name) const {
  const auto& v = Get(name);
  return v.is_number() ? v.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

std::string OptionValues::GetString(std::string_view name) const {
  const auto& v = Get(name);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::vector<std::string> OptionValues::GetStringList(std::string_view name) const {
  std::vector<std::string> out;
  const auto& v = Get(name);
  if (v.is_array()) {
    for (const auto& item : v) out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<int64_t> OptionValues::GetIntList(std::string_view name) const {
  std::vector<int64_t> out;
  const auto& v = Get(name);
  if (v.is_array()) {
    for (const auto& item : v) out.push_back(item.get<int64_t>());
  }
  return out;
}

std::map<std::string, double> OptionValues::GetFloatMap(std::string_view name) const {
  std::map<std::string, double> out;
  const auto& v = Get(name);
  if (v.is_object()) {
    for (const auto& [k, x] : v.items()) out[k] = x.get<double>();
  }
  return out;
}

nlohmann::json OptionSpecToJson(const OptionSpec& spec) {
  static constexpr std::string_view kKinds[] = {"bool", "int",         "float",     "string",
                                                "enum", "string_list", "float_map", "int_list"};
  auto optional = [](const std::optional<double>& v) {
    return v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json();
  };
  nlohmann::json out = {{"name", spec.name},
                        {"type", kKinds[static_cast<int>(spec.type)]},
                        {"sql_type", TypeName(spec.type)},
                        {"default", spec.default_value},
                        {"min", optional(spec.min)},
                        {"max", optional(spec.max)},
                        {"min_exclusive", spec.min_exclusive},
                        {"max_exclusive", spec.max_exclusive},
                        {"allowed", spec.choices},
                        {"scale", spec.scale == Scale::kLog ? "log" : "linear"},
                        {"tuning_range", nullptr},
                        {"range", spec.RangeText()},
                        {"help", spec.help},
                        {"extension", spec.strata_extension}};
  if (spec.tuning_range) {
    out["tuning_range"] = {spec.tuning_range->first, spec.tuning_range->second};
  }
  return out;
}

nlohmann::json OptionValues::ToJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : values_) out[k] = v;
  return out;
}

Result<OptionValues> ValidateOptions(const std::vector<OptionSpec>& specs,
                                     const nlohmann::json& given) {
  std::map<std::string, nlohmann::json> values;
  for (const OptionSpec& spec : specs) values[spec.name] = spec.default_value;
  if (given.is_null()) return OptionValues(values);
  if (!given.is_object()) return InvalidArgument("options must be a JSON object of name: value");
  std::vector<std::string> names;
  for (const OptionSpec& s : specs) names.push_back(s.name);
  for (const auto& [raw_name, value] : given.items()) {
    std::string name = AsciiLower(raw_name);
    auto it = std::find_if(specs.begin(), specs.end(),
                           [&](const OptionSpec& s) { return s.name == name; });
    if (it == specs.end()) {
      return InvalidArgument(fmt::format("unknown option '{}'.{}", raw_name, DidYouMean(name, names)));
    }
    if (value.is_null()) {
      values[name] = it->default_value;
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(values[name], Coerce(*it, value));
  }
  return OptionValues(values);
}

std::string OptionsHelp(const std::vector<OptionSpec>& specs) {
  std::string out;
  size_t width = 0;
  for (const OptionSpec& s : specs) width = std::max(width, s.name.size());
  for (const OptionSpec& s : specs) {
    out += fmt::format("  {:<{}}  {}{}\n      {}\n", s.name, width, s.help,
                       s.strata_extension ? " (Strata extension)" : "", s.RangeText());
  }
  return out;
}

}  // namespace strata
