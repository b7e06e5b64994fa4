"""The regulators' dashboard: static HTML and JavaScript over the metrics API."""
