#pragma once
/// Sentiment, valuation and credit (DESIGN §1.8; docs/model.md §9). Once a month, after the
/// month has settled, investors compare the AI economy's revenue with what they expected and
/// count the month's losses from defaults:
///
///   surprise_t = ln(R_t / R_{t−1}) − g_{t−1}                 (g: expected log growth a month)
///   g_t        = g_{t−1} + (1 − 2^{−1/h_e}) · (ln(R_t / R_{t−1}) − g_{t−1})
///   ln S_t     = ln S_0 + 2^{−1/h_r} · (ln S_{t−1} − ln S_0) + e · surprise_t − s · L_t / L_scale
///   C_t        = min(1, 2^{−1/h_c} · C_{t−1} + D_t / D_capacity)  (credit tightness)
///
/// with R the month's AI revenue, L the month's default losses (claims written off plus equity
/// wiped out), D the lenders' part (claims written off, ABS pool losses included), and S clamped to
/// [min_index, max_index]. Then the firms are valued (behaviour/valuation.h): S and C set the
/// equity premium, and AI equity value is what outside shareholders hold of the firms' AI values.
/// S scales what equity-financed firms can raise; C and the fall of AI equity value from its
/// peak widen credit-line spreads, C cuts credit limits and closes the credit market above a
/// threshold (finance reads them next month). Each feedback has its switch.

#include "model/scenario.h"
#include "model/world.h"

namespace bsim::behaviour {

/// Sets the index and the expectation to their initial values.
void init_sentiment(const model::Scenario& scenario, model::World& world);

/// Updates world.sentiment from the month just settled (world.ai_revenue, debt and equity losses).
void update_sentiment(const model::Scenario& scenario, model::World& world);

}  // namespace bsim::behaviour
