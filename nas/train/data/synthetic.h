// A synthetic, learnable image classification set for tests and smoke runs:
// each class has a fixed random prototype image; a sample is its class's
// prototype plus Gaussian noise. A linear model separates the classes when
// noise is small against the prototypes' spread (values in [0, 1]).
#pragma once

#include <cstdint>

#include "nas/train/data/dataset.h"

namespace nas::train {

struct SyntheticOptions {
  int64_t size = 1000;  // number of images
  int64_t height = 8;
  int64_t width = 8;
  int64_t channels = 1;
  int num_classes = 4;
  float noise = 0.3f;         // standard deviation of the per-pixel noise
  uint64_t pattern_seed = 0;  // defines the class prototypes: keep it equal for train and test
  uint64_t seed = 0;          // draws labels and noise: vary it between train and test
};

// Labels are balanced (image i has class i mod num_classes, then the order
// is shuffled by `seed`). Same options give the same bytes.
// REQUIRES: positive dimensions, num_classes >= 1, noise >= 0.
Dataset make_synthetic(const SyntheticOptions& options);

}  // namespace nas::train
