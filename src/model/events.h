#pragma once
/// Typed events that mechanisms emit instead of logging; front ends decide what to print.

#include <string>
#include <vector>

#include "core/calendar.h"

namespace bsim::model {

enum class EventKind {
  kEfficiencyShock,  ///< a scripted shock was applied (value: multiplier)
  kTrainingEfficiencyShock,  ///< a scripted shock to training efficiency only (value: multiplier)
  kEfficiencyJump,   ///< a random efficiency jump arrived (value: multiplier)
  kScarcityPricing,  ///< the spot price reached the scarcity cap (value: unmet H100e)
  kForcedDefault,    ///< a firm defaults by scenario switch (value: debt written off, USD bn)
  kCovenantDefault,  ///< a firm breaches its debt-service covenant and defaults (value: debt written off)
  kMissedPayment,    ///< a firm cannot pay a due in full (value: unpaid USD bn; counterparty: the payee)
  kPaymentDefault,   ///< a firm defaults on dues it could not pay, after joint clearing (value: debt written off)
  kCovenantBreach,   ///< a contract's covenant is breached without default: the rate steps up (value: the ratio)
  kContractTerminated,  ///< a contract ends because a party defaulted (value: termination claim, USD bn)
  kFireSale,         ///< a defaulter's accelerators sold into the secondary market (value: proceeds, USD bn)
  kCreditorLoss,     ///< a creditor writes off a claim on a defaulter (value: loss, USD bn; counterparty: the defaulter)
  kEquityTranche,    ///< a milestone or dated equity investment is paid (value: USD bn; counterparty: the investor)
  kMissedCall,       ///< a firm investor, defaulted or short of cash, misses a due equity tranche or call, which lapses (value: USD bn; counterparty: the investor)
  kWarrantVested,    ///< a warrant tranche vests (value: share of the issuer; counterparty: the holder)
  kLeaseEnded,       ///< a lease term ends without renewal (value: residual-value guarantee paid, USD bn)
  kProjectAbandoned, ///< an owner abandons shells or power under construction (value: the sunk cost written off, USD bn)
};

struct Event {
  core::Month month;
  EventKind kind = EventKind::kEfficiencyShock;
  std::string subject;  ///< what the event is about (a shock id, a firm id, …)
  double value = 0.0;   ///< the event's main figure; its meaning depends on `kind`
  std::string counterparty = {};  ///< the other party, when there is one (a firm id or investor class)
};

/// Receives events in the order they happen within the path.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void emit(const Event& event) = 0;
};

/// Keeps every event (the usual sink for one path).
class EventLog final : public EventSink {
 public:
  void emit(const Event& event) override { events_.push_back(event); }
  [[nodiscard]] const std::vector<Event>& events() const { return events_; }

 private:
  std::vector<Event> events_;
};

/// Drops every event (Monte Carlo paths that only need verdicts).
class NullEventSink final : public EventSink {
 public:
  void emit(const Event&) override {}
};

/// A short stable name for the kind, as written to outputs.
const char* event_kind_name(EventKind kind);

/// A short fixed text saying what causes an event of this kind (the `cause` column of
/// events.csv), e.g. "random breakthrough". Contains no comma or quote.
const char* event_kind_cause(EventKind kind);

}  // namespace bsim::model
