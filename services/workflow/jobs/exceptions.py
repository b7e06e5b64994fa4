"""Job errors."""

from services.common.errors import BadRequest, Conflict, NotFound, PreconditionRequired, Unprocessable


class JobNotFound(NotFound):
    slug, title = "job-not-found", "Job not found"


class VersionRequired(PreconditionRequired):
    slug, title = "version-required", "If-Match with the job's version is required"


class MalformedVersion(BadRequest):
    slug, title = "malformed-if-match", "If-Match is not a job version"


class StaleVersion(Conflict):
    slug, title = "stale-version", "The job changed since you read it"


class StepOutOfOrder(Conflict):
    slug, title = "step-out-of-order", "Not the current step"


class JobClosed(Conflict):
    slug, title = "job-closed", "The job is connected or withdrawn"


class JobIsPaused(Conflict):
    slug, title = "job-paused", "The job is paused"


class JobNotPaused(Conflict):
    slug, title = "job-not-paused", "The job is not paused"


class VisitInFuture(Unprocessable):
    slug, title = "visit-in-future", "Visit date in the future"


class VisitBeforeApplication(Unprocessable):
    slug, title = "visit-before-application", "Visit date before the application"


class MissingEvidence(Unprocessable):
    slug, title = "missing-evidence", "The step needs evidence from the site"


class UnknownRules(Unprocessable):
    slug, title = "unknown-rules", "Rule set or category unknown"
