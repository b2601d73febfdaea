#include "ops/core/workspace.h"

#include <algorithm>

#include "ops/core/tensor.h"

namespace nas::ops {
namespace {
constexpr int64_t kAlignFloats = kAlignBytes / sizeof(float);
constexpr int64_t kMinBlockFloats = 1 << 16;
int64_t round_up(int64_t n) { return (n + kAlignFloats - 1) / kAlignFloats * kAlignFloats; }
}  // namespace

float* Workspace::alloc_floats(int64_t n) {
  n = round_up(std::max<int64_t>(n, 1));
  while (current_ < blocks_.size() && offset_ + n > blocks_[current_].floats) {
    used_floats_ += blocks_[current_].floats - offset_;  // the tail is skipped
    ++current_;
    offset_ = 0;
  }
  if (current_ == blocks_.size()) {
    int64_t size = std::max({n, kMinBlockFloats, blocks_.empty() ? 0 : 2 * blocks_.back().floats});
    blocks_.push_back({allocate_floats(size), size});
  }
  float* p = blocks_[current_].data.get() + offset_;
  offset_ += n;
  used_floats_ += n;
  peak_bytes_ = std::max<int64_t>(peak_bytes_, used_floats_ * static_cast<int64_t>(sizeof(float)));
  return p;
}

void Workspace::reset() {
  if (blocks_.size() > 1) {
    // Merge into one block big enough for everything, so the next identical
    // step allocates nothing.
    int64_t total = 0;
    for (const Block& b : blocks_) total += b.floats;
    blocks_.clear();
    blocks_.push_back({allocate_floats(total), total});
  }
  current_ = 0;
  offset_ = 0;
  used_floats_ = 0;
}

void Workspace::release(const Mark& m) {
  current_ = m.block;
  offset_ = m.offset;
  used_floats_ = m.used;
}

int64_t Workspace::capacity_bytes() const {
  int64_t total = 0;
  for (const Block& b : blocks_) total += b.floats;
  return total * static_cast<int64_t>(sizeof(float));
}

Workspace& thread_scratch() {
  thread_local Workspace ws;
  return ws;
}

}  // namespace nas::ops
