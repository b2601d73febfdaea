// Helpers shared by the layer ops: creation-time shape errors, the cost
// convention, and fixed-partition channel reductions.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>

#include "ops/core/cost.h"
#include "ops/core/op.h"
#include "ops/core/parallel.h"
#include "ops/core/shape.h"
#include "ops/core/status.h"

namespace nas::ops::layers {

// "failed to create op 'max_pool' with inputs [2,5,5,3]: <constraint>".
inline Status creation_error(const char* op, std::span<const Shape> inputs,
                             const std::string& constraint) {
  std::string shapes;
  for (const Shape& s : inputs) {
    if (!shapes.empty()) shapes += ", ";
    shapes += s.str();
  }
  if (shapes.empty()) shapes = "(none)";
  return Status::error(std::string("failed to create op '") + op + "' with inputs " + shapes +
                       ": " + constraint);
}

inline int64_t total_numel(std::span<const Shape> shapes) {
  int64_t n = 0;
  for (const Shape& s : shapes) n += s.numel();
  return n;
}

// The cost convention of every layer op (forward pass, fp32): bytes_read is
// each input and each parameter read once, bytes_written each output written
// once, params the learnable scalars. The op adds macs and flops_other.
inline OpCost io_cost(std::span<const Shape> inputs, std::span<const Shape> outputs,
                      std::span<const ParamSpec> params) {
  OpCost c;
  int64_t p = 0;
  for (const ParamSpec& s : params) p += s.shape.numel();
  c.params = p;
  c.bytes_read = 4 * (total_numel(inputs) + p);
  c.bytes_written = 4 * total_numel(outputs);
  return c;
}

// Rows per parallel task for streaming elementwise work over rows of
// `row_len` floats: about 16k floats a task.
inline int64_t row_grain(int64_t row_len) {
  return std::max<int64_t>(1, (int64_t{1} << 14) / std::max<int64_t>(row_len, 1));
}

// Floats per parallel task of a purely elementwise pass (activations, add
// and mul, BatchNorm's normalise and grad-input): small enough that the
// 16k-float tensors of small cells split over both threads the way the pools
// and convs feeding them do, so each thread reads back rows it wrote itself;
// run whole on the calling thread, half of every such tensor crossed cores at
// each hand-off (NAS-Bench-201 cells: up to 2.3x slower by wiring alone,
// docs/profiling.md, session 6). Elementwise work gives the same bits on any
// split.
inline constexpr int64_t kElementwiseGrain = int64_t{1} << 12;

// Rows per task of a purely elementwise pass over rows of `row_len` floats.
inline int64_t elementwise_row_grain(int64_t row_len) {
  return std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(row_len, 1));
}

// A partition of `rows` into blocks that depends only on `rows`, never on the
// thread count, so reductions over blocks give the same bits on any number of
// threads. At most kMaxBlocks blocks of at least kMinRows rows.
struct RowBlocks {
  static constexpr int64_t kMaxBlocks = 64;
  static constexpr int64_t kMinRows = 128;
  int64_t rows = 0;
  int64_t count = 1;
  explicit RowBlocks(int64_t r)
      : rows(r), count(std::clamp<int64_t>(r / kMinRows, 1, kMaxBlocks)) {}
  int64_t begin(int64_t b) const { return rows * b / count; }
  int64_t end(int64_t b) const { return rows * (b + 1) / count; }
};

// Per-channel sums over rows in a fixed order: accumulate(row_begin, row_end,
// acc) adds into `acc` (width floats, zeroed) for its rows; blocks run in
// parallel, then are combined in block order in double into out[width].
// `partials` must hold blocks.count * width floats (op state, sized once).
template <typename Accumulate>
void reduce_rows(const RowBlocks& blocks, int64_t width, float* partials, double* out,
                 const Accumulate& accumulate) {
  parallel_for(blocks.count, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      float* acc = partials + b * width;
      std::fill(acc, acc + width, 0.0f);
      accumulate(blocks.begin(b), blocks.end(b), acc);
    }
  });
  std::fill(out, out + width, 0.0);
  for (int64_t b = 0; b < blocks.count; ++b) {
    const float* acc = partials + b * width;
    for (int64_t j = 0; j < width; ++j) out[j] += acc[j];
  }
}

}  // namespace nas::ops::layers
