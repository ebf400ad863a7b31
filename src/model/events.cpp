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
  }
  return "unknown";
}

}  // namespace bsim::model
