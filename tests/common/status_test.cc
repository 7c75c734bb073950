#include "strata/status.h"

#include "strata/suggest.h"
#include "support/test_support.h"

namespace strata {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  STRATA_ASSIGN_OR_RETURN(int h, Half(x));
  STRATA_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, OkAndErrorsCarryCodeAndMessage) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = NotFound("no table named 'x'");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NOT_FOUND: no table named 'x'");
  EXPECT_EQ(s.WithContext("collect").message(), "collect: no table named 'x'");
}

TEST(StatusTest, AssignOrReturnPropagatesTheFirstError) {
  ASSERT_OK(Quarter(8));
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd: 3");
  EXPECT_EQ(Quarter(6).value_or(-1), -1);
}

TEST(SuggestTest, FindsPlausibleTyposOnly) {
  std::vector<std::string> names = {"label", "account_length", "churn"};
  EXPECT_EQ(ClosestName("lable", names), "label");
  EXPECT_EQ(ClosestName("CHURN", names), "churn");
  EXPECT_EQ(ClosestName("acount_length", names), "account_length");
  EXPECT_EQ(ClosestName("zzzzzz", names), "");
  EXPECT_EQ(DidYouMean("churm", names), " Did you mean 'churn'?");
}

}  // namespace
}  // namespace strata
