// This machine's physical limits, measured: the FP32 FMA peak and the DRAM
// bandwidth, on the project's thread pool at its current thread count. The
// roofline of the host profile divides by these.
#pragma once

namespace nas::hardware {

struct MachinePeaks {
  double fp32_gflops = 0;     // best of the runs
  double bandwidth_gbs = 0;   // best of the runs
  const char* isa = "scalar"; // the FMA loop's ISA
};

// The peak: every thread runs independent FMA chains of the widest vector
// ISA the CPU has (AVX-512, AVX2+FMA, else scalar), ~0.05 s a run at 30 GFLOP/s a core, best
// of `runs` (a peak is a limit: load from other processes can only lower a run, so the best
// run is the closest to it). Bandwidth: a STREAM triad a = b + s*c over three 64 MiB arrays
// (several times any L3), counted as STREAM does (24 bytes an element, no
// write-allocate traffic), best of `runs`. Takes about a second.
MachinePeaks measure_machine_peaks(int runs = 7);

}  // namespace nas::hardware
