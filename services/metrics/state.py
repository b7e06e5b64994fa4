"""Metrics' own settings, typed, as a dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.common.state import settings_of
from services.metrics.settings import MetricsSettings

Settings = Annotated[MetricsSettings, Depends(settings_of(MetricsSettings))]
