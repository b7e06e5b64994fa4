"""Start-up time of the command line: `zerovisit --help` and `zerovisit users create`, with hyperfine.

    python -m tools.bench.cli.run

Creates a throwaway SQLite intake database, migrates it, then times `--help` (10 runs after 2 warm-up
runs) and `users create` (8 runs, each a new staff account, so each run writes what it would in use).
Writes RESULTS.md beside this file with the machine it ran on. Needs hyperfine (Debian's package).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).parent
CLI = f"{sys.executable} -m services.cli"


def _hyperfine(args: list[str], env: dict[str, str], export: Path) -> list[float]:
    subprocess.run(["hyperfine", "--export-json", str(export), *args], env=env, check=True, capture_output=True)  # noqa: S603, S607
    return [run for result in json.loads(export.read_text())["results"] for run in result["times"]]


def main() -> None:
    """Time both commands and write RESULTS.md."""
    if shutil.which("hyperfine") is None:
        sys.exit("hyperfine is not installed (apt-get install hyperfine)")
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "INTAKE_VAR_DIR": scratch,
            "INTAKE_DATABASE_URL": f"sqlite+aiosqlite:///{scratch}/intake.db",
        }
        subprocess.run([sys.executable, "-m", "services.cli", "migrate", "--service", "intake"], env=env, check=True)
        helped = _hyperfine(["--warmup", "2", "--runs", "10", f"{CLI} --help"], env, Path(scratch, "help.json"))
        create = (
            f"{CLI} users create --username worker{{n}} --password 'staff-pass-2026!xq' --role staff "
            "--grid-company SGCC-BJ --name 王工"
        )
        created = _hyperfine(
            ["--runs", "1", "--parameter-scan", "n", "1", "8", create], env, Path(scratch, "create.json")
        )
    load = os.getloadavg()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    lines = [
        "# Command line start-up",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python -m tools.bench.cli.run` (`make bench-cli`).",
        "",
        f"Machine: nproc {os.cpu_count()}; CPU: {cpu}; Python {platform.python_version()}; "
        f"load average when written: {load[0]:.2f} (1 min), {load[1]:.2f} (5 min).",
        "",
        "Wall time of each run, hyperfine, on a SQLite intake database (target: `--help` under 0.5 s, "
        "`users create` under 2 s).",
        "",
        "| command | runs | min s | mean s | max s |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, times in (("zerovisit --help", helped), ("zerovisit users create (staff)", created)):
        lines.append(f"| {name} | {len(times)} | {min(times):.3f} | {sum(times) / len(times):.3f} | {max(times):.3f} |")
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
