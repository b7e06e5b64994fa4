"""Disputes: the applicant's word against a visit or fee the grid company recorded on the case."""
