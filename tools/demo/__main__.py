"""`python -m tools.demo`: a simulated half-year through the three services (options: --help)."""

from __future__ import annotations

import sys

from tools.demo.cli import main

if __name__ == "__main__":
    sys.exit(main())
