"""Evidence from the site: photos, signed forms and reports uploaded to a job, part of its audit chain."""
