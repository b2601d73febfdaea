// Logging with levels, to stderr. `nas -v` shows debug lines, `-q` only
// warnings and errors. Thread-safe: each line is written whole.
#pragma once

#include <string>

namespace nas {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

void set_log_level(LogLevel level);
LogLevel log_level();

// Writes "[level] message" (info lines have no prefix) when level >= the set level.
void log(LogLevel level, const std::string& message);
inline void log_debug(const std::string& m) { log(LogLevel::kDebug, m); }
inline void log_info(const std::string& m) { log(LogLevel::kInfo, m); }
inline void log_warning(const std::string& m) { log(LogLevel::kWarning, m); }
inline void log_error(const std::string& m) { log(LogLevel::kError, m); }

}  // namespace nas
