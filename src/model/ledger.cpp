#include "model/ledger.h"

#include <cmath>
#include <numeric>
#include <stdexcept>

namespace bsim::model {

std::string_view flow_name(Flow f) {
  switch (f) {
    case Flow::kServiceRevenue: return "service revenue";
    case Flow::kComputeRent: return "compute rent";
    case Flow::kOperatingCost: return "operating cost";
    case Flow::kCapexAccelerators: return "capex: accelerators";
    case Flow::kCapexConstruction: return "capex: construction";
    case Flow::kDepreciation: return "depreciation";
    case Flow::kTakeOrPay: return "take-or-pay";
    case Flow::kInterest: return "interest";
    case Flow::kBorrowing: return "borrowing";
    case Flow::kEquityIssuance: return "equity issuance";
    case Flow::kLeaseRent: return "lease rent";
    case Flow::kPowerPurchase: return "power purchase";
    case Flow::kTradeCredit: return "trade credit";
    case Flow::kAssetSales: return "asset sales";
    case Flow::kPenalty: return "penalties and guarantees";
    case Flow::kDefaultCost: return "default costs";
    case Flow::kCoreBusiness: return "core business";
    case Flow::kCount: break;
  }
  return "unknown";
}

bool is_operating_revenue(Flow f) {
  switch (f) {
    case Flow::kServiceRevenue:
    case Flow::kComputeRent:
    case Flow::kTakeOrPay:
    case Flow::kLeaseRent:
    case Flow::kPowerPurchase:
    case Flow::kCapexAccelerators:
    case Flow::kCapexConstruction:
      return true;
    default:
      return false;
  }
}

FirmFlows::FirmFlows(std::size_t n)
    : firms(n),
      transfer(n * n, 0.0),
      investment(n * n, 0.0),
      revenue(n * n, 0.0),
      external_inflow(n, 0.0),
      external_revenue(n, 0.0),
      outside_payment(n, 0.0) {}

void FirmFlows::clear() {
  for (std::vector<double>* v : {&transfer, &investment, &revenue, &external_inflow, &external_revenue, &outside_payment}) {
    std::fill(v->begin(), v->end(), 0.0);
  }
}

FirmFlows& FirmFlows::operator+=(const FirmFlows& other) {
  auto add = [](std::vector<double>& to, const std::vector<double>& from) {
    for (std::size_t i = 0; i < to.size() && i < from.size(); ++i) to[i] += from[i];
  };
  add(transfer, other.transfer);
  add(investment, other.investment);
  add(revenue, other.revenue);
  add(external_inflow, other.external_inflow);
  add(external_revenue, other.external_revenue);
  add(outside_payment, other.outside_payment);
  return *this;
}

namespace {

/// The fields of a FirmFlows in declaration order (the order of SparseFirmFlows::position).
template <class Flows>
auto flow_fields(Flows& f) {
  return std::array{&f.transfer, &f.investment, &f.revenue, &f.external_inflow, &f.external_revenue, &f.outside_payment};
}

}  // namespace

void SparseFirmFlows::assign(const FirmFlows& flows) {
  position.clear();
  usd_bn.clear();
  std::uint32_t offset = 0;
  for (const std::vector<double>* field : flow_fields(flows)) {
    for (std::size_t i = 0; i < field->size(); ++i) {
      if ((*field)[i] == 0.0) continue;
      position.push_back(offset + static_cast<std::uint32_t>(i));
      usd_bn.push_back((*field)[i]);
    }
    offset += static_cast<std::uint32_t>(field->size());
  }
}

void SparseFirmFlows::add_to(FirmFlows& to) const {
  const auto fields = flow_fields(to);
  std::size_t field = 0;
  std::uint32_t offset = 0;  // where `field` starts
  for (std::size_t k = 0; k < position.size(); ++k) {
    while (position[k] - offset >= fields[field]->size()) {  // positions ascend
      offset += static_cast<std::uint32_t>(fields[field]->size());
      if (++field == fields.size()) throw std::invalid_argument("SparseFirmFlows::add_to: the record is smaller than the flows");
    }
    (*fields[field])[position[k] - offset] += usd_bn[k];
  }
}

double BalanceSheet::total_assets() const { return std::accumulate(assets.begin(), assets.end(), 0.0); }
double BalanceSheet::total_liabilities() const { return std::accumulate(liabilities.begin(), liabilities.end(), 0.0); }

Ledger::Ledger(std::size_t firms)
    : sheets_(firms + 2),
      matrix_(kFlowCount * (firms + 2) * 2, 0.0),
      deposits_change_(firms + 2, 0.0),
      receipts_(kFlowCount * (firms + 2), 0.0),
      firm_flows_(firms) {}

void Ledger::begin_month() {
  std::fill(matrix_.begin(), matrix_.end(), 0.0);
  std::fill(deposits_change_.begin(), deposits_change_.end(), 0.0);
  std::fill(receipts_.begin(), receipts_.end(), 0.0);
  for (BalanceSheet& s : sheets_) s.revaluations = 0.0;
  firm_flows_.clear();
}

void Ledger::note_cash(std::size_t from, std::size_t to, double usd_bn, bool investment) {
  const std::size_t n = firm_flows_.firms;
  if (usd_bn == 0.0 || from == to) return;
  if (from < n && to < n) {
    (investment ? firm_flows_.investment : firm_flows_.transfer)[from * n + to] += usd_bn;
  } else if (from < n) {
    firm_flows_.outside_payment[from] += usd_bn;
  } else if (to < n) {
    firm_flows_.external_inflow[to] += usd_bn;
  }
}

void Ledger::note_signed_cash(std::size_t from, std::size_t to, double usd_bn, bool investment) {
  if (usd_bn >= 0.0) {
    note_cash(from, to, usd_bn, investment);
  } else {
    note_cash(to, from, -usd_bn, false);  // money coming back (repaid, returned) is no new investment
  }
}

void Ledger::note_revenue(std::size_t payer, std::size_t seller, Flow kind, double usd_bn) {
  const std::size_t n = firm_flows_.firms;
  if (!is_operating_revenue(kind) || usd_bn <= 0.0 || seller >= n) return;
  if (payer < n) {
    firm_flows_.revenue[payer * n + seller] += usd_bn;
  } else {
    firm_flows_.external_revenue[seller] += usd_bn;
  }
}

double Ledger::saving(std::size_t sector) const {
  double total = 0.0;
  for (std::size_t f = 0; f < kFlowCount; ++f) total += matrix_[index(static_cast<Flow>(f), sector, kCurrent)];
  return total;
}

void Ledger::move_deposits(std::size_t sector, double usd_bn) {
  // Deposits are an asset of the holder and a liability of the banks: both move together.
  sheets_[sector].assets[static_cast<std::size_t>(Asset::kDeposits)] += usd_bn;
  sheets_[banks()].liabilities[static_cast<std::size_t>(Liability::kDeposits)] += usd_bn;
  deposits_change_[sector] += usd_bn;
  // For the banks, "money" is their net position: own deposits less deposits they owe.
  deposits_change_[banks()] -= usd_bn;
}

void Ledger::pay(std::size_t payer, std::size_t payee, Flow kind, double usd_bn) {
  if (usd_bn == 0.0 || payer == payee) return;
  post_payment(payer, payee, kind, usd_bn);
  note_signed_cash(payer, payee, usd_bn, false);
  if (usd_bn > 0.0) {
    note_revenue(payer, payee, kind, usd_bn);
  } else {
    note_revenue(payee, payer, kind, -usd_bn);
  }
}

void Ledger::pay_guarantee(std::size_t guarantor, std::size_t beneficiary, double usd_bn) {
  if (usd_bn == 0.0 || guarantor == beneficiary) return;
  post_payment(guarantor, beneficiary, Flow::kPenalty, usd_bn);
  note_signed_cash(guarantor, beneficiary, usd_bn, true);
}

void Ledger::post_payment(std::size_t payer, std::size_t payee, Flow kind, double usd_bn) {
  matrix_[index(kind, payer, kCurrent)] -= usd_bn;
  matrix_[index(kind, payee, kCurrent)] += usd_bn;
  // A negative payment is a receipt of the payer.
  receipts_[receipt_index(kind, usd_bn > 0.0 ? payee : payer)] += std::fabs(usd_bn);
  move_deposits(payer, -usd_bn);
  move_deposits(payee, usd_bn);
}

void Ledger::buy_asset(std::size_t buyer, std::size_t seller, Flow kind, Asset asset, double usd_bn) {
  if (usd_bn == 0.0) return;
  // A use of funds on the buyer's capital account; a sale of output on the seller's current one.
  matrix_[index(kind, buyer, kCapital)] -= usd_bn;
  matrix_[index(kind, seller, kCurrent)] += usd_bn;
  if (usd_bn > 0.0) receipts_[receipt_index(kind, seller)] += usd_bn;
  move_deposits(buyer, -usd_bn);
  move_deposits(seller, usd_bn);
  sheets_[buyer].assets[static_cast<std::size_t>(asset)] += usd_bn;
  note_signed_cash(buyer, seller, usd_bn, false);
  note_revenue(buyer, seller, kind, usd_bn);
}

void Ledger::depreciate(std::size_t owner, Asset asset, double usd_bn) {
  if (usd_bn == 0.0) return;
  // A cost on the current account, matched by a depreciation allowance on the capital account:
  // no cash moves, saving falls, and the asset's book value falls with it.
  matrix_[index(Flow::kDepreciation, owner, kCurrent)] -= usd_bn;
  matrix_[index(Flow::kDepreciation, owner, kCapital)] += usd_bn;
  sheets_[owner].assets[static_cast<std::size_t>(asset)] -= usd_bn;
}

void Ledger::revalue(std::size_t owner, Asset asset, double usd_bn, Revaluation) {
  if (usd_bn == 0.0) return;
  sheets_[owner].assets[static_cast<std::size_t>(asset)] += usd_bn;
  sheets_[owner].revaluations += usd_bn;
}

void Ledger::borrow(std::size_t borrower, double usd_bn) {
  if (usd_bn == 0.0) return;
  matrix_[index(Flow::kBorrowing, borrower, kCapital)] += usd_bn;
  matrix_[index(Flow::kBorrowing, banks(), kCapital)] -= usd_bn;
  move_deposits(borrower, usd_bn);  // the banks create the deposit as they make the loan
  note_signed_cash(banks(), borrower, usd_bn, false);
  sheets_[borrower].liabilities[static_cast<std::size_t>(Liability::kDebt)] += usd_bn;
  sheets_[banks()].assets[static_cast<std::size_t>(Asset::kLoans)] += usd_bn;
}

void Ledger::issue_equity(std::size_t issuer, double usd_bn) { issue_equity(issuer, households(), usd_bn); }

void Ledger::issue_equity(std::size_t issuer, std::size_t investors, double usd_bn) {
  if (usd_bn == 0.0) return;
  matrix_[index(Flow::kEquityIssuance, issuer, kCapital)] += usd_bn;
  matrix_[index(Flow::kEquityIssuance, investors, kCapital)] -= usd_bn;
  move_deposits(investors, -usd_bn);
  move_deposits(issuer, usd_bn);
  sheets_[issuer].liabilities[static_cast<std::size_t>(Liability::kIssuedEquity)] += usd_bn;
  sheets_[investors].assets[static_cast<std::size_t>(Asset::kEquityHoldings)] += usd_bn;
  if (usd_bn > 0.0) receipts_[receipt_index(Flow::kEquityIssuance, issuer)] += usd_bn;
  note_signed_cash(investors, issuer, usd_bn, true);
}

void Ledger::write_down_debt(std::size_t debtor, double loss) {
  if (loss == 0.0) return;
  sheets_[debtor].liabilities[static_cast<std::size_t>(Liability::kDebt)] -= loss;
  sheets_[debtor].revaluations += loss;
  sheets_[banks()].assets[static_cast<std::size_t>(Asset::kLoans)] -= loss;
  sheets_[banks()].revaluations -= loss;
}

void Ledger::lender_pays(std::size_t lender, double usd_bn) {
  if (lender != banks()) move_deposits(lender, -usd_bn);
}

void Ledger::lend(std::size_t lender, std::size_t borrower, double usd_bn) {
  if (usd_bn == 0.0 || lender == borrower) return;
  matrix_[index(Flow::kBorrowing, borrower, kCapital)] += usd_bn;
  matrix_[index(Flow::kBorrowing, lender, kCapital)] -= usd_bn;
  lender_pays(lender, usd_bn);
  move_deposits(borrower, usd_bn);
  sheets_[borrower].liabilities[static_cast<std::size_t>(Liability::kDebt)] += usd_bn;
  sheets_[lender].assets[static_cast<std::size_t>(Asset::kLoans)] += usd_bn;
  note_signed_cash(lender, borrower, usd_bn, true);
}

void Ledger::extend_trade_credit(std::size_t creditor, std::size_t debtor, double usd_bn) {
  if (usd_bn == 0.0 || creditor == debtor) return;
  matrix_[index(Flow::kTradeCredit, debtor, kCapital)] += usd_bn;
  matrix_[index(Flow::kTradeCredit, creditor, kCapital)] -= usd_bn;
  lender_pays(creditor, usd_bn);
  move_deposits(debtor, usd_bn);
  sheets_[debtor].liabilities[static_cast<std::size_t>(Liability::kPayables)] += usd_bn;
  sheets_[creditor].assets[static_cast<std::size_t>(Asset::kReceivables)] += usd_bn;
  // Not new money: the unpaid part of a payment already recorded in full comes off it (and an
  // old payable paid off is a payment of the debtor).
  const std::size_t n = firm_flows_.firms;
  if (creditor < n && debtor < n) {
    firm_flows_.transfer[debtor * n + creditor] -= usd_bn;
  } else if (debtor < n) {
    firm_flows_.outside_payment[debtor] -= usd_bn;
  } else if (creditor < n) {
    firm_flows_.external_inflow[creditor] -= usd_bn;
  }
}

void Ledger::sell_asset(std::size_t seller, std::size_t buyer, Asset asset, double book, double price, Revaluation kind) {
  if (book == 0.0 && price == 0.0) return;
  matrix_[index(Flow::kAssetSales, seller, kCapital)] += price;
  matrix_[index(Flow::kAssetSales, buyer, kCapital)] -= price;
  move_deposits(buyer, -price);
  move_deposits(seller, price);
  sheets_[seller].assets[static_cast<std::size_t>(asset)] -= book;
  sheets_[seller].revaluations += price - book;
  sheets_[buyer].assets[static_cast<std::size_t>(asset)] += price;
  note_signed_cash(buyer, seller, price, false);
  (void)kind;
}

void Ledger::write_off(std::size_t creditor, Asset claim, std::size_t debtor, Liability debt, double loss, Revaluation) {
  if (loss == 0.0) return;
  sheets_[debtor].liabilities[static_cast<std::size_t>(debt)] -= loss;
  sheets_[debtor].revaluations += loss;
  sheets_[creditor].assets[static_cast<std::size_t>(claim)] -= loss;
  sheets_[creditor].revaluations -= loss;
}

void Ledger::revalue_liability(std::size_t owner, Liability liability, double usd_bn, Revaluation) {
  if (usd_bn == 0.0) return;
  sheets_[owner].liabilities[static_cast<std::size_t>(liability)] += usd_bn;
  sheets_[owner].revaluations -= usd_bn;
}

void Ledger::transfer_asset(std::size_t from, std::size_t to, Asset asset, double usd_bn, Revaluation) {
  if (usd_bn == 0.0 || from == to) return;
  sheets_[from].assets[static_cast<std::size_t>(asset)] -= usd_bn;
  sheets_[from].revaluations -= usd_bn;
  sheets_[to].assets[static_cast<std::size_t>(asset)] += usd_bn;
  sheets_[to].revaluations += usd_bn;
}

void Ledger::reset_opening_net_worth(std::size_t sector) { sheets_[sector].previous_net_worth = sheets_[sector].net_worth(); }

void Ledger::open_loan(std::size_t lender, std::size_t borrower, double usd_bn) {
  sheets_[borrower].liabilities[static_cast<std::size_t>(Liability::kDebt)] += usd_bn;
  sheets_[lender].assets[static_cast<std::size_t>(Asset::kLoans)] += usd_bn;
  reset_opening_net_worth(borrower);
  reset_opening_net_worth(lender);
}

void Ledger::open_equity(std::size_t issuer, std::size_t holder, double usd_bn) {
  sheets_[issuer].liabilities[static_cast<std::size_t>(Liability::kIssuedEquity)] += usd_bn;
  sheets_[holder].assets[static_cast<std::size_t>(Asset::kEquityHoldings)] += usd_bn;
  reset_opening_net_worth(issuer);
  reset_opening_net_worth(holder);
}

void Ledger::open_asset(std::size_t owner, Asset asset, double usd_bn) {
  sheets_[owner].assets[static_cast<std::size_t>(asset)] += usd_bn;
  if (asset == Asset::kDeposits) {
    // Deposits are the banks' liability; the banks' matching assets (reserves, loans to the
    // rest of the world) are outside the model, so the banks' net worth is left as it was.
    sheets_[banks()].liabilities[static_cast<std::size_t>(Liability::kDeposits)] += usd_bn;
    sheets_[banks()].assets[static_cast<std::size_t>(Asset::kReserves)] += usd_bn;
  }
  sheets_[owner].previous_net_worth = sheets_[owner].net_worth();
  sheets_[banks()].previous_net_worth = sheets_[banks()].net_worth();
}

void Ledger::open_liability(std::size_t owner, Liability liability, double usd_bn) {
  sheets_[owner].liabilities[static_cast<std::size_t>(liability)] += usd_bn;
  sheets_[owner].previous_net_worth = sheets_[owner].net_worth();
  if (liability == Liability::kDebt) {
    // The banks lend: every debt is a loan on the banks' balance sheet.
    sheets_[banks()].assets[static_cast<std::size_t>(Asset::kLoans)] += usd_bn;
    sheets_[banks()].previous_net_worth = sheets_[banks()].net_worth();
  }
}

void Ledger::record_one_leg_for_test(std::size_t payer, Flow kind, double usd_bn) {
  matrix_[index(kind, payer, kCurrent)] -= usd_bn;
  move_deposits(payer, -usd_bn);
}

std::vector<StockFlowViolation> Ledger::check(core::Month month, double tolerance) const {
  std::vector<StockFlowViolation> out;
  max_residual_ = 0.0;
  // `entry` is a callable so the message is only built for a violation (this runs every month).
  auto note = [&](std::size_t sector, const auto& entry, double residual) {
    max_residual_ = std::max(max_residual_, std::fabs(residual));
    if (std::fabs(residual) > tolerance) out.push_back({month, sector, entry(), residual});
  };
  const std::size_t n = sheets_.size();
  // Rows: every kind of transaction pays out what it pays in.
  for (std::size_t f = 0; f < kFlowCount; ++f) {
    const Flow kind = static_cast<Flow>(f);
    double row = 0.0;
    std::size_t largest = 0;
    double largest_abs = -1.0;
    for (std::size_t s = 0; s < n; ++s) {
      const double cell = matrix_[index(kind, s, kCurrent)] + matrix_[index(kind, s, kCapital)];
      row += cell;
      if (std::fabs(cell) > largest_abs) {
        largest_abs = std::fabs(cell);
        largest = s;
      }
    }
    note(largest, [&] { return "row '" + std::string(flow_name(kind)) + "' of the transaction-flow matrix does not sum to zero"; },
         row);
  }
  // Columns: a sector's sources less uses, current and capital, is its change in deposits.
  for (std::size_t s = 0; s < n; ++s) {
    double column = 0.0;
    for (std::size_t f = 0; f < kFlowCount; ++f) column += flow(static_cast<Flow>(f), s);
    note(s, [] { return std::string("column: sources − uses differ from the change in deposits"); },
         column - deposits_change_[s]);
  }
  // Every financial asset has a matching liability: deposits held (the banks' reserves
  // included) against the banks' deposit liabilities, and the banks' loans against debt.
  double deposits_held = 0.0;
  double debt_owed = 0.0;
  double loans_held = 0.0;
  double receivables = 0.0;
  double payables = 0.0;
  for (const BalanceSheet& b : sheets_) {
    deposits_held += b.assets[static_cast<std::size_t>(Asset::kDeposits)];
    debt_owed += b.liabilities[static_cast<std::size_t>(Liability::kDebt)];
    loans_held += b.assets[static_cast<std::size_t>(Asset::kLoans)];
    receivables += b.assets[static_cast<std::size_t>(Asset::kReceivables)];
    payables += b.liabilities[static_cast<std::size_t>(Liability::kPayables)];
  }
  note(banks(), [] { return std::string("deposits held differ from the banks' deposit liabilities"); },
       deposits_held - sheets_[banks()].liabilities[static_cast<std::size_t>(Liability::kDeposits)]);
  note(banks(), [] { return std::string("loans held differ from the debt owed"); }, loans_held - debt_owed);
  note(households(), [] { return std::string("receivables differ from payables"); }, receivables - payables);
  double shares_held = 0.0;
  double shares_issued = 0.0;
  for (const BalanceSheet& b : sheets_) {
    shares_held += b.assets[static_cast<std::size_t>(Asset::kEquityHoldings)];
    shares_issued += b.liabilities[static_cast<std::size_t>(Liability::kIssuedEquity)];
  }
  note(households(), [] { return std::string("equity held differs from equity issued"); }, shares_held - shares_issued);
  // Balance sheets: assets − liabilities = previous net worth + saving + revaluations.
  for (std::size_t s = 0; s < n; ++s) {
    const BalanceSheet& b = sheets_[s];
    note(s, [] { return std::string("net worth: assets − liabilities differ from previous net worth + saving + revaluations"); },
         b.net_worth() - (b.previous_net_worth + saving(s) + b.revaluations));
  }
  return out;
}

double Ledger::largest_stock() const {
  double largest = 0.0;
  for (const BalanceSheet& b : sheets_) {
    for (double a : b.assets) largest = std::max(largest, std::fabs(a));
    for (double l : b.liabilities) largest = std::max(largest, std::fabs(l));
  }
  return largest;
}

void Ledger::end_month() {
  for (BalanceSheet& b : sheets_) b.previous_net_worth = b.net_worth();
}

}  // namespace bsim::model
