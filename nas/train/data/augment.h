// Training-time augmentation of one HWC image: random crop after zero
// padding, and horizontal flip. Randomness comes from the caller's Rng, so
// the batch loader can seed it per sample and stay thread-count independent.
#pragma once

#include <cstdint>

#include "nas/train/rng.h"
#include "ops/core/status.h"

namespace nas::train {

struct AugmentOptions {
  int64_t crop_padding = 0;      // pad by this many zero pixels on each side, then crop back
                                 // to the original size at a random offset; 0 = no crop
  bool horizontal_flip = false;  // mirror left-right with probability 1/2

  bool enabled() const { return crop_padding > 0 || horizontal_flip; }
};

// Writes the augmented src (h x w x c) to dst. Draws from rng, in this order:
// the crop's row offset, its column offset (each uniform in [0, 2*padding]),
// then the flip coin. Padding is zero, i.e. the mean of normalised data.
// REQUIRES: src and dst do not overlap; crop_padding >= 0.
void augment_image(const AugmentOptions& options, const float* src, int64_t h, int64_t w, int64_t c,
                   float* dst, Rng& rng);

// Mirrors an HWC image left-right in place.
void flip_horizontal(float* image, int64_t h, int64_t w, int64_t c);

}  // namespace nas::train
