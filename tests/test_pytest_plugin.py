"""`pytest --sheet FILE` as a user meets it: one test per claim, its outcome, options, usage errors.

In-process pytester runs in temp folders (the plugin comes from the installed entry point);
the sheets use claims whose truths are cheap (q4c.i 0.01 s, q2a.gan 0.06 s, q4d ~0.9 s).
"""
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import verify.pytest_plugin
from verify.engine import audit
from verify.engine.sheet import load_text
from verify.registry import REGISTRY

pytest_plugins = ["pytester"]

Q4C_I_RIGHT = """[q4c.i]
valid = true
checked = ["alpha_0", "alpha_1", "sigma_1", "alpha_increasing", "sigma_decreasing"]
"""
Q4D_II_WRONG = "[q4d.ii]\nsatisfies = true\n"
Q4C_I_WRONG = "[q4c.i]\nvalid = false\n"
Q2A_GAN_WRONG = "[q2a.gan]\nexact = true\n"


@pytest.fixture(scope="module", autouse=True)
def _suite_loaded():
    """pytester restores sys.modules after each in-process run, dropping what the run imported
    first, and compiled modules (numpy's, scipy's) cannot be loaded twice in a process: so import
    here, before any run, all the runs use (the registry, these truths, the report, the pool)."""
    import multiprocessing.pool  # noqa: F401  (the plugin forks truths through it)

    import verify.outputs.report  # noqa: F401

    sheet = load_text(Q4C_I_RIGHT + Q4D_II_WRONG + Q2A_GAN_WRONG, "preload", REGISTRY)
    audit.Auditor(0).audit(sheet, [REGISTRY[i] for i in ("q4c.i", "q4d.ii", "q2a.gan")])


def _sheet(pytester, text, name="my"):
    return str(pytester.makefile(".toml", **{name: text}).name)


def _collected(result):
    return [line for line in result.outlines if "::" in line]


def test_without_sheet_the_plugin_is_loaded_and_adds_no_test(pytester):
    _sheet(pytester, Q4C_I_RIGHT)
    pytester.makepyfile(test_a="def test_a():\n    pass\n")
    result = pytester.runpytest_inprocess("--collect-only", "-q")
    assert _collected(result) == ["test_a.py::test_a"]
    header = pytester.runpytest_inprocess("--collect-only").stdout.str()
    assert "dgm-verify" in header and "certifying" not in header


def test_importing_the_plugin_imports_none_of_the_suite():
    heavy = "('numpy', 'sympy', 'numba', 'verify.registry')"
    probe = f"import sys, verify.pytest_plugin; print([m for m in {heavy} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_one_test_per_answered_claim_named_by_its_id(pytester):
    sheet = _sheet(pytester, Q4C_I_RIGHT + Q4D_II_WRONG)
    result = pytester.runpytest_inprocess("--sheet", sheet, "--collect-only", "-q")
    assert _collected(result) == ["my.toml::certify[q4c.i]", "my.toml::certify[q4d.ii]"]


def test_correct_passes_and_anything_else_fails_with_verdict_checks_and_correction(pytester):
    sheet = _sheet(pytester, Q4C_I_RIGHT + Q4D_II_WRONG)
    result = pytester.runpytest_inprocess("--sheet", sheet, "--junitxml=report.xml")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "FAILED my.toml::certify[q4d.ii] - incorrect: the conclusion is wrong" in out
    failure = out.split("certify[q4d.ii] _")[1].split("short test summary")[0]
    assert ("[conclusion] satisfies: eq. (5) with beta = 598 meets eq. (4): got True, "
            "expected False") in failure
    assert "correction: No: alpha_0 = e^-299" in failure
    assert "Traceback" not in failure and ".py:" not in failure and "raise" not in failure
    cases = {c.get("name"): c for c in ET.parse(pytester.path / "report.xml").iter("testcase")}
    assert set(cases) == {"certify[q4c.i]", "certify[q4d.ii]"}
    verdicts = {n: c.find("properties/property[@name='verdict']").get("value")
                for n, c in cases.items()}
    assert verdicts == {"certify[q4c.i]": "correct", "certify[q4d.ii]": "incorrect"}
    assert cases["certify[q4c.i]"].find("failure") is None
    assert cases["certify[q4d.ii]"].find("failure").get("message").startswith("incorrect: ")


def test_failed_checks_are_cut_short_unless_verbose(pytester, monkeypatch):
    monkeypatch.setattr(verify.pytest_plugin, "_SHOWN_CHECKS", 1)  # q4c.i valid = false fails 2
    sheet = _sheet(pytester, Q4C_I_WRONG)
    short = _failures(pytester.runpytest_inprocess("--sheet", sheet))
    assert "... and 1 more (-v lists all)" in short and short.count("  - [") == 1
    verbose = _failures(pytester.runpytest_inprocess("--sheet", sheet, "-v"))
    assert "more (-v" not in verbose and verbose.count("  - [") == 2


