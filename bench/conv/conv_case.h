// One conv benchmark case as passed on the command line by compare.sh:
//   NAME:N:H:W:C:K:R:S:G:MODE   (MODE fwd | fwdbwd; padding R/2, dilation 1)
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace nas::bench {

struct ConvCase {
  std::string name;
  long n = 0, h = 0, w = 0, c = 0, k = 0, r = 0, s = 0, g = 0;
  bool fwdbwd = false;
  long out_h() const { return (h + 2 * (r / 2) - r) / s + 1; }
  long out_w() const { return (w + 2 * (r / 2) - r) / s + 1; }
  // Forward multiply-accumulates.
  double macs() const { return double(n) * out_h() * out_w() * k * r * r * (c / g); }
};

inline ConvCase parse_conv_case(const char* arg) {
  ConvCase cc;
  char name[128], mode[16];
  if (std::sscanf(arg, "%127[^:]:%ld:%ld:%ld:%ld:%ld:%ld:%ld:%ld:%15s", name, &cc.n, &cc.h, &cc.w,
                  &cc.c, &cc.k, &cc.r, &cc.s, &cc.g, mode) != 10 ||
      (std::string(mode) != "fwd" && std::string(mode) != "fwdbwd")) {
    std::fprintf(stderr, "error: expected NAME:N:H:W:C:K:R:S:G:fwd|fwdbwd, got '%s'\n", arg);
    std::exit(2);
  }
  cc.name = name;
  cc.fwdbwd = std::string(mode) == "fwdbwd";
  return cc;
}

}  // namespace nas::bench
