#include "nas/cli/extract_command.h"

namespace nas::cli {

ExtractCommand::ExtractCommand()
    : NotBuiltCommand("extract", "write the chosen subnet of a run: arch.yaml + weights.safetensors",
                      "runs/NAME [--select best|pareto:K|CONSTRAINT] --out DIR [--epochs N]",
                      "the search-engine issue") {}

}  // namespace nas::cli
