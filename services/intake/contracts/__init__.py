"""The supply contract online: made from a template per category once the case is accepted, signed by its applicant."""
