"""Job errors."""

from pydantic import Field

from services.common.errors import BadRequest, Conflict, NotFound, PreconditionRequired, Problem, Unprocessable
from services.common.errors import ValidationProblem as _ValidationProblem
from services.common.rules.models import StepCode


class StaleVersionProblem(Problem):
    """A change sent with a version the job has moved past."""

    version: int | None = Field(
        None,
        description="The job's current version, to read it again with; absent when another change won a race.",
        examples=[4],
    )


class StepOutOfOrderProblem(Problem):
    """A step completed out of turn."""

    current_step: StepCode | None = Field(description="The step the job is at now.", examples=["accept"])


class JobClosedProblem(Problem):
    """A change to a job that is connected or withdrawn."""

    # Not `status`: that member of a problem document is the HTTP status code.
    job_status: str = Field(description="The job's status.", examples=["connected"])


class UnknownRulesProblem(_ValidationProblem):
    """A job whose rule set or category this service does not know."""

    rule_set: str = Field(description="The rule set the case was judged by.", examples=["2018"])
    category: str = Field(description="The case's category.", examples=["sme_lv"])


class JobNotFound(NotFound, slug="job-not-found", title="Job not found"): ...


class VersionRequired(
    PreconditionRequired, slug="version-required", title="If-Match with the job's version is required"
): ...


class MalformedVersion(BadRequest, slug="malformed-if-match", title="If-Match is not a job version"): ...


class StaleVersion(
    Conflict, slug="stale-version", title="The job changed since you read it", schema=StaleVersionProblem
): ...


class StepOutOfOrder(
    Conflict, slug="step-out-of-order", title="Not the current step", schema=StepOutOfOrderProblem
): ...


class JobClosed(Conflict, slug="job-closed", title="The job is connected or withdrawn", schema=JobClosedProblem): ...


class JobIsPaused(Conflict, slug="job-paused", title="The job is paused"): ...


class JobNotPaused(Conflict, slug="job-not-paused", title="The job is not paused"): ...


class VisitInFuture(Unprocessable, slug="visit-in-future", title="Visit date in the future"): ...


class VisitBeforeApplication(
    Unprocessable, slug="visit-before-application", title="Visit date before the application"
): ...


class MissingEvidenceProblem(Problem):
    """A step completed without the evidence its rule set asks for."""

    missing_evidence: list[str] = Field(
        description="Everything missing at once: evidence kinds to upload, and `meter_number` when the body lacks it.",
        examples=[["meter_photo", "meter_number"]],
    )


class MissingEvidence(
    Unprocessable, slug="missing-evidence", title="The step needs evidence from the site", schema=MissingEvidenceProblem
): ...


class UnknownRules(
    Unprocessable, slug="unknown-rules", title="Rule set or category unknown", schema=UnknownRulesProblem
): ...
