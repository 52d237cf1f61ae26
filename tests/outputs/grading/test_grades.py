"""Grading a class: gradebook columns and content, broken sheets skipped, exit statuses, the same
bytes for every --jobs, the feedback files and the figure."""
import csv
import json
from pathlib import Path

import pytest

from verify.cli import main
from verify.engine.claims import Verdict
from verify.engine.sheet import load
from verify.outputs.grading.rubric import load_rubric
from verify.registry import REGISTRY

SEED = Path("verify/answers/seed.toml")
BOB = """\
[q4c.i]
valid = true
checked = ["alpha_0", "alpha_1", "sigma_1", "alpha_increasing", "sigma_decreasing"]
[q4d.ii]
satisfies = true
"""
BROKEN = """\
[q4d.ii]
satisfies = false

[q1a]
c = "-E_tr_var/2 + gamma"
"""


@pytest.fixture
def class_dir(tmp_path):
    """Three good sheets (the seed's, two cheap ones) and a broken one; not a sheet: notes.txt."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice.toml").write_text(SEED.read_text())
    (folder / "bob.toml").write_text(BOB)
    (folder / "carol.toml").write_text("[q4e.ii]\nnote = 'no time left'\n")
    (folder / "dave.toml").write_text(BROKEN)
    (folder / "notes.txt").write_text("not a sheet")
    return folder


@pytest.fixture
def grade(monkeypatch, auditor, capsys):
    """`python -m verify grade` in this process with the session's truths: (exit status, stdout,
    stderr)."""
    monkeypatch.setattr("verify.cli.Auditor", lambda *args, **kwargs: auditor)

    def run(*args):
        status = main(["grade", *map(str, args)])
        out, err = capsys.readouterr()
        return status, out, err
    return run


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_the_gradebook_has_a_row_per_sheet_and_a_verdict_per_claim(class_dir, tmp_path, grade,
                                                                  auditor):
    status, out, err = grade(class_dir, "--out", tmp_path / "g", "--jobs", "1", "-q")
    assert status == 1  # dave's sheet is broken: reported, skipped, the others graded
    assert "skipped: " in err and "dave.toml: line 5: [q1a] c: bad formula" in err
    rows = read_csv(tmp_path / "g" / "gradebook.csv")
    assert list(rows[0]) == ["sheet", "status", "score", "max_score", *REGISTRY]
    assert [r["sheet"] for r in rows] == ["alice.toml", "bob.toml", "carol.toml", "dave.toml"]
    alice, bob, carol, dave = rows
    seed_verdicts = {r.claim.id: r.verdict.word
                     for r in auditor.audit(load(SEED, REGISTRY), REGISTRY.values())}
    assert {i: alice[i] for i in REGISTRY} == seed_verdicts
    rubric = load_rubric(None, REGISTRY)
    expected = sum(rubric.points[i] * rubric.credit[w] for i, w in seed_verdicts.items())
    assert float(alice["score"]) == pytest.approx(expected, rel=1e-12)  # float sums: eps-level
    # bob: 4(c)i right with all five conditions (its 4 points), 4(d)ii wrong, the rest unanswered
    assert (bob["q4c.i"], bob["q4d.ii"], bob["score"]) == ("correct", "incorrect", "4")
    assert {bob[i] for i in REGISTRY if i not in ("q4c.i", "q4d.ii")} == {"unanswered"}
    assert carol["score"] == "0" and {carol[i] for i in REGISTRY} == {"unanswered"}  # a note only
    assert (dave["status"], dave["score"], dave["max_score"]) == ("error", "", "100")
    assert all(dave[i] == "" for i in REGISTRY)


def test_the_json_gradebook_holds_the_same_rows_and_the_error_message(class_dir, tmp_path, grade):
    grade(class_dir, "--out", tmp_path, "-q", "--jobs", "1")
    book = json.loads((tmp_path / "gradebook.json").read_text())
    assert list(book) == ["rubric", "seed", "points", "credit", "max_score", "sheets"]
    csv_rows = read_csv(tmp_path / "gradebook.csv")
    for row, json_row in zip(csv_rows, book["sheets"]):
        assert list(json_row) == [*row, "error"]
        assert json_row["sheet"] == row["sheet"] and json_row["status"] == row["status"]
        assert all((json_row[i] or "") == row[i] for i in REGISTRY)
    dave = book["sheets"][3]
    assert dave["score"] is None and "[q1a] c: bad formula" in dave["error"]
    assert book["sheets"][0]["error"] is None


def test_one_feedback_file_per_sheet(class_dir, tmp_path, grade):
    grade(class_dir, "--out", tmp_path, "-q", "--jobs", "1")
    files = sorted(p.name for p in (tmp_path / "feedback").iterdir())
    assert files == ["alice.md", "bob.md", "carol.md", "dave.md"]
    bob = (tmp_path / "feedback" / "bob.md").read_text()
    assert "Score: **4 / 100**" in bob and "## `q4d.ii`: incorrect (0 / 4 points)" in bob
    assert "- correction: " in bob and "| `q4c.i` | **correct** | 4 / 4 |" in bob
    assert "could not be graded" in (tmp_path / "feedback" / "dave.md").read_text()


def test_jobs_1_and_2_write_the_same_bytes(class_dir, tmp_path, grade):
    for jobs in ("1", "2"):
        grade(class_dir, "--out", tmp_path / jobs, "-q", "--jobs", jobs)
    written = sorted(p.relative_to(tmp_path / "1") for p in (tmp_path / "1").rglob("*") if p.is_file())
    assert len(written) == 2 + 4 + 2  # gradebooks, feedback, the figure as PDF and PNG
    for name in written:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_the_figure_is_written_without_timestamps(class_dir, tmp_path, grade):
    status, out, err = grade(class_dir, "--out", tmp_path, "-q", "--jobs", "1")
    for ext in ("pdf", "png"):
        data = (tmp_path / f"grades.{ext}").read_bytes()
        assert len(data) > 1000 and b"CreationDate" not in data and b"Software" not in data
    assert str(tmp_path / "grades.pdf") in out.splitlines()


def test_every_sheet_graded_is_exit_0_with_progress_lines(class_dir, tmp_path, grade):
    (class_dir / "dave.toml").unlink()
    status, out, err = grade(class_dir, "--out", tmp_path, "--jobs", "1")
    assert status == 0
    assert "graded 3/3: carol.toml (ok)" in err and "graded 3 of 3 sheets" in err


def a_file(folder):
    (folder / "one.toml").write_text("")
    return folder / "one.toml"


@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / "absent", "no such folder"),
    (a_file, "not a folder"),
    (lambda tmp: tmp, "no *.toml sheet"),
])
def test_a_missing_or_empty_class_folder_is_exit_2(tmp_path, grade, make, message):
    status, out, err = grade(make(tmp_path), "--out", tmp_path / "g")
    assert status == 2 and err.count("\n") == 1 and message in err


def test_a_bad_rubric_is_exit_2_before_any_work(class_dir, tmp_path, grade):
    rubric = tmp_path / "rubric.toml"
    rubric.write_text("[points]\nq9 = 1\n[credit]\n")
    status, out, err = grade(class_dir, "--rubric", rubric, "--out", tmp_path / "g")
    assert status == 2 and f"{rubric}: [points] q9: unknown claim id" in err
    assert not (tmp_path / "g").exists()


def test_a_bad_jobs_is_a_usage_error(class_dir, capsys):
    with pytest.raises(SystemExit) as info:
        main(["grade", str(class_dir), "--jobs", "0"])
    assert info.value.code == 2 and "positive integer" in capsys.readouterr().err


def test_a_large_class_figure_and_the_terminal_progress_bar(tmp_path):
    import io

    from verify.outputs.grading.figure import grade_figure
    from verify.outputs.grading.grades import SheetGrade
    from verify.outputs.grading.progress import SheetProgress

    words = [v.word for v in Verdict]
    grades = [SheetGrade(f"s{i:02d}.toml", "ok", float(i), {c: words[(i + j) % len(words)]
                                                             for j, c in enumerate(REGISTRY)}, "", "")
              for i in range(40)]  # more sheets than get a name on the axis
    paths = grade_figure(grades, load_rubric(None, REGISTRY), tmp_path)
    assert [p.name for p in paths] == ["grades.pdf", "grades.png"]

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = SheetProgress(2, stream)
    for g in grades[:2]:
        progress(g)
    assert stream.getvalue().endswith(f"\rgrading [{'#' * 30}] 2/2\n")
    assert "\rgrading [" + "#" * 15 + "-" * 15 + "] 1/2" in stream.getvalue()
