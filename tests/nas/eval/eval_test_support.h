// Shared set-up of the evaluator tests: a tiny macro space for 8x8x1
// synthetic images, written to a temporary folder and loaded.
#pragma once

#include <memory>
#include <string>

#include "nas/space/space.h"

namespace nas::testing {

// The YAML of a 4-class macro space for 8x8x1 inputs with 8 genotypes
// (stage1.kernel x stage1.expand x stage1.width).
std::string tiny_space_yaml();

// Writes `text` to `path` (creating nothing else). REQUIRES: success.
void write_text(const std::string& path, const std::string& text);

// Loads the tiny space from `folder`/tiny.yaml (written first). REQUIRES: success.
std::unique_ptr<space::Space> load_tiny_space(const std::string& folder);

}  // namespace nas::testing
