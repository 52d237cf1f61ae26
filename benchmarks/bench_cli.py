"""Wall-clock of the main job, `pytest --sheet` and the test run: median of a few runs (not a test).

    python benchmarks/bench_cli.py [--runs 3]

Targets (issue 3): `python -m verify` (audit + figures) under 10 s on 2 cores; the whole
`pytest` run under 2 minutes.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED_SHEET = str(ROOT / "verify" / "answers" / "seed.toml")
JOBS = {
    "python -m verify (audit + figures)": [sys.executable, "-m", "verify"],
    "python -m verify audit --json": [sys.executable, "-m", "verify", "audit", "--json", "-q"],
    "python -m verify audit --json --jobs 1": [sys.executable, "-m", "verify", "audit", "--json",
                                               "-q", "--jobs", "1"],
    "pytest --sheet (the seed's sheet)": [sys.executable, "-m", "pytest", "-q", "-p",
                                          "no:cacheprovider", "--sheet", SEED_SHEET],
    "pytest": [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tests")],
}
EXIT_OK = {"pytest --sheet (the seed's sheet)": (0, 1)}  # 1: some of the seed's answers are wrong


def median_seconds(cmd: list[str], runs: int, ok: tuple[int, ...] = (0,)) -> float:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            code = subprocess.run(cmd, cwd=tmp if "pytest" not in cmd[2] else ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
            times.append(time.perf_counter() - start)
            if code not in ok:
                raise SystemExit(f"{' '.join(cmd)} exited {code}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-tests", action="store_true", help="time only the CLI jobs")
    args = parser.parse_args()
    for label, cmd in JOBS.items():
        if args.skip_tests and label == "pytest":
            continue
        seconds = median_seconds(cmd, args.runs, EXIT_OK.get(label, (0,)))
        print(f"{label:<40} median {seconds:7.2f} s over {args.runs} runs", flush=True)


if __name__ == "__main__":
    main()