def _failures(run) -> str:
    """The FAILURES section only: under CI=true pytest repeats each whole report in the summary."""
    return run.stdout.str().split("short test summary info")[0]


def test_sheet_only_k_and_x_select_and_stop(pytester):
    sheet = _sheet(pytester, Q4C_I_RIGHT + Q4D_II_WRONG)
    only = pytester.runpytest_inprocess("--sheet", sheet, "--sheet-only", "q4d.ii,q1b",
                                        "--collect-only", "-q")
    assert _collected(only) == ["my.toml::certify[q1b]", "my.toml::certify[q4d.ii]"]
    by_k = pytester.runpytest_inprocess("--sheet", sheet, "-k", "q4c", "--collect-only", "-q")
    assert _collected(by_k) == ["my.toml::certify[q4c.i]"]
    two_wrong = _sheet(pytester, Q2A_GAN_WRONG + Q4C_I_WRONG, "wrong")
    stopped = pytester.runpytest_inprocess("--sheet", two_wrong, "-x")
    stopped.assert_outcomes(failed=1)


def test_last_failed_reruns_only_the_claims_that_failed(pytester):
    sheet = _sheet(pytester, Q4C_I_RIGHT + Q2A_GAN_WRONG)
    pytester.runpytest_inprocess("--sheet", sheet).assert_outcomes(passed=1, failed=1)
    rerun = pytester.runpytest_inprocess("--sheet", sheet, "--lf")
    rerun.assert_outcomes(failed=1, deselected=1)
    assert "FAILED my.toml::certify[q2a.gan]" in rerun.stdout.str()


def test_an_unanswered_claim_named_by_sheet_only_fails_as_unanswered(pytester):
    sheet = _sheet(pytester, Q4C_I_RIGHT)
    result = pytester.runpytest_inprocess("--sheet", sheet, "--sheet-only", "q2a.gan")
    result.assert_outcomes(failed=1)
    assert "certify[q2a.gan] - unanswered: the sheet has nothing for it" in result.stdout.str()


def test_sheet_seed_reaches_every_truth(pytester, monkeypatch):
    seeds = []
    real = audit.claim_rng
    monkeypatch.setattr(audit, "claim_rng", lambda seed, i: seeds.append(seed) or real(seed, i))
    sheet = _sheet(pytester, Q4C_I_RIGHT)
    result = pytester.runpytest_inprocess("--sheet", sheet, "--sheet-seed", "7")
    result.assert_outcomes(passed=1)
    assert seeds == [7] and "certifying my.toml with seed 7" in result.stdout.str()


@pytest.mark.parametrize("text, args, message", [
    (None, ["--sheet", "absent.toml"], "absent.toml: no such sheet file"),
    ("[q4c.i\n", [], "bad.toml: malformed TOML"),
    ("[q9]\nvalid = true\n", [], "bad.toml: unknown claim id 'q9'"),
    ("[q4c.i]\nvalid = 'yes'\n", [], "bad.toml: line 2: [q4c.i] valid: expected true or false"),
    (Q4C_I_RIGHT, ["--sheet-only", "q9"], "unknown claim id(s) q9"),
    (Q4C_I_RIGHT, ["--sheet-only", ","], "--sheet-only names no claim id"),
    (Q4C_I_RIGHT, ["--sheet-seed", "-1"], "--sheet-seed: expected a non-negative integer"),
])
def test_bad_input_is_a_usage_error_naming_what_and_where(pytester, text, args, message):
    sheet = ["--sheet", _sheet(pytester, text, "bad")] if text is not None else []
    result = pytester.runpytest_inprocess(*sheet, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str() and "Traceback" not in result.stderr.str()


def test_in_a_project_only_the_sheet_runs_not_its_testpaths_or_their_conftest(pytester):
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\ntestpaths = ["tests"]\n')
    tests = pytester.mkdir("tests")
    (tests / "conftest.py").write_text("def pytest_terminal_summary(terminalreporter):\n"
                                      "    terminalreporter.write_line('PROJECT TABLE')\n")
    (tests / "test_a.py").write_text("def test_a():\n    pass\n")
    sheet = _sheet(pytester, Q4C_I_RIGHT)
    alone = pytester.runpytest_inprocess("--sheet", sheet)
    alone.assert_outcomes(passed=1)
    assert "PROJECT TABLE" not in alone.stdout.str()
    together = pytester.runpytest_inprocess("--sheet", sheet, "tests", "--collect-only", "-q")
    assert _collected(together) == ["my.toml::certify[q4c.i]", "tests/test_a.py::test_a"]
    plain = pytester.runpytest_inprocess()
    plain.assert_outcomes(passed=1)
    assert "PROJECT TABLE" in plain.stdout.str()
