// Header detection, column naming and delimiter sniffing.
#include <string>
#include <vector>

#include "strata/csv.h"
#include "support/test_support.h"

namespace strata {
namespace {

std::vector<std::string> Names(const Table& t) {
  std::vector<std::string> names;
  for (const Column& c : t.columns()) names.push_back(c.name());
  return names;
}

using Names_ = std::vector<std::string>;

struct Read {
  Table table;
  CsvReadReport report;
};

Read MustRead(std::string_view text, const CsvReadOptions& options = {}) {
  Read out;
  Result<Table> t = ReadCsvText(text, "h.csv", options, &out.report);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  if (t.ok()) out.table = std::move(*t);
  return out;
}

TEST(CsvHeaderTest, NamesAboveNumbersAreAHeader) {
  Read r = MustRead("name,age\nann,31\nbob,42\n");
  EXPECT_TRUE(r.report.header);
  EXPECT_EQ(Names(r.table), (Names_{"name", "age"}));
  EXPECT_EQ(r.table.num_rows(), 2);
  EXPECT_EQ(r.table.column(1).type(), DataType::kInt64);
}

TEST(CsvHeaderTest, OneMisfitColumnIsEnough) {
  // Only the last column tells: "flag" is not a BOOL.
  Read r = MustRead("a,b,flag\nx,y,true\nz,w,false\n");
  EXPECT_TRUE(r.report.header);
  EXPECT_EQ(r.table.column(2).type(), DataType::kBool);
}

TEST(CsvHeaderTest, AllNumbersHaveNoHeader) {
  Read r = MustRead("1,2.5\n3,4.5\n");
  EXPECT_FALSE(r.report.header);
  EXPECT_EQ(Names(r.table), (Names_{"column_1", "column_2"}));
  EXPECT_EQ(r.table.num_rows(), 2);
}

TEST(CsvHeaderTest, DistinctWordsAboveTextAreAHeader) {
  Read r = MustRead("city,country\nParis,France\nRome,Italy\n");
  EXPECT_TRUE(r.report.header);
  EXPECT_EQ(Names(r.table), (Names_{"city", "country"}));
}

TEST(CsvHeaderTest, RepeatedOrEmptyFirstRowValuesAboveTextAreData) {
  Read repeated = MustRead("a,a\nb,c\nd,e\n");
  EXPECT_FALSE(repeated.report.header);
  EXPECT_EQ(repeated.table.num_rows(), 3);
  Read empty = MustRead("a,\"\"\nb,c\nd,e\n");
  EXPECT_FALSE(empty.report.header);
  EXPECT_EQ(empty.table.num_rows(), 3);
}

TEST(CsvHeaderTest, SingleRowOfNumbersIsData) {
  Read r = MustRead("1,2,3\n");
  EXPECT_FALSE(r.report.header);
  EXPECT_EQ(r.table.num_rows(), 1);
}

TEST(CsvHeaderTest, HeaderModeForcesTheDecision) {
  CsvReadOptions yes;
  yes.header = HeaderMode::kYes;
  Read forced = MustRead("1,2\n3,4\n", yes);
  EXPECT_TRUE(forced.report.header);
  EXPECT_EQ(Names(forced.table), (Names_{"1", "2"}));
  EXPECT_EQ(forced.table.num_rows(), 1);

  CsvReadOptions no;
  no.header = HeaderMode::kNo;
  Read data = MustRead("name,age\nann,31\n", no);
  EXPECT_FALSE(data.report.header);
  EXPECT_EQ(data.table.num_rows(), 2);
  EXPECT_EQ(data.table.column(1).type(), DataType::kString);  // "age" is a value now
}

TEST(CsvHeaderTest, EmptyAndDuplicateNamesAreMadeUniqueWithWarnings) {
  Read r = MustRead("id,,name,name,name_2,\n1,2,3,4,5,6\n");
  EXPECT_EQ(Names(r.table), (Names_{"id", "column_2", "name", "name_3", "name_2", "column_6"}));
  ASSERT_EQ(r.report.warnings.size(), 3u);
  EXPECT_EQ(r.report.warnings[0], "header column 2 has no name; named it 'column_2'");
  EXPECT_EQ(r.report.warnings[1],
            "header column 4 repeats the name 'name' (names are case-insensitive in SQL); renamed it 'name_3'");
}

// SQL compares column names ignoring case (vehicle.csv has both "Sc.Var.Maxis" and
// "Sc.Var.maxis"): the later one is renamed, so that the file can become a workspace table.
TEST(CsvHeaderTest, NamesThatDifferOnlyInCaseAreMadeUnique) {
  Read r = MustRead("Sc.Var.Maxis,Sc.Var.maxis,Age,age_2,AGE\n1,2,3,4,5\n");
  EXPECT_EQ(Names(r.table), (Names_{"Sc.Var.Maxis", "Sc.Var.maxis_2", "Age", "age_2", "AGE_3"}));
  ASSERT_EQ(r.report.warnings.size(), 2u);
  EXPECT_EQ(r.report.warnings[0],
            "header column 2 repeats the name 'Sc.Var.maxis' (names are case-insensitive in SQL); renamed it "
            "'Sc.Var.maxis_2'");
}

TEST(CsvHeaderTest, QuotedHeaderNames) {
  Read r = MustRead("\"first name\",\"a,b\"\nann,1\n");
  EXPECT_EQ(Names(r.table), (Names_{"first name", "a,b"}));
}

TEST(CsvSnifferTest, PicksTheDelimiterWithConsistentFieldCounts) {
  // Commas inside the text must not fool it: only ';' splits every row the same way.
  Read semicolon = MustRead("name;price;note\nA;1,5;x, y\nB;2,5;z\nC;3;w, v, u\n");
  EXPECT_EQ(semicolon.report.delimiter, ';');
  EXPECT_EQ(Names(semicolon.table), (Names_{"name", "price", "note"}));
  EXPECT_EQ(semicolon.table.column(1).GetString(0), "1,5");

  Read tab = MustRead("a\tb\tc\n1\t2\t3\n4\t5\t6\n");
  EXPECT_EQ(tab.report.delimiter, '\t');
  EXPECT_EQ(tab.table.num_columns(), 3);

  Read pipe = MustRead("a|b\n1|2\n");
  EXPECT_EQ(pipe.report.delimiter, '|');
}

TEST(CsvSnifferTest, PrefersMoreColumnsWhenSeveralAreConsistent) {
  Read r = MustRead("a;b,c;d\n1;2,3;4\n5;6,7;8\n");
  EXPECT_EQ(r.report.delimiter, ';');
  EXPECT_EQ(r.table.num_columns(), 3);
}

TEST(CsvSnifferTest, QuotedDelimitersDoNotCount) {
  Read r = MustRead("\"a;b\",c\n\"1;2\",3\n\"4;5\",6\n");
  EXPECT_EQ(r.report.delimiter, ',');
  EXPECT_EQ(Names(r.table), (Names_{"a;b", "c"}));
}

TEST(CsvSnifferTest, ToleratesOneRaggedRowAmongTheFirst) {
  CsvReadOptions pad;
  pad.on_bad_row = BadRowPolicy::kPad;
  Read r = MustRead("a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11\n", pad);
  EXPECT_EQ(r.report.delimiter, ',');
  EXPECT_EQ(r.report.padded_rows, 1);
}

TEST(CsvSnifferTest, HonoursAnExplicitDelimiter) {
  CsvReadOptions options;
  options.delimiter = ',';
  Read r = MustRead("a;b\n1;2\n", options);
  EXPECT_EQ(r.report.delimiter, ',');
  EXPECT_EQ(r.table.num_columns(), 1);
  EXPECT_EQ(r.table.column(0).name(), "a;b");
}

TEST(CsvSnifferTest, SingleColumnFile) {
  Read r = MustRead("value\n1\n2\n3\n");
  EXPECT_EQ(r.report.delimiter, ',');
  EXPECT_EQ(r.table.num_columns(), 1);
  EXPECT_EQ(r.table.num_rows(), 3);
}

}  // namespace
}  // namespace strata
