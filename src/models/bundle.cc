#include "strata/bundle.h"

#include <fmt/format.h>
#include <unistd.h>
#include <xxhash.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/ensemble_model.h"
#include "models/tree_model.h"
#include "strata/ensemble.h"
#include "strata/data_type.h"

namespace strata {
namespace {

constexpr char kMagic[8] = {'S', 'T', 'R', 'A', 'T', 'A', 'M', 'B'};
// A bundle's header is JSON text of a few KB to a few MB; anything larger is corruption.
constexpr uint64_t kMaxHeader = 1ull << 30;

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
uint64_t GetLE(std::string_view s, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(s[pos + i])) << (8 * i);
  return v;
}

std::string_view TaskKey(Task t) { return TaskName(t); }

Result<Task> ParseTask(const std::string& s) {
  if (s == "regression") return Task::kRegression;
  if (s == "classification") return Task::kClassification;
  if (s == "clustering") return Task::kClustering;
  return DataLoss("bundle: unknown task '" + s + "'");
}

}  // namespace

Result<std::unique_ptr<Model>> ModelBundle::LoadModel() const {
  RegisterBuiltinModels();
  std::unique_ptr<Model> model;
  if (IsEnsembleModelType(model_type)) {
    model = NewEnsembleModel();
  } else {
    STRATA_ASSIGN_OR_RETURN(const ModelType* type, FindModelType(model_type));
    model = type->create();
  }
  STRATA_RETURN_IF_ERROR(model->Load(payload).WithContext("loading the " + model_type + " model"));
  return model;
}

std::string SerializeBundle(const ModelBundle& b) {
  nlohmann::json h;
  h["model_type"] = b.model_type;
  h["task"] = TaskKey(b.task);
  h["spec"] = b.spec.ToJson();
  h["label"] = b.label;
  h["label_type"] = DataTypeName(b.label_type);
  h["class_labels"] = b.class_labels;
  h["positive_class"] = b.positive_class;
  h["preprocessor"] = b.preprocessor.ToJson();
  h["threshold"] = b.threshold;
  h["prior_correction"] = b.prior_correction;
  if (b.temperature != 1) h["temperature"] = b.temperature;
  h["options"] = b.options;
  h["metrics"] = b.metrics;
  h["training_info"] = b.training_info;
  h["importance"] = b.importance;
  if (!b.global_explain.is_null()) h["global_explain"] = b.global_explain;
  h["lineage"] = b.lineage;
  h["eval_summary"] = b.eval_summary;
  std::string header = h.dump();
  std::string out(kMagic, sizeof kMagic);
  PutU32(&out, kBundleFormatVersion);
  PutU32(&out, static_cast<uint32_t>(header.size()));
  out += header;
  PutU64(&out, b.payload.size());
  out += b.payload;
  PutU64(&out, XXH3_64bits(out.data(), out.size()));
  return out;
}

Result<ModelBundle> DeserializeBundle(std::string_view bytes) {
  auto corrupt = [](std::string_view why) {
    return DataLoss(fmt::format("not a valid Strata model bundle: {}. The file may be truncated "
                                "or corrupted; export the model again",
                                why));
  };
  if (bytes.size() < 8 + 4 + 4 + 8 + 8) return corrupt("too short");
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) return corrupt("wrong magic bytes");
  uint64_t stored = GetLE(bytes, bytes.size() - 8, 8);
  if (XXH3_64bits(bytes.data(), bytes.size() - 8) != stored) return corrupt("checksum mismatch");
  uint32_t version = static_cast<uint32_t>(GetLE(bytes, 8, 4));
  if (version > kBundleFormatVersion) {
    return FailedPrecondition(fmt::format(
        "the model bundle has format version {}, newer than this Strata understands ({}); "
        "upgrade Strata",
        version, kBundleFormatVersion));
  }
  uint64_t header_len = GetLE(bytes, 12, 4);
  if (header_len > kMaxHeader || 16 + header_len + 8 + 8 > bytes.size()) {
    return corrupt("header length out of range");
  }
  std::string_view header = bytes.substr(16, header_len);
  uint64_t payload_len = GetLE(bytes, 16 + header_len, 8);
  if (16 + header_len + 8 + payload_len + 8 != bytes.size()) {
    return corrupt("payload length does not match the size");
  }
  ModelBundle b;
  b.payload = std::string(bytes.substr(16 + header_len + 8, payload_len));
  try {
    nlohmann::json h = nlohmann::json::parse(header);
    b.model_type = h.at("model_type").get<std::string>();
    STRATA_ASSIGN_OR_RETURN(b.task, ParseTask(h.at("task").get<std::string>()));
    STRATA_ASSIGN_OR_RETURN(b.spec, TrainSpec::FromJson(h.at("spec")));
    b.label = h.at("label").get<std::string>();
    auto type = ParseDataType(h.at("label_type").get<std::string>());
    if (!type) return corrupt("unknown label type");
    b.label_type = *type;
    b.class_labels = h.at("class_labels").get<std::vector<std::string>>();
    b.positive_class = h.at("positive_class").get<int>();
    STRATA_ASSIGN_OR_RETURN(b.preprocessor, Preprocessor::FromJson(h.at("preprocessor")));
    b.threshold = h.at("threshold").get<double>();
    b.prior_correction = h.at("prior_correction").get<std::vector<double>>();
    b.temperature = h.value("temperature", 1.0);
    b.options = h.at("options");
    b.metrics = h.at("metrics");
    b.training_info = h.at("training_info");
    b.importance = h.at("importance");
    b.lineage = h.at("lineage");
    b.eval_summary = h.value("eval_summary", nlohmann::json());
    b.global_explain = h.value("global_explain", nlohmann::json());
  } catch (const nlohmann::json::exception& e) {
    return corrupt(std::string("malformed header (") + e.what() + ")");
  }
  if (b.task == Task::kClassification &&
      (b.class_labels.size() < 2 || (!b.prior_correction.empty() &&
                                     b.prior_correction.size() != b.class_labels.size()))) {
    return corrupt("inconsistent class labels");
  }
  if (!(b.temperature > 0) || !std::isfinite(b.temperature)) {
    return corrupt("temperature is not positive");
  }
  return b;
}

