// One entry point for reading and writing data files of any supported format, chosen by
// option or by file extension (.csv, .tsv, .tab, .txt -> CSV; .jsonl, .ndjson, .json ->
// JSON Lines). Every face (CLI, SQL LOAD DATA, server uploads) reads files through here.
//
//   strata::DataFileOptions options;  // format detected from the extension
//   STRATA_ASSIGN_OR_RETURN(strata::Table t, strata::ReadDataFile("churn.csv", options));
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "strata/csv.h"
#include "strata/json_lines.h"
#include "strata/status.h"
#include "strata/table.h"

namespace strata {

enum class FileFormat { kAuto, kCsv, kJsonLines };

// Parses "auto", "csv", "tsv" (CSV with tab), "json", "jsonl", "ndjson" (case-insensitive).
std::optional<FileFormat> ParseFileFormat(std::string_view name);
std::string_view FileFormatName(FileFormat format);

// The format a path's extension implies; CSV when unknown.
FileFormat FormatFromPath(std::string_view path);

struct DataFileOptions {
  FileFormat format = FileFormat::kAuto;
  CsvReadOptions csv;    // used for CSV/TSV (a .tsv file defaults the delimiter to tab)
  JsonReadOptions json;  // used for JSON Lines
};

// What the reader did; csv is filled for CSV input only.
struct DataFileReport {
  FileFormat format = FileFormat::kCsv;
  CsvReadReport csv;
  int64_t bytes = 0;
};

// Reads a data file into a table, with the format from options or the extension.
Result<Table> ReadDataFile(const std::string& path, const DataFileOptions& options = {},
                           DataFileReport* report = nullptr);

// Writes a table to a file in the given format (kAuto: from the extension).
Status WriteDataFile(const Table& table, const std::string& path,
                     FileFormat format = FileFormat::kAuto);

}  // namespace strata
