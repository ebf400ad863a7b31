#include "io/output_folder.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <system_error>

#include "core/diagnostics.h"
#include "io/output.h"

namespace bsim::io {
namespace {

namespace fs = std::filesystem;

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// Flushes a folder's entries (a rename or a new file in it) to disk; best effort.
void sync_folder(const fs::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

// True when `inner` is `outer` or lies inside it (both absolute and normal).
bool contains(const fs::path& outer, const fs::path& inner) {
  auto o = outer.begin();
  auto i = inner.begin();
  for (; o != outer.end() && i != inner.end(); ++o, ++i) {
    if (*o != *i) return false;
  }
  return o == outer.end();
}

}  // namespace

OutputFolder::OutputFolder(const fs::path& dir) {
  dir_ = fs::absolute(dir).lexically_normal();
  if (!dir_.has_filename() && dir_.has_parent_path() && dir_ != dir_.root_path()) dir_ = dir_.parent_path();  // "out/"
  if (!dir_.has_filename() || dir_ == dir_.root_path() || contains(dir_, fs::current_path())) {
    throw core::InputError({"--out", 0, 0}, fmt::format("{} is the current folder or holds it: --out replaces the whole "
                                                        "folder, so give one of its own, e.g. --out out/run",
                                                        quoted(dir)));
  }
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dir_))) {
    if (!fs::is_directory(fs::symlink_status(dir_))) {
      throw core::InputError({"--out", 0, 0}, fmt::format("{} exists and is not a folder", quoted(dir)));
    }
    if (!fs::is_empty(dir_, ec) && !fs::exists(dir_ / "summary.json")) {
      throw core::InputError({"--out", 0, 0},
                             fmt::format("{} is not empty and holds no summary.json, so no run wrote it; --out replaces "
                                         "the whole folder, so give a new or empty one",
                                         quoted(dir)));
    }
  }
  fs::create_directories(dir_.parent_path());
  lock_path_ = beside(".lock");
  lock_fd_ = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    throw std::runtime_error(fmt::format("cannot create the lock file {}: {}", lock_path_.string(), std::strerror(errno)));
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(lock_fd_);
    lock_fd_ = -1;
    if (err == EWOULDBLOCK) {
      throw OutputFolderBusy(fmt::format("{} is being written by another bubblesim run (it holds {}); wait for it to "
                                         "finish or give another --out folder",
                                         dir_.string(), lock_path_.string()));
    }
    throw std::runtime_error(fmt::format("cannot lock {}: {}", lock_path_.string(), std::strerror(err)));
  }
  // Holding the lock, no other writer is at work: temporary folders of ours are a killed run's.
  const std::string prefix = "." + dir_.filename().string() + ".";
  for (const fs::directory_entry& e : fs::directory_iterator(dir_.parent_path(), ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix + "tmp-", 0) == 0 || name.rfind(prefix + "old-", 0) == 0) fs::remove_all(e.path(), ec);
  }
}

OutputFolder::~OutputFolder() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

fs::path OutputFolder::beside(const std::string& suffix) const {
  const std::string name = dir_.filename().string();
  if (suffix == ".lock") return dir_.parent_path() / (name + suffix);
  return dir_.parent_path() / ("." + name + "." + suffix + "-" + std::to_string(::getpid()));
}

std::vector<std::string> OutputFolder::replace_with(const std::vector<std::pair<std::string, std::string>>& files) {
  const fs::path fresh = beside("tmp");
  std::error_code ec;
  fs::remove_all(fresh, ec);
  try {
    fs::create_directory(fresh);
    for (const auto& [name, content] : files) {
      if (name.empty() || name.find('/') != std::string::npos) {
        throw std::invalid_argument(fmt::format("OutputFolder: '{}' is not a plain file name", name));
      }
      write_file_atomic(fresh / name, content);
    }
    sync_folder(fresh);
  } catch (...) {
    fs::remove_all(fresh, ec);
    throw;
  }

  std::vector<std::string> removed;
  const bool had_folder = fs::is_directory(fs::symlink_status(dir_));
  if (had_folder) {
    std::set<std::string> kept;
    for (const auto& f : files) kept.insert(f.first);
    for (const fs::directory_entry& e : fs::directory_iterator(dir_)) {
      const std::string name = e.path().filename().string();
      if (kept.count(name) == 0) removed.push_back(name);
    }
    std::sort(removed.begin(), removed.end());
  }

  // The swap. With RENAME_EXCHANGE DIR is never missing: it is the old folder, then the new.
  fs::path old = fresh;  // after an exchange the old folder is where the new one was
  if (!had_folder) {
    if (std::rename(fresh.c_str(), dir_.c_str()) != 0) {
      const int err = errno;
      fs::remove_all(fresh, ec);
      throw std::runtime_error(fmt::format("cannot rename {} to {}: {}", fresh.string(), dir_.string(), std::strerror(err)));
    }
  } else if (::renameat2(AT_FDCWD, fresh.c_str(), AT_FDCWD, dir_.c_str(), RENAME_EXCHANGE) != 0) {
    if (errno != EINVAL && errno != ENOSYS) {
      const int err = errno;
      fs::remove_all(fresh, ec);
      throw std::runtime_error(fmt::format("cannot swap {} into {}: {}", fresh.string(), dir_.string(), std::strerror(err)));
    }
    // A file system without the exchange: the old folder aside, the new in, under the lock.
    old = beside("old");
    if (std::rename(dir_.c_str(), old.c_str()) != 0) {
      const int err = errno;
      fs::remove_all(fresh, ec);
      throw std::runtime_error(fmt::format("cannot move {} aside: {}", dir_.string(), std::strerror(err)));
    }
    if (std::rename(fresh.c_str(), dir_.c_str()) != 0) {
      const int err = errno;
      (void)std::rename(old.c_str(), dir_.c_str());
      fs::remove_all(fresh, ec);
      throw std::runtime_error(fmt::format("cannot rename {} to {}: {}", fresh.string(), dir_.string(), std::strerror(err)));
    }
  }
  sync_folder(dir_.parent_path());
  if (had_folder) fs::remove_all(old, ec);
  return removed;
}

}  // namespace bsim::io
