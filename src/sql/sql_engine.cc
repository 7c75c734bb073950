// The SQL engine (include/strata/sql.h). A script is split into statements; CREATE MODEL and
// DROP MODEL are Strata's own; every other statement is SQLite's, after each ML.* table
// function in it is replaced by a temporary virtual table (module "strata_ml") whose rows the
// function produces. So ML.PREDICT(...) can stand wherever a table can: joins, CTEs,
// subqueries, CREATE TABLE ... AS SELECT.
#include "strata/sql.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sqlite3.h>

#include <glob.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "common/text.h"
#include "sql/ml_functions.h"
#include "sql/ml_syntax.h"
#include "sql/sql_lexer.h"
#include "strata/automl.h"
#include "strata/bundle.h"
#include "strata/data_file.h"
#include "strata/model_store.h"
#include "strata/suggest.h"
#include "strata/trainer.h"
#include "strata/tune.h"
#include "workspace/fingerprint.h"
#include "workspace/sqlite_db.h"
#include "workspace/table_reader.h"
#include "workspace/value_codec.h"

namespace strata {

struct SqlEngine::Impl {
  explicit Impl(Workspace& ws) : workspace(ws) {}
  Workspace& workspace;
  int next_id = 0;
  std::map<int, std::unique_ptr<sql::MlFunction>> functions;  // started calls, by id
  Status callback_error;  // the Status behind a failed virtual-table callback
};

namespace {

using sql::Token;
using sql::TokenKind;

// ---- the strata_ml virtual table ----

struct MlVtab {
  sqlite3_vtab base;  // first: SQLite casts between the two
  sql::MlFunction* function = nullptr;
  SqlEngine::Impl* impl = nullptr;
};

struct MlCursor {
  sqlite3_vtab_cursor base;
  sql::MlFunction::Batch batch = std::make_shared<const Table>();
  int64_t row = 0;
  int64_t rowid = 0;
  bool eof = true;
};

int Fail(MlVtab* vtab, const Status& status) {
  vtab->impl->callback_error = status;
  sqlite3_free(vtab->base.zErrMsg);
  vtab->base.zErrMsg = sqlite3_mprintf("%s", status.message().c_str());
  return SQLITE_ERROR;
}

int MlConnect(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** out,
              char** error) {
  auto* impl = static_cast<SqlEngine::Impl*>(aux);
  const int id = argc > 3 ? std::atoi(argv[3]) : -1;
  auto it = impl->functions.find(id);
  if (it == impl->functions.end()) {
    *error = sqlite3_mprintf("strata_ml tables are made by Strata's SQL engine only");
    return SQLITE_ERROR;
  }
  std::string declaration = "CREATE TABLE x(";
  const auto& columns = it->second->columns();
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) declaration += ", ";
    declaration += QuoteIdentifier(columns[i]);
  }
  declaration += ")";
  int rc = sqlite3_declare_vtab(db, declaration.c_str());
  if (rc != SQLITE_OK) return rc;
  auto* vtab = new MlVtab();
  vtab->function = it->second.get();
  vtab->impl = impl;
  *out = &vtab->base;
  return SQLITE_OK;
}

int MlBestIndex(sqlite3_vtab*, sqlite3_index_info* info) {
  // A full scan that computes every row: costly, so that in a join with a table SQLite
  // scans the function once, as the outer loop.
  info->estimatedCost = 1e9;
  info->estimatedRows = 1'000'000;
  return SQLITE_OK;
}

int MlDisconnect(sqlite3_vtab* vtab) {
  delete reinterpret_cast<MlVtab*>(vtab);
  return SQLITE_OK;
}

int MlOpen(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  *out = &(new MlCursor())->base;
  return SQLITE_OK;
}

int MlClose(sqlite3_vtab_cursor* cursor) {
  delete reinterpret_cast<MlCursor*>(cursor);
  return SQLITE_OK;
}

int Load(MlCursor* c, Result<sql::MlFunction::Batch> batch) {
  auto* vtab = reinterpret_cast<MlVtab*>(c->base.pVtab);
  if (!batch.ok()) return Fail(vtab, batch.status());
  c->batch = std::move(*batch);
  c->row = 0;
  c->eof = c->batch->num_rows() == 0;
  return SQLITE_OK;
}

int MlFilter(sqlite3_vtab_cursor* cursor, int, const char*, int, sqlite3_value**) {
  auto* c = reinterpret_cast<MlCursor*>(cursor);
  c->rowid = 0;
  return Load(c, reinterpret_cast<MlVtab*>(cursor->pVtab)->function->First());
}

int MlNext(sqlite3_vtab_cursor* cursor) {
  auto* c = reinterpret_cast<MlCursor*>(cursor);
  ++c->rowid;
  if (++c->row < c->batch->num_rows()) return SQLITE_OK;
  return Load(c, reinterpret_cast<MlVtab*>(cursor->pVtab)->function->Next());
}

int MlEof(sqlite3_vtab_cursor* cursor) { return reinterpret_cast<MlCursor*>(cursor)->eof ? 1 : 0; }

