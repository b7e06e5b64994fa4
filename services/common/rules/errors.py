"""Errors raised by the rule-set package."""


class RuleSetError(Exception):
    """A rule-set file is malformed or inconsistent, or a rule was asked for that does not exist."""


class UnknownRuleError(RuleSetError, KeyError):
    """A category, business type or rule set was looked up that the rule set does not define."""

    def __str__(self) -> str:
        # KeyError quotes its argument; a plain sentence reads better in logs and problem details.
        return str(self.args[0]) if self.args else ""
