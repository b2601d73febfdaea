// Typed views of the thread's scratch arena for the conv algorithms.
#pragma once

#include <cstdint>
#include <cstring>

#include "ops/core/workspace.h"

namespace nas::ops::conv_detail {

inline int64_t* alloc_i64(ScratchScope& s, int64_t n) {
  // Floats are 64-byte aligned; two floats hold one int64.
  return reinterpret_cast<int64_t*>(s.alloc_floats(2 * n));
}

inline float* alloc_zeros(ScratchScope& s, int64_t n) {
  float* p = s.alloc_floats(n);
  std::memset(p, 0, sizeof(float) * n);
  return p;
}

}  // namespace nas::ops::conv_detail
