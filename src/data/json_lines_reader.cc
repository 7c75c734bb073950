// JSON Lines reader: each line is parsed with nlohmann's SAX interface straight into
// per-column builders, so no DOM is built per row and nested objects are flattened on the
// fly. Types are decided once all rows are in (see JsonColumnBuilder::Finish), because a JSON
// key may hold an integer in row 1 and a string in row 90,000.
#include <fmt/format.h>

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <vector>

#include "data/data_file_internal.h"
#include "data/json_column_builder.h"
#include "data/json_text.h"
#include "strata/json_lines.h"

namespace strata {
namespace {

// A wide JSON file whose rows each bring new keys (a map serialised as an object) would
// create rows x keys null cells; past this many columns the data wants another shape.
constexpr size_t kMaxColumns = 10000;
constexpr int64_t kProgressStep = 1 << 20;  // report progress about once per MB
constexpr size_t kReadChunk = 1 << 20;

// Rewrites nlohmann's exception text ("[json.exception.parse_error.101] parse error at line
// 1, column 8: syntax error while parsing object key - invalid literal; last read: '1,b';
// expected string literal") in plain words, without the parts our own prefix repeats.
std::string PlainJsonError(std::string what) {
  if (size_t p = what.find("] "); what.rfind("[json.exception", 0) == 0 && p != std::string::npos) {
    what.erase(0, p + 2);
  }
  if (what.rfind("parse error", 0) == 0) {
    if (size_t p = what.find(": "); p != std::string::npos) what.erase(0, p + 2);
  }
  std::string context;
  static const std::pair<const char*, const char*> kContexts[] = {
      {"syntax error while parsing value - ", ""},
      {"syntax error while parsing object key - ", " in an object key"},
      {"syntax error while parsing object separator - ", " after an object key"},
      {"syntax error while parsing object - ", " in an object"},
      {"syntax error while parsing array - ", " in an array"},
  };
  for (const auto& [from, to] : kContexts) {
    if (what.rfind(from, 0) == 0) {
      what.erase(0, std::strlen(from));
      context = to;
      break;
    }
  }
  auto replace = [&](std::string_view from, std::string_view to) {
    if (size_t p = what.find(from); p != std::string::npos) what.replace(p, from.size(), to);
  };
  // The "last read" token can be a whole (long) string value: keep only its end, which is
  // where the problem is.
  constexpr std::string_view kLastRead = "; last read: '";
  if (size_t begin = what.find(kLastRead); begin != std::string::npos) {
    begin += kLastRead.size();
    size_t end = what.rfind("'; expected");
    if (end == std::string::npos || end < begin) end = what.rfind('\'');
    constexpr size_t kKeep = 40;
    if (end != std::string::npos && end > begin + kKeep) {
      size_t cut = end - kKeep;
      while (cut < end && (static_cast<unsigned char>(what[cut]) & 0xC0) == 0x80) ++cut;
      what.replace(begin, cut - begin, "...");
    }
  }
  replace("; last read: ", " near ");
  replace("unexpected end of input", "the line ends too early");
  replace("number overflow parsing ", "number too large for a 64-bit float: ");
  replace("expected string literal", "expected a key in double quotes");
  return fmt::format("invalid JSON{}: {}", context, what);
}

// Parses lines into column builders. The SAX callbacks (null() ... parse_error()) are
// called by nlohmann::json::sax_parse for one line at a time.
class JsonLinesParser {
 public:
  using NumberInt = nlohmann::json::number_integer_t;
  using NumberUnsigned = nlohmann::json::number_unsigned_t;
  using NumberFloat = nlohmann::json::number_float_t;
  using Binary = nlohmann::json::binary_t;

  explicit JsonLinesParser(std::string_view name) : name_(name) {}

  // Parses one line (without its '\n'); `line_number` counts from 1 and blank lines too.
  Status AddLine(std::string_view line, int64_t line_number);
  Result<Table> Finish();

  // SAX interface.
  bool null();
  bool boolean(bool value);
  bool number_integer(NumberInt value);
  bool number_unsigned(NumberUnsigned value);
  bool number_float(NumberFloat value, const std::string& raw);
  bool string(std::string& value);
  bool binary(Binary&) { return true; }  // only binary formats produce these
  bool start_object(std::size_t);
  bool key(std::string& value);
  bool end_object();
  bool start_array(std::size_t);
  bool end_array();
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex);

 private:
  // The builder for the current key, or nullptr (and line_error_ set) on a duplicate key.
  JsonColumnBuilder* Target();
  bool Emit(JsonCellKind kind, uint64_t payload);
  bool EmitText(JsonCellKind kind, std::string_view text);
  bool NotAnObject(std::string_view what);
  // Array capture: arrays are kept as compact JSON text, rebuilt from the SAX events.
  bool capturing() const { return !capture_stack_.empty(); }
  void CaptureValue();  // writes the comma before an array element
  void CaptureOpen(char kind, char bracket);
  Status LineError(std::string_view message, int64_t column) const;

