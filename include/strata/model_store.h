// The model registry inside the workspace: models by name, each with numbered versions
// (bundles stored as BLOBs), written in one transaction each.
//
//   strata::ModelStore store(*workspace);
//   STRATA_ASSIGN_OR_RETURN(int version, store.Save("churn_model", bundle));
//   STRATA_ASSIGN_OR_RETURN(strata::ModelBundle latest, store.Load("churn_model"));
//
// Model names share one namespace with tables (as in BigQuery ML): a model cannot be named
// like an existing table.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/bundle.h"
#include "strata/status.h"
#include "strata/workspace.h"

namespace strata {

struct ModelVersionInfo {
  std::string model;
  int version = 0;
  std::string model_type;
  std::string created_at;     // UTC
  int64_t bundle_bytes = 0;
  nlohmann::json metrics;     // the bundle's evaluation metrics
  nlohmann::json spec;        // the TrainSpec
};

struct ModelInfo {
  std::string name;
  std::string model_type;
  int latest_version = 0;
  int versions = 0;
  std::string created_at, updated_at;
  std::string label;
};

class ModelStore {
 public:
  explicit ModelStore(Workspace& workspace) : workspace_(workspace) {}

  // Stores `bundle` as the next version of `name` (version 1 for a new model) and returns
  // the version number. `replace` drops every earlier version in the same transaction
  // (CREATE OR REPLACE MODEL).
  Result<int> Save(std::string_view name, const ModelBundle& bundle, bool replace = false);
  // The given version, or the latest. NotFound names the closest model.
  Result<ModelBundle> Load(std::string_view name, std::optional<int> version = std::nullopt);
  bool Has(std::string_view name);
  Result<std::vector<ModelInfo>> List();
  Result<std::vector<ModelVersionInfo>> Versions(std::string_view name);
  // Drops a model and all its versions; NotFound when missing.
  Status Drop(std::string_view name);

 private:
  Workspace& workspace_;
};

}  // namespace strata
