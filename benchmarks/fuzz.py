"""Fuzzing xlperf with mutated workbooks: no traceback, no hang, only exits 0/1/2, JSON on stdout.

Run: ``python benchmarks/fuzz.py [--count 10000] [--roundtrips 1000] [--jobs 2] [--seed 1]
[--timeout 10] [--subprocess 100] [--save-failures DIR] [--only MUTATOR,...]``, or
``--replay MUTATOR:SOURCE:SEED`` to rebuild and run one mutant (the reproducer each failure
names). Mutants are made from the seed-000 fixtures, workbook_templates/ and examples/ by the
seeded mutators in tests/mutate.py, and each goes through ``xlperf check --format json`` (the
click command in-process, so exit codes and stdout are the CLI's) and the server's
``recalc_and_check`` (the FastAPI app in-process, sent the book JSON of xlwings' VBA client); a
share of the readable ones through ``fix`` then ``clear``, compared cell by cell with the mutant.
Each mutant runs in a worker process; a stage that takes longer than ``--timeout`` seconds
kills its worker and counts as a timeout. ``--subprocess N`` also runs N mutants through the
real ``xlperf check`` command line. Prints a summary: mutants per mutator, exit codes, and
failures by class, each with a reproducer and its first line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import mutate  # noqa: E402
from tests.mutate import Outcome, Spec  # noqa: E402

MEMORY_LIMIT = 1536 * 1024 * 1024  # per worker: a bomb is a MemoryError, not a swapping machine
MAKE_TIMEOUT = 120.0


@dataclass
class Record:
    spec: Spec
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failures(self) -> list[tuple[str, str, str]]:
        return [(o.stage, cls, detail) for o in self.outcomes for cls, detail in o.failures]


def _run_one(spec: Spec, work: Path, server: bool, roundtrip: bool, send: Any) -> list[Outcome]:
    """Build one mutant in ``work`` and put it through the stages; ``send`` hears each start."""
    path = work / Path(spec.source).name
    send(("stage", "make"))
    try:
        mutate.write_mutant(spec, path)
    except Exception as exc:  # noqa: BLE001 - a mutator bug, reported as such
        return [
            Outcome("make", failures=[("harness: mutator failed", f"{type(exc).__name__}: {exc}")])
        ]
    outcomes: list[Outcome] = []

    def stage(name: str, fn: Any, *args: Any) -> None:
        send(("stage", name))
        try:
            outcomes.append(fn(*args))
        except Exception:  # noqa: BLE001 - the harness's own stage code failed: say so
            cls, line = mutate.traceback_class(traceback.format_exc())
            outcomes.append(Outcome(name, failures=[(f"harness: {cls}", line)]))

    stage("check", mutate.stage_check, path)
    if server and mutate.is_book(spec.mutator):
        stage("server", mutate.stage_server, path)
    if roundtrip and mutate.is_book(spec.mutator) and outcomes[0].exit in (0, 1):
        rt = work / "rt"
        rt.mkdir()
        stage("roundtrip", mutate.stage_roundtrip, path, rt)
    return outcomes


def _save(spec: Spec, save_dir: Path) -> None:
    """The failing mutant, rebuilt, as <mutator>_<seed>_<source> in ``save_dir``."""
    if spec.mutator == "special":
        return
    save_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(Exception):  # a mutant that could not be made is already a failure
        mutate.write_mutant(spec, save_dir / f"{spec.mutator}_{spec.seed}_{Path(spec.source).name}")


def _worker(conn: Any, tmp_root: str) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    while True:
        task = conn.recv()
        if task is None:
            return
        spec, server, roundtrip, save_dir = task
        work = Path(tempfile.mkdtemp(dir=tmp_root))
        try:
            outcomes = _run_one(spec, work, server, roundtrip, conn.send)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if save_dir and any(o.failures for o in outcomes):
            _save(spec, Path(save_dir))
        conn.send(("done", outcomes))


def _allowed(stage: str, timeout: float) -> float:
    """Seconds a stage may run: the round trip is two commands and three comparisons."""
    if stage in ("make", "queued"):
        return MAKE_TIMEOUT
    return 3 * timeout if stage == "roundtrip" else timeout


class _Slot:
    def __init__(self, tmp_root: str):
        self.tmp_root = tmp_root
        self.start()

    def start(self) -> None:
        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, self.tmp_root), daemon=True)
        self.proc.start()
        child.close()
        self.spec: Spec | None = None
        self.stage = ""
        self.started = 0.0
        self.done: list[Outcome] = []

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()
        self.start()


def run(
    specs: list[Spec],
    *,
    jobs: int = 2,
    timeout: float = 10.0,
    server: set[int] | None = None,
    roundtrips: set[int] | None = None,
    save_dir: Path | None = None,
    progress: bool = False,
    deadline: float | None = None,
) -> list[Record]:
    """Every mutant of ``specs`` through check (and server / round trip for the indices given),
    in ``jobs`` worker processes; a stage over ``timeout`` seconds kills its worker. No mutant
    is started after ``deadline`` (time.time()); those not started are left out."""
    server = set(range(len(specs))) if server is None else server
    roundtrips = roundtrips or set()
    records: list[Record] = []
    pending = list(reversed(specs))
    tmp_root = tempfile.mkdtemp(prefix="xlperf-fuzz-")
    slots = [_Slot(tmp_root) for _ in range(max(1, min(jobs, len(specs))))]
    t0, last = time.monotonic(), 0.0

    def finish(slot: _Slot, outcomes: list[Outcome]) -> None:
        records.append(Record(slot.spec, outcomes))
        slot.spec = None

    try:
        while pending or any(s.spec for s in slots):
            if deadline is not None and time.time() > deadline and pending:
                print(f"  deadline: {len(pending)} mutants not started", file=sys.stderr)
                pending.clear()
            for slot in slots:
                if slot.spec is None and pending:
                    spec = pending.pop()
                    slot.spec, slot.stage, slot.started, slot.done = (
                        spec,
                        "queued",
                        time.monotonic(),
                        [],
                    )
                    slot.conn.send(
                        (
                            spec,
                            spec.index in server,
                            spec.index in roundtrips,
                            save_dir and str(save_dir),
                        )
                    )
            busy = [s for s in slots if s.spec]
            now = time.monotonic()
            limit = {s.conn: _allowed(s.stage, timeout) for s in busy}
            wait_for = max(0.01, min(s.started + limit[s.conn] - now for s in busy))
            for conn in wait([s.conn for s in busy], timeout=wait_for):
                slot = next(s for s in busy if s.conn is conn)
                try:
                    msg = conn.recv()
                except (EOFError, OSError):
                    code = slot.proc.exitcode
                    finish(
                        slot,
                        [
                            Outcome(
                                slot.stage,
                                failures=[("worker died", f"exit code {code} in {slot.stage}")],
                            )
                        ],
                    )
                    slot.kill()
                    continue
                if msg[0] == "stage":
                    slot.stage, slot.started = msg[1], time.monotonic()
                else:
                    finish(slot, msg[1])
            now = time.monotonic()
            for slot in slots:
                if not slot.spec:
                    continue
                if now - slot.started > _allowed(slot.stage, timeout):
                    spec, stage = slot.spec, slot.stage
                    cls = (
                        "harness: mutator timeout"
                        if stage in ("make", "queued")
                        else f"timeout (> {_allowed(stage, timeout):g} s)"
                    )
                    finish(
                        slot,
                        [
                            Outcome(
                                stage,
                                seconds=now - slot.started,
                                failures=[
                                    (cls, f"{stage} killed after {now - slot.started:.1f} s")
                                ],
                            )
                        ],
                    )
                    slot.kill()
                    if save_dir:
                        _save(spec, save_dir)
            if progress and time.monotonic() - last > 30:
                last = time.monotonic()
                print(
                    f"  {len(records)}/{len(specs)} mutants, {last - t0:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        for slot in slots:
            if slot.proc.is_alive():
                with contextlib.suppress(OSError):
                    slot.conn.send(None)
                slot.proc.join(5)
                if slot.proc.is_alive():
                    slot.proc.kill()
        shutil.rmtree(tmp_root, ignore_errors=True)
    records.sort(key=lambda r: r.spec.index)
    return records


def run_subprocess(specs: list[Spec], timeout: float = 10.0) -> list[Record]:
    """The real ``xlperf check --format json`` command line, one process per mutant."""
    records = []
    env = dict(os.environ, XLWINGS_LICENSE_KEY="noncommercial")
    with tempfile.TemporaryDirectory(prefix="xlperf-fuzz-sub-") as tmp:
        for spec in specs:
            work = Path(tmp) / str(spec.index)
            work.mkdir()
            path = work / Path(spec.source).name
            mutate.write_mutant(spec, path)
            out = Outcome("subprocess")
            t0 = time.perf_counter()
            try:
                proc = subprocess.run(
                    [sys.executable, "-m", "xlperf", "check", "--format", "json", str(path)],
                    capture_output=True,
                    timeout=timeout,
                    env=env,
                    cwd=tmp,
                    text=True,
                    encoding="utf-8",
                    errors="replace",
                )
            except subprocess.TimeoutExpired:
                out.seconds = time.perf_counter() - t0
                out.failures.append((f"timeout (> {timeout:g} s)", "subprocess killed"))
                records.append(Record(spec, [out]))
                continue
            out.seconds, out.exit = time.perf_counter() - t0, proc.returncode
            if "Traceback (most recent call last)" in proc.stderr:
                cls, line = mutate.traceback_class(proc.stderr)
                out.failures.append((f"traceback: {cls}", line))
            else:
                mutate.judge_check_output(out, proc.returncode, proc.stdout, proc.stderr)
            records.append(Record(spec, [out]))
    return records


def failure_classes(records: list[Record]) -> dict[tuple[str, str], list[tuple[Record, str]]]:
    by: dict[tuple[str, str], list[tuple[Record, str]]] = defaultdict(list)
    for r in records:
        for stage, cls, detail in r.failures:
            by[(stage, cls)].append((r, detail))
    return by


def summary(records: list[Record], seconds: float) -> str:
    main = [r for r in records if r.outcomes[0].stage != "subprocess"]
    lines = [
        f"mutants: {len(main)} in {seconds:.0f} s (+ {len(records) - len(main)} subprocess runs)"
    ]
    per = Counter(r.spec.mutator for r in main)
    failed = Counter(r.spec.mutator for r in main if r.failures)
    lines.append("")
    lines.append(f"{'mutator':<16}{'mutants':>8}{'failed':>8}")
    for name in sorted(per):
        lines.append(f"{name:<16}{per[name]:>8}{failed[name]:>8}")
    stages: dict[str, Counter] = defaultdict(Counter)
    times: dict[str, list[float]] = defaultdict(list)
    for r in records:
        for o in r.outcomes:
            stages[o.stage][o.note or str(o.exit)] += 1
            if o.seconds:
                times[o.stage].append(o.seconds)
    lines.append("")
    lines.append(
        "exit codes (check, subprocess: CLI exit; server: HTTP status; roundtrip: fix exit)"
    )
    for stage in sorted(stages):
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(stages[stage].items()))
        t = times[stage]
        timing = f"; max {max(t):.2f} s, mean {sum(t) / len(t):.2f} s" if t else ""
        lines.append(f"  {stage:<11}{counts}{timing}")
    rt = [
        o
        for r in records
        for o in r.outcomes
        if o.stage == "roundtrip" and o.note != "not readable"
    ]
    lines.append(
        f"  round trips done on readable mutants: {len(rt)}, failed: {sum(bool(o.failures) for o in rt)}"
    )
    by = failure_classes(records)
    lines.append("")
    lines.append(
        f"failure classes: {len(by)} ({sum(bool(r.failures) for r in records)} mutants failed)"
    )
    for (stage, cls), hits in sorted(by.items(), key=lambda kv: -len(kv[1])):
        muts = Counter(r.spec.mutator for r, _ in hits)
        first, detail = hits[0]
        lines.append(
            f"- [{stage}] {cls}: {len(hits)} ("
            + ", ".join(f"{m} {n}" for m, n in muts.most_common())
            + ")"
        )
        lines.append(f"    reproduce: --replay {first.spec.label}")
        lines.append(f"    {detail}")
    return "\n".join(lines)


def replay(label: str, out_dir: Path) -> None:
    """Rebuild one mutant into ``out_dir`` and run every stage in this process, verbosely."""
    mutator, source, seed = label.split(":")
    spec = Spec(0, source, mutator, int(seed))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{mutator}_{seed}_{source}"
    mutate.write_mutant(spec, path)
    print(f"mutant: {path}")
    outcomes = [mutate.stage_check(path)]
    if mutate.is_book(mutator):
        outcomes.append(mutate.stage_server(path))
        if outcomes[0].exit in (0, 1):
            rt = Path(tempfile.mkdtemp(dir=out_dir))
            outcomes.append(mutate.stage_roundtrip(path, rt))
    for o in outcomes:
        print(json.dumps(asdict(o), ensure_ascii=False))
    print(f"then: xlperf check --format json {path}")


def parse_seed_label(text: str) -> tuple[str, str, int]:
    m = re.fullmatch(r"([a-z_]+):(.+):(\d+)", text)
    if not m:
        raise argparse.ArgumentTypeError("MUTATOR:SOURCE:SEED")
    return m.group(1), m.group(2), int(m.group(3))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--count", type=int, default=10_000, help="mutants through check and the server"
    )
    parser.add_argument(
        "--roundtrips", type=int, default=1_000, help="fix→clear round trips wanted"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds a stage may take")
    parser.add_argument(
        "--subprocess", type=int, default=100, help="mutants also run as real processes"
    )
    parser.add_argument(
        "--server-share", type=float, default=1.0, help="share of mutants sent to the server"
    )
    parser.add_argument("--only", help="mutators to use (comma-separated)")
    parser.add_argument("--save-failures", type=Path, help="write failing mutants here")
    parser.add_argument("--json", type=Path, help="write every outcome here (JSON lines)")
    parser.add_argument("--minutes", type=float, help="start no mutant after this many minutes")
    parser.add_argument("--replay", help="MUTATOR:SOURCE:SEED — rebuild and run one mutant")
    args = parser.parse_args()
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    if args.replay:
        parse_seed_label(args.replay)
        replay(args.replay, args.save_failures or Path(tempfile.mkdtemp(prefix="xlperf-replay-")))
        return
    only = [m.strip() for m in args.only.split(",")] if args.only else None
    unknown = set(only or []) - set(mutate.MUTATORS)
    if unknown:
        parser.error(f"unknown mutators: {', '.join(sorted(unknown))}")
    specs = mutate.plan(args.count, args.seed, mutate.source_paths(), only)
    book = [s.index for s in specs if mutate.is_book(s.mutator)]
    # check and server on every mutant (or a share); round trips on evenly spread readable ones,
    # with a margin for the mutants fix refuses
    server = set(book[:: max(1, round(1 / args.server_share))]) if args.server_share > 0 else set()
    step = max(1, int(len(book) / (args.roundtrips * 1.15))) if args.roundtrips else 0
    roundtrips = set(book[::step]) if step else set()
    t0 = time.monotonic()
    records = run(
        specs,
        jobs=args.jobs,
        timeout=args.timeout,
        server=server,
        roundtrips=roundtrips,
        save_dir=args.save_failures,
        progress=True,
        deadline=time.time() + args.minutes * 60 if args.minutes else None,
    )
    if args.subprocess:
        every = max(1, len(specs) // args.subprocess)
        records += run_subprocess(specs[::every][: args.subprocess], args.timeout)
    seconds = time.monotonic() - t0
    if args.json:
        with args.json.open("w", encoding="utf-8") as f:
            for r in records:
                f.write(
                    json.dumps(
                        {"spec": asdict(r.spec), "outcomes": [asdict(o) for o in r.outcomes]},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
    print(summary(records, seconds))


if __name__ == "__main__":
    main()
