// Format dispatch for data files, and the file helpers the readers and writers share.
#include "strata/data_file.h"
#include "common/text.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <xxhash.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

#include "data/data_file_internal.h"
#include "strata/suggest.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

// Compressed and binary formats that users try to load as text; each gets a clear error
// instead of a confusing CSV parse error about "column 1".
struct Magic {
  std::string_view bytes;
  std::string_view what;
  std::string_view fix;
};
constexpr Magic kMagics[] = {
    {"\x1F\x8B", "gzip-compressed", "decompress it first, e.g. gunzip -k FILE"},
    {"BZh", "bzip2-compressed", "decompress it first, e.g. bunzip2 -k FILE"},
    {"\xFD"
     "7zXZ",
     "xz-compressed", "decompress it first, e.g. unxz -k FILE"},
    {"\x28\xB5\x2F\xFD", "zstd-compressed", "decompress it first, e.g. unzstd FILE"},
    {"PK\x03\x04", "a ZIP archive (or an Excel .xlsx workbook)",
     "extract it, or save the sheet as CSV"},
    {"PAR1", "a Parquet file", "export it as CSV or JSON Lines"},
};

Status CheckNotBinary(const std::string& path) {
  char head[8] = {};
  std::ifstream in(path, std::ios::binary);
  in.read(head, sizeof head);
  std::string_view got(head, static_cast<size_t>(in.gcount()));
  for (const Magic& m : kMagics) {
    if (got.substr(0, m.bytes.size()) == m.bytes) {
      return InvalidArgument(fmt::format("'{}' is {}, not a text data file. Possible solutions: {}",
                                         path, m.what, m.fix));
    }
  }
  return Status::Ok();
}

std::atomic<uint64_t> temp_counter{0};

}  // namespace

std::optional<FileFormat> ParseFileFormat(std::string_view name) {
  std::string n = AsciiLower(name);
  if (n == "auto") return FileFormat::kAuto;
  if (n == "csv") return FileFormat::kCsv;
  if (n == "tsv") return FileFormat::kTsv;
  if (n == "json" || n == "jsonl" || n == "ndjson") return FileFormat::kJsonLines;
  return std::nullopt;
}

std::string_view FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kAuto:
      return "auto";
    case FileFormat::kCsv:
      return "csv";
    case FileFormat::kJsonLines:
      return "jsonl";
    case FileFormat::kTsv:
      return "tsv";
  }
  return "auto";
}

FileFormat FormatFromPath(std::string_view path) {
  std::string ext = AsciiLower(fs::path(path).extension().string());
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") return FileFormat::kJsonLines;
  if (ext == ".tsv" || ext == ".tab") return FileFormat::kTsv;
  return FileFormat::kCsv;
}

FileFormat SniffFileFormat(std::string_view head) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  size_t first = head.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && head[first] == '{' ? FileFormat::kJsonLines
                                                               : FileFormat::kCsv;
}

