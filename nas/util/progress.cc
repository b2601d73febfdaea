#include "nas/util/progress.h"

#include <unistd.h>

#include <cmath>

#include "nas/util/log.h"

namespace nas {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const int64_t s = static_cast<int64_t>(std::llround(seconds));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
  else std::snprintf(buf, sizeof buf, "%llds", (long long)s);
  return buf;
}

Progress::Progress(std::string label, int64_t total, std::FILE* out, int is_tty, double period_s)
    : label_(std::move(label)),
      total_(total),
      out_(out),
      tty_(is_tty < 0 ? isatty(fileno(out)) != 0 : is_tty != 0),
      period_s_(period_s),
      start_(Clock::now()),
      last_print_(start_) {}

Progress::~Progress() {
  if (!finished_ && tty_ && done_ > 0) finish();
}

std::string Progress::line(Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? done_ / elapsed : 0.0;
  char buf[256];
  std::string s = label_ + ": " + std::to_string(done_);
  if (total_ > 0) {
    std::snprintf(buf, sizeof buf, "/%lld (%d%%)", (long long)total_,
                  static_cast<int>(100 * done_ / total_));
    s += buf;
  }
  std::snprintf(buf, sizeof buf, ", %.2f/s", rate);
  s += buf;
  if (total_ > 0 && rate > 0 && done_ < total_) s += ", ETA " + format_duration((total_ - done_) / rate);
  else s += ", elapsed " + format_duration(elapsed);
  return s;
}

void Progress::update(int64_t done, Clock::time_point now) {
  done_ = done;
  if (log_level() > LogLevel::kInfo) return;
  if (tty_) {
    std::fprintf(out_, "\r\033[K%s", line(now).c_str());
    std::fflush(out_);
    return;
  }
  if (std::chrono::duration<double>(now - last_print_).count() >= period_s_) {
    std::fprintf(out_, "%s\n", line(now).c_str());
    std::fflush(out_);
    last_print_ = now;
  }
}

void Progress::clear() {
  finished_ = true;
  if (!tty_ || log_level() > LogLevel::kInfo) return;
  std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
}

void Progress::finish(Clock::time_point now) {
  if (finished_) return;
  finished_ = true;
  if (log_level() > LogLevel::kInfo) return;
  std::fprintf(out_, tty_ ? "\r\033[K%s\n" : "%s\n", line(now).c_str());
  std::fflush(out_);
}

}  // namespace nas
