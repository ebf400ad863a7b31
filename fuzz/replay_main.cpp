/// Replays a fuzz target without the fuzzer, for the quick suite with any compiler: every file
/// of the corpus folders given, then a fixed number of mutations of them (byte flips, bytes
/// from the formats' syntax, cuts, duplicated and spliced ranges) from a fixed seed, so that a
/// run is the same on every machine. A broken property aborts (fuzz_checks.h); the driver
/// reports the input it was on first, and the slowest input, which must stay under a limit.
///
///   fuzz_replay_scenario_toml --mutations 2000 --max-seconds 5 fuzz/corpus/scenario_toml

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
/// The sanitizers' hook called before they end the process (absent without them).
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

namespace {

/// SplitMix64: a tiny generator whose output is fixed by its seed on every platform.
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// A number in [0, n), n > 0 (the small bias of the modulo does not matter here).
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

/// Bytes that change the meaning of TOML, JSON and `--set` text, more often useful than random
/// ones; with a NUL and bytes that start invalid or multi-byte UTF-8.
constexpr char kSyntaxChars[] = "[]{}=\",.:#\n\\'-+eE0189 \t\0\xff\xc3";
constexpr std::string_view kSyntaxBytes(kSyntaxChars, sizeof kSyntaxChars - 1);

/// The input being run, for the report written when a target dies (abort or a sanitizer).
const char* g_current_name = "";
const std::string* g_current_input = nullptr;

/// Names the input that killed the target and saves it as `replay-crash-input` in the working
/// folder, to rerun alone: `fuzz_replay_<target> replay-crash-input`. Only calls that are safe
/// in a signal handler.
void report_current_input() {
  constexpr char kHead[] = "\nthe target died on: ";
  constexpr char kTail[] = "\n(saved as replay-crash-input)\n";
  (void)!write(2, kHead, sizeof kHead - 1);
  (void)!write(2, g_current_name, std::strlen(g_current_name));
  (void)!write(2, kTail, sizeof kTail - 1);
  if (g_current_input == nullptr) return;
  const int fd = open("replay-crash-input", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  (void)!write(fd, g_current_input->data(), g_current_input->size());
  close(fd);
}

extern "C" void on_fatal_signal(int signal_number) {
  report_current_input();
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

std::string mutate(const std::string& seed, const std::vector<std::string>& corpus, SplitMix64& rng) {
  std::string s = seed;
  const std::size_t edits = 1 + rng.below(3);
  for (std::size_t e = 0; e < edits; ++e) {
    const std::size_t at = s.empty() ? 0 : rng.below(s.size());
    switch (rng.below(7)) {
      case 0:  // flip one bit
        if (!s.empty()) s[at] = static_cast<char>(s[at] ^ (1u << rng.below(8)));
        break;
      case 1:  // a syntax byte in place of one
        if (!s.empty()) s[at] = kSyntaxBytes[rng.below(kSyntaxBytes.size())];
        break;
      case 2:  // a syntax byte inserted
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), kSyntaxBytes[rng.below(kSyntaxBytes.size())]);
        break;
      case 3:  // cut the end off
        s.resize(at);
        break;
      case 4: {  // remove a range
        const std::size_t n = std::min(s.size() - std::min(at, s.size()), 1 + rng.below(64));
        s.erase(at, n);
        break;
      }
      case 5: {  // duplicate a range in place
        const std::size_t n = std::min(s.size() - std::min(at, s.size()), 1 + rng.below(256));
        s.insert(at, s.substr(at, n));
        break;
      }
      default: {  // splice in a range of another corpus file
        const std::string& other = corpus[rng.below(corpus.size())];
        if (other.empty()) break;
        const std::size_t from = rng.below(other.size());
        s.insert(at, other.substr(from, 1 + rng.below(256)));
        break;
      }
    }
  }
  return s;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

[[noreturn]] void usage(const char* message) {
  std::fprintf(stderr, "%s\nusage: fuzz_replay_<target> [--mutations N] [--seed S] [--max-seconds T] CORPUS_DIR_OR_FILE...\n",
               message);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mutations = 2000;
  std::uint64_t seed = 20261207;
  double max_seconds = 5.0;
  std::vector<std::filesystem::path> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--mutations" && has_value) {
      mutations = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--seed" && has_value) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--max-seconds" && has_value) {
      max_seconds = std::strtod(argv[++i], nullptr);
    } else if (arg.rfind("--", 0) == 0) {
      usage("unknown option");
    } else {
      paths.emplace_back(arg);
    }
  }
  // The corpus in name order, so that the mutations do not depend on the file system's order.
  std::vector<std::filesystem::path> files;
  for (const auto& p : paths) {
    if (std::filesystem::is_directory(p)) {
      for (const auto& entry : std::filesystem::directory_iterator(p)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else if (std::filesystem::is_regular_file(p)) {
      files.push_back(p);
    } else {
      usage(("no such corpus file or folder: " + p.string()).c_str());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) usage("the corpus is empty");
  std::vector<std::string> corpus;
  for (const auto& f : files) corpus.push_back(read_file(f));

  std::signal(SIGABRT, on_fatal_signal);
  std::signal(SIGSEGV, on_fatal_signal);
  std::signal(SIGFPE, on_fatal_signal);
  if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(report_current_input);

  double slowest = 0.0;
  std::string slowest_name;
  const auto run = [&](const std::string& input, const std::string& name) {
    g_current_name = name.c_str();
    g_current_input = &input;
    const auto start = std::chrono::steady_clock::now();
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (seconds > slowest) {
      slowest = seconds;
      slowest_name = name;
    }
  };
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < corpus.size(); ++i) run(corpus[i], files[i].string());
  SplitMix64 rng{seed};
  for (std::size_t m = 0; m < mutations; ++m) {
    const std::size_t from = m % corpus.size();
    const std::string input = mutate(corpus[from], corpus, rng);
    run(input, "mutation " + std::to_string(m) + " of " + files[from].filename().string());
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%zu corpus files and %zu mutations (seed %llu) in %.2f s; slowest %.3f s (%s)\n", corpus.size(), mutations,
              static_cast<unsigned long long>(seed), total, slowest, slowest_name.c_str());
  if (slowest > max_seconds) {
    std::printf("FAILED: one input took %.3f s, above the limit of %.3f s (a hang in the making)\n", slowest, max_seconds);
    return 1;
  }
  return 0;
}
