#include "sql/ml_syntax.h"
#include "common/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace strata::sql {
namespace {

std::string Describe(const Token& t) {
  switch (t.kind) {
    case TokenKind::kEnd: return "the end of the statement";
    case TokenKind::kString: return fmt::format("'{}'", t.text);
    case TokenKind::kDoubleQuoted: return fmt::format("\"{}\"", t.text);
    case TokenKind::kQuotedName: return fmt::format("`{}`", t.text);
    default: return fmt::format("'{}'", t.text);
  }
}

// CLASS_WEIGHTS=[STRUCT('a', 0.2), ...] arrives as [["a", 0.2], ...]: the TrainSpec wants
// {"a": 0.2, ...}.
nlohmann::json NormalizeOption(const std::string& name, nlohmann::json value) {
  if (name == "class_weights" && value.is_array()) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& item : value) {
      if (!item.is_array() || item.size() != 2 || !item[0].is_string()) return value;
      object[item[0].get<std::string>()] = item[1];
    }
    return object;
  }
  return value;
}

// A cursor over a statement's tokens.
class Parser {
 public:
  explicit Parser(const std::vector<Token>& tokens) : t_(tokens) {}

  const Token& Peek(size_t ahead = 0) const {
    return t_[std::min(i_ + ahead, t_.size() - 1)];
  }
  const Token& Next() { return t_[std::min(i_++, t_.size() - 1)]; }
  size_t index() const { return i_; }
  void Seek(size_t i) { i_ = i; }

  bool AcceptKeyword(std::string_view k) {
    if (!Peek().IsKeyword(k)) return false;
    ++i_;
    return true;
  }
  bool AcceptPunct(std::string_view p) {
    if (!Peek().Is(p)) return false;
    ++i_;
    return true;
  }
  Status ExpectKeyword(std::string_view k, std::string_view where) {
    if (AcceptKeyword(k)) return Status::Ok();
    return SyntaxError(Peek().offset, fmt::format("expected {} {}, found {}", k, where, Describe(Peek())));
  }
  Status ExpectPunct(std::string_view p, std::string_view where) {
    if (AcceptPunct(p)) return Status::Ok();
    return SyntaxError(Peek().offset,
                       fmt::format("expected '{}' {}, found {}", p, where, Describe(Peek())));
  }

  // A possibly dotted name (dataset.model, `project.dataset.model`); its last part names
  // the object, since a workspace is one dataset.
  Result<std::string> Name(std::string_view what, size_t* offset) {
    *offset = Peek().offset;
    std::string last;
    bool any = false;
    while (true) {
      const Token& t = Peek();
      if (t.kind != TokenKind::kIdentifier && t.kind != TokenKind::kQuotedName &&
          t.kind != TokenKind::kDoubleQuoted) {
        break;
      }
      std::string part = t.text;
      if (t.kind == TokenKind::kQuotedName) {
        size_t dot = part.rfind('.');
        if (dot != std::string::npos) part = part.substr(dot + 1);
      }
      last = part;
      any = true;
      ++i_;
      if (!(Peek().Is(".") && (Peek(1).kind == TokenKind::kIdentifier ||
                               Peek(1).kind == TokenKind::kQuotedName ||
                               Peek(1).kind == TokenKind::kDoubleQuoted))) {
        break;
      }
      ++i_;
    }
    if (!any || last.empty()) {
      return SyntaxError(Peek().offset, fmt::format("expected {} name, found {}", what, Describe(Peek())));
    }
    return last;
  }

