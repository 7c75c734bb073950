// BigQuery ML's table functions (ML.PREDICT, ML.EVALUATE, ...) as row producers for the SQL
// engine's virtual table. Each one calls the same core the CLI does (Predictor, Evaluate, the
// bundle's stored metrics and logs) and names its columns as BigQuery ML does; arrays and
// structs SQLite lacks are JSON text.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sql/ml_syntax.h"
#include "strata/status.h"
#include "strata/table.h"
#include "strata/workspace.h"

namespace strata::sql {

class MlFunction {
 public:
  virtual ~MlFunction() = default;
  // The output columns, fixed when the call starts (SQLite declares them before any row).
  const std::vector<std::string>& columns() const { return columns_; }
  // (Re)starts the rows and returns the first batch; Next() returns the following ones. A
  // batch without rows ends them. ML.PREDICT reads and predicts its input a batch at a time,
  // so its memory does not grow with the input.
  // Batches are shared, not copied: a rescan of a cached result hands out the same tables.
  using Batch = std::shared_ptr<const Table>;
  virtual Result<Batch> First() = 0;
  virtual Result<Batch> Next() = 0;

 protected:
  std::vector<std::string> columns_;
};

// Starts ML.<call.function>: loads the model, checks the arguments and fixes the columns.
// `input_sql` is the query giving the input rows ("" for none). NotFound for an unknown
// model or function (with the closest name), InvalidArgument for arguments the function
// does not take or a model it does not apply to.
Result<std::unique_ptr<MlFunction>> StartMlFunction(Workspace& workspace, const MlCall& call,
                                                    const std::string& input_sql);

// The names ML.* accepts, for suggestions.
const std::vector<std::string>& MlFunctionNames();

}  // namespace strata::sql
