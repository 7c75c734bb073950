// One entry point for reading and writing data files of any supported format, chosen by
// option or by file extension (.csv, .txt -> CSV; .tsv, .tab -> CSV with tabs; .jsonl,
// .ndjson, .json -> JSON Lines; anything else -> CSV). Every face (CLI, SQL LOAD DATA,
// server uploads) reads files through here.
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

// kTsv is CSV with a tab delimiter: reading defaults CsvReadOptions::delimiter to tab
// (unless set), writing uses tabs.
enum class FileFormat { kAuto, kCsv, kJsonLines, kTsv };

// Parses "auto", "csv", "tsv", "json", "jsonl", "ndjson" (case-insensitive); nullopt else.
std::optional<FileFormat> ParseFileFormat(std::string_view name);
// "auto", "csv", "jsonl" or "tsv".
std::string_view FileFormatName(FileFormat format);

// The format a path's extension implies (case-insensitive); kCsv when unknown. Never kAuto.
FileFormat FormatFromPath(std::string_view path);

// The format of data whose first bytes are `head`, for input without a file name (an upload):
// kJsonLines when the first character after a UTF-8 byte order mark and white space is '{',
// else kCsv (whose reader sniffs the delimiter, tab included).
FileFormat SniffFileFormat(std::string_view head);

struct DataFileOptions {
  FileFormat format = FileFormat::kAuto;
  CsvReadOptions csv;    // used for CSV/TSV (a .tsv file defaults the delimiter to tab)
  JsonReadOptions json;  // used for JSON Lines
};

// What the reader did; csv is filled for CSV/TSV input only.
struct DataFileReport {
  FileFormat format = FileFormat::kCsv;  // the format used (never kAuto)
  CsvReadReport csv;
  int64_t bytes = 0;  // bytes of input
  int64_t rows = 0;
  int columns = 0;
};

// Reads a data file ("-": standard input, CSV unless options say otherwise) into a table,
// with the format from options or the extension. NotFound for a missing file (naming it),
// InvalidArgument for a directory or a compressed file, IoError when it cannot be read.
Result<Table> ReadDataFile(const std::string& path, const DataFileOptions& options = {},
                           DataFileReport* report = nullptr);

// The content hash of a data file: "xxh3:" + XXH3-64 of its bytes in hex. Model lineage
// records it when a model is trained straight from a file (workspace tables have their own
// fingerprint in the catalog). NotFound / IoError as ReadDataFile; "-" has no fingerprint.
Result<std::string> FileFingerprint(const std::string& path);

// Writes a table to a file ("-": standard output) in the given format (kAuto: from the
// extension), via a temporary file and a rename, so a failure leaves no partial file.
Status WriteDataFile(const Table& table, const std::string& path,
                     FileFormat format = FileFormat::kAuto);

}  // namespace strata
