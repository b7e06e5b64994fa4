"""Every intake table, for migrations: importing the model modules registers them on the metadata."""

from services.intake.applications import models as application_models
from services.intake.contracts import models as contract_models
from services.intake.db import Base
from services.intake.disputes import models as dispute_models
from services.intake.documents import models as document_models
from services.intake.identity import models as identity_models
from services.intake.notifications import models as notification_models

metadata = Base.metadata
__all__ = [
    "application_models",
    "contract_models",
    "dispute_models",
    "document_models",
    "identity_models",
    "metadata",
    "notification_models",
]
