#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/ops/testing/op_tester.h"

namespace nas::ops {
namespace {

using op_testing::OpTester;

TEST(Concat, JoinsChannelsInOrder) {
  OpTester t("concat");
  t.input({2, 3, 3, 2}).input({2, 3, 3, 3}).input({2, 3, 3, 1});
  EXPECT_TRUE(t.check_forward(
      [](const std::vector<Tensor>& in, const std::vector<Tensor>&) {
        std::vector<double> y;
        for (int64_t r = 0; r < 18; ++r)
          for (const Tensor& part : in) {
            const int64_t c = part.dim(3);
            for (int64_t j = 0; j < c; ++j) y.push_back(part.data()[r * c + j]);
          }
        return std::vector<std::vector<double>>{y};
      },
      0, 0));
  EXPECT_EQ(t.op().output_shapes()[0], (Shape{2, 3, 3, 6}));
  const OpCost c = t.op().cost();
  EXPECT_EQ(c.bytes_read, 4 * 108);
  EXPECT_EQ(c.bytes_written, 4 * 108);
  EXPECT_EQ(c.flops_other + c.macs, 0);
}

TEST(Split, CutsChannelsBySplitSizes) {
  OpAttrs a;
  a.split_sizes = {1, 4, 2};
  OpTester t("split");
  t.input({3, 2, 7}).attrs(a);  // rank 3 works too: only the last dim matters
  EXPECT_TRUE(t.check_forward(
      [](const std::vector<Tensor>& in, const std::vector<Tensor>&) {
        std::vector<std::vector<double>> y(3);
        const int64_t sizes[3] = {1, 4, 2};
        for (int64_t r = 0; r < 6; ++r) {
          int64_t at = 0;
          for (int p = 0; p < 3; ++p)
            for (int64_t j = 0; j < sizes[p]; ++j) y[p].push_back(in[0].data()[r * 7 + at++]);
        }
        return y;
      },
      0, 0));
  EXPECT_EQ(t.op().output_shapes()[1], (Shape{3, 2, 4}));
  const OpCost c = t.op().cost();
  EXPECT_EQ(c.bytes_read, 4 * 42);
  EXPECT_EQ(c.bytes_written, 4 * 42);
  EXPECT_EQ(c.macs + c.flops_other + c.params, 0);
}

TEST(Split, CreationErrors) {
  OpAttrs a;
  a.split_sizes = {2, 2};
  OpTester t("split");
  t.input({2, 5}).attrs(a);
  Status st = t.create();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("split_sizes [2,2]"), std::string::npos) << st.message();
  a.split_sizes = {6, -1};
  OpTester neg("split");
  neg.input({2, 5}).attrs(a);
  EXPECT_FALSE(neg.create().is_ok());
  OpTester mismatch("concat");
  mismatch.input({2, 3, 3, 2}).input({2, 3, 4, 2});
  EXPECT_FALSE(mismatch.create().is_ok());
}

TEST(ChannelShuffle, TransposesGroups) {
  OpAttrs a;
  a.shuffle_groups = 2;
  OpTester t("channel_shuffle");
  t.input_values({1, 1, 1, 6}, {0, 1, 2, 3, 4, 5}).attrs(a);
  const Tensor y = t.forward()[0];
  EXPECT_EQ(std::vector<float>(y.data(), y.data() + 6), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  a.shuffle_groups = 3;
  OpTester u("channel_shuffle");
  u.input({2, 3, 2, 12}).attrs(a);
  EXPECT_TRUE(u.check_forward(
      [](const std::vector<Tensor>& in, const std::vector<Tensor>&) {
        std::vector<double> y(in[0].numel());
        for (int64_t r = 0; r < 12; ++r)
          for (int64_t i = 0; i < 3; ++i)
            for (int64_t j = 0; j < 4; ++j)
              y[r * 12 + j * 3 + i] = in[0].data()[r * 12 + i * 4 + j];
        return std::vector<std::vector<double>>{y};
      },
      0, 0));
  EXPECT_EQ(u.op().cost().bytes_read, 4 * 144);
  EXPECT_EQ(u.op().cost().flops_other, 0);
  OpTester bad("channel_shuffle");
  bad.input({1, 2, 2, 7}).attrs(a);
  EXPECT_FALSE(bad.create().is_ok());
}

}  // namespace
}  // namespace nas::ops
