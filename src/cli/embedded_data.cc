#include "cli/embedded_data.h"

// The assembler's .incbin copies the file into .rodata at build time; CMake passes the path
// (STRATA_CHURN_CSV_PATH) and marks this object as depending on the file.
__asm__(
    ".pushsection .rodata\n"
    ".balign 16\n"
    "strata_bundled_churn_csv_begin:\n"
    ".incbin \"" STRATA_CHURN_CSV_PATH "\"\n"
    "strata_bundled_churn_csv_end:\n"
    ".byte 0\n"
    ".popsection\n");

extern "C" const char strata_bundled_churn_csv_begin[];
extern "C" const char strata_bundled_churn_csv_end[];

namespace strata::cli {

std::string_view BundledChurnCsv() {
  return {strata_bundled_churn_csv_begin,
          static_cast<size_t>(strata_bundled_churn_csv_end - strata_bundled_churn_csv_begin)};
}

}  // namespace strata::cli
