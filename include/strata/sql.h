// SqlEngine: the BigQuery ML dialect over a workspace. Plain SQL is SQLite's and passes through
// unchanged; BigQuery ML's statements (CREATE MODEL, DROP MODEL) and table functions
// (ML.PREDICT, ML.EVALUATE, ...) call the same core functions as the CLI. `strata sql` and the
// server's SQL endpoint both run through here (docs/sql.md).
//
//   strata::SqlEngine engine(*workspace);
//   STRATA_RETURN_IF_ERROR(engine.Run(
//       "CREATE MODEL m OPTIONS(model_type='logistic_reg', input_label_cols=['churn']) AS "
//       "SELECT * FROM churn; SELECT * FROM ML.EVALUATE(MODEL m);",
//       [](const strata::SqlResult& r) { ...; return strata::Status::Ok(); }));
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "strata/progress.h"
#include "strata/status.h"
#include "strata/table.h"
#include "strata/workspace.h"

namespace strata {

struct AutoMlEvent;   // strata/automl.h
struct TuneProgress;  // strata/tune.h

// What one statement produced.
struct SqlResult {
  std::string statement;  // the statement's text, trimmed
  int line = 1;           // where it starts in the script
  bool has_rows = false;  // a query: `rows` holds its result (possibly no rows)
  Table rows;
  std::string message;    // otherwise: what was done ("Created model m version 1", "3 rows changed")
  double seconds = 0;
};

struct SqlOptions {
  std::string source_name = "<sql>";  // names the script in error positions (a file name)
  int line_offset = 0;                // lines before the script in that source
  bool continue_on_error = false;     // report an error and go on with the next statement
  int threads = 0;                    // training threads (0: all cores)
  ProgressCallback progress;          // training progress
  // CREATE MODEL with NUM_TRIALS: each finished trial with the best so far (what `strata tune`
  // reports); with AUTOML_CLASSIFIER / AUTOML_REGRESSOR: each configuration scored, with the
  // best so far. Where set, they are called instead of `progress`.
  std::function<void(const TuneProgress&)> on_trial;
  std::function<void(const AutoMlEvent&)> on_automl;
  const std::atomic<bool>* cancel = nullptr;
};

class SqlEngine {
 public:
  explicit SqlEngine(Workspace& workspace);
  ~SqlEngine();
  SqlEngine(const SqlEngine&) = delete;
  SqlEngine& operator=(const SqlEngine&) = delete;

  using ResultSink = std::function<Status(const SqlResult&)>;
  using ErrorSink = std::function<void(const Status&)>;

  // Runs the ';'-separated statements of `script` in order, handing each result to
  // `on_result`. An error names SOURCE:LINE:COLUMN, shows the line with a caret under the
  // offending token and stops the script (returned); with continue_on_error it goes to
  // `on_error` instead, the script goes on, and the last error is returned at the end.
  Status Run(std::string_view script, const ResultSink& on_result, const SqlOptions& options = {},
             const ErrorSink& on_error = {});

  // Whether `text` ends with a complete statement (a ';' outside strings, comments and
  // trigger bodies): the shell reads lines until it does.
  static bool IsComplete(std::string_view text);

  Workspace& workspace() { return workspace_; }

  struct Impl;

 private:
  Workspace& workspace_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata
