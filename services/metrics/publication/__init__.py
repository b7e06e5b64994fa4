"""Published half-year reports: frozen versions served without an account."""
