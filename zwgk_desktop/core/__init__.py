"""Domain and persistence. Never imports Qt (a test enforces it)."""
