"""Disputes: the applicants' word against the visits and fees grid companies recorded."""
