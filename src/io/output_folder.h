#pragma once
/// `run --out DIR` as one set of files: they are written into a fresh temporary folder beside
/// DIR and swapped in with one rename, so DIR holds one run's files or the previous run's, never
/// a mix of the two (a full disk, a crash or a concurrent run included). A lock file `DIR.lock`
/// beside DIR refuses a second writer while one is at work.
///
///   io::OutputFolder out("out/sudden");  // checks DIR and takes the lock, before the run
///   // … run the path …
///   std::vector<std::string> removed = out.replace_with({{"summary.json", text}, …});
///
/// The whole folder is replaced: files added to it after the last run (a report.html, an svg/
/// folder) were drawn from that run and go with it; replace_with names them.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bsim::io {

/// Thrown when another process holds DIR.lock: it is writing the same folder.
class OutputFolderBusy : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class OutputFolder {
 public:
  /// Checks `dir` and locks it for writing: creates its parent folders and `DIR.lock` beside
  /// it, and takes an exclusive lock on that file (flock), which the process holds until this
  /// object is destroyed or exits. Removes temporary folders that a killed writer left beside DIR.
  /// Throws core::InputError (bad input) when `dir` is the current folder or one above it, is
  /// not a folder, or is a folder that is not empty and holds no `summary.json` (so not one
  /// that `run --out` wrote: it is never replaced); OutputFolderBusy when another process holds
  /// the lock; std::runtime_error when the lock file cannot be made.
  explicit OutputFolder(const std::filesystem::path& dir);
  ~OutputFolder();
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;

  /// Writes `files` (name → content; plain names, no folders) into a new folder beside DIR,
  /// flushed to disk, then puts it in DIR's place in one step (renameat2 RENAME_EXCHANGE; on a
  /// file system without it, two renames) and removes the previous folder. Returns the names
  /// in the previous folder that the new one does not have, sorted. On failure DIR is as it
  /// was, the temporary folder is removed, and std::runtime_error names what failed.
  std::vector<std::string> replace_with(const std::vector<std::pair<std::string, std::string>>& files);

  /// DIR as an absolute path.
  [[nodiscard]] const std::filesystem::path& path() const { return dir_; }
  /// The lock file beside DIR (left in place: removing it would let two writers lock
  /// different files of the same name).
  [[nodiscard]] const std::filesystem::path& lock_path() const { return lock_path_; }

 private:
  [[nodiscard]] std::filesystem::path beside(const std::string& suffix) const;

  std::filesystem::path dir_;
  std::filesystem::path lock_path_;
  int lock_fd_ = -1;
};

}  // namespace bsim::io
