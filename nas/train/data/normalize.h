// Per-channel normalisation by statistics of the training set, applied
// alike to valid and test so that no information flows back from them.
#pragma once

#include <vector>

#include "nas/train/data/dataset.h"

namespace nas::train {

struct ChannelStats {
  std::vector<float> mean;    // one per channel
  std::vector<float> stddev;  // one per channel, population std (divides by N)
};

// Mean and standard deviation of each channel over every pixel of every
// image, accumulated in double in a fixed order (deterministic).
// REQUIRES: data.size() > 0.
ChannelStats channel_stats(const Dataset& data);

// x = (x - mean[c]) / stddev[c] in place; a channel with stddev below 1e-12
// is only centred. REQUIRES: stats has data.channels entries.
void normalize(Dataset& data, const ChannelStats& stats);

}  // namespace nas::train
