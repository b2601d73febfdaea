#include "ops/core/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace nas::ops {

std::shared_ptr<float[]> allocate_floats(int64_t n) {
  NAS_CHECK(n >= 0);
  std::size_t bytes = static_cast<std::size_t>(std::max<int64_t>(n, 1)) * sizeof(float);
  bytes = (bytes + kAlignBytes - 1) / kAlignBytes * kAlignBytes;
  void* p = std::aligned_alloc(kAlignBytes, bytes);
  if (p == nullptr) throw std::bad_alloc();
  return std::shared_ptr<float[]>(static_cast<float*>(p), [](float* q) { std::free(q); });
}

Tensor Tensor::empty(const Shape& shape) {
  Tensor t;
  t.storage_ = allocate_floats(shape.numel());
  t.data_ = t.storage_.get();
  t.shape_ = shape;
  return t;
}

Tensor Tensor::zeros(const Shape& shape) {
  Tensor t = empty(shape);
  t.fill(0.0f);
  return t;
}

Tensor Tensor::wrap(float* data, const Shape& shape) {
  Tensor t;
  t.data_ = data;
  t.shape_ = shape;
  return t;
}

Tensor Tensor::reshaped(const Shape& shape) const {
  NAS_CHECK(shape.numel() == numel());
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

Tensor Tensor::slice0(int64_t begin, int64_t count) const {
  NAS_CHECK(rank() >= 1 && begin >= 0 && count >= 0 && begin + count <= dim(0));
  Tensor t = *this;
  t.shape_[0] = count;
  t.data_ = data_ + begin * (numel() / std::max<int64_t>(dim(0), 1));
  return t;
}

void Tensor::fill(float v) const { std::fill(data_, data_ + numel(), v); }

Tensor Tensor::clone() const {
  Tensor t = empty(shape_);
  if (numel() > 0) std::memcpy(t.data_, data_, numel() * sizeof(float));
  return t;
}

}  // namespace nas::ops
