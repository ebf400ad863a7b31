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
  }
  return "unknown";
}

}  // namespace bsim::model
