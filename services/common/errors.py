"""RFC 9457 problem details: one exception tree, one renderer for every error."""

from __future__ import annotations

import errno
import logging
from typing import TYPE_CHECKING, Any, ClassVar, Union

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import DataError

# The web framework is imported where a response is rendered, not here: the command line raises and catches
# these errors too, and starts in a fraction of the time without it.
if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://zerovisit.example/problems/"

logger = logging.getLogger("zerovisit.errors")


class Problem(BaseModel):
    """An RFC 9457 problem document: the body of every error response."""

    # A problem of a particular kind carries members of its own (its schema, a subclass, names them).
    model_config = ConfigDict(extra="allow")

    type: str = Field(
        description="A URI naming the kind of problem; its last segment is a stable slug to branch on.",
        examples=[PROBLEM_TYPE_BASE + "application-not-found"],
    )
    title: str = Field(description="A short summary of the kind of problem, the same for every occurrence.",
                       examples=["Application not found"])  # fmt: skip
    status: int = Field(description="The HTTP status code of the response.", examples=[404])
    detail: str | None = Field(
        None, description="What went wrong this time, for a person to read.", examples=["No application 42."]
    )
    instance: str | None = Field(
        None, description="The path of the request that failed.", examples=["/api/v1/applications/42"]
    )


class ValidationIssue(BaseModel):
    """One reason a request was not valid."""

    loc: list[str] = Field(description="Where in the request: `body`, `query`, `path` or `header`, then the "
                           "field's path.", examples=[["body", "contact_phone"]])  # fmt: skip
    msg: str = Field(description="What is wrong with the value.", examples=["String should match pattern"])
    type: str = Field(description="A machine-readable code for the kind of error.", examples=["string_too_short"])


class ValidationProblem(Problem):
    """A request the service cannot process (422); when the request failed validation, every reason at once."""

    errors: list[ValidationIssue] | None = Field(
        None, description="Each field that failed validation and why; absent when the request was valid "
        "but cannot be processed (see `detail`)."
    )  # fmt: skip


class ProblemError(Exception):
    """An error that carries its HTTP status and renders as a problem document."""

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal server error"
    # The problem document it renders as, for the OpenAPI document: a subclass of Problem naming its members.
    schema: ClassVar[type[Problem]] = Problem

    def __init_subclass__(
        cls,
        *,
        status: int | None = None,
        slug: str | None = None,
        title: str | None = None,
        schema: type[Problem] | None = None,
        **kwargs: Any,
    ) -> None:
        # A kind of problem is declared in its class statement: `class JobNotFound(NotFound, slug=..., title=...)`.
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if slug is not None:
            cls.slug = slug
        if title is not None:
            cls.title = title
        if schema is not None:
            cls.schema = schema

    def __init__(self, detail: str | None = None, *, headers: dict[str, str] | None = None, **extensions: Any):
        super().__init__(detail or self.title)
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        """The problem document for this error."""
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
        }
        body.update(self.extensions)
        return body


class BadRequest(ProblemError, status=400, slug="bad-request", title="Bad request"): ...


class Unauthorized(ProblemError, status=401, slug="unauthorized", title="Authentication required"):
    def __init__(self, detail: str | None = None, **extensions: Any):
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"}, **extensions)


class Forbidden(ProblemError, status=403, slug="forbidden", title="Not allowed"): ...


class NotFound(ProblemError, status=404, slug="not-found", title="Not found"): ...


class Conflict(ProblemError, status=409, slug="conflict", title="Conflict"): ...


class PayloadTooLarge(ProblemError, status=413, slug="payload-too-large", title="Payload too large"): ...


class UnsupportedMediaType(ProblemError, status=415, slug="unsupported-media-type", title="Unsupported media type"): ...


class Unprocessable(
    ProblemError, status=422, slug="unprocessable", title="Unprocessable request", schema=ValidationProblem
): ...


class PreconditionRequired(ProblemError, status=428, slug="precondition-required", title="Precondition required"): ...


class TooManyRequests(ProblemError, status=429, slug="too-many-requests", title="Too many requests"): ...


class ServiceUnavailable(ProblemError, status=503, slug="service-unavailable", title="Service unavailable"): ...


def problem_response(error: ProblemError, request: Request) -> JSONResponse:
    """Render a ProblemError."""
    from fastapi.responses import JSONResponse

    return JSONResponse(
        error.to_problem(instance=request.url.path),
        status_code=error.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=error.headers,
    )


