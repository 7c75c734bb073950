// Samplers and successive halving on known functions: quasi-random coverage, the grid's
// enumeration, TPE against random search, and ASHA's promotions.
#include <cmath>
#include <set>

#include "strata/tune.h"
#include "support/test_support.h"

namespace strata {
namespace {

SearchSpace UnitSquare() {
  SearchSpace s;
  s.params = {SearchParam{"x", ParamKind::kFloat, 0, 1, Scale::kLinear, {}},
              SearchParam{"y", ParamKind::kFloat, 0, 1, Scale::kLinear, {}}};
  return s;
}

TEST(SamplersTest, QuasiRandomPointsCoverTheSquareEvenly) {
  auto sampler = MakeQuasiRandomSampler(UnitSquare(), 7);
  int cells[4][4] = {};
  for (int i = 0; i < 64; ++i) {
    auto p = sampler->Suggest({});
    ASSERT_TRUE(p.has_value());
    cells[static_cast<int>((*p)[0] * 4)][static_cast<int>((*p)[1] * 4)]++;
  }
  // 64 points, 16 cells: a low-discrepancy sequence puts 2..6 in each (plain uniform draws
  // leave some cell with 0 or 1 about a third of the time).
  for (auto& row : cells) {
    for (int c : row) {
      EXPECT_GE(c, 2);
      EXPECT_LE(c, 6);
    }
  }
}

TEST(SamplersTest, QuasiRandomIsDeterministicPerSeed) {
  auto a = MakeQuasiRandomSampler(UnitSquare(), 1), b = MakeQuasiRandomSampler(UnitSquare(), 1),
       c = MakeQuasiRandomSampler(UnitSquare(), 2);
  auto pa = a->Suggest({}), pb = b->Suggest({}), pc = c->Suggest({});
  EXPECT_EQ(*pa, *pb);
  EXPECT_NE(*pa, *pc);
}

TEST(SamplersTest, GridEnumeratesEveryPointOnceThenStops) {
  SearchSpace s;
  s.params = {SearchParam{"booster", ParamKind::kCategorical, 0, 1, Scale::kLinear, {"a", "b", "c"}},
              SearchParam{"depth", ParamKind::kInt, 1, 4, Scale::kLinear, {}}};
  auto grid = MakeGridSampler(s, 3);
  std::set<std::string> seen;
  while (auto p = grid->Suggest({})) seen.insert(s.HyperparametersAt(*p).dump());
  EXPECT_EQ(seen.size(), 12u);  // 3 boosters x depths 1..4
  EXPECT_TRUE(seen.count(R"({"booster":"c","depth":4})"));
  EXPECT_FALSE(grid->Suggest({}).has_value());
}

// f has its maximum 0 at (0.8, 0.15). TPE, given the same 30 evaluations, ends closer to it
// than quasi-random search on average over seeds: the property the sampler exists for.
double Regret(std::unique_ptr<Sampler> sampler, int trials) {
  std::vector<Observation> history;
  double best = -1e9;
  for (int i = 0; i < trials; ++i) {
    auto p = sampler->Suggest(history);
    double x = (*p)[0], y = (*p)[1];
    double f = -((x - 0.8) * (x - 0.8) + 4 * (y - 0.15) * (y - 0.15));
    best = std::max(best, f);
    history.push_back({*p, f});
  }
  return -best;
}

TEST(SamplersTest, TpeFindsABetterOptimumThanQuasiRandomOnAverage) {
  double tpe = 0, random = 0;
  const int seeds = 20;
  for (int seed = 1; seed <= seeds; ++seed) {
    tpe += Regret(MakeTpeSampler(UnitSquare(), seed), 30) / seeds;
    random += Regret(MakeQuasiRandomSampler(UnitSquare(), seed), 30) / seeds;
  }
  EXPECT_LT(tpe, random * 0.5) << "TPE regret " << tpe << ", quasi-random " << random;
}

TEST(SamplersTest, TpeHandlesCategoriesAndLogScales) {
  SearchSpace s;
  s.params = {SearchParam{"c", ParamKind::kCategorical, 0, 1, Scale::kLinear, {"a", "b", "c", "d"}},
              SearchParam{"lr", ParamKind::kFloat, 1e-4, 1, Scale::kLog, {}}};
  auto tpe = MakeTpeSampler(s, 5);
  std::vector<Observation> history;
  int good_category = 0;
  for (int i = 0; i < 40; ++i) {
    auto p = tpe->Suggest(history);
    nlohmann::json h = s.HyperparametersAt(*p);
    // Category "c" and lr near 1e-2 are best.
    double f = (h["c"] == "c" ? 1.0 : 0.0) - std::fabs(std::log10(h["lr"].get<double>()) + 2);
    if (i >= 20 && h["c"] == "c") ++good_category;
    history.push_back({*p, f});
  }
  EXPECT_GE(good_category, 12);  // of the last 20 (random search would give ~5)
}

TEST(SuccessiveHalvingTest, RungsGrowByEta) {
  SuccessiveHalving sh(27, 3, 1);
  ASSERT_EQ(sh.rungs(), 4);
  EXPECT_EQ(sh.Resource(0), 1);
  EXPECT_EQ(sh.Resource(1), 3);
  EXPECT_EQ(sh.Resource(3), 27);
  SuccessiveHalving rounds(20, 3, 2);  // the default boosted tree: 20 rounds
  ASSERT_EQ(rounds.rungs(), 3);
  EXPECT_EQ(rounds.Resource(0), 2);
  EXPECT_EQ(rounds.Resource(2), 20);
}

TEST(SuccessiveHalvingTest, PromotesTheBestThirdAndStopsTheRest) {
  SuccessiveHalving sh(9, 3, 1);  // rungs 1, 3, 9
  EXPECT_FALSE(sh.NextPromotion().has_value());
  for (int id = 1; id <= 9; ++id) sh.Report(id, 0, /*score=*/id % 5);  // best: 4 (id 4, 9), 3 (id 3, 8)
  std::vector<int> promoted;
  while (auto p = sh.NextPromotion()) {
    EXPECT_EQ(p->second, 1);
    promoted.push_back(p->first);
  }
  EXPECT_EQ(promoted, (std::vector<int>{4, 9, 3}));  // top 9/3, ties to the earlier trial
  sh.Report(4, 1, 0.1);
  sh.Report(9, 1, 0.9);
  sh.Report(3, 1, 0.5);
  auto top = sh.NextPromotion();
  ASSERT_TRUE(top.has_value());
  EXPECT_EQ(*top, std::make_pair(9, 2));
  EXPECT_FALSE(sh.NextPromotion().has_value());  // the others stop at their rung
}

}  // namespace
}  // namespace strata