  // A literal: 'text', "text", 12, -1.5, TRUE, FALSE, NULL; with arrays [..] and
  // STRUCT(a, b) (as a JSON array) when `compound`.
  Result<nlohmann::json> Value(bool compound) {
    const Token& t = Peek();
    if (t.kind == TokenKind::kString || t.kind == TokenKind::kDoubleQuoted) {
      ++i_;
      return nlohmann::json(t.text);
    }
    bool negative = false;
    if (t.Is("-") || t.Is("+")) {
      negative = t.Is("-");
      if (Peek(1).kind != TokenKind::kNumber) {
        return SyntaxError(Peek(1).offset, fmt::format("expected a number after '{}'", t.text));
      }
      ++i_;
    }
    const Token& v = Peek();
    if (v.kind == TokenKind::kNumber) {
      ++i_;
      const bool integral = v.text.find_first_of(".eE") == std::string::npos ||
                            v.text.rfind("0x", 0) == 0 || v.text.rfind("0X", 0) == 0;
      if (integral) {
        long long n = std::strtoll(v.text.c_str(), nullptr, 0);
        return nlohmann::json(negative ? -n : n);
      }
      double d = std::strtod(v.text.c_str(), nullptr);
      return nlohmann::json(negative ? -d : d);
    }
    if (v.IsKeyword("TRUE") || v.IsKeyword("FALSE")) {
      ++i_;
      return nlohmann::json(v.IsKeyword("TRUE"));
    }
    if (v.IsKeyword("NULL")) {
      ++i_;
      return nlohmann::json();
    }
    if (compound && v.Is("[")) {
      ++i_;
      nlohmann::json array = nlohmann::json::array();
      if (!AcceptPunct("]")) {
        while (true) {
          STRATA_ASSIGN_OR_RETURN(nlohmann::json item, Value(true));
          array.push_back(std::move(item));
          if (AcceptPunct("]")) break;
          STRATA_RETURN_IF_ERROR(ExpectPunct(",", "between array elements (or ']' to end it)"));
        }
      }
      return array;
    }
    if (compound && v.IsKeyword("STRUCT") && Peek(1).Is("(")) {
      i_ += 2;
      nlohmann::json fields = nlohmann::json::array();
      while (true) {
        STRATA_ASSIGN_OR_RETURN(nlohmann::json item, Value(true));
        fields.push_back(std::move(item));
        if (AcceptKeyword("AS")) Next();  // a field name: STRUCT('a' AS label, 0.2 AS weight)
        if (AcceptPunct(")")) break;
        STRATA_RETURN_IF_ERROR(ExpectPunct(",", "between STRUCT fields (or ')' to end it)"));
      }
      return fields;
    }
    if (compound && v.IsKeyword("HPARAM_RANGE") && Peek(1).Is("(")) {
      // HPARAM_RANGE(min, max): {"hparam_range": [min, max]} (strata/tune.h).
      i_ += 2;
      nlohmann::json bounds = nlohmann::json::array();
      for (int k = 0; k < 2; ++k) {
        const Token& at = Peek();
        STRATA_ASSIGN_OR_RETURN(nlohmann::json bound, Value(false));
        if (!bound.is_number()) {
          return SyntaxError(at.offset, "HPARAM_RANGE takes two numbers: HPARAM_RANGE(min, max)");
        }
        bounds.push_back(std::move(bound));
        STRATA_RETURN_IF_ERROR(ExpectPunct(k == 0 ? "," : ")", k == 0 ? "between HPARAM_RANGE's min and max"
                                                                        : "to close HPARAM_RANGE("));
      }
      return nlohmann::json{{"hparam_range", std::move(bounds)}};
    }
    if (compound && v.IsKeyword("HPARAM_CANDIDATES") && Peek(1).Is("(")) {
      // HPARAM_CANDIDATES([a, b, ...]): {"hparam_candidates": [a, b, ...]}.
      i_ += 2;
      const Token& at = Peek();
      STRATA_ASSIGN_OR_RETURN(nlohmann::json values, Value(true));
      if (!values.is_array() || values.empty()) {
        return SyntaxError(at.offset, "HPARAM_CANDIDATES takes a non-empty list: HPARAM_CANDIDATES([4, 6, 8])");
      }
      STRATA_RETURN_IF_ERROR(ExpectPunct(")", "to close HPARAM_CANDIDATES("));
      return nlohmann::json{{"hparam_candidates", std::move(values)}};
    }
    return SyntaxError(v.offset, fmt::format("expected a value (a 'string', a number, TRUE, FALSE, "
                                             "NULL{}), found {}",
                                             compound ? ", [array] or STRUCT(...)" : "", Describe(v)));
  }

