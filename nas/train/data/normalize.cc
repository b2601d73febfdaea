#include "nas/train/data/normalize.h"

#include <cmath>

namespace nas::train {

ChannelStats channel_stats(const Dataset& data) {
  NAS_CHECK(data.size() > 0);
  const int64_t c = data.channels;
  std::vector<double> sum(c, 0.0), sum_sq(c, 0.0);
  const int64_t pixels = data.size() * data.height * data.width;
  const float* x = data.images.data();
  for (int64_t p = 0; p < pixels; ++p) {
    for (int64_t k = 0; k < c; ++k) {
      const double v = x[p * c + k];
      sum[k] += v;
      sum_sq[k] += v * v;
    }
  }
  ChannelStats s;
  for (int64_t k = 0; k < c; ++k) {
    const double mean = sum[k] / static_cast<double>(pixels);
    const double var = std::max(0.0, sum_sq[k] / static_cast<double>(pixels) - mean * mean);
    s.mean.push_back(static_cast<float>(mean));
    s.stddev.push_back(static_cast<float>(std::sqrt(var)));
  }
  return s;
}

void normalize(Dataset& data, const ChannelStats& stats) {
  const int64_t c = data.channels;
  NAS_CHECK(static_cast<int64_t>(stats.mean.size()) == c &&
            static_cast<int64_t>(stats.stddev.size()) == c);
  std::vector<float> scale(c);
  for (int64_t k = 0; k < c; ++k)
    scale[k] = stats.stddev[k] > 1e-12f ? 1.0f / stats.stddev[k] : 1.0f;
  const int64_t pixels = data.size() * data.height * data.width;
  float* x = data.images.data();
  for (int64_t p = 0; p < pixels; ++p) {
    for (int64_t k = 0; k < c; ++k) x[p * c + k] = (x[p * c + k] - stats.mean[k]) * scale[k];
  }
}

}  // namespace nas::train
