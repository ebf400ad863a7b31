#include "model/events.h"

namespace bsim::model {

const char* event_kind_name(EventKind kind) {
  switch (kind) {
    case EventKind::kEfficiencyShock:
      return "efficiency_shock";
    case EventKind::kTrainingEfficiencyShock:
      return "training_efficiency_shock";
    case EventKind::kEfficiencyJump:
      return "efficiency_jump";
    case EventKind::kScarcityPricing:
      return "scarcity_pricing";
    case EventKind::kForcedDefault:
      return "forced_default";
    case EventKind::kCovenantDefault:
      return "covenant_default";
    case EventKind::kMissedPayment: return "missed_payment";
    case EventKind::kPaymentDefault: return "payment_default";
    case EventKind::kCovenantBreach: return "covenant_breach";
    case EventKind::kContractTerminated: return "contract_terminated";
    case EventKind::kFireSale: return "fire_sale";
    case EventKind::kCreditorLoss: return "creditor_loss";
    case EventKind::kEquityTranche: return "equity_tranche";
    case EventKind::kMissedCall: return "missed_call";
    case EventKind::kWarrantVested: return "warrant_vested";
    case EventKind::kLeaseEnded: return "lease_ended";
    case EventKind::kProjectAbandoned: return "project_abandoned";
  }
  return "unknown";
}

const char* event_kind_cause(EventKind kind) {
  switch (kind) {
    case EventKind::kEfficiencyShock:
      return "scripted shock";
    case EventKind::kTrainingEfficiencyShock:
      return "scripted training-efficiency shock";
    case EventKind::kEfficiencyJump:
      return "random breakthrough";
    case EventKind::kScarcityPricing:
      return "price at the scarcity cap";
    case EventKind::kForcedDefault:
      return "scenario switch";
    case EventKind::kCovenantDefault:
      return "debt-service covenant breached";
    case EventKind::kMissedPayment: return "cash credit and equity exhausted";
    case EventKind::kPaymentDefault: return "dues unpaid after joint clearing";
    case EventKind::kCovenantBreach: return "covenant breached: rate step-up";
    case EventKind::kContractTerminated: return "counterparty default";
    case EventKind::kFireSale: return "liquidation of a defaulter";
    case EventKind::kCreditorLoss: return "claim on a defaulter written off";
    case EventKind::kEquityTranche: return "investment milestone reached";
    case EventKind::kMissedCall: return "investor failed to fund";
    case EventKind::kWarrantVested: return "warrant milestone reached";
    case EventKind::kLeaseEnded: return "lease term over";
    case EventKind::kProjectAbandoned: return "expected returns fell";
  }
  return "unknown";
}

}  // namespace bsim::model
