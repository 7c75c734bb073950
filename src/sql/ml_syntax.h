// Parsing BigQuery ML's statements and table-function calls out of a statement's tokens.
// Errors are InvalidArgument with the message prefixed "@OFFSET: " (the byte offset in the
// statement), which the engine turns into LINE:COLUMN and a caret.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/sql_lexer.h"
#include "strata/status.h"

namespace strata::sql {

// "@OFFSET: message".
Status SyntaxError(size_t offset, std::string_view message);

// NAME(name = value, ...): OPTIONS(...) and FROM FILES(...). Names are lower-cased.
struct OptionList {
  nlohmann::json values = nlohmann::json::object();
  size_t offset = 0;                      // where the list's keyword is
  std::map<std::string, size_t> offsets;  // where each option's name is written
  bool present = false;

  // Where the option an error message names ('name') is written, else the list's keyword.
  size_t OffsetFor(const std::string& message) const;
};

// CREATE [OR REPLACE] MODEL [IF NOT EXISTS] name [TRANSFORM(...)] [OPTIONS(...)] [AS query]
// (no AS query: an import, OPTIONS(model_path = ...))
struct CreateModel {
  std::string name;
  size_t name_offset = 0;
  bool or_replace = false;
  bool if_not_exists = false;
  nlohmann::json transform;   // FeatureTransform's spec (strata/transform.h); null: none
  size_t transform_offset = 0;
  OptionList options;
  size_t query_offset = 0;  // the query is the statement's text from here; 0: none
};

// LOAD DATA {INTO | OVERWRITE} table FROM FILES(format = ..., uris = [...], ...)
struct LoadData {
  std::string table;
  size_t table_offset = 0;
  bool overwrite = false;
  OptionList files;
};

// EXPORT DATA OPTIONS(uri = ..., format = ..., overwrite = ...) AS query
struct ExportData {
  OptionList options;
  size_t query_offset = 0;
};

// EXPORT MODEL name OPTIONS(uri = ...)
struct ExportModel {
  std::string name;
  size_t name_offset = 0;
  OptionList options;
};

// DROP MODEL [IF EXISTS] name
struct DropModel {
  std::string name;
  size_t name_offset = 0;
  bool if_exists = false;
};

// ML.FUNCTION(MODEL name [, TABLE t | (query)] [, STRUCT(value AS name, ...)])
struct MlCall {
  std::string function;  // upper case, without "ML.": PREDICT, EVALUATE, ...
  size_t begin = 0;      // offsets of "ML" and one past the closing ')'
  size_t end = 0;
  std::string model;
  size_t model_offset = 0;
  bool has_input = false;
  std::string input_table;     // TABLE name
  size_t input_offset = 0;     // where TABLE or '(' is
  size_t query_begin = 0;      // (query): the text between the parentheses
  size_t query_end = 0;
  nlohmann::json settings = nlohmann::json::object();  // STRUCT fields by lower-case name
};

// Whether the statement starts CREATE [OR REPLACE] MODEL / DROP MODEL.
bool IsCreateModel(const std::vector<Token>& tokens);
bool IsDropModel(const std::vector<Token>& tokens);
bool IsLoadData(const std::vector<Token>& tokens);
bool IsExportData(const std::vector<Token>& tokens);
bool IsExportModel(const std::vector<Token>& tokens);

Result<CreateModel> ParseCreateModel(const std::vector<Token>& tokens);
Result<DropModel> ParseDropModel(const std::vector<Token>& tokens);
Result<LoadData> ParseLoadData(const std::vector<Token>& tokens);
Result<ExportData> ParseExportData(const std::vector<Token>& tokens);
Result<ExportModel> ParseExportModel(const std::vector<Token>& tokens);

// Every top-level ML.* call in `tokens` (calls inside a call's query are left for the
// caller, who rewrites that query on its own), in order.
Result<std::vector<MlCall>> FindMlCalls(const std::vector<Token>& tokens);

}  // namespace strata::sql
