#include "nas/config/diagnostics.h"

#include <gtest/gtest.h>

namespace nas::config {
namespace {

TEST(Diagnostics, FormatsFileLineColumn) {
  Diagnostics ds;
  ds.add(Location{"experiments/x.yaml", 7, 3}, "unknown key 'a'");
  EXPECT_EQ(ds.items()[0].str(), "experiments/x.yaml:7:3: error: unknown key 'a'");
  EXPECT_EQ(ds.items()[0].where.str(), "experiments/x.yaml:7:3");
}

TEST(Diagnostics, WholeFileHasNoLineNumber) {
  Diagnostics ds;
  ds.add(Location{"missing.yaml", 0, 0}, "cannot read experiment file");
  EXPECT_EQ(ds.items()[0].str(), "missing.yaml: error: cannot read experiment file");
  EXPECT_EQ(ds.str(), "missing.yaml: error: cannot read experiment file");
}

TEST(Diagnostics, SortKeepsInsertionOrderAtTheSamePlace) {
  Diagnostics ds;
  ds.add({"f", 9, 1}, "late");
  ds.add({"f", 2, 5}, "second");
  ds.add({"f", 2, 5}, "third");
  ds.add({"f", 2, 1}, "first");
  ds.sort_by_location();
  EXPECT_EQ(ds.str(),
            "f:2:1: error: first\nf:2:5: error: second\nf:2:5: error: third\nf:9:1: error: late");
  EXPECT_EQ(ds.size(), 4u);
}

TEST(Diagnostics, EmptyHasEmptyText) {
  Diagnostics ds;
  EXPECT_TRUE(ds.empty());
  EXPECT_EQ(ds.str(), "");
}

}  // namespace
}  // namespace nas::config
