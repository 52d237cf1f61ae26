"""Command line: `python -m verify [audit|grade|template|list|figures|report] ...`; results on stdout, progress on stderr.

Exit status: 0 the audit ran; 1 with --strict when a verdict is not `correct`; 2 bad input;
3 the suite's own reference computation failed its accuracy control.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from .engine.audit import Auditor, select, stderr_progress
from .engine.claims import ReferenceFailure, Verdict
from .engine.errors import UserError
from .engine.parallel import default_jobs
from .outputs.report import FIGURE_DIR, as_json, markdown, table

__all__ = ["main"]

DESCRIPTION = """\
Certify (or refute) the answers of the DGM homework 2 with symbolic derivations and numerical
experiments. With no command: audit the seed's answers and write every figure into figures/."""

EPILOG = """\
examples:
  python -m verify                          audit the seed's sheet, write figures/
  python -m verify audit sheet.toml --json  audit a student's sheet, JSON report on stdout
  python -m verify audit --only q4d.ii,q4c.i --format md
  python -m verify list                     claim ids and what each checks
  python -m verify report --pdf             LaTeX report (report/report.tex, report.pdf)
  python -m verify template --out s.toml    an empty sheet to fill in (every claim and field)
  python -m verify grade class/             grade every class/*.toml into grades/
exit status: 0 ran, 1 --strict and some verdict not correct (grade: some sheet broken), 2 bad
input, 3 reference failure,
130 interrupted (Ctrl-C)"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m verify", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="{audit,grade,template,list,figures,report}")
    audit = sub.add_parser("audit", help="audit an answer sheet (default: the seed's)",
                           description="Audit an answer sheet: one verdict with evidence per claim.")
    audit.add_argument("sheet", nargs="?", help="TOML answer sheet (default: the seed's answers)")
    fmt = audit.add_mutually_exclusive_group()
    fmt.add_argument("--format", choices=("table", "md", "json"), default="table",
                     help="report format (default: table)")
    fmt.add_argument("--json", dest="format", action="store_const", const="json",
                     help="same as --format json")
    audit.add_argument("--only", metavar="ID,...", help="comma-separated claim ids to audit")
    audit.add_argument("--strict", action="store_true",
                       help="exit 1 when any verdict is not 'correct'")
    _common(audit)
    _grade_parser(sub)
    _template_parser(sub)
    sub.add_parser("list", help="list the claim ids and what each checks",
                   description="List the implemented claim ids and what each checks.")
    figures = sub.add_parser("figures", help="write every figure (PDF and PNG)",
                             description="Write every figure as PDF and PNG.")
    figures.add_argument("--out", default=FIGURE_DIR, help=f"output folder (default: {FIGURE_DIR})")
    _common(figures)
    report = sub.add_parser("report", help="write the LaTeX report (and compile it with --pdf)",
                            description="Write DIR/report.tex and the figures it includes; with "
                                        "--pdf also run latexmk -pdf (needs TeX).")
    report.add_argument("sheet", nargs="?", help="TOML answer sheet (default: the seed's answers)")
    report.add_argument("--out", default="report", help="output folder (default: report)")
    report.add_argument("--pdf", action="store_true", help="also compile DIR/report.pdf with latexmk")
    _common(report)
    return parser


GRADE_EPILOG = """\
example:
  python -m verify grade class/ --out grades --jobs 2
      grades/gradebook.csv, grades/gradebook.json, grades/feedback/<sheet>.md,
      grades/grades.pdf and grades/grades.png
