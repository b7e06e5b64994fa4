"""The intake service's migration environment."""

from services.common.migrations import run_environment
from services.intake.models import metadata
from services.intake.settings import IntakeSettings

run_environment(metadata, IntakeSettings().resolved_database_url())
