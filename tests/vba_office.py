"""Run the add-in's own VBA in LibreOffice, headless, through UNO: a script for the Python that
has Debian's ``uno`` module (python3-uno), not for the test's virtual environment.

It opens the built add-in (``.xlam``) in LibreOffice, which imports its VBA project with its own
reader and runs it in VBA compatibility mode, as Excel opens the add-in beside the user's
workbook. Every module is first compiled alone (a module LibreOffice's Basic cannot compile
stops the whole library from running); those are taken out of the library, and reported. Then
each workbook of the job is opened (visible to UNO: some VBA calls need a view), saved once
as LibreOffice reads it, and each step calls one macro of ``XlperfNotes`` with the workbook's
name first, as the desktop path does (``app.macro(name)(book.name, *args)``), and saves.

Usage: ``python3 tests/vba_office.py JOB.json`` where the job is
``{"soffice": exe, "addin": path, "profile": dir, "books": [{"path": xlsx, "start": xlsx,
"steps": [{"macro": name, "args": [...], "save": xlsx}]}]}``. Prints JSON: the modules'
source as LibreOffice holds it, the modules left out, and each step's outcome ("ok" or the
Basic error).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

LIBRARY = "xlperf"  # the VBA project's name, which LibreOffice gives the Basic library
MODULE = "XlperfNotes"
XLSX = "Calc Office Open XML"
PROBE = 'Option VBASupport 1\nFunction Probe() As String\n    Probe = "compiled"\nEnd Function\n'
# One runner per macro: calls it with the workbook's name and reports a Basic error as text
# (a headless LibreOffice would otherwise swallow it with its error box).
PARAMETERS = {
    "XlperfMark": ("payload", "separator"),
    "XlperfUnmark": (),
    "XlperfCopySheet": ("source", "newName", "inputs"),
    "XlperfLayout": ("sheet", "payload"),
    "XlperfClearRange": ("sheet", "address"),
    "XlperfFormats": ("payload",),
}
RUNNER_FUNCTION = """Function Run{macro}({params}) As String
    On Error GoTo failed
    {macro} {args}
    Run{macro} = "ok"
    Exit Function
failed:
    Run{macro} = "Basic error " & Err.Number & ": " & Err.Description
End Function
"""
RUNNER = "Option VBASupport 1\n" + "\n".join(
    RUNNER_FUNCTION.format(
        macro=macro,
        params=", ".join(f"ByVal {p} As Variant" for p in ("wb", *names)),
        args=", ".join(("wb", *names)),
    )
    for macro, names in PARAMETERS.items()
)
RUNNERS = {macro: f"Run{macro}" for macro in PARAMETERS}


def _props(**values: object) -> tuple[PropertyValue, ...]:
    out = []
    for name, value in values.items():
        p = PropertyValue()
        p.Name, p.Value = name, value
        out.append(p)
    return tuple(out)


def _connect(soffice: str, profile: Path) -> tuple[subprocess.Popen, object]:
    pipe = f"xlperf_vba_{uuid.uuid4().hex}"
    proc = subprocess.Popen(
        [
            soffice,
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"-env:UserInstallation={profile.as_uri()}",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:  # noqa: BLE001 - not listening yet
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.1)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return proc, desktop


def _script(doc: object, library: str, module: str, function: str) -> object:
    url = f"vnd.sun.star.script:{library}.{module}.{function}?language=Basic&location=document"
    return doc.getScriptProvider().getScript(url)


def _uncompiled(addin: object) -> list[str]:
    """The modules LibreOffice's Basic cannot compile, each tried alone in a library of its own
    (with its module type) beside a probe function."""
    libraries = addin.BasicLibraries
    source = libraries.getByName(LIBRARY)
    failed = []
    for n, name in enumerate(source.ElementNames):
        trial = f"XlperfProbe{n}"
        lib = libraries.createLibrary(trial)
        lib.insertByName(name, source.getByName(name))
        if source.hasModuleInfo(name):
            lib.insertModuleInfo(name, source.getModuleInfo(name))
        lib.insertByName("XlperfProbe", PROBE)
        result = _script(addin, trial, "XlperfProbe", "Probe").invoke((), (), ())[0]
        libraries.removeLibrary(trial)
        if result != "compiled":
            failed.append(name)
    return failed


def run(job: dict) -> dict:
    proc, desktop = _connect(job["soffice"], Path(job["profile"]))
    out: dict = {"steps": []}
    try:
        addin = desktop.loadComponentFromURL(
            Path(job["addin"]).as_uri(),
            "_blank",
            0,
            _props(Hidden=True, MacroExecutionMode=4, FilterName="Calc MS Excel 2007 VBA XML"),
        )
        libraries = addin.BasicLibraries
        libraries.loadLibrary(LIBRARY)
        library = libraries.getByName(LIBRARY)
        out["modules"] = {name: library.getByName(name) for name in library.ElementNames}
        out["uncompiled"] = _uncompiled(addin)
        for name in out["uncompiled"]:
            library.removeByName(name)
        library.insertByName("XlperfTestRunner", RUNNER)
        for book in job["books"]:
            doc = desktop.loadComponentFromURL(Path(book["path"]).as_uri(), "_blank", 0, ())
            try:
                doc.storeToURL(Path(book["start"]).as_uri(), _props(FilterName=XLSX))
                for step in book["steps"]:
                    runner = _script(addin, LIBRARY, "XlperfTestRunner", RUNNERS[step["macro"]])
                    began = time.monotonic()
                    result = runner.invoke((doc.Title, *step["args"]), (), ())[0]
                    seconds = round(time.monotonic() - began, 2)
                    doc.storeToURL(Path(step["save"]).as_uri(), _props(FilterName=XLSX))
                    out["steps"].append(
                        {"macro": step["macro"], "result": result, "seconds": seconds}
                    )
            finally:
                doc.close(True)
        addin.close(True)
    finally:
        with contextlib.suppress(Exception):  # the bridge goes down with the office
            desktop.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out


if __name__ == "__main__":
    print(json.dumps(run(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))))