  // KEYWORD(name = value, ...) at the cursor.
  Result<OptionList> Options(std::string_view keyword) {
    OptionList out;
    out.present = true;
    out.offset = Peek().offset;
    STRATA_RETURN_IF_ERROR(ExpectKeyword(keyword, "here"));
    STRATA_RETURN_IF_ERROR(ExpectPunct("(", fmt::format("after {}", keyword)));
    if (AcceptPunct(")")) return out;
    while (true) {
      const Token& name = Peek();
      if (name.kind != TokenKind::kIdentifier) {
        return SyntaxError(name.offset, fmt::format("expected an option name, found {}", Describe(name)));
      }
      Next();
      std::string key = AsciiLower(name.text);
      if (out.values.contains(key)) {
        return SyntaxError(name.offset, fmt::format("option {} is given twice", key));
      }
      out.offsets[key] = name.offset;
      STRATA_RETURN_IF_ERROR(ExpectPunct("=", fmt::format("after option {}", key)));
      STRATA_ASSIGN_OR_RETURN(nlohmann::json value, Value(/*compound=*/true));
      out.values[key] = NormalizeOption(key, std::move(value));
      if (AcceptPunct(")")) break;
      STRATA_RETURN_IF_ERROR(ExpectPunct(",", fmt::format("between options (or ')' to end {})", keyword)));
    }
    return out;
  }

  // TRANSFORM(item, ...): columns, * [EXCEPT (...)] and ML.* preprocessing functions.
  Result<nlohmann::json> Transform() {
    STRATA_RETURN_IF_ERROR(ExpectKeyword("TRANSFORM", "here"));
    STRATA_RETURN_IF_ERROR(ExpectPunct("(", "after TRANSFORM"));
    nlohmann::json items = nlohmann::json::array();
    while (true) {
      const Token& start = Peek();
      nlohmann::json item = nlohmann::json::object();
      if (start.Is("*")) {
        Next();
        item["function"] = "*";
        if (AcceptKeyword("EXCEPT")) {
          STRATA_RETURN_IF_ERROR(ExpectPunct("(", "after EXCEPT"));
          nlohmann::json except = nlohmann::json::array();
          while (true) {
            size_t at = 0;
            STRATA_ASSIGN_OR_RETURN(std::string name, Name("a column", &at));
            except.push_back(name);
            if (AcceptPunct(")")) break;
            STRATA_RETURN_IF_ERROR(ExpectPunct(",", "between EXCEPT columns"));
          }
          item["except"] = except;
        }
      } else if (start.IsKeyword("ML") && Peek(1).Is(".") && Peek(2).kind == TokenKind::kIdentifier &&
                 Peek(3).Is("(")) {
        item["function"] = AsciiUpper(Peek(2).text);
        Seek(index() + 4);
        nlohmann::json inputs = nlohmann::json::array();
        if (Peek().IsKeyword("STRUCT") && Peek(1).Is("(")) {
          Seek(index() + 2);
          while (true) {
            size_t at = 0;
            STRATA_ASSIGN_OR_RETURN(std::string name, Name("a column", &at));
            inputs.push_back(name);
            if (AcceptPunct(")")) break;
            STRATA_RETURN_IF_ERROR(ExpectPunct(",", "between STRUCT columns"));
          }
        } else {
          size_t at = 0;
          const Token& col = Peek();
          if (col.kind != TokenKind::kIdentifier && col.kind != TokenKind::kQuotedName) {
            return SyntaxError(col.offset, fmt::format("ML.{} in TRANSFORM takes a column name first "
                                                       "(compute expressions in the AS query), found {}",
                                                       item["function"].get<std::string>(), Describe(col)));
          }
          STRATA_ASSIGN_OR_RETURN(std::string name, Name("a column", &at));
          inputs.push_back(name);
        }
        nlohmann::json args = nlohmann::json::array();
        while (AcceptPunct(",")) {
          STRATA_ASSIGN_OR_RETURN(nlohmann::json value, Value(/*compound=*/true));
          args.push_back(std::move(value));
        }
        STRATA_RETURN_IF_ERROR(ExpectPunct(")", fmt::format("to close ML.{}(", item["function"].get<std::string>())));
        if (AcceptKeyword("OVER")) {
          STRATA_RETURN_IF_ERROR(ExpectPunct("(", "after OVER"));
          STRATA_RETURN_IF_ERROR(ExpectPunct(")", "after OVER( (TRANSFORM's analytic functions take OVER())"));
        }
        item["inputs"] = inputs;
        item["args"] = args;
      } else if (start.kind == TokenKind::kIdentifier || start.kind == TokenKind::kQuotedName) {
        size_t at = 0;
        STRATA_ASSIGN_OR_RETURN(std::string name, Name("a column", &at));
        item["inputs"] = nlohmann::json::array({name});
      } else {
        return SyntaxError(start.offset, fmt::format("TRANSFORM takes columns, * and ML.* preprocessing "
                                                     "functions, found {}",
                                                     Describe(start)));
      }
      if (item.value("function", std::string()) != "*") {
        if (AcceptKeyword("AS") || Peek().kind == TokenKind::kIdentifier) {
          size_t at = 0;
          STRATA_ASSIGN_OR_RETURN(std::string alias, Name("an output", &at));
          item["output"] = alias;
        }
      }
      if (!Peek().Is(",") && !Peek().Is(")")) {
        return SyntaxError(Peek().offset,
                           fmt::format("TRANSFORM takes columns, * and ML.* preprocessing functions; "
                                       "compute other expressions in the AS query (found {})",
                                       Describe(Peek())));
      }
      item["offset"] = start.offset;
      items.push_back(std::move(item));
      if (AcceptPunct(")")) break;
      Next();  // ','
    }
    return items;
  }

