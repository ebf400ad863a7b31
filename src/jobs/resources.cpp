#include "jobs/resources.h"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "core/diagnostics.h"

namespace bsim::jobs {

std::optional<std::uint64_t> physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return std::nullopt;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size);
}

std::optional<std::uint64_t> free_disk_bytes(const std::string& file) {
  std::filesystem::path folder = std::filesystem::path(file).parent_path();
  if (folder.empty()) folder = ".";
  std::error_code ec;
  const std::filesystem::space_info space = std::filesystem::space(folder, ec);
  if (ec || space.available == static_cast<std::uintmax_t>(-1)) return std::nullopt;
  return static_cast<std::uint64_t>(space.available);
}

std::string bytes_text(long double bytes) {
  if (bytes >= 1e12L) return fmt::format("{:.1f} TB", static_cast<double>(bytes / 1e12L));
  if (bytes >= 1e9L) return fmt::format("{:.1f} GB", static_cast<double>(bytes / 1e9L));
  if (bytes >= 1e6L) return fmt::format("{:.1f} MB", static_cast<double>(bytes / 1e6L));
  return fmt::format("{:.0f} kB", static_cast<double>(bytes / 1e3L));
}

void require_memory(long double bytes, const std::string& option, const std::string& what) {
  const std::optional<std::uint64_t> known = physical_memory_bytes();
  if (!known || bytes <= static_cast<long double>(*known) / 2) return;
  const std::uint64_t memory = *known;
  throw core::InputError({option, 0, 0}, fmt::format("{} needs about {} of memory, more than half of this machine's {}; "
                                                     "ask for less",
                                                     what, bytes_text(bytes), bytes_text(memory)));
}

void require_disk(long double bytes, const std::string& file, const std::string& option, const std::string& what) {
  const std::optional<std::uint64_t> known = free_disk_bytes(file);
  if (!known || bytes <= static_cast<long double>(*known)) return;
  const std::uint64_t free = *known;
  throw core::InputError({option, 0, 0}, fmt::format("{} needs about {} of disk, but only {} is free where {} goes; "
                                                     "ask for less or free some space",
                                                     what, bytes_text(bytes), bytes_text(free), file));
}

}  // namespace bsim::jobs
