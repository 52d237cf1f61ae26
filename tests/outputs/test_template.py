"""The sheet template: every claim and field, audits as all unanswered, and made `--from` a sheet it
gives that sheet's verdicts."""
import dataclasses
import json
import sys

import pytest

from verify.cli import main
from verify.engine.claims import Field, Verdict
from verify.engine.sheet import load, load_text
from verify.outputs.report import as_json
from verify.outputs.template import template, toml_value
from verify.registry import REGISTRY

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


@pytest.fixture
def session_truths(monkeypatch, auditor):
    """`main` audits with the session's truths instead of recomputing them."""
    monkeypatch.setattr("verify.cli.Auditor", lambda *args, **kwargs: auditor)
    return auditor


def test_every_claim_and_field_is_listed_with_its_type():
    text = template(REGISTRY.values())
    for claim in REGISTRY.values():
        assert f"\n[{claim.id}]\n" in text
        for spec in claim.fields:
            assert f"\n# {spec.name}: " in text and f"\n# {spec.name} =\n" in text, (claim.id, spec)
            assert all(s.name in text for s in spec.symbols) and all(c in text for c in spec.choices)


def test_the_empty_template_audits_as_all_unanswered(tmp_path, capsys, session_truths):
    sheet = tmp_path / "blank.toml"
    assert main(["template", "--out", str(sheet)]) == 0
    assert main(["audit", str(sheet), "--json", "-q"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in report["claims"]] == list(REGISTRY)
    assert report["counts"] == {v.word: len(REGISTRY) * (v is Verdict.UNANSWERED) for v in Verdict}


def test_from_the_seed_sheet_gives_the_seed_verdicts(tmp_path, capsys, session_truths):
    made = tmp_path / "made.toml"
    assert main(["template", "--from", "verify/answers/seed.toml", "--out", str(made)]) == 0
    seed, again = load(None, REGISTRY), load(made, REGISTRY)
    assert again.raw == seed.raw  # every value written back as the same TOML value
    reports = [json.loads(as_json("sheet", 0, session_truths.audit(s, REGISTRY.values())))
               for s in (seed, again)]
    assert reports[0] == reports[1]


def test_out_refuses_to_overwrite_unless_forced(tmp_path, capsys):
    out = tmp_path / "sheet.toml"
    out.write_text("# mine\n")
    assert main(["template", "--out", str(out)]) == 2
    assert "file exists" in capsys.readouterr().err and out.read_text() == "# mine\n"
    assert main(["template", "--out", str(out), "--force", "--only", "q4d.ii"]) == 0
    text = out.read_text()
    assert "[q4d.ii]" in text and "[q4c.i]" not in text


def test_stdout_by_default_and_a_bad_only_is_exit_2(capsys):
    assert main(["template", "--only", "q4c.i"]) == 0
    assert "[q4c.i]" in capsys.readouterr().out
    assert main(["template", "--only", "q9"]) == 2
    assert "unknown claim id(s) q9" in capsys.readouterr().err


def test_a_field_added_to_a_claim_appears_in_the_template():
    claim = REGISTRY["q3a"]
    extra = Field("confidence", "number", "how sure the answer is", number_range=(0.0, 1.0))
    grown = dataclasses.replace(claim, fields=claim.fields + (extra,))
    text = template([grown], {"q3a": {"confidence": 0.25}})
    assert "# confidence: a number in [0, 1]" in text and "\nconfidence = 0.25\n" in text
    assert load_text(text, "grown", {"q3a": grown}).answer("q3a")["confidence"] == 0.25


@pytest.mark.parametrize("value", [True, False, 3, 1e-05, 0.1, "x1 - x", 'say "hi"\n',
                                   r"$e^{-\frac{1}{2}\beta(1 - t)}$", r"it's \beta", "σ²",
                                   ["alpha_0", "sigma_1"], []])
def test_values_are_written_back_as_the_same_toml_value(value):
    assert tomllib.loads(f"v = {toml_value(value)}")["v"] == value


def test_a_derivation_chain_is_offered_and_kept_from_a_sheet(tmp_path, capsys, session_truths):
    assert "\n# kl_gaussian_steps =\n" in template([REGISTRY["q1b"]])
    sheet = tmp_path / "chain.toml"
    sheet.write_text("[q1b]\nagree = true\nkl_gaussian = 'd/2*(sigma_j**2/sigma_0**2 - 1 - "
                     "log(sigma_j**2/sigma_0**2))'\nkl_gaussian_steps = ['d/2*(sigma_j**2/sigma_0**2"
                     " - 1) - d*log(sigma_j/sigma_0)']\n")
    made = tmp_path / "made.toml"
    assert main(["template", "--from", str(sheet), "--only", "q1b", "--out", str(made)]) == 0
    before, after = load(sheet, REGISTRY), load(made, REGISTRY)
    assert after.raw == before.raw and "kl_gaussian_steps" in after.answer("q1b")
    verdicts = [session_truths.judge(REGISTRY["q1b"], s).verdict for s in (before, after)]
    assert verdicts == [Verdict.CORRECT] * 2
