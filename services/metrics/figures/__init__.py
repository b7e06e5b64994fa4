"""The regulator's figures: summary, grid companies, overdue cases, violations, evidence, reports."""
