#include "jobs/mpi.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#ifdef BSIM_WITH_MPI
#include <mpi.h>
#endif

#include "core/bytes.h"

namespace bsim::jobs {
namespace {

using core::get_f64;
using core::get_u64;
using core::put_f64;
using core::put_u64;

void put_text(std::string& out, const std::string& s) {
  put_u64(out, s.size());
  out += s;
}

std::string get_text(std::string_view& in) {
  const std::uint64_t n = get_u64(in);
  if (in.size() < n) throw std::invalid_argument("path rows: truncated text");
  std::string s(in.substr(0, n));
  in.remove_prefix(n);
  return s;
}

#ifdef BSIM_WITH_MPI
// Sends `bytes` from every rank to rank 0, which receives them in rank order.
std::vector<std::string> gather_bytes(const std::string& bytes, int rank, int size) {
  const unsigned long long mine = bytes.size();
  std::vector<unsigned long long> sizes(static_cast<std::size_t>(size));
  MPI_Gather(&mine, 1, MPI_UNSIGNED_LONG_LONG, sizes.data(), 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  std::vector<std::string> out;
  // Point-to-point in chunks, so no single message exceeds an int count.
  constexpr std::size_t kChunk = std::size_t{1} << 30;
  if (rank == 0) {
    out.resize(static_cast<std::size_t>(size));
    out[0] = bytes;
    for (int r = 1; r < size; ++r) {
      std::string& b = out[static_cast<std::size_t>(r)];
      b.resize(sizes[static_cast<std::size_t>(r)]);
      for (std::size_t at = 0; at < b.size(); at += kChunk) {
        const auto n = static_cast<int>(std::min(kChunk, b.size() - at));
        MPI_Recv(b.data() + at, n, MPI_BYTE, r, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      }
    }
  } else {
    for (std::size_t at = 0; at < bytes.size(); at += kChunk) {
      const auto n = static_cast<int>(std::min(kChunk, bytes.size() - at));
      MPI_Send(bytes.data() + at, n, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
    }
  }
  return out;
}
#endif

}  // namespace

std::string encode_rows(const std::vector<io::McPathRow>& rows) {
  std::string out;
  put_u64(out, rows.size());
  for (const io::McPathRow& r : rows) {
    put_u64(out, r.path_id);
    put_u64(out, r.bust ? 1 : 0);
    put_u64(out, r.bust_month ? 1 : 0);
    if (r.bust_month) put_text(out, *r.bust_month);
    put_text(out, r.bust_trigger);
    put_u64(out, static_cast<std::uint64_t>(static_cast<std::int64_t>(r.defaults)));
    for (const double x : {r.claims_written_off_usd_bn, r.equity_wiped_out_usd_bn, r.accelerator_writedown_usd_bn,
                           r.capital_destroyed_usd_bn, r.peak_ai_equity_value_usd_bn, r.max_equity_drawdown,
                           r.end_spot_price_usd_per_h100e_hour, r.legacy_power_gw, r.legacy_datacenter_gw}) {
      put_f64(out, x);
    }
    put_u64(out, r.parameters.size());
    for (const double x : r.parameters) put_f64(out, x);
    put_u64(out, r.losses_by_holder.size());
    for (const auto& [holder, loss] : r.losses_by_holder) {
      put_text(out, holder);
      put_f64(out, loss);
    }
    put_u64(out, r.series.size());
    for (const std::vector<double>& series : r.series) {
      put_u64(out, series.size());
      for (const double x : series) put_f64(out, x);
    }
    put_u64(out, r.error ? 1 : 0);
    if (r.error) put_text(out, *r.error);
  }
  return out;
}

std::vector<io::McPathRow> decode_rows(std::string_view in) {
  std::vector<io::McPathRow> rows(get_u64(in));
  for (io::McPathRow& r : rows) {
    r.path_id = get_u64(in);
    r.bust = get_u64(in) != 0;
    if (get_u64(in) != 0) r.bust_month = get_text(in);
    r.bust_trigger = get_text(in);
    r.defaults = static_cast<int>(static_cast<std::int64_t>(get_u64(in)));
    for (double* x : {&r.claims_written_off_usd_bn, &r.equity_wiped_out_usd_bn, &r.accelerator_writedown_usd_bn,
                      &r.capital_destroyed_usd_bn, &r.peak_ai_equity_value_usd_bn, &r.max_equity_drawdown,
                      &r.end_spot_price_usd_per_h100e_hour, &r.legacy_power_gw, &r.legacy_datacenter_gw}) {
      *x = get_f64(in);
    }
    r.parameters.resize(get_u64(in));
    for (double& x : r.parameters) x = get_f64(in);
    r.losses_by_holder.resize(get_u64(in));
    for (auto& [holder, loss] : r.losses_by_holder) {
      holder = get_text(in);
      loss = get_f64(in);
    }
    r.series.resize(get_u64(in));
    for (std::vector<double>& series : r.series) {
      series.resize(get_u64(in));
      for (double& x : series) x = get_f64(in);
    }
    if (get_u64(in) != 0) r.error = get_text(in);
  }
  if (!in.empty()) throw std::invalid_argument("path rows: trailing bytes");
  return rows;
}

bool built_with_mpi() {
#ifdef BSIM_WITH_MPI
  return true;
#else
  return false;
#endif
}

MpiSession::MpiSession([[maybe_unused]] int& argc, [[maybe_unused]] char**& argv) {
#ifdef BSIM_WITH_MPI
  int already = 0;
  MPI_Initialized(&already);
  if (!already) {
    MPI_Init(&argc, &argv);
    initialised_ = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
#endif
}

MpiSession::~MpiSession() {
#ifdef BSIM_WITH_MPI
  if (initialised_) MPI_Finalize();
#endif
}

void gather_runs([[maybe_unused]] McRun& run, [[maybe_unused]] std::vector<io::McPathRow>& rows, [[maybe_unused]] int rank,
                 int size) {
  if (size <= 1) return;
#ifdef BSIM_WITH_MPI
  const std::string mine = run.aggregate.serialize();
  const std::string mine_rows = encode_rows(rows);
  const std::vector<std::string> aggregates = gather_bytes(mine, rank, size);
  const std::vector<std::string> all_rows = gather_bytes(mine_rows, rank, size);
  unsigned long long total_run = 0;
  const unsigned long long mine_run = run.paths_run;
  MPI_Reduce(&mine_run, &total_run, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank != 0) return;
  analysis::McAggregate other = run.aggregate;
  for (int r = 1; r < size; ++r) {
    other.deserialize(aggregates[static_cast<std::size_t>(r)]);
    run.aggregate.merge(other);
    std::vector<io::McPathRow> theirs = decode_rows(all_rows[static_cast<std::size_t>(r)]);
    std::move(theirs.begin(), theirs.end(), std::back_inserter(rows));
  }
  std::sort(rows.begin(), rows.end(), [](const io::McPathRow& a, const io::McPathRow& b) { return a.path_id < b.path_id; });
  // Failed paths: rebuilt from the rows, so every rank's are listed (up to the usual 100).
  run.failed.clear();
  for (const io::McPathRow& r : rows) {
    if (!r.error || run.failed.size() >= 100) continue;
    analysis::PathVerdict v;
    v.path_id = r.path_id;
    v.error = r.error;
    run.failed.push_back(std::move(v));
  }
  run.paths_run = total_run;
#else
  throw std::logic_error("gather_runs: more than one rank in a build without MPI");
#endif
}

bool any_rank_interrupted(bool interrupted, [[maybe_unused]] int size) {
  if (size <= 1) return interrupted;
#ifdef BSIM_WITH_MPI
  int mine = interrupted ? 1 : 0;
  int any = 0;
  MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return any != 0;
#else
  return interrupted;
#endif
}

}  // namespace bsim::jobs
