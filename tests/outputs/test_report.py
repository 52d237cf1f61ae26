"""The plain-text explanation of a verdict (what `pytest --sheet` shows for a failed claim)."""
from verify.engine.audit import Result
from verify.engine.claims import Check, Evidence, Role, Verdict
from verify.outputs.report import explanation
from verify.registry import REGISTRY


def _result(checks):
    evidence = Evidence(tuple(checks), "the summary", "the corrected statement")
    return Result(REGISTRY["q4c.i"], Verdict.FLAWED, evidence)


def test_explanation_lists_the_deciding_failed_checks_only_and_the_correction():
    checks = [Check.close(f"part {i}", 1.0 + i, 1.0, rtol=1e-9, role=Role.PART, unit="nats")
              for i in (1, 2, 3)]
    checks += [Check.exact("a finding", False), Check.exact("a met demand", True, role=Role.DEMAND)]
    text = explanation(_result(checks), max_checks=2, more=" (see all)")
    lines = text.splitlines()
    assert lines[0] == f"flawed: {Verdict.FLAWED.value}"
    assert lines[1:4] == ["summary: the summary", "failed checks (3):",
                          "  - [part] part 1: got 2 nats, expected 1 nats (tolerance 1e-09 nats)"]
    assert lines[5:] == ["  ... and 1 more (see all)", "correction: the corrected statement"]
    assert "finding" not in text and "met demand" not in text
    assert "part 3" in explanation(_result(checks))  # no limit: every deciding check
