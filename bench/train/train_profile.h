// Where a training step of bench_train_nas spends its time, two ways:
//  - phases of the real step (data, forward, backward, optimizer), timed
//    around the same Network and SGD-momentum optimizer the Trainer uses;
//  - a per-node replay: every op of the network created alone with the
//    node's shapes and timed forward, backward, and for ops with weights
//    backward-data and backward-weights separately, summed per op kind.
// The replay runs each op on its own buffers (warm in cache between
// repeats), so its sum can differ from the real step; both are printed.
// On a shared machine the replay keeps each node's fastest of several
// interleaved passes (an estimate of its uncontended time); the phases give
// the median and the fastest step.
#pragma once

#include <cstdint>

#include "nas/config/architecture.h"
#include "nas/train/data/dataset.h"

namespace nas::bench {

struct ProfileOptions {
  int64_t batch = 128;
  int steps = 20;  // real steps timed per phase (after 5 warm-up steps)
  float lr = 0.05f;
  float momentum = 0.9f;
  int replay_passes = 3;  // per-node replay: passes over the network, the fastest kept
};

// A synthetic 10-class dataset (train/data/synthetic.h) of `size` images of
// the architecture's input shape: random data with learnable labels.
train::Dataset synthetic_dataset(const config::Architecture& arch, int64_t size, uint64_t seed);

// Prints the phase split and the per-op-kind table to stdout, lines
// starting with "profile" (machine-readable) and "#" (human notes).
// Returns false (after a message on stderr) when the network cannot be built.
bool profile_training(const config::Architecture& arch, const ProfileOptions& options);

}  // namespace nas::bench
