"""Every performance figure of issue 13 in one run, each as a ratio to its floor on the same input.

Run: ``python benchmarks/run.py [--dir DIR] [--repeat 5] [--skip server,memory] [--only NAME,...]``
(``--floor PATH...`` and ``--roundtrip IN OUT`` run one floor alone, for a whole-process timer).
Builds (once, in DIR, with :mod:`benchmarks.inputs`) the 500-form workbook (50 sheets × 10
stacked forms), a folder of 1,000 unit workbooks (2 forms each) and, for the memory figure, one
of 3,000; then prints one line per figure: the figure, its floor, the ratio, and the target. Times
are medians of ``--repeat`` runs, interleaved with their floor (the machine is shared): CPU
seconds for work in this process, wall seconds for a whole command. The floor of reading is
python-calamine's raw parse of every sheet.

The server figure: ``xlperf serve --workers 1`` and ``--workers 2`` in turn, each loaded for
``--server-seconds`` by :mod:`benchmarks.load` in a process of its own (32 keep-alive
connections from one thread, the request prebuilt as bytes), sending the add-in's 重新计算并检查
of a one-form workbook. Besides requests/s and failures it prints the server's CPU per request
and how many cores it had, and the load generator's own CPU: where the server had less than two
cores (other work on the machine), the ratio says more about the machine than about the server.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


XLPERF = [sys.executable, "-m", "xlperf"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
TOKEN = "bench-token-123"
SERVER_PATH = "/xlperf/recalc_and_check"
FIGURES = ("inproc", "folder", "fix", "startup", "udf", "server", "memory")


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


def fix(root: Path, repeat: int) -> None:

    from benchmarks.inputs import build_forms
    from xlperf.ops.files import fix_file

    small = root / "forms50.xlsx"
    if not small.exists():
        build_forms(small, 50)
    out = root / "fixed.xlsx"

    def stock() -> None:
        """openpyxl as installed: fix's loader swaps in xlperf.reader.merges for the process."""
        import openpyxl.reader.excel
        from openpyxl.worksheet._reader import WorksheetReader

        ours, openpyxl.reader.excel.WorksheetReader = (
            openpyxl.reader.excel.WorksheetReader,
            WorksheetReader,
        )
        try:
            openpyxl.load_workbook(small).save(out)
        finally:
            openpyxl.reader.excel.WorksheetReader = ours

    plain = lambda: cpu(stock)  # noqa: E731
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


