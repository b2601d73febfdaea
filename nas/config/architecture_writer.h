// Writes an Architecture in the architecture-file format (docs/architecture.md)
// that load_architecture() reads back: what `nas extract` saves and
// `nas validate SPACE.yaml` prints.
#pragma once

#include <string>

#include "nas/config/architecture.h"

namespace nas::config {

// Settings equal to OpAttrs' defaults are left out; a node's `inputs` are
// written only when they are not just the previous node.
std::string write_architecture(const Architecture& arch);

}  // namespace nas::config
