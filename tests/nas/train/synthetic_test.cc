#include "nas/train/data/synthetic.h"

#include <gtest/gtest.h>

#include <limits>

namespace nas::train {
namespace {

TEST(Synthetic, SameOptionsSameBytesOtherSeedOtherSamples) {
  SyntheticOptions o;
  o.size = 64;
  const Dataset a = make_synthetic(o), b = make_synthetic(o);
  EXPECT_EQ(a.images, b.images);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_TRUE(a.validate());
  o.seed = 1;
  const Dataset c = make_synthetic(o);
  EXPECT_NE(a.images, c.images);
  std::vector<int> count(o.num_classes);
  for (int32_t l : c.labels) ++count[l];
  for (int n : count) EXPECT_EQ(n, 16);  // balanced
}

// Learnable: a nearest-class-mean classifier fitted on one seed classifies
// another seed's samples (same prototypes) almost perfectly.
TEST(Synthetic, NearestMeanClassifierGeneralises) {
  SyntheticOptions o;
  o.size = 400;
  o.height = 6;
  o.width = 6;
  o.channels = 2;
  o.num_classes = 5;
  o.noise = 0.5f;
  const Dataset train = make_synthetic(o);
  o.seed = 7;
  o.size = 200;
  const Dataset test = make_synthetic(o);
  const int64_t per = train.image_numel();
  std::vector<double> mean(o.num_classes * per, 0.0);
  std::vector<int> n(o.num_classes, 0);
  for (int64_t i = 0; i < train.size(); ++i) {
    ++n[train.labels[i]];
    for (int64_t k = 0; k < per; ++k) mean[train.labels[i] * per + k] += train.image(i)[k];
  }
  for (int c = 0; c < o.num_classes; ++c)
    for (int64_t k = 0; k < per; ++k) mean[c * per + k] /= n[c];
  int correct = 0;
  for (int64_t i = 0; i < test.size(); ++i) {
    int best = -1;
    double best_d = std::numeric_limits<double>::max();
    for (int c = 0; c < o.num_classes; ++c) {
      double d = 0;
      for (int64_t k = 0; k < per; ++k) {
        const double e = test.image(i)[k] - mean[c * per + k];
        d += e * e;
      }
      if (d < best_d) best_d = d, best = c;
    }
    correct += best == test.labels[i];
  }
  EXPECT_GE(correct, 190);
}

}  // namespace
}  // namespace nas::train
