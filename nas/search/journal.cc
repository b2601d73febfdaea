#include "nas/search/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "nas/util/atomic_file.h"

namespace nas::search {
namespace fs = std::filesystem;

namespace {

Status errno_status(const std::string& what, const fs::path& p) {
  return Status::error("failed to " + what + " " + p.string() + ": " + std::strerror(errno));
}

}  // namespace

Result<JournalContents> read_journal(const fs::path& path) {
  JournalContents out;
  std::error_code ec;
  if (!fs::exists(path, ec)) return out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::error(path.string() + ": error: cannot read the journal");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  size_t pos = 0, good_end = 0;
  int line_no = 0;
  while (pos < text.size()) {
    ++line_no;
    const size_t nl = text.find('\n', pos);
    const bool last = nl == std::string::npos || nl + 1 == text.size();
    const std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    std::string problem;
    Result<CandidateRecord> record = from_json_line(line);
    if (nl == std::string::npos) {
      problem = "the line has no newline (an interrupted write)";
    } else if (!record) {
      problem = record.status().message();
    } else if (record->id != static_cast<int64_t>(out.records.size())) {
      problem = "candidate id " + std::to_string(record->id) + " where " +
                std::to_string(out.records.size()) + " was expected";
    }
    if (!problem.empty()) {
      const std::string where = path.string() + ":" + std::to_string(line_no);
      if (!last) {
        return Status::error(where + ": error: corrupted journal line: " + problem +
                             " (lines after it cannot be trusted; fix or remove the line, or "
                             "start over with --force)");
      }
      out.warning = where + ": dropped a corrupted last journal line (" + problem +
                    "); its candidate will be evaluated again";
      fs::resize_file(path, good_end, ec);
      if (ec) return Status::error("failed to truncate " + path.string() + ": " + ec.message());
      break;
    }
    out.records.push_back(std::move(record.value()));
    pos = nl + 1;
    good_end = pos;
  }
  return out;
}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status JournalWriter::open(const fs::path& path) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return errno_status("open journal", path);
  // The file's directory entry must survive a crash too.
  return sync_directory(path.has_parent_path() ? path.parent_path() : fs::path("."));
}

Status JournalWriter::append(const CandidateRecord& record) {
  const std::string line = to_json_line(record) + "\n";
  size_t off = 0;
  while (off < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("append to journal", path_);
    }
    off += static_cast<size_t>(n);
  }
  return Status::ok();
}

Status JournalWriter::flush() {
  if (sync_ && ::fdatasync(fd_) != 0) return errno_status("flush journal", path_);
  return Status::ok();
}

}  // namespace nas::search