int MlColumn(sqlite3_vtab_cursor* cursor, sqlite3_context* ctx, int i) {
  auto* c = reinterpret_cast<MlCursor*>(cursor);
  if (i < 0 || i >= c->batch->num_columns()) {
    sqlite3_result_null(ctx);
    return SQLITE_OK;
  }
  const Column& col = c->batch->column(i);
  const int64_t r = c->row;
  if (col.IsNull(r)) {
    sqlite3_result_null(ctx);
    return SQLITE_OK;
  }
  switch (col.type()) {
    case DataType::kInt64: sqlite3_result_int64(ctx, col.GetInt64(r)); break;
    case DataType::kBool: sqlite3_result_int(ctx, col.GetBool(r) ? 1 : 0); break;
    case DataType::kFloat64: {
      const double v = col.GetFloat64(r);
      if (std::isnan(v)) {
        sqlite3_result_null(ctx);
      } else {
        sqlite3_result_double(ctx, v);
      }
      break;
    }
    case DataType::kString: {
      std::string_view s = col.GetString(r);
      sqlite3_result_text(ctx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      break;
    }
    default: {
      std::string s = col.FormatValue(r);
      sqlite3_result_text(ctx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      break;
    }
  }
  return SQLITE_OK;
}

int MlRowid(sqlite3_vtab_cursor* cursor, sqlite3_int64* out) {
  *out = reinterpret_cast<MlCursor*>(cursor)->rowid;
  return SQLITE_OK;
}

const sqlite3_module kMlModule = {
    /*iVersion=*/0, MlConnect, MlConnect, MlBestIndex, MlDisconnect, MlDisconnect, MlOpen,
    MlClose, MlFilter, MlNext, MlEof, MlColumn, MlRowid,
    /*xUpdate=*/nullptr, /*xBegin=*/nullptr, /*xSync=*/nullptr, /*xCommit=*/nullptr,
    /*xRollback=*/nullptr, /*xFindFunction=*/nullptr, /*xRename=*/nullptr,
    /*xSavepoint=*/nullptr, /*xRelease=*/nullptr, /*xRollbackTo=*/nullptr,
    /*xShadowName=*/nullptr};

// ---- errors with positions ----

// Parses the "@OFFSET: " prefix the parser puts on positioned errors.
bool SplitPositioned(const Status& s, size_t* offset, std::string* message) {
  const std::string& m = s.message();
  if (m.empty() || m[0] != '@') return false;
  size_t colon = m.find(": ");
  if (colon == std::string::npos) return false;
  *offset = std::strtoull(m.c_str() + 1, nullptr, 10);
  *message = m.substr(colon + 2);
  return true;
}

// `s` positioned at `offset` of the statement.
Status At(size_t offset, const Status& s) {
  return Status(s.code(), fmt::format("@{}: {}", offset, s.message()));
}

// Moves a positioned error by `delta` bytes (from a sub-text to its statement).
Status Shift(const Status& s, size_t delta) {
  size_t offset = 0;
  std::string message;
  if (!SplitPositioned(s, &offset, &message)) return s;
  return Status(s.code(), fmt::format("@{}: {}", offset + delta, message));
}

// Statement text with BigQuery's `#` comments blanked (SQLite does not know them); offsets
// are unchanged.
std::string BlankHashComments(std::string_view text, const std::vector<sql::CommentSpan>& comments) {
  std::string out(text);
  for (const auto& c : comments) {
    if (c.hash) std::memset(out.data() + c.offset, ' ', c.length);
  }
  return out;
}

// Protects Strata's catalog from plain SQL: reading strata_* tables is fine, changing them is
// not (models change through CREATE/DROP MODEL).
int GuardCatalog(void*, int action, const char* a, const char* b, const char*, const char*) {
  const char* table = nullptr;
  switch (action) {
    case SQLITE_INSERT: case SQLITE_UPDATE: case SQLITE_DELETE: case SQLITE_DROP_TABLE:
    case SQLITE_CREATE_TABLE: case SQLITE_CREATE_INDEX: case SQLITE_DROP_INDEX:
    case SQLITE_CREATE_TRIGGER: case SQLITE_DROP_TRIGGER:
      table = action == SQLITE_INSERT || action == SQLITE_UPDATE || action == SQLITE_DELETE ||
                      action == SQLITE_DROP_TABLE || action == SQLITE_CREATE_TABLE
                  ? a
                  : b;
      break;
    case SQLITE_ALTER_TABLE: table = b; break;
    default: return SQLITE_OK;
  }
  if (table != nullptr && sqlite3_strnicmp(table, "strata_", 7) == 0) return SQLITE_DENY;
  return SQLITE_OK;
}

std::string Trimmed(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// The content fingerprint of a query's rows, as the catalog computes it for tables.
std::string Fingerprint(const Table& t) {
  TableFingerprint fp(t.schema());
  CellBuffer buffer;
  SqlValue value;
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    for (const Column& c : t.columns()) {
      if (!EncodeCell(c, r, &buffer, &value)) value = SqlValue{};
      fp.Add(value);
    }
  }
  return fp.HexDigest();
}

// Runs one statement; positioned errors are relative to `text`.
class StatementRunner {
 public:
  StatementRunner(SqlEngine::Impl& impl, const SqlOptions& options) : impl_(impl), options_(options) {}
  ~StatementRunner() {
    // The statement's virtual tables and functions go with it, whatever happened.
    for (int id : ids_) {
      (void)impl_.workspace.db().Exec(fmt::format("DROP TABLE IF EXISTS temp.\"strata_ml_{}\"", id));
      impl_.functions.erase(id);
    }
  }

  Result<SqlResult> Run(std::string_view text) {
    STRATA_ASSIGN_OR_RETURN(std::vector<Token> tokens, sql::Tokenize(text));
    if (sql::IsCreateModel(tokens)) return CreateModel(text, tokens);
    if (sql::IsDropModel(tokens)) return DropModel(tokens);
    if (sql::IsLoadData(tokens)) return LoadData(tokens);
    if (sql::IsExportData(tokens)) return ExportData(text, tokens);
    if (sql::IsExportModel(tokens)) return ExportModel(tokens);
    return Query(text);
  }

 private:
  // Replaces each ML.* call in `text` (at `delta` in the statement) with its virtual table.
  Result<std::string> Rewrite(std::string_view text, size_t delta) {
    std::vector<sql::CommentSpan> comments;
    auto tokens = sql::Tokenize(text, &comments);
    if (!tokens.ok()) return Shift(tokens.status(), delta);
    auto calls = sql::FindMlCalls(*tokens);
    if (!calls.ok()) return Shift(calls.status(), delta);
    std::string out = BlankHashComments(text, comments);
    for (auto it = calls->rbegin(); it != calls->rend(); ++it) {
      const sql::MlCall& call = *it;
      std::string input;
      if (!call.input_table.empty()) {
        input = "SELECT * FROM " + QuoteIdentifier(call.input_table);
      } else if (call.has_input) {
        STRATA_ASSIGN_OR_RETURN(input, Rewrite(text.substr(call.query_begin, call.query_end - call.query_begin),
                                               delta + call.query_begin));
      }
      auto function = sql::StartMlFunction(impl_.workspace, call, input);
      if (!function.ok()) {
        size_t offset = 0;
        std::string message;
        if (SplitPositioned(function.status(), &offset, &message)) return Shift(function.status(), delta);
        // Unknown model or data errors: point at the model name.
        return At(delta + call.model_offset, function.status());
      }
      const int id = impl_.next_id++;
      impl_.functions[id] = std::move(*function);
      ids_.push_back(id);
      call_offsets_.push_back(delta + call.begin);
      STRATA_RETURN_IF_ERROR(impl_.workspace.db().Exec(
          fmt::format("CREATE VIRTUAL TABLE temp.\"strata_ml_{0}\" USING strata_ml({0})", id)));
      out.replace(call.begin, call.end - call.begin, fmt::format("temp.\"strata_ml_{}\"", id));
    }
    return ExpandStarExcept(std::move(out), delta);
  }

  // BigQuery's SELECT * EXCEPT (a, b), which SQLite lacks: the star becomes the list of the
  // query's columns but those, learnt by preparing the query with a plain star. Innermost
  // subqueries first, so every probe is plain SQLite.
  Result<std::string> ExpandStarExcept(std::string sql, size_t delta) {
    while (true) {
      STRATA_ASSIGN_OR_RETURN(std::vector<Token> t, sql::Tokenize(sql));
      int depth = 0, best_depth = -1;
      size_t best = 0;
      for (size_t i = 0; i + 2 < t.size(); ++i) {
        if (t[i].Is("(")) ++depth;
        if (t[i].Is(")")) --depth;
        const bool after_select = i > 0 && (t[i - 1].IsKeyword("SELECT") || t[i - 1].IsKeyword("DISTINCT") ||
                                            t[i - 1].IsKeyword("ALL"));
        if (t[i].Is("*") && after_select && t[i + 1].IsKeyword("EXCEPT") && t[i + 2].Is("(") && depth > best_depth) {
          best = i;
          best_depth = depth;
        }
      }
      if (best_depth < 0) return sql;
      // The excepted names.
      std::vector<std::string> except;
      size_t close = best + 3;
      for (; close < t.size() && !t[close].Is(")"); ++close) {
        if (t[close].kind == TokenKind::kIdentifier || t[close].kind == TokenKind::kQuotedName ||
            t[close].kind == TokenKind::kDoubleQuoted) {
          except.push_back(t[close].text);
        } else if (!t[close].Is(",")) {
          return sql::SyntaxError(delta + t[close].offset, "EXCEPT takes column names: SELECT * EXCEPT (a, b)");
        }
      }
      if (close >= t.size() || except.empty()) {
        return sql::SyntaxError(delta + t[best].offset, "EXCEPT takes column names: SELECT * EXCEPT (a, b)");
      }
      // The query the star belongs to: from its SELECT to the end of the enclosing parentheses.
      size_t select = best - 1;
      while (select > 0 && !t[select].IsKeyword("SELECT")) --select;
      size_t begin = 0, end = sql.size();
      if (best_depth > 0) {
        begin = t[select].offset;
        int d = 0;
        for (size_t i = select; i < t.size(); ++i) {
          if (t[i].Is("(")) ++d;
          if (t[i].Is(")") && --d < 0) {
            end = t[i].offset;
            break;
          }
        }
      }
      const size_t star = t[best].offset, after = t[close].offset + 1;
      std::string probe = sql.substr(begin, star - begin) + "*" + sql.substr(after, end - after);
      auto statement = impl_.workspace.db().Prepare(probe);
      if (!statement.ok()) {
        return Status(statement.status().code(),
                      fmt::format("@{}: cannot expand * EXCEPT: {}", delta + star, statement.status().message()));
      }
      std::vector<std::string> columns, kept;
      for (int c = 0; c < statement->column_count(); ++c) columns.emplace_back(statement->column_name(c));
      for (const std::string& e : except) {
        bool found = false;
        for (const std::string& c : columns) found = found || sqlite3_stricmp(c.c_str(), e.c_str()) == 0;
        if (!found) {
          return sql::SyntaxError(delta + star, fmt::format("EXCEPT names '{}', which the query does not have.{}", e,
                                                            DidYouMean(e, columns)));
        }
      }
      for (const std::string& c : columns) {
        bool excepted = false;
        for (const std::string& e : except) excepted = excepted || sqlite3_stricmp(c.c_str(), e.c_str()) == 0;
        if (!excepted) kept.push_back(QuoteIdentifier(c));
      }
      if (kept.empty()) return sql::SyntaxError(delta + star, "EXCEPT leaves no column");
      sql.replace(star, after - star, fmt::format("{}", fmt::join(kept, ", ")));
    }
  }

  // Prepares user SQL with the catalog guard on; SQLite's error offset becomes ours.
  Result<QueryReader> Prepare(const std::string& sql_text, size_t first_rewrite) {
    sqlite3* db = impl_.workspace.db().raw();
    sqlite3_set_authorizer(db, GuardCatalog, nullptr);
    auto reader = QueryReader::Start(impl_.workspace.db(), sql_text);
    const int offset = reader.ok() ? -1 : sqlite3_error_offset(db);
    sqlite3_set_authorizer(db, nullptr, nullptr);
    if (reader.ok()) return reader;
    std::string message = reader.status().message();
    // SqliteDb names the SQL it prepared; here the caret shows it.
    if (message.rfind("preparing `", 0) == 0) {
      size_t end = message.find("`: ");
      if (end != std::string::npos) message = message.substr(end + 3);
    }
    if (message.find("not authorized") != std::string::npos) {
      message = "Strata's own tables (strata_*) change only through Strata (CREATE MODEL, "
                "DROP MODEL, strata commands); reading them is fine";
    }
    // Offsets past a rewritten call no longer match the user's text.
    size_t at = offset >= 0 && static_cast<size_t>(offset) < first_rewrite ? static_cast<size_t>(offset) : 0;
    return Status(reader.status().code(), fmt::format("@{}: {}", at, message));
  }

  // A query's text (at `delta` in the statement) rewritten, prepared with the catalog guard
  // and read whole; errors are positioned in the statement. With `not_a_query` set, a
  // statement that gives no columns is that error and is not run.
  struct QueryRows {
    std::vector<std::string> names;
    Table rows;
  };
  Result<QueryRows> ReadQuery(std::string_view text, size_t delta, std::string_view not_a_query = {}) {
    STRATA_ASSIGN_OR_RETURN(std::string rewritten, Rewrite(text, delta));
    // SQLite's error offsets hold up to the first change the rewrite made (blanked comments
    // keep the length, and every offset).
    size_t first = text.size();
    if (rewritten.size() != text.size()) {
      first = 0;
      while (first < text.size() && text[first] == rewritten[first]) ++first;
    }
    auto reader = Prepare(rewritten, first);
    if (!reader.ok()) return Shift(reader.status(), delta);
    if (!not_a_query.empty() && reader->names().empty()) return sql::SyntaxError(delta, not_a_query);
    impl_.callback_error = Status::Ok();
    auto rows = reader->Next(0);
    if (!rows.ok()) return impl_.callback_error.ok() ? rows.status() : CallbackError();
    return QueryRows{reader->names(), std::move(*rows)};
  }

  Result<SqlResult> Query(std::string_view text) {
    sqlite3* db = impl_.workspace.db().raw();
    const int64_t changes_before = sqlite3_total_changes64(db);
    STRATA_ASSIGN_OR_RETURN(QueryRows read, ReadQuery(text, 0));
    SqlResult result;
    result.has_rows = !read.names.empty();
    if (result.has_rows) {
      result.rows = std::move(read.rows);
    } else {
      const int64_t changed = sqlite3_total_changes64(db) - changes_before;
      result.message = changed > 0 ? fmt::format("{} row{} changed", changed, changed == 1 ? "" : "s") : "OK";
    }
    return result;
  }

  Result<SqlResult> CreateModel(std::string_view text, const std::vector<Token>& tokens) {
    STRATA_ASSIGN_OR_RETURN(sql::CreateModel cm, sql::ParseCreateModel(tokens));
    ModelStore store(impl_.workspace);
    SqlResult result;
    if (store.Has(cm.name)) {
      if (cm.if_not_exists) {
        result.message = fmt::format("Model {} already exists; nothing done (IF NOT EXISTS)", cm.name);
        return result;
      }
      if (!cm.or_replace) {
        return Status(StatusCode::kAlreadyExists,
                      fmt::format("@{}: model {} already exists; use CREATE OR REPLACE MODEL to "
                                  "replace it, or DROP MODEL {} first",
                                  cm.name_offset, cm.name, cm.name));
      }
    }
    if (cm.query_offset == 0) return ImportModel(cm);
    if (IsAutoMl(cm)) return CreateAutoMlModel(text, cm);
    // NUM_TRIALS turns CREATE MODEL into hyperparameter tuning; HPARAM_* needs it.
    const bool tuning = WantsTuning(cm.options.values);
    for (const auto& [name, value] : cm.options.values.items()) {
      if (!tuning && IsHparam(value)) {
        return sql::SyntaxError(cm.options.offsets.at(name),
                                fmt::format("{}: {} needs hyperparameter tuning; add num_trials = 10 (or "
                                            "another count) to OPTIONS",
                                            name, value.contains("hparam_range") ? "HPARAM_RANGE"
                                                                                 : "HPARAM_CANDIDATES"));
      }
    }
    TuneSpec tune;
    if (tuning) {
      auto parsed = TuneSpecFromOptions(cm.options.values);
      if (!parsed.ok()) return At(cm.options.OffsetFor(parsed.status().message()), parsed.status());
      tune = std::move(*parsed);
    }
    auto spec = TrainSpecFromOptions(tuning ? WithoutHparams(tune.options) : cm.options.values);
    if (!spec.ok()) {
      return Status(spec.status().code(), fmt::format("@{}: {}", cm.options.OffsetFor(spec.status().message()),
                                                      spec.status().message()));
    }
    const std::string query(text.substr(cm.query_offset));
    if (!cm.transform.is_null()) {
      spec->transform = nlohmann::json::array();
      for (nlohmann::json item : cm.transform) {
        item.erase("offset");
        spec->transform.push_back(std::move(item));
      }
    }
    STRATA_ASSIGN_OR_RETURN(
        QueryRows read,
        ReadQuery(query, cm.query_offset, "the AS part must be a query (SELECT ...) giving the training rows"));
    Table* data = &read.rows;
    spec->source = Trimmed(query);
    TrainOptions train;
    train.threads = options_.threads;
    train.progress = options_.progress;
    train.cancel = options_.cancel;
    train.data_fingerprint = Fingerprint(*data);
    const int64_t rows = data->num_rows();
    if (tuning) return TuneModel(cm, *spec, std::move(tune), *data, train);
    auto bundle = Train(*spec, std::move(*data), train);
    if (!bundle.ok()) return TrainingError(cm, bundle.status());
    STRATA_ASSIGN_OR_RETURN(int version, store.Save(cm.name, *bundle, /*replace=*/cm.or_replace));
    result.message = fmt::format("Created model {} ({}, version {}) on {} rows in {:.2f} s", cm.name,
                                 bundle->model_type, version, rows,
                                 bundle->lineage.value("training_seconds", 0.0));
    return result;
  }

  static bool IsAutoMl(const sql::CreateModel& cm) {
    const auto& type = cm.options.values.value("model_type", nlohmann::json());
    return type.is_string() && AsciiUpper(type.get<std::string>()).starts_with("AUTOML_");
  }

  // CREATE MODEL ... OPTIONS(model_type = 'AUTOML_CLASSIFIER' | 'AUTOML_REGRESSOR',
  // budget_hours = ..., optimization_objective = ...) AS query: AutoML (strata/automl.h).
  Result<SqlResult> CreateAutoMlModel(std::string_view text, const sql::CreateModel& cm) {
    auto spec = AutoMlSpecFromOptions(cm.options.values);
    if (!spec.ok()) return At(cm.options.OffsetFor(spec.status().message()), spec.status());
    if (!cm.transform.is_null()) {
      return sql::SyntaxError(cm.transform_offset, "TRANSFORM is not supported with AutoML models: AutoML "
                                                   "preprocesses the data itself");
    }
    const std::string query(text.substr(cm.query_offset));
    STRATA_ASSIGN_OR_RETURN(
        QueryRows read,
        ReadQuery(query, cm.query_offset, "the AS part must be a query (SELECT ...) giving the training rows"));
    spec->source = Trimmed(query);
    AutoMlOptions automl;
    automl.threads = options_.threads;
    automl.cancel = options_.cancel;
    if (options_.on_automl) {
      automl.on_progress = options_.on_automl;
    } else if (options_.progress) {
      // Progress in seconds of the budget.
      automl.on_progress = [progress = options_.progress](const AutoMlEvent& e) {
        progress(Progress{"automl", static_cast<int64_t>(e.elapsed_seconds), static_cast<int64_t>(e.budget_seconds)});
      };
    }
    auto run = RunAutoMl(*spec, read.rows, automl);
    if (!run.ok()) return TrainingError(cm, run.status());
    run->bundle.lineage["data_fingerprint"] = Fingerprint(read.rows);
    ModelStore store(impl_.workspace);
    STRATA_ASSIGN_OR_RETURN(int version, store.Save(cm.name, run->bundle, /*replace=*/cm.or_replace));
    SqlResult result;
    size_t finished = 0;
    for (const LeaderboardEntry& e : run->leaderboard) finished += e.status == "ok" ? 1 : 0;
    result.message = fmt::format("Created model {} ({}, version {}) on {} rows in {:.1f} s: {} {:.4f}, {} "
                                 "configurations tried{}",
                                 cm.name, run->bundle.model_type, version, read.rows.num_rows(), run->seconds,
                                 run->metric, run->ensemble_score, finished,
                                 run->cancelled ? " (stopped early)" : "");
    return result;
  }

  // A training or tuning error, positioned: option and label problems belong to OPTIONS,
  // TRANSFORM problems to their item, the rest to the query.
  static Status TrainingError(const sql::CreateModel& cm, const Status& status) {
    size_t at = status.code() == StatusCode::kInvalidArgument && cm.options.present
                    ? cm.options.OffsetFor(status.message())
                    : cm.query_offset;
    if (status.message().rfind("TRANSFORM", 0) == 0) at = TransformOffset(cm, status.message());
    return At(at, status);
  }

  // CREATE MODEL ... OPTIONS(num_trials = N, ...): tunes through the one tuner and stores the
  // optimal trial as the model version, with every trial (ML.TRIAL_INFO).
  Result<SqlResult> TuneModel(const sql::CreateModel& cm, const TrainSpec& spec, TuneSpec tune,
                              const Table& data, const TrainOptions& train) {
    tune.source = spec.source;
    tune.transform = spec.transform;
    TuneOptions options;
    options.threads = train.threads;
    options.cancel = train.cancel;
    options.data_fingerprint = train.data_fingerprint;
    if (options_.on_trial) {
      options.progress = options_.on_trial;
    } else if (train.progress) {
      options.progress = [&train](const TuneProgress& p) {
        train.progress(Progress{"trials", p.done, p.total});
      };
    }
    auto result = Tune(tune, data, options);
    if (!result.ok()) return TrainingError(cm, result.status());
    STRATA_ASSIGN_OR_RETURN(int version,
                            SaveTunedModel(impl_.workspace, cm.name, *result, cm.or_replace));
    const TrialResult& best = result->trials[result->optimal_index];
    SqlResult out;
    out.message = fmt::format(
        "Created model {} ({}, version {}) on {} rows: {} trials, optimal trial {} ({} {:.4f} on "
        "evaluation data){}",
        cm.name, result->model.model_type, version, data.num_rows(), result->trials.size(),
        best.trial_id, result->objective.name, best.objective,
        result->cancelled ? "; stopped early" : "");
    return out;
  }

  // Where the TRANSFORM item an error names ("... AS name" or a column) is written.
  static size_t TransformOffset(const sql::CreateModel& cm, const std::string& message) {
    for (const auto& item : cm.transform) {
      const std::string output = item.contains("output") && item["output"].is_string() ? item["output"].get<std::string>() : "";
      if (!output.empty() && message.find("AS " + output + ":") != std::string::npos) return item["offset"];
      for (const auto& in : item.value("inputs", nlohmann::json::array())) {
        if (message.find("'" + in.get<std::string>() + "'") != std::string::npos) return item["offset"];
      }
      if (item.contains("function") && item["function"].is_string() &&
          message.find("ML." + item["function"].get<std::string>()) != std::string::npos) {
        return item["offset"];
      }
    }
    return cm.transform_offset;
  }

  // CREATE MODEL m OPTIONS(model_path = 'FILE' [, model_type = 'TYPE']): a model exported by
  // EXPORT MODEL (or `strata models export`) comes back.
  Result<SqlResult> ImportModel(const sql::CreateModel& cm) {
    const nlohmann::json& o = cm.options.values;
    for (const auto& [name, value] : o.items()) {
      if (name != "model_path" && name != "model_type" && name != "input_columns") {
        return sql::SyntaxError(cm.options.offsets.at(name),
                                fmt::format("importing a model takes only model_path, model_type and "
                                            "input_columns, not {}", name));
      }
    }
    if (!o["model_path"].is_string()) {
      return sql::SyntaxError(cm.options.offsets.at("model_path"), "model_path must be a file name");
    }
    const std::string path = o["model_path"].get<std::string>();
    std::string type;
    if (o.contains("model_type") && o["model_type"].is_string()) {
      type = o["model_type"].get<std::string>();
      type = AsciiUpper(type);
    }
    std::vector<std::string> input_columns;
    if (o.contains("input_columns")) {
      if (type != "XGBOOST") {
        return sql::SyntaxError(cm.options.offsets.at("input_columns"),
                                "input_columns names the features of an imported XGBoost model (model_type = 'XGBOOST')");
      }
      if (!o["input_columns"].is_array()) {
        return sql::SyntaxError(cm.options.offsets.at("input_columns"), "input_columns must be ['name', ...]");
      }
      for (const auto& v : o["input_columns"]) {
        if (!v.is_string()) return sql::SyntaxError(cm.options.offsets.at("input_columns"), "input_columns must be ['name', ...]");
        input_columns.push_back(v.get<std::string>());
      }
    }
    auto bundle = type == "XGBOOST" ? ImportXgboostModelFile(path, input_columns) : ReadBundleFile(path);
    if (!bundle.ok()) {
      return At(cm.options.offsets.at("model_path"), bundle.status());
    }
    if (!type.empty() && type != "XGBOOST" && type != bundle->model_type) {
      return sql::SyntaxError(cm.options.offsets.at("model_type"),
                              fmt::format("{} holds a {} model, not {}", path, bundle->model_type, type));
    }
    auto model = bundle->LoadModel();
    if (!model.ok()) {
      return Status(model.status().code(), fmt::format("@{}: {}: {}", cm.options.offsets.at("model_path"), path,
                                                       model.status().message()));
    }
    ModelStore store(impl_.workspace);
    STRATA_ASSIGN_OR_RETURN(int version, store.Save(cm.name, *bundle, /*replace=*/cm.or_replace));
    SqlResult result;
    result.message = fmt::format("Imported model {} ({}, version {}) from {}", cm.name, bundle->model_type,
                                 version, path);
    return result;
  }

  // Checks that `list` has only `allowed` options (naming the closest one otherwise).
  static Status OnlyOptions(const sql::OptionList& list, const std::vector<std::string>& allowed,
                            std::string_view what) {
    for (const auto& [name, at] : list.offsets) {
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        return sql::SyntaxError(at, fmt::format("{} takes no option {} (it takes {}).{}", what, name,
                                                fmt::join(allowed, ", "), DidYouMean(name, allowed)));
      }
    }
    return Status::Ok();
  }

  static Result<std::string> StringOption(const sql::OptionList& list, const std::string& name,
                                          std::string fallback, bool required) {
    auto it = list.values.find(name);
    if (it == list.values.end() || it->is_null()) {
      if (required) return sql::SyntaxError(list.offset, fmt::format("option {} is required", name));
      return fallback;
    }
    if (!it->is_string()) return sql::SyntaxError(list.offsets.at(name), fmt::format("{} must be a string", name));
    return it->get<std::string>();
  }

  static Result<FileFormat> FormatOption(const sql::OptionList& list, bool required) {
    STRATA_ASSIGN_OR_RETURN(std::string format, StringOption(list, "format", "CSV", required));
    format = AsciiUpper(format);
    if (format == "CSV") return FileFormat::kCsv;
    if (format == "JSON" || format == "NEWLINE_DELIMITED_JSON") return FileFormat::kJsonLines;
    return sql::SyntaxError(list.offsets.count("format") ? list.offsets.at("format") : list.offset,
                            fmt::format("format '{}' is not supported: use 'CSV' or 'JSON' (JSON Lines)", format));
  }

  // A delimiter option: one character; '\t' and 'tab' mean a tab (BigQuery's escapes).
  static Result<char> DelimiterOption(const sql::OptionList& list, char fallback) {
    STRATA_ASSIGN_OR_RETURN(std::string d, StringOption(list, "field_delimiter", std::string(1, fallback), false));
    if (d == "\\t" || d == "tab" || d == "\t") return '\t';
    if (d.size() != 1) {
      return sql::SyntaxError(list.offsets.at("field_delimiter"),
                              fmt::format("field_delimiter must be one character, not '{}'", d));
    }
    return d[0];
  }

  Result<SqlResult> LoadData(const std::vector<Token>& tokens) {
    STRATA_ASSIGN_OR_RETURN(sql::LoadData ld, sql::ParseLoadData(tokens));
    const sql::OptionList& f = ld.files;
    STRATA_RETURN_IF_ERROR(OnlyOptions(f, {"format", "uris", "skip_leading_rows", "field_delimiter",
                                           "null_marker", "allow_jagged_rows"},
                                       "FILES"));
    DataFileOptions read;
    STRATA_ASSIGN_OR_RETURN(read.format, FormatOption(f, /*required=*/true));
    if (f.values.contains("field_delimiter")) {
      STRATA_ASSIGN_OR_RETURN(char d, DelimiterOption(f, ','));
      read.csv.delimiter = d;
    }
    if (auto it = f.values.find("skip_leading_rows"); it != f.values.end()) {
      if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 1) {
        return sql::SyntaxError(f.offsets.at("skip_leading_rows"),
                                "skip_leading_rows must be 0 (no header row) or 1 (a header row)");
      }
      read.csv.header = it->get<int64_t>() == 1 ? HeaderMode::kYes : HeaderMode::kNo;
    }
    if (auto it = f.values.find("null_marker"); it != f.values.end() && it->is_string()) {
      read.csv.null_tokens = {it->get<std::string>()};
    }
    if (auto it = f.values.find("allow_jagged_rows"); it != f.values.end() && it->is_boolean() && it->get<bool>()) {
      read.csv.on_bad_row = BadRowPolicy::kPad;
    }
    read.csv.threads = options_.threads;
    std::vector<std::string> uris;
    auto u = f.values.find("uris");
    if (u == f.values.end()) return sql::SyntaxError(f.offset, "FILES needs uris = ['path', ...]");
    if (u->is_string()) {
      uris.push_back(u->get<std::string>());
    } else if (u->is_array()) {
      for (const auto& v : *u) {
        if (!v.is_string()) return sql::SyntaxError(f.offsets.at("uris"), "uris must be file names");
        uris.push_back(v.get<std::string>());
      }
    }
    if (uris.empty()) return sql::SyntaxError(f.offsets.at("uris"), "uris names no file");
    // Every file is read before anything is written: a bad file changes nothing.
    std::vector<std::string> paths;
    for (const std::string& uri : uris) {
      if (uri.find_first_of("*?[") == std::string::npos) {
        paths.push_back(uri);
        continue;
      }
      glob_t matches{};
      const int rc = ::glob(uri.c_str(), 0, nullptr, &matches);
      for (size_t i = 0; rc == 0 && i < matches.gl_pathc; ++i) paths.push_back(matches.gl_pathv[i]);
      globfree(&matches);
      if (rc != 0) return Status(StatusCode::kNotFound, fmt::format("@{}: no file matches '{}'", f.offsets.at("uris"), uri));
    }
    std::vector<Table> tables;
    int64_t rows = 0;
    for (const std::string& path : paths) {
      auto t = ReadDataFile(path, read);
      if (!t.ok()) return At(f.offsets.at("uris"), t.status());
      rows += t->num_rows();
      tables.push_back(std::move(*t));
    }
    for (size_t i = 0; i < tables.size(); ++i) {
      WriteTableOptions write;
      write.mode = i == 0 && ld.overwrite ? WriteMode::kReplace : WriteMode::kAppend;
      write.source = paths[i];
      write.format = std::string(FileFormatName(read.format));
      Status s = impl_.workspace.WriteTable(ld.table, tables[i], write);
      if (!s.ok()) return At(ld.table_offset, s);
    }
    SqlResult result;
    result.message = fmt::format("Loaded {} rows into {} from {} file{}", rows, ld.table, paths.size(),
                                 paths.size() == 1 ? "" : "s");
    return result;
  }

  Result<SqlResult> ExportData(std::string_view text, const std::vector<Token>& tokens) {
    STRATA_ASSIGN_OR_RETURN(sql::ExportData ed, sql::ParseExportData(tokens));
    const sql::OptionList& o = ed.options;
    STRATA_RETURN_IF_ERROR(OnlyOptions(o, {"uri", "format", "overwrite", "header", "field_delimiter"},
                                       "EXPORT DATA OPTIONS"));
    STRATA_ASSIGN_OR_RETURN(std::string uri, StringOption(o, "uri", "", /*required=*/true));
    STRATA_ASSIGN_OR_RETURN(FileFormat format, FormatOption(o, /*required=*/false));
    if (auto it = o.values.find("header"); it != o.values.end() && it->is_boolean() && !it->get<bool>()) {
      return sql::SyntaxError(o.offsets.at("header"), "header = false is not supported: files get a header row");
    }
    if (o.values.contains("field_delimiter")) {
      STRATA_ASSIGN_OR_RETURN(char d, DelimiterOption(o, ','));
      if (d == '\t') {
        format = FileFormat::kTsv;
      } else if (d != ',') {
        return sql::SyntaxError(o.offsets.at("field_delimiter"), "field_delimiter may be ',' or '\\t'");
      }
    }
    bool overwrite = false;
    if (auto it = o.values.find("overwrite"); it != o.values.end()) {
      if (!it->is_boolean()) return sql::SyntaxError(o.offsets.at("overwrite"), "overwrite must be TRUE or FALSE");
      overwrite = it->get<bool>();
    }
    // BigQuery shards a '*' in the URI; one local file is shard 0.
    std::string path = uri;
    if (size_t star = path.find('*'); star != std::string::npos) path.replace(star, 1, "000000000000");
    if (!overwrite && std::filesystem::exists(path)) {
      return Status(StatusCode::kAlreadyExists,
                    fmt::format("@{}: {} exists; add overwrite = true to replace it", o.offsets.at("uri"), path));
    }
    const std::string query(text.substr(ed.query_offset));
    STRATA_ASSIGN_OR_RETURN(QueryRows read, ReadQuery(query, ed.query_offset));
    Table* rows = &read.rows;
    Status written = WriteDataFile(*rows, path, format);
    if (!written.ok()) return At(o.offsets.at("uri"), written);
    SqlResult result;
    result.message = fmt::format("Exported {} rows to {}", rows->num_rows(), path);
    return result;
  }

  Result<SqlResult> ExportModel(const std::vector<Token>& tokens) {
    STRATA_ASSIGN_OR_RETURN(sql::ExportModel em, sql::ParseExportModel(tokens));
    const sql::OptionList& o = em.options;
    STRATA_RETURN_IF_ERROR(OnlyOptions(o, {"uri", "format"}, "EXPORT MODEL OPTIONS"));
    STRATA_ASSIGN_OR_RETURN(std::string uri, StringOption(o, "uri", "", /*required=*/true));
    STRATA_ASSIGN_OR_RETURN(std::string format, StringOption(o, "format", "bundle", false));
    format = AsciiLower(format);
    ModelStore store(impl_.workspace);
    auto bundle = store.Load(em.name);
    if (!bundle.ok()) return At(em.name_offset, bundle.status());
    SqlResult result;
    if (format == "bundle") {
      Status s = WriteBundleFile(*bundle, uri);
      if (!s.ok()) return At(o.offsets.at("uri"), s);
      result.message = fmt::format("Exported model {} to {} (import it with CREATE MODEL ... "
                                   "OPTIONS(model_path = '{}'))", em.name, uri, uri);
      return result;
    }
    if (format != "xgboost_json") {
      return sql::SyntaxError(o.offsets.at("format"), fmt::format("format '{}' is not supported: use 'bundle' "
                                                                  "(Strata's, the default) or 'xgboost_json'", format));
    }
    STRATA_ASSIGN_OR_RETURN(auto model, bundle->LoadModel());
    auto json = model->ExportXgboostJson();
    if (!json.ok()) return At(o.offsets.at("format"), json.status());
    const std::string tmp = uri + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << *json;
      if (!out) return Status(StatusCode::kIoError, fmt::format("@{}: cannot write '{}'", o.offsets.at("uri"), uri));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, uri, ec);
    if (ec) return Status(StatusCode::kIoError, fmt::format("@{}: cannot write '{}': {}", o.offsets.at("uri"), uri, ec.message()));
    result.message = fmt::format("Exported model {} as XGBoost JSON to {}", em.name, uri);
    return result;
  }

  Result<SqlResult> DropModel(const std::vector<Token>& tokens) {
    STRATA_ASSIGN_OR_RETURN(sql::DropModel dm, sql::ParseDropModel(tokens));
    ModelStore store(impl_.workspace);
    SqlResult result;
    if (!store.Has(dm.name)) {
      if (dm.if_exists) {
        result.message = fmt::format("Model {} does not exist; nothing done (IF EXISTS)", dm.name);
        return result;
      }
      auto missing = store.Load(dm.name);  // NotFound with the closest name
      return Status(StatusCode::kNotFound, fmt::format("@{}: {}", dm.name_offset,
                                                       missing.ok() ? "no such model" : missing.status().message()));
    }
    STRATA_RETURN_IF_ERROR(store.Drop(dm.name));
    result.message = fmt::format("Dropped model {}", dm.name);
    return result;
  }

  // A table function's failure while rows stream (bad input values): positioned at the call
  // when the statement has one, else at the statement.
  Status CallbackError() const {
    const Status& s = impl_.callback_error;
    return At(call_offsets_.size() == 1 ? call_offsets_[0] : 0, s);
  }

  SqlEngine::Impl& impl_;
  const SqlOptions& options_;
  std::vector<int> ids_;
  std::vector<size_t> call_offsets_;
};

