"""What a change to a job needs besides the session: who, when, and the rules and calendar in force."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.calendar import WorkingDayCalendar
from services.common.clock import local_date
from services.common.events import EventTables
from services.common.rules import CategoryRules, RuleBook, StepEvidence, UnknownRuleError
from services.common.settings import Subscriber
from services.common.state import ServiceState
from services.workflow.jobs.exceptions import UnknownRules


@dataclass(frozen=True)
class Context:
    """The actor, the server's time, and the app's rules, calendar and outbox."""

    actor: str
    now: datetime
    calendar: WorkingDayCalendar
    rules: RuleBook
    event_tables: EventTables
    subscribers: Sequence[Subscriber]

    @property
    def today(self) -> date:
        """The date in Asia/Shanghai, where every count of days is taken."""
        return local_date(self.now)

    def category(self, rule_set: str, category: str) -> CategoryRules:
        """A category of a rule set by id; a case is judged by the set it was submitted under, forever."""
        try:
            return self.rules.by_id(rule_set).category(category)
        except UnknownRuleError as exc:
            raise UnknownRules(str(exc), rule_set=rule_set, category=category) from exc

    def evidence_for(self, rule_set: str, step: str) -> StepEvidence:
        """What completing a step needs from the site, by the rule set the case was submitted under."""
        try:
            return self.rules.by_id(rule_set).evidence_for(step)
        except UnknownRuleError as exc:
            raise UnknownRules(str(exc), rule_set=rule_set) from exc


async def build_context(state: ServiceState, session: AsyncSession, *, actor: str) -> Context:
    """The context of one change made through an app, timed by the app's clock."""
    assert state.event_tables is not None
    return Context(
        actor=actor,
        now=state.clock.now(),
        calendar=await state.live_calendar.current(session),
        rules=state.rules,
        event_tables=state.event_tables,
        subscribers=state.settings.subscribers,
    )
