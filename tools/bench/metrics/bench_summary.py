"""Load a million case facts into PostgreSQL, then time the summary endpoint against a plain aggregate.

    python -m tools.bench.metrics.bench_summary --cases 1000000 \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/zv_bench_metrics

The database named in the URL is dropped and created anew; the rest of the server is left alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from services.common import migrations
from services.common.calendar import WorkingDayCalendar
from services.common.clock import local_date
from services.common.db import make_engine
from services.common.rules import load_rule_book
from services.intake.identity.keys import SigningKey
from services.metrics.app import create_app
from services.metrics.cli import in_transaction
from services.metrics.rollups import rebuild as rollup_rebuild
from services.metrics.settings import MetricsSettings
from tools.bench.metrics.generate import COLUMNS, Population
from tools.bench.metrics.results import Timing, percentile, write

CHUNK = 50_000
ROLLUP_TABLES = ("rollup", "rollup_histogram", "open_due")
PERIOD = ("2026H1", "2026-01-01", "2026-06-30")
TREND = {"from": "2026-01", "to": "2026-06"}
# (name, regulator prefixes, region filter)
SCENARIOS = (
    ("2026H1, all regions", ["*"], None),
    ("2026H1, one province (11)", ["11"], None),
    ("2026H1, one county (440301)", ["44"], "440301"),
)
PLAIN = """
SELECT report_category, count(*) AS n, avg(working_days) AS avg_wd,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY working_days) AS p90,
       avg(coalesce(step_count, 0)) AS steps, avg(coalesce(documents_supplied, 0)) AS docs, avg(customer_cost) AS cost,
       avg(CASE WHEN within_limit THEN 1 ELSE 0 END) AS within, avg(CASE WHEN visits = 0 THEN 1 ELSE 0 END) AS zero,
       avg(CASE WHEN channel <> 'hall' THEN 1 ELSE 0 END) AS online, avg(paused_working_days) AS paused
FROM case_fact
WHERE counted AND connected_on BETWEEN $1 AND $2 AND region LIKE $3
GROUP BY report_category
"""
PLAIN_OVERDUE = """
SELECT report_category, count(*) FROM case_fact
WHERE is_open AND due_on < $1 AND (paused_on IS NULL OR due_on < paused_on) AND report_category IS NOT NULL
  AND region LIKE $2
