"""Every workflow table, for migrations: importing the model modules registers them on the metadata."""

from services.workflow.db import Base

metadata = Base.metadata
__all__ = ["metadata"]
