"""Answer sheets: the seed loads; every kind of bad input is one clear UserError."""
import os
from pathlib import Path

import pytest
import sympy as sp

from verify.engine.errors import UserError
from verify.registry import REGISTRY
from verify.engine.sheet import ALL_IDS, MAX_SHEET_BYTES, load, load_text


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


def test_a_path_that_is_not_a_regular_file_is_refused_before_reading(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)  # opening it would block until a writer came: refused by its stat alone
    for path, what in ((fifo, "FIFO"), (tmp_path, "directory"), (Path(os.devnull), "device")):
        with pytest.raises(UserError, match=f"not a regular file .*{what}"):
            load(path, REGISTRY)


def test_a_sheet_over_the_size_cap_is_refused(tmp_path):
    big = tmp_path / "big.toml"
    big.write_text("# padding\n" * (MAX_SHEET_BYTES // 10 + 1))  # a comment-only sheet just over 1 MiB
    with pytest.raises(UserError, match="larger than 1024 KiB"):
        load(big, REGISTRY)
    big.write_text("# padding\n" * (MAX_SHEET_BYTES // 10 - 1))  # just under: a valid empty sheet
    assert load(big, REGISTRY).answers == {}


def test_known_but_unchecked_ids_are_reported_not_rejected():
    older = {i: c for i, c in REGISTRY.items() if i != "q4d.ii"}  # a version without q4d.ii
    sheet = load_text("[q4d.ii]\nanything = 1", "s.toml", older)
    assert sheet.ignored == ("q4d.ii",) and sheet.answers == {}


def test_a_formula_fields_steps_are_parsed_like_the_field():
    sheet = load_text('[q4d.ii]\nalpha = "exp(-beta*(1 - t)/2)"\n'
                      r"alpha_steps = ['exp(-beta/2)*exp(beta*t/2)', '$e^{-\beta(1-t)/2}$']",
                      "s.toml", REGISTRY)
    t, beta = REGISTRY["q4d.ii"].field("alpha").symbols
    steps = sheet.answer("q4d.ii")["alpha_steps"]
    assert steps == (sp.exp(-beta / 2) * sp.exp(beta * t / 2), sp.exp(-beta * (1 - t) / 2))


@pytest.mark.parametrize("steps, message", [
    ("['exp(-beta*t)', 'exp(-']", r"\[q4d.ii\] alpha_steps, step 2 of 2: bad formula 'exp\(-'"),
    ("['exp(-gamma*t)']", r"alpha_steps, step 1 of 1: bad formula .*unknown symbol 'gamma'"),
    ("['exp(-beta*t)', 3]", r"alpha_steps, step 2 of 2: bad formula 3: expected a formula string"),
    ("[]", r"alpha_steps: expected a non-empty list of formulas .*got an empty list"),
    ("'exp(-beta*t)'", r"alpha_steps: expected a non-empty list of formulas .*got a string"),
    (str(["t"] * 101), r"alpha_steps: 101 steps, more than the 100 a chain may have"),
])
def test_bad_steps_name_the_field_and_the_step(steps, message):
    text = f'[q4d.ii]\nalpha = "exp(-beta*t)"\nalpha_steps = {steps}'
    with pytest.raises(UserError, match=message) as info:
        load_text(text, "bad.toml", REGISTRY)
    assert str(info.value).startswith("bad.toml")


def test_steps_need_their_field_and_only_formula_fields_have_steps():
    with pytest.raises(UserError, match=r"alpha_steps: the chain ends in alpha, which the sheet "
                                        "does not state"):
        load_text("[q4d.ii]\nalpha_steps = ['exp(-beta*t)']", "bad.toml", REGISTRY)
    with pytest.raises(UserError, match=r"satisfies_steps: unknown field .*F also takes F_steps"):
        load_text("[q4d.ii]\nsatisfies_steps = ['t']", "bad.toml", REGISTRY)


def test_a_field_error_names_the_line_of_the_field():
    text = "# a sheet\n[q4d.ii]\nsatisfies = false\n\n[q1a]\nholds = true\nc = 'gamma'\n"
    with pytest.raises(UserError, match=r"^s.toml: line 7: \[q1a\] c: bad formula"):
        load_text(text, "s.toml", REGISTRY)
    inline = "q1a = {holds = 'yes'}\n"  # no `key = ` line under a [q1a] header: no line given
    with pytest.raises(UserError, match=r"^s.toml: \[q1a\] holds: expected true or false"):
        load_text(inline, "s.toml", REGISTRY)
