// Tensor: float32, 64-byte-aligned shared storage, cheap views.
#pragma once

#include <cstddef>
#include <memory>

#include "ops/core/shape.h"

namespace nas::ops {

inline constexpr std::size_t kAlignBytes = 64;

// Allocates n floats aligned to kAlignBytes (uninitialised). Never returns null.
std::shared_ptr<float[]> allocate_floats(int64_t n);

// A shape over a float buffer. Copies are views that share the buffer; a
// default Tensor is empty (no buffer), which backward passes read as
// "this gradient is not needed".
class Tensor {
 public:
  Tensor() = default;
  // Owns a fresh uninitialised / zeroed buffer of shape.numel() floats.
  static Tensor empty(const Shape& shape);
  static Tensor zeros(const Shape& shape);
  // A non-owning view of external memory; the caller keeps it alive.
  static Tensor wrap(float* data, const Shape& shape);

  bool defined() const { return data_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int64_t numel() const { return shape_.numel(); }
  int64_t dim(int i) const { return shape_[i]; }
  int rank() const { return shape_.rank(); }
  float* data() const { return data_; }

  // Same buffer, another shape. REQUIRES: shape.numel() == numel().
  Tensor reshaped(const Shape& shape) const;
  // Contiguous slice [begin, begin+count) along dimension 0.
  Tensor slice0(int64_t begin, int64_t count) const;
  void fill(float v) const;
  // Deep copy into a new buffer.
  Tensor clone() const;

 private:
  std::shared_ptr<float[]> storage_;
  float* data_ = nullptr;
  Shape shape_;
};

}  // namespace nas::ops
