#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>

#include "models/builtin_models.h"
#include "common/text.h"
#include "strata/model.h"
#include "strata/suggest.h"

namespace strata {
namespace {

std::mutex& RegistryMutex() {
  static std::mutex mu;
  return mu;
}

// Types live in stable heap nodes so the pointers FindModelType returns stay valid.
std::map<std::string, std::unique_ptr<ModelType>>& Registry() {
  static std::map<std::string, std::unique_ptr<ModelType>> registry;
  return registry;
}

}  // namespace

std::string_view TaskName(Task task) {
  switch (task) {
    case Task::kRegression: return "regression";
    case Task::kClassification: return "classification";
    case Task::kClustering: return "clustering";
  }
  return "?";
}

Result<std::vector<FeatureImportance>> Model::Importance(
    const std::vector<FeatureInfo>& /*features*/) const {
  return Unimplemented("this model type has no feature importance");
}

Status Model::Contribute(const FeatureMatrix& /*features*/, Contributions* /*out*/) const {
  return Unimplemented("this model type has no per-row contributions");
}

Result<std::string> Model::ExportXgboostJson() const {
  return Unimplemented("only boosted tree and random forest models export to XGBoost JSON");
}

void RegisterModelType(ModelType type) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  std::string key = AsciiUpper(type.name);
  type.name = key;
  // The first registration wins: replacing it would invalidate pointers already handed out.
  if (Registry().count(key) == 0) Registry()[key] = std::make_unique<ModelType>(std::move(type));
}

void RegisterBuiltinModels() {
  static std::once_flag once;
  std::call_once(once, [] {
    RegisterLinearModels();
    RegisterTreeModels();
    RegisterKMeansModel();
    RegisterDnnModels();
  });
}

Result<const ModelType*> FindModelType(std::string_view name) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  auto it = Registry().find(AsciiUpper(name));
  if (it != Registry().end()) return it->second.get();
  std::vector<std::string> names;
  for (const auto& [k, v] : Registry()) names.push_back(k);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return NotFound(fmt::format("unknown model_type '{}'.{} Available: {}", name,
                              DidYouMean(AsciiUpper(name), names), list));
}

std::vector<const ModelType*> ModelTypes() {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  std::vector<const ModelType*> out;
  for (const auto& [k, v] : Registry()) out.push_back(v.get());
  return out;
}

}  // namespace strata
