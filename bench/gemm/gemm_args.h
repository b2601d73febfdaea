// Command line shared by the three sgemm benchmark programs (ours and the
// peers), so that each times exactly the same cases the same way:
//   PROG [--threads T] MxNxK...    prints "MxNxK <median ms>" per case.
#pragma once

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace nas::bench {

struct GemmCase {
  long m, n, k;
  std::string label;
};

struct GemmBenchArgs {
  int threads = 2;
  std::vector<GemmCase> cases;
};

inline GemmBenchArgs parse_gemm_args(int argc, char** argv) {
  GemmBenchArgs a;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      a.threads = std::atoi(argv[++i]);
      continue;
    }
    GemmCase c;
    parse_mnk(argv[i], c.m, c.n, c.k);
    c.label = argv[i];
    a.cases.push_back(c);
  }
  return a;
}

}  // namespace nas::bench
