"""Historical cases imported in bulk, so a half-year that began before the platform is reported whole."""
