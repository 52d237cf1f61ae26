"""Wall-clock of `python -m verify report --pdf` for the seed sheet, figures included (not a test).

    python benchmarks/bench_report.py [--runs 3]

Target (issue 8): under 20 s on 2 cores. Also times the LaTeX compile alone (latexmk on the
written folder), to separate TeX from the audit and the figures.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def seconds(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("latexmk") is None:
        sys.exit("latexmk not installed: apt-get install texlive-latex-base "
                 "texlive-latex-recommended latexmk")
    total, serial, tex_only, tex_only_write = [], [], [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            total.append(seconds([sys.executable, "-m", "verify", "report", "--pdf", "-q",
                                  "--out", "report"], tmp))
            serial.append(seconds([sys.executable, "-m", "verify", "report", "--pdf", "-q",
                                   "--jobs", "1", "--out", "serial"], tmp))
            for f in (tmp / "report").glob("report.*"):
                if f.suffix != ".tex":
                    f.unlink()
            tex_only.append(seconds(["latexmk", "-pdf", "-interaction=nonstopmode", "-silent",
                                     "report.tex"], tmp / "report"))
            tex_only_write.append(seconds([sys.executable, "-m", "verify", "report", "-q",
                                           "--out", "report2"], tmp))
    print(f"{'report --pdf (audit + figures + latexmk)':<45} median {statistics.median(total):6.2f} s")
    print(f"{'report --pdf --jobs 1 (all in one process)':<45} median {statistics.median(serial):6.2f} s")
    print(f"{'report (audit + figures, no PDF)':<45} median {statistics.median(tex_only_write):6.2f} s")
    print(f"{'latexmk -pdf alone':<45} median {statistics.median(tex_only):6.2f} s")
    print(f"over {args.runs} runs")


if __name__ == "__main__":
    main()
