"""Periods: labels, from/to dates, and figures for dates that cut months."""

from __future__ import annotations

from datetime import date

import pytest

from services.intake.identity.keys import SigningKey
from services.metrics.periods import BadPeriod, parse_label, resolve
from tests.metrics.dataset import ROWS
from tests.metrics.support import auth, expected_rows
from tests.support.services import Service


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("2026H1", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026H2", date(2026, 7, 1), date(2026, 12, 31)),
        ("2026Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026h1", date(2026, 1, 1), date(2026, 6, 30)),
    ],
)
def test_a_label_names_its_dates(label: str, start: date, end: date) -> None:
    period = parse_label(label)

    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    "label", ["2026H3", "2026Q5", "2026-13", "2026", "H1", "2026-1", "", "0000H1", "0000Q1", "0000-01", "9999H2"]
)
def test_a_label_that_is_no_period_is_refused(label: str) -> None:
    with pytest.raises(BadPeriod):
        parse_label(label)


def test_from_and_to_cut_months_into_whole_months_and_edge_days() -> None:
    period = resolve(None, date(2026, 1, 15), date(2026, 4, 10))

    assert period.whole_months() == (202602, 202603)
    assert period.cut_days() == [(date(2026, 1, 15), date(2026, 1, 31)), (date(2026, 4, 1), date(2026, 4, 10))]


def test_dates_within_one_month_are_all_cut_days() -> None:
    period = resolve(None, date(2026, 3, 2), date(2026, 3, 20))

    assert period.whole_months() is None
    assert period.cut_days() == [(date(2026, 3, 2), date(2026, 3, 20))]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-05-01", "to": "2026-04-01"},
        {"from": "2026-05-01"},
        {},
        {"period": "2026H1", "from": "2026-01-01", "to": "2026-01-31"},
        {"period": "last year"},
        {"period": "0000H1"},
        {"period": "0000-01"},
        {"from": "0001-01-01", "to": "0001-01-05"},
        {"from": "9999-12-20", "to": "9999-12-31"},
    ],
)
async def test_a_bad_period_query_is_a_422_problem(
    metrics: Service, signing_key: SigningKey, params: dict[str, str]
) -> None:
    response = await metrics.client.get("/api/v1/metrics/summary", params=params, headers=auth(signing_key, "admin"))

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_from_to_dates_that_cut_months_count_exactly_the_cases_connected_inside(
    metrics: Service, signing_key: SigningKey
) -> None:
    admin = auth(signing_key, "admin")
    await metrics.client.post("/api/v1/imports/cases", json={"cases": ROWS}, headers=admin)
    start, end = date(2026, 1, 7), date(2026, 4, 30)

    body = (
        await metrics.client.get("/api/v1/metrics/summary", params={"from": str(start), "to": str(end)}, headers=admin)
    ).json()

    expected = expected_rows(ROWS, start, end)
    assert body["period"] == "2026-01-07..2026-04-30"
    for row in body["rows"]:
        want = expected.get(row["category"], {"connected_count": 0})
        for name, value in want.items():
            assert row[name] == pytest.approx(value), (row["category"], name)
