"""Progress of a class on stderr: a bar redrawn in place on a terminal, one plain line per sheet
otherwise (a log file, a pipe)."""
from __future__ import annotations

import sys
from typing import TextIO

from .grades import SheetGrade

__all__ = ["SheetProgress"]

BAR = 30  # characters


class SheetProgress:
    """Call with each finished `SheetGrade`; `total` sheets in all."""

    def __init__(self, total: int, stream: TextIO | None = None):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()

    def __call__(self, grade: SheetGrade) -> None:
        self.done += 1
        if not self.tty:
            print(f"graded {self.done}/{self.total}: {grade.sheet} ({grade.status})",
                  file=self.stream, flush=True)
            return
        filled = BAR * self.done // self.total
        end = "\n" if self.done == self.total else ""
        print(f"\rgrading [{'#' * filled}{'-' * (BAR - filled)}] {self.done}/{self.total}",
              end=end, file=self.stream, flush=True)
