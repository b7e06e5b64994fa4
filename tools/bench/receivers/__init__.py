"""CPU and SQL statements per event in the receivers: workflow making jobs, metrics keeping facts."""
