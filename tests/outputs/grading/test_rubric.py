"""The rubric: the default gives the homework's points; every malformed rubric is one UserError
naming the file and the key."""
import pytest

from verify.engine.claims import Verdict
from verify.engine.errors import UserError
from verify.outputs.grading.rubric import load_rubric
from verify.registry import REGISTRY

HOMEWORK_POINTS = {  # ../shared/seed/000_4bf9152d11736e15.txt, part by part
    "q1a": 10, "q1b": 20, "q2a.vae": 3, "q2a.gan": 3, "q2a.score_sde": 3, "q2a.rf_gaussian": 3,
    "q2a.rf_samples": 3, "q2b": 3, "q3a": 5, "q3b": 5, "q4a": 5, "q4b": 5, "q4c.i": 4,
    "q4c.ii": 4, "q4c.iii": 4, "q4d.i": 6, "q4d.ii": 4, "q4e.i": 5, "q4e.ii": 5}


def rubric_text(points=None, credit=None, extra=""):
    points = {**HOMEWORK_POINTS, **(points or {})}
    credit = {"correct": 1.0, "flawed": 0.5, "incomplete": 0.5, "incorrect": 0, "unanswered": 0,
              **(credit or {})}
    lines = ["[points]", *(f'"{k}" = {v}' for k, v in points.items() if v is not None),
             "[credit]", *(f"{k} = {v}" for k, v in credit.items() if v is not None)]
    return "\n".join(lines) + "\n" + extra


def test_the_default_rubric_has_the_homework_points_in_registry_order():
    rubric = load_rubric(None, REGISTRY)
    assert list(rubric.points) == list(REGISTRY)
    assert rubric.points == HOMEWORK_POINTS and rubric.max_score == 100  # 30 + 18 + 10 + 42
    assert list(rubric.credit) == [v.word for v in Verdict]


def test_a_score_is_points_times_credit_summed(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(rubric_text(credit={"flawed": 0.25}))
    rubric = load_rubric(path, REGISTRY)
    verdicts = {"q1a": Verdict.FLAWED, "q1b": Verdict.CORRECT, "q4c.i": Verdict.INCORRECT}
    assert rubric.score(verdicts) == 10 * 0.25 + 20 + 0


def test_dotted_keys_work_as_nested_tables(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(rubric_text().replace('"q4e.ii" = 5', "q4e.ii = 7"))
    assert load_rubric(path, REGISTRY).points["q4e.ii"] == 7


@pytest.mark.parametrize("text, message", [
    (rubric_text(points={"q9": 1}), r"\[points\] q9: unknown claim id"),
    (rubric_text(credit={"partial": 0.5}), r"\[credit\] partial: unknown verdict word"),
    (rubric_text(points={"q1a": -1}), r"\[points\] q1a: expected a non-negative number"),
    (rubric_text(credit={"flawed": 1.5}), r"\[credit\] flawed: expected a number in \[0, 1\]"),
    (rubric_text(credit={"flawed": -0.1}), r"\[credit\] flawed: expected a number in \[0, 1\]"),
    (rubric_text(credit={"correct": "true"}), r"\[credit\] correct: expected a finite number"),
    (rubric_text(points={"q1a": "nan"}), r"\[points\] q1a: expected a finite number"),
    (rubric_text(points={"q4e.ii": None}), r"\[points\] has no value for q4e.ii"),
    (rubric_text(credit={"unanswered": None}), r"\[credit\] has no value for unanswered"),
    (rubric_text(extra="[bonus]\nx = 1\n"), r"unknown table \[bonus\]"),
    ("[points\n", "malformed TOML"),
])
def test_a_malformed_rubric_names_the_file_and_the_key(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(UserError, match=rf"^{path}: .*{message}"):
        load_rubric(path, REGISTRY)


def test_a_missing_rubric_file(tmp_path):
    with pytest.raises(UserError, match="no such rubric file"):
        load_rubric(tmp_path / "absent.toml", REGISTRY)


def test_a_rubric_path_that_is_a_device_is_refused_before_reading():
    with pytest.raises(UserError, match="/dev/zero: not a regular file"):  # would read forever
        load_rubric("/dev/zero", REGISTRY)