  // Skips a balanced (...) starting at '(' and returns the offsets just inside it.
  Status SkipParens(size_t* inner_begin, size_t* inner_end) {
    const Token& open = Peek();
    if (!open.Is("(")) return SyntaxError(open.offset, "expected '('");
    ++i_;
    *inner_begin = open.offset + 1;
    int depth = 1;
    while (true) {
      const Token& t = Next();
      if (t.kind == TokenKind::kEnd) {
        return SyntaxError(open.offset, "this '(' is never closed");
      }
      if (t.Is("(")) ++depth;
      if (t.Is(")") && --depth == 0) {
        *inner_end = t.offset;
        return Status::Ok();
      }
    }
  }

 private:
  const std::vector<Token>& t_;
  size_t i_ = 0;
};

}  // namespace

Status SyntaxError(size_t offset, std::string_view message) {
  return InvalidArgument(fmt::format("@{}: {}", offset, message));
}

bool IsCreateModel(const std::vector<Token>& t) {
  if (t.size() < 2 || !t[0].IsKeyword("CREATE")) return false;
  if (t[1].IsKeyword("MODEL")) return true;
  return t.size() > 3 && t[1].IsKeyword("OR") && t[2].IsKeyword("REPLACE") && t[3].IsKeyword("MODEL");
}

bool IsDropModel(const std::vector<Token>& t) {
  return t.size() > 1 && t[0].IsKeyword("DROP") && t[1].IsKeyword("MODEL");
}

bool IsLoadData(const std::vector<Token>& t) {
  return t.size() > 1 && t[0].IsKeyword("LOAD") && t[1].IsKeyword("DATA");
}

bool IsExportData(const std::vector<Token>& t) {
  return t.size() > 1 && t[0].IsKeyword("EXPORT") && t[1].IsKeyword("DATA");
}

bool IsExportModel(const std::vector<Token>& t) {
  return t.size() > 1 && t[0].IsKeyword("EXPORT") && t[1].IsKeyword("MODEL");
}

size_t OptionList::OffsetFor(const std::string& message) const {
  for (const auto& [name, at] : offsets) {
    if (message.find("'" + name + "'") != std::string::npos || message.rfind(name + " ", 0) == 0 ||
        message.rfind(name + ":", 0) == 0) {
      return at;
    }
  }
  return offset;
}

Result<CreateModel> ParseCreateModel(const std::vector<Token>& tokens) {
  Parser p(tokens);
  CreateModel out;
  STRATA_RETURN_IF_ERROR(p.ExpectKeyword("CREATE", "at the start"));
  if (p.AcceptKeyword("OR")) {
    STRATA_RETURN_IF_ERROR(p.ExpectKeyword("REPLACE", "after CREATE OR"));
    out.or_replace = true;
  }
  STRATA_RETURN_IF_ERROR(p.ExpectKeyword("MODEL", "after CREATE"));
  if (p.AcceptKeyword("IF")) {
    STRATA_RETURN_IF_ERROR(p.ExpectKeyword("NOT", "after IF"));
    STRATA_RETURN_IF_ERROR(p.ExpectKeyword("EXISTS", "after IF NOT"));
    out.if_not_exists = true;
  }
  if (out.or_replace && out.if_not_exists) {
    return SyntaxError(tokens[0].offset, "OR REPLACE and IF NOT EXISTS cannot be used together");
  }
  STRATA_ASSIGN_OR_RETURN(out.name, p.Name("a model", &out.name_offset));
  if (p.Peek().IsKeyword("TRANSFORM")) {
    out.transform_offset = p.Peek().offset;
    STRATA_ASSIGN_OR_RETURN(out.transform, p.Transform());
  }
  if (p.Peek().IsKeyword("OPTIONS")) {
    STRATA_ASSIGN_OR_RETURN(out.options, p.Options("OPTIONS"));
  }
  if (!p.AcceptKeyword("AS")) {
    if (p.Peek().kind == TokenKind::kEnd) {
      if (out.options.values.contains("model_path")) return out;  // an import
      return SyntaxError(p.Peek().offset,
                         "CREATE MODEL needs its training data: add AS SELECT ... FROM table");
    }
    return SyntaxError(p.Peek().offset,
                       fmt::format("expected OPTIONS(...) or AS query, found {}", Describe(p.Peek())));
  }
  if (p.Peek().kind == TokenKind::kEnd) {
    return SyntaxError(p.Peek().offset, "expected the training query after AS");
  }
  out.query_offset = p.Peek().offset;
  return out;
}

