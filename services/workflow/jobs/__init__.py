"""Jobs: a grid company's work on one application, step by step, against working-day deadlines."""
