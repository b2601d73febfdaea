// A progress line with rate and ETA. On a terminal it redraws one line in
// place; otherwise it prints a plain line at most every `period_s` seconds
// (logs and CI output stay readable). Silent under -q.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace nas {

class Progress {
 public:
  using Clock = std::chrono::steady_clock;

  // total <= 0: unknown total (no ETA). `out` defaults to stderr; `is_tty`
  // defaults to whether `out` is a terminal.
  Progress(std::string label, int64_t total, std::FILE* out = stderr, int is_tty = -1,
           double period_s = 10.0);
  ~Progress();

  // Records that `done` items are finished (monotonic). `now` is for tests.
  void update(int64_t done, Clock::time_point now = Clock::now());
  // Prints the final line (on a terminal, ends the redrawn line).
  void finish(Clock::time_point now = Clock::now());

  bool is_tty() const { return tty_; }
  // On a terminal: erases the redrawn line (for a caller that prints its own
  // summary instead of finish()).
  void clear();

  // "label: 40/100 (40%), 3.2/s, ETA 19s" — exposed for tests.
  std::string line(Clock::time_point now) const;

 private:
  std::string label_;
  int64_t total_;
  int64_t done_ = 0;
  std::FILE* out_;
  bool tty_;
  double period_s_;
  Clock::time_point start_;
  Clock::time_point last_print_;
  bool finished_ = false;
};

// "1h02m", "3m05s", "42s"
std::string format_duration(double seconds);

}  // namespace nas