// Splits a script into statements: [begin, end) byte ranges without the ';'.
Result<std::vector<std::pair<size_t, size_t>>> SplitScript(std::string_view script) {
  std::vector<sql::CommentSpan> comments;
  STRATA_ASSIGN_OR_RETURN(std::vector<Token> tokens, sql::Tokenize(script, &comments));
  const std::string blanked = BlankHashComments(script, comments);
  std::vector<std::pair<size_t, size_t>> out;
  size_t start = 0;
  bool any = false;
  for (const Token& t : tokens) {
    if (t.kind == TokenKind::kEnd) break;
    if (t.Is(";")) {
      // A ';' inside CREATE TRIGGER ... BEGIN ... END does not end the statement.
      std::string candidate = blanked.substr(start, t.offset + 1 - start);
      if (!sqlite3_complete(candidate.c_str())) continue;
      if (any) out.push_back({start, t.offset});
      start = t.offset + 1;
      any = false;
      continue;
    }
    any = true;
  }
  if (any) out.push_back({start, script.size()});
  return out;
}

}  // namespace

SqlEngine::SqlEngine(Workspace& workspace)
    : workspace_(workspace), impl_(std::make_unique<Impl>(workspace)) {
  sqlite3_create_module_v2(workspace_.db().raw(), "strata_ml", &kMlModule, impl_.get(), nullptr);
}

