"""`zerovisit demo`: a simulated half-year of applications driven through the services' HTTP APIs."""