Result<DropModel> ParseDropModel(const std::vector<Token>& tokens) {
  Parser p(tokens);
  DropModel out;
  STRATA_RETURN_IF_ERROR(p.ExpectKeyword("DROP", "at the start"));
  STRATA_RETURN_IF_ERROR(p.ExpectKeyword("MODEL", "after DROP"));
  if (p.AcceptKeyword("IF")) {
    STRATA_RETURN_IF_ERROR(p.ExpectKeyword("EXISTS", "after IF"));
    out.if_exists = true;
  }
  STRATA_ASSIGN_OR_RETURN(out.name, p.Name("a model", &out.name_offset));
  if (p.Peek().kind != TokenKind::kEnd) {
    return SyntaxError(p.Peek().offset,
                       fmt::format("unexpected {} after the model name", Describe(p.Peek())));
  }
  return out;
}

Result<LoadData> ParseLoadData(const std::vector<Token>& tokens) {
  Parser p(tokens);
  LoadData out;
  STRATA_RETURN_IF_ERROR(p.ExpectKeyword("LOAD", "at the start"));
  STRATA_RETURN_IF_ERROR(p.ExpectKeyword("DATA", "after LOAD"));
  if (p.AcceptKeyword("OVERWRITE")) {
    out.overwrite = true;
  } else {
    STRATA_RETURN_IF_ERROR(p.ExpectKeyword("INTO", "or OVERWRITE after LOAD DATA"));
  }
  STRATA_ASSIGN_OR_RETURN(out.table, p.Name("a table", &out.table_offset));
  if (p.Peek().Is("(")) {
    return SyntaxError(p.Peek().offset,
                       "a column list is not supported: Strata infers the columns and their types "
                       "from the file (as `strata collect` does)");
  }
  STRATA_RETURN_IF_ERROR(p.ExpectKeyword("FROM", "after the table name"));
  if (!p.Peek().IsKeyword("FILES")) {
    return SyntaxError(p.Peek().offset, fmt::format("expected FILES(format = ..., uris = [...]), found {}",
                                                    Describe(p.Peek())));
  }
  STRATA_ASSIGN_OR_RETURN(out.files, p.Options("FILES"));
  if (p.Peek().kind != TokenKind::kEnd) {
    return SyntaxError(p.Peek().offset, fmt::format("unexpected {} after FILES(...)", Describe(p.Peek())));
  }
  return out;
}

Result<ExportData> ParseExportData(const std::vector<Token>& tokens) {
  Parser p(tokens);
  ExportData out;
  STRATA_RETURN_IF_ERROR(p.ExpectKeyword("EXPORT", "at the start"));
  STRATA_RETURN_IF_ERROR(p.ExpectKeyword("DATA", "after EXPORT"));
  if (!p.Peek().IsKeyword("OPTIONS")) {
    return SyntaxError(p.Peek().offset, fmt::format("expected OPTIONS(uri = ..., format = ...), found {}",
                                                    Describe(p.Peek())));
  }
  STRATA_ASSIGN_OR_RETURN(out.options, p.Options("OPTIONS"));
  STRATA_RETURN_IF_ERROR(p.ExpectKeyword("AS", "and the query after OPTIONS(...)"));
  if (p.Peek().kind == TokenKind::kEnd) {
    return SyntaxError(p.Peek().offset, "expected the query to export after AS");
  }
  out.query_offset = p.Peek().offset;
  return out;
}

