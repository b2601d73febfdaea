// Bilinear resizing of NHWC images, with PyTorch's align_corners=False
// convention (pixel centres at +0.5, no anti-aliasing), so a network sees
// the same pixels it would after torch.nn.functional.interpolate.
#pragma once

#include <cstdint>

#include "nas/train/data/dataset.h"
#include "ops/core/tensor.h"

namespace nas::train {

// One HWC image src (in_h x in_w x c) into dst (out_h x out_w x c).
// REQUIRES: positive sizes; src and dst do not overlap.
void resize_bilinear(const float* src, int64_t in_h, int64_t in_w, int64_t c, float* dst,
                     int64_t out_h, int64_t out_w);

// Every image of data at height x width (a copy; the same size returns a copy
// unchanged). Runs in parallel over images; the result does not depend on
// the thread count. REQUIRES: height, width > 0.
Dataset resize_dataset(const Dataset& data, int64_t height, int64_t width);

// A batch [N,H,W,C] into out [N,H',W',C] (out's shape gives the size), e.g.
// for once-for-all's elastic input resolution, which resizes each batch to a
// sampled size. Parallel over images, thread-count independent.
// REQUIRES: rank 4, same N and C; out does not overlap images.
void resize_batch(const ops::Tensor& images, const ops::Tensor& out);

}  // namespace nas::train
