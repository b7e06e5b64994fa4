"""12398 hotline complaints recorded by regulators."""
