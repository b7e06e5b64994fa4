"""`python -m services.demo`: the demonstration on its own, with the options of `zerovisit demo`."""

from __future__ import annotations

import argparse
import sys

from services.demo.cli import add_commands


def main(argv: list[str] | None = None) -> int:
    """Parse the options of `zerovisit demo` and run it."""
    parser = argparse.ArgumentParser(prog="python -m services.demo")
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["demo", *(sys.argv[1:] if argv is None else argv)])
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
