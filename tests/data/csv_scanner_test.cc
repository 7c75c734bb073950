// The CSV scanner's pieces on their own: the row tokenizer (both its vectorised quote-free
// path and the general one), the parallel row splitter against a sequential scan, the UTF-8
// check and the null-token set.
#include "data/csv_scanner.h"

#include <random>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace strata {
namespace {

struct Tokenized {
  CsvSyntax syntax;
  std::vector<std::string> values;
  std::vector<bool> quoted;
  size_t where = 0;  // offset of the error position in the row
};

Tokenized Tokenize(std::string row, char delimiter = ',', size_t max_field = 1 << 20) {
  CsvFieldList fields;
  CsvArena arena;
  const char* where = nullptr;
  Tokenized out;
  const std::string original = row;
  out.syntax = TokenizeCsvRow(row.data(), row.data() + row.size(), delimiter, '"', max_field,
                              &arena, &fields, &where);
  EXPECT_EQ(row, original) << "the input must not be modified";
  for (const CsvField& f : fields) {
    out.values.emplace_back(f.value());
    out.quoted.push_back(f.quoted());
  }
  if (where != nullptr) out.where = static_cast<size_t>(where - row.data());
  return out;
}

TEST(CsvTokenizerTest, SplitsUnquotedFields) {
  Tokenized t = Tokenize("a,bb,,ccc,");
  ASSERT_EQ(t.syntax, CsvSyntax::kOk);
  EXPECT_THAT(t.values, ::testing::ElementsAre("a", "bb", "", "ccc", ""));
}

TEST(CsvTokenizerTest, LongQuoteFreeRowsUseEveryDelimiter) {
  // Longer than 16 bytes, with delimiters at the block edges of the vectorised scan.
  std::string row = "0123456789abcde,0123456789abcdef,x,,0123456789abcdefghijklmnopqrstuvwxyz,";
  Tokenized t = Tokenize(row);
  ASSERT_EQ(t.syntax, CsvSyntax::kOk);
  EXPECT_THAT(t.values, ::testing::ElementsAre("0123456789abcde", "0123456789abcdef", "x", "",
                                               "0123456789abcdefghijklmnopqrstuvwxyz", ""));
}

TEST(CsvTokenizerTest, QuotedFieldsKeepDelimitersAndCollapseDoubledQuotes) {
  Tokenized t = Tokenize(R"("a,b","say ""hi""","",plain,"x""")");
  ASSERT_EQ(t.syntax, CsvSyntax::kOk);
  EXPECT_THAT(t.values, ::testing::ElementsAre("a,b", "say \"hi\"", "", "plain", "x\""));
  EXPECT_THAT(t.quoted, ::testing::ElementsAre(true, true, true, false, true));
}

TEST(CsvTokenizerTest, QuoteAfterSixteenBytesSwitchesToTheGeneralPath) {
  Tokenized t = Tokenize(R"(0123456789abcdef0123,"q,""x""",tail)");
  ASSERT_EQ(t.syntax, CsvSyntax::kOk);
  EXPECT_THAT(t.values, ::testing::ElementsAre("0123456789abcdef0123", "q,\"x\"", "tail"));
}

TEST(CsvTokenizerTest, ReportsSyntaxErrorsWithPositions) {
  Tokenized stray = Tokenize(R"(a,5" screen,b)");
  EXPECT_EQ(stray.syntax, CsvSyntax::kStrayQuote);
  EXPECT_EQ(stray.where, 3u);
  Tokenized after = Tokenize(R"(a,"x"y,b)");
  EXPECT_EQ(after.syntax, CsvSyntax::kTextAfterQuote);
  EXPECT_EQ(after.where, 5u);
  Tokenized open = Tokenize(R"(a,"never closed)");
  EXPECT_EQ(open.syntax, CsvSyntax::kUnterminatedQuote);
  EXPECT_EQ(open.where, 2u);
  Tokenized big = Tokenize("ok,0123456789,x", ',', 5);
  EXPECT_EQ(big.syntax, CsvSyntax::kFieldTooLarge);
  EXPECT_EQ(big.where, 3u);
  Tokenized big_quoted = Tokenize(R"(ok,"0123456789",x)", ',', 5);
  EXPECT_EQ(big_quoted.syntax, CsvSyntax::kFieldTooLarge);
  EXPECT_EQ(big_quoted.where, 3u);
}

TEST(CsvTokenizerTest, OtherDelimiters) {
  Tokenized t = Tokenize("a\tb c\t\"d\te\"", '\t');
  ASSERT_EQ(t.syntax, CsvSyntax::kOk);
  EXPECT_THAT(t.values, ::testing::ElementsAre("a", "b c", "d\te"));
}

// Row ends by a plain sequential scan: the reference for RowSplitter.
std::vector<size_t> SequentialRowEnds(const std::string& s) {
  std::vector<size_t> ends;
  bool in_quote = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') in_quote = !in_quote;
    if (s[i] == '\n' && !in_quote) ends.push_back(i);
  }
  return ends;
}

TEST(CsvRowSplitterTest, MatchesSequentialScanForAnyChunking) {
  std::mt19937 rng(7);
  const char alphabet[] = {'a', ',', '"', '\n', 'b'};
  RowSplitter splitter;
  for (int iter = 0; iter < 500; ++iter) {
    std::string s;
    size_t n = rng() % 300;
    for (size_t i = 0; i < n; ++i) s += alphabet[rng() % sizeof(alphabet)];
    CsvRowEnds ends;
    int threads = 1 + static_cast<int>(rng() % 8);
    size_t min_chunk = 1 + rng() % 40;
    splitter.Split(s.data(), s.size(), '"', threads, min_chunk, &ends);
    ASSERT_EQ(ends.ends, SequentialRowEnds(s)) << "input: " << s;
    EXPECT_EQ(ends.newlines, std::count(s.begin(), s.end(), '\n'));
  }
}

TEST(CsvUtf8Test, FindsTheLeadByteOfBrokenSequences) {
  EXPECT_EQ(FindInvalidUtf8InField("plain ascii text, long enough for words"),
            std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8InField("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8InField("caf\xE9"), 3u);             // Latin-1 e-acute
  EXPECT_EQ(FindInvalidUtf8InField("abcdefghij\xE9xyz"), 10u);  // after an ASCII word
  EXPECT_EQ(FindInvalidUtf8InField("\xC0\xAF"), 0u);            // overlong
  EXPECT_EQ(FindInvalidUtf8InField("\xED\xA0\x80"), 0u);        // surrogate
  EXPECT_EQ(FindInvalidUtf8InField("x\x80"), 1u);               // lone continuation
  EXPECT_EQ(FindInvalidUtf8InField("\xE2\x82"), 0u);            // truncated
}

TEST(CsvNullTokenSetTest, MatchesExactTokensOnly) {
  NullTokenSet nulls({"", "NA", "<NA>", std::string(70, 'x')});
  auto has = [&](std::string_view s) { return nulls.Contains(s.data(), s.size()); };
  EXPECT_TRUE(has(""));
  EXPECT_TRUE(has("NA"));
  EXPECT_TRUE(has("<NA>"));
  EXPECT_TRUE(has(std::string(70, 'x')));
  EXPECT_FALSE(has("na"));
  EXPECT_FALSE(has("NA "));
  EXPECT_FALSE(has("12"));
  NullTokenSet none({});
  EXPECT_FALSE(none.Contains("", 0));
}

}  // namespace
}  // namespace strata
