"""Import errors."""

from pydantic import BaseModel, Field

from services.common.errors import Conflict, PayloadTooLarge, Problem, Unprocessable, ValidationProblem


class BadRow(BaseModel):
    """A row of an import that cannot be imported."""

    index: int = Field(description="The row's position in `cases`, from 0.", examples=[3])
    reason: str = Field(description="Why, every reason of the row.", examples=["connected_at is before submitted_at"])


class BadRowsProblem(ValidationProblem):
    """An import refused whole because some rows cannot be imported."""

    rows: list[BadRow] = Field(description="Every bad row.")


class TooManyRowsProblem(Problem):
    """An import batch over the row limit."""

    max_rows: int = Field(description="The most rows one batch may hold.", examples=[5000])


class BadRows(Unprocessable, slug="bad-import-rows", title="Some rows cannot be imported", schema=BadRowsProblem): ...


class TooManyRows(
    PayloadTooLarge, slug="too-many-rows", title="Too many rows in one batch", schema=TooManyRowsProblem
): ...


class ImportRace(Conflict, slug="import-race", title="Another import of the same cases is running"): ...
