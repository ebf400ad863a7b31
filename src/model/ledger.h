#pragma once
/// The month's transactions and every sector's balance sheet, kept so that stock-flow
/// consistency (DESIGN §1.9) can be checked rather than assumed.
///
/// Every transaction has a payer and a payee (households/rest of world and banks included) and
/// is recorded in the month's transaction-flow matrix; cash moves between deposits, which are
/// liabilities of the banking sector. Each sector has a current and a capital column; saving is
/// the sum of its current column, and net worth must equal last month's plus saving plus the
/// revaluation matrix. Stocks are updated by separate code from the flows, so comparing them
/// is a real check, not a tautology:
///
///   ledger.begin_month();
///   ledger.pay(lab, cloud, Flow::kComputeRent, 1.2);                                  // current
///   ledger.buy_asset(cloud, chipmaker, Flow::kCapexAccelerators, Asset::kAccelerators, 3.0);
///   ledger.revalue(cloud, Asset::kAccelerators, -0.4, Revaluation::kFailures);
///   auto problems = ledger.check(month, 1e-6);  // empty when consistent
///   ledger.end_month();

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"

namespace bsim::model {

/// Kinds of transactions (rows of the transaction-flow matrix).
enum class Flow : std::size_t {
  kServiceRevenue,     ///< end users pay for AI services
  kComputeRent,        ///< compute buyers pay compute owners (spot and contracts)
  kOperatingCost,      ///< power and other running costs, paid to households/rest of world
  kCapexAccelerators,  ///< owners buy accelerators from chipmakers (capital account)
  kCapexConstruction,  ///< owners pay builders for shells, power and fabs (capital account)
  kDepreciation,       ///< accounting depreciation (non-cash, current cost)
  kTakeOrPay,          ///< buyers pay for committed compute they did not use (take-or-pay share)
  kInterest,           ///< borrowers pay interest to their lenders
  kBorrowing,          ///< firms draw on bank credit (financial account: a source for the borrower)
  kEquityIssuance,     ///< firms sell new shares to investors (households or firms) for deposits
  kLeaseRent,          ///< lessees pay rent for data-centre campuses
  kPowerPurchase,      ///< power bought under power purchase agreements
  kTradeCredit,        ///< dues left unpaid: the creditor's receivable, the debtor's payable (financial)
  kAssetSales,         ///< second-hand assets sold for deposits (capital account, both sides)
  kPenalty,            ///< termination penalties and residual-value guarantees
  kDefaultCost,        ///< default costs (Rogers–Veraart α, β) paid to households (lawyers, brokers)
  kCoreBusiness,       ///< operating cash flow of a firm's business outside the model (firm.<id>.core_cash_flow_usd_bn_per_year)
  kCount
};
inline constexpr std::size_t kFlowCount = static_cast<std::size_t>(Flow::kCount);
std::string_view flow_name(Flow f);

/// Kinds of stocks.
/// kDeposits: money at the banks (the banks' own receipts included); kLoans: the banks' loans
/// to firms, the counterpart of the firms' kDebt; kReserves: the banks' assets outside the
/// model that back the opening deposits.
/// kLoans: loans and bonds held (by the banks, by households as bond and private-credit
/// investors, by firms as vendor financing); kReceivables: dues owed but not yet paid;
/// kOtherAssets: assets outside the AI build-out (a utility's plants, a conglomerate's other
/// business), at book.
enum class Asset : std::size_t {
  kDeposits, kAccelerators, kDatacenters, kPower, kProductionCapacity, kLoans, kReserves, kEquityHoldings,
  kReceivables, kOtherAssets, kCount
};
inline constexpr std::size_t kAssetCount = static_cast<std::size_t>(Asset::kCount);
enum class Liability : std::size_t { kDeposits, kDebt, kIssuedEquity, kPayables, kCount };
inline constexpr std::size_t kLiabilityCount = static_cast<std::size_t>(Liability::kCount);

/// Kinds of revaluation (changes in net worth that are not saving).
enum class Revaluation : std::size_t { kFailures, kDefault, kFireSale, kEquityMark, kWarrant, kAbandonment, kCount };
inline constexpr std::size_t kRevaluationCount = static_cast<std::size_t>(Revaluation::kCount);

struct BalanceSheet {
  std::array<double, kAssetCount> assets{};            ///< USD bn, end of step
  std::array<double, kLiabilityCount> liabilities{};   ///< USD bn, end of step
  double previous_net_worth = 0.0;  ///< net worth at the end of the previous step
  double revaluations = 0.0;        ///< this step (the revaluation matrix, summed)
  [[nodiscard]] double total_assets() const;
  [[nodiscard]] double total_liabilities() const;
  [[nodiscard]] double net_worth() const { return total_assets() - total_liabilities(); }
};

/// Whether a kind of transaction is operating revenue of its payee: payment for goods and
/// services (AI services, compute, leases, power, accelerators and construction). Interest,
/// principal, new shares, trade credit, asset sales, penalties and guarantees are not.
bool is_operating_revenue(Flow f);

/// Cash that moved between the firms, and between the firms and the two outside sectors
/// (households/rest of world and banks), classified for the circular-revenue share (DESIGN §1.10;
/// finance/circularity.h). USD bn. The n × n matrices are row-major with the payer as the row:
/// `transfer[payer * firms + payee]`. The ledger fills one per month (Ledger::firm_flows);
/// windows of months are their sums.
struct FirmFlows {
  std::size_t firms = 0;
  /// Ordinary payments firm → firm: everything but investment outflows, net of the parts of dues
  /// left unpaid (trade credit) and with old payables counted when paid. They carry the payer's
  /// mix of funds. Non-negative up to rounding.
  std::vector<double> transfer;
  /// Investment outflows investor → recipient: new shares bought by a firm (equity investments,
  /// warrant strikes), loans made by a firm (vendor financing, interest it capitalises), and
  /// guarantees paid (Ledger::pay_guarantee). They start a new origin: the investor's.
  std::vector<double> investment;
  /// Operating revenue (is_operating_revenue) paid firm → seller, as posted: the part of a due
  /// left unpaid still counts. A part of `transfer` when paid.
  std::vector<double> revenue;
  std::vector<double> external_inflow;   ///< per firm: cash from households/rest of world and banks
  std::vector<double> external_revenue;  ///< per firm: operating revenue paid by households/rest of world
  std::vector<double> outside_payment;   ///< per firm: cash paid to households/rest of world and banks

