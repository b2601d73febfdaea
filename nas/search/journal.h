// The run journal, history.jsonl: one CandidateRecord per line, appended
// whole and flushed to disk (fsync) before the candidate counts as done, so
// a kill -9 at any moment loses at most the line being written.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "nas/search/candidate_record.h"
#include "ops/core/status.h"

namespace nas::search {

inline constexpr const char* kJournalFile = "history.jsonl";

struct JournalContents {
  std::vector<CandidateRecord> records;  // ids 0, 1, 2, ... in order
  // Set when a torn last line (no newline, or not a record) was dropped;
  // says which line and why. read_journal() has then truncated the file.
  std::string warning;
};

// Reads the journal at `path` (a missing file is an empty journal). A
// corrupted last line is dropped with a warning and cut off the file, since
// it can only be a write a kill interrupted; a corrupted earlier line, or ids
// out of order, is an error "PATH:LINE: error: ..." (the run cannot be
// trusted past it).
Result<JournalContents> read_journal(const std::filesystem::path& path);

// Appends records to a journal. Not thread-safe; the engine appends in
// candidate-id order from one thread.
class JournalWriter {
 public:
  JournalWriter() = default;
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // Opens `path` for appending, creating it when missing.
  Status open(const std::filesystem::path& path);
  // Writes the record's line and a newline in one write(). The line is not
  // durable until flush().
  Status append(const CandidateRecord& record);
  // fdatasync: every appended line is on disk when it returns. The engine
  // flushes before a candidate counts (before the strategy is told).
  Status flush();
  // When false, flush() does nothing (benchmarks of the engine itself).
  void set_sync(bool sync) { sync_ = sync; }

 private:
  int fd_ = -1;
  bool sync_ = true;
  std::filesystem::path path_;
};

}  // namespace nas::search
