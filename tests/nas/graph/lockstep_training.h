// Two training networks stepped side by side on the same batches: the tests
// of executor options that must not change a bit (fusion, in-place
// gradients) share this one loop.
#pragma once

#include <string>

#include "nas/graph/network.h"

namespace nas::graph::testing {

// Same bits of the two tensors (float32).
bool same_bits(const ops::Tensor& a, const ops::Tensor& b);

// Runs `steps` forward/backward passes of a and b on the same synthetic
// batches of x_shape images (labels over 3 classes) with a plain SGD update
// after each; fails the calling test unless loss, parameter names and
// gradients are bit-identical at every step. `what` labels the failures.
void expect_same_training_steps(Network& a, Network& b, ops::Shape x_shape, int steps,
                                const std::string& what);

}  // namespace nas::graph::testing
