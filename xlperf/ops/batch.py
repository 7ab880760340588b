"""``check`` and ``rollup`` of many files: each file is read in a worker process, which sends
back only its findings or its roll-up figures (never the workbook read), so memory stays flat
however many files there are."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# The workers' modules, imported here rather than in each worker: forked workers share them.
from xlperf.checks import check_workbook
from xlperf.errors import DEBUG_ENV, InputError, internal_error
from xlperf.findings import Finding
from xlperf.forms.money import MoneyBook
from xlperf.pool import run_jobs
from xlperf.reader import read_workbook
from xlperf.rules import RuleSet


@dataclass(frozen=True)
class Job:
    path: Path
    rules: RuleSet | None


@dataclass
class Gathered:
    """What a roll-up keeps of the files read."""

    records: list[dict[str, object]] = field(default_factory=list)
    money: list[MoneyBook] = field(default_factory=list)


def _guarded(path: Path, work: Callable[[], object]) -> object:
    """``work()``, or the InputError saying why ``path`` could not be processed."""
    try:
        return work()
    except InputError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - one unit's bad file must not stop the batch
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        return internal_error(path, exc)


def check_file(job: Job) -> list[Finding] | InputError:
    """The worker of ``check``: one file's findings, or why it could not be read."""
    return _guarded(job.path, lambda: check_workbook(read_workbook(job.path), job.rules))


def gather_file(job: Job) -> tuple[list[dict[str, object]], MoneyBook] | InputError:
    """The worker of ``rollup``: one file's 汇总表 rows and 收支情况 tables."""
    from xlperf.ops.rollup_figures import book_records  # pandas: only a roll-up needs it

    def work() -> tuple[list[dict[str, object]], MoneyBook]:
        book = read_workbook(job.path)
        return book_records(book, job.rules), book.money_book()

    return _guarded(job.path, work)


def gather(
    paths: list[Path],
    rules: RuleSet | None,
    *,
    jobs: int | None = None,
    errors: list[InputError] | None = None,
    done: Callable[[], None] | None = None,
) -> Gathered:
    """The roll-up figures of every file, in the order of ``paths``; with ``errors``, an
    unreadable file is noted there and skipped (without, its error is raised)."""
    out = Gathered()
    for result in run_jobs(gather_file, [Job(p, rules) for p in paths], jobs, done=done):
        if isinstance(result, InputError):
            if errors is None:
                raise result
            errors.append(result)
            continue
        records, money = result
        out.records.extend(records)
        out.money.append(money)
    return out
