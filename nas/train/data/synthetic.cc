#include "nas/train/data/synthetic.h"

#include <numeric>
#include <vector>

#include "nas/train/rng.h"

namespace nas::train {

Dataset make_synthetic(const SyntheticOptions& o) {
  NAS_CHECK(o.size >= 0 && o.height > 0 && o.width > 0 && o.channels > 0);
  NAS_CHECK(o.num_classes >= 1 && o.noise >= 0.0f);
  Dataset d;
  d.name = "synthetic";
  d.height = o.height;
  d.width = o.width;
  d.channels = o.channels;
  d.num_classes = o.num_classes;
  const int64_t per = d.image_numel();

  std::vector<float> prototypes(static_cast<std::size_t>(o.num_classes * per));
  Rng pattern(mix_seed(o.pattern_seed, 0x5EED));
  for (float& v : prototypes) v = pattern.uniform_float();

  d.labels.resize(o.size);
  for (int64_t i = 0; i < o.size; ++i) d.labels[i] = static_cast<int32_t>(i % o.num_classes);
  Rng order(mix_seed(o.seed, 1));
  order.shuffle(std::span<int32_t>(d.labels));

  d.images.resize(o.size * per);
  for (int64_t i = 0; i < o.size; ++i) {
    Rng noise(mix_seed(o.seed, 2 + static_cast<uint64_t>(i)));
    const float* proto = prototypes.data() + d.labels[i] * per;
    float* img = d.image(i);
    for (int64_t k = 0; k < per; ++k) img[k] = proto[k] + o.noise * noise.normal();
  }
  return d;
}

}  // namespace nas::train
