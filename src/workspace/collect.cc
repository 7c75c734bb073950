#include "strata/collect.h"

#include <chrono>
#include <filesystem>

namespace strata {

Result<CollectResult> CollectFile(Workspace& workspace, const std::string& path,
                                  std::string_view table, const CollectOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  CollectResult result;
  STRATA_ASSIGN_OR_RETURN(result.table, ReadDataFile(path, options.read, &result.report));
  WriteTableOptions write = options.write;
  if (write.source.empty()) {
    write.source = path == "-" ? "<stdin>" : std::filesystem::absolute(path).string();
  }
  if (write.format.empty()) write.format = std::string(FileFormatName(result.report.format));
  STRATA_RETURN_IF_ERROR(workspace.WriteTable(table, result.table, write));
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace strata
