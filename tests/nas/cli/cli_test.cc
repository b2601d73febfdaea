// Exit codes and usage of the `nas` binary, run as a user runs it.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/nas/testing/run_nas.h"

namespace nas {
namespace {

using testing::run_nas;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(Cli, NoArgumentsPrintsUsageAndExits2) {
  auto r = run_nas("");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "usage: nas <command>")) << r.err;
}

TEST(Cli, VersionAndHelp) {
  auto v = run_nas("--version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_TRUE(contains(v.out, "nas 0.")) << v.out;
  auto h = run_nas("--help");
  EXPECT_EQ(h.exit_code, 0);
  for (const char* c : {"search", "validate", "profile", "cost", "train", "extract", "list"})
    EXPECT_TRUE(contains(h.out, std::string("  ") + c)) << c;
}

TEST(Cli, UnknownCommandSuggestsAndExits2) {
  auto r = run_nas("serch");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown command 'serch' (did you mean 'search'?)")) << r.err;
  EXPECT_TRUE(contains(r.err, "usage:")) << r.err;
}

TEST(Cli, UnknownTopLevelFlagExits2) {
  auto r = run_nas("--frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown option '--frobnicate'")) << r.err;
}

TEST(Cli, EverySubcommandHasHelp) {
  for (const char* c : {"search", "validate", "profile", "cost", "train", "extract", "list"}) {
    auto r = run_nas(std::string(c) + " --help");
    EXPECT_EQ(r.exit_code, 0) << c << "\n" << r.err;
    EXPECT_TRUE(contains(r.out, std::string("usage: nas ") + c)) << c << "\n" << r.out;
  }
}

TEST(Cli, AbbreviatedFlagIsAnErrorNotAGuess) {
  // `--sample` is not `--samples`: boost's prefix guessing is off.
  auto r = run_nas("cost --space mobilenet_tiny --hardware raspberry_pi4 --sample 2");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(contains(r.err, "--sample")) << r.err;
}

TEST(Cli, UnknownSubcommandFlagPrintsUsageAndExits2) {
  auto r = run_nas("list --bogus");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--bogus")) << r.err;
  EXPECT_TRUE(contains(r.err, "usage: nas list")) << r.err;
}

TEST(Cli, ListShowsShippedSpacesProfilesAndNames) {
  auto r = run_nas("list");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"mobilenet_tiny", "nas_bench_201", "raspberry_pi4", "evolution", "train",
                        "fashion_mnist", "latency_ms", "conv2d"})
    EXPECT_TRUE(contains(r.out, s)) << s << "\n" << r.out;
  auto bad = run_nas("list strategis");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(contains(bad.err, "did you mean 'strategies'")) << bad.err;
}

TEST(Cli, VerboseAndQuietExcludeEachOther) {
  auto r = run_nas("list -v -q");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "exclude each other")) << r.err;
}

TEST(Cli, ValidateQuickstart) {
  auto r = run_nas("validate experiments/quickstart.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "experiments/quickstart.yaml: valid")) << r.out;
  EXPECT_TRUE(contains(r.out, "raspberry_pi4")) << r.out;
}

TEST(Cli, ValidateSpaceShowsDecisionsSizeCostsAndAnArchitecture) {
  auto r = run_nas("validate " + testing::source_dir() + "/search_spaces/mobilenet_tiny.yaml --samples 10");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "valid macro space 'mobilenet_tiny'")) << r.out;
  EXPECT_TRUE(contains(r.out, "size: 98304 architectures")) << r.out;
  EXPECT_TRUE(contains(r.out, "MACs:   min")) << r.out;
  // The printed architecture is one `nas validate` accepts as an architecture file.
  const size_t at = r.out.find("name: mobilenet_tiny");
  ASSERT_NE(at, std::string::npos) << r.out;
  testing::TempDir dir;
  const std::string arch = dir.path() + "/arch.yaml";
  std::ofstream(arch) << r.out.substr(at);
  auto a = run_nas("validate " + arch);
  EXPECT_EQ(a.exit_code, 0) << a.err;
  EXPECT_TRUE(contains(a.out, "valid architecture 'mobilenet_tiny'")) << a.out;
  auto nb = run_nas("validate " + testing::source_dir() + "/search_spaces/nas_bench_201.yaml --samples 2");
  EXPECT_EQ(nb.exit_code, 0) << nb.err;
  EXPECT_TRUE(contains(nb.out, "size: 15625 architectures")) << nb.out;
  const std::string bad = dir.path() + "/bad.yaml";
  std::ofstream(bad) << "name: x\nkind: macor\n";
  auto b = run_nas("validate " + bad);
  EXPECT_EQ(b.exit_code, 2);
  EXPECT_TRUE(contains(b.err, "bad.yaml:2:7: error: kind: unknown space kind 'macor' (did you mean 'macro'?")) << b.err;
}

