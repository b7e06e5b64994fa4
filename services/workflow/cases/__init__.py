"""The case's personal details as intake shared them with the grid company handling it."""
