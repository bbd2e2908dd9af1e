"""Reference data shipped with the code (catalog, dealers, knowledge corpus, demo customers)."""
