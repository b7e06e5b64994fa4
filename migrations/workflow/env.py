"""The workflow service's migration environment."""

from services.common.migrations import run_environment
from services.workflow.models import metadata
from services.workflow.settings import WorkflowSettings

run_environment(metadata, WorkflowSettings().resolved_database_url())
