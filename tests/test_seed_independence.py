"""No verdict depends on the random seed: every claim, judged on seeds 0 and 1.

Two sheets: the seed's answers, and their opposite (every yes/no flipped, every choice moved to
another option), so both branches of each judgement meet a second seed's numbers.
"""
from verify.engine.audit import Auditor
from verify.registry import REGISTRY
from verify.engine.sheet import Sheet, load


def opposite(sheet: Sheet) -> Sheet:
    answers = {}
    for claim_id, answer in sheet.answers.items():
        claim, flipped = REGISTRY[claim_id], {}
        for name, value in answer.items():
            spec = claim.field(name)
            if spec is not None and spec.kind == "bool":
                flipped[name] = not value
            elif spec is not None and spec.kind == "choice":
                flipped[name] = next(c for c in spec.choices if c != value)
        answers[claim_id] = flipped
    return Sheet("opposite of the seed", answers)


def verdicts(auditor: Auditor, sheet: Sheet) -> dict[str, str]:
    return {r.claim.id: r.verdict.word for r in auditor.audit(sheet, REGISTRY.values())}


def test_every_verdict_is_the_same_under_seeds_0_and_1(auditor):
    other = Auditor(seed=1)  # recomputes every truth once with other random numbers
    seed_sheet = load(None, REGISTRY)
    for sheet in (seed_sheet, opposite(seed_sheet)):
        assert verdicts(other, sheet) == verdicts(auditor, sheet), sheet.name
