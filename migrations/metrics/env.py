"""The metrics service's migration environment."""

from services.common.migrations import run_environment
from services.metrics.models import metadata
from services.metrics.settings import MetricsSettings

run_environment(metadata, MetricsSettings().resolved_database_url())
