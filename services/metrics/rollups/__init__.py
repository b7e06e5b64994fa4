"""Rollups: counts, sums and working-day histograms per month, category, grid company and region."""
