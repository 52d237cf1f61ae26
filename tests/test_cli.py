"""The command line as a user meets it: exit codes, one-line errors, deterministic JSON."""
import json
import subprocess
import sys

import pytest

from verify.cli import main
from verify.registry import REGISTRY


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "verify", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_json_report_has_the_contract_shape_and_is_byte_stable(capsys, monkeypatch, auditor):
    assert main(["audit", "--json", "-q"]) == 0  # a fresh Auditor: every truth recomputed
    first = capsys.readouterr().out
    monkeypatch.setattr("verify.cli.Auditor", lambda *args, **kwargs: auditor)
    assert main(["audit", "--json", "-q"]) == 0  # the session's truths, computed independently
    # byte-identical by construction: this process and its forked workers share one BLAS (kernel,
    # thread count), and each truth is computed whole in one process from the seed
    assert capsys.readouterr().out == first
    report = json.loads(first)
    assert list(report) == ["sheet", "seed", "claims", "counts"]
    assert [c["id"] for c in report["claims"]] == list(REGISTRY)
    for claim in report["claims"]:
        assert list(claim) == ["id", "verdict", "summary", "correction", "checks", "figures"]
        assert claim["checks"], f"{claim['id']} has no checks"
    assert sum(report["counts"].values()) == len(REGISTRY)


def test_only_and_markdown(capsys):
    assert main(["audit", "--only", "q4d.ii", "--format", "md", "-q"]) == 0
    out = capsys.readouterr().out
    assert "## `q4d.ii`" in out and "q4c.i`" not in out


def test_strict_exits_1_when_a_verdict_is_not_correct(tmp_path, capsys):
    sheet = tmp_path / "wrong.toml"
    sheet.write_text("[q4d.ii]\nsatisfies = true\n")
    assert main(["audit", str(sheet), "--only", "q4d.ii", "--strict", "-q"]) == 1
    assert "incorrect" in capsys.readouterr().out
    assert main(["audit", str(sheet), "--only", "q4d.ii", "-q"]) == 0


@pytest.mark.parametrize("args, message", [
    (["audit", "absent.toml"], "no such sheet file"),
    (["audit", "/dev/zero"], "/dev/zero: not a regular file"),
    (["audit", "--only", "q9"], "unknown claim id(s) q9"),
    (["audit", "--only", ""], "--only names no claim id"),
    (["figures", "--out", "/proc/no/such/dir"], "cannot write to /proc/no/such/dir"),
])
def test_bad_input_exits_2_with_one_line(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


@pytest.mark.parametrize("option, message", [("--seed=-1", "non-negative integer"),
                                             ("--jobs=0", "positive integer"),
                                             ("--jobs=two", "positive integer")])
def test_a_bad_seed_or_jobs_is_a_usage_error(option, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(["audit", option])
    assert info.value.code == 2 and message in capsys.readouterr().err


def test_an_out_of_range_number_and_an_empty_sheet(tmp_path, capsys):
    huge = tmp_path / "huge.toml"
    huge.write_text("[q4d.i]\nt_half = " + "9" * 400 + "\n")
    assert main(["audit", str(huge), "-q"]) == 2
    assert "[q4d.i] t_half" in capsys.readouterr().err
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    assert main(["audit", str(empty), "--only", "q4c.i", "-q"]) == 0
    assert "answers no claim" in capsys.readouterr().err


def test_code_in_a_sheet_is_refused_and_not_run(tmp_path):
    sheet = tmp_path / "evil.toml"
    sheet.write_text("[q4d.ii]\nalpha = \"__import__('os').system('touch pwned')\"\n")
    proc = run("audit", str(sheet), cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "[q4d.ii] alpha" in proc.stderr
    assert not (tmp_path / "pwned").exists()


def test_ctrl_c_is_one_line_and_exit_130(monkeypatch, capsys):
    import verify.cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(verify.cli, "_list", interrupted)
    assert main(["list"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_help_and_list(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0 and "exit status" in capsys.readouterr().out
    assert main(["list"]) == 0
    assert "q4d.ii" in capsys.readouterr().out


def test_no_arguments_audits_the_seed_and_asks_for_every_figure(monkeypatch, capsys, auditor):
    import verify.cli
    import verify.outputs.figures

    requested = []
    monkeypatch.setattr(verify.cli, "Auditor", lambda *args, **kwargs: auditor)  # reuse truths
    monkeypatch.setattr(verify.outputs.figures, "write",
                        lambda names, out_dir, aud, **options: requested.extend(names) or [])
    assert main([]) == 0
    out = capsys.readouterr().out
    assert all(claim_id in out for claim_id in REGISTRY)
    assert set(requested) == {n for c in REGISTRY.values() for n in c.figures}
