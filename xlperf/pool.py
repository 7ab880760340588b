"""Run one function over many files in worker processes: ``check``, ``rollup`` and ``review``
of a folder. Each worker returns only what the caller keeps (figures, findings, a reason), so
the main process's memory does not grow with the workbooks read."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The processors this process may run on (a container or taskset may allow fewer than the
    machine has)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run_jobs(
    work: Callable[[T], R],
    items: Sequence[T],
    jobs: int | None = None,
    *,
    done: Callable[[], None] | None = None,
) -> Iterator[R]:
    """``work(item)`` for each item, yielded in the order of ``items``; in ``jobs`` worker
    processes (default :func:`default_jobs`) when there is more than one item, else in this
    process. ``work`` must be a module-level function and never raise for one bad item (it
    returns the reason instead): an exception would end the whole batch. ``done`` is called
    after each item (a progress bar)."""
    jobs = min(jobs or default_jobs(), len(items))
    if jobs <= 1:
        for item in items:
            yield work(item)
            if done:
                done()
        return
    from concurrent.futures import ProcessPoolExecutor

    # Small chunks keep the workers busy to the end; results stream back in order.
    chunk = max(1, min(16, len(items) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for result in pool.map(work, items, chunksize=chunk):
            yield result
            if done:
                done()
