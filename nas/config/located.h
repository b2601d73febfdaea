// A value read from a user's file together with where it was written, so a
// later layer (space loader, engine) can point its own errors at it.
#pragma once

#include <utility>

#include "nas/config/diagnostics.h"

namespace nas::config {

template <typename T>
struct Located {
  T value{};
  Location where;  // line == 0 when the value is a default, not written by the user

  const T& operator*() const { return value; }
  const T* operator->() const { return &value; }
};

}  // namespace nas::config
