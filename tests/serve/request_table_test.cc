// The request JSON -> input Table step of `:predict`: the one-pass reader of the common body
// (TableFromInstancesText) must give exactly the table the general path (TableFromRows on the
// parsed document) gives, and must decline every body it does not fully understand, so that
// the general path answers or names the problem.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "serve/request_table.h"

namespace strata::serve {
namespace {

using nlohmann::json;

Schema TestSchema() {
  return {{"amount", DataType::kFloat64}, {"count", DataType::kInt64}, {"active", DataType::kBool},
          {"plan", DataType::kString},    {"since", DataType::kDate}};
}

// Every cell of both tables, as the server would answer them.
void ExpectSameTable(const Table& got, const Table& want) {
  ASSERT_EQ(got.num_columns(), want.num_columns());
  ASSERT_EQ(got.num_rows(), want.num_rows());
  for (int c = 0; c < want.num_columns(); ++c) {
    EXPECT_EQ(got.column(c).name(), want.column(c).name());
    EXPECT_EQ(got.column(c).type(), want.column(c).type());
    for (int64_t r = 0; r < want.num_rows(); ++r) {
      EXPECT_EQ(CellToJson(got.column(c), r), CellToJson(want.column(c), r))
          << want.column(c).name() << " row " << r;
    }
  }
}

TEST(RequestTableTest, OnePassReaderGivesTheGeneralPathsTable) {
  const Schema schema = TestSchema();
  const std::vector<std::string> bodies = {
      // In schema order.
      R"({"instances": [{"amount": 1.5, "count": 3, "active": true, "plan": "gold",
                         "since": "2024-01-02"}]})",
      // Any key order, keys the model does not read, nulls, an integral float for an INT64,
      // 0/1 for a BOOL, a number for a STRING category, negative and large numbers.
      R"({"instances": [
           {"plan": 7, "since": null, "extra": "ignored", "count": 3.0, "active": 1,
            "amount": -2},
           {"amount": 1e300, "count": -9000000000, "active": false, "plan": null,
            "since": "1999-12-31", "also_extra": [1, 2]}]})",
      R"(  {"instances":[{"amount":0,"count":0,"active":0,"plan":"","since":"2000-02-29"}]}  )",
  };
  for (size_t i = 0; i < bodies.size(); ++i) {
    SCOPED_TRACE(bodies[i]);
    Result<Table> want = TableFromRows(schema, json::parse(bodies[i])["instances"], "instances");
    std::optional<Table> got = TableFromInstancesText(schema, bodies[i]);
    if (i == 1) {
      // "also_extra" holds an array: the reader declines, the general path ignores the key.
      EXPECT_FALSE(got.has_value());
      ASSERT_TRUE(want.ok()) << want.status().ToString();
      continue;
    }
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    ASSERT_TRUE(got.has_value()) << "the one-pass reader declined a body it should read";
    ExpectSameTable(*got, *want);
  }
  // The second body without the nested extra key is read in one pass, with the same table.
  std::string body = R"({"instances": [
      {"plan": 7, "since": null, "extra": "ignored", "count": 3.0, "active": 1, "amount": -2},
      {"amount": 1e300, "count": -9000000000, "active": false, "plan": null,
       "since": "1999-12-31"}]})";
  Result<Table> want = TableFromRows(schema, json::parse(body)["instances"], "instances");
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  std::optional<Table> got = TableFromInstancesText(schema, body);
  ASSERT_TRUE(got.has_value());
  ExpectSameTable(*got, *want);
  EXPECT_EQ(CellToJson(got->column(3), 0), "7");
  EXPECT_EQ(CellToJson(got->column(1), 1), -9000000000LL);
}

TEST(RequestTableTest, OnePassReaderDeclinesWhatItDoesNotFullyUnderstand) {
  const Schema schema = TestSchema();
  const std::string row = R"("amount": 1, "count": 2, "active": true, "plan": "a", "since": "2024-01-01")";
  const std::vector<std::string> declined = {
      R"({"instances": [[1, 2, true, "a", "2024-01-01"]]})",         // rows as arrays
      "{\"instances\": [{" + row + "}], \"explain\": true}",          // another field
      "{\"threshold\": 0.3, \"instances\": [{" + row + "}]}",         // another field first
      "{\"instances\": [{" + row + ", \"count\": 5}]}",               // a repeated key
      R"({"instances": [{"amount": 1, "count": 2, "active": true, "plan": "a"}]})",  // missing
      "{\"instances\": [{" + row + "}, {\"amount\": \"x\"}]}",        // bad second row
      R"({"instances": [{"amount": "text", "count": 2, "active": true, "plan": "a",
                         "since": "2024-01-01"}]})",                   // wrong type
      R"({"instances": [{"amount": 1, "count": 2.5, "active": true, "plan": "a",
                         "since": "2024-01-01"}]})",                   // 2.5 is no INT64
      R"({"instances": [{"amount": 1, "count": 2, "active": true, "plan": "a",
                         "since": "yesterday"}]})",                    // not a date
      "{\"instances\": [{" + row + ", \"nested\": {\"a\": 1}}]}",     // nesting
      R"({"instances": []})",                                         // no rows
      R"({"instances": {"amount": 1}})",                              // not an array
      R"({"inputs": {"amount": [1]}})",                               // columns
      "{\"instances\": [{" + row + "}]",                              // cut short
      "{\"instances\": [{" + row + "}]} trailing",                    // not only JSON
      "[{" + row + "}]",                                              // not an object
      "",
  };
  for (const std::string& body : declined) {
    SCOPED_TRACE(body);
    EXPECT_FALSE(TableFromInstancesText(schema, body).has_value());
  }
  // The same rows without the problem are read.
  EXPECT_TRUE(TableFromInstancesText(schema, "{\"instances\": [{" + row + "}, {" + row + "}]}"));
}

}  // namespace
}  // namespace strata::serve
