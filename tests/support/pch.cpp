// Anchor for the tests' precompiled header (tests/support/pch.hpp).
