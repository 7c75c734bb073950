// Ensemble bundles (include/strata/ensemble.h): the payload is the member bundles, each in
// its own serialised form (with its own checksum), and their weights.
//
// Payload layout (little-endian): "STRATAEN", u32 member count, then per member an f64
// weight, a u64 length and that many bytes of SerializeBundle output.
#include "strata/ensemble.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "common/text.h"
#include "models/ensemble_model.h"

namespace strata {
namespace {

constexpr char kEnsembleMagic[8] = {'S', 'T', 'R', 'A', 'T', 'A', 'E', 'N'};
// Far more members than any selection produces; more is corruption.
constexpr uint32_t kMaxMembers = 10'000;

void PutLE(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint64_t GetLE(std::string_view s, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(s[pos + i])) << (8 * i);
  return v;
}

std::string EncodeMembers(const std::vector<EnsembleMember>& members) {
  std::string out(kEnsembleMagic, sizeof kEnsembleMagic);
  PutLE(&out, members.size(), 4);
  for (const EnsembleMember& m : members) {
    PutLE(&out, std::bit_cast<uint64_t>(m.weight), 8);
    std::string bytes = SerializeBundle(m.bundle);
    PutLE(&out, bytes.size(), 8);
    out += bytes;
  }
  return out;
}

Result<std::vector<EnsembleMember>> DecodeMembers(std::string_view payload) {
  auto corrupt = [](std::string_view why) {
    return DataLoss(fmt::format("not a valid ensemble payload: {}. The bundle may be corrupted; "
                                "export or train the model again",
                                why));
  };
  if (payload.size() < sizeof kEnsembleMagic + 4 ||
      std::memcmp(payload.data(), kEnsembleMagic, sizeof kEnsembleMagic) != 0) {
    return corrupt("wrong magic bytes");
  }
  const uint64_t count = GetLE(payload, 8, 4);
  if (count == 0 || count > kMaxMembers) return corrupt("member count out of range");
  std::vector<EnsembleMember> members;
  size_t pos = 12;
  for (uint64_t i = 0; i < count; ++i) {
    if (payload.size() - pos < 16) return corrupt("truncated member header");
    EnsembleMember m;
    m.weight = std::bit_cast<double>(GetLE(payload, pos, 8));
    const uint64_t len = GetLE(payload, pos + 8, 8);
    pos += 16;
    if (len > payload.size() - pos) return corrupt("member length out of range");
    if (!(m.weight > 0) || !std::isfinite(m.weight)) return corrupt("member weight is not positive");
    auto bundle = DeserializeBundle(payload.substr(pos, len));
    if (!bundle.ok()) {
      return Status(bundle.status().code(),
                    fmt::format("ensemble member {}: {}", i + 1, bundle.status().message()));
    }
    if (IsEnsembleModelType(bundle->model_type)) return corrupt("nested ensemble");
    m.bundle = std::move(*bundle);
    pos += len;
    members.push_back(std::move(m));
  }
  if (pos != payload.size()) return corrupt("trailing bytes");
  return members;
}

// The Model face of an ensemble: what LoadModel() returns, for the faces that describe a
// model (ML.WEIGHTS, `strata models show`). Prediction goes through Predictor, which needs
// the members' own preprocessing.
class EnsembleModel : public Model {
 public:
  Status Fit(const TrainingData&, const FitContext&) override {
    return FailedPrecondition("an ensemble is built from trained models (AutoML), not fitted");
  }
  Status Predict(const FeatureMatrix&, ModelOutput*) const override {
    return FailedPrecondition("an ensemble predicts through Predictor, from the input table");
  }
  Result<std::string> Save() const override { return EncodeMembers(members_); }
  Status Load(std::string_view bytes) override {
    STRATA_ASSIGN_OR_RETURN(members_, DecodeMembers(bytes));
    return Status::Ok();
  }
  nlohmann::json Describe(const std::vector<FeatureInfo>&) const override {
    nlohmann::json members = nlohmann::json::array();
    for (const EnsembleMember& m : members_) {
      members.push_back({{"model_type", m.bundle.model_type},
                         {"weight", m.weight},
                         {"options", m.bundle.options},
                         {"metrics", m.bundle.metrics}});
    }
    return {{"members", members}};
  }

