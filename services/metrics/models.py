"""Every metrics table, for migrations: importing the model modules registers them on the metadata."""

from services.metrics.db import Base

metadata = Base.metadata
__all__ = ["metadata"]
