#include "core/diagnostics.h"

#include <gtest/gtest.h>

namespace bsim::core {
namespace {

TEST(Diagnostics, PrintsFileLineColumnSortedByPosition) {
  Diagnostics d;
  d.error({"a.toml", 9, 3}, "second");
  d.error({"a.toml", 2, 7}, "first");
  EXPECT_EQ(d.error_count(), 2);
  EXPECT_EQ(d.str(), "a.toml:2:7: error: first\na.toml:9:3: error: second\n");
}

TEST(Diagnostics, InputErrorCarriesAllDiagnostics) {
  Diagnostics d;
  d.error({"x.toml", 1, 1}, "one");
  d.error({"x.toml", 2, 1}, "two");
  const InputError e(std::move(d));
  EXPECT_EQ(e.diagnostics().error_count(), 2);
  EXPECT_STREQ(e.what(), "x.toml:1:1: error: one");
}

TEST(DidYouMean, SuggestsCloseKeysOnly) {
  const std::vector<std::string> keys = {"trend_per_year", "jump_rate_per_year", "jump_sigma"};
  EXPECT_EQ(closest_match("trend_per_yaer", keys), "trend_per_year");
  EXPECT_EQ(closest_match("jump_sigm", keys), "jump_sigma");
  EXPECT_EQ(closest_match("completely_different", keys), "");
  EXPECT_EQ(did_you_mean("jump_sigm", keys), " did you mean 'jump_sigma'?");
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

}  // namespace
}  // namespace bsim::core

TEST(DidYouMean, LongWordsGetNoSuggestionAndCandidatesOfOtherLengthsAreSkipped) {
  const std::vector<std::string> keys = {"markup", "elasticity_long_run"};
  EXPECT_EQ(bsim::core::closest_match(std::string(bsim::core::kLongestWordMatched + 1, 'm'), keys), "");
  // A candidate whose length differs by more than the allowed edits is never the answer.
  EXPECT_EQ(bsim::core::closest_match("markupp", keys), "markup");
  EXPECT_EQ(bsim::core::closest_match("elasticity_long_runn", keys), "elasticity_long_run");
}

TEST(Shortened, CutsLongNamesWithAnEllipsisAndTheirLength) {
  EXPECT_EQ(bsim::core::shortened("markup"), "markup");
  const std::string exact(bsim::core::kLongestNameShown, 'k');
  EXPECT_EQ(bsim::core::shortened(exact), exact);
  const std::string huge(5'000'000, 'a');
  EXPECT_EQ(bsim::core::shortened(huge), std::string(80, 'a') + "… (5000000 bytes)");
  // A cut never splits a UTF-8 character: "é" is two bytes, and byte 80 would fall inside one.
  std::string accents = std::string(79, 'a');
  for (int i = 0; i < 10; ++i) accents += "é";
  EXPECT_EQ(bsim::core::shortened(accents), std::string(79, 'a') + "… (99 bytes)");
}
