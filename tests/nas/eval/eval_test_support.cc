#include "tests/nas/eval/eval_test_support.h"

#include <fstream>

#include <gtest/gtest.h>

#include "nas/space/space_loader.h"

namespace nas::testing {

std::string tiny_space_yaml() {
  return "name: tiny\n"
         "kind: macro\n"
         "input: {channels: 1, resolution: 8}\n"
         "stem: {width: 8, kernel: 3, stride: 1, activation: relu}\n"
         "stages:\n"
         "  - {block: mbconv, kernel: [3, 5], expand: [1, 2], width: [8, 16], depth: 1, stride: 2}\n"
         "head: {classes: 4}\n";
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  NAS_CHECK(out.good());
}

std::unique_ptr<space::Space> load_tiny_space(const std::string& folder) {
  const std::string path = folder + "/tiny.yaml";
  write_text(path, tiny_space_yaml());
  config::Diagnostics d;
  auto space = space::load_space(path, d);
  EXPECT_TRUE(space) << d.str();
  NAS_CHECK(space != nullptr);
  return space;
}

}  // namespace nas::testing