Status CheckInputFile(const std::string& path) {
  if (path == "-") return Status::Ok();
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return IoError(fmt::format("cannot read '{}': {}", path, ec.message()));
  }
  if (!fs::exists(st)) {
    fs::path p(path);
    fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    std::vector<std::string> names;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
      if (names.size() >= 1000) break;  // a suggestion is not worth scanning a huge folder
      names.push_back(it->path().filename().string());
    }
    std::string where =
        p.is_relative() ? fmt::format(" (relative to {})", fs::current_path(ec).string()) : "";
    return NotFound(fmt::format("file '{}' not found{}.{}", path, where,
                                DidYouMean(p.filename().string(), names)));
  }
  if (fs::is_directory(st)) {
    return InvalidArgument(
        fmt::format("'{}' is a directory; expected a data file (CSV, TSV or JSON Lines)", path));
  }
  if (::access(path.c_str(), R_OK) != 0) {
    return IoError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  }
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path,
                           const std::function<Status(std::ostream&)>& write) {
  if (path == "-") return write(std::cout);
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return InvalidArgument(fmt::format("'{}' is a directory; expected a file name", path));
  }
  fs::path target(path);
  // Same directory as the target, so the rename is atomic (never across file systems).
  fs::path temp = target.parent_path() / fmt::format(".{}.tmp-{}-{}", target.filename().string(),
                                                     ::getpid(), temp_counter.fetch_add(1));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return IoError(fmt::format("cannot create '{}': {}", path, std::strerror(errno)));
  ::close(fd);
  auto fail = [&](Status s) {
    fs::remove(temp, ec);
    return s;
  };
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(IoError(fmt::format("cannot write '{}'", temp.string())));
    Status s = write(out);
    if (!s.ok()) return fail(s.WithContext(path));
    out.close();
    if (!out) return fail(IoError(fmt::format("writing '{}' failed (disk full?)", path)));
  }
  // Flush the data to disk before the rename makes it visible under the final name, so a
  // crash leaves either the old file or the complete new one.
  fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    Status s = IoError(fmt::format("syncing '{}' failed: {}", path, std::strerror(errno)));
    if (fd >= 0) ::close(fd);
    return fail(s);
  }
  ::close(fd);
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return fail(IoError(fmt::format("cannot replace '{}': {}", path, std::strerror(errno))));
  }
  return Status::Ok();
}

Result<Table> ReadDataFile(const std::string& path, const DataFileOptions& options,
                           DataFileReport* report) {
  STRATA_RETURN_IF_ERROR(CheckInputFile(path));
  if (path != "-") STRATA_RETURN_IF_ERROR(CheckNotBinary(path));
  FileFormat format = options.format;
  if (format == FileFormat::kAuto) format = path == "-" ? FileFormat::kCsv : FormatFromPath(path);
  DataFileReport local;
  DataFileReport& r = report != nullptr ? *report : local;
  r = DataFileReport{};
  r.format = format;

  Table table;
  if (format == FileFormat::kJsonLines) {
    // The reader reports bytes through progress; keep the last count for the report.
    JsonReadOptions json = options.json;
    int64_t bytes = 0;
    json.progress = [&bytes, forward = options.json.progress](const Progress& p) {
      bytes = p.done;
      if (forward) forward(p);
    };
    STRATA_ASSIGN_OR_RETURN(table, ReadJsonLines(path, json));
    r.bytes = bytes;
  } else {
    CsvReadOptions csv = options.csv;
    if (format == FileFormat::kTsv && !csv.delimiter) csv.delimiter = '\t';
    STRATA_ASSIGN_OR_RETURN(table, ReadCsv(path, csv, &r.csv));
    r.bytes = r.csv.bytes;
  }
  r.rows = table.num_rows();
  r.columns = table.num_columns();
  return table;
}

Result<std::string> FileFingerprint(const std::string& path) {
  if (path == "-") return InvalidArgument("standard input has no fingerprint");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return NotFound(fmt::format("file '{}' does not exist", path));
    return IoError(fmt::format("cannot open '{}': {}", path, std::strerror(err)));
  }
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  std::vector<char> buffer(1 << 20);
  Status status = Status::Ok();
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = IoError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
      break;
    }
    if (n == 0) break;
    XXH3_64bits_update(state, buffer.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  const XXH64_hash_t hash = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  if (!status.ok()) return status;
  return fmt::format("xxh3:{:016x}", static_cast<uint64_t>(hash));
}

Status WriteDataFile(const Table& table, const std::string& path, FileFormat format) {
  if (format == FileFormat::kAuto) format = path == "-" ? FileFormat::kCsv : FormatFromPath(path);
  if (format == FileFormat::kJsonLines) return WriteJsonLinesFile(table, path);
  CsvWriteOptions csv;
  if (format == FileFormat::kTsv) csv.delimiter = '\t';
  return WriteCsvFile(table, path, csv);
}

}  // namespace strata
