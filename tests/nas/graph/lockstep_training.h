// Checks the tests of executor options share (fusion, in-place gradients,
// BatchNorm passes in convs): two training networks stepped side by side on
// the same batches, which must not differ by a bit, and one network's
// gradients against central differences of its loss.
#pragma once

#include <string>
#include <vector>

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

// The gradients of every 5th element of each named parameter after one
// backward pass on the first of those batches, against central differences
// of the loss (eps 1e-2, tolerance 2e-3 + 2% of the difference); fails the
// calling test unless more than `min_checked` elements were compared.
void expect_gradients_match_finite_differences(Network& net, ops::Shape x_shape,
                                               const std::vector<std::string>& names,
                                               int min_checked);

// Test network pieces. From node x: 1x1 conv to `expand` channels "expand" -> batch_norm "bn_e" -> relu6
// "act_e" -> 3x3 depthwise "dw" (stride) -> batch_norm "bn_d" -> relu6 "act_d";
void add_expand_depthwise(NetworkSpec& s, int x, int64_t expand, int stride);
// After the last node added: global_avg_pool "pool" -> linear "fc" (3 classes, bias) -> softmax cross-entropy
// "loss" against the input node `labels`.
void add_classifier_head(NetworkSpec& s, int labels);

}  // namespace nas::graph::testing
