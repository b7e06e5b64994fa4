"""Public status lookup: a case's progress by its number and the last four digits of its phone."""
