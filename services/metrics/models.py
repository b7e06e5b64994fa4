"""Every metrics table, for migrations: importing the model modules registers them on the metadata."""

from services.metrics.complaints import models as complaint_models
from services.metrics.db import Base
from services.metrics.disputes import models as dispute_models
from services.metrics.facts import models as fact_models
from services.metrics.publication import models as publication_models
from services.metrics.rollups import models as rollup_models

metadata = Base.metadata
__all__ = ["complaint_models", "dispute_models", "fact_models", "metadata", "publication_models", "rollup_models"]