Status WriteBundleFile(const ModelBundle& bundle, const std::string& path) {
  std::string bytes = SerializeBundle(bundle);
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return IoError("cannot write '" + path + "': " + std::strerror(errno));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return IoError("writing '" + path + "' failed (disk full?)");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return IoError("cannot write '" + path + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

namespace {

// A whole file's bytes; NotFound / IoError naming it.
Result<std::string> ReadFileBytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound("no such file: '" + path + "'");
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read '" + path + "': " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<ModelBundle> ReadBundleFile(const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(std::string bytes, ReadFileBytes(path));
  auto bundle = DeserializeBundle(bytes);
  if (!bundle.ok()) return bundle.status().WithContext(path);
  return bundle;
}

Result<ModelBundle> ImportXgboostModelFile(const std::string& path,
                                           const std::vector<std::string>& input_columns) {
  STRATA_ASSIGN_OR_RETURN(std::string bytes, ReadFileBytes(path));
  auto trees = ImportXgboostTrees(bytes);
  if (!trees.ok()) return trees.status().WithContext(path);
  std::vector<std::string> names = input_columns;
  if (names.empty()) names = trees->feature_names;
  if (names.empty()) {
    for (int64_t i = 0; i < trees->num_features; ++i) names.push_back(fmt::format("f{}", i));
  }
  if (static_cast<int64_t>(names.size()) != trees->num_features) {
    return InvalidArgument(fmt::format("{}: the model has {} features, but {} input column names were given",
                                       path, trees->num_features, names.size()));
  }
  // Numbers as they are: the raw-label-encoded style passes numeric columns through.
  nlohmann::json prep = {{"style", "raw_label_encoded"}, {"max_categories", 1000},
                         {"columns", nlohmann::json::array()}, {"features", nlohmann::json::array()}};
  for (const std::string& name : names) {
    prep["columns"].push_back({{"column", name}, {"type", "FLOAT64"}, {"mean", 0.0}, {"stddev", 1.0},
                               {"min", 0.0}, {"max", 0.0}, {"median", 0.0},
                               {"categories", nlohmann::json::array()}, {"has_other", false},
                               {"count", 0}, {"null_count", 0}});
    prep["features"].push_back({{"name", name}, {"source_column", name}, {"kind", "numeric"}, {"category", ""}});
  }
  ModelBundle b;
  STRATA_ASSIGN_OR_RETURN(b.preprocessor, Preprocessor::FromJson(prep));
  const bool classifier = trees->task == Task::kClassification;
  b.model_type = classifier ? "BOOSTED_TREE_CLASSIFIER" : "BOOSTED_TREE_REGRESSOR";
  b.task = trees->task;
  b.label = "label";
  b.label_type = classifier ? DataType::kString : DataType::kFloat64;
  for (int c = 0; c < trees->num_classes; ++c) b.class_labels.push_back(std::to_string(c));
  b.positive_class = 1;
  b.threshold = 0.5;
  b.payload = std::move(trees->payload);
  b.spec.model_type = b.model_type;
  b.spec.label = b.label;
  b.options = nlohmann::json::object();
  b.metrics = nlohmann::json::object();
  b.training_info = nlohmann::json::array();
  b.importance = nlohmann::json::array();
  b.eval_summary = nlohmann::json::object();
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, b.LoadModel());
  if (auto importance = model->Importance(b.preprocessor.features()); importance.ok()) {
    for (const FeatureImportance& f : *importance) {
      b.importance.push_back({{"feature", f.feature},
                              {"importance_weight", f.weight},
                              {"importance_gain", f.gain},
                              {"importance_cover", f.cover}});
    }
  }
  b.lineage = {{"source", path}, {"source_kind", "xgboost_model"}, {"objective", trees->objective}};
  return b;
}

}  // namespace strata
