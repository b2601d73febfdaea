// Normalisation, resizing, augmentation and sequence views.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "nas/train/data/augment.h"
#include "nas/train/data/normalize.h"
#include "nas/train/data/resize.h"
#include "nas/train/data/sequence_view.h"
#include "nas/train/data/synthetic.h"

namespace nas::train {
namespace {

TEST(Normalize, TrainStatsGiveZeroMeanUnitStd) {
  SyntheticOptions o;
  o.size = 50;
  o.channels = 3;
  Dataset d = make_synthetic(o);
  const ChannelStats s = channel_stats(d);
  ASSERT_EQ(s.mean.size(), 3u);
  normalize(d, s);
  const ChannelStats after = channel_stats(d);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(after.mean[c], 0.0f, 1e-5);
    EXPECT_NEAR(after.stddev[c], 1.0f, 1e-4);
  }
}

TEST(Resize, MatchesPyTorchBilinear) {
  const float src[4] = {0, 1, 2, 3};
  float dst[16];
  resize_bilinear(src, 2, 2, 1, dst, 4, 4);
  // torch.nn.functional.interpolate(..., mode="bilinear", align_corners=False)
  const float expect[16] = {0,   0.25, 0.75, 1,   0.5, 0.75, 1.25, 1.5,
                            1.5, 1.75, 2.25, 2.5, 2,   2.25, 2.75, 3};
  for (int i = 0; i < 16; ++i) EXPECT_FLOAT_EQ(dst[i], expect[i]) << i;
  float odd[15];
  resize_bilinear(src, 2, 2, 1, odd, 3, 5);
  const float expect_odd[15] = {0,    0.1f, 0.5f, 0.9f, 1,    1,    1.1f, 1.5f,
                                1.9f, 2,    2,    2.1f, 2.5f, 2.9f, 3};
  for (int i = 0; i < 15; ++i) EXPECT_NEAR(odd[i], expect_odd[i], 1e-6) << i;
}

TEST(Resize, HalvingAveragesPairsAndChannelsStaySeparate) {
  Dataset d;
  d.name = "t";
  d.height = d.width = 4;
  d.channels = 2;
  d.num_classes = 1;
  d.labels = {0};
  for (int p = 0; p < 16; ++p) {
    d.images.push_back(static_cast<float>(p));
    d.images.push_back(100.0f);
  }
  const Dataset r = resize_dataset(d, 2, 2);
  ASSERT_EQ(r.images.size(), 8u);
  // out(0,0) = mean of pixels 0, 1, 4, 5.
  EXPECT_FLOAT_EQ(r.images[0], 2.5f);
  EXPECT_FLOAT_EQ(r.images[1], 100.0f);
  EXPECT_FLOAT_EQ(r.images[2 * 3], (10 + 11 + 14 + 15) / 4.0f);
  EXPECT_EQ(resize_dataset(d, 4, 4).images, d.images);
}

TEST(Resize, BatchEqualsPerImage) {
  const ops::Tensor in = ops::Tensor::empty({3, 5, 7, 2});
  for (int64_t i = 0; i < in.numel(); ++i) in.data()[i] = std::sin(0.1f * static_cast<float>(i));
  const ops::Tensor out = ops::Tensor::zeros({3, 8, 4, 2});
  resize_batch(in, out);
  std::vector<float> one(8 * 4 * 2);
  resize_bilinear(in.data() + 2 * 70, 5, 7, 2, one.data(), 8, 4);
  EXPECT_TRUE(std::equal(one.begin(), one.end(), out.data() + 2 * 64));
}

std::vector<float> unique_image(int64_t h, int64_t w, int64_t c) {
  std::vector<float> v(h * w * c);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i + 1);
  return v;
}

TEST(Augment, NoneIsIdentityAndFlipIsAnInvolution) {
  const std::vector<float> src = unique_image(5, 4, 3);
  std::vector<float> dst(src.size());
  Rng rng(1);
  augment_image(AugmentOptions{}, src.data(), 5, 4, 3, dst.data(), rng);
  EXPECT_EQ(dst, src);
  flip_horizontal(dst.data(), 5, 4, 3);
  EXPECT_EQ(dst[0 * 3 + 1], src[3 * 3 + 1]);  // pixel (0,0) came from (0,3), channels kept
  flip_horizontal(dst.data(), 5, 4, 3);
  EXPECT_EQ(dst, src);
}

