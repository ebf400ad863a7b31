#include "finance/finance.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/calendar.h"
#include "finance/circularity.h"
#include "finance/clearing.h"
#include "finance/instruments.h"

namespace bsim::finance {
namespace {

using model::Asset;
using model::Flow;
using model::HolderClass;
using model::Liability;
using model::Revaluation;

constexpr double kEps = 1e-9;
constexpr std::size_t kNoAsset = model::kAssetCount;

double under_construction(const std::vector<double>& pipeline) {
  return std::accumulate(pipeline.begin(), pipeline.end(), 0.0);
}

double monthly_usd_bn(double h100e, double usd_per_h100e_hour) {
  return h100e * usd_per_h100e_hour * core::kHoursPerMonth / 1e9;
}

/// USD bn for `gw` of power over a month at `usd_per_mwh`.
double energy_usd_bn(double gw, double usd_per_mwh) { return gw * core::kHoursPerMonth * 1e3 * usd_per_mwh / 1e9; }

double asset(const model::Ledger& l, std::size_t s, Asset a) { return l.sheet(s).assets[static_cast<std::size_t>(a)]; }
double liability(const model::Ledger& l, std::size_t s, Liability a) {
  return l.sheet(s).liabilities[static_cast<std::size_t>(a)];
}

/// Claims tiers (Elsinger): running costs first (a firm keeps its lights on), then debt by
/// seniority, with trade dues (rent, compute, capex) ranking with seniority-2 debt.
constexpr int kTierRunning = 0;
constexpr int kTierTrade = 2;
int debt_tier(const model::DebtContract& d) { return std::max(1, d.seniority); }

/// One payment a contract or a cost makes due this month.
struct Due {
  std::size_t payer = 0;
  std::size_t payee = 0;
  Flow flow = Flow::kComputeRent;
  int tier = kTierTrade;
  double amount = 0.0;
  std::size_t asset = kNoAsset;         ///< capital purchase: the asset bought
  std::size_t debt = model::kNone;      ///< principal of this debt contract (a repayment)
  std::size_t lease = model::kNone;     ///< rent of this lease
  std::size_t interest_on = model::kNone;  ///< interest on this debt contract (kCreditLine: the credit line)
};

/// Due::interest_on for interest on a firm's credit line.
constexpr std::size_t kCreditLine = model::kNone - 1;

std::size_t holder_sector(const model::Ledger& ledger, const model::Holder& h) {
  if (h.is_firm()) return h.firm.index();
  return h.cls == HolderClass::kBanks ? ledger.banks() : ledger.households();
}

bool active(const model::World& world, std::size_t f) {
  return f >= world.firm_status.size() || world.firm_status[f] == model::FirmStatus::kActive;
}

/// Scheduled principal of a debt this month (0 before its first payment month).
double scheduled_principal(const model::DebtContract& d, double outstanding, core::Month month) {
  if (outstanding <= 0.0 || month <= d.start || month > d.maturity) return 0.0;
  if (month == d.maturity) return outstanding;
  if (d.amortisation == model::Amortisation::kBullet) return 0.0;
  const int left = d.maturity - month + 1;
  return outstanding / left;
}

/// Outstanding principal of a debt at the start of `month` if it has been serviced as
/// scheduled (for debts drawn before the horizon).
double outstanding_at(const model::DebtContract& d, core::Month month) {
  if (month <= d.start) return d.principal_usd_bn;
  if (month > d.maturity) return 0.0;
  if (d.amortisation == model::Amortisation::kBullet) return d.principal_usd_bn;
  const int total = d.maturity - d.start;
  const int paid = month - 1 - d.start;
  return d.principal_usd_bn * std::max(0.0, 1.0 - static_cast<double>(paid) / total);
}

/// A terminated contract's claim on its defaulting buyer or lessee (docs/model.md §6.5): the
/// next `penalty_months` of payments in full, and `claim_share` of the payments left after
/// them: m·P + a·max(0, R − m·P), R = P × months left. With a = 1 the claim is every remaining
/// payment (or the penalty, if larger); with a = 0 the penalty alone.
double termination_claim(double monthly, int months_left, double penalty_months, double claim_share) {
  const double remaining = monthly * std::max(0, months_left);
  const double penalty = penalty_months * monthly;
  return penalty + claim_share * std::max(0.0, remaining - penalty);
}

double campus_cost(const model::Scenario& s, const model::Lease& l) {
  return l.datacenter_gw * s.supply.datacenter.usd_bn_per_gw + l.power_gw * s.supply.power.usd_bn_per_gw;
}

/// Market value of a campus at book: its book value scaled by how much of the world's
/// operable compute is in use (an empty campus in a glut fetches little).
double campus_value(const model::World& world, double book) {
  const double use = world.operable.value() > 0.0 ? std::min(1.0, world.served.value() / world.operable.value()) : 0.0;
  return book * use;
}

/// Shares move when `x` of new equity is bought by `investor` at the current value.
void dilute(std::vector<model::Shareholding>& owners, const model::Holder& investor, double value_before, double x) {
  const double after = value_before + x;
  if (after <= 0.0) return;
  bool found = false;
  for (model::Shareholding& h : owners) {
    h.share *= value_before / after;
    if (h.holder.cls == investor.cls && h.holder.firm == investor.firm) {
      h.share += x / after;
      found = true;
    }
  }
  if (!found) owners.push_back({investor, x / after});
}

/// Equity values at book with stakes in other firms at their own values: V_f = max(0, base_f +
/// Σ share × V_issuer over the firm's stakes), 0 for a firm not `alive`. Ownership can be
/// circular, so it is solved by iteration from `value` (shares below 1 make it contract).
std::vector<double> solve_equity_values(const std::vector<double>& base, const std::vector<std::vector<model::Shareholding>>& owners,
                                        const std::vector<bool>& alive, std::vector<double> value) {
  const std::size_t n = base.size();
  for (int sweep = 0; sweep < 200; ++sweep) {
    std::vector<double> held(n, 0.0);
    for (std::size_t issuer = 0; issuer < n; ++issuer) {
      for (const model::Shareholding& h : owners[issuer]) {
        if (h.holder.is_firm()) held[h.holder.firm.index()] += h.share * value[issuer];
      }
    }
    double change = 0.0;
    for (std::size_t f = 0; f < n; ++f) {
      const double v = alive[f] ? std::max(0.0, base[f] + held[f]) : 0.0;
      change = std::max(change, std::fabs(v - value[f]));
      value[f] = v;
    }
    if (change < 1e-12) break;
  }
  return value;
}

class Month {
 public:
  Month(const model::Scenario& s, model::World& w, model::EventSink& e)
      : s_(s), w_(w), fin_(w.fin), ledger_(w.ledger), events_(e), n_(s.firms.size()) {}

  void run();

 private:
  void post_capex();
  void post_service_revenue();
  void collect_dues();
  void clear_and_post();
  void securitisation_waterfalls();
  void lease_lifecycle();
  void equity_investments();
  void warrants();
  void draw_new_money();
  void depreciate();
  void find_defaults();
  void resolve(std::size_t d, model::EventKind why);
  void liquidate_physical(std::size_t d);
  void mark_equity();
  void end_of_month_state();

  double headroom(std::size_t f) const;
  std::size_t lender_sector(std::size_t debt) const {
    return fin_.debt_lender_override[debt] != model::kNone ? fin_.debt_lender_override[debt]
                                                           : holder_sector(ledger_, s_.debts[debt].lender);
  }
  void add_due(Due d) {
    if (d.amount > 0.0 && d.payer != d.payee) dues_.push_back(d);
  }
  void record_loss(const model::Holder& holder, double loss, std::size_t debt_index = model::kNone);
  std::string holder_name(const model::Holder& h) const {
    return h.is_firm() ? s_.firms[h.firm.index()].id : std::string(model::holder_class_name(h.cls));
  }
  std::string sector_id(std::size_t sector) const {
    if (sector < n_) return s_.firms[sector].id;
    return sector == ledger_.households() ? "households" : "banks";
  }

