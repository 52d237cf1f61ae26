"""Answer sheets: the seed loads; every kind of bad input is one clear UserError."""
import pytest

from verify.engine.errors import UserError
from verify.registry import REGISTRY
from verify.engine.sheet import ALL_IDS, load, load_text


def test_seed_sheet_loads_and_answers_every_registered_claim():
    sheet = load(None, REGISTRY)
    assert set(sheet.answers) == set(REGISTRY)
    assert sheet.ignored == ()


def test_registry_ids_are_design_ids_in_homework_order():
    assert list(REGISTRY) == [i for i in ALL_IDS if i in REGISTRY]


@pytest.mark.parametrize("text, message", [
    ("[q4d.ii\nsatisfies = true", "malformed TOML"),
    ("[q9z]\nx = 1", "unknown claim id 'q9z'"),
    ("[q4c.iv]\nvalid = true", "unknown claim id 'q4c.iv'"),
    ("[q4d.ii]\nbogus = 1", r"\[q4d.ii\] bogus: unknown field"),
    ("[q4d.ii]\nsatisfies = 'no'", r"\[q4d.ii\] satisfies: expected true or false"),
    ("[q4d.ii]\nviolated = ['alpha_2']", "expected one of alpha_0"),
    ("[q4d.ii]\nviolated = 'alpha_0'", "expected a list"),
    ("[q4d.ii]\nviolated = ['alpha_0', 'alpha_0']", "listed twice"),
    ("[q4d.ii]\nalpha = 'exp(-gamma*t)'", r"\[q4d.ii\] alpha: bad formula .*unknown symbol 'gamma'"),
    ("[q4d.ii]\nalpha = \"__import__('os').system('touch x')\"", "not an allowed function"),
    ("[q4d.ii]\nalpha = 3", "expected a formula string"),
    ("[q4d.i]\nt_half = 2.0", r"expected a number in \[0.0, 1.0\]"),
    ("[q4d.i]\nt_half = 'soon'", "expected a finite number"),
    ("[q4d.i]\nnote = 3", "expected text"),
    ("q4d = 3", r"\[q4d\]|unknown claim id 'q4d'"),
])
def test_bad_sheets_name_file_claim_and_field(text, message):
    with pytest.raises(UserError, match=message) as info:
        load_text(text, "bad.toml", REGISTRY)
    assert str(info.value).startswith("bad.toml")


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no such sheet file"):
        load(tmp_path / "absent.toml", REGISTRY)


def test_known_but_unchecked_ids_are_reported_not_rejected():
    older = {i: c for i, c in REGISTRY.items() if i != "q4d.ii"}  # a version without q4d.ii
    sheet = load_text("[q4d.ii]\nanything = 1", "s.toml", older)
    assert sheet.ignored == ("q4d.ii",) and sheet.answers == {}


def test_a_field_error_names_the_line_of_the_field():
    text = "# a sheet\n[q4d.ii]\nsatisfies = false\n\n[q1a]\nholds = true\nc = 'gamma'\n"
    with pytest.raises(UserError, match=r"^s.toml: line 7: \[q1a\] c: bad formula"):
        load_text(text, "s.toml", REGISTRY)
    inline = "q1a = {holds = 'yes'}\n"  # no `key = ` line under a [q1a] header: no line given
    with pytest.raises(UserError, match=r"^s.toml: \[q1a\] holds: expected true or false"):
        load_text(inline, "s.toml", REGISTRY)
