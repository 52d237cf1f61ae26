"""The Auditor: truth once per claim, and each (claim, answer) judged once whatever the sheet's note."""
from verify.engine.audit import Auditor
from verify.engine.claims import Check, Claim, Evidence, Field, Role, Truth, Verdict
from verify.engine.sheet import load_text


def counting_claim(calls: list) -> Claim:
    """A claim whose truth is `yes = true` and whose judge records every answer it is given."""
    def judge(answer, truth):
        calls.append(dict(answer))
        check = Check.conclusion("yes", answer.get("yes"), truth.facts["yes"])
        return Evidence((check,), f"answer {answer.get('yes')}")

    return Claim("q4b", "a stub", (Field("yes", "bool", "yes or no"),),
                 lambda *, rng: Truth((), {"yes": True}), judge)


def test_the_same_answer_is_judged_once_and_the_note_never_reaches_the_judge():
    calls = []
    claim = counting_claim(calls)
    registry, auditor = {"q4b": claim}, Auditor(0)
    sheets = [load_text(text, f"s{i}", registry) for i, text in enumerate([
        "[q4b]\nyes = true\nnote = 'first'\n", "[q4b]\nnote = 'second'\nyes = true\n",
        "[q4b]\nyes = false\n"])]
    results = [auditor.judge(claim, s) for s in sheets]
    assert calls == [{"yes": True}, {"yes": False}]
    assert [r.verdict for r in results] == [Verdict.CORRECT, Verdict.CORRECT, Verdict.INCORRECT]
    assert [r.note for r in results] == ["first", "second", ""]
    assert results[0].evidence is results[1].evidence


def test_an_answer_with_only_a_note_is_unanswered():
    calls = []
    claim = counting_claim(calls)
    sheet = load_text("[q4b]\nnote = 'skipped'\n", "s", {"q4b": claim})
    result = Auditor(0).judge(claim, sheet)
    assert result.verdict is Verdict.UNANSWERED and calls == [{}]
    assert result.evidence.checks[0].role is Role.DEMAND