 private:
  std::vector<EnsembleMember> members_;
};

}  // namespace

bool IsEnsembleModelType(std::string_view model_type) {
  std::string upper = AsciiUpper(model_type);
  return upper == "ENSEMBLE" || upper == "AUTOML_CLASSIFIER" || upper == "AUTOML_REGRESSOR";
}

std::unique_ptr<Model> NewEnsembleModel() { return std::make_unique<EnsembleModel>(); }

Result<ModelBundle> MakeEnsembleBundle(std::vector<EnsembleMember> members,
                                       std::string_view model_type) {
  if (!IsEnsembleModelType(model_type)) {
    return InvalidArgument(fmt::format("'{}' is not an ensemble model type (ENSEMBLE, "
                                       "AUTOML_CLASSIFIER, AUTOML_REGRESSOR)",
                                       model_type));
  }
  if (members.empty()) return InvalidArgument("an ensemble needs at least one member");
  double total = 0;
  for (const EnsembleMember& m : members) {
    if (!(m.weight > 0) || !std::isfinite(m.weight)) {
      return InvalidArgument(fmt::format("ensemble member weight {} must be a positive number",
                                         m.weight));
    }
    total += m.weight;
  }
  const ModelBundle& first = members.front().bundle;
  if (first.task == Task::kClustering) {
    return InvalidArgument("ensembles combine supervised models, not " + first.model_type);
  }
  auto sorted_schema = [](const ModelBundle& b) {
    Schema s = b.preprocessor.input_schema();
    std::sort(s.begin(), s.end(), [](const Field& x, const Field& y) { return x.name < y.name; });
    return s;
  };
  const Schema schema = sorted_schema(first);
  for (size_t i = 0; i < members.size(); ++i) {
    const ModelBundle& b = members[i].bundle;
    auto differs = [&](std::string_view what) {
      return InvalidArgument(fmt::format("ensemble member {} ({}) has a different {} from member "
                                         "1 ({}); members must predict the same label from the "
                                         "same columns",
                                         i + 1, b.model_type, what, first.model_type));
    };
    if (IsEnsembleModelType(b.model_type)) return InvalidArgument("ensembles cannot be nested");
    if (b.task != first.task) return differs("task");
    if (b.label != first.label || b.label_type != first.label_type) return differs("label");
    if (b.class_labels != first.class_labels || b.positive_class != first.positive_class) {
      return differs("set of classes");
    }
    if (sorted_schema(b) != schema) return differs("set of input columns");
  }
  ModelBundle e;
  e.model_type = AsciiUpper(model_type);
  e.task = first.task;
  e.spec = first.spec;
  e.spec.model_type = e.model_type;
  e.spec.options = nlohmann::json::object();
  e.label = first.label;
  e.label_type = first.label_type;
  e.class_labels = first.class_labels;
  e.positive_class = first.positive_class;
  // The input schema (ML.FEATURE_INFO, server metadata); prediction uses each member's own.
  e.preprocessor = first.preprocessor;
  e.threshold = 0;
  for (EnsembleMember& m : members) {
    m.weight /= total;
    e.threshold += m.weight * m.bundle.threshold;
  }
  e.options = nlohmann::json::object();
  e.metrics = nlohmann::json::object();
  e.training_info = nlohmann::json::array();
  e.importance = nlohmann::json::array();
  e.lineage = first.lineage;
  e.payload = EncodeMembers(members);
  return e;
}

Result<std::vector<EnsembleMember>> EnsembleMembers(const ModelBundle& bundle) {
  if (!IsEnsembleModelType(bundle.model_type)) {
    return InvalidArgument(bundle.model_type + " is not an ensemble");
  }
  return DecodeMembers(bundle.payload);
}

Result<ModelOutput> AverageOutputs(const std::vector<const ModelOutput*>& outputs,
                                   std::span<const double> weights) {
  if (outputs.empty() || outputs.size() != weights.size()) {
    return InvalidArgument("AverageOutputs needs one weight per output, and at least one");
  }
  const ModelOutput& first = *outputs.front();
  ModelOutput avg;
  avg.width = first.width;
  avg.values.assign(first.values.size(), 0.0);
  avg.probabilities.assign(first.probabilities.size(), 0.0);
  for (size_t m = 0; m < outputs.size(); ++m) {
    const ModelOutput& o = *outputs[m];
    if (o.values.size() != avg.values.size() ||
        o.probabilities.size() != avg.probabilities.size()) {
      return InvalidArgument("ensemble members predicted outputs of different shapes");
    }
    const double w = weights[m];
    for (size_t i = 0; i < o.values.size(); ++i) avg.values[i] += w * o.values[i];
    for (size_t i = 0; i < o.probabilities.size(); ++i) avg.probabilities[i] += w * o.probabilities[i];
  }
  return avg;
}

}  // namespace strata
