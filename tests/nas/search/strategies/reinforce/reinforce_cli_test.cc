// The NAS-Bench-201 REINFORCE experiment (experiments/reinforce_nas_bench_201.yaml,
// whose published table cannot ship) in the repository layout it expects —
// experiments/, experiments/tables/nb201.csv, search_spaces/, hardware_profiles/
// — with a STAND-IN table: every one of the 15,625 cells with a made-up
// accuracy that is a fixed function of its ops (test data, never reported as
// NAS-Bench-201 results). `nas validate` accepts it and `nas search` runs
// REINFORCE through the tabular evaluator; a resumed run matches.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "nas/config/diagnostics.h"
#include "nas/space/space_loader.h"
#include "tests/nas/testing/run_nas.h"

namespace nas {
namespace {

namespace fs = std::filesystem;

// accuracy = 0.5 + 0.07 * (conv 3x3 edges) + 0.03 * (conv 1x1 edges)
// - 0.02 * (pool edges), in [0.38, 0.92]: a smooth stand-in.
void write_stand_in_table(const space::Space& space, const fs::path& file) {
  std::ofstream out(file);
  out << "# STAND-IN for tests: not NAS-Bench-201 results\narch,accuracy\n";
  space::Genotype g(space.decisions().size(), 0);
  const int k = static_cast<int>(space.decisions()[0].choices.size());
  for (;;) {
    double acc = 0.5;
    for (size_t i = 0; i < g.size(); ++i) {
      const std::string& op = space.decisions()[i].choices[g[i]];
      acc += op == "nor_conv_3x3"   ? 0.07
             : op == "nor_conv_1x1" ? 0.03
             : op == "avg_pool_3x3" ? -0.02
                                    : 0.0;
    }
    out << space.canonical_string(g) << "," << acc << "\n";
    size_t i = 0;
    while (i < g.size() && ++g[i] == k) g[i++] = 0;
    if (i == g.size()) break;
  }
}

class ReinforceNasBench201 : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path src = testing::source_dir();
    root_ = fs::path(dir_.path());
    for (const char* d : {"experiments/tables", "search_spaces", "hardware_profiles"})
      fs::create_directories(root_ / d);
    fs::copy_file(src / "experiments/reinforce_nas_bench_201.yaml",
                  root_ / "experiments/reinforce_nas_bench_201.yaml");
    fs::copy_file(src / "search_spaces/nas_bench_201.yaml",
                  root_ / "search_spaces/nas_bench_201.yaml");
    fs::copy_file(src / "hardware_profiles/raspberry_pi4.yaml",
                  root_ / "hardware_profiles/raspberry_pi4.yaml");
    config::Diagnostics d;
    const auto space = space::load_space((root_ / "search_spaces/nas_bench_201.yaml").string(), d);
    ASSERT_NE(space, nullptr) << d.str();
    write_stand_in_table(*space, root_ / "experiments/tables/nb201.csv");
  }
  // The experiment with a smaller budget and its run folder under the temp dir.
  std::string experiment(int candidates) const {
    std::string text = testing::read_file(root_ / "experiments/reinforce_nas_bench_201.yaml");
    const std::string from = "candidates: 500", to = "candidates: " + std::to_string(candidates);
    text.replace(text.find(from), from.size(), to);
    text += "output: ../runs/rl\n";
    const fs::path p = root_ / "experiments/small.yaml";
    std::ofstream(p) << text;
    return p.string();
  }

  testing::TempDir dir_;
  fs::path root_;
};

TEST_F(ReinforceNasBench201, ValidatesAndSearchesWithTheTabularEvaluator) {
  const auto v =
      testing::run_nas("validate experiments/reinforce_nas_bench_201.yaml", root_.string());
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("valid"), std::string::npos) << v.out;
  const auto s = testing::run_nas("search " + experiment(48) + " --quiet", root_.string());
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const std::string history = testing::read_file(root_ / "runs/rl/history.jsonl");
  EXPECT_EQ(std::count(history.begin(), history.end(), '\n'), 48);
  EXPECT_EQ(history.find("not in table"), std::string::npos);
}

// A run stopped at 24 of 48 candidates and resumed gives the history of an
// uninterrupted run (timings aside), so the controller was rebuilt exactly.
TEST_F(ReinforceNasBench201, ResumedRunMatchesAnUninterruptedOne) {
  auto strip_timings = [](std::string text) {
    std::string out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      for (const char* key : {"\"eval_seconds\":", "\"cost_seconds\":"}) {
        const size_t a = line.find(key);
        if (a == std::string::npos) continue;
        const size_t b = line.find_first_of(",}", a);
        line.erase(a, b - a);
      }
      out += line + "\n";
    }
    return out;
  };
  ASSERT_EQ(testing::run_nas("search " + experiment(48) + " --quiet", root_.string()).exit_code, 0);
  const std::string whole = testing::read_file(root_ / "runs/rl/history.jsonl");
  fs::remove_all(root_ / "runs/rl");
  ASSERT_EQ(testing::run_nas("search " + experiment(24) + " --quiet", root_.string()).exit_code, 0);
  const auto r = testing::run_nas("search " + experiment(48) + " --resume --quiet", root_.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string resumed = testing::read_file(root_ / "runs/rl/history.jsonl");
  EXPECT_EQ(strip_timings(resumed), strip_timings(whole));
  EXPECT_NE(whole.find("eval_seconds"), std::string::npos) << "timing key names changed";
}

}  // namespace
}  // namespace nas
