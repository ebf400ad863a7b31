#pragma once
// Fixture for the layering test.
