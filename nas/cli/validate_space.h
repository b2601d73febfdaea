// `nas validate SPACE.yaml`: what a space holds and what its networks cost.
#pragma once

#include <cstdint>
#include <string>

namespace nas::cli {

// Prints the decisions and their choices, the exact space size, min / median
// / max MACs and params over `samples` random genotypes (seeded), and one
// sampled architecture in the architecture-file format. Returns the exit code.
int validate_space(const std::string& path, int samples, uint64_t seed);

}  // namespace nas::cli
