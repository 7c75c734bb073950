// The CSV scanner: where rows end, and how a row splits into fields.
//
// Quoting follows RFC 4180, read strictly so that row boundaries can be found in parallel:
// a quote is special only at the start of a field (it opens a quoted field, in which the
// delimiter and newlines are data and a doubled quote is one quote) and as the quote that
// closes it, which must be followed by the delimiter or the end of the row. A quote anywhere
// else is an error, never data. Under that rule every quote character toggles "inside
// quotes", so a '\n' ends a row exactly when an even number of quotes precede it in the
// file: RowSplitter counts quotes per chunk in parallel and combines chunks with a prefix
// XOR of their quote parities. A "\r\n" line end is one line end; other '\r's are data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

// One field of a tokenized row. `data`/`size` is the value: quotes removed and doubled
// quotes collapsed, in the input itself or, when collapsing was needed, in a CsvArena (the
// input is never modified, so positions computed from it later stay exact). `begin` is
// where the field starts in the input.
struct CsvField {
  const char* begin;
  const char* data;
  size_t size;
  bool quoted() const { return data != begin; }
  std::string_view value() const { return {data, size}; }
};

// The fields of one row. A std::vector's push_back was a tenth of the parse time on a
// numeric file; this keeps its slots between rows and appends without a call.
class CsvFieldList {
 public:
  void clear() { size_ = 0; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const CsvField& operator[](size_t i) const { return slots_[i]; }
  const CsvField* begin() const { return slots_.data(); }
  const CsvField* end() const { return slots_.data() + size_; }
  void push_back(const char* begin, const char* data, size_t size) {
    if (size_ == slots_.size()) Grow();
    slots_[size_++] = CsvField{begin, data, size};
  }

 private:
  void Grow() { slots_.resize(slots_.empty() ? 64 : slots_.size() * 2); }
  std::vector<CsvField> slots_;
  size_t size_ = 0;
};

// Storage for unescaped values ("a""b" -> a"b). Values stay where they are until Reset,
// since dictionaries keep views of them until their block is merged.
class CsvArena {
 public:
  char* Allocate(size_t n);
  // Forgets every value; keeps one chunk for reuse.
  void Reset();

 private:
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t used_ = 0;
  size_t capacity_ = 0;
};

enum class CsvSyntax : uint8_t {
  kOk,
  kUnterminatedQuote,  // the row ends inside a quoted field; `where` is the opening quote
  kStrayQuote,         // a quote inside an unquoted field; `where` is the quote
  kTextAfterQuote,     // a closing quote not followed by delimiter/row end; `where` is it
  kFieldTooLarge,      // a field longer than the limit; `where` is its first byte
};

// Splits the row [begin, end) (no line end) into fields. Quoted values with doubled quotes
// are collapsed into `arena`; with a null arena they are left as they are (for callers that
// need only the field count and the syntax, like the delimiter sniffer). Returns kOk or
// the first syntax error, with its position in *where.
CsvSyntax TokenizeCsvRow(const char* begin, const char* end, char delimiter, char quote,
                         size_t max_field_bytes, CsvArena* arena, CsvFieldList* fields,
                         const char** where);

// Where the k-th byte of a field's value is in the input (each quote in a quoted value
// was written twice there), for error positions.
inline const char* CsvValueBytePosition(const CsvField& f, char quote, size_t k) {
  if (!f.quoted()) return f.data + k;
  size_t quotes = 0;
  for (size_t i = 0; i < k; ++i) quotes += f.data[i] == quote;
  return f.begin + 1 + k + quotes;
}

// Why a row that has grown past the size limit without ending is too large: kFieldTooLarge
// (with the field's start), a syntax error met on the way, or kOk, meaning that the row as
// a whole is too large although no single field is.
CsvSyntax DiagnoseOversizedRow(const char* begin, const char* end, char delimiter, char quote,
                               size_t max_field_bytes, const char** where);

// Row boundaries of a buffer that starts at the start of a row.
struct CsvRowEnds {
  std::vector<size_t> ends;  // offsets of the '\n' bytes that end rows, ascending
  int64_t newlines = 0;      // all '\n' bytes in the buffer, quoted ones included
};

// Finds row ends with the quote-parity scheme, splitting the buffer into up to `threads`
// chunks of at least `min_chunk_bytes`. Keeps its scratch vectors between calls.
class RowSplitter {
 public:
  void Split(const char* data, size_t size, char quote, int threads, size_t min_chunk_bytes,
             CsvRowEnds* out);

 private:
  struct Chunk {
    std::vector<size_t> newlines[2];  // '\n' offsets by quote parity since the chunk start
    size_t quotes = 0;
  };
  std::vector<Chunk> chunks_;
};

// Position of the first byte that is not valid UTF-8 in `text`, or npos.
size_t FindInvalidUtf8InField(std::string_view text);

// Unquoted values that mean "missing". Lookup is on the hot path of every field, so it
// rejects most values by length and first byte before comparing.
class NullTokenSet {
 public:
  explicit NullTokenSet(const std::vector<std::string>& tokens);
  bool Contains(const char* data, size_t size) const {
    if (size >= 64) return has_long_ && ContainsSlow(std::string_view(data, size));
    if (((length_mask_ >> size) & 1) == 0) return false;
    if (size == 0) return true;
    if (!first_byte_[static_cast<unsigned char>(data[0])]) return false;
    return ContainsSlow(std::string_view(data, size));
  }

 private:
  bool ContainsSlow(std::string_view value) const;

  uint64_t length_mask_ = 0;  // bit n set: some token has n bytes
  bool has_long_ = false;     // some token has 64 bytes or more
  bool first_byte_[256] = {};
  std::vector<std::string> tokens_;
};

// 1-based line and column of `p` in a buffer whose first byte is at line `first_line`,
// column 1 (buffers always start at a row start, which is a line start).
void LocateInBuffer(const char* buffer, const char* p, int64_t first_line, int64_t* line,
                    int64_t* column);

}  // namespace strata