  std::string name_;
  std::vector<std::unique_ptr<JsonColumnBuilder>> columns_;
  std::unordered_map<std::string, size_t> index_;
  int64_t rows_ = 0;

  // Per-line state.
  std::string_view line_;
  int64_t line_number_ = 0;
  int depth_ = 0;     // open objects outside arrays (0: between rows)
  std::string path_;  // "a.b." while inside {"a":{"b":{...
  std::vector<size_t> path_lengths_;
  std::string key_;
  std::string name_buffer_;
  std::string capture_;
  std::vector<std::pair<char, int>> capture_stack_;  // ('a'|'o', items so far)
  Status line_error_;
  bool syntax_error_ = false;
  size_t error_position_ = 0;
  std::string error_what_;
};

Status JsonLinesParser::LineError(std::string_view message, int64_t column) const {
  return InvalidArgument(fmt::format("{}:{}:{}: {}", name_, line_number_, column, message));
}

Status JsonLinesParser::AddLine(std::string_view line, int64_t line_number) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return Status::Ok();
  line_ = line;
  line_number_ = line_number;
  if (size_t bad = FindInvalidUtf8(line); bad != std::string_view::npos) {
    return LineError(
        fmt::format("invalid UTF-8 (byte 0x{:02X}); JSON Lines text must be UTF-8. Possible "
                    "solutions: convert the file to UTF-8, e.g. iconv -f latin1 -t utf-8 "
                    "data.jsonl > data-utf8.jsonl",
                    static_cast<unsigned char>(line[bad])),
        CountCodePoints(line.substr(0, bad)) + 1);
  }
  depth_ = 0;
  path_.clear();
  path_lengths_.clear();
  capture_stack_.clear();
  line_error_ = Status::Ok();
  syntax_error_ = false;
  if (nlohmann::json::sax_parse(line.begin(), line.end(), this)) {
    ++rows_;
    return Status::Ok();
  }
  if (!syntax_error_) return line_error_;
  // nlohmann's position counts bytes read; report the column in characters.
  size_t bytes = std::min(error_position_ > 0 ? error_position_ - 1 : 0, line.size());
  return LineError(
      fmt::format("{}; expected one JSON object per line. Possible solutions: fix the JSON on "
                  "line {} (keys and strings in double quotes, no trailing commas, literals "
                  "true, false and null); if the file is one JSON document (an array of "
                  "objects, or pretty-printed over several lines), convert it to JSON Lines "
                  "first, e.g. jq -c '.[]' data.json > data.jsonl",
                  PlainJsonError(error_what_), line_number_),
      CountCodePoints(line.substr(0, bytes)) + 1);
}

Result<Table> JsonLinesParser::Finish() {
  if (rows_ == 0) {
    return InvalidArgument(fmt::format(
        "{}: no JSON objects found: the input is empty or has only blank lines; expected one "
        "JSON object per line",
        name_));
  }
  Table table;
  for (auto& builder : columns_) {
    STRATA_RETURN_IF_ERROR(table.AddColumn(builder->Finish(rows_)));
    builder.reset();  // free the cells as soon as the column exists
  }
  return table;
}

JsonColumnBuilder* JsonLinesParser::Target() {
  name_buffer_.assign(path_).append(key_);
  auto it = index_.find(name_buffer_);
  JsonColumnBuilder* builder;
  if (it == index_.end()) {
    if (columns_.size() >= kMaxColumns) {
      line_error_ = LineError(
          fmt::format("more than {} distinct keys; a table this wide is usually a map stored "
                      "as an object. Possible solutions: store such maps as arrays of "
                      "{{\"key\": ..., \"value\": ...}} objects (kept as JSON text)",
                      kMaxColumns),
          1);
      return nullptr;
    }
    index_.emplace(name_buffer_, columns_.size());
    columns_.push_back(std::make_unique<JsonColumnBuilder>(name_buffer_));
    builder = columns_.back().get();
  } else {
    builder = columns_[it->second].get();
  }
  builder->PadTo(rows_);
  if (builder->rows() > rows_) {
    line_error_ = InvalidArgument(fmt::format(
        "{}:{}: key '{}' appears twice in one object (nested keys are joined with dots, so "
        "{{\"a\":{{\"b\":1}}}} and {{\"a.b\":1}} both give column 'a.b'); expected each key "
        "once per line. Possible solutions: rename one of the keys",
        name_, line_number_, name_buffer_));
    return nullptr;
  }
  return builder;
}

