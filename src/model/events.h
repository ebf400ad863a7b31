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
};

struct Event {
  core::Month month;
  EventKind kind = EventKind::kEfficiencyShock;
  std::string subject;  ///< what the event is about (a shock id, a firm id, …)
  double value = 0.0;   ///< the event's main figure; its meaning depends on `kind`
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
