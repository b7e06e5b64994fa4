"""Case facts: one pseudonymous row per case, merged from events or imported."""
