"""Staff directory errors."""

from services.common.errors import Unauthorized, Unprocessable


class AssigneeInvalid(Unprocessable):
    slug, title = "assignee-invalid", "Not an active staff member of the job's company"


class AccountDeactivated(Unauthorized):
    slug, title = "account-deactivated", "Account deactivated"
