"""Shared fixtures, and the certification table of the seed's sheet at the end of every run."""
from __future__ import annotations

import pytest

from verify.audit import Auditor

AUDITOR = Auditor(seed=0)  # one per run: each claim's truth is computed once for all tests


@pytest.fixture(scope="session")
def auditor() -> Auditor:
    return AUDITOR


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """End the run with the seed sheet's certification table (the same as `python -m verify`)."""
    from verify.registry import REGISTRY
    from verify.report import table
    from verify.sheet import load

    results = AUDITOR.audit(load(None, REGISTRY), REGISTRY.values())
    terminalreporter.section("certification of the seed's answers (seed 0)")
    terminalreporter.write_line(table(results))
