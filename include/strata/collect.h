// Collect: step 1 of the seven. A data file (CSV, TSV or JSON Lines) is read with type
// inference (data_file.h) and stored as a workspace table in one transaction. `strata collect`
// and the server's dataset upload (POST /v1/datasets) both import through here.
//
//   strata::CollectOptions options;
//   options.write.mode = strata::WriteMode::kReplace;
//   STRATA_ASSIGN_OR_RETURN(strata::CollectResult r,
//                           strata::CollectFile(*workspace, "churn.csv", "churn", options));
//   std::cout << r.table.num_rows() << " rows in " << r.seconds << " s\n";
#pragma once

#include <string>
#include <string_view>

#include "strata/data_file.h"
#include "strata/status.h"
#include "strata/table.h"
#include "strata/workspace.h"

namespace strata {

struct CollectOptions {
  DataFileOptions read;     // format (kAuto: from the extension), CSV options, read progress
  // Mode and import progress. An empty source records the file's absolute path; an empty
  // format records the format that was read ("csv", "jsonl", "tsv").
  WriteTableOptions write;
};

struct CollectResult {
  Table table;            // the rows stored, with their inferred types
  DataFileReport report;  // what the reader decided (format, bytes, widened columns, ...)
  double seconds = 0;     // reading and storing
};

// Reads `path` and stores it as table `table` in one transaction. The reader's errors
// (file:line:column) and WriteTable's (AlreadyExists for an existing table with kCreate, a
// reserved name) come back unchanged; on any error the workspace is left as it was.
Result<CollectResult> CollectFile(Workspace& workspace, const std::string& path,
                                  std::string_view table, const CollectOptions& options = {});

}  // namespace strata