Result<ExportModel> ParseExportModel(const std::vector<Token>& tokens) {
  Parser p(tokens);
  ExportModel out;
  STRATA_RETURN_IF_ERROR(p.ExpectKeyword("EXPORT", "at the start"));
  STRATA_RETURN_IF_ERROR(p.ExpectKeyword("MODEL", "after EXPORT"));
  STRATA_ASSIGN_OR_RETURN(out.name, p.Name("a model", &out.name_offset));
  if (!p.Peek().IsKeyword("OPTIONS")) {
    return SyntaxError(p.Peek().offset, fmt::format("expected OPTIONS(uri = ...), found {}", Describe(p.Peek())));
  }
  STRATA_ASSIGN_OR_RETURN(out.options, p.Options("OPTIONS"));
  if (p.Peek().kind != TokenKind::kEnd) {
    return SyntaxError(p.Peek().offset, fmt::format("unexpected {} after OPTIONS(...)", Describe(p.Peek())));
  }
  return out;
}

Result<std::vector<MlCall>> FindMlCalls(const std::vector<Token>& tokens) {
  std::vector<MlCall> calls;
  Parser p(tokens);
  while (p.Peek().kind != TokenKind::kEnd) {
    if (!(p.Peek().IsKeyword("ML") && p.Peek(1).Is(".") &&
          p.Peek(2).kind == TokenKind::kIdentifier && p.Peek(3).Is("("))) {
      p.Next();
      continue;
    }
    MlCall call;
    call.begin = p.Peek().offset;
    const Token& fn = p.Peek(2);
    call.function = AsciiUpper(fn.text);
    p.Seek(p.index() + 4);
    if (!p.AcceptKeyword("MODEL")) {
      return SyntaxError(p.Peek().offset,
                         fmt::format("ML.{} takes MODEL name first, found {}", call.function,
                                     Describe(p.Peek())));
    }
    STRATA_ASSIGN_OR_RETURN(call.model, p.Name("a model", &call.model_offset));
    while (p.AcceptPunct(",")) {
      const Token& arg = p.Peek();
      if (arg.IsKeyword("TABLE")) {
        if (call.has_input) return SyntaxError(arg.offset, "the input data is given twice");
        call.has_input = true;
        call.input_offset = arg.offset;
        p.Next();
        size_t name_offset = 0;
        STRATA_ASSIGN_OR_RETURN(call.input_table, p.Name("a table", &name_offset));
      } else if (arg.Is("(")) {
        if (call.has_input) return SyntaxError(arg.offset, "the input data is given twice");
        call.has_input = true;
        call.input_offset = arg.offset;
        STRATA_RETURN_IF_ERROR(p.SkipParens(&call.query_begin, &call.query_end));
      } else if (arg.IsKeyword("STRUCT") && p.Peek(1).Is("(")) {
        p.Seek(p.index() + 2);
        if (!p.AcceptPunct(")")) {
          while (true) {
            STRATA_ASSIGN_OR_RETURN(nlohmann::json value, p.Value(/*compound=*/true));
            STRATA_RETURN_IF_ERROR(p.ExpectKeyword("AS", "after a STRUCT value (value AS name)"));
            const Token& name = p.Next();
            if (name.kind != TokenKind::kIdentifier) {
              return SyntaxError(name.offset,
                                 fmt::format("expected a setting name after AS, found {}", Describe(name)));
            }
            call.settings[AsciiLower(name.text)] = std::move(value);
            if (p.AcceptPunct(")")) break;
            STRATA_RETURN_IF_ERROR(p.ExpectPunct(",", "between STRUCT fields (or ')' to end it)"));
          }
        }
      } else {
        return SyntaxError(arg.offset,
                           fmt::format("expected TABLE name, (query) or STRUCT(...) in ML.{}, found {}",
                                       call.function, Describe(arg)));
      }
    }
    const Token& close = p.Peek();
    if (!close.Is(")")) {
      return SyntaxError(close.offset, fmt::format("expected ')' to close ML.{}(, found {}",
                                                   call.function, Describe(close)));
    }
    p.Next();
    call.end = close.offset + 1;
    calls.push_back(std::move(call));
  }
  return calls;
}

}  // namespace strata::sql