def problem_responses(*errors: type[ProblemError]) -> dict[int | str, dict[str, Any]]:
    """An OpenAPI `responses=` mapping for the problems an endpoint raises, each status with its typed schemas."""
    by_status: dict[int, list[type[ProblemError]]] = {}
    for error in errors:
        by_status.setdefault(error.status, []).append(error)
    responses: dict[int | str, dict[str, Any]] = {}
    for status, group in by_status.items():
        schemas = list(dict.fromkeys(error.schema for error in group))
        if status == 422 and ValidationProblem not in schemas:
            # Any route with parameters or a body also answers 422 when they fail validation.
            schemas.append(ValidationProblem)
        model: Any = schemas[0] if len(schemas) == 1 else Union[tuple(schemas)]  # noqa: UP007
        description = "; ".join(dict.fromkeys(error.title for error in group))
        responses[status] = {"model": model, "description": description, "content": {PROBLEM_MEDIA_TYPE: {}}}
    return responses


_STATUS_TITLES = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: Unprocessable,
    429: TooManyRequests,
    503: ServiceUnavailable,
}


# SQLSTATE: class 08 is a connection exception; 57P01-57P03 are the server shutting down or starting up.
_OUTAGE_SQLSTATES = ("08", "57P01", "57P02", "57P03")
_NETWORK_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE, errno.ETIMEDOUT, errno.EHOSTUNREACH,
     errno.ENETUNREACH}
)  # fmt: skip


def is_database_outage(error: BaseException) -> bool:
    """Whether an error (or one it was raised from) says the database cannot be reached right now.

    A server restarting, a connection cut or refused, a pool with no connection to spare: the request may
    succeed when tried again, so it is answered 503. A statement the database rejects is not an outage.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa_exc.DBAPIError):
            if current.connection_invalidated or isinstance(current, sa_exc.OperationalError | sa_exc.InterfaceError):
                return True
            sqlstate = str(getattr(current.orig, "sqlstate", None) or getattr(current.orig, "pgcode", None) or "")
            if sqlstate.startswith(_OUTAGE_SQLSTATES):
                return True
        elif isinstance(current, sa_exc.TimeoutError | ConnectionError | TimeoutError):
            return True
        elif isinstance(current, OSError) and current.errno in _NETWORK_ERRNOS:
            return True
        current = current.__cause__ or current.__context__
    return False


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors():
        errors.append(
            {
                "loc": [str(part) for part in error.get("loc", ())],
                "msg": str(error.get("msg", "")),
                "type": str(error.get("type", "")),
            }
        )
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error, including validation and unknown routes, a problem document."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from services.common.idempotency import Replayed

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(exc, request)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        error = Unprocessable("The request is not valid.", errors=_validation_errors(exc))
        return problem_response(error, request)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        cls = _STATUS_TITLES.get(exc.status_code)
        if cls is None:
            body = {"type": "about:blank", "title": str(exc.detail), "status": exc.status_code}
            return JSONResponse(body, status_code=exc.status_code, media_type=PROBLEM_MEDIA_TYPE)
        error = cls(str(exc.detail) if exc.detail else None)
        error.headers.update(exc.headers or {})
        return problem_response(error, request)

    async def on_data_error(request: Request, exc: Exception) -> JSONResponse:
        # The database refused a value the schema let through (a NUL character in text on PostgreSQL, a
        # number out of a column's range): bad input, and the transaction has been rolled back.
        logger.info("database refused a value on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(Unprocessable("A value cannot be stored (for example a NUL character)."), request)

    async def on_replayed(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Replayed)
        return exc.response

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(ProblemError("An unexpected error occurred."), request)

    async def on_database_error(request: Request, exc: Exception) -> JSONResponse:
        if not is_database_outage(exc):
            raise exc  # a real fault: on to on_unexpected, a 500 and its traceback
        logger.warning("database unreachable on %s %s: %r", request.method, request.url.path, exc)
        return problem_response(ServiceUnavailable("The database is not reachable; try again shortly."), request)

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(Replayed, on_replayed)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(DataError, on_data_error)
    # A database restarting or a connection cut is an outage to retry (503), not a fault in the request (500).
    app.add_exception_handler(sa_exc.SQLAlchemyError, on_database_error)
    app.add_exception_handler(OSError, on_database_error)
    app.add_exception_handler(Exception, on_unexpected)
