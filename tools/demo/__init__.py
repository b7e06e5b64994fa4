"""The demonstration (`python -m tools.demo`): a simulated half-year driven through the services' HTTP APIs."""
