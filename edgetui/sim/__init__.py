"""The simulated device behind `--demo` (standard library only)."""
