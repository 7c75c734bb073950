#include "models/labels.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "data/value_parser.h"
#include "strata/suggest.h"

namespace strata {

Result<std::vector<std::string>> ClassLabels(const Column& label,
                                             const std::optional<std::string>& positive) {
  std::vector<std::string> classes;
  switch (label.type()) {
    case DataType::kString: {
      std::vector<uint8_t> used(label.dictionary().size(), 0);
      for (int64_t r = 0; r < label.size(); ++r) {
        if (!label.IsNull(r)) used[label.GetCode(r)] = 1;
      }
      for (size_t c = 0; c < used.size(); ++c) {
        if (used[c]) classes.emplace_back(label.dictionary().Get(static_cast<uint32_t>(c)));
      }
      std::sort(classes.begin(), classes.end());
      break;
    }
    case DataType::kFloat64: {
      std::vector<double> values;
      for (int64_t r = 0; r < label.size(); ++r) {
        if (!label.IsNull(r)) values.push_back(label.GetFloat64(r));
      }
      std::sort(values.begin(), values.end());
      values.erase(std::unique(values.begin(), values.end()), values.end());
      for (double v : values) classes.push_back(fmt::format("{}", v));
      break;
    }
    default: {  // BOOL, INT64, DATE, TIMESTAMP: ordered by their int64/bool value
      std::vector<int64_t> values;
      for (int64_t r = 0; r < label.size(); ++r) {
        if (label.IsNull(r)) continue;
        values.push_back(label.type() == DataType::kBool ? (label.GetBool(r) ? 1 : 0)
                                                         : label.GetInt64(r));
      }
      std::sort(values.begin(), values.end());
      values.erase(std::unique(values.begin(), values.end()), values.end());
      for (int64_t v : values) {
        if (label.type() == DataType::kBool) {
          classes.push_back(v ? "true" : "false");
        } else if (label.type() == DataType::kDate) {
          classes.push_back(FormatDate(v));
        } else if (label.type() == DataType::kTimestamp) {
          classes.push_back(FormatTimestamp(v));
        } else {
          classes.push_back(std::to_string(v));
        }
      }
    }
  }
  if (positive) {
    auto it = std::find(classes.begin(), classes.end(), *positive);
    if (it == classes.end()) {
      return InvalidArgument(fmt::format("positive_class '{}' is not a value of label '{}'.{}",
                                         *positive, label.name(), DidYouMean(*positive, classes)));
    }
    if (classes.size() != 2) {
      return InvalidArgument("positive_class applies to binary labels only; label '" +
                             label.name() + "' has " + std::to_string(classes.size()) +
                             " classes");
    }
    if (it == classes.begin()) std::swap(classes[0], classes[1]);
  } else if (classes.size() == 2) {
    // The positive class (listed second) is the one that reads as positive ("1", "true",
    // "yes", ...), else the minority class: imbalanced problems care about the rare class,
    // and its F1 is what the decision threshold is tuned for.
    auto reads_positive = [](std::string v) {
      for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return v == "1" || v == "true" || v == "yes" || v == "y" || v == "t" || v == "positive";
    };
    bool first = reads_positive(classes[0]), second = reads_positive(classes[1]);
    if (first != second) {
      if (first) std::swap(classes[0], classes[1]);
    } else {
      std::vector<int> index = ClassIndices(label, classes);
      int64_t count[2] = {0, 0};
      for (int i : index) {
        if (i >= 0) ++count[i];
      }
      if (count[1] > count[0]) std::swap(classes[0], classes[1]);
    }
  }
  return classes;
}

std::vector<int> ClassIndices(const Column& label, const std::vector<std::string>& classes) {
  std::unordered_map<std::string, int> index;
  for (size_t i = 0; i < classes.size(); ++i) index[classes[i]] = static_cast<int>(i);
  std::vector<int> out(static_cast<size_t>(label.size()), -1);
  if (label.type() == DataType::kString) {
    std::vector<int> code_map(label.dictionary().size());
    for (size_t c = 0; c < code_map.size(); ++c) {
      auto it = index.find(std::string(label.dictionary().Get(static_cast<uint32_t>(c))));
      code_map[c] = it == index.end() ? -1 : it->second;
    }
    for (int64_t r = 0; r < label.size(); ++r) {
      if (!label.IsNull(r)) out[r] = code_map[label.GetCode(r)];
    }
    return out;
  }
  for (int64_t r = 0; r < label.size(); ++r) {
    if (label.IsNull(r)) continue;
    auto it = index.find(label.FormatValue(r));
    if (it != index.end()) out[r] = it->second;
  }
  return out;
}

Column LabelColumn(const std::string& name, DataType type, const std::vector<std::string>& classes,
                   const std::vector<int>& indices) {
  Column out(name, type);
  out.Reserve(static_cast<int64_t>(indices.size()));
  // Parse each class text back to the label's type once.
  std::vector<int64_t> ints(classes.size());
  std::vector<double> doubles(classes.size());
  std::vector<bool> ok(classes.size(), true);
  for (size_t i = 0; i < classes.size(); ++i) {
    bool b;
    switch (type) {
      case DataType::kBool: ok[i] = ParseBoolValue(classes[i], &b); ints[i] = b; break;
      case DataType::kInt64: ok[i] = ParseInt64Value(classes[i], &ints[i]); break;
      case DataType::kFloat64: ok[i] = ParseFloat64Value(classes[i], &doubles[i]); break;
      case DataType::kDate: ok[i] = ParseDateValue(classes[i], &ints[i]); break;
      case DataType::kTimestamp: ok[i] = ParseTimestampValue(classes[i], &ints[i]); break;
      case DataType::kString: break;
    }
  }
  for (int k : indices) {
    if (k < 0 || !ok[k]) {
      out.AppendNull();
      continue;
    }
    switch (type) {
      case DataType::kBool: out.AppendBool(ints[k] != 0); break;
      case DataType::kInt64:
      case DataType::kDate:
      case DataType::kTimestamp: out.AppendInt64(ints[k]); break;
      case DataType::kFloat64: out.AppendFloat64(doubles[k]); break;
      case DataType::kString: out.AppendString(classes[k]); break;
    }
  }
  return out;
}

Status CheckNoNullLabels(const Column& label) {
  int64_t nulls = label.null_count();
  if (nulls == 0) return Status::Ok();
  int64_t first = 0;
  while (!label.IsNull(first)) ++first;
  return InvalidArgument(fmt::format(
      "label column '{}' has {} NULL values (the first in row {}); a model cannot learn from "
      "rows without a label. Possible solutions: filter them out first (e.g. SELECT * FROM t "
      "WHERE {} IS NOT NULL), or fill them in",
      label.name(), nulls, first + 1, label.name()));
}

}  // namespace strata
