#include "nas/train/data/sequence_view.h"

#include <algorithm>

namespace nas::train {

ops::Shape sequence_shape(const ops::Shape& s, SequenceLayout layout, int64_t patch) {
  NAS_CHECK(s.rank() == 4);
  switch (layout) {
    case SequenceLayout::kImage:
      return s;
    case SequenceLayout::kRows:
      return ops::Shape{s[0], s[1], s[2] * s[3]};
    case SequenceLayout::kPatches:
      NAS_CHECK(patch > 0 && s[1] % patch == 0 && s[2] % patch == 0);
      return ops::Shape{s[0], (s[1] / patch) * (s[2] / patch), patch * patch * s[3]};
  }
  NAS_CHECK(false);
  return s;
}

ops::Tensor rows_as_sequence(const ops::Tensor& images) {
  return images.reshaped(sequence_shape(images.shape(), SequenceLayout::kRows, 0));
}

void patches_as_tokens(const ops::Tensor& images, int64_t patch, const ops::Tensor& out) {
  const ops::Shape& s = images.shape();
  NAS_CHECK(out.shape() == sequence_shape(s, SequenceLayout::kPatches, patch));
  const int64_t b = s[0], h = s[1], w = s[2], c = s[3];
  const int64_t ph = h / patch, pw = w / patch;
  const int64_t run = patch * c;  // one patch row is contiguous in the image
  for (int64_t n = 0; n < b; ++n) {
    const float* img = images.data() + n * h * w * c;
    float* tokens = out.data() + n * h * w * c;
    for (int64_t ty = 0; ty < ph; ++ty) {
      for (int64_t tx = 0; tx < pw; ++tx) {
        float* tok = tokens + (ty * pw + tx) * patch * run;
        for (int64_t py = 0; py < patch; ++py) {
          const float* src = img + ((ty * patch + py) * w + tx * patch) * c;
          std::copy(src, src + run, tok + py * run);
        }
      }
    }
  }
}

}  // namespace nas::train