rubric: TOML, [points] claim id = points (>= 0, every claim) and [credit] verdict word = fraction in
[0, 1] (every verdict word); the default is verify/answers/rubric.toml (the homework's points).
exit status: 0 every sheet graded, 1 some sheet broken (reported and skipped), 2 bad input (DIR
missing or without *.toml, bad rubric, bad --jobs)"""


def _with_epilog(sub, name: str, help: str, description: str, epilog: str):
    """A subcommand whose epilog (examples) keeps its line breaks."""
    return sub.add_parser(name, help=help, description=description, epilog=epilog,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def _grade_parser(sub) -> None:
    grade = _with_epilog(
        sub, "grade", "grade a folder of sheets (gradebook, feedback, figure)",
        "Grade every *.toml sheet in DIR on every claim: the truths are computed once, then the "
        "sheets are judged in --jobs workers and scored by the rubric (points per claim x credit "
        "per verdict). A broken sheet is reported and skipped.", GRADE_EPILOG)
    grade.add_argument("dir", metavar="DIR", help="folder of TOML answer sheets, one per student")
    grade.add_argument("--out", default="grades", help="output folder (default: grades)")
    grade.add_argument("--rubric", metavar="FILE",
                       help="TOML rubric (default: the homework's points, verify/answers/rubric.toml)")
    _common(grade)


def _template_parser(sub) -> None:
    template = _with_epilog(
        sub, "template", "write an answer sheet to fill in",
        "Write a TOML answer sheet to fill in: every claim's table with each field's type, choices "
        "and formula symbols as comments, values commented out (so it audits as all "
        "'unanswered'). With --from, the given sheet's values are filled in.",
        "examples:\n  python -m verify template --out alice.toml\n"
        "  python -m verify template --from old.toml --only q4c.ii")
    template.add_argument("--out", metavar="FILE", help="write FILE instead of stdout")
    template.add_argument("--force", action="store_true", help="overwrite an existing --out FILE")
    template.add_argument("--only", metavar="ID,...", help="comma-separated claim ids to include")
    template.add_argument("--from", dest="from_sheet", metavar="SHEET",
                          help="prefill with the values of this sheet")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=_seed, default=0, help="random seed of every check (default 0)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--jobs", type=_jobs, default=default_jobs(), metavar="N",
                        help="worker processes for truths, figures, sheets (default: the CPUs usable, "
                             f"here {default_jobs()}; 1 = all in this process)")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command is None:
            return _default()
        return {"audit": _audit, "list": _list, "figures": _figures, "report": _report,
                "grade": _grade, "template": _template}[args.command](args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ReferenceFailure as exc:
        print(f"internal error: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:  # Ctrl-C reaches the workers too: they stop with the parent
        print("interrupted", file=sys.stderr)
        return 130


def _seed(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return int(text)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"--jobs must be a positive integer, got {text!r}")
    return value


def _output_dir(path: str) -> Path:
    """Create the output folder before any work, so a bad --out fails at once (exit 2)."""
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot write to {out}: {exc.strerror or exc}") from None
    return out


def _auditor(args) -> Auditor:
    return Auditor(args.seed, None if args.quiet else stderr_progress)


def _default() -> int:
    from .outputs.figures import figure_names, write
    from .registry import REGISTRY
    from .engine.sheet import load

    out = _output_dir(FIGURE_DIR)
    auditor = Auditor(0, stderr_progress)
    claims = list(REGISTRY.values())  # truths and figures in one pool, then the (quick) judging
    written = write(figure_names(claims), out, auditor, jobs=default_jobs(), claims=claims)
    print(table(auditor.audit(load(None, REGISTRY), claims)))
    print(f"wrote {len(written)} figure files into {FIGURE_DIR}/", file=sys.stderr)
    return 0


def _audit(args) -> int:
    from .registry import REGISTRY

    claims = select(REGISTRY, args.only.split(",") if args.only is not None else None)
    sheet = _load(args.sheet)
    results = _auditor(args).audit(sheet, claims, jobs=args.jobs)
    render = {"table": lambda: table(results),
              "json": lambda: as_json(sheet.name, args.seed, results),
              "md": lambda: markdown(sheet.name, args.seed, results)}[args.format]
    print(render())
    return 1 if args.strict and any(r.verdict is not Verdict.CORRECT for r in results) else 0


def _load(path):
    """The sheet at `path` (None: the seed's), with warnings for what this version cannot check."""
    from .registry import REGISTRY
    from .engine.sheet import load

    sheet = load(path, REGISTRY)
    if sheet.ignored:
        print(f"warning: {sheet.name}: not checked by this version: {', '.join(sheet.ignored)}",
              file=sys.stderr)
    if not sheet.answers and not sheet.ignored:
        print(f"warning: {sheet.name}: the sheet answers no claim", file=sys.stderr)
    return sheet


def _list(args) -> int:
    from .registry import REGISTRY
    from .engine.sheet import ALL_IDS

    width = max(map(len, ALL_IDS))
    for claim_id in ALL_IDS:
        claim = REGISTRY.get(claim_id)
        text = claim.question if claim else "(not checked by this version yet)"
        fields = ", ".join(f.name for f in claim.fields) if claim else ""
        print(f"{claim_id:<{width}}  {text}" + (f"  [fields: {fields}]" if fields else ""))
    return 0


def _figures(args) -> int:
    from .outputs.figures import figure_names, write
    from .registry import REGISTRY

    written = write(figure_names(REGISTRY.values()), _output_dir(args.out), _auditor(args),
                    jobs=args.jobs)
    for path in written:
        print(path)
    return 0


def _report(args) -> int:
    from .registry import REGISTRY
    from .outputs.latex_report import compile_pdf, write

    out = _output_dir(args.out)
    sheet = _load(args.sheet)
    tex = write(sheet, args.seed, list(REGISTRY.values()), out, _auditor(args), jobs=args.jobs)
    print(tex)
    if args.pdf:
        print(compile_pdf(tex))
    return 0


def _template(args) -> int:
    from .registry import REGISTRY
    from .outputs.template import template

    claims = select(REGISTRY, args.only.split(",") if args.only is not None else None)
    text = template(claims, _load(args.from_sheet).raw if args.from_sheet else None)
    if args.out is None:
        print(text, end="")
        return 0
    out = Path(args.out)
    if out.exists() and not args.force:
        raise UserError(f"{out}: file exists (use --force to overwrite it)")
    try:
        out.write_text(text, "utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"wrote {out}", file=sys.stderr)
    return 0


def _grade(args) -> int:
    from .registry import REGISTRY
    from .outputs.grading.figure import grade_figure
    from .outputs.grading.gradebook import write_gradebook
    from .outputs.grading.grades import class_sheets, grade_class
    from .outputs.grading.progress import SheetProgress
    from .outputs.grading.rubric import load_rubric

    sheets = class_sheets(args.dir)
    rubric = load_rubric(args.rubric, REGISTRY)
    out = _output_dir(args.out)
    grades = grade_class(sheets, REGISTRY, _auditor(args), rubric, jobs=args.jobs,
                         done=None if args.quiet else SheetProgress(len(sheets)))
    written = write_gradebook(grades, rubric, args.seed, out) + grade_figure(grades, rubric, out)
    broken = [g for g in grades if not g.ok]
    for g in broken:
        print(f"skipped: {g.error}", file=sys.stderr)
    print(f"graded {len(grades) - len(broken)} of {len(grades)} sheets into {out}/", file=sys.stderr)
    for path in written:
        print(path)
    return 1 if broken else 0