  FirmFlows() = default;
  explicit FirmFlows(std::size_t n);
  /// Sets every amount to zero, keeping the size.
  void clear();
  /// Adds another record of the same size (a window of months is the sum of its months).
  FirmFlows& operator+=(const FirmFlows& other);
};

/// The nonzero amounts of one FirmFlows, for summing windows of months: a month's flows touch
/// few of the n × n pairs, and adding zero changes no sum (a sum that starts at +0 is never −0),
/// so adding only these gives the same doubles as adding the whole record.
struct SparseFirmFlows {
  /// Positions in the fields of FirmFlows laid end to end, in declaration order.
  std::vector<std::uint32_t> position;
  std::vector<double> usd_bn;  ///< the amount at each position, never zero

  /// Keeps the nonzero amounts of `flows` (reusing this record's storage).
  void assign(const FirmFlows& flows);
  /// Adds the amounts to `to`, a record of the size they were taken from.
  void add_to(FirmFlows& to) const;
};

/// One broken identity: which month, sector and entry, and by how much.
struct StockFlowViolation {
  core::Month month;
  std::size_t sector = 0;
  std::string entry;
  double residual_usd_bn = 0.0;
};

/// Sectors are the scenario's firms (0 … n−1), then households/rest of world, then banks.
class Ledger {
 public:
  Ledger() = default;
  explicit Ledger(std::size_t firms);

  [[nodiscard]] std::size_t households() const { return sheets_.size() - 2; }
  [[nodiscard]] std::size_t banks() const { return sheets_.size() - 1; }
  [[nodiscard]] std::size_t sectors() const { return sheets_.size(); }

  /// Starts a month: clears the flow matrix and this month's saving and revaluations.
  void begin_month();

