#include "nas/util/suggest.h"

#include <gtest/gtest.h>

namespace nas {
namespace {

TEST(Suggest, EditDistance) {
  EXPECT_EQ(edit_distance("", ""), 0);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3);
  EXPECT_EQ(edit_distance("population", "populaton"), 1);
}

TEST(Suggest, ClosestOnlyForPlausibleTypos) {
  const std::vector<std::string> keys = {"population", "sample", "mutations"};
  EXPECT_EQ(closest_name("populaton", keys), "population");
  EXPECT_EQ(closest_name("sampel", keys), "sample");
  EXPECT_EQ(closest_name("zzz", keys), "");
  EXPECT_EQ(join_names({"a", "b"}), "a, b");
}

}  // namespace
}  // namespace nas
