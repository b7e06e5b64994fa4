"""The days of a demonstration: mornings for applicants, afternoons for grid staff, evenings for ratings."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time, timedelta

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tools.demo.applicants import Applicants
from tools.demo.guide import Guide
from tools.demo.people import Applicant, rng_for
from tools.demo.records import Book, CaseRecord
from tools.demo.staff import GridCompanies
from tools.demo.timeline import Timeline, WorkingDays
from tools.demo.waiting import Deliveries

MORNING, AFTERNOON, EVENING = time(8, 30), time(13, 30), time(19, 0)
# With real time (attached), staff go round their jobs this often, as one step per job per round.
REAL_TIME_ROUNDS = 12


@dataclass
class Cast:
    """Everyone acting in the demonstration."""

    applicants: Applicants
    companies: GridCompanies
    deliveries: Deliveries
    guide: Guide
    calendar: WorkingDays
    timeline: Timeline
    book: Book
    seed: int


def run(cast: Cast, people: list[Applicant], days: list[date], console: Console) -> None:
    """Play every day, with a progress bar per simulated day."""
    arriving: dict[int, list[Applicant]] = defaultdict(list)
    returning: dict[int, list[Applicant]] = defaultdict(list)
    for person in people:
        arriving[person.arrives].append(person)
        if person.second_day is not None:
            returning[person.second_day].append(person)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("simulating", total=len(days), status="")
        for index, day in enumerate(days):
            progress.update(task, description=f"{day:%Y-%m-%d %a}")
            play_day(cast, day, arriving[index], returning[index])
            tally = cast.book.tally
            status = (
                f"applications {tally.applications} · open {cast.book.open_count()} · connected {tally.connected}"
                f" · late steps {tally.late_steps} · withdrawn {tally.withdrawn}"
            )
            progress.update(task, advance=1, status=status)


def play_day(cast: Cast, day: date, arriving: list[Applicant], returning: list[Applicant]) -> None:
    """One day: applications, then (on a working day) the grid companies' work, then ratings."""
    cast.timeline.begin(day, MORNING)
    cast.guide.refresh(day)
    new: list[CaseRecord] = [cast.applicants.arrive(person, day) for person in arriving]
    for person in returning:
        assert person.second is not None
        new.append(cast.applicants.apply(person, person.second, day, second=True))
    cast.deliveries.jobs_created(new)
    withdrawing = [r for r in cast.book.records() if r.status == "open" and r.withdraw_on and r.withdraw_on <= day]
    for record in withdrawing:
        cast.applicants.withdraw(record)
    cast.deliveries.jobs_withdrawn([r for r in withdrawing if r.status == "withdrawn"])
    if cast.calendar.is_working(day) or not cast.timeline.controlled:
        cast.timeline.begin(day, AFTERNOON)
        rounds = 1 if cast.timeline.controlled else REAL_TIME_ROUNDS
        for _ in range(rounds):
            connected = cast.companies.work(day, at_once=not cast.timeline.controlled)
            for record in connected:
                wait = rng_for(cast.seed, "rate-after", record.key).randint(0, 3) if cast.timeline.controlled else 0
                record.rate_on = day + timedelta(days=wait)
            cast.deliveries.intake_connected(connected)
            if not cast.book.open_count():
                break
    cast.timeline.begin(day, EVENING)
    for record in cast.book.records():
        if record.status == "connected" and not record.rated and record.rate_on and record.rate_on <= day:
            if record.applicant.rates:
                cast.applicants.rate(record)
            record.rated = True
