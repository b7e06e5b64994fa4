"""A stored file served by a route: the answers the route declares, and the response that keeps the file private."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import FileResponse

from services.common import files
from services.common.errors import ProblemError, problem_responses


def responses(*errors: type[ProblemError]) -> dict[int | str, dict[str, Any]]:
    """A download route's `responses=`: the file, in any media type the store takes, or one of the problems."""
    return {
        200: {"content": {t: {} for t in sorted(files.ALLOWED_MEDIA_TYPES)}, "description": "The file"},
        **problem_responses(*errors),
    }


def stored_file(directory: Path, sha256: str, *, media_type: str, name: str, missing: ProblemError) -> FileResponse:
    """The file stored under a digest, offered as `name` with its extension; raises `missing` when it is gone."""
    path = files.path_for(directory, sha256)
    if not path.exists():
        raise missing
    return FileResponse(
        path,
        media_type=media_type,
        filename=f"{name}.{files.EXTENSIONS[media_type]}",
        headers=files.PRIVATE_FILE_HEADERS,
    )
