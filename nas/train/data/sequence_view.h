// Images as sequences, for sequence search spaces (RNN / transformer cells):
// either each image row is a time step, or each p x p patch is a token.
#pragma once

#include <cstdint>

#include "ops/core/tensor.h"

namespace nas::train {

enum class SequenceLayout {
  kImage,    // [B, H, W, C]: no change
  kRows,     // [B, T = H, W * C]: row y is time step y
  kPatches,  // [B, T = (H/p) * (W/p), p * p * C]: patches in row-major order, each patch
             // flattened as (py, px, c)
};

// The shape a batch [B,H,W,C] takes in `layout`. REQUIRES: for kPatches,
// patch > 0 divides H and W.
ops::Shape sequence_shape(const ops::Shape& images, SequenceLayout layout, int64_t patch);

// Rows as time steps: a view of the same buffer (NHWC rows are contiguous).
ops::Tensor rows_as_sequence(const ops::Tensor& images);

// Writes images [B,H,W,C] as patch tokens into out, whose shape must be
// sequence_shape(images.shape(), kPatches, patch). REQUIRES: out does not
// overlap images.
void patches_as_tokens(const ops::Tensor& images, int64_t patch, const ops::Tensor& out);

}  // namespace nas::train
