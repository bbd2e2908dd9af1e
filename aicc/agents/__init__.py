"""Agent logic: plain functions over contract models, testable without AWS."""