  const model::Scenario& s_;
  model::World& w_;
  model::FinanceState& fin_;
  model::Ledger& ledger_;
  model::EventSink& events_;
  std::size_t n_;
  std::vector<Due> dues_;
  std::vector<double> lease_paid_;  ///< rent actually paid per lease this month
  std::vector<double> bought_;      ///< spot compute bought per firm (H100e)
  std::vector<double> contract_used_by_;
  std::vector<std::pair<std::size_t, model::EventKind>> defaulters_;
  std::vector<double> unpaid_;      ///< per firm: dues unpaid after clearing
  std::vector<double> core_capex_;  ///< per firm: this month's capex of its business outside the model
};

// ---------------------------------------------------------------------------------------------

void Month::post_capex() {
  const model::SupplyParams& sup = s_.supply;
  const std::size_t households = ledger_.households();
  const std::size_t chipmaker = chipmaker_sector(s_, w_);
  double halls_and_power = 0.0;
  // Shells, power and fabs are paid over their build; accelerators at delivery. Supply has
  // just moved this month's completions out of the pipelines: they pay their last instalment
  // now, so each project pays exactly its cost over its lead time.
  for (model::OwnerState& o : w_.owners) {
    const double halls = (under_construction(o.datacenter_pipeline_gw) + o.datacenter_completed_gw) *
                         sup.datacenter.usd_bn_per_gw / sup.datacenter.lead_time_months;
    const double power = (under_construction(o.power_pipeline_gw) + o.power_completed_gw) * sup.power.usd_bn_per_gw /
                         sup.power.lead_time_months;
    o.capex_usd_bn = halls + power + o.delivered_cost_usd_bn;
    halls_and_power += halls + power;
    const std::size_t f = o.firm.index();
    add_due({f, chipmaker, Flow::kCapexAccelerators, kTierTrade, o.delivered_cost_usd_bn, static_cast<std::size_t>(Asset::kAccelerators)});
    add_due({f, households, Flow::kCapexConstruction, kTierTrade, halls, static_cast<std::size_t>(Asset::kDatacenters)});
    add_due({f, households, Flow::kCapexConstruction, kTierTrade, power, static_cast<std::size_t>(Asset::kPower)});
  }
  // Lessors build their campuses over the months before each lease starts.
  for (std::size_t i = 0; i < s_.leases.size(); ++i) {
    const model::Lease& l = s_.leases[i];
    if (l.build_months <= 0 || w_.month < l.start - l.build_months || w_.month >= l.start) continue;
    // A lessor stops building for a lessee that has defaulted: the lease will never start.
    if (!active(w_, l.lessor.index()) || !active(w_, l.lessee.index())) continue;
    const double share_dc = l.datacenter_gw * sup.datacenter.usd_bn_per_gw / l.build_months;
    const double share_pw = l.power_gw * sup.power.usd_bn_per_gw / l.build_months;
    add_due({l.lessor.index(), households, Flow::kCapexConstruction, kTierTrade, share_dc, static_cast<std::size_t>(Asset::kDatacenters)});
    add_due({l.lessor.index(), households, Flow::kCapexConstruction, kTierTrade, share_pw, static_cast<std::size_t>(Asset::kPower)});
    fin_.campus_book[i] += share_dc + share_pw;
    ++fin_.campus_months_built[i];
    halls_and_power += share_dc + share_pw;
  }
  // Cancelled accelerator orders (behaviour, last month): the fee to the chipmaker.
  for (model::OwnerState& o : w_.owners) {
    if (active(w_, o.firm.index())) add_due({o.firm.index(), chipmaker, Flow::kPenalty, kTierTrade, o.cancellation_fee_usd_bn});
    o.cancellation_fee_usd_bn = 0.0;
  }
  // Firms' business outside the model: its capex, bought from households into other assets.
  core_capex_.assign(n_, 0.0);
  for (std::size_t f = 0; f < n_; ++f) {
    if (active(w_, f)) core_capex_[f] = s_.firms[f].core_capex_usd_bn_per_year.at(w_.month) / 12.0;
    add_due({f, households, Flow::kCapexConstruction, kTierTrade, core_capex_[f], static_cast<std::size_t>(Asset::kOtherAssets)});
  }
  w_.core_capex = core::Money{std::accumulate(core_capex_.begin(), core_capex_.end(), 0.0)};
  w_.production.capex_usd_bn = (under_construction(w_.production.project_pipeline) + w_.production.completed) *
                               sup.production.usd_bn_per_h100e_per_month / sup.production.project_lead_time_months;
  add_due({chipmaker, households, Flow::kCapexConstruction, kTierTrade, w_.production.capex_usd_bn,
           static_cast<std::size_t>(Asset::kProductionCapacity)});
  w_.capex = w_.delivered_cost + core::Money{halls_and_power + w_.production.capex_usd_bn};
}

void Month::post_service_revenue() {
  // End users pay for AI services: labs for their share of the segments labs serve, compute
  // owners (their own services and the labs not listed) for the rest. Households always pay.
  const std::size_t households = ledger_.households();
  const double revenue = w_.ai_revenue.value();
  const double lab_revenue = w_.ai_revenue_lab_segments.value();
  double to_labs = 0.0;
  for (std::size_t f = 0; f < n_; ++f) {
    // The month's shares after lab competition, as demand wrote them; a defaulted lab serves no one.
    const std::vector<double>& shares = w_.demand_curve.inference_share_by_firm;
    const double share = !active(w_, f) ? 0.0 : f < shares.size() ? shares[f] : s_.firms[f].inference_share;
    to_labs += lab_revenue * share;
    ledger_.pay(households, f, Flow::kServiceRevenue, lab_revenue * share);
  }
  double owners_share = 0.0;
  for (const model::OwnerState& o : w_.owners) {
    if (active(w_, o.firm.index())) owners_share += s_.firms[o.firm.index()].build_share;
  }
  for (const model::OwnerState& o : w_.owners) {
    const std::size_t f = o.firm.index();
    if (!active(w_, f) || owners_share <= 0.0) continue;
    ledger_.pay(households, f, Flow::kServiceRevenue, (revenue - to_labs) * s_.firms[f].build_share / owners_share);
  }
  // Firms' business outside the model: its operating cash flow (a loss is a due to households).
  for (std::size_t f = 0; f < n_; ++f) {
    if (!active(w_, f) || s_.firms[f].core_cash_flow_usd_bn_per_year.empty()) continue;
    const double cash = s_.firms[f].core_cash_flow_usd_bn_per_year.at(w_.month) / 12.0;
    if (cash > 0.0) ledger_.pay(households, f, Flow::kCoreBusiness, cash);
    if (cash < 0.0) add_due({f, households, Flow::kCoreBusiness, kTierTrade, -cash});
  }
}

void Month::collect_dues() {
  const std::size_t households = ledger_.households();
  const std::size_t banks = ledger_.banks();
  // Compute commitments: the buyer pays for what it used at the contract price, and for the
  // committed volume it did not use, up to the take-or-pay share.
  contract_used_by_.assign(n_, 0.0);
  for (std::size_t c = 0; c < s_.contracts.size() && c < w_.contract_used_h100e.size(); ++c) {
    const model::ComputeCommitment& k = s_.contracts[c];
    contract_used_by_[k.buyer.index()] += w_.contract_used_h100e[c];  // 0 for terminated contracts
    add_due({k.buyer.index(), k.seller.index(), Flow::kComputeRent, kTierTrade,
             monthly_usd_bn(w_.contract_used_h100e[c], k.price_usd_per_h100e_hour)});
    if (w_.month < k.start || w_.month > k.end || !model::contract_alive(w_, k)) continue;
    const double owed = std::max(0.0, k.take_or_pay_share * k.volume.value() - w_.contract_used_h100e[c]);
    add_due({k.buyer.index(), k.seller.index(), Flow::kTakeOrPay, kTierTrade, monthly_usd_bn(owed, k.price_usd_per_h100e_hour)});
  }
  // Spot: each firm buys what its demand leaves after its contracts; buyers not listed (the
  // households/rest-of-world sector) buy the rest; each owner is paid for its spot sales.
  double spot_sold = 0.0;
  std::vector<double> spot_by_owner(w_.owners.size(), 0.0);
  for (const model::CapacityStep& st : w_.steps) {
    spot_sold += st.spot_h100e;
    spot_by_owner[st.owner] += st.spot_h100e;
  }
  bought_.assign(n_ + 1, 0.0);
  double listed = 0.0;
  const double inference_now = w_.demand_curve.lab_inference_h100e(w_.spot_price);
  for (std::size_t f = 0; f < n_; ++f) {
    if (!active(w_, f)) continue;
    bought_[f] = std::max(0.0, w_.demand_curve.firm_h100e(f, w_.spot_price, inference_now) - contract_used_by_[f]);
    listed += bought_[f];
  }
  if (listed > spot_sold && listed > 0.0) {
    for (std::size_t f = 0; f < n_; ++f) bought_[f] *= spot_sold / listed;  // rationed pro rata
    listed = spot_sold;
  }
  bought_.back() = spot_sold - listed;
  if (spot_sold > 0.0) {
    for (std::size_t i = 0; i < w_.owners.size(); ++i) {
      const double owner_share = spot_by_owner[i] / spot_sold;
      for (std::size_t b = 0; b < bought_.size(); ++b) {
        const std::size_t payer = b < n_ ? b : households;
        const double amount = monthly_usd_bn(bought_[b] * owner_share, w_.spot_price);
        if (payer == households) {
          ledger_.pay(households, w_.owners[i].firm.index(), Flow::kComputeRent, amount);
        } else {
          add_due({payer, w_.owners[i].firm.index(), Flow::kComputeRent, kTierTrade, amount});
        }
      }
    }
  }
  // Running costs: power and other opex of the capacity each owner ran. Power bought under a
  // PPA is paid to the utility at its price instead of to the grid at the market price.
  const auto& gens = s_.technology.generations;
  std::vector<double> power_used_gw(n_, 0.0);
  std::vector<double> running(n_, 0.0);
  for (const model::CapacityStep& st : w_.steps) {
    const double used = st.contract_h100e + st.spot_h100e;
    const std::size_t f = w_.owners[st.owner].firm.index();
    running[f] += monthly_usd_bn(used, model::marginal_cost(s_.supply, gens[st.generation]));
    power_used_gw[f] += used * gens[st.generation].kw_per_h100e / 1e6;
  }
  for (std::size_t p = 0; p < s_.ppas.size(); ++p) {
    const model::PowerPurchase& k = s_.ppas[p];
    if (!fin_.ppa_active[p] || w_.month < k.start || w_.month > k.end) continue;
    const std::size_t b = k.buyer.index();
    const double taken = std::min(k.gw, power_used_gw[b]);
    power_used_gw[b] -= taken;
    running[b] -= energy_usd_bn(taken, s_.supply.power_price_usd_per_mwh);
    add_due({b, k.seller.index(), Flow::kPowerPurchase, kTierRunning,
             energy_usd_bn(std::max(taken, k.take_or_pay_share * k.gw), k.price_usd_per_mwh)});
  }
  for (std::size_t f = 0; f < n_; ++f) add_due({f, households, Flow::kOperatingCost, kTierRunning, running[f]});
  // Leases: rent to the lessor (or whoever took the campus over).
  for (std::size_t i = 0; i < s_.leases.size(); ++i) {
    if (!fin_.lease_active[i]) continue;
    Due d{s_.leases[i].lessee.index(), fin_.lease_lessor[i], Flow::kLeaseRent, kTierTrade, s_.leases[i].rent_usd_bn_per_year / 12.0};
    d.lease = i;
    add_due(d);
  }
  // Debt service: interest and scheduled principal, by seniority. ABS tranches are paid by
  // their pool's waterfall instead.
  for (std::size_t i = 0; i < s_.debts.size(); ++i) {
    const model::DebtContract& d = s_.debts[i];
    const double out = fin_.debt_outstanding[i];
    if (out <= 0.0 || d.kind == model::DebtKind::kAbsTranche || !active(w_, d.borrower.index())) continue;
    const std::size_t lender = lender_sector(i);
    const double rate = d.rate_per_year + (fin_.debt_in_breach[i] ? d.step_up_per_year : 0.0);
    Due interest{d.borrower.index(), lender, Flow::kInterest, debt_tier(d), out * core::monthly_rate(rate)};
    interest.interest_on = i;
    add_due(interest);
    Due principal{d.borrower.index(), lender, Flow::kBorrowing, debt_tier(d), scheduled_principal(d, out, w_.month)};
    principal.debt = i;
    add_due(principal);
  }
  // Credit lines: interest to the banks (senior unsecured).
  for (std::size_t f = 0; f < n_; ++f) {
    if (!active(w_, f)) continue;
    // The rate floats (DESIGN §1.8): with the policy rate since the start, and with the spread
    // lenders set at the end of last month (credit tightness and falling collateral values).
    const double policy_change = s_.credit.rate_pass_through ? s_.credit.policy_rate(w_.month) - s_.credit.policy_rate(s_.time.start) : 0.0;
    const double rate = std::max(0.0, s_.firms[f].debt_rate_per_year + policy_change + w_.valuation.credit_spread_per_year);
    Due interest{f, banks, Flow::kInterest, 1, fin_.credit_line[f] * core::monthly_rate(rate)};
    interest.interest_on = kCreditLine;
    add_due(interest);
  }
  // Payables carried from earlier months (unpaid dues) fall due again.
  for (std::size_t f = 0; f < n_; ++f) {
    if (!active(w_, f)) continue;
    for (std::size_t c = 0; c < fin_.payable_to[f].size(); ++c) {
      if (fin_.payable_to[f][c] <= 0.0) continue;
      dues_.push_back({f, c, Flow::kTradeCredit, kTierTrade, fin_.payable_to[f][c]});
    }
  }
}

double Month::headroom(std::size_t f) const {
  if (!s_.finance.new_money_available || !active(w_, f)) return 0.0;
  const model::Firm& firm = s_.firms[f];
  if (firm.financing == model::Firm::Financing::kEquity) {
    if (firm.equity_closed_from && w_.month >= *firm.equity_closed_from) return 0.0;
    const auto& raised = fin_.equity_raised[f];
    // At lower valuations the same dilution raises less (DESIGN §1.8).
    const double valuation = s_.sentiment.equity_access ? w_.sentiment.index / s_.sentiment.initial_index : 1.0;
    return std::max(0.0, firm.equity_limit_usd_bn_per_year * valuation - std::accumulate(raised.begin(), raised.end(), 0.0));
  }
  // Lenders cut limits as credit tightens, and lend nothing new above the closing threshold.
  const double tight = w_.sentiment.credit_tightness;
  if (tight > 0.0 && tight >= s_.credit.closed_above) return 0.0;
  const double limit = firm.credit_limit_usd_bn * (1.0 - s_.credit.limit_cut * tight);
  return std::max(0.0, limit - fin_.credit_line[f]);
}

void Month::clear_and_post() {
  // Joint clearing of the month's dues (Elsinger's seniority tiers over Eisenberg–Noe, with
  // Rogers–Veraart default costs): each firm's external assets are its deposits (after end
  // users paid it) and the new money it can still raise; everything outside the firms (the
  // grid, builders, banks, bond investors) is the outside creditor, who always gets paid what
  // the firms can pay.
  ClearingProblem p;
  p.n = n_;
  p.alpha = s_.finance.default_cost_external;
  p.beta = s_.finance.default_cost_interfirm;
  p.external_assets.resize(n_);
  for (std::size_t f = 0; f < n_; ++f) {
    p.external_assets[f] = std::max(0.0, asset(ledger_, f, Asset::kDeposits)) + headroom(f);
  }
  p.obligations.reserve(dues_.size());
  for (const Due& d : dues_) {
    const auto creditor = static_cast<std::uint32_t>(d.payee < n_ ? d.payee : n_);
    p.obligations.push_back({static_cast<std::uint32_t>(d.payer), creditor, d.tier, d.amount});
  }
  const ClearingResult r = clear_obligations(p);

  unpaid_.assign(n_, 0.0);
  lease_paid_.assign(s_.leases.size(), 0.0);
  // Carried payables are settled afresh below.
  for (auto& row : fin_.payable_to) std::fill(row.begin(), row.end(), 0.0);
  std::vector<double> worst(n_, 0.0);
  std::vector<std::size_t> worst_payee(n_, 0);
  for (std::size_t k = 0; k < dues_.size(); ++k) {
    const Due& d = dues_[k];
    const double paid = std::min(d.amount, r.payment[k]);
    const double unpaid = d.amount - paid;
    if (d.debt != model::kNone) {
      // Principal: only what is paid is repaid; the rest stays outstanding (and in default).
      ledger_.lend(d.payee, d.payer, -paid);
      fin_.debt_outstanding[d.debt] -= paid;
    } else if (d.flow == Flow::kTradeCredit) {
      // An old payable: paying it off; the rest stays a payable.
      ledger_.extend_trade_credit(d.payee, d.payer, -d.amount);
    } else if (d.asset != kNoAsset) {
      ledger_.buy_asset(d.payer, d.payee, d.flow, static_cast<Asset>(d.asset), d.amount);
    } else {
      ledger_.pay(d.payer, d.payee, d.flow, d.amount);
    }
    if (d.lease != model::kNone) lease_paid_[d.lease] += paid;
    if (d.interest_on != model::kNone && unpaid > 0.0) {
      // Unpaid interest is added to the debt it accrued on (the lender lends it back), so it is
      // claimed at that debt's seniority and by its holder.
      ledger_.lend(d.payee, d.payer, unpaid);
      if (d.interest_on == kCreditLine) {
        fin_.credit_line[d.payer] += unpaid;
      } else {
        fin_.debt_outstanding[d.interest_on] += unpaid;
      }
    } else if (d.debt == model::kNone && unpaid > 0.0) {
      ledger_.extend_trade_credit(d.payee, d.payer, unpaid);
      fin_.payable_to[d.payer][d.payee] += unpaid;
    }
    if (unpaid > kEps) {
      unpaid_[d.payer] += unpaid;
      if (unpaid > worst[d.payer]) {
        worst[d.payer] = unpaid;
        worst_payee[d.payer] = d.payee;
      }
    }
  }
  for (std::size_t f = 0; f < n_; ++f) {
    if (!r.defaulted[f] || unpaid_[f] <= kEps) continue;
    // Default costs (Rogers–Veraart): what a defaulter loses on its assets goes to households
    // (lawyers, brokers) rather than to its creditors.
    const double cost = p.alpha * p.external_assets[f] + p.beta * r.received[f];
    const double available = std::max(0.0, asset(ledger_, f, Asset::kDeposits) + headroom(f));
    ledger_.pay(f, ledger_.households(), Flow::kDefaultCost, std::min(cost, available));
    events_.emit({w_.month, model::EventKind::kMissedPayment, s_.firms[f].id, unpaid_[f], sector_id(worst_payee[f])});
    defaulters_.push_back({f, model::EventKind::kPaymentDefault});
  }
}

void Month::securitisation_waterfalls() {
  for (std::size_t z = 0; z < s_.securitisations.size(); ++z) {
    const std::size_t issuer = s_.securitisations[z].issuer.index();
    double collections = 0.0;
    bool pool_alive = false;
    bool lost_lease = false;
    for (std::size_t i = 0; i < s_.leases.size(); ++i) {
      if (s_.leases[i].securitisation != z) continue;
      collections += lease_paid_[i];
      if (fin_.lease_active[i] || !fin_.lease_ended[i]) pool_alive = true;  // running, or still to start
      if (fin_.lease_terminated_this_month[i]) lost_lease = true;
    }
    std::vector<std::size_t> index;  // the pool's tranches, most senior first
    for (std::size_t i = 0; i < s_.debts.size(); ++i) {
      const model::DebtContract& d = s_.debts[i];
      if (d.securitisation == z && fin_.debt_outstanding[i] > 0.0 && w_.month > d.start) index.push_back(i);
    }
    if (index.empty()) continue;
    std::stable_sort(index.begin(), index.end(), [&](std::size_t a, std::size_t b) { return s_.debts[a].seniority < s_.debts[b].seniority; });
    std::vector<Tranche> tranches;
    double balance = 0.0;
    for (std::size_t i : index) {
      tranches.push_back({s_.debts[i].id, fin_.debt_outstanding[i], core::monthly_rate(s_.debts[i].rate_per_year)});
      balance += fin_.debt_outstanding[i];
    }
    // Pool losses: when a lease of the pool terminates, the tranches are written down to what
    // the remaining rents are worth (present value over their current terms); when no lease is
    // left, everything still owed is lost.
    double pool_loss = 0.0;
    if (!pool_alive) {
      pool_loss = balance;
    } else if (lost_lease) {
      const double r = core::monthly_rate(s_.finance.discount_rate_per_year);
      double value = collections;
      for (std::size_t i = 0; i < s_.leases.size(); ++i) {
        if (s_.leases[i].securitisation != z || !fin_.lease_active[i]) continue;
        const int months = std::max(0, fin_.lease_end[i] - w_.month);
        const double annuity = r > 0.0 ? (1.0 - std::pow(1.0 + r, -months)) / r : months;
        value += s_.leases[i].rent_usd_bn_per_year / 12.0 * annuity;
      }
      pool_loss = std::max(0.0, balance - value);
    }
    // Issuers forward only what they collected and still hold.
    collections = std::min(collections, std::max(0.0, asset(ledger_, issuer, Asset::kDeposits)));
    const WaterfallResult wf = pay_waterfall(tranches, collections, std::min(pool_loss, balance));
    for (std::size_t t = 0; t < index.size(); ++t) {
      const std::size_t i = index[t];
      const model::DebtContract& d = s_.debts[i];
      const std::size_t lender = lender_sector(i);
      ledger_.pay(issuer, lender, Flow::kInterest, wf.interest_paid[t]);
      ledger_.lend(lender, issuer, -wf.principal_paid[t]);
      if (wf.losses[t] > 0.0) {
        ledger_.write_off(lender, Asset::kLoans, issuer, Liability::kDebt, wf.losses[t], Revaluation::kDefault);
        record_loss(d.lender, wf.losses[t], i);
        w_.debt_losses += wf.losses[t];  // written off like a defaulter's claims
        events_.emit({w_.month, model::EventKind::kCreditorLoss, holder_name(d.lender), wf.losses[t], d.id});
      }
      fin_.debt_outstanding[i] = tranches[t].balance;
    }
  }
}

void Month::lease_lifecycle() {
  for (std::size_t i = 0; i < s_.leases.size(); ++i) {
    const model::Lease& l = s_.leases[i];
    if (!fin_.lease_active[i] || w_.month != fin_.lease_end[i]) continue;
    if (fin_.lease_renewals_left[i] > 0 && active(w_, l.lessee.index())) {
      --fin_.lease_renewals_left[i];
      fin_.lease_end[i] = fin_.lease_end[i] + l.term_months;
      continue;
    }
    // The lease ends: the campus goes back to its owner; the lessee makes good any shortfall
    // of the campus's value below the residual-value guarantee.
    fin_.lease_active[i] = false;
    const double shortfall = std::max(0.0, l.residual_value_guarantee_usd_bn - campus_value(w_, fin_.campus_book[i]));
    if (shortfall > 0.0) {
      ledger_.pay_guarantee(l.lessee.index(), fin_.lease_lessor[i], shortfall);
    }
    events_.emit({w_.month, model::EventKind::kLeaseEnded, l.id, shortfall, s_.firms[l.lessee.index()].id});
  }
}

void Month::equity_investments() {
  for (std::size_t i = 0; i < s_.equity_investments.size(); ++i) {
    const model::EquityInvestment& k = s_.equity_investments[i];
    const std::size_t investee = k.investee.index();
    if (w_.month < k.start || !active(w_, investee)) continue;
    // The tranche at the start and the milestone tranches (tracked in investment_paid), then
    // the scheduled call of the month.
    double tranche = w_.month == k.start ? k.usd_bn : 0.0;
    if (k.usd_bn_per_gw > 0.0) {
      const std::size_t m = k.milestone_firm.index();
      const double grown = fin_.compute_gw_peak[m] - fin_.compute_gw_at_start[m];
      const double cap = k.max_usd_bn > 0.0 ? k.max_usd_bn : k.usd_bn;
      const double earned = std::min(cap, k.usd_bn + std::floor(grown + 1e-9) * k.usd_bn_per_gw);
      tranche = std::max(tranche, earned - fin_.investment_paid[i]);
    }
    const double due = std::max(0.0, tranche) + k.call_due(w_.month);
    if (due <= kEps) continue;
    const std::size_t investor = holder_sector(ledger_, k.investor);
    fin_.investment_paid[i] += std::max(0.0, tranche);  // paid now, or lapsed below
    if (k.investor.is_firm()) {
      // A firm investor whose own funding has failed (it has defaulted, or its deposits and
      // new money fall short of the call) misses the call: the investee goes without it.
      const bool alive = active(w_, investor);
      const double liquid = alive ? std::max(0.0, asset(ledger_, investor, Asset::kDeposits)) + headroom(investor) : 0.0;
      if (!alive || liquid < due) {
        events_.emit({w_.month, model::EventKind::kMissedCall, k.id, due, holder_name(k.investor)});
        continue;
      }
    }
    const double value = fin_.equity_value[investee];
    ledger_.issue_equity(investee, investor, due);
    dilute(fin_.owners[investee], k.investor, value, due);
    fin_.equity_value[investee] = value + due;
    events_.emit({w_.month, model::EventKind::kEquityTranche, s_.firms[investee].id, due, holder_name(k.investor)});
  }
}

void Month::warrants() {
  for (std::size_t i = 0; i < s_.warrants.size(); ++i) {
    const model::Warrant& k = s_.warrants[i];
    const std::size_t issuer = k.issuer.index();
    if (w_.month < k.start || !active(w_, issuer) || fin_.warrant_vested[i] >= k.tranches) continue;
    if (k.holder.is_firm() && !active(w_, k.holder.firm.index())) continue;
    const std::size_t m = k.milestone_firm.index();
    const double grown = fin_.compute_gw_peak[m] - fin_.compute_gw_at_start[m];
    const int reached = std::min(k.tranches, static_cast<int>(std::floor(grown / k.gw_per_tranche + 1e-9)));
    const std::size_t holder = holder_sector(ledger_, k.holder);
    for (; fin_.warrant_vested[i] < reached; ++fin_.warrant_vested[i]) {
      // New shares for the holder: every other holder gives up the same fraction.
      const double part = k.share / k.tranches;
      const double value = fin_.equity_value[issuer];
      auto& owners = fin_.owners[issuer];
      for (model::Shareholding& h : owners) {
        const double moved = h.share * part * value;
        ledger_.transfer_asset(holder_sector(ledger_, h.holder), holder, Asset::kEquityHoldings, moved, Revaluation::kWarrant);
        h.share *= 1.0 - part;
      }
      bool found = false;
      for (model::Shareholding& h : owners) {
        if (h.holder.cls == k.holder.cls && h.holder.firm == k.holder.firm) {
          h.share += part;
          found = true;
        }
      }
      if (!found) owners.push_back({k.holder, part});
      const double strike = k.strike_usd_bn / k.tranches;
      if (strike > 0.0) {
        ledger_.issue_equity(issuer, holder, strike);
        dilute(owners, k.holder, value, strike);
        fin_.equity_value[issuer] = value + strike;
      }
      events_.emit({w_.month, model::EventKind::kWarrantVested, s_.firms[issuer].id, part, holder_name(k.holder)});
    }
  }
}

void Month::draw_new_money() {
  // A firm whose payments took its deposits below zero draws the gap on its credit line, or,
  // if it is equity-financed, sells new shares to its outside investors — within its limits.
  for (std::size_t f = 0; f < n_; ++f) {
    const double deposits = asset(ledger_, f, Asset::kDeposits);
    if (deposits >= 0.0 || !active(w_, f)) continue;
    const double draw = std::min(-deposits, headroom(f));
    if (draw <= 0.0) continue;
    if (s_.firms[f].financing == model::Firm::Financing::kEquity) {
      const double value = fin_.equity_value[f];
      const model::Holder outside{s_.firms[f].shareholders, {}};
      ledger_.issue_equity(f, ledger_.households(), draw);
      dilute(fin_.owners[f], outside, value, draw);
      fin_.equity_value[f] = value + draw;
      fin_.equity_raised[f].back() += draw;
    } else {
      ledger_.lend(ledger_.banks(), f, draw);
      fin_.credit_line[f] += draw;
    }
  }
}

void Month::depreciate() {
  const model::SupplyParams& sup = s_.supply;
  // Straight-line depreciation of accelerators; failures written off at book.
  std::vector<double> depreciation(n_, 0.0);
  std::vector<double> written_off(n_, 0.0);
  for (const model::Cohort& c : w_.cohorts) {
    const int life = s_.firms[c.owner.index()].book_life_months;
    const int age = w_.month - c.vintage;
    if (age >= 1 && age <= life) depreciation[c.owner.index()] += c.h100e * c.usd_per_h100e / 1e9 / life;
    const double book_share_before = age == 0 ? 1.0 : std::max(0.0, 1.0 - static_cast<double>(age - 1) / life);
    written_off[c.owner.index()] += c.failed_h100e * c.usd_per_h100e / 1e9 * book_share_before;
  }
  for (std::size_t f = 0; f < n_; ++f) {
    ledger_.depreciate(f, Asset::kAccelerators, depreciation[f]);
    ledger_.revalue(f, Asset::kAccelerators, -written_off[f], Revaluation::kFailures);
    // Shells, power and fabs: declining balance at 1/life a month.
    ledger_.depreciate(f, Asset::kDatacenters, asset(ledger_, f, Asset::kDatacenters) / sup.datacenter.life_months);
    ledger_.depreciate(f, Asset::kPower, asset(ledger_, f, Asset::kPower) / sup.power.life_months);
    ledger_.depreciate(f, Asset::kProductionCapacity,
                       asset(ledger_, f, Asset::kProductionCapacity) / sup.production.project_life_months);
    // Core capex maintains the business outside the model: its assets wear out as fast.
    const double wear = active(w_, f) ? std::min(asset(ledger_, f, Asset::kOtherAssets), core_capex_[f]) : 0.0;
    if (wear > 0.0) ledger_.depreciate(f, Asset::kOtherAssets, wear);
  }
  // Projects abandoned last month (behaviour): what was spent on them is written off.
  for (model::OwnerState& o : w_.owners) {
    const std::size_t f = o.firm.index();
    const double halls = std::min(asset(ledger_, f, Asset::kDatacenters), o.abandoned_sunk_datacenter_usd_bn);
    const double power = std::min(asset(ledger_, f, Asset::kPower), o.abandoned_sunk_power_usd_bn);
    if (halls > 0.0) ledger_.revalue(f, Asset::kDatacenters, -halls, Revaluation::kAbandonment);
    if (power > 0.0) ledger_.revalue(f, Asset::kPower, -power, Revaluation::kAbandonment);
    o.abandoned_sunk_datacenter_usd_bn = 0.0;
    o.abandoned_sunk_power_usd_bn = 0.0;
  }
  for (std::size_t i = 0; i < s_.leases.size(); ++i) fin_.campus_book[i] *= 1.0 - 1.0 / sup.datacenter.life_months;
}

void Month::find_defaults() {
  const auto window = static_cast<std::size_t>(s_.finance.covenant_window_months);
  // Operating cash flow before debt service and interest, per firm, over the covenant window.
  std::vector<double> cash_sum(n_, 0.0);
  std::vector<double> interest_sum(n_, 0.0);
  std::vector<bool> full_window(n_, false);
  for (std::size_t f = 0; f < n_; ++f) {
    const double operating = ledger_.flow(Flow::kServiceRevenue, f) + ledger_.flow(Flow::kComputeRent, f) + ledger_.flow(Flow::kCoreBusiness, f) +
                             ledger_.flow(Flow::kTakeOrPay, f) + ledger_.flow(Flow::kOperatingCost, f) +
                             ledger_.flow(Flow::kLeaseRent, f) + ledger_.flow(Flow::kPowerPurchase, f);
    auto& cash = w_.operating_cash[f];
    auto& interest = w_.interest_paid[f];
    cash.push_back(operating);
    interest.push_back(std::max(0.0, -ledger_.flow(Flow::kInterest, f)));
    if (cash.size() > window) {
      cash.erase(cash.begin());
      interest.erase(interest.begin());
    }
    cash_sum[f] = std::accumulate(cash.begin(), cash.end(), 0.0);
    interest_sum[f] = std::accumulate(interest.begin(), interest.end(), 0.0);
    full_window[f] = cash.size() == window;
  }
  auto dscr_breached = [&](std::size_t f, double min_dscr) {
    return min_dscr > 0.0 && full_window[f] && interest_sum[f] > 0.0 && cash_sum[f] < min_dscr * interest_sum[f];
  };
  for (std::size_t f = 0; f < n_; ++f) {
    if (!active(w_, f)) continue;
    const model::Firm& firm = s_.firms[f];
    if (firm.forced_default_month && *firm.forced_default_month == w_.month) {
      defaulters_.push_back({f, model::EventKind::kForcedDefault});
    } else if (dscr_breached(f, firm.min_dscr)) {
      defaulters_.push_back({f, model::EventKind::kCovenantDefault});
    }
  }
  // Contract covenants: DSCR and loan-to-value (debt ÷ assets at book).
  for (std::size_t i = 0; i < s_.debts.size(); ++i) {
    const model::DebtContract& d = s_.debts[i];
    const std::size_t f = d.borrower.index();
    if (fin_.debt_outstanding[i] <= 0.0 || !active(w_, f)) continue;
    const double assets = ledger_.sheet(f).total_assets();
    const double ltv = assets > 0.0 ? liability(ledger_, f, Liability::kDebt) / assets : 1e9;
    const bool breached = dscr_breached(f, d.min_dscr) || (d.max_ltv > 0.0 && ltv > d.max_ltv);
    if (!breached) {
      fin_.debt_in_breach[i] = false;
      continue;
    }
    if (d.breach == model::BreachAction::kDefault) {
      defaulters_.push_back({f, model::EventKind::kCovenantDefault});
    } else if (!fin_.debt_in_breach[i]) {
      fin_.debt_in_breach[i] = true;
      events_.emit({w_.month, model::EventKind::kCovenantBreach, s_.firms[f].id, ltv, d.id});
    }
  }
}

void Month::record_loss(const model::Holder& holder, double loss, std::size_t debt_index) {
  fin_.losses_by_class[static_cast<std::size_t>(holder.cls)] += loss;
  fin_.losses_by_class_total[static_cast<std::size_t>(holder.cls)] += loss;
  if (holder.is_firm()) fin_.losses_by_firm_total[holder.firm.index()] += loss;
  if (debt_index != model::kNone) {
    fin_.losses_by_debt_total[debt_index] += loss;
    if (holder.is_firm() && s_.debts[debt_index].kind == model::DebtKind::kVendorFinancing) {
      fin_.vendor_financing_losses_total[holder.firm.index()] += loss;
    }
  }
}

void Month::liquidate_physical(std::size_t d) {
  // Buyers in the secondary market: the active capacity owners, in proportion to their build
  // shares, each up to the cash and credit it has; what they cannot take goes to buyers
  // outside the model (the accelerators leave the installed base).
  std::vector<std::size_t> buyers;
  double weight = 0.0;
  for (std::size_t i = 0; i < w_.owners.size(); ++i) {
    const std::size_t f = w_.owners[i].firm.index();
    if (f == d || !active(w_, f) || s_.firms[f].build_share <= 0.0) continue;
    buyers.push_back(i);
    weight += s_.firms[f].build_share;
  }
  const std::size_t households = ledger_.households();
  const double alpha = s_.finance.default_cost_external;
  // Accelerators: at their economic value times the fire-sale factor, less the cost α.
  double dumped = 0.0;
  double value = 0.0;
  for (const model::Cohort& c : w_.cohorts) {
    if (c.owner.index() != d) continue;
    dumped += c.h100e;
    value += economic_value(s_, w_, c);
  }
  const double factor = fire_sale_price_factor(s_.finance, dumped, w_.installed.value()) * (1.0 - alpha);
  double budget_total = 0.0;
  std::vector<double> budget(buyers.size(), 0.0);
  for (std::size_t b = 0; b < buyers.size(); ++b) {
    const std::size_t f = w_.owners[buyers[b]].firm.index();
    budget[b] = std::max(0.0, asset(ledger_, f, Asset::kDeposits)) + headroom(f);
    budget_total += budget[b];
  }
  const double price_total = value * factor;
  // Shares of the lot each buyer takes (by build share, capped by its budget).
  std::vector<double> take(buyers.size(), 0.0);
  double taken = 0.0;
  for (std::size_t b = 0; b < buyers.size(); ++b) {
    const std::size_t f = w_.owners[buyers[b]].firm.index();
    const double want = s_.firms[f].build_share / weight;
    take[b] = price_total > 0.0 ? std::min(want, budget[b] / price_total) : want;
    taken += take[b];
  }
  std::vector<model::Cohort> moved;
  double proceeds = 0.0;
  const double book_total = asset(ledger_, d, Asset::kAccelerators);
  double book_sold = 0.0;
  for (model::Cohort& c : w_.cohorts) {
    if (c.owner.index() != d) continue;
    const double c_price = economic_value(s_, w_, c) * factor;
    const double c_book = cohort_book_value(c, w_.month, s_.firms[d].book_life_months);
    for (std::size_t b = 0; b < buyers.size(); ++b) {
      if (take[b] <= 0.0) continue;
      const std::size_t f = w_.owners[buyers[b]].firm.index();
      model::Cohort part = c;
      part.owner = model::FirmId{static_cast<std::uint32_t>(f)};
      part.h100e = c.h100e * take[b];
      part.failed_h100e = 0.0;
      const double remaining = 1.0 - static_cast<double>(w_.month - c.vintage) / s_.firms[f].book_life_months;
      const double price = remaining > 0.0 ? c_price * take[b] : 0.0;
      part.usd_per_h100e = remaining > 0.0 && part.h100e > 0.0 ? price * 1e9 / (part.h100e * remaining) : 0.0;
      ledger_.sell_asset(d, f, Asset::kAccelerators, c_book * take[b], price, Revaluation::kFireSale);
      book_sold += c_book * take[b];
      proceeds += price;
      moved.push_back(part);
    }
  }
  // The rest goes abroad at the same price.
  const double rest_book = book_total - book_sold;
  const double rest_price = price_total * std::max(0.0, 1.0 - taken);
  ledger_.sell_asset(d, households, Asset::kAccelerators, rest_book, rest_price, Revaluation::kFireSale);
  proceeds += rest_price;
  std::erase_if(w_.cohorts, [&](const model::Cohort& c) { return c.owner.index() == d; });
  w_.cohorts.insert(w_.cohorts.end(), moved.begin(), moved.end());
  if (dumped > 0.0) events_.emit({w_.month, model::EventKind::kFireSale, s_.firms[d].id, proceeds});

  // Halls and power, physically with them, to the same buyers. Power (which the grid can
  // always use) at (1 − α) of book; halls at (1 − α) of book times what capacity is worth
  // against what it cost: the market-to-book ratio of the installed fleet, at most 1.
  const double halls_factor = halls_resale_factor(s_, w_);
  for (std::size_t oi = 0; oi < w_.owners.size(); ++oi) {
    model::OwnerState& o = w_.owners[oi];
    if (o.firm.index() != d) continue;
    for (const Asset a : {Asset::kDatacenters, Asset::kPower}) {
      const double book = asset(ledger_, d, a);
      const double price = (1.0 - alpha) * book * (a == Asset::kDatacenters ? halls_factor : 1.0);
      for (std::size_t b = 0; b < buyers.size(); ++b) {
        const std::size_t f = w_.owners[buyers[b]].firm.index();
        const double share = s_.firms[f].build_share / weight;
        ledger_.sell_asset(d, f, a, book * share, price * share, Revaluation::kFireSale);
      }
      if (buyers.empty()) ledger_.sell_asset(d, households, a, book, price, Revaluation::kFireSale);
    }
    for (std::size_t b = 0; b < buyers.size(); ++b) {
      model::OwnerState& to = w_.owners[buyers[b]];
      const double share = s_.firms[to.firm.index()].build_share / weight;
      for (const model::GwVintage& v : o.datacenter) to.datacenter.push_back({v.retire, v.gw * share, v.added});
      for (const model::GwVintage& v : o.power) to.power.push_back({v.retire, v.gw * share, v.added});
    }
    // The defaulter's projects are abandoned; its orders are cancelled.
    o.datacenter.clear();
    o.power.clear();
    std::fill(o.datacenter_pipeline_gw.begin(), o.datacenter_pipeline_gw.end(), 0.0);
    std::fill(o.power_pipeline_gw.begin(), o.power_pipeline_gw.end(), 0.0);
    for (std::size_t q = w_.production.backlog_head; q < w_.production.backlog.size(); ++q) {
      model::BacklogOrder& order = w_.production.backlog[q];
      if (order.owner != oi) continue;
      w_.production.backlog_h100e -= order.h100e;
      order.h100e = 0.0;
    }
    // The running total and the orders it sums can differ by rounding: never below empty.
    w_.production.backlog_h100e = std::max(0.0, w_.production.backlog_h100e);
    o.on_order_h100e = 0.0;
    o.leased_datacenter_gw = 0.0;
    o.leased_power_gw = 0.0;
  }
  // Fabs, campuses held as lessor, other assets: to outside buyers at (1 − α) of book. A
  // campus's lease goes on, its rent now paid to the campus's new owners.
  for (const Asset a : {Asset::kProductionCapacity, Asset::kDatacenters, Asset::kPower, Asset::kOtherAssets}) {
    const double book = asset(ledger_, d, a);
    ledger_.sell_asset(d, households, a, book, (1.0 - alpha) * book, Revaluation::kFireSale);
  }
  for (std::size_t i = 0; i < s_.leases.size(); ++i) {
    if (fin_.lease_lessor[i] == d) fin_.lease_lessor[i] = households;
  }
}

void Month::resolve(std::size_t d, model::EventKind why) {
  const std::size_t households = ledger_.households();
  const std::size_t banks = ledger_.banks();
  const double beta = s_.finance.default_cost_interfirm;
  const double equity_before = fin_.equity_value[d];
  w_.firm_status[d] = model::FirmStatus::kDefaulted;
  ++w_.defaults_count;

  // Contracts terminate; their penalties become claims on the defaulter.
  auto claim = [&](std::size_t creditor, double amount) {
    if (amount <= 0.0) return;
    ledger_.pay(d, creditor, Flow::kPenalty, amount);
    ledger_.extend_trade_credit(creditor, d, amount);
    fin_.payable_to[d][creditor] += amount;
  };
  for (const model::ComputeCommitment& c : s_.contracts) {
    if (w_.month > c.end) continue;
    const bool buyer = c.buyer.index() == d;
    if (!buyer && c.seller.index() != d) continue;
    const std::size_t other = buyer ? c.seller.index() : c.buyer.index();
    if (!active(w_, other)) continue;
    // The buyer's default accelerates its committed payments: the months after this one to
    // the end (all of them if the commitment has not started), this month's being a due already.
    const double committed = c.take_or_pay_share * monthly_usd_bn(c.volume.value(), c.price_usd_per_h100e_hour);
    const int months_left = c.end - std::max(w_.month, c.start - 1);
    const double penalty =
        buyer ? termination_claim(committed, months_left, c.termination_penalty_months, c.termination_claim_share) : 0.0;
    claim(other, penalty);
    events_.emit({w_.month, model::EventKind::kContractTerminated, c.id, penalty, s_.firms[d].id});
  }
  for (std::size_t i = 0; i < s_.leases.size(); ++i) {
    const model::Lease& l = s_.leases[i];
    if (!fin_.lease_active[i] || l.lessee.index() != d) continue;
    fin_.lease_active[i] = false;
    fin_.lease_terminated_this_month[i] = true;
    const double rvg = std::max(0.0, l.residual_value_guarantee_usd_bn - campus_value(w_, fin_.campus_book[i]));
    // Rent left on the current term after this month (renewals are the lessee's option, not owed).
    const int months_left = std::max(0, fin_.lease_end[i] - w_.month);
    const double penalty =
        termination_claim(l.rent_usd_bn_per_year / 12.0, months_left, l.termination_penalty_months, l.termination_claim_share) + rvg;
    claim(fin_.lease_lessor[i], penalty);
    events_.emit({w_.month, model::EventKind::kContractTerminated, l.id, penalty, s_.firms[d].id});
  }
  for (std::size_t p = 0; p < s_.ppas.size(); ++p) {
    if (fin_.ppa_active[p] && (s_.ppas[p].buyer.index() == d || s_.ppas[p].seller.index() == d)) {
      fin_.ppa_active[p] = false;
      events_.emit({w_.month, model::EventKind::kContractTerminated, s_.ppas[p].id, 0.0, s_.firms[d].id});
    }
  }

  liquidate_physical(d);
  // Financial assets to outside buyers at (1 − β): receivables, loans held, equity stakes.
  for (std::size_t c = 0; c < n_; ++c) {
    const double owed = fin_.payable_to[c][d];
    if (owed <= 0.0 || c == d) continue;
    fin_.payable_to[c][d] = 0.0;
    fin_.payable_to[c][households] += owed;
  }
  const double receivables = asset(ledger_, d, Asset::kReceivables);
  ledger_.sell_asset(d, households, Asset::kReceivables, receivables, (1.0 - beta) * receivables, Revaluation::kFireSale);
  ledger_.revalue(households, Asset::kReceivables, beta * receivables, Revaluation::kFireSale);  // the buyer holds the claim at its face
  for (std::size_t i = 0; i < s_.debts.size(); ++i) {
    model::DebtContract const& debt = s_.debts[i];
    if (!debt.lender.is_firm() || debt.lender.firm.index() != d || fin_.debt_outstanding[i] <= 0.0) continue;
    fin_.debt_lender_override[i] = households;
  }
  const double loans = asset(ledger_, d, Asset::kLoans);
  ledger_.sell_asset(d, households, Asset::kLoans, loans, (1.0 - beta) * loans, Revaluation::kFireSale);
  ledger_.revalue(households, Asset::kLoans, beta * loans, Revaluation::kFireSale);  // the buyer holds the claim at its face
  for (std::size_t issuer = 0; issuer < n_; ++issuer) {
    for (model::Shareholding& h : fin_.owners[issuer]) {
      if (!h.holder.is_firm() || h.holder.firm.index() != d) continue;
      h.holder = {s_.firms[issuer].shareholders, {}};
    }
  }
  const double stakes = asset(ledger_, d, Asset::kEquityHoldings);
  ledger_.sell_asset(d, households, Asset::kEquityHoldings, stakes, (1.0 - beta) * stakes, Revaluation::kFireSale);
  ledger_.revalue(households, Asset::kEquityHoldings, beta * stakes, Revaluation::kFireSale);  // the buyer holds the claim at its face

  // Seniority waterfall over the claims on the defaulter (DESIGN §1.7): secured debt, then
  // senior unsecured (the credit line and seniority-1 debt), then trade claims with
  // seniority-2 debt, then junior debt; pro rata within a tier.
  struct Claim {
    int tier = 0;
    double amount = 0.0;
    std::size_t creditor = 0;
    std::size_t debt = model::kNone;  ///< a debt contract, or
    bool credit_line = false;          ///< the credit line, or else a payable
    model::Holder holder;
  };
  std::vector<Claim> claims;
  for (std::size_t i = 0; i < s_.debts.size(); ++i) {
    const model::DebtContract& debt = s_.debts[i];
    if (debt.borrower.index() != d || fin_.debt_outstanding[i] <= 0.0) continue;
    const std::size_t creditor = fin_.debt_lender_override[i] != model::kNone ? fin_.debt_lender_override[i] : holder_sector(ledger_, debt.lender);
    model::Holder h = fin_.debt_lender_override[i] != model::kNone ? model::Holder{HolderClass::kPrivateCredit, {}} : debt.lender;
    claims.push_back({debt.secured ? 0 : debt_tier(debt), fin_.debt_outstanding[i], creditor, i, false, h});
  }
  if (fin_.credit_line[d] > 0.0) claims.push_back({1, fin_.credit_line[d], banks, model::kNone, true, {HolderClass::kBanks, {}}});
  for (std::size_t c = 0; c < fin_.payable_to[d].size(); ++c) {
    if (fin_.payable_to[d][c] <= 0.0) continue;
    model::Holder h = c < n_ ? model::Holder{HolderClass::kFirm, model::FirmId{static_cast<std::uint32_t>(c)}}
                             : model::Holder{c == banks ? HolderClass::kBanks : HolderClass::kSuppliers, {}};
    claims.push_back({kTierTrade, fin_.payable_to[d][c], c, model::kNone, false, h});
  }
  std::stable_sort(claims.begin(), claims.end(), [](const Claim& a, const Claim& b) { return a.tier < b.tier; });
  double cash = std::max(0.0, asset(ledger_, d, Asset::kDeposits));
  double written_off = 0.0;
  for (std::size_t k = 0; k < claims.size();) {
    std::size_t end = k;
    double tier_total = 0.0;
    while (end < claims.size() && claims[end].tier == claims[k].tier) tier_total += claims[end++].amount;
    const double ratio = tier_total > 0.0 ? std::min(1.0, cash / tier_total) : 0.0;
    cash -= ratio * tier_total;
    for (; k < end; ++k) {
      const Claim& c = claims[k];
      const double paid = c.amount * ratio;
      const double loss = c.amount - paid;
      if (c.debt != model::kNone || c.credit_line) {
        ledger_.lend(c.creditor, d, -paid);
        ledger_.write_off(c.creditor, Asset::kLoans, d, Liability::kDebt, loss, Revaluation::kDefault);
        if (c.debt != model::kNone) fin_.debt_outstanding[c.debt] = 0.0;
        if (c.credit_line) fin_.credit_line[d] = 0.0;
      } else {
        ledger_.extend_trade_credit(c.creditor, d, -paid);
        ledger_.write_off(c.creditor, Asset::kReceivables, d, Liability::kPayables, loss, Revaluation::kDefault);
      }
      if (loss > 0.0) {
        record_loss(c.holder, loss, c.debt);
        written_off += loss;
        events_.emit({w_.month, model::EventKind::kCreditorLoss, c.creditor < n_ ? s_.firms[c.creditor].id : holder_name(c.holder),
                      loss, s_.firms[d].id});
      }
    }
  }
  std::fill(fin_.payable_to[d].begin(), fin_.payable_to[d].end(), 0.0);
  // Anything left belongs to the shareholders.
  if (cash > kEps) {
    for (const model::Shareholding& h : fin_.owners[d]) ledger_.issue_equity(d, holder_sector(ledger_, h.holder), -cash * h.share);
    fin_.equity_value[d] -= cash;
  }
  // Equity is wiped out: every holder loses its stake.
  for (const model::Shareholding& h : fin_.owners[d]) record_loss(h.holder, h.share * equity_before);
  w_.debt_losses += written_off;
  w_.equity_losses += equity_before;
  events_.emit({w_.month, why, s_.firms[d].id, written_off});
}

void Month::mark_equity() {
  // Equity at the value of what it owns net of what it owes (book), with stakes in other firms
  // at their own marked values; a defaulted firm's equity is worth nothing. (Valuation with
  // sentiment replaces this later.)
  std::vector<double> base(n_, 0.0);
  for (std::size_t f = 0; f < n_; ++f) {
    const model::BalanceSheet& b = ledger_.sheet(f);
    base[f] = b.total_assets() - asset(ledger_, f, Asset::kEquityHoldings) -
              (b.total_liabilities() - liability(ledger_, f, Liability::kIssuedEquity));
  }
  std::vector<bool> alive(n_);
  for (std::size_t f = 0; f < n_; ++f) alive[f] = active(w_, f);
  const std::vector<double> value = solve_equity_values(base, fin_.owners, alive, fin_.equity_value);
  for (std::size_t issuer = 0; issuer < n_; ++issuer) {
    const double delta = value[issuer] - liability(ledger_, issuer, Liability::kIssuedEquity);
    if (delta == 0.0) continue;
    ledger_.revalue_liability(issuer, Liability::kIssuedEquity, delta, Revaluation::kEquityMark);
    double total_share = 0.0;
    for (const model::Shareholding& h : fin_.owners[issuer]) total_share += h.share;
    for (const model::Shareholding& h : fin_.owners[issuer]) {
      ledger_.revalue(holder_sector(ledger_, h.holder), Asset::kEquityHoldings, delta * h.share / total_share, Revaluation::kEquityMark);
    }
  }
  fin_.equity_value = value;
}

void Month::end_of_month_state() {
  // Compute in use per firm (used under its commitments plus bought on spot), in GW at the
  // installed fleet's average power per H100e — the milestones' "GW deployed".
  double kw = 0.0;
  double installed = 0.0;
  for (const model::OwnerState& o : w_.owners) {
    kw += o.installed_h100e * o.fleet_kw_per_h100e;
    installed += o.installed_h100e;
  }
  const double kw_per_h100e = installed > 0.0 ? kw / installed : 1.0;
  fin_.new_money_headroom.assign(n_, 0.0);
  for (std::size_t f = 0; f < n_; ++f) fin_.new_money_headroom[f] = headroom(f);
  for (std::size_t f = 0; f < n_; ++f) {
    const double h100e = (f < contract_used_by_.size() ? contract_used_by_[f] : 0.0) + (f < bought_.size() ? bought_[f] : 0.0);
    fin_.compute_gw[f] = h100e * kw_per_h100e / 1e6;
    if (w_.step == 0) fin_.compute_gw_at_start[f] = fin_.compute_gw[f];
    fin_.compute_gw_peak[f] = std::max(fin_.compute_gw_peak[f], fin_.compute_gw[f]);
  }
  // Leased campuses: shells and power at the lessees' disposal next month.
  for (model::OwnerState& o : w_.owners) {
    o.leased_datacenter_gw = 0.0;
    o.leased_power_gw = 0.0;
  }
  for (std::size_t i = 0; i < s_.leases.size(); ++i) {
    const model::Lease& l = s_.leases[i];
    const bool starts = !fin_.lease_active[i] && !fin_.lease_ended[i] && w_.month + 1 == l.start;
    if (starts && active(w_, l.lessee.index())) fin_.lease_active[i] = true;
    if (!fin_.lease_active[i]) {
      if (w_.month + 1 > l.start) fin_.lease_ended[i] = true;
      continue;
    }
    for (model::OwnerState& o : w_.owners) {
      if (o.firm == l.lessee) {
        o.leased_datacenter_gw += l.datacenter_gw;
        o.leased_power_gw += l.power_gw;
      }
    }
  }
  // Off-balance-sheet financing: debt flagged off balance sheet, and the rent still owed on
  // the current term of leases flagged so.
  double off = 0.0;
  for (std::size_t i = 0; i < s_.debts.size(); ++i) {
    if (s_.debts[i].off_balance_sheet) off += fin_.debt_outstanding[i];
  }
  for (std::size_t i = 0; i < s_.leases.size(); ++i) {
    if (s_.leases[i].off_balance_sheet && fin_.lease_active[i]) {
      off += s_.leases[i].rent_usd_bn_per_year / 12.0 * std::max(0, fin_.lease_end[i] - w_.month);
    }
  }
  fin_.offbalance_usd_bn = off;
  for (auto& raised : fin_.equity_raised) {
    if (raised.size() >= 12) raised.erase(raised.begin());
    raised.push_back(0.0);
  }
}

void Month::run() {
  ledger_.begin_month();
  w_.debt_losses = 0.0;
  w_.equity_losses = 0.0;
  fin_.losses_by_class.fill(0.0);
  post_service_revenue();
  post_capex();
  // Debts drawn this month: the lender pays the principal over.
  for (std::size_t i = 0; i < s_.debts.size(); ++i) {
    const model::DebtContract& d = s_.debts[i];
    if (d.start != w_.month || !active(w_, d.borrower.index())) continue;
    ledger_.lend(holder_sector(ledger_, d.lender), d.borrower.index(), d.principal_usd_bn);
    fin_.debt_outstanding[i] = d.principal_usd_bn;
  }
  collect_dues();
  clear_and_post();
  securitisation_waterfalls();
  // Terminations seen by this month's waterfalls (those of last month's resolutions) are done.
  std::fill(fin_.lease_terminated_this_month.begin(), fin_.lease_terminated_this_month.end(), false);
  lease_lifecycle();
  equity_investments();
  warrants();
  draw_new_money();
  // A firm left with negative deposits after drawing all it could has failed to pay.
  for (std::size_t f = 0; f < n_; ++f) {
    if (!active(w_, f) || asset(ledger_, f, Asset::kDeposits) >= -1e-6) continue;
    if (std::none_of(defaulters_.begin(), defaulters_.end(), [&](const auto& x) { return x.first == f; })) {
      events_.emit({w_.month, model::EventKind::kMissedPayment, s_.firms[f].id, -asset(ledger_, f, Asset::kDeposits), "banks"});
      defaulters_.push_back({f, model::EventKind::kPaymentDefault});
    }
  }
  depreciate();
  find_defaults();
  for (const auto& [f, why] : defaulters_) {
    if (active(w_, f)) resolve(f, why);
  }
  draw_new_money();  // buyers in a fire sale pay for what they bought
  mark_equity();
  end_of_month_state();
}

}  // namespace

// Present value of an annuity of `months` months of 1 at the monthly equivalent of the annual
// rate. Called for every cohort every month with one rate per scenario, so the factors are kept
// per thread in a table (the same arithmetic as computing each one: results are unchanged).
static double annuity_factor(double rate_per_year, int months) {
  thread_local double table_rate = std::numeric_limits<double>::quiet_NaN();
  thread_local std::vector<double> table;
  if (!(rate_per_year == table_rate)) {
    table_rate = rate_per_year;
    table.clear();
  }
  if (static_cast<std::size_t>(months) >= table.size()) {
    const double r = core::monthly_rate(rate_per_year);
    for (auto n = static_cast<int>(table.size()); n <= months; ++n) {
      table.push_back(r > 0.0 ? (1.0 - std::pow(1.0 + r, -n)) / r : n);
    }
  }
  return table[static_cast<std::size_t>(months)];
}

double economic_value(const model::Scenario& scenario, const model::World& world, const model::Cohort& cohort) {
  const model::Generation& g = scenario.technology.generations[cohort.generation];
  const double margin = std::max(0.0, world.spot_price - model::marginal_cost(scenario.supply, g));
  const int remaining = std::max(0, scenario.firms[cohort.owner.index()].book_life_months - (world.month - cohort.vintage));
  return cohort.h100e * margin * core::kHoursPerMonth * annuity_factor(scenario.finance.discount_rate_per_year, remaining) / 1e9;
}

namespace {

/// Economic value ÷ book value, at most 1; 1 without book value.
double market_to_book(double value, double book) { return book > 0.0 ? std::min(1.0, value / book) : 1.0; }

}  // namespace

double fleet_market_to_book(const model::Scenario& scenario, const model::World& world) {
  double value = 0.0;
  double book = 0.0;
  for (const model::Cohort& c : world.cohorts) {
    if (!active(world, c.owner.index())) continue;
    value += economic_value(scenario, world, c);
    book += cohort_book_value(c, world.month, scenario.firms[c.owner.index()].book_life_months);
  }
  return market_to_book(value, book);
}

double halls_resale_factor(const model::Scenario& scenario, const model::World& world) {
  return scenario.finance.campus_resale == model::FinanceParams::CampusResale::kMarket ? fleet_market_to_book(scenario, world)
                                                                                      : 1.0;
}

double halls_resale_factor(const model::FinanceParams& finance, double fleet_value_usd_bn, double fleet_book_usd_bn) {
  return finance.campus_resale == model::FinanceParams::CampusResale::kMarket
             ? market_to_book(fleet_value_usd_bn, fleet_book_usd_bn)
             : 1.0;
}

double fire_sale_price_factor(const model::FinanceParams& finance, double dumped_h100e, double installed_h100e) {
  if (installed_h100e <= 0.0) return 1.0;
  return std::max(0.0, 1.0 - finance.fire_sale_impact * (dumped_h100e / installed_h100e) / 0.1);
}

ExposureNetwork exposure_network(const model::Scenario& scenario, const model::World& world) {
  const model::Ledger& ledger = world.ledger;
  const model::FinanceState& fin = world.fin;
  const std::size_t n = scenario.firms.size();
  ExposureNetwork net;
  net.n = n + 1;  // the firms, then the banks
  const auto banks = static_cast<std::uint32_t>(n);
  auto node = [&](std::size_t sector) -> std::uint32_t {
    return sector < n ? static_cast<std::uint32_t>(sector) : banks;  // outside holders count with the banks
  };
  for (std::size_t f = 0; f <= n; ++f) {
    const model::BalanceSheet& b = ledger.sheet(f < n ? f : ledger.banks());
    const double equity = b.net_worth() + b.liabilities[static_cast<std::size_t>(Liability::kIssuedEquity)];
    net.equity.push_back(std::max(equity, 1e-6));
    net.economic_value.push_back(std::max(b.total_assets(), 0.0));
  }
  for (std::size_t f = 0; f < n && f < fin.credit_line.size(); ++f) {
    if (fin.credit_line[f] > 0.0) net.exposures.push_back({banks, static_cast<std::uint32_t>(f), fin.credit_line[f]});
  }
  for (std::size_t i = 0; i < scenario.debts.size() && i < fin.debt_outstanding.size(); ++i) {
    const model::DebtContract& d = scenario.debts[i];
    if (fin.debt_outstanding[i] <= 0.0) continue;
    const std::size_t lender = d.lender.is_firm() ? d.lender.firm.index() : ledger.banks();
    net.exposures.push_back({node(lender), static_cast<std::uint32_t>(d.borrower.index()), fin.debt_outstanding[i]});
  }
  for (std::size_t f = 0; f < n && f < fin.payable_to.size(); ++f) {
    for (std::size_t c = 0; c < n; ++c) {
      if (fin.payable_to[f][c] > 0.0) net.exposures.push_back({static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(f), fin.payable_to[f][c]});
    }
  }
  for (std::size_t issuer = 0; issuer < n && issuer < fin.owners.size(); ++issuer) {
    for (const model::Shareholding& h : fin.owners[issuer]) {
      if (h.holder.is_firm() && h.share * fin.equity_value[issuer] > 0.0) {
        net.exposures.push_back({static_cast<std::uint32_t>(h.holder.firm.index()), static_cast<std::uint32_t>(issuer),
                                 h.share * fin.equity_value[issuer]});
      }
    }
  }
  for (const model::ComputeCommitment& c : scenario.contracts) {
    if (world.month > c.end || !model::contract_alive(world, c)) continue;
    const int months_left = c.end - std::max(world.month + 1, c.start) + 1;
    if (months_left <= 0) continue;
    const double owed = c.take_or_pay_share * c.volume.value() * c.price_usd_per_h100e_hour * core::kHoursPerMonth / 1e9 *
                        months_left;
    net.exposures.push_back({static_cast<std::uint32_t>(c.seller.index()), static_cast<std::uint32_t>(c.buyer.index()), owed});
  }
  for (std::size_t i = 0; i < scenario.leases.size() && i < fin.lease_active.size(); ++i) {
    const model::Lease& l = scenario.leases[i];
    if (!fin.lease_active[i] || fin.lease_lessor[i] >= n) continue;
    const double owed = l.rent_usd_bn_per_year / 12.0 * std::max(0, fin.lease_end[i] - world.month) + l.residual_value_guarantee_usd_bn;
    net.exposures.push_back({static_cast<std::uint32_t>(fin.lease_lessor[i]), static_cast<std::uint32_t>(l.lessee.index()), owed});
  }
  double total_value = 0.0;
  for (double v : net.economic_value) total_value += v;
  if (total_value <= 0.0) net.economic_value.clear();  // equal weights
  return net;
}

std::size_t chipmaker_sector(const model::Scenario& scenario, const model::World& world) {
  for (std::size_t f = 0; f < scenario.firms.size(); ++f) {
    if (scenario.firms[f].type == model::FirmType::kChipmaker) return f;
  }
  return world.ledger.households();
}

double cohort_book_value(const model::Cohort& cohort, core::Month month, int book_life_months) {
  const int age = month - cohort.vintage;
  return cohort.h100e * cohort.usd_per_h100e / 1e9 * std::max(0.0, 1.0 - static_cast<double>(age) / book_life_months);
}

void init(const model::Scenario& scenario, model::World& world) {
  const std::size_t n = scenario.firms.size();
  world.ledger = model::Ledger(n);
  world.firm_status.assign(n, model::FirmStatus::kActive);
  world.operating_cash.assign(n, {});
  world.interest_paid.assign(n, {});
  world.defaults_count = 0;
  model::Ledger& ledger = world.ledger;
  model::FinanceState& fin = world.fin;
  fin = model::FinanceState{};
  fin.credit_line.assign(n, 0.0);
  fin.payable_to.assign(n, std::vector<double>(ledger.sectors(), 0.0));
  fin.compute_gw.assign(n, 0.0);
  fin.compute_gw_peak.assign(n, 0.0);
  fin.compute_gw_at_start.assign(n, 0.0);
  fin.equity_value.assign(n, 0.0);
  fin.equity_raised.assign(n, std::vector<double>(1, 0.0));
  fin.losses_by_firm_total.assign(n, 0.0);
  fin.vendor_financing_losses_total.assign(n, 0.0);
  fin.circular_revenue_share.assign(n, 0.0);
  for (std::size_t f = 0; f < n; ++f) {
    ledger.open_asset(f, Asset::kDeposits, scenario.firms[f].cash.value());
    ledger.open_asset(f, Asset::kOtherAssets, scenario.firms[f].other_assets.value());
    ledger.open_loan(ledger.banks(), f, scenario.firms[f].debt.value());
    fin.credit_line[f] = scenario.firms[f].debt.value();
  }
  const core::Month before_start = scenario.time.start - 1;
  for (const model::Cohort& c : world.cohorts) {
    ledger.open_asset(c.owner.index(), Asset::kAccelerators,
                      cohort_book_value(c, before_start, scenario.firms[c.owner.index()].book_life_months));
  }
  const model::SupplyParams& sup = scenario.supply;
  for (const model::OwnerState& o : world.owners) {
    ledger.open_asset(o.firm.index(), Asset::kDatacenters, 0.5 * o.datacenter_gw * sup.datacenter.usd_bn_per_gw);
    ledger.open_asset(o.firm.index(), Asset::kPower, 0.5 * o.power_gw * sup.power.usd_bn_per_gw);
  }
  ledger.open_asset(chipmaker_sector(scenario, world), Asset::kProductionCapacity,
                    0.5 * world.production.cap_h100e_per_month * sup.production.usd_bn_per_h100e_per_month);
  // Debts already drawn, at what is outstanding at the start.
  fin.debt_outstanding.assign(scenario.debts.size(), 0.0);
  fin.debt_in_breach.assign(scenario.debts.size(), false);
  fin.debt_lender_override.assign(scenario.debts.size(), model::kNone);
  fin.losses_by_debt_total.assign(scenario.debts.size(), 0.0);
  for (std::size_t i = 0; i < scenario.debts.size(); ++i) {
    const model::DebtContract& d = scenario.debts[i];
    if (d.start >= scenario.time.start) continue;
    fin.debt_outstanding[i] = outstanding_at(d, scenario.time.start);
    ledger.open_loan(holder_sector(ledger, d.lender), d.borrower.index(), fin.debt_outstanding[i]);
  }
  // Leases: campuses already built are on their lessors' books; those running are in force.
  const std::size_t k = scenario.leases.size();
  fin.lease_active.assign(k, false);
  fin.lease_ended.assign(k, false);
  fin.lease_terminated_this_month.assign(k, false);
  fin.lease_end.assign(k, core::Month{});
  fin.lease_renewals_left.assign(k, 0);
  fin.lease_lessor.assign(k, 0);
  fin.campus_book.assign(k, 0.0);
  fin.campus_months_built.assign(k, 0);
  for (std::size_t i = 0; i < k; ++i) {
    const model::Lease& l = scenario.leases[i];
    fin.lease_lessor[i] = l.lessor.index();
    fin.lease_end[i] = l.start + (l.term_months - 1);
    fin.lease_renewals_left[i] = l.renewals;
    // Terms already over before the start count as renewals taken.
    while (fin.lease_end[i] < scenario.time.start && fin.lease_renewals_left[i] > 0) {
      fin.lease_end[i] = fin.lease_end[i] + l.term_months;
      --fin.lease_renewals_left[i];
    }
    const core::Month built = l.start - l.build_months;
    const double cost = campus_cost(scenario, l);
    const int done = std::clamp(scenario.time.start - built, 0, std::max(1, l.build_months));
    fin.campus_months_built[i] = done;
    const double opening = l.build_months > 0 ? cost * done / l.build_months : (l.start < scenario.time.start ? cost : 0.0);
    if (opening > 0.0) {
      const double dc_share = cost > 0.0 ? l.datacenter_gw * sup.datacenter.usd_bn_per_gw / cost : 0.0;
      ledger.open_asset(l.lessor.index(), Asset::kDatacenters, opening * dc_share);
      ledger.open_asset(l.lessor.index(), Asset::kPower, opening * (1.0 - dc_share));
      fin.campus_book[i] = opening;
    }
    if (l.start <= scenario.time.start && fin.lease_end[i] >= scenario.time.start) {
      fin.lease_active[i] = true;
      for (model::OwnerState& o : world.owners) {
        if (o.firm == l.lessee) {
          o.leased_datacenter_gw += l.datacenter_gw;
          o.leased_power_gw += l.power_gw;
        }
      }
    }
    if (l.start < scenario.time.start && fin.lease_end[i] < scenario.time.start) fin.lease_ended[i] = true;
  }
  fin.investment_paid.assign(scenario.equity_investments.size(), 0.0);
  fin.warrant_vested.assign(scenario.warrants.size(), 0);
  fin.ppa_active.assign(scenario.ppas.size(), true);
  // Ownership: opening stakes, the rest with each firm's outside shareholders; equity marked
  // at book (assets less non-equity liabilities, stakes at their issuers' values).
  fin.owners.assign(n, {});
  std::vector<double> staked(n, 0.0);
  for (const model::EquityStake& st : scenario.stakes) {
    fin.owners[st.issuer.index()].push_back({st.holder, st.share});
    staked[st.issuer.index()] += st.share;
  }
  for (std::size_t f = 0; f < n; ++f) {
    if (staked[f] < 1.0) fin.owners[f].push_back({{scenario.firms[f].shareholders, {}}, 1.0 - staked[f]});
  }
  std::vector<double> base(n, 0.0);
  for (std::size_t f = 0; f < n; ++f) base[f] = ledger.sheet(f).net_worth();
  const std::vector<double> value = solve_equity_values(base, fin.owners, std::vector<bool>(n, true), std::vector<double>(n, 0.0));
  for (std::size_t issuer = 0; issuer < n; ++issuer) {
    for (const model::Shareholding& h : fin.owners[issuer]) {
      ledger.open_equity(issuer, holder_sector(ledger, h.holder), h.share * value[issuer]);
    }
  }
  fin.equity_value = value;
}

namespace {

/// Adds the month's flows to the trailing window (fewer months at the start of a path) and
/// solves the circular-revenue shares over it.
void update_circularity(model::World& world) {
  model::FinanceState& fin = world.fin;
  auto& window = fin.firm_flows_window;
  if (window.size() < static_cast<std::size_t>(kCircularityWindowMonths)) {
    window.emplace_back();
  } else {
    std::rotate(window.begin(), window.begin() + 1, window.end());  // the oldest month's storage becomes the newest's
  }
  const model::FirmFlows& month = world.ledger.firm_flows();
  window.back().assign(month);
  model::FirmFlows& total = fin.firm_flows_window_total;
  if (total.firms != month.firms) total = model::FirmFlows(month.firms);
  total.clear();
  for (const model::SparseFirmFlows& m : window) m.add_to(total);
  const Circularity c = circularity(total);
  fin.circular_revenue_share = c.share;
  fin.circular_revenue_share_all = c.overall_share;
}

}  // namespace

void step(const model::Scenario& scenario, model::World& world, core::RandomStream&, model::EventSink& events) {
  Month(scenario, world, events).run();
  update_circularity(world);
}

}  // namespace bsim::finance
