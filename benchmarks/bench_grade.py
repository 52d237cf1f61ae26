"""Grading a class against auditing one sheet, in one run (not a test).

    python benchmarks/bench_grade.py [--sheets 200] [--runs 1] [--seed 0]

Writes `--sheets` sheets made from the seed's by a seeded Generator (bools flipped, other choices
and tags picked, formulas swapped for known right or wrong variants, fields and claims left out),
then times `python -m verify grade DIR` and `python -m verify audit --json` (the seed's sheet),
each a fresh process with the default --jobs. Target (issue 16): grading 200 sheets costs less
than 3x one audit. Then, in this process, where the grading time goes: the truths (once), judging
per sheet, writing the gradebook, feedback and figure.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from verify.engine.audit import Auditor
from verify.engine.parallel import default_jobs
from verify.engine.sheet import load
from verify.outputs.grading.figure import grade_figure
from verify.outputs.grading.gradebook import write_gradebook
from verify.outputs.grading.grades import class_sheets, grade_class
from verify.outputs.grading.rubric import load_rubric
from verify.outputs.template import template
from verify.registry import REGISTRY

# Formulas a student might write instead of the seed's, right or wrong (the judge decides which).
FORMULAS = {
    ("q1a", "c"): ["-E_tr_var/2", "(E_marg_sq - E_cond_sq)/2", "E_tr_var/2", "E_marg_sq"],
    ("q1b", "kl_gaussian"): ["d/2*(sigma_j**2/sigma_0**2 - 1 - log(sigma_j**2/sigma_0**2))",
                             "d/2*(sigma_j**2/sigma_0**2 - 1 + log(sigma_j**2/sigma_0**2))",
                             "(sigma_j**2/sigma_0**2 - 1 - log(sigma_j**2/sigma_0**2))/2"],
    ("q2a.score_sde", "log_likelihood"): ["log_pT - int_beta_div_s/2",
                                          "log_pT - int_beta_div_s/2 - d*int_beta/2",
                                          "log_pT + int_beta_div_s/2 + d*int_beta/2"],
    ("q2a.rf_gaussian", "log_likelihood"): ["log_p0 + int_div_v", "log_p0 - int_div_v"],
    ("q4a", "mle_loss"): ["E_log_p_model", "-E_log_p_model", "E_log_q - E_log_p_model"],
    ("q4c.ii", "conditional_vf"): ["x1 - x", "(x1 - x)/(1 - t)"],
    ("q4c.ii", "marginal_vf"): ["m - x", "(m*(1 - t) + (s**2*t + t - 1)*x)/(s**2*t**2 + (1 - t)**2)",
                                "m*t - x"],
    ("q4d.ii", "alpha"): ["exp(-beta*(1 - t)/2)", "exp(-beta*t/2)"],
    ("q4d.ii", "sigma"): ["1 - exp(-beta*(1 - t))", "sqrt(1 - exp(-beta*(1 - t)))"],
    ("q4e.i", "bridge_variance"): ["2*epsilon*t*(1-t)", "epsilon*t*(1 - t)", "2*epsilon*t"],
}
NUMBERS = {("q3a", "t0"): [0.2, 0.5, 0.8, "T"], ("q4d.i", "t_half"): [0.5, 0.99768, 0.9]}


def _vary(claim_id: str, spec, value, rng: np.random.Generator):
    """One field of a generated sheet: the seed's `value` (None: not stated) or a variant."""
    if (claim_id, spec.name) in FORMULAS:
        return str(rng.choice(FORMULAS[claim_id, spec.name])) if rng.random() < 0.8 else value
    if (claim_id, spec.name) in NUMBERS:
        options = NUMBERS[claim_id, spec.name]
        return options[rng.integers(len(options))] if rng.random() < 0.5 else value
    if spec.kind == "bool":
        return bool(rng.random() < 0.5) if rng.random() < 0.4 else value
    if spec.kind == "choice":
        return str(rng.choice(spec.choices)) if rng.random() < 0.4 else value
    if spec.kind == "choices":
        picked = rng.random(len(spec.choices)) < 0.6
        return [c for c, p in zip(spec.choices, picked) if p] if rng.random() < 0.4 else value
    return value