TEST(Cli, ValidateArchitectureFiles) {
  auto r = run_nas("validate " + testing::source_dir() + "/experiments/architectures/reference_cnn.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "94186 params, 7452416 MACs per image")) << r.out;
  auto bad = run_nas("validate " + testing::source_dir() + "/tests/nas/config/architectures/shape_error.yaml");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(contains(bad.err, "shape_error.yaml:6:5: error: failed to add node 'sum'")) << bad.err;
}

TEST(Cli, ValidateReportsEveryProblemWithLocationAndExits2) {
  testing::TempDir dir;
  const std::string file = dir.path() + "/bad.yaml";
  FILE* f = std::fopen(file.c_str(), "w");
  std::fputs("name: x\nseed: -1\nspace: nowhere.yaml\nbogus_key: 1\n", f);
  std::fclose(f);
  auto r = run_nas("validate " + file);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(contains(r.err, file + ":2:7: error:")) << r.err;
  EXPECT_TRUE(contains(r.err, file + ":4:1: error: unknown key 'bogus_key'")) << r.err;
  EXPECT_GE(std::count(r.err.begin(), r.err.end(), '\n'), 3) << r.err;
  auto missing = run_nas("validate " + dir.path() + "/none.yaml");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(contains(missing.err, "none.yaml: error:")) << missing.err;
  auto no_arg = run_nas("validate");
  EXPECT_EQ(no_arg.exit_code, 2);
  EXPECT_TRUE(contains(no_arg.err, "usage: nas validate")) << no_arg.err;
}

// An experiment in a temporary folder whose space and profile are the shipped ones.
std::string write_experiment(const testing::TempDir& dir, const std::string& output) {
  const std::string root = testing::source_dir();
  const std::string file = dir.path() + "/exp.yaml";
  FILE* f = std::fopen(file.c_str(), "w");
  std::fprintf(f,
               "name: t\nspace: %s/search_spaces/mobilenet_tiny.yaml\n"
               "dataset: {name: fashion_mnist}\n"
               "hardware: [host, %s/hardware_profiles/raspberry_pi4.yaml]\n"
               "objectives: [{metric: accuracy, goal: maximize}]\n"
               "strategy: {name: evolution, population: 8, sample: 4}\n"
               "evaluator: {name: train}\nbudget: {candidates: 10}\noutput: %s\n",
               root.c_str(), root.c_str(), output.c_str());
  std::fclose(f);
  return file;
}

TEST(Cli, SearchDryRunPreparesRunFolderOnceAndResolvedConfigValidates) {
  testing::TempDir dir;
  const std::string exp = write_experiment(dir, "runs/t");
  auto first = run_nas("search --dry-run " + exp);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string config = dir.path() + "/runs/t/config.yaml";
  auto again = run_nas("search --dry-run " + exp);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_TRUE(contains(again.err, "--resume")) << again.err;
  EXPECT_EQ(run_nas("search --dry-run --resume " + exp).exit_code, 0);
  EXPECT_EQ(run_nas("search --dry-run --force " + exp).exit_code, 0);
  auto both = run_nas("search --resume --force " + exp);
  EXPECT_EQ(both.exit_code, 2);
  // The resolved config is itself a valid experiment, with defaults filled in.
  auto resolved = run_nas("validate " + config);
  EXPECT_EQ(resolved.exit_code, 0) << resolved.err;
  std::ifstream in(config);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(contains(text, "mutations: 1")) << text;
  EXPECT_TRUE(contains(text, "batch_size: 128")) << text;
}

TEST(Cli, ValidateExperimentChecksItsSpace) {
  testing::TempDir dir;
  std::ofstream(dir.path() + "/space.yaml") << "name: s\nkind: macro\nstagez: []\n";
  const std::string exp = write_experiment(dir, "runs/t");
  std::string text;
  {
    std::ifstream in(exp);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const size_t a = text.find("space: ") + 7, b = text.find('\n', a);
  text.replace(a, b - a, "space.yaml");
  std::ofstream(exp) << text;
  auto r = run_nas("validate " + exp);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, dir.path() + "/space.yaml:3:1: error: unknown key 'stagez'")) << r.err;
}