bool JsonLinesParser::Emit(JsonCellKind kind, uint64_t payload) {
  JsonColumnBuilder* b = Target();
  if (b == nullptr) return false;
  b->Add(kind, payload);
  return true;
}

bool JsonLinesParser::EmitText(JsonCellKind kind, std::string_view text) {
  JsonColumnBuilder* b = Target();
  if (b == nullptr) return false;
  b->AddText(kind, text);
  return true;
}

bool JsonLinesParser::NotAnObject(std::string_view what) {
  size_t first = line_.find_first_not_of(" \t\r");
  line_error_ = LineError(
      fmt::format("found {} where a JSON object was expected; expected one JSON object per "
                  "line. Possible solutions: put the values in an object with named keys, "
                  "e.g. {{\"value\": ...}}; if the file is one JSON array of objects, convert "
                  "it to JSON Lines first, e.g. jq -c '.[]' data.json > data.jsonl",
                  what),
      CountCodePoints(line_.substr(0, first)) + 1);
  return false;
}

void JsonLinesParser::CaptureValue() {
  auto& [kind, items] = capture_stack_.back();
  if (kind == 'a' && items++ > 0) capture_.push_back(',');
}

void JsonLinesParser::CaptureOpen(char kind, char bracket) {
  if (capturing()) CaptureValue();
  capture_stack_.emplace_back(kind, 0);
  capture_.push_back(bracket);
}

bool JsonLinesParser::null() {
  if (capturing()) {
    CaptureValue();
    capture_.append("null");
    return true;
  }
  if (depth_ == 0) return NotAnObject("null");
  return Emit(JsonCellKind::kNull, 0);
}

bool JsonLinesParser::boolean(bool value) {
  if (capturing()) {
    CaptureValue();
    capture_.append(value ? "true" : "false");
    return true;
  }
  if (depth_ == 0) return NotAnObject(value ? "true" : "false");
  return Emit(JsonCellKind::kBool, value ? 1 : 0);
}

bool JsonLinesParser::number_integer(NumberInt value) {
  if (capturing()) {
    CaptureValue();
    fmt::format_to(std::back_inserter(capture_), "{}", value);
    return true;
  }
  if (depth_ == 0) return NotAnObject("a number");
  return Emit(JsonCellKind::kInt, static_cast<uint64_t>(value));
}

bool JsonLinesParser::number_unsigned(NumberUnsigned value) {
  if (capturing()) {
    CaptureValue();
    fmt::format_to(std::back_inserter(capture_), "{}", value);
    return true;
  }
  if (depth_ == 0) return NotAnObject("a number");
  // Past INT64's range an integer would lose digits as FLOAT64, so it is kept as text.
  if (value > static_cast<NumberUnsigned>(std::numeric_limits<int64_t>::max())) {
    return EmitText(JsonCellKind::kBigInt, fmt::format("{}", value));
  }
  return Emit(JsonCellKind::kInt, value);
}

bool JsonLinesParser::number_float(NumberFloat value, const std::string& raw) {
  if (capturing()) {
    CaptureValue();
    capture_.append(raw);
    return true;
  }
  if (depth_ == 0) return NotAnObject("a number");
  // nlohmann hands integers beyond 64 bits over as floats; keep their digits instead.
  if (raw.find_first_not_of("-0123456789") == std::string::npos) {
    return EmitText(JsonCellKind::kBigInt, raw);
  }
  return Emit(JsonCellKind::kFloat, std::bit_cast<uint64_t>(value));
}

bool JsonLinesParser::string(std::string& value) {
  if (capturing()) {
    CaptureValue();
    AppendJsonString(&capture_, value);
    return true;
  }
  if (depth_ == 0) return NotAnObject("a string");
  return EmitText(JsonCellKind::kString, value);
}

bool JsonLinesParser::start_object(std::size_t) {
  if (capturing()) {
    CaptureOpen('o', '{');
    return true;
  }
  if (depth_ > 0) {
    path_lengths_.push_back(path_.size());
    path_.append(key_).push_back('.');
  }
  ++depth_;
  return true;
}

bool JsonLinesParser::key(std::string& value) {
  if (capturing()) {
    auto& items = capture_stack_.back().second;
    if (items++ > 0) capture_.push_back(',');
    AppendJsonString(&capture_, value);
    capture_.push_back(':');
    return true;
  }
  key_ = value;
  return true;
}

bool JsonLinesParser::end_object() {
  if (capturing()) {
    capture_stack_.pop_back();
    capture_.push_back('}');
    return true;
  }
  if (--depth_ > 0) {
    path_.resize(path_lengths_.back());
    path_lengths_.pop_back();
  }
  return true;
}

