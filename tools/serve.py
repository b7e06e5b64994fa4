"""A service run on simulated time.

    python -m tools.serve --clock-file var/demo/clock --service intake

runs a service as `zerovisit run --service intake` does, but hands it the clock in a file instead of the
system's: the product never reads a clock file, this launcher injects one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from services import cli
from tools.clock import FileClock


def main(argv: Sequence[str] | None = None) -> int:
    """Run one service on the time in a file."""
    parser = argparse.ArgumentParser(prog="python -m tools.serve", description=__doc__)
    parser.add_argument("--clock-file", type=Path, required=True, help="the clock file the driver writes")
    parser.add_argument("--service", choices=cli.SERVICES, required=True)
    args = parser.parse_args(argv)
    cli.serve(args.service, clock=FileClock(args.clock_file))
    return 0


if __name__ == "__main__":
    sys.exit(main())
