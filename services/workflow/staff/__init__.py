"""The staff directory: the grid companies' staff and managers, as intake announces them."""