bool JsonLinesParser::start_array(std::size_t) {
  if (!capturing()) {
    if (depth_ == 0) return NotAnObject("an array");
    capture_.clear();
  }
  CaptureOpen('a', '[');
  return true;
}

bool JsonLinesParser::end_array() {
  capture_stack_.pop_back();
  capture_.push_back(']');
  if (capturing()) return true;
  return EmitText(JsonCellKind::kArray, capture_);
}

bool JsonLinesParser::parse_error(std::size_t position, const std::string&,
                                  const nlohmann::detail::exception& ex) {
  syntax_error_ = true;
  error_position_ = position;
  error_what_ = ex.what();
  return false;
}

// Feeds `text` line by line; `text` may end in the middle of a line only when `final` is
// false, in which case the unfinished tail's length is returned through *consumed.
class LineFeeder {
 public:
  LineFeeder(JsonLinesParser* parser, const JsonReadOptions& options, int64_t total)
      : parser_(parser), options_(options), total_(total) {}

  Status Feed(std::string_view text, bool final, size_t* consumed) {
    size_t pos = 0;
    if (!bom_checked_ && (text.size() >= 3 || final)) {
      bom_checked_ = true;
      if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
    } else if (!bom_checked_) {
      *consumed = 0;
      return Status::Ok();
    }
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) {
        if (!final) break;
        end = text.size();
      }
      STRATA_RETURN_IF_ERROR(parser_->AddLine(text.substr(pos, end - pos), ++line_number_));
      pos = end + 1;
    }
    pos = std::min(pos, text.size());
    *consumed = pos;
    done_ += static_cast<int64_t>(pos);
    if (options_.progress && (done_ >= next_report_ || final)) {
      options_.progress(Progress{"reading", done_, total_});
      next_report_ = done_ + kProgressStep;
    }
    return Status::Ok();
  }

 private:
  JsonLinesParser* parser_;
  const JsonReadOptions& options_;
  int64_t total_;
  int64_t done_ = 0;
  int64_t next_report_ = kProgressStep;
  int64_t line_number_ = 0;
  bool bom_checked_ = false;
};

// Reads `in` (a file or stdin) in chunks, keeping an unfinished last line for the next one.
template <typename ReadFn>
Result<Table> ReadChunked(std::string_view name, int64_t total, const JsonReadOptions& options,
                          ReadFn read_chunk) {
  JsonLinesParser parser(name);
  LineFeeder feeder(&parser, options, total);
  std::string buffer;
  size_t filled = 0;
  while (true) {
    if (buffer.size() < filled + kReadChunk) buffer.resize(filled + kReadChunk);
    size_t n = 0;
    STRATA_RETURN_IF_ERROR(read_chunk(buffer.data() + filled, kReadChunk, &n));
    filled += n;
    bool final = n == 0;
    size_t consumed = 0;
    STRATA_RETURN_IF_ERROR(feeder.Feed(std::string_view(buffer.data(), filled), final, &consumed));
    if (final) break;
    buffer.erase(0, consumed);
    filled -= consumed;
  }
  return parser.Finish();
}

}  // namespace

Result<Table> ReadJsonLinesText(std::string_view text, std::string_view name,
                                const JsonReadOptions& options) {
  JsonLinesParser parser(name);
  LineFeeder feeder(&parser, options, static_cast<int64_t>(text.size()));
  size_t consumed = 0;
  STRATA_RETURN_IF_ERROR(feeder.Feed(text, /*final=*/true, &consumed));
  return parser.Finish();
}

Result<Table> ReadJsonLines(const std::string& path, const JsonReadOptions& options) {
  if (path == "-") {
    return ReadChunked("<stdin>", 0, options, [](char* out, size_t size, size_t* n) {
      std::cin.read(out, static_cast<std::streamsize>(size));
      *n = static_cast<size_t>(std::cin.gcount());
      if (std::cin.bad()) return IoError("reading standard input failed");
      return Status::Ok();
    });
  }
  STRATA_RETURN_IF_ERROR(CheckInputFile(path));
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return IoError(fmt::format("cannot open '{}': {}", path, std::strerror(errno)));
  int64_t total = 0;
  if (std::fseek(file.get(), 0, SEEK_END) == 0) {
    total = std::max<int64_t>(0, std::ftell(file.get()));
    std::rewind(file.get());
  }
  return ReadChunked(path, total, options, [&](char* out, size_t size, size_t* n) {
    *n = std::fread(out, 1, size, file.get());
    if (*n == 0 && std::ferror(file.get())) {
      return IoError(fmt::format("reading '{}' failed: {}", path, std::strerror(errno)));
    }
    return Status::Ok();
  });
}

}  // namespace strata
