// Where the project's data folders (search_spaces/, hardware_profiles/,
// experiments/) are, for `nas list` and for names given without a path.
#pragma once

#include <filesystem>

namespace nas {

// The first of: $NAS_HOME; the executable's folder and its parents (a build
// tree inside the checkout); the source tree this binary was built from.
// Empty path when none holds search_spaces/.
std::filesystem::path data_root();

}  // namespace nas
