"""Dialog suites: multi-turn conversations with per-turn expectations a customer would check
(`aicc eval --dialogs`). The suite format is in aicc/dialogs/suite.py; tests/dialogs holds the suite."""