def generated_sheet(seed_raw, rng: np.random.Generator) -> dict:
    """{claim id: {field: TOML value}}: the seed's answers varied field by field."""
    sheet = {}
    for claim in REGISTRY.values():
        if rng.random() < 0.05:  # a claim left out
            continue
        fields = {}
        for spec in claim.fields:
            value = _vary(claim.id, spec, seed_raw.get(claim.id, {}).get(spec.name), rng)
            if value is not None and rng.random() >= 0.1:  # a field left out
                fields[spec.name] = value
        sheet[claim.id] = fields
    return sheet


def write_class(folder: Path, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    seed_raw = load(None, REGISTRY).raw
    for i in range(n):
        (folder / f"student{i:03d}.toml").write_text(template(REGISTRY.values(),
                                                              generated_sheet(seed_raw, rng)))


def seconds(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 1):  # 1: grade skipped a broken sheet (none are generated)
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr}")
    return time.perf_counter() - start


def fresh(truths: Auditor) -> Auditor:
    """An Auditor with the truths of `truths` and no judgement kept yet."""
    auditor = Auditor(0)
    auditor.adopt({c.truth_id: truths.truth(c) for c in REGISTRY.values()})
    return auditor


def cold_judging(sheets: list[Path], truths: Auditor) -> None:
    """Judging without repeated answers: each sheet by an Auditor that has judged nothing yet."""
    start = time.perf_counter()
    for path in sheets:
        auditor, sheet = fresh(truths), load(path, REGISTRY)
        for claim in REGISTRY.values():
            auditor.judge(claim, sheet)
    cost = (time.perf_counter() - start) / len(sheets)
    keys = {(c.id, tuple(sorted((k, str(v)) for k, v in s.answer(c.id).items() if k != "note")))
            for s in (load(p, REGISTRY) for p in class_sheets(sheets[0].parent))
            for c in REGISTRY.values()}
    print(f"  judging one sheet with nothing kept: {cost * 1e3:.0f} ms (mean of {len(sheets)}); "
          f"the class holds {len(keys)} distinct (claim, answer) pairs")


def breakdown(folder: Path, out: Path) -> None:
    """Where the grading time goes, in this process (default --jobs)."""
    jobs, truths, rubric = default_jobs(), Auditor(0), load_rubric(None, REGISTRY)
    start = time.perf_counter()
    truths.prefetch(REGISTRY.values(), jobs)
    seconds_truths = time.perf_counter() - start
    sheets = class_sheets(folder)
    for j in sorted({1, jobs}):
        start = time.perf_counter()
        grades = grade_class(sheets, REGISTRY, fresh(truths), rubric, jobs=j)
        judged = time.perf_counter() - start
        print(f"  judging {len(sheets)} sheets, --jobs {j}: {judged:6.2f} s "
              f"({judged / len(sheets) * 1e3:.0f} ms per sheet)")
    cold_judging(sheets[:20], truths)
    start = time.perf_counter()
    write_gradebook(grades, rubric, 0, out)
    grade_figure(grades, rubric, out)
    print(f"  truths (once, --jobs {jobs}): {seconds_truths:6.2f} s; gradebook + feedback + figure: "
          f"{time.perf_counter() - start:.2f} s")
    words = [w for g in grades for w in g.verdicts.values()]
    print("  verdicts over the class: " + ", ".join(f"{w} {words.count(w)}" for w in sorted(set(words))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "class").mkdir()
        write_class(tmp / "class", args.sheets, args.seed)
        grade, audit = [], []
        for _ in range(args.runs):
            audit.append(seconds([sys.executable, "-m", "verify", "audit", "--json", "-q"], tmp))
            grade.append(seconds([sys.executable, "-m", "verify", "grade", "class", "-q",
                                  "--out", "grades"], tmp))
        a, g = statistics.median(audit), statistics.median(grade)
        print(f"audit --json (seed sheet)        median {a:6.2f} s")
        print(f"grade ({args.sheets} sheets)             median {g:6.2f} s")
        print(f"ratio {g / a:.2f} (target < 3), over {args.runs} run(s), --jobs {default_jobs()}")
        breakdown(tmp / "class", tmp / "in_process")


if __name__ == "__main__":
    main()
