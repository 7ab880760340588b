"""Read every workbook for the review, in parallel: each worker reads one file, checks it, writes
its flagged copy (the result of ``xlperf fix``) and returns only small picklable figures, so the
main process's memory does not grow with the size of the workbooks."""

from __future__ import annotations

import hashlib
import stat
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from xlperf.checks import check_workbook
from xlperf.errors import InputError
from xlperf.findings import Finding
from xlperf.forms.project import NO_UNIT, ProjectForm
from xlperf.forms.workbook import WorkbookForms
from xlperf.limits import MAX_FILE_BYTES
from xlperf.pool import run_jobs
from xlperf.reader.loader import workbook_paths
from xlperf.review.convention import form_convention
from xlperf.rules import RuleSet
from xlperf.scoring.convention import infer_convention, weights_total
from xlperf.scoring.figures import group_units, in_form
from xlperf.scoring.figures import project_figures as report_figures
from xlperf.scoring.project import ZERO, execution_rate


@dataclass(frozen=True)
class ProjectRow:
    """One project form: its figures as the form states them and as recomputed."""

    unit: str
    file: str
    sheet: str
    name: str
    convention: str
    budget: Decimal | None
    executed: Decimal | None
    rate_weight: Decimal | None
    stated_rate: Decimal | None
    rate: Decimal | None
    stated_rate_score: Decimal | None
    rate_score: Decimal | None
    stated_total: Decimal | None
    total: Decimal | None
    stated_grade: str | None
    grade: str | None
    weight_total: Decimal
    rate_differs: bool = False
    rate_score_differs: bool = False
    total_differs: bool = False
    grade_differs: bool = False
    weight_differs: bool = False
    score_grade: str | None = None  # the 等次 of 自评得分 under the rules in force

    @property
    def score(self) -> Decimal | None:
        """自评得分: the form's own 总分, else the recomputed one."""
        return self.stated_total if self.stated_total is not None else self.total


@dataclass(frozen=True)
class FindingRow:
    unit: str
    file: str
    project: str
    sheet: str
    cell: str
    code: str
    severity: str
    message: str


@dataclass
class FileResult:
    """What the review keeps of one workbook."""

    path: str  # as found on disk
    name: str  # relative to the folder it was found in: how the review names it
    digest: str = ""
    units: list[str] = field(default_factory=list)
    projects: list[ProjectRow] = field(default_factory=list)
    findings: list[FindingRow] = field(default_factory=list)
    flagged: str | None = None  # absolute path of the flagged copy
    flagged_note: str | None = None  # why there is none
    error: str | None = None  # why the file could not be read
    duplicate_of: str | None = None  # the name of the identical file already reviewed


@dataclass(frozen=True)
class Task:
    path: str
    name: str
    flagged: str | None
    rules: RuleSet | None


def source_files(paths: Iterable[Path], exclude: Iterable[Path] = ()) -> list[tuple[Path, str]]:
    """Every workbook under ``paths`` with the name the review gives it (relative to the folder
    given), leaving out ``exclude`` (the review's own output and flagged copies)."""
    skip = [p.resolve() for p in exclude]

    def excluded(q: Path) -> bool:
        r = q.resolve()
        return any(r == s or s in r.parents for s in skip)

    out: list[tuple[Path, str]] = []
    for p in paths:
        for q in workbook_paths([p]):
            if excluded(q):
                continue
            name = q.relative_to(p).as_posix() if p.is_dir() else q.name
            out.append((q, name))
    return out


def digest(path: Path) -> str:
    """The file's SHA-256, or "" for one that only the reader may open (it says why): a FIFO
    would block here, a device never end, a file over the size limit take long."""
    h = hashlib.sha256()
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
            return ""
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()


def flagged_targets(names: list[str], flagged_dir: Path) -> list[Path]:
    """Where each file's flagged copy goes: the same relative path under ``flagged_dir``
    (a number added when two inputs share one)."""
    taken: set[str] = set()
    out = []
    for name in names:
        target = Path(name)
        n = 2
        while target.as_posix().casefold() in taken:
            target = Path(name).with_name(f"{Path(name).stem}_{n}{Path(name).suffix}")
            n += 1
        taken.add(target.as_posix().casefold())
        out.append(flagged_dir / target)
    return out


def collect(
    paths: list[Path],
    flagged_dir: Path | None,
    *,
    rules: RuleSet | None = None,
    jobs: int | None = None,
    exclude: Iterable[Path] = (),
    progress: bool = False,
) -> list[FileResult]:
    """Read, check and flag every workbook under ``paths``; byte-identical files are reviewed
    once and the others reported as duplicates. Results are in the order of the files."""
    from tqdm import tqdm

    files = source_files(paths, exclude)
    targets = flagged_targets([n for _, n in files], flagged_dir) if flagged_dir else None
    results: list[FileResult | None] = [None] * len(files)
    first: dict[str, str] = {}
    tasks: list[tuple[int, Task]] = []
    for i, (path, name) in enumerate(files):
        d = digest(path)
        if d and d in first:
            results[i] = FileResult(str(path), name, d, duplicate_of=first[d])
            continue
        if d:
            first[d] = name
        flagged = str(targets[i].resolve()) if targets else None
        tasks.append((i, Task(str(path), name, flagged, rules)))
    bar = tqdm(total=len(tasks), desc="审核", unit="个文件", file=sys.stderr, disable=not progress)
    with bar:
        done = run_jobs(review_file, [t for _, t in tasks], jobs, done=bar.update)
        for (i, _), result in zip(tasks, done, strict=True):
            results[i] = result
    return [r for r in results if r is not None]


