"""Notifications to applicants: the in-app inbox fed by job events and daily reminders, and the SMS and push
messages owed for each (sent once, through an outbox), as each applicant chose."""