TEST(Cli, SearchRefusesAnExistingRunFolderAndWritesNothing) {
  testing::TempDir dir;
  const std::string exp = write_experiment(dir, "runs/t");
  std::filesystem::create_directories(dir.path() + "/runs/t");
  auto r = run_nas("search " + exp);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "use --resume to continue that run or --force to replace it")) << r.err;
  EXPECT_TRUE(std::filesystem::is_empty(dir.path() + "/runs/t"));
}

TEST(Cli, TrainSavesWeightsThatLoadBack) {
  testing::TempDir dir;
  const std::string arch = testing::source_dir() + "/tests/nas/cli/data/tiny_synthetic.yaml";
  const std::string out = dir.path() + "/model";
  auto r = run_nas("train " + arch + " --dataset synthetic --epochs 2 --batch-size 32 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "epoch 1/2  loss")) << r.out;
  EXPECT_TRUE(contains(r.out, "img/s")) << r.out;
  EXPECT_TRUE(contains(r.out, "test: loss")) << r.out;
  for (const char* f : {"arch.yaml", "weights.safetensors", "metrics.json"})
    EXPECT_TRUE(std::filesystem::exists(out + "/" + f)) << f;
  // The saved architecture trains again; an existing --out needs --force.
  auto again = run_nas("train " + out + "/arch.yaml --dataset synthetic --epochs 1 --out " + out);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_TRUE(contains(again.err, "--force")) << again.err;
  EXPECT_EQ(run_nas("train " + out + "/arch.yaml --dataset synthetic --epochs 1 --force --out " + out).exit_code, 0);
}

TEST(Cli, TrainRejectsBadInputWithExit2) {
  const std::string arch = testing::source_dir() + "/tests/nas/cli/data/tiny_synthetic.yaml";
  auto epochs = run_nas("train " + arch + " --dataset synthetic --epochs 0");
  EXPECT_EQ(epochs.exit_code, 2);
  EXPECT_TRUE(contains(epochs.err, "--epochs must be >= 1")) << epochs.err;
  auto opt = run_nas("train " + arch + " --dataset synthetic --optimizer sgdd");
  EXPECT_EQ(opt.exit_code, 2);
  EXPECT_TRUE(contains(opt.err, "is not one of sgd, adam, adamw")) << opt.err;
  auto ds = run_nas("train " + arch + " --dataset imagenet");
  EXPECT_EQ(ds.exit_code, 2);
  EXPECT_TRUE(contains(ds.err, "imagenet")) << ds.err;
  auto shape = run_nas("train " + testing::source_dir() +
                       "/experiments/architectures/reference_cnn.yaml --dataset synthetic");
  EXPECT_EQ(shape.exit_code, 2);
  EXPECT_TRUE(contains(shape.err, "does not match")) << shape.err;
  auto bad_arch = run_nas("train " + testing::source_dir() +
                          "/tests/nas/config/architectures/bad_many.yaml --dataset synthetic");
  EXPECT_EQ(bad_arch.exit_code, 2);
  EXPECT_TRUE(contains(bad_arch.err, "bad_many.yaml:4:20: error:")) << bad_arch.err;
  auto cifar = run_nas("train " + arch + " --dataset cifar10 --data-dir /nonexistent");
  EXPECT_EQ(cifar.exit_code, 2);
  EXPECT_TRUE(contains(cifar.err, "/nonexistent")) << cifar.err;
}

}  // namespace
}  // namespace nas