SqlEngine::~SqlEngine() {
  // Later statements on this connection must not reach a dead engine.
  sqlite3_create_module_v2(workspace_.db().raw(), "strata_ml", nullptr, nullptr, nullptr);
}

bool SqlEngine::IsComplete(std::string_view text) {
  std::vector<sql::CommentSpan> comments;
  auto tokens = sql::Tokenize(text, &comments);
  if (!tokens.ok()) return false;  // an open string or comment: keep reading
  const std::string blanked = BlankHashComments(text, comments);
  return sqlite3_complete(blanked.c_str()) != 0;
}

Status SqlEngine::Run(std::string_view script, const ResultSink& on_result,
                      const SqlOptions& options, const ErrorSink& on_error) {
  auto positioned = [&](const Status& s, size_t base) {
    size_t offset = 0;
    std::string message;
    if (!SplitPositioned(s, &offset, &message)) {
      offset = 0;
      message = s.message();
    }
    return Status(s.code(), sql::FormatSqlError(options.source_name, script, base + offset, message,
                                                options.line_offset));
  };
  auto statements = SplitScript(script);
  if (!statements.ok()) return positioned(statements.status(), 0);
  // The cancel flag also stops a query inside SQLite (Ctrl-C, a request's deadline).
  struct InterruptHook {
    SqliteDb& db;
    InterruptHook(SqliteDb& d, const std::atomic<bool>* flag) : db(d) { db.SetInterruptFlag(flag); }
    ~InterruptHook() { db.SetInterruptFlag(nullptr); }
  } interrupt_hook(impl_->workspace.db(), options.cancel);
  Status last = Status::Ok();
  for (const auto& [begin, end] : *statements) {
    if (options.cancel != nullptr && options.cancel->load()) return Cancelled("cancelled");
    std::string_view text = script.substr(begin, end - begin);
    const size_t lead = text.find_first_not_of(" \t\r\n");
    const auto started = std::chrono::steady_clock::now();
    StatementRunner runner(*impl_, options);
    auto result = runner.Run(text);
    Status status = result.ok() ? Status::Ok() : positioned(result.status(), begin);
    if (result.ok()) {
      result->statement = Trimmed(text);
      result->line = options.line_offset +
                     sql::PositionOf(script, begin + (lead == std::string_view::npos ? 0 : lead)).line;
      result->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      status = on_result ? on_result(*result) : Status::Ok();
    }
    if (status.ok()) continue;
    if (!options.continue_on_error) return status;
    if (on_error) on_error(status);
    last = status;
  }
  return last;
}

}  // namespace strata
