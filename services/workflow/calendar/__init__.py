"""The working-day calendar kept in the database: seeded, loadable a year at a time, served over HTTP."""
