"""Staff directory errors."""

from services.common.errors import Unauthorized, Unprocessable


class AssigneeInvalid(
    Unprocessable, slug="assignee-invalid", title="Not an active staff member of the job's company"
): ...


class AccountDeactivated(Unauthorized, slug="account-deactivated", title="Account deactivated"): ...
