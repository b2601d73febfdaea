// A tiny macro space for the profiler's tests: 4 genotypes (block x kernel),
// 8x8 inputs, so collecting and measuring its configurations takes
// milliseconds.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "nas/space/space_loader.h"

namespace nas::hardware::testing {

inline std::string write_tiny_space(const std::string& dir, const std::string& name = "tiny",
                                    const std::string& width = "8") {
  const std::string path = dir + "/" + name + ".yaml";
  std::ofstream(path) << "name: " << name << "\nkind: macro\ninput: {channels: 1, resolution: 8}\n"
                      << "stem: {width: 8, kernel: 3, stride: 1}\n"
                      << "stages:\n"
                      << "  - {block: [conv, mbconv], kernel: [3, 5], expand: 2, width: " << width
                      << ", depth: 1, stride: 1}\n"
                      << "head: {classes: 2}\n";
  return path;
}

inline std::unique_ptr<space::Space> load_tiny_space(const std::string& path) {
  config::Diagnostics d;
  auto s = space::load_space(path, d);
  EXPECT_TRUE(s) << d.str();
  return s;
}

// A fresh folder under the test's temporary directory.
inline std::string fresh_dir(const std::string& name) {
  const std::filesystem::path p = std::filesystem::path(::testing::TempDir()) / ("nas_profiler_" + name);
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

}  // namespace nas::hardware::testing
