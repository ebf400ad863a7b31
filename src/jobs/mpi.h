#pragma once
/// Monte Carlo across processes with MPI (OpenMPI), behind the CMake option BSIM_MPI.
///
///   jobs::MpiSession mpi(argc, argv);          // MPI_Init when built with MPI; else one rank
///   opt.rank = mpi.rank();  opt.ranks = mpi.size();
///   jobs::McRun run = jobs::run_monte_carlo(loaded, opt);   // path ids with id mod size == rank
///   jobs::gather_runs(run, rows);              // rank 0 now holds every rank's paths
///
/// Rank r runs the path ids with id mod size == r; the aggregates merge exactly, so the merged
/// result is byte-identical to one process's with the same seed. Without BSIM_MPI every function
/// behaves as a single rank.

#include <vector>

#include "io/results_db.h"
#include "jobs/monte_carlo.h"

namespace bsim::jobs {

/// MPI_Init on construction, MPI_Finalize on destruction (when built with MPI and started by
/// mpirun); otherwise rank 0 of 1.
class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }

 private:
  int rank_ = 0;
  int size_ = 1;
  bool initialised_ = false;
};

/// Whether this binary was built with MPI (BSIM_MPI=ON).
bool built_with_mpi();

/// Collects every rank's aggregate, failed paths and path rows on rank 0, merged in rank order
/// (rows sorted by path id); other ranks' `run` and `rows` are left as they were. A collective
/// call: every rank must make it. With one rank it does nothing.
void gather_runs(McRun& run, std::vector<io::McPathRow>& rows, int rank, int size);

/// True on every rank if any rank's run was interrupted (a collective call).
bool any_rank_interrupted(bool interrupted, int size);

/// Path rows to bytes and back (for the gather; exact, doubles bit for bit).
std::string encode_rows(const std::vector<io::McPathRow>& rows);
std::vector<io::McPathRow> decode_rows(std::string_view bytes);

}  // namespace bsim::jobs
