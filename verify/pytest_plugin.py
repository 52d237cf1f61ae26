"""pytest plugin: `pytest --sheet FILE` certifies each claim a sheet answers, one test per claim.

Loaded by the `pytest11` entry point `dgm-verify` in every pytest run of the environment, so it
imports only pytest until `--sheet` is given, and without it adds no test. Each sheet becomes a
path to collect (the only one when no paths are given, so neither testpaths nor their conftest
files are read); its tests are `FILE::certify[<claim id>]`, passing when the verdict is `correct`
and failing with the verdict, the deciding failed checks and the correction otherwise. Truths are
computed once per claim for the run, each sheet is judged against them. A broken sheet, an unknown
claim id or a bad seed is a pytest usage error (exit status 4) naming the file and the problem.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest

__all__ = ["SheetFile", "ClaimItem", "NotCertified"]

_RUN = pytest.StashKey["_Certification"]()
_SHOWN_CHECKS = 5  # failed checks listed per claim; -v lists all


def _seed(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return int(text)


def pytest_addoption(parser: pytest.Parser) -> None:
    # Namespaced names and dests: a project's own `--seed` or `--only` must not clash with ours.
    group = parser.getgroup("dgm-verify", "certify a DGM homework-2 answer sheet (dgm-verify)")
    group.addoption("--sheet", action="append", default=[], dest="dgm_verify_sheets",
                    metavar="FILE", help="certify the TOML answer sheet FILE, one test per claim "
                    "it answers (repeatable); with no test paths given, only the sheets run")
    group.addoption("--sheet-only", dest="dgm_verify_only", metavar="ID,...",
                    help="certify these comma-separated claim ids (answered or not) instead")
    group.addoption("--sheet-seed", dest="dgm_verify_seed", type=_seed, default=0, metavar="N",
                    help="random seed of every check (default 0)")


def _names(arg: str, sheet: str) -> bool:
    """True when the command-line path or node id `arg` lies in the file `sheet`."""
    return Path(arg.split("::")[0]).resolve() == Path(sheet).resolve()


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser, args: list[str]) -> None:
    """Add each sheet not already named to the paths to collect, before conftests are looked up."""
    known = early_config.known_args_namespace
    if not known.dgm_verify_sheets:
        return
    given = known.file_or_dir
    added = [s for s in dict.fromkeys(known.dgm_verify_sheets)
             if not any(_names(arg, s) for arg in given)]
    args[:0] = added  # read again by the final parse: the sheets become config.args
    known.file_or_dir = [*added, *given]  # read by the initial-conftest lookup that follows


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Load and check the sheets and `--sheet-only` before any collection (usage errors)."""
    if session.config.getoption("dgm_verify_sheets"):
        session.config.stash[_RUN] = _Certification(session.config)


def pytest_report_header(config: pytest.Config) -> list[str]:
    sheets = config.getoption("dgm_verify_sheets")
    if not sheets:
        return []
    return [f"dgm-verify: certifying {', '.join(sheets)} with seed "
            f"{config.getoption('dgm_verify_seed')}"]


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    run = parent.config.stash.get(_RUN, None)
    if run is not None and file_path.resolve() in run.sheets:
        return SheetFile.from_parent(parent, path=file_path)
    return None


class _Certification:
    """One run's sheets (by resolved path), the claims to certify, and the Auditor."""

    def __init__(self, config: pytest.Config):
        from .engine.audit import Auditor, select
        from .engine.errors import UserError
        from .engine.sheet import load
        from .registry import REGISTRY

        only = config.getoption("dgm_verify_only")
        try:
            self.sheets = {Path(p).resolve(): load(p, REGISTRY)
                           for p in config.getoption("dgm_verify_sheets")}
            self.only = None if only is None else select(REGISTRY, only.split(","),
                                                         option="--sheet-only")
        except UserError as exc:
            raise pytest.UsageError(str(exc)) from None
        self.registry = REGISTRY
        self.auditor = Auditor(config.getoption("dgm_verify_seed"))
        self.prefetch = not hasattr(config, "workerinput")  # an xdist worker computes as it goes

    def claim_ids(self, path: Path) -> list[str]:
        """`--sheet-only`'s ids, else the ids the sheet at `path` answers, in homework order."""
        if self.only is not None:
            return [c.id for c in self.only]
        sheet = self.sheets[path.resolve()]
        return [i for i in self.registry if sheet.answered(i)]

    def result(self, path: Path, claim_id: str, items: list[pytest.Item]):
        """The sheet's verdict on `claim_id`; the first call computes the truths of all `items`."""
        from .engine.parallel import default_jobs

        if self.prefetch:  # every selected claim's truth up front, in forked workers (as the CLI)
            claims = [self.registry[i.claim_id] for i in items if isinstance(i, ClaimItem)]
            self.auditor.prefetch(claims, jobs=default_jobs())
            self.prefetch = False
        return self.auditor.judge(self.registry[claim_id], self.sheets[path.resolve()])


class NotCertified(Exception):
    """A verdict other than `correct`; the message says why."""


class SheetFile(pytest.File):
    """A sheet given with `--sheet`: one `ClaimItem` per claim to certify."""

    def collect(self):
        for claim_id in self.config.stash[_RUN].claim_ids(self.path):
            name = f"certify[{claim_id}]"  # the id as a parameter, as pytest parses node ids (--lf)
            yield ClaimItem.from_parent(self, name=name, nodeid=f"{self.nodeid}::{name}",
                                        claim_id=claim_id)


class ClaimItem(pytest.Item):
    """Passes when the sheet's answer to `claim_id` is `correct`."""

    def __init__(self, *, claim_id: str, **kwargs):
        super().__init__(**kwargs)
        self.claim_id = claim_id

    def runtest(self) -> None:
        from .engine.claims import Verdict
        from .outputs.report import explanation

        result = self.config.stash[_RUN].result(self.path, self.claim_id, self.session.items)
        self.user_properties.append(("verdict", result.verdict.word))  # shown by --junitxml
        if result.verdict is not Verdict.CORRECT:
            shown = None if self.config.getoption("verbose") > 0 else _SHOWN_CHECKS
            raise NotCertified(explanation(result, shown, " (-v lists all)"))

    def repr_failure(self, excinfo, style=None):
        from .engine.claims import ReferenceFailure

        if isinstance(excinfo.value, NotCertified):
            return str(excinfo.value)
        if isinstance(excinfo.value, ReferenceFailure):
            return f"internal error (a bug in the suite, not in the sheet): {excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, self.name

