"""Benchmarks of the metrics service."""
