// Where CSV bytes come from: a file read in blocks (never mapped or loaded whole, so memory
// stays bounded by the block size), text already in memory, or standard input (buffered,
// because the widening re-parse must read the input a second time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata {

class CsvSource {
 public:
  explicit CsvSource(std::string name) : name_(std::move(name)) {}
  virtual ~CsvSource() = default;
  CsvSource(const CsvSource&) = delete;
  CsvSource& operator=(const CsvSource&) = delete;

  // Reads up to `n` bytes into `dst`; fewer only at the end of the input (0 once there).
  virtual Result<size_t> Read(char* dst, size_t n) = 0;
  // The same, with up to `threads` threads copying parts of the range at once (the copy
  // out of the page cache was a seventh of a read's time, and serial).
  virtual Result<size_t> ReadParallel(char* dst, size_t n, int /*threads*/) { return Read(dst, n); }
  // Starts again from the first byte.
  virtual Status Rewind() = 0;
  // Total bytes of the input.
  virtual int64_t size() const = 0;
  // The name used in messages: the path, or "<stdin>".
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// Text owned by the caller, who keeps it alive while the source is used.
std::unique_ptr<CsvSource> MakeMemoryCsvSource(std::string_view text, std::string name);

// Opens `path` for reading; "-" is standard input. Pipes and other non-regular files are
// buffered in memory, since they cannot be read twice.
Result<std::unique_ptr<CsvSource>> OpenCsvSource(const std::string& path);

}  // namespace strata
