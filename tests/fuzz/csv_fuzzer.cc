// libFuzzer target for the CSV reader. The first two bytes choose options (delimiter,
// header mode, bad-row policy, null tokens, limits, an override, threads); the rest is the
// CSV text. Each input is read twice, once plainly and once in tiny blocks with several
// workers, and the two results must be identical: a crash, a hang, an unbounded allocation
// or a difference between the serial and the parallel path is a finding.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "data/csv_reader.h"
#include "data/csv_source.h"
#include "strata/csv.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

strata::CsvReadOptions OptionsFrom(uint8_t a, uint8_t b) {
  strata::CsvReadOptions options;
  const char delimiters[] = {0, ',', ';', '\t', '|', ',', ',', 'a'};
  char d = delimiters[a & 7];
  if (d != 0) options.delimiter = d;
  options.header = static_cast<strata::HeaderMode>((a >> 3) % 3);
  options.on_bad_row = static_cast<strata::BadRowPolicy>((a >> 5) % 3);
  if (a & 0x80) options.null_tokens = {"-"};
  options.sample_rows = 1 + (b & 7);
  options.max_field_bytes = (b & 0x08) ? 16 : 8 << 20;
  if (b & 0x10) options.type_overrides["column_1"] = strata::DataType::kInt64;
  if (b & 0x20) options.type_overrides["column_2"] = strata::DataType::kString;
  if (b & 0x40) options.quote = '\'';
  return options;
}

void ExpectSame(const strata::Table& x, const strata::Table& y) {
  Check(x.num_columns() == y.num_columns() && x.num_rows() == y.num_rows());
  for (int c = 0; c < x.num_columns(); ++c) {
    const strata::Column& a = x.column(c);
    const strata::Column& b = y.column(c);
    Check(a.name() == b.name() && a.type() == b.type() && a.size() == x.num_rows());
    for (int64_t r = 0; r < a.size(); ++r) {
      Check(a.IsNull(r) == b.IsNull(r));
      Check(a.FormatValue(r) == b.FormatValue(r));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider provider(data, size);
  std::vector<uint8_t> flags = provider.ConsumeBytes<uint8_t>(2);
  flags.resize(2, 0);
  const std::string text = provider.ConsumeRemainingBytesAsString();
  strata::CsvReadOptions options = OptionsFrom(flags[0], flags[1]);

  options.threads = 1;
  strata::CsvReadReport plain_report;
  strata::Result<strata::Table> plain =
      strata::ReadCsvText(text, "fuzz.csv", options, &plain_report);

  strata::CsvReaderTuning tiny;
  tiny.block_bytes = 3 + flags[1] % 29;
  tiny.min_rows_per_task = 1;
  tiny.min_split_bytes = 1 + flags[0] % 7;
  tiny.sample_read_bytes = 5;
  // Several workers for a quarter of the inputs: starting threads is most of the cost of a
  // tiny input, and under ASan every thread started keeps ~1 KiB of bookkeeping.
  options.threads = 1 + ((flags[0] >> 7) & (flags[1] >> 7)) * 2;
  std::unique_ptr<strata::CsvSource> source = strata::MakeMemoryCsvSource(text, "fuzz.csv");
  strata::CsvReadReport tiny_report;
  strata::Result<strata::Table> blocks =
      strata::ReadCsvSource(*source, options, tiny, &tiny_report);

  Check(plain.ok() == blocks.ok());
  if (!plain.ok()) {
    const strata::Status& s = plain.status();
    Check(s.code() == strata::StatusCode::kInvalidArgument);
    Check(s.message().rfind("fuzz.csv:", 0) == 0);
    Check(s.message().find("Possible solutions: ") != std::string::npos);
    Check(s == blocks.status());
    return 0;
  }
  ExpectSame(*plain, *blocks);
  Check(plain_report.rows == plain->num_rows());
  Check(plain_report.widened == tiny_report.widened);
  Check(plain_report.warnings == tiny_report.warnings);
  Check(plain_report.skipped_rows == tiny_report.skipped_rows);
  Check(plain_report.padded_rows == tiny_report.padded_rows);
  return 0;
}