GROUP BY report_category
"""


def _dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.set(database=database or parsed.database).render_as_string(hide_password=False)


async def _recreate(url: str, *, drop: bool) -> None:
    if drop:
        name = make_url(url).database
        admin = await asyncpg.connect(_dsn(url, "postgres"))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
    engine = make_engine(url)
    try:
        await migrations.upgrade(engine, "metrics")
    finally:
        await engine.dispose()


async def _holds(url: str, cases: int) -> bool:
    """Whether the database already holds exactly this many generated cases (a load to measure again)."""
    try:
        connection = await asyncpg.connect(_dsn(url))
    except asyncpg.InvalidCatalogNameError:
        return False
    try:
        if await connection.fetchval("SELECT to_regclass('case_fact')") is None:
            return False
        return bool(await connection.fetchval("SELECT count(*) FROM case_fact") == cases)
    finally:
        await connection.close()


_population: Population | None = None


def _start_worker(today: date) -> None:
    global _population  # one population per worker process, made once
    _population = Population(load_rule_book(), WorkingDayCalendar.default(), today)


def _generate(start: int, count: int) -> list[tuple[Any, ...]]:
    assert _population is not None, "the worker was started without a population"
    return list(_population.records(start, count))


async def _copy(url: str, cases: int, workers: int) -> float:
    """Generate the cases in worker processes and COPY them in order; returns the seconds taken."""
    today = local_date(datetime.now(UTC))
    connection = await asyncpg.connect(_dsn(url))
    started = time.perf_counter()
    starts = iter(range(0, cases, CHUNK))
    pending: deque[asyncio.Future[list[tuple[Any, ...]]]] = deque()
    try:
        with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(today,)) as pool:

            def submit() -> None:
                start = next(starts, None)
                if start is not None:
                    pending.append(asyncio.wrap_future(pool.submit(_generate, start, min(CHUNK, cases - start))))

            # One run more than there are workers, so a run is ready whenever COPY wants one.
            for _ in range(workers + 1):
                submit()
            copied = 0
            while pending:
                records = await pending.popleft()
                submit()
                await connection.copy_records_to_table("case_fact", records=records, columns=list(COLUMNS))
                copied += len(records)
                print(f"  copied {copied:,} cases", flush=True)
        await connection.execute("ANALYZE case_fact")
        return time.perf_counter() - started
    finally:
        await connection.close()


async def _rebuild(url: str) -> float:
    """Build rollups and open cases from the facts, as `metrics rebuild` does; returns the seconds taken."""
    started = time.perf_counter()
    await in_transaction(url, rollup_rebuild.rebuild)
    connection = await asyncpg.connect(_dsn(url))
    try:
        # As autovacuum would soon after a load: fresh statistics and a visibility map for index-only scans.
        for table in (*ROLLUP_TABLES, "open_case"):
            await connection.execute(f"VACUUM ANALYZE {table}")
    finally:
        await connection.close()
    return time.perf_counter() - started


async def _time(call: Any, calls: int, warm: int) -> tuple[list[float], Any]:
    answer = None
    for _ in range(warm):
        answer = await call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        answer = await call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, answer


def _agree(endpoint: dict[str, Any], plain: dict[str, Any]) -> None:
    for row in endpoint["rows"]:
        mine = plain.get(row["category"], {})
        if not mine.get("n"):
            # No connected case in scope; the category may still have open overdue cases.
            assert row["connected_count"] == 0 and row["open_overdue_count"] == mine.get("overdue", 0), (row, mine)
            continue
        assert row["connected_count"] == mine["n"] and row["p90_working_days"] == mine["p90"], (row, mine)
        assert abs(row["avg_working_days"] - float(mine["avg_wd"])) < 1e-9, (row, mine)
        assert abs(row["within_limit_rate"] - float(mine["within"])) < 1e-9, (row, mine)
        assert row["open_overdue_count"] == mine.get("overdue", 0), (row, mine)


def _trend_agrees(trend: dict[str, Any], summary: dict[str, Any]) -> None:
    """The months of the trend add up to the half-year's summary, category by category."""
    for row in summary["rows"]:
        months = [next(r for r in m["rows"] if r["category"] == row["category"]) for m in trend["months"]]
        days = sum(r["connected_count"] * (r["avg_working_days"] or 0) for r in months)
        assert sum(r["connected_count"] for r in months) == row["connected_count"], row["category"]
        assert abs(days - row["connected_count"] * (row["avg_working_days"] or 0)) < 1e-6, row["category"]


