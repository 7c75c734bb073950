// Notebooks: named lists of SQL cells (the console's SQL notebook), saved in the workspace
// so that they outlive the browser tab and travel with the workspace file.
//
//   strata::Notebooks notebooks(*workspace);
//   STRATA_ASSIGN_OR_RETURN(nlohmann::json content,
//       strata::ParseNotebookContent(nlohmann::json::parse(R"({"cells": [{"sql": "SELECT 1"}]})")));
//   STRATA_ASSIGN_OR_RETURN(bool created, notebooks.Put("churn_analysis", content));
//   STRATA_ASSIGN_OR_RETURN(strata::NotebookInfo nb, notebooks.Get("churn_analysis"));
//
// Stored in strata_notebooks (name, content as JSON text, created_at, updated_at); each
// write is one transaction.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"
#include "strata/workspace.h"

namespace strata {

// Largest notebook, as compact JSON; a bigger one is refused (results are not stored, so
// this is a lot of SQL).
inline constexpr size_t kMaxNotebookBytes = 1 << 20;
// Most cells in one notebook.
inline constexpr size_t kMaxNotebookCells = 500;

struct NotebookInfo {
  std::string name;
  nlohmann::json content;  // {"cells": [{"sql": "..."}, ...]}
  size_t cells = 0;
  std::string created_at;  // UTC, "YYYY-MM-DD HH:MM:SS"
  std::string updated_at;
};

// InvalidArgument unless `name` may name a notebook: 1-128 letters, digits, '_', '-' or
// '.', so that it fits in a URL path segment unescaped.
Status ValidateNotebookName(std::string_view name);

// Checks a notebook body and returns it normalised ({"cells": [{"sql": TEXT}, ...]}).
// InvalidArgument names the offending field ("cells[2].sql must be a string") or the size.
Result<nlohmann::json> ParseNotebookContent(const nlohmann::json& body);

class Notebooks {
 public:
  explicit Notebooks(Workspace& workspace) : workspace_(workspace) {}

  // Every notebook by name, without content (`cells` holds the cell count).
  Result<std::vector<NotebookInfo>> List();
  // One notebook with its content; NotFound names the closest notebook.
  Result<NotebookInfo> Get(std::string_view name);
  // Creates or replaces a notebook with content from ParseNotebookContent; true when created.
  Result<bool> Put(std::string_view name, const nlohmann::json& content);
  // Removes a notebook; NotFound (with the closest name) when there is none.
  Status Delete(std::string_view name);

 private:
  Workspace& workspace_;
};

}  // namespace strata
