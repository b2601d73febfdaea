// Turns an architecture file's nodes into a NetworkSpec for a batch size.
#pragma once

#include "nas/config/architecture.h"
#include "nas/graph/network_spec.h"

namespace nas::graph {

// The network input is node 0 ("input", [batch, H, W, C]); the spec's output
// is the architecture's output node. Shape errors come back as
// "file:line:col: error: ..." pointing at the node that failed.
Result<NetworkSpec> build_network_spec(const config::Architecture& arch, int64_t batch);

}  // namespace nas::graph
