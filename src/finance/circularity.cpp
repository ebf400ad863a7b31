#include "finance/circularity.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace bsim::finance {
namespace {

/// Solves A · X = B in place by Gaussian elimination with partial pivoting: A is m × m and B
/// m × k, both row-major; X replaces B. A is weakly diagonally dominant by columns here (a firm
/// pays out no more than its pool), so the pivots stay on the diagonal and away from zero.
void solve_in_place(std::vector<double>& a, std::vector<double>& b, std::size_t m, std::size_t k) {
  for (std::size_t col = 0; col < m; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < m; ++r) {
      if (std::fabs(a[r * m + col]) > std::fabs(a[pivot * m + col])) pivot = r;
    }
    if (a[pivot * m + col] == 0.0) {
      throw std::runtime_error("circularity: singular origin-mixing system at row " + std::to_string(col));
    }
    if (pivot != col) {
      std::swap_ranges(a.begin() + static_cast<std::ptrdiff_t>(col * m),
                       a.begin() + static_cast<std::ptrdiff_t>((col + 1) * m),
                       a.begin() + static_cast<std::ptrdiff_t>(pivot * m));
      std::swap_ranges(b.begin() + static_cast<std::ptrdiff_t>(col * k),
                       b.begin() + static_cast<std::ptrdiff_t>((col + 1) * k),
                       b.begin() + static_cast<std::ptrdiff_t>(pivot * k));
    }
    const double p = a[col * m + col];
    for (std::size_t r = col + 1; r < m; ++r) {
      const double factor = a[r * m + col] / p;
      if (factor == 0.0) continue;
      for (std::size_t c = col; c < m; ++c) a[r * m + c] -= factor * a[col * m + c];
      for (std::size_t c = 0; c < k; ++c) b[r * k + c] -= factor * b[col * k + c];
    }
  }
  for (std::size_t r = m; r-- > 0;) {
    for (std::size_t c = 0; c < k; ++c) {
      double x = b[r * k + c];
      for (std::size_t j = r + 1; j < m; ++j) x -= a[r * m + j] * b[j * k + c];
      b[r * k + c] = x / a[r * m + r];
    }
  }
}

void require_size(const std::vector<double>& v, std::size_t size, const char* name) {
  if (v.size() != size) {
    throw std::invalid_argument(std::string("circularity: ") + name + " has " + std::to_string(v.size()) +
                                " entries, expected " + std::to_string(size));
  }
}

}  // namespace