async def _measure(url: str, calls: int, plain_calls: int) -> tuple[list[tuple[Timing, Timing]], list[Timing]]:
    workdir = Path(tempfile.mkdtemp(prefix="zv-bench-"))
    key = SigningKey.load_or_create(workdir / "key.pem")
    (workdir / "jwks.json").write_text(json.dumps(key.jwks()))
    settings = MetricsSettings(database_url=url, jwks_file=workdir / "jwks.json", relay_enabled=False)
    app = create_app(settings)
    connection = await asyncpg.connect(_dsn(url))
    pairs = []
    trends = []
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://metrics") as client,
    ):
        for name, regions, region in SCENARIOS:
            claims = {"sub": "bench", "role": "regulator", "regions": regions}
            token = key.issue(
                claims,
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                now=datetime.now(UTC),
                ttl=timedelta(hours=2),
            )
            params = {"period": PERIOD[0], **({"region": region} if region else {})}
            headers = {"Authorization": f"Bearer {token}"}

            async def endpoint(params: dict[str, str] = params, headers: dict[str, str] = headers) -> Any:
                response = await client.get("/api/v1/metrics/summary", params=params, headers=headers)
                response.raise_for_status()
                return response.json()

            prefix = (region or ("" if regions == ["*"] else regions[0])) + "%"
            today = local_date(datetime.now(UTC))
            start, end = (datetime.fromisoformat(day).date() for day in PERIOD[1:])

            async def plain(
                prefix: str = prefix, start: Any = start, end: Any = end, today: Any = today
            ) -> dict[str, Any]:
                rows = {r["report_category"]: dict(r) for r in await connection.fetch(PLAIN, start, end, prefix)}
                for r in await connection.fetch(PLAIN_OVERDUE, today, prefix):
                    rows.setdefault(r["report_category"], {"n": 0})["overdue"] = r["count"]
                return rows

            async def trend(params: dict[str, str] = params, headers: dict[str, str] = headers) -> Any:
                query = {**TREND, **{k: v for k, v in params.items() if k != "period"}}
                response = await client.get("/api/v1/metrics/trend", params=query, headers=headers)
                response.raise_for_status()
                return response.json()

            endpoint_samples, answer = await _time(endpoint, calls, warm=10)
            trend_samples, trend_answer = await _time(trend, calls, warm=10)
            _trend_agrees(trend_answer, answer)
            trends.append(Timing(name, calls, percentile(trend_samples, 0.5), percentile(trend_samples, 0.99)))
            plain_samples, plain_answer = await _time(plain, plain_calls, warm=2)
            _agree(answer, plain_answer)
            pairs.append(
                (
                    Timing(name, calls, percentile(endpoint_samples, 0.5), percentile(endpoint_samples, 0.99)),
                    Timing(name, plain_calls, percentile(plain_samples, 0.5), percentile(plain_samples, 0.99)),
                )
            )
            print(
                f"  {name}: endpoint p50 {pairs[-1][0].p50:.2f} ms, plain p50 {pairs[-1][1].p50:.1f} ms, "
                f"trend p50 {trends[-1].p50:.2f} ms p99 {trends[-1].p99:.2f} ms",
                flush=True,
            )
    await connection.close()
    return pairs, trends


async def run(args: argparse.Namespace) -> str:
    """Load, rebuild, check, measure, and write RESULTS.md."""
    url = args.database_url
    load: dict[str, float | None] = {"copy": None}
    if args.reuse and await _holds(url, args.cases):
        print(f"{make_url(url).database} holds {args.cases:,} cases: measuring them again", flush=True)
        await _recreate(url, drop=False)
    else:
        print(f"creating {make_url(url).database} and loading {args.cases:,} cases", flush=True)
        await _recreate(url, drop=True)
        load["copy"] = await _copy(url, args.cases, args.workers)
    load["rebuild"] = await _rebuild(url)
    started = time.perf_counter()
    checked = await in_transaction(url, rollup_rebuild.check)
    load["check"] = time.perf_counter() - started
    if not checked.agree:
        raise SystemExit("metrics check: rollups disagree with the facts:\n" + "\n".join(checked.differences[:20]))
    connection = await asyncpg.connect(_dsn(url))
    postgres = str(await connection.fetchval("SELECT version()")).split(" on ")[0]
    sizes = {
        table: int(await connection.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608 - fixed table names
        for table in ("rollup", "rollup_histogram", "open_case", "open_due")
    }
    sizes["counted"] = int(await connection.fetchval("SELECT count(*) FROM case_fact WHERE counted"))
    disk = {"database": str(await connection.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))"))}
    for table in ("case_fact", *ROLLUP_TABLES, "open_case"):
        size = "SELECT pg_size_pretty(pg_total_relation_size($1::regclass))"
        disk[table] = str(await connection.fetchval(size, table))
    await connection.close()
    # The plain aggregate takes seconds per call at ten million cases; three calls show its speed well enough.
    plain_calls = args.plain_calls or max(3, 30_000_000 // args.cases)
    pairs, trends = await _measure(url, args.calls, plain_calls)
    agree = f"agree ({checked.rollup_rows:,} rollup rows, {checked.histogram_rows:,} histogram rows)"
    return write(
        cases=args.cases,
        workers=args.workers,
        postgres=postgres,
        load=load,
        sizes=sizes,
        disk=disk,
        pairs=pairs,
        trends=trends,
        check=agree,
    )


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/zv_bench_metrics")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument(
        "--plain-calls", type=int, help="plain aggregate calls per scope (30 at a million cases, fewer above)"
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes generating cases")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the cases already loaded when the database holds as many"
    )
    print(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
