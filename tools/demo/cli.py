"""`python -m tools.demo` (`make demo`): the command-line options."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from services.common.settings import DEFAULT_VAR_DIR, peer_url
from tools.demo.http import Urls
from tools.stack import SERVICES

DEFAULT_APPLICANTS = 200
DEFAULT_ATTACHED_APPLICANTS = 12
DEFAULT_DAYS = 180
DEFAULT_START = date(2026, 1, 5)
DEFAULT_SEED = 2026


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"not a port: {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The options of the demonstration."""
    demo = argparse.ArgumentParser(
        prog="python -m tools.demo",
        description="Start intake, workflow and metrics on fresh databases with a simulated clock, play a "
        "half-year of applicants and grid staff through their HTTP APIs day by day, then print the "
        "half-year report. With --attach, use services that already run instead: real time, few cases.",
    )
    demo.add_argument(
        "--applicants",
        type=_positive,
        help=f"how many applicants (default {DEFAULT_APPLICANTS}, or {DEFAULT_ATTACHED_APPLICANTS} with --attach)",
    )
    demo.add_argument(
        "--days", type=_positive, default=DEFAULT_DAYS, help="simulated calendar days (default %(default)s)"
    )
    demo.add_argument(
        "--start", type=date.fromisoformat, default=DEFAULT_START, help="first simulated day (default %(default)s)"
    )
    demo.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="the same seed plays the same cases (default %(default)s)"
    )
    demo.add_argument("--period", help="the report's period (default: the half-year of the first day)")
    demo.add_argument("--summary-json", type=Path, help="also write the closing figures to this file")
    own = demo.add_argument_group("the demonstration's own services (the default)")
    own.add_argument(
        "--var-dir",
        type=Path,
        default=DEFAULT_VAR_DIR / "demo",
        help="emptied and reused: SQLite files, keys, uploads, the clock file, logs (default %(default)s)",
    )
    own.add_argument(
        "--database-url-prefix",
        help="e.g. postgresql+asyncpg://user@host/zv_demo_ (the service name is appended); "
        "the databases must exist and be empty",
    )
    for name in SERVICES:
        own.add_argument(f"--{name}-database-url", help=f"{name}'s database (overrides the prefix)")
        own.add_argument(
            f"--{name}-port", type=_port, default=0, help=f"{name}'s port on 127.0.0.1 (default: a free one)"
        )
    own.add_argument("--keep-running", action="store_true", help="leave the services running at the end, until Ctrl-C")
    attached = demo.add_argument_group("services that already run")
    attached.add_argument(
        "--attach",
        action="store_true",
        help="no clock control: cases are done in real time today; staff accounts are made "
        "with the INTAKE_ settings, as `zerovisit users create` does",
    )
    for name in SERVICES:
        attached.add_argument(
            f"--{name}-url", default=peer_url(name), help=f"default %(default)s ({name.upper()}_PORT moves it)"
        )
    return demo


def main(argv: Sequence[str] | None = None) -> int:
    """Run a demonstration with the options given."""
    from tools.demo.runner import Options, run

    args = build_parser().parse_args(argv)
    prefix = args.database_url_prefix
    options = Options(
        applicants=args.applicants or (DEFAULT_ATTACHED_APPLICANTS if args.attach else DEFAULT_APPLICANTS),
        days=args.days,
        start=args.start,
        seed=args.seed,
        var_dir=args.var_dir.resolve(),
        database_urls={
            name: getattr(args, f"{name}_database_url") or (f"{prefix}{name}" if prefix else None) for name in SERVICES
        },
        ports={name: getattr(args, f"{name}_port") for name in SERVICES},
        attach=args.attach,
        urls=Urls(*(getattr(args, f"{name}_url").rstrip("/") for name in SERVICES)),
        period=args.period,
        summary_json=args.summary_json,
        keep_running=args.keep_running,
    )
    return run(options)
