"""Every performance figure of issue 13 in one run, each as a ratio to its floor on the same input.

Run: ``python benchmarks/run.py [--dir DIR] [--repeat 5] [--skip server,memory]``
(``--floor PATH...`` and ``--roundtrip IN OUT`` run one floor alone, for a whole-process timer). Builds (once,
in DIR) the 500-form workbook (50 sheets × 10 stacked forms), a folder of 1,000 unit workbooks
(2 forms each) and, for the memory figure, one of 3,000; then prints one line per figure: the
figure, its floor, the ratio, and the target. Times are medians of ``--repeat`` runs, interleaved
with their floor (the machine is shared): CPU seconds for work in this process, wall seconds for
a whole command. The floor of reading is python-calamine's raw parse of every sheet.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build_forms(path: Path, forms: int) -> None:
    """The 500-form workbook's builder (imported here: the floor modes import nothing of it)."""
    from benchmarks.bench_check import build

    build(path, forms)


XLPERF = [sys.executable, "-m", "xlperf"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
TOKEN = "bench-token-123"


def calamine_floor(paths: list[Path]) -> None:
    """The raw parse: every sheet of every file as Python lists."""
    from python_calamine import CalamineWorkbook

    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()


def cpu(fn: Callable[[], object]) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def wall(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def paired(a: Callable[[], float], b: Callable[[], float], repeat: int) -> tuple[float, float]:
    """Medians of a and b run in turn (a b a b …) after one warm-up of each."""
    a()
    b()
    xs, ys = [], []
    for _ in range(repeat):
        xs.append(a())
        ys.append(b())
    return statistics.median(xs), statistics.median(ys)


def run(*args: str) -> None:
    subprocess.run([*XLPERF, *args], check=False, capture_output=True, env=ENV)


def child_cpu(fn: Callable[[], object]) -> float:
    """CPU seconds of the processes ``fn`` starts and waits for (their workers included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    fn()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def line(name: str, value: float, floor: float, unit: str, target: str, ok: bool | None) -> None:
    ratio = value / floor if floor else float("inf")
    verdict = "" if ok is None else ("达标" if ok else "未达标")
    print(
        f"{name:34s} {value:9.3f} {unit:4s} floor {floor:8.3f}  ratio {ratio:6.2f}×  "
        f"target {target:10s} {verdict}",
        flush=True,
    )


# --- inputs ----------------------------------------------------------------------------------


def unit_folder(folder: Path, units: int) -> list[Path]:
    """``units`` distinct unit workbooks of two forms each: one built with openpyxl, the others
    copies with the unit's name changed in the shared strings (seconds instead of minutes)."""
    from benchmarks.bench_rollup import build as build_units

    existing = sorted(folder.glob("*/*.xlsx"))
    if len(existing) == units and (folder / "built").exists():
        return existing
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    seed = folder / "seed"
    seed.mkdir()
    (source,) = build_units(seed, 1)
    with zipfile.ZipFile(source) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    shutil.rmtree(seed)
    paths = []
    for u in range(units):
        path = folder / f"单位{u:04d}" / "项目自评表.xlsx"
        path.parent.mkdir()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in parts.items():
                if name.startswith("xl/") and name.endswith(".xml"):  # shared or inline strings
                    unit = f"单位{u:04d}_".encode()
                    data = data.replace("单位0".encode(), unit)
                    data = data.replace(b"&#21333;&#20301;0", unit)  # 单位0 as openpyxl escapes it
                z.writestr(name, data)
        paths.append(path)
    (folder / "built").touch()
    return paths


def one_form(path: Path) -> Path:
    if not path.exists():
        build_forms(path, 1)
    return path


# --- figures ---------------------------------------------------------------------------------


def in_process(forms: Path, repeat: int) -> None:
    from xlperf.checks import check_workbook
    from xlperf.extract import workbook_dict
    from xlperf.reader import read_workbook

    floor = lambda: cpu(lambda: calamine_floor([forms]))  # noqa: E731
    check = lambda: cpu(lambda: check_workbook(read_workbook(forms)))  # noqa: E731
    value, base = paired(check, floor, repeat)
    line("check 500 forms (in process, CPU)", value, base, "s", "≤ 4×", value <= 4 * base)
    extract = lambda: cpu(  # noqa: E731
        lambda: json.dumps(workbook_dict(read_workbook(forms)), ensure_ascii=False, indent=1)
    )
    value, base = paired(extract, floor, repeat)
    line("extract 500 forms (in process, CPU)", value, base, "s", "≤ 4×", value <= 4 * base)


def folder(units: list[Path], root: Path, repeat: int) -> None:
    out = root / "部门汇总.xlsx"
    where = str(units[0].parent.parent)
    times = max(1, repeat // 2)
    floor = lambda: wall(lambda: calamine_floor(units))  # noqa: E731
    check = lambda: wall(lambda: run("check", where, "--exit-zero"))  # noqa: E731
    value, base = paired(check, floor, times)
    line("check 1,000 files (wall, --jobs auto)", value, base, "s", "≤ 2×", value <= 2 * base)
    rollup = lambda: wall(lambda: run("rollup", where, "-o", str(out)))  # noqa: E731
    value, base = paired(rollup, floor, times)
    line("rollup 1,000 files (wall)", value, base, "s", "≤ 2×", value <= 2 * base)
    floor_cpu = lambda: cpu(lambda: calamine_floor(units))  # noqa: E731
    check_cpu = lambda: child_cpu(lambda: run("check", where, "--exit-zero", "--jobs", "1"))  # noqa: E731
    value, base = paired(check_cpu, floor_cpu, times)
    line("check 1,000 files (CPU, --jobs 1)", value, base, "s", "", None)


def fix(forms: Path, root: Path, repeat: int) -> None:
    import openpyxl

    from xlperf.ops.files import fix_file

    small = root / "forms50.xlsx"
    if not small.exists():
        build_forms(small, 50)
    out = root / "fixed.xlsx"
    plain = lambda: cpu(lambda: openpyxl.load_workbook(small).save(out))  # noqa: E731
    ours = lambda: cpu(lambda: fix_file(small, out))  # noqa: E731
    value, base = paired(ours, plain, repeat)
    line("fix 50 forms vs openpyxl load+save", value, base, "s", "≤ 1.3×", value <= 1.3 * base)


def start_up(one: Path, repeat: int) -> None:
    bare = lambda: wall(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))  # noqa: E731
    helps = lambda: wall(lambda: run("--help"))  # noqa: E731
    value, base = paired(helps, bare, repeat)
    line("xlperf --help (wall)", value, base, "s", "≤ 0.3 s", value <= 0.3)
    cpu_bare = lambda: child_cpu(lambda: subprocess.run([sys.executable, "-c", "pass"]))  # noqa: E731
    cpu_help = lambda: child_cpu(lambda: run("--help"))  # noqa: E731
    value, base = paired(cpu_help, cpu_bare, repeat)
    line("xlperf --help (CPU)", value, base, "s", "≤ 0.3 s", value <= 0.3)
    check = lambda: wall(lambda: run("check", str(one), "--exit-zero"))  # noqa: E731
    value, base = paired(check, bare, repeat)
    line("check one form (wall)", value, base, "s", "≤ 0.5 s", value <= 0.5)
    cpu_check = lambda: child_cpu(lambda: run("check", str(one), "--exit-zero"))  # noqa: E731
    value, base = paired(cpu_check, cpu_bare, repeat)
    line("check one form (CPU)", value, base, "s", "≤ 0.5 s", value <= 0.5)


def udfs() -> None:
    from xlperf import udfs as u
    from xlperf.reader.loader import load_grids

    template = (
        Path(__file__).resolve().parent.parent / "workbook_templates" / "项目支出绩效自评表.xlsx"
    )
    (params,) = [g for g in load_grids(template) if g.sheet == "参数"]
    rng = [[float(v) if isinstance(v, int) else v for v in row] for row in params.values]
    criterion = "达到95%得满分，低于90%不得分，之间按比例"
    cases = {
        "XP_RATE": (u.XP_RATE, (100.0, 80.3)),
        "XP_RATE_SCORE": (u.XP_RATE_SCORE, (0.803, 10.0)),
        "XP_RATE_SCORE + 参数": (u.XP_RATE_SCORE, (0.803, 10.0, rng)),
        "XP_SCORE": (u.XP_SCORE, ("≥95%", "96%", 10.0)),
        "XP_QUAL_RANGE": (u.XP_QUAL_RANGE, (10.0, 2.0)),
        "XP_GRADE": (u.XP_GRADE, (85.0,)),
        "XP_GRADE + 参数": (u.XP_GRADE, (85.0, rng)),
        "XP_CRITERION": (u.XP_CRITERION, (0.93, criterion, 10.0)),
    }
    n = 2000
    empty = statistics.median(cpu(lambda: [None for _ in range(n)]) / n for _ in range(5))
    for name, (fn, args) in cases.items():
        fn(*args)  # the first call reads and caches
        per = [cpu(lambda f=fn, a=args: [f(*a) for _ in range(n)]) / n for _ in range(5)]
        value = statistics.median(per) * 1e6
        line(f"UDF {name} (CPU µs/call)", value, empty * 1e6, "µs", "≤ 60 µs", value <= 60)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: bytes) -> int:
    request = urllib.request.Request(
        f"{url}/xlperf/recalc_and_check",
        data=body,
        headers={"Authorization": TOKEN, "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            return response.status
    except Exception:  # noqa: BLE001 - counted as a failure
        return 0


def throughput(one: Path, workers: int, clients: int, seconds: float) -> tuple[float, int]:
    """Requests per second of ``xlperf serve --workers N`` answering the add-in's 重新计算并检查
    of the one-form workbook (the JSON its VBA client sends) from ``clients`` at once, and how
    many requests failed."""
    from tests.remote_client import payload

    port = _free_port()
    env = dict(ENV, XLPERF_TOKEN=TOKEN)
    proc = subprocess.Popen(
        [*XLPERF, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    body = json.dumps(payload(one)).encode()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{url}/xlperf/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(workers * 4):  # warm every worker
            _post(url, body)
        done, failed = [0], [0]
        stop = time.monotonic() + seconds

        def client() -> None:
            while time.monotonic() < stop:
                status = _post(url, body)
                done[0] += 1
                failed[0] += status != 200

        threads = [threading.Thread(target=client) for _ in range(clients)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return done[0] / (time.monotonic() - t0), failed[0]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def server(one: Path, seconds: float) -> None:
    one_worker, failed1 = throughput(one, 1, 32, seconds)
    two_workers, failed2 = throughput(one, 2, 32, seconds)
    print(f"server, 1 worker, 32 clients:      {one_worker:7.1f} requests/s, {failed1} failed")
    print(f"server, 2 workers, 32 clients:     {two_workers:7.1f} requests/s, {failed2} failed")
    ok = two_workers >= 1.6 * one_worker and failed1 == failed2 == 0
    line("server 2 workers vs 1 (req/s)", two_workers, one_worker, "r/s", "≥ 1.6×", ok)


def memory(root: Path) -> None:
    units = unit_folder(root / "units3000", 3000)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    elapsed = wall(
        lambda: run("rollup", str(units[0].parent.parent), "-o", str(root / "汇总3000.xlsx"))
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    mb = max(peak, before) / 1024
    print(
        f"rollup 3,000 files: {elapsed:.1f} s wall, peak RSS of the largest process {mb:.0f} MB "
        f"(target < 300 MB: {'达标' if mb < 300 else '未达标'})"
    )


def floor_command(argv: list[str]) -> bool:
    """``run.py --floor PATH...``: only the raw parse of every workbook under PATH (a floor for a
    whole-command timer); ``run.py --roundtrip IN OUT``: only an openpyxl load and save."""
    if argv[:1] == ["--floor"]:
        paths = [
            p
            for a in argv[1:]
            for p in (sorted(Path(a).rglob("*.xlsx")) if Path(a).is_dir() else [Path(a)])
        ]
        calamine_floor(paths)
        return True
    if argv[:1] == ["--roundtrip"]:
        import openpyxl

        openpyxl.load_workbook(argv[1]).save(argv[2])
        return True
    return False


def main() -> None:
    if floor_command(sys.argv[1:]):
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, help="where the inputs are built and kept")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--server-seconds", type=float, default=10.0)
    parser.add_argument(
        "--skip", default="", help="comma-separated: inproc,folder,fix,startup,udf,server,memory"
    )
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    root = args.dir or Path(tempfile.mkdtemp(prefix="xlperf-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    forms = root / "forms500.xlsx"
    if not forms.exists():
        build_forms(forms, 500)
    one = one_form(root / "one.xlsx")
    # Bytecode once (this environment may forbid writing it: each command would compile
    # xlperf from source and start-up would be measured wrong).
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(__file__).parent.parent / "xlperf")],
        check=True,
        capture_output=True,
    )
    load = os.getloadavg()[0]
    print(
        f"inputs in {root}; {os.cpu_count()} CPUs, load {load:.1f}; medians of {args.repeat}",
        flush=True,
    )
    if "inproc" not in skip:
        in_process(forms, args.repeat)
    if "folder" not in skip:
        folder(unit_folder(root / "units", 1000), root, args.repeat)
    if "fix" not in skip:
        fix(forms, root, args.repeat)
    if "startup" not in skip:
        start_up(one, args.repeat)
    if "udf" not in skip:
        udfs()
    if "server" not in skip:
        server(one, args.server_seconds)
    if "memory" not in skip:
        memory(root)


if __name__ == "__main__":
    main()