Circularity circularity(const model::FirmFlows& flows) {
  const std::size_t n = flows.firms;
  require_size(flows.transfer, n * n, "transfer");
  require_size(flows.investment, n * n, "investment");
  require_size(flows.revenue, n * n, "revenue");
  require_size(flows.external_inflow, n, "external_inflow");
  require_size(flows.external_revenue, n, "external_revenue");
  require_size(flows.outside_payment, n, "outside_payment");
  // Netted flows can be a rounding error below zero; a firm paying itself moves nothing.
  auto pair = [n](const std::vector<double>& matrix, std::size_t from, std::size_t to) {
    return from == to ? 0.0 : std::max(0.0, matrix[from * n + to]);
  };
  const std::size_t origins = n + 1;
  const std::size_t external = n;

  // Pools: what each firm received, or what it paid out if that was more (the rest from cash
  // held before the window, of external origin).
  std::vector<double> received(n, 0.0);
  std::vector<double> external_in(n, 0.0);  ///< E_j + P_j
  std::vector<double> pool(n, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    double in = std::max(0.0, flows.external_inflow[j]);
    double out = std::max(0.0, flows.outside_payment[j]);
    for (std::size_t i = 0; i < n; ++i) {
      in += pair(flows.investment, i, j) + pair(flows.transfer, i, j);
      out += pair(flows.investment, j, i) + pair(flows.transfer, j, i);
    }
    received[j] = in;
    pool[j] = std::max(in, out);
    external_in[j] = std::max(0.0, flows.external_inflow[j]) + (pool[j] - in);
  }

  // Firms whose funds can be traced: those with a source (external money or an investment) and
  // those paid, through any chain, by one. The others only pass money around among themselves
  // (their equations would be singular); they count as external.
  std::vector<bool> traced(n, false);
  std::vector<std::size_t> frontier;
  for (std::size_t j = 0; j < n; ++j) {
    double sourced = external_in[j];
    for (std::size_t k = 0; k < n; ++k) sourced += pair(flows.investment, k, j);
    if (sourced > 0.0) {
      traced[j] = true;
      frontier.push_back(j);
    }
  }
  while (!frontier.empty()) {
    const std::size_t i = frontier.back();
    frontier.pop_back();
    for (std::size_t j = 0; j < n; ++j) {
      if (!traced[j] && pair(flows.transfer, i, j) > 0.0) {
        traced[j] = true;
        frontier.push_back(j);
      }
    }
  }
  std::vector<std::size_t> row_of(n, n);
  std::vector<std::size_t> firm_of;
  for (std::size_t j = 0; j < n; ++j) {
    if (!traced[j]) continue;
    row_of[j] = firm_of.size();
    firm_of.push_back(j);
  }

  // (diag(pool) − Xᵀ) M = S over the traced firms, every origin at once.
  const std::size_t m = firm_of.size();
  std::vector<double> a(m * m, 0.0);
  std::vector<double> s(m * origins, 0.0);
  for (std::size_t r = 0; r < m; ++r) {
    const std::size_t j = firm_of[r];
    a[r * m + r] = pool[j];
    s[r * origins + external] = external_in[j];
    for (std::size_t i = 0; i < n; ++i) {
      s[r * origins + i] += pair(flows.investment, i, j);
      const double paid = pair(flows.transfer, i, j);
      if (traced[i]) {
        a[r * m + row_of[i]] -= paid;
      } else {
        s[r * origins + external] += paid;  // nothing in practice: such firms pay no traced one
      }
    }
  }
  // Only the origins that put money in (external money and the firms that invested in the
  // window, usually a few) need solving: a column of S that is all zero solves to zeros (some
  // of them −0, which the clamp below kept and which add nothing to a circular revenue).
  std::vector<std::size_t> sourced_origins;
  for (std::size_t o = 0; o < origins; ++o) {
    for (std::size_t r = 0; r < m; ++r) {
      if (s[r * origins + o] != 0.0) {
        sourced_origins.push_back(o);
        break;
      }
    }
  }
  const std::size_t k = sourced_origins.size();
  std::vector<double> b(m * k);
  for (std::size_t r = 0; r < m; ++r) {
    for (std::size_t c = 0; c < k; ++c) b[r * k + c] = s[r * origins + sourced_origins[c]];
  }
  solve_in_place(a, b, m, k);

  Circularity out;
  out.firms = n;
  out.mix.assign(n * origins, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    if (!traced[j]) {
      out.mix[j * origins + external] = 1.0;
      continue;
    }
    for (std::size_t c = 0; c < k; ++c) {
      out.mix[j * origins + sourced_origins[c]] = std::clamp(b[row_of[j] * k + c], 0.0, 1.0);  // rounding only
    }
  }

  out.revenue.assign(n, 0.0);
  out.circular_revenue.assign(n, 0.0);
  out.share.assign(n, 0.0);
  double all_revenue = 0.0;
  double all_circular = 0.0;
  for (std::size_t seller = 0; seller < n; ++seller) {
    double revenue = std::max(0.0, flows.external_revenue[seller]);
    double circular = 0.0;
    for (std::size_t payer = 0; payer < n; ++payer) {
      const double paid = pair(flows.revenue, payer, seller);
      revenue += paid;
      circular += paid * out.origin_share(payer, seller);
    }
    out.revenue[seller] = revenue;
    out.circular_revenue[seller] = circular;
    out.share[seller] = revenue > 0.0 ? circular / revenue : 0.0;
    all_revenue += revenue;
    all_circular += circular;
  }
  out.overall_share = all_revenue > 0.0 ? all_circular / all_revenue : 0.0;
  return out;
}

}  // namespace bsim::finance
