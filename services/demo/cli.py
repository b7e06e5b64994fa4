"""`zerovisit demo`: the command-line options, wired into zerovisit by add_commands."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from services.common.paths import DEFAULT_VAR_DIR

DEFAULT_APPLICANTS = 200
DEFAULT_ATTACHED_APPLICANTS = 12
DEFAULT_DAYS = 180
DEFAULT_START = date(2026, 1, 5)
DEFAULT_SEED = 2026
SERVICES = ("intake", "workflow", "metrics")
DEFAULT_URLS = {
    "intake": "http://127.0.0.1:8001",
    "workflow": "http://127.0.0.1:8002",
    "metrics": "http://127.0.0.1:8003",
}


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


def add_commands(subparsers: Any) -> None:
    """Add `demo` to the zerovisit command line."""
    demo = subparsers.add_parser(
        "demo",
        help="drive a simulated half-year of cases through the real APIs",
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
        attached.add_argument(f"--{name}-url", default=DEFAULT_URLS[name], help="default %(default)s")
    demo.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    """Run a demonstration with the options given."""
    from services.demo.http import Urls
    from services.demo.runner import Options, run

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
