"""Every workflow table, for migrations: importing the model modules registers them on the metadata."""

from services.workflow.cases import models as case_models
from services.workflow.contractors import models as contractor_models
from services.workflow.db import Base
from services.workflow.evidence import models as evidence_models
from services.workflow.jobs import models as job_models
from services.workflow.staff import models as staff_models

metadata = Base.metadata
__all__ = ["case_models", "contractor_models", "evidence_models", "job_models", "metadata", "staff_models"]
