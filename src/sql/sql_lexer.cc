#include "sql/sql_lexer.h"

#include <fmt/format.h>

#include <cctype>

namespace strata::sql {
namespace {

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;  // UTF-8 letters
}
bool IsIdentPart(char c) {
  return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

Status LexError(size_t offset, std::string_view message) {
  return InvalidArgument(fmt::format("@{}: {}", offset, message));
}

}  // namespace

bool Token::IsKeyword(std::string_view keyword) const {
  if (kind != TokenKind::kIdentifier || text.size() != keyword.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) !=
        std::toupper(static_cast<unsigned char>(keyword[i]))) {
      return false;
    }
  }
  return true;
}

Result<std::vector<Token>> Tokenize(std::string_view in, std::vector<CommentSpan>* comments) {
  std::vector<Token> out;
  size_t i = 0;
  const size_t n = in.size();
  while (i < n) {
    const char c = in[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    // Comments: -- and # to the end of the line, /* ... */.
    if ((c == '-' && i + 1 < n && in[i + 1] == '-') || c == '#') {
      size_t end = in.find('\n', i);
      if (end == std::string_view::npos) end = n;
      if (comments) comments->push_back({i, end - i, c == '#'});
      i = end;
      continue;
    }
    if (c == '/' && i + 1 < n && in[i + 1] == '*') {
      size_t end = in.find("*/", i + 2);
      if (end == std::string_view::npos) return LexError(i, "unterminated /* comment");
      if (comments) comments->push_back({i, end + 2 - i, false});
      i = end + 2;
      continue;
    }
    Token t;
    t.offset = i;
    if (c == '\'' || c == '"' || c == '`') {
      // SQL doubles the quote to escape it.
      const char quote = c;
      std::string text;
      size_t j = i + 1;
      bool closed = false;
      while (j < n) {
        if (in[j] == quote) {
          if (j + 1 < n && in[j + 1] == quote) {
            text.push_back(quote);
            j += 2;
            continue;
          }
          closed = true;
          ++j;
          break;
        }
        // Backslash escapes in "..." only: in '...' a backslash is itself, as SQLite (which
        // runs the plain SQL) reads it.
        if (in[j] == '\\' && quote == '"' && j + 1 < n) {
          const char e = in[j + 1];
          switch (e) {
            case 'n': text.push_back('\n'); break;
            case 't': text.push_back('\t'); break;
            case 'r': text.push_back('\r'); break;
            case '0': text.push_back('\0'); break;
            default: text.push_back(e); break;
          }
          j += 2;
          continue;
        }
        text.push_back(in[j++]);
      }
      if (!closed) {
        return LexError(i, quote == '`' ? "unterminated `quoted name`"
                                        : fmt::format("unterminated string (missing closing {})", quote));
      }
      t.kind = quote == '\'' ? TokenKind::kString
               : quote == '"' ? TokenKind::kDoubleQuoted
                              : TokenKind::kQuotedName;
      t.text = std::move(text);
      t.length = j - i;
      i = j;
      out.push_back(std::move(t));
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(in[i + 1])))) {
      size_t j = i;
      if (c == '0' && j + 1 < n && (in[j + 1] == 'x' || in[j + 1] == 'X')) {
        j += 2;
        while (j < n && std::isxdigit(static_cast<unsigned char>(in[j]))) ++j;
      } else {
        while (j < n && std::isdigit(static_cast<unsigned char>(in[j]))) ++j;
        if (j < n && in[j] == '.') {
          ++j;
          while (j < n && std::isdigit(static_cast<unsigned char>(in[j]))) ++j;
        }
        if (j < n && (in[j] == 'e' || in[j] == 'E')) {
          size_t k = j + 1;
          if (k < n && (in[k] == '+' || in[k] == '-')) ++k;
          if (k < n && std::isdigit(static_cast<unsigned char>(in[k]))) {
            j = k;
            while (j < n && std::isdigit(static_cast<unsigned char>(in[j]))) ++j;
          }
        }
      }
      t.kind = TokenKind::kNumber;
      t.text = std::string(in.substr(i, j - i));
      t.length = j - i;
      i = j;
      out.push_back(std::move(t));
      continue;
    }
    if (IsIdentStart(c)) {
      size_t j = i;
      while (j < n && IsIdentPart(in[j])) ++j;
      t.kind = TokenKind::kIdentifier;
      t.text = std::string(in.substr(i, j - i));
      t.length = j - i;
      i = j;
      out.push_back(std::move(t));
      continue;
    }
    // Operators: the two-character ones SQL has, else one character.
    static constexpr std::string_view kTwo[] = {"<=", ">=", "<>", "!=", "==", "||", "<<", ">>", "->"};
    t.kind = TokenKind::kPunct;
    t.length = 1;
    for (std::string_view op : kTwo) {
      if (in.substr(i, 2) == op) t.length = 2;
    }
    t.text = std::string(in.substr(i, t.length));
    i += t.length;
    out.push_back(std::move(t));
  }
  Token end;
  end.kind = TokenKind::kEnd;
  end.offset = n;
  out.push_back(std::move(end));
  return out;
}

Position PositionOf(std::string_view text, size_t offset) {
  Position p;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

std::string FormatSqlError(std::string_view source_name, std::string_view text, size_t offset,
                           std::string_view message, int line_offset) {
  if (offset > text.size()) offset = text.size();
  const Position p = PositionOf(text, offset);
  size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  line_start = (line_start == std::string_view::npos || offset == 0) ? 0 : line_start + 1;
  if (offset > 0 && text[offset - 1] == '\n') line_start = offset;
  size_t line_end = text.find('\n', offset);
  if (line_end == std::string_view::npos) line_end = text.size();
  std::string line(text.substr(line_start, line_end - line_start));
  std::string caret(offset - line_start, ' ');
  for (size_t i = 0; i < caret.size() && i < line.size(); ++i) {
    if (line[i] == '\t') caret[i] = '\t';  // keep the caret under the token with tabs
  }
  return fmt::format("{}:{}:{}: {}\n  {}\n  {}^", source_name, p.line + line_offset, p.column,
                     message, line, caret);
}

}  // namespace strata::sql