def _tree_cpu(pid: int) -> float:
    """CPU seconds used so far by process ``pid`` and its descendants alive now (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def _serve(workers: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [*XLPERF, "serve", "--port", str(port), "--workers", str(workers)],
        env=dict(ENV, XLPERF_TOKEN=TOKEN),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/xlperf/health", timeout=2).read()
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"xlperf serve --workers {workers} did not start")


def _load(url: str, body: Path, clients: int, seconds: float, *options: str) -> dict:
    """benchmarks/load.py in its own process against ``url``: its JSON line."""
    host, port = url.removeprefix("http://").split(":")
    path = "/web/check" if "--once" in options else SERVER_PATH
    out = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "load.py"), host, port, path,
         str(body), "--token", TOKEN, "--clients", str(clients), "--seconds", str(seconds),
         *options],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def uploads(one: Path, root: Path, clients: int) -> None:
    """网上预审: ``clients`` units uploading the one-form workbook at once to one worker."""
    body = root / "upload.multipart"
    boundary = "xlperf-bench-boundary"
    body.write_bytes(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="one.xlsx"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + one.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    proc, url = _serve(1)
    try:
        result = _load(url, body, clients, 0, "--once", "--content-type",
                       f"multipart/form-data; boundary={boundary}")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(
        f"网上预审, 1 worker, {clients} uploads at once: {result['requests']} answered in "
        f"{result['seconds']:.1f} s, {result['failed']} failed {result['statuses']}, "
        f"latency p50 {result['p50_ms']:.0f} ms, max {result['p99_ms']:.0f} ms",
        flush=True,
    )


def throughput(body: Path, workers: int, clients: int, seconds: float) -> dict:
    """``xlperf serve --workers N`` answering the add-in's 重新计算并检查 of the one-form
    workbook (the JSON its VBA client sends) to ``clients`` keep-alive connections at once: the
    load generator's figures plus the server's CPU seconds in the window."""
    proc, url = _serve(workers)
    try:
        _load(url, body, 4 * workers, 1.0)  # warm every worker
        before = _tree_cpu(proc.pid)
        result = _load(url, body, clients, seconds)
        result["server_cpu"] = _tree_cpu(proc.pid) - before
        return result
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def server(one: Path, root: Path, seconds: float, repeat: int) -> None:
    from tests.remote_client import payload

    body = root / "one.json"
    body.write_text(json.dumps(payload(one)), encoding="utf-8")
    runs: dict[int, list[dict]] = {1: [], 2: []}
    for _ in range(max(1, repeat // 2)):  # 1 2 1 2 …: the machine is shared
        for workers in runs:
            runs[workers].append(throughput(body, workers, 32, seconds))
    rate = {}
    for workers, results in runs.items():
        rates = [r["requests"] / r["seconds"] for r in results]
        rate[workers] = statistics.median(rates)
        failed = sum(r["failed"] for r in results)
        total = sum(r["requests"] for r in results)
        window = sum(r["seconds"] for r in results)
        server_ms = 1000 * sum(r["server_cpu"] for r in results) / max(1, total)
        client_cpu = sum(r["cpu"] for r in results)
        cpu_all = client_cpu + sum(r["server_cpu"] for r in results)
        p50 = statistics.median(r["p50_ms"] for r in results)
        print(
            f"server, {workers} worker(s), 32 clients: {rate[workers]:7.1f} requests/s "
            f"(runs: {', '.join(f'{x:.0f}' for x in rates)}), {failed} of {total} failed, "
            f"latency p50 {p50:.0f} ms, p99 {max(r['p99_ms'] for r in results):.0f} ms",
            flush=True,
        )
        print(
            f"  server CPU {server_ms:.2f} ms/request ({1000 / server_ms:.0f} requests per CPU "
            f"second), {(cpu_all - client_cpu) / window:.2f} of the {os.cpu_count()} cores in use; "
            "load generator (one process, 32 keep-alive "
            f"sockets, selectors) CPU {client_cpu:.2f} s in {window:.0f} s = "
            f"{100 * client_cpu / window:.0f}% of one core, {100 * client_cpu / cpu_all:.0f}% of "
            "client + server CPU",
            flush=True,
        )
    uploads(one, root, 32)
    ok = rate[2] >= 1.6 * rate[1] and not any(r["failed"] for rs in runs.values() for r in rs)
    line("server 2 workers vs 1 (req/s)", rate[2], rate[1], "r/s", "≥ 1.6×", ok)


def memory(units: list[Path], root: Path) -> None:
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
    parser.add_argument("--skip", default="", help=f"comma-separated, of: {','.join(FIGURES)}")
    parser.add_argument("--only", default="", help="comma-separated: run only these figures")
    args = parser.parse_args()
    chosen = set(filter(None, args.only.split(","))) or set(FIGURES)
    chosen -= set(filter(None, args.skip.split(",")))
    if unknown := chosen - set(FIGURES):
        parser.error(f"unknown figure {', '.join(sorted(unknown))}; known: {', '.join(FIGURES)}")
    from benchmarks.inputs import build_forms, one_form, unit_folder

    root = args.dir or Path(tempfile.mkdtemp(prefix="xlperf-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    forms = root / "forms500.xlsx"
    if chosen & {"inproc"} and not forms.exists():
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
    if "inproc" in chosen:
        in_process(forms, args.repeat)
    if "folder" in chosen:
        folder(unit_folder(root / "units", 1000), root, args.repeat)
    if "fix" in chosen:
        fix(root, args.repeat)
    if "startup" in chosen:
        start_up(one, args.repeat)
    if "udf" in chosen:
        udfs()
    if "server" in chosen:
        server(one, root, args.server_seconds, args.repeat)
    if "memory" in chosen:
        memory(unit_folder(root / "units3000", 3000), root)


if __name__ == "__main__":
    main()
