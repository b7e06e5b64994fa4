"""The sender's policy, as intake's settings describe it."""

from __future__ import annotations

from services.intake.notifications.sender import Policy
from services.intake.settings import IntakeSettings


def test_the_senders_policy_is_made_of_the_messages_settings() -> None:
    settings = IntakeSettings(
        messages_batch_size=7,
        messages_lease_seconds=20,
        messages_max_attempts=3,
        messages_backoff_base_seconds=2,
        messages_backoff_max_seconds=60,
    )
    assert Policy.of(settings) == Policy(
        batch_size=7, lease_seconds=20, max_attempts=3, backoff_base_seconds=2, backoff_max_seconds=60
    )
