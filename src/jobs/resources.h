#pragma once
/// What the machine can hold: checks of a run's memory and disk needs against the machine,
/// made before anything is allocated or written, so that a run too big for it stops at once with
/// a clear message (exit 2) instead of dying midway on std::bad_alloc or a full disk.
///
///   jobs::require_memory(rows * sizeof(Row), "--paths", "-n 1099511627776 keeps a row per path");
///   jobs::require_disk(estimated_bytes, "runs.sqlite", "--paths", "the database");

#include <cstdint>
#include <optional>
#include <string>

namespace bsim::jobs {

/// The machine's physical memory in bytes, if known.
std::optional<std::uint64_t> physical_memory_bytes();

/// Bytes free for an unprivileged writer on the file system that holds `file` (or would: its
/// folder, or the current folder for a bare name), if known.
std::optional<std::uint64_t> free_disk_bytes(const std::string& file);

/// Throws core::InputError at `option` when `bytes` exceed half the machine's physical memory
/// (the rest is left to the program itself and to the rest of the machine). `what` says what
/// needs the memory. Does nothing when the memory is unknown.
void require_memory(long double bytes, const std::string& option, const std::string& what);

/// Throws core::InputError at `option` when `bytes` exceed the free space where `file` goes.
/// Does nothing when the free space is unknown.
void require_disk(long double bytes, const std::string& file, const std::string& option, const std::string& what);

/// A byte count for people: "12.3 GB".
std::string bytes_text(long double bytes);

}  // namespace bsim::jobs
