"""Shared fixtures, and the certification table of the seed's sheet at the end of every run."""
from __future__ import annotations

import pytest

from verify.engine.audit import Auditor
from verify.engine.parallel import default_jobs

AUDITOR = Auditor(seed=0)  # one per run: each claim's truth is computed once for all tests


@pytest.fixture(scope="session")
def auditor() -> Auditor:
    """The run's Auditor, every truth computed up front in forked workers (as the CLI does)."""
    from verify.registry import REGISTRY

    AUDITOR.prefetch(REGISTRY.values(), jobs=default_jobs())
    return AUDITOR


@pytest.fixture(scope="session")
def written_figures(tmp_path_factory, auditor):
    """Every registered claim's figures, written once for the run: {file name: path}."""
    from verify.outputs.figures import figure_names, write
    from verify.registry import REGISTRY

    out = tmp_path_factory.mktemp("figures")
    paths = write(figure_names(REGISTRY.values()), out, auditor, jobs=default_jobs())
    return {p.name: p for p in paths}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """End the run with the seed sheet's certification table (the same as `python -m verify`)."""
    from verify.registry import REGISTRY
    from verify.outputs.report import table
    from verify.engine.sheet import load

    results = AUDITOR.audit(load(None, REGISTRY), REGISTRY.values(), jobs=default_jobs())
    terminalreporter.section("certification of the seed's answers (seed 0)")
    terminalreporter.write_line(table(results))