  /// A current transaction: payer's deposits fall, payee's rise; saving moves with them.
  void pay(std::size_t payer, std::size_t payee, Flow kind, double usd_bn);
  /// A capital transaction: the buyer's deposits buy an asset of equal value from the seller
  /// (whose saving rises by the sale: its output is sold, not a stock it held).
  void buy_asset(std::size_t buyer, std::size_t seller, Flow kind, Asset asset, double usd_bn);
  /// Accounting depreciation: a non-cash current cost that lowers the asset's book value.
  void depreciate(std::size_t owner, Asset asset, double usd_bn);
  /// A change in an asset's value that is not a transaction (failures, marks to market).
  void revalue(std::size_t owner, Asset asset, double usd_bn, Revaluation kind);
  /// A firm draws `usd_bn` of bank credit: its deposits and its debt rise together, as do the
  /// banks' loans and deposit liabilities. A financial transaction: no saving changes.
  void borrow(std::size_t borrower, double usd_bn);
  /// A firm sells `usd_bn` of new shares to households (investors) at book: the investors'
  /// deposits become the firm's; the firm owes the shares as issued equity, the investors hold
  /// them. A financial transaction: no saving changes.
  void issue_equity(std::size_t issuer, double usd_bn);
  /// A defaulter's debt written down by `loss`: the banks' loans fall with it. Both sides are
  /// revaluations (a gain for the defaulter's creditors-now-owners, a loss for the banks).
  void write_down_debt(std::size_t debtor, double loss);
  /// `lender` lends `usd_bn` to `borrower` (negative: the borrower repays): the lender's
  /// deposits become the borrower's, the lender holds a loan (Asset::kLoans), the borrower owes
  /// debt. When the lender is the banks they create the deposit as they lend.
  void lend(std::size_t lender, std::size_t borrower, double usd_bn);
  /// A due left unpaid: `creditor` holds a receivable on `debtor` (who owes a payable) — the
  /// unpaid part of a payment already recorded in full. Negative: the debtor pays it off.
  void extend_trade_credit(std::size_t creditor, std::size_t debtor, double usd_bn);
  /// `investor` buys `usd_bn` of new shares of `issuer`.
  void issue_equity(std::size_t issuer, std::size_t investor, double usd_bn);
  /// A guarantee paid by `guarantor` to `beneficiary` (a residual-value guarantee): posted as
  /// pay(…, Flow::kPenalty, …) is, and recorded in firm_flows() as an investment outflow of the
  /// guarantor rather than an ordinary payment.
  void pay_guarantee(std::size_t guarantor, std::size_t beneficiary, double usd_bn);
  /// `seller` sells an asset carried at `book` to `buyer` for `price`: a capital transaction for
  /// both; the seller's gain or loss on the sale (price − book) is a revaluation of kind `kind`.
  void sell_asset(std::size_t seller, std::size_t buyer, Asset asset, double book, double price, Revaluation kind);
  /// A claim written off: the creditor's asset and the debtor's liability fall by `loss`, both as
  /// revaluations.
  void write_off(std::size_t creditor, Asset claim, std::size_t debtor, Liability debt, double loss, Revaluation kind);
  /// A change in a liability's value that is not a transaction (equity marked to market).
  void revalue_liability(std::size_t owner, Liability liability, double usd_bn, Revaluation kind);
  /// Moves an asset between sectors without payment (a transfer of value: warrants vesting);
  /// both sides are revaluations.
  void transfer_asset(std::size_t from, std::size_t to, Asset asset, double usd_bn, Revaluation kind);
  /// Sets an opening position (before the first month): asset and the net worth it carries.
  void open_asset(std::size_t owner, Asset asset, double usd_bn);
  void open_liability(std::size_t owner, Liability liability, double usd_bn);
  /// An opening loan of `lender` to `borrower` (the banks' when lender == banks()).
  void open_loan(std::size_t lender, std::size_t borrower, double usd_bn);
  /// An opening equity position: `holder` holds `usd_bn` of the issuer's shares.
  void open_equity(std::size_t issuer, std::size_t holder, double usd_bn);
  /// For tests of the check itself: records one leg of a payment without the other.
  void record_one_leg_for_test(std::size_t payer, Flow kind, double usd_bn);

