// Shared helpers of the cell-space tests: loading the shipped spaces from
// the repo root and checking decoded networks.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "nas/config/diagnostics.h"
#include "nas/graph/architecture_builder.h"
#include "nas/space/cell/cell_loader.h"
#include "nas/space/cell/cell_space.h"
#include "nas/space/space_loader.h"
#include "tests/nas/config/test_paths.h"

namespace nas::space::cell::testing {

inline std::unique_ptr<Space> load_shipped(const std::string& file) {
  config::testing::enter_repo_root();
  config::Diagnostics diags;
  auto space = load_space("search_spaces/" + file, diags);
  EXPECT_TRUE(diags.empty()) << diags.str();
  return space;
}

inline CellConfig load_config(const std::string& file) {
  config::testing::enter_repo_root();
  config::Diagnostics diags;
  auto c = load_cell_config("search_spaces/" + file, diags);
  EXPECT_TRUE(c.has_value()) << diags.str();
  return c.value_or(CellConfig{});
}

}  // namespace nas::space::cell::testing
