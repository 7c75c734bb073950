// The CSV reader's orchestration, exposed inside the library so that tests can shrink its
// block sizes: tiny blocks force many blocks, rows and quoted newlines across block
// boundaries and many workers on small inputs, which is where a parallel parser breaks.
#pragma once

#include <cstddef>
#include <cstdint>

#include "data/csv_source.h"
#include "strata/csv.h"
#include "strata/status.h"
#include "strata/table.h"

namespace strata {

struct CsvReaderTuning {
  // Bytes read per block. 16 MiB keeps two workers busy for ~20 ms per block (so thread
  // start-up is noise) while the raw buffer stays a small part of the table's memory.
  size_t block_bytes = size_t{16} << 20;
  // A block is split among at most rows / min_rows_per_task workers.
  int64_t min_rows_per_task = 4096;
  // The row-boundary scan splits a block into chunks of at least this many bytes.
  size_t min_split_bytes = size_t{1} << 20;
  // The sniffer reads the start of the input in steps of this many bytes.
  size_t sample_read_bytes = size_t{1} << 20;
};

// ReadCsv over any source, with explicit tuning.
Result<Table> ReadCsvSource(CsvSource& source, const CsvReadOptions& options,
                            const CsvReaderTuning& tuning, CsvReadReport* report);

}  // namespace strata
