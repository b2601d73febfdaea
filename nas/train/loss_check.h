// Checks the trainer runs on every step: a non-finite loss or gradient makes
// the candidate fail (an error result, not a crash), and the search goes on.
#pragma once

#include <cstdint>
#include <string>

#include "ops/core/status.h"
#include "ops/core/tensor.h"

namespace nas::train {

// Ok for a finite loss; else "failed to train at step 12: loss is nan".
Status check_loss_finite(float loss, int64_t step);

// Index of the first NaN or infinite element of t, or -1 when all are finite.
int64_t first_non_finite(const ops::Tensor& t);

// Ok when every element of t is finite; else
// "failed to train at step 12: <what> has a non-finite value (inf at index 7)".
Status check_tensor_finite(const ops::Tensor& t, const std::string& what, int64_t step);

}  // namespace nas::train
