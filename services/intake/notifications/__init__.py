"""Notifications to applicants: an in-app inbox fed by the workflow's job events, and their preferences."""
