// Fixture for the layering test: a mechanism reaching sideways into another mechanism.
#include "demand/demand.h"
