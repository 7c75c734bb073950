#include "data/csv_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "common/parallel.h"
#include "data/csv_errors.h"

namespace strata {
namespace {

class MemorySource : public CsvSource {
 public:
  MemorySource(std::string_view text, std::string name) : CsvSource(std::move(name)), text_(text) {}

  Result<size_t> Read(char* dst, size_t n) override {
    size_t k = std::min(n, text_.size() - pos_);
    if (k > 0) std::memcpy(dst, text_.data() + pos_, k);
    pos_ += k;
    return k;
  }
  Status Rewind() override {
    pos_ = 0;
    return Status::Ok();
  }
  int64_t size() const override { return static_cast<int64_t>(text_.size()); }

 protected:
  void set_text(std::string_view text) { text_ = text; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// Standard input or a pipe, read to the end up front.
class BufferedSource : public MemorySource {
 public:
  BufferedSource(std::string data, std::string name)
      : MemorySource({}, std::move(name)), data_(std::move(data)) {
    set_text(data_);
  }

 private:
  std::string data_;
};

class FileSource : public CsvSource {
 public:
  FileSource(int fd, int64_t size, std::string path)
      : CsvSource(std::move(path)), fd_(fd), size_(size) {}
  ~FileSource() override { ::close(fd_); }

  Result<size_t> Read(char* dst, size_t n) override {
    size_t done = 0;
    int error = ReadAt(dst, n, offset_, &done);
    if (error != 0) return CsvReadError(name(), error);
    offset_ += done;
    return done;
  }

  Result<size_t> ReadParallel(char* dst, size_t n, int threads) override {
    constexpr size_t kMinPart = size_t{4} << 20;
    int64_t parts = std::clamp<int64_t>(static_cast<int64_t>(n / kMinPart), 1, threads);
    if (parts <= 1) return Read(dst, n);
    std::vector<size_t> got(static_cast<size_t>(parts), 0);
    std::vector<int> errors(static_cast<size_t>(parts), 0);
    auto part_begin = [&](int64_t k) {
      return n * static_cast<size_t>(k) / static_cast<size_t>(parts);
    };
    ParallelFor(parts, static_cast<int>(parts), [&](int64_t b, int64_t e, int) {
      for (int64_t k = b; k < e; ++k) {
        size_t lo = part_begin(k), hi = part_begin(k + 1);
        errors[static_cast<size_t>(k)] = ReadAt(dst + lo, hi - lo, offset_ + static_cast<off_t>(lo),
                                                &got[static_cast<size_t>(k)]);
      }
    });
    // The bytes read are the parts up to the first short one: a part after the end of the
    // file reads nothing, and one past a short part is not contiguous with what precedes.
    size_t done = 0;
    for (int64_t k = 0; k < parts; ++k) {
      if (errors[static_cast<size_t>(k)] != 0)
        return CsvReadError(name(), errors[static_cast<size_t>(k)]);
      done += got[static_cast<size_t>(k)];
      if (got[static_cast<size_t>(k)] < part_begin(k + 1) - part_begin(k)) break;
    }
    offset_ += static_cast<off_t>(done);
    return done;
  }

  Status Rewind() override {
    offset_ = 0;
    return Status::Ok();
  }
  int64_t size() const override { return size_; }

 private:
  // Reads [offset, offset + n) into dst until full or at the end; returns errno or 0.
  int ReadAt(char* dst, size_t n, off_t offset, size_t* done) const {
    *done = 0;
    while (*done < n) {
      ssize_t r = ::pread(fd_, dst + *done, n - *done, offset + static_cast<off_t>(*done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      if (r == 0) break;
      *done += static_cast<size_t>(r);
    }
    return 0;
  }

  int fd_;
  int64_t size_;
  off_t offset_ = 0;
};

Result<std::string> ReadAll(int fd, const std::string& name) {
  std::string data;
  char chunk[1 << 16];
  while (true) {
    ssize_t r = ::read(fd, chunk, sizeof(chunk));
    if (r < 0) {
      if (errno == EINTR) continue;
      return CsvReadError(name, errno);
    }
    if (r == 0) break;
    data.append(chunk, static_cast<size_t>(r));
  }
  return data;
}

}  // namespace

std::unique_ptr<CsvSource> MakeMemoryCsvSource(std::string_view text, std::string name) {
  return std::make_unique<MemorySource>(text, std::move(name));
}

Result<std::unique_ptr<CsvSource>> OpenCsvSource(const std::string& path) {
  if (path == "-") {
    STRATA_ASSIGN_OR_RETURN(std::string data, ReadAll(STDIN_FILENO, "<stdin>"));
    return std::unique_ptr<CsvSource>(new BufferedSource(std::move(data), "<stdin>"));
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return CsvOpenError(path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return CsvOpenError(path, e);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return CsvOpenError(path, EISDIR);
  }
  if (!S_ISREG(st.st_mode)) {
    Result<std::string> data = ReadAll(fd, path);
    ::close(fd);
    if (!data.ok()) return data.status();
    return std::unique_ptr<CsvSource>(new BufferedSource(std::move(*data), path));
  }
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  return std::unique_ptr<CsvSource>(new FileSource(fd, static_cast<int64_t>(st.st_size), path));
}

}  // namespace strata
