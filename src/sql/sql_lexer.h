// The SQL tokenizer behind `strata sql`: enough of SQLite's and BigQuery's lexical rules to
// split scripts into statements, find BigQuery ML's statements and ML.* table functions, and
// point at the offending token (line:column) when one is wrong. Plain SQL is never rebuilt
// from tokens: the engine passes the user's text to SQLite, so only offsets matter here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata::sql {

enum class TokenKind {
  kIdentifier,    // name or keyword: letters, digits, _ and $, not starting with a digit
  kQuotedName,    // `name` (BigQuery and SQLite); text is unquoted
  kDoubleQuoted,  // "text": an identifier in SQLite, a string in BigQuery (context decides);
                  // "" or a backslash escapes
  kString,        // 'text' ('' escapes a quote, as in SQLite); text is unquoted
  kNumber,        // 12, 1.5, .5, 1e-3, 0x1F
  kPunct,         // ( ) , ; . = [ ] * and any other operator character(s)
  kEnd,           // end of input
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;    // identifier as written; string and quoted names unquoted
  size_t offset = 0;   // byte offset of the token's first character in the input
  size_t length = 0;   // bytes the token spans in the input, quotes included

  bool Is(std::string_view punct) const { return kind == TokenKind::kPunct && text == punct; }
  // Case-insensitive keyword test for identifiers.
  bool IsKeyword(std::string_view keyword) const;
};

// A comment's span, so a rewritten statement can blank BigQuery's `#` comments for SQLite.
struct CommentSpan {
  size_t offset = 0;
  size_t length = 0;
  bool hash = false;  // `# ...` (BigQuery); SQLite knows `--` and `/* */` only
};

// Tokenizes `text`; the last token is kEnd. An unterminated string, quoted name or block
// comment is an InvalidArgument whose message starts with the byte offset as "@OFFSET: ".
Result<std::vector<Token>> Tokenize(std::string_view text, std::vector<CommentSpan>* comments = nullptr);

// 1-based line and column (in bytes) of `offset` in `text`.
struct Position {
  int line = 1;
  int column = 1;
};
Position PositionOf(std::string_view text, size_t offset);

// "NAME:LINE:COL: MESSAGE" followed by the offending line and a caret under `offset`;
// `line_offset` lines of the source come before `text`.
std::string FormatSqlError(std::string_view source_name, std::string_view text, size_t offset,
                           std::string_view message, int line_offset = 0);

}  // namespace strata::sql
