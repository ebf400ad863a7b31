// Compiled twice by the tests: as is it must compile; with BSIM_MIX_UNITS it must not,
// because money and power are different types (core/units.h).
#include "core/units.h"

double mix() {
  const bsim::core::Money capex{27.0};
  const bsim::core::Power campus{2.0};
#ifdef BSIM_MIX_UNITS
  return (capex + campus).value();
#else
  return (capex + bsim::core::Money{campus.value()}).value();
#endif
}
