// Internal file helpers shared by the data readers and writers (implemented in
// data_file.cc): checking an input path before reading it, and writing a file so that a
// failure never leaves a partial file behind.
#pragma once

#include <functional>
#include <ostream>
#include <string>

#include "strata/status.h"

namespace strata {

// OK when `path` names a readable regular file (or is "-", standard input). Otherwise
// NotFound naming the path (with a "did you mean" over the directory's files), InvalidArgument
// for a directory, IoError when it cannot be opened.
Status CheckInputFile(const std::string& path);

// Calls `write` with a stream to a temporary file in the directory of `path`, then flushes,
// syncs and renames it to `path`. On any failure the temporary file is removed and `path` is
// left as it was. "-" writes to standard output directly.
Status WriteFileAtomically(const std::string& path,
                           const std::function<Status(std::ostream&)>& write);

}  // namespace strata