def review_file(task: Task) -> FileResult:
    """The worker: one file read, checked and flagged. Never raises: a file that cannot be read
    comes back with its reason."""
    from xlperf.reader import read_workbook

    path = Path(task.path)
    result = FileResult(task.path, task.name, digest(path))
    try:
        book = read_workbook(path)
        summarise(book, task.name, task.rules, result)
    except InputError as exc:
        result.error = exc.message
        return result
    except Exception as exc:  # noqa: BLE001 - one broken file must not end the review
        result.error = f"处理失败（{type(exc).__name__}: {exc}）"
        return result
    if task.flagged:
        result.flagged, result.flagged_note = flag_copy(path, Path(task.flagged), task.rules)
    return result


def flag_copy(path: Path, target: Path, rules: RuleSet | None) -> tuple[str | None, str | None]:
    """The flagged copy (``xlperf fix``) of ``path`` at ``target``, or why there is none."""
    from xlperf.ops.files import fix_file

    if target.resolve() == path.resolve():
        return None, "标记副本不能写在原文件上"
    try:
        fix_file(path, target, rules)
    except InputError as exc:
        return None, exc.message
    except Exception as exc:  # noqa: BLE001 - the review still lists the findings
        return None, f"无法生成标记副本（{type(exc).__name__}: {exc}）"
    return str(target.resolve()), None


def summarise(book: WorkbookForms, name: str, rules: RuleSet | None, out: FileResult) -> None:
    """Fill ``out`` with the figures and findings of ``book``, each placed in its unit by the rule
    ``xlperf report`` uses (a unit's own 汇总表, else the form's 实施单位, else 主管部门), a form
    or finding of no unit going to the file's main unit, else the file's name."""

    rules_used = book.rule_set(rules)
    findings = check_workbook(book, rules_used)
    figures = [report_figures(f, rules_used) for f in book.projects]
    units = group_units(book, figures)
    unit_of: dict[int, str] = {}
    for unit in units:
        for p in unit.projects:
            unit_of[id(p.form)] = unit.name
    named = Counter(u for u in unit_of.values() if u != NO_UNIT)
    main = named.most_common(1)[0][0] if named else _file_unit(book, name)
    placed: dict[int, str] = {}
    for unit in units:
        for f in findings:
            if unit.holds(f):
                placed.setdefault(id(f), main if unit.name == NO_UNIT else unit.name)
    for form in book.projects:
        unit = unit_of.get(id(form), NO_UNIT)
        out.projects.append(project_row(form, main if unit == NO_UNIT else unit, name, rules_used))
    for f in findings:
        form = next(
            (p for p in book.projects if in_form(f, p.sheet, p.first_row, p.last_row)), None
        )
        project = (form.project_name.text or form.sheet) if form else ""
        out.findings.append(finding_row(f, placed.get(id(f), main), name, project))
    out.units = list(dict.fromkeys([*(p.unit for p in out.projects), main]))


def _file_unit(book: WorkbookForms, name: str) -> str:
    """A file without a named 实施单位: its 汇总表's 单位名称, else its file name."""
    for summary in book.summaries:
        if summary.unit_name.text:
            return summary.unit_name.text
    return Path(name).stem


def finding_row(f: Finding, unit: str, name: str, project: str) -> FindingRow:
    return FindingRow(unit, name, project, f.sheet, f.cell, f.code, f.severity, f.message)


def project_row(form: ProjectForm, unit: str, name: str, rules: RuleSet) -> ProjectRow:
    """The form's figures as stated and as recomputed from its inputs under ``rules``."""
    tol = rules.tolerance
    row = form.funds.total
    rate = execution_rate(row)
    stated_rate = row.rate.rate_fraction()
    weight = row.weight.number
    rate_score = None
    if rate is not None and weight is not None:
        rate_score = rules.round_score(rules.rate_score(rate, weight))
    scores = [i.score.number for i in form.scored_indicators()]
    total = None
    convention = infer_convention(form, rules).convention
    if all(s is not None for s in scores) and (
        rate_score is not None or not convention.total_includes_rate
    ):
        counted = rate_score if convention.total_includes_rate else ZERO
        total = rules.round_score(
            (counted or ZERO) + sum((s for s in scores if s is not None), ZERO)
        )
    grade = rules.grade(total) if total is not None else None
    stated_grade = form.grade.text
    wtotal = weights_total(form, convention)
    score = form.total_score.number if form.total_score.number is not None else total
    return ProjectRow(
        unit=unit,
        file=name,
        sheet=form.sheet,
        name=form.project_name.text or form.sheet,
        convention=form_convention(form, rules),
        budget=row.annual_budget.number,
        executed=row.executed.number,
        rate_weight=weight,
        stated_rate=stated_rate,
        rate=rate,
        stated_rate_score=row.score.number,
        rate_score=rate_score,
        stated_total=form.total_score.number,
        total=total,
        stated_grade=stated_grade,
        grade=grade,
        weight_total=wtotal,
        rate_differs=_differs(
            stated_rate, rate, lambda a, b: tol.rates_agree(a, b, row.rate.rate_decimals())
        ),
        rate_score_differs=_differs(row.score.number, rate_score, tol.scores_agree),
        total_differs=_differs(form.total_score.number, total, tol.scores_agree),
        grade_differs=bool(stated_grade and grade and rules.normalise_grade(stated_grade) != grade),
        weight_differs=bool(form.scored_indicators()) and wtotal != rules.total_weight,
        score_grade=rules.grade(score) if score is not None else None,
    )


def _differs(stated: Decimal | None, computed: Decimal | None, agree) -> bool:
    return stated is not None and computed is not None and not agree(stated, computed)