// Every output of a padded crop is the input shifted by one (dy, dx) within
// the padding, zeros where the shift leaves the image; over many draws every
// shift occurs, and flips happen about half the time.
TEST(Augment, CropIsAShiftWithinPaddingAndFlipIsFair) {
  const int64_t h = 6, w = 5, c = 2, pad = 2;
  const std::vector<float> src = unique_image(h, w, c);
  std::vector<float> dst(src.size());
  AugmentOptions o;
  o.crop_padding = pad;
  o.horizontal_flip = true;
  std::set<std::pair<int, int>> shifts;
  int flips = 0;
  Rng rng(42);
  const int kDraws = 2000;
  for (int t = 0; t < kDraws; ++t) {
    augment_image(o, src.data(), h, w, c, dst.data(), rng);
    bool matched = false;
    for (int flip = 0; flip < 2 && !matched; ++flip) {
      std::vector<float> un = dst;
      if (flip) flip_horizontal(un.data(), h, w, c);
      for (int dy = -pad; dy <= pad && !matched; ++dy) {
        for (int dx = -pad; dx <= pad && !matched; ++dx) {
          bool ok = true;
          for (int64_t y = 0; y < h && ok; ++y)
            for (int64_t x = 0; x < w && ok; ++x)
              for (int64_t k = 0; k < c && ok; ++k) {
                const int64_t sy = y + dy, sx = x + dx;
                const float want =
                    (sy < 0 || sy >= h || sx < 0 || sx >= w) ? 0.0f : src[(sy * w + sx) * c + k];
                ok = un[(y * w + x) * c + k] == want;
              }
          if (ok) {
            matched = true;
            shifts.insert({dy, dx});
            flips += flip;
          }
        }
      }
    }
    ASSERT_TRUE(matched) << "draw " << t << " is not a shifted (flipped) copy";
  }
  EXPECT_EQ(shifts.size(), 25u);
  EXPECT_NEAR(flips, kDraws / 2, 150);
}

TEST(Augment, SameSeedSameOutput) {
  const std::vector<float> src = unique_image(8, 8, 1);
  std::vector<float> a(src.size()), b(src.size());
  AugmentOptions o;
  o.crop_padding = 3;
  o.horizontal_flip = true;
  Rng r1(5), r2(5);
  for (int t = 0; t < 10; ++t) {
    augment_image(o, src.data(), 8, 8, 1, a.data(), r1);
    augment_image(o, src.data(), 8, 8, 1, b.data(), r2);
    EXPECT_EQ(a, b);
  }
}

TEST(SequenceView, RowsAreAViewAndPatchesAreTokens) {
  const int64_t b = 2, h = 4, w = 6, c = 3;
  ops::Tensor img = ops::Tensor::empty({b, h, w, c});
  for (int64_t i = 0; i < img.numel(); ++i) img.data()[i] = static_cast<float>(i);
  const ops::Tensor rows = rows_as_sequence(img);
  EXPECT_EQ(rows.shape(), (ops::Shape{b, h, w * c}));
  EXPECT_EQ(rows.data(), img.data());

  const int64_t p = 2;
  const ops::Shape ts = sequence_shape(img.shape(), SequenceLayout::kPatches, p);
  EXPECT_EQ(ts, (ops::Shape{b, 2 * 3, p * p * c}));
  ops::Tensor tok = ops::Tensor::empty(ts);
  patches_as_tokens(img, p, tok);
  // Token (n=1, ty=1, tx=2), feature (py=1, px=0, ch=2) is pixel (1, 3, 4, 2).
  const int64_t n = 1, ty = 1, tx = 2, py = 1, px = 0, ch = 2;
  const float got = tok.data()[(n * 6 + ty * 3 + tx) * p * p * c + (py * p + px) * c + ch];
  const float want = img.data()[((n * h + ty * p + py) * w + tx * p + px) * c + ch];
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace nas::train