  /// Checks DESIGN §1.9 and returns every violation above `tolerance` (empty when consistent):
  /// each row of the transaction-flow matrix sums to zero; each sector's column sums to its
  /// change in deposits; and each sector's assets − liabilities equals its carried net worth.
  [[nodiscard]] std::vector<StockFlowViolation> check(core::Month month, double tolerance) const;
  /// Ends a month after a successful check: this month's net worth becomes the previous one.
  void end_month();

  /// Saving of a sector this month: the sum of its current-account column.
  [[nodiscard]] double saving(std::size_t sector) const;

  [[nodiscard]] const BalanceSheet& sheet(std::size_t sector) const { return sheets_[sector]; }
  /// Net receipts of a sector from one kind of transaction, current and capital accounts.
  [[nodiscard]] double flow(Flow kind, std::size_t sector) const {
    return matrix_[index(kind, sector, kCurrent)] + matrix_[index(kind, sector, kCapital)];
  }
  /// Net receipts of a sector from one kind of transaction on its current account only (for
  /// Flow::kDepreciation, minus the month's depreciation, which flow() nets against its allowance).
  [[nodiscard]] double current_flow(Flow kind, std::size_t sector) const { return matrix_[index(kind, sector, kCurrent)]; }
  /// Gross receipts of a sector from one kind of transaction this month: the payments it
  /// received (on its current account; for Flow::kEquityIssuance, the new shares it sold),
  /// before netting what it paid (`flow` gives the net).
  /// A firm that both rents out and rents compute has receipts() > flow().
  [[nodiscard]] double receipts(Flow kind, std::size_t sector) const {
    return receipts_[receipt_index(kind, sector)];
  }
  /// This month's cash flows between the firms and with the outside sectors, classified for
  /// the circular-revenue share. Cleared by begin_month; opening positions are not flows.
  [[nodiscard]] const FirmFlows& firm_flows() const { return firm_flows_; }
  /// Largest absolute asset or liability of any sector (USD bn): the scale of the balance
  /// sheets, against which the stock-flow tolerance is set (sim::stock_flow_tolerance).
  [[nodiscard]] double largest_stock() const;
  /// Largest absolute residual found by the last check (0 when none ran).
  [[nodiscard]] double max_residual() const { return max_residual_; }

 private:
  static constexpr std::size_t kCurrent = 0;
  static constexpr std::size_t kCapital = 1;
  [[nodiscard]] std::size_t index(Flow kind, std::size_t sector, std::size_t account) const {
    return (static_cast<std::size_t>(kind) * sheets_.size() + sector) * 2 + account;
  }
  [[nodiscard]] std::size_t receipt_index(Flow kind, std::size_t sector) const {
    return static_cast<std::size_t>(kind) * sheets_.size() + sector;
  }
  void move_deposits(std::size_t sector, double usd_bn);
  /// The accounts of pay(): the flow matrix, receipts and deposits.
  void post_payment(std::size_t payer, std::size_t payee, Flow kind, double usd_bn);
  /// Deposits paid out by a lender: for the banks lending is money creation, so only the
  /// borrower's side moves.
  void lender_pays(std::size_t lender, double usd_bn);
  void reset_opening_net_worth(std::size_t sector);
  /// Records `usd_bn` (≥ 0) of cash moving from sector `from` to sector `to` in firm_flows_,
  /// as an investment outflow when `investment` and both are firms.
  void note_cash(std::size_t from, std::size_t to, double usd_bn, bool investment);
  /// `note_cash` for a signed amount: a negative one moves the other way, as an ordinary payment.
  void note_signed_cash(std::size_t from, std::size_t to, double usd_bn, bool investment);
  /// Records operating revenue of kind `kind` paid by `payer` to `seller` (usd_bn ≥ 0).
  void note_revenue(std::size_t payer, std::size_t seller, Flow kind, double usd_bn);

  std::vector<BalanceSheet> sheets_;
  /// flows × sectors × {current, capital}: + received (a source) / − paid (a use)
  std::vector<double> matrix_;
  /// Per sector, this month; for the banks, the change in own deposits less deposit liabilities.
  std::vector<double> deposits_change_;
  std::vector<double> receipts_;         ///< flows × sectors, this month: payments received
  FirmFlows firm_flows_;                 ///< this month, for the circular-revenue share
  mutable double max_residual_ = 0.0;
};

}  // namespace bsim::model
