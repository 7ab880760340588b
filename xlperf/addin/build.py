"""Build ``addin/xlperf.xlam`` from text sources, reproducibly (same sources → same bytes).

Sources, under ``src`` (the repository's ``addin/`` folder):

- ``ribbon/customUI.xml``: the ribbon (UTF-8, Chinese labels);
- ``vba/*.bas``, ``vba/*.cls``: our VBA modules (ASCII), every one of them included.

The xlwings VBA client the add-in needs to run on its own (no xlwings add-in required) is read
from the installed xlwings package at build time, never vendored: ``xlwings_custom_addin.bas``
(RunPython and settings, with ``PROJECT_NAME`` set to ``xlperf`` so settings come from
``xlperf.conf``) plus ``Dictionary.cls`` and the modules of ``RunServerPython``: the set that
``xlwings quickstart --addin --ribbon --server`` puts into a custom add-in. Their version is pinned
(:data:`XLWINGS_VERSION`): the VBA must match the Python package it talks to, and the committed
add-in is compared byte for byte with a fresh build.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from xlperf.addin import ovba

XLWINGS_VERSION = "0.37.8"
XLWINGS_FILES = (
    "xlwings_custom_addin.bas",
    "addin/Dictionary.cls",
    "addin/Remote.bas",
    "addin/WebHelpers.bas",
    "addin/IWebAuthenticator.cls",
    "addin/WebClient.cls",
    "addin/WebRequest.cls",
    "addin/WebResponse.cls",
)
PROJECT_NAME = "xlperf"
PROJECT_ID = "{6F1C2E0A-5B8D-4C3E-9A7F-2D4B6E8A0C11}"
SHEET_NAME = "xlperf"

REPO = Path(__file__).resolve().parents[2]
SOURCE_DIR = REPO / "addin"
ADDIN_PATH = SOURCE_DIR / "xlperf.xlam"

ZIP_DATE = (1980, 1, 1, 0, 0, 0)

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_UI = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
REL_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class BuildError(Exception):
    """The add-in cannot be built from these sources."""


def xlwings_dir() -> Path:
    """The installed xlwings package, checked against the pinned version."""
    import xlwings

    if xlwings.__version__ != XLWINGS_VERSION:
        raise BuildError(
            f"the add-in embeds the VBA of xlwings {XLWINGS_VERSION}, but xlwings "
            f"{xlwings.__version__} is installed: pip install xlwings=={XLWINGS_VERSION}"
        )
    return Path(xlwings.__file__).resolve().parent


def xlwings_modules() -> list[ovba.Module]:
    """The xlwings VBA modules, read from the installed package."""
    base = xlwings_dir()
    modules = []
    for rel in XLWINGS_FILES:
        path = base / rel
        text = path.read_bytes().decode(ovba.ENCODING)
        if rel == "xlwings_custom_addin.bas":
            const = 'Public Const PROJECT_NAME As String = "myaddin"'
            version = f'Public Const XLWINGS_VERSION As String = "{XLWINGS_VERSION}"'
            if text.count(const) != 1 or version not in text:
                raise BuildError(f"{path}: unexpected content (PROJECT_NAME or XLWINGS_VERSION)")
            text = text.replace(const, f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"')
        modules.append(ovba.module_from_text(text, path.name))
    return modules


def own_modules(src: Path) -> list[ovba.Module]:
    """Every ``vba/*.bas`` and ``vba/*.cls`` under ``src``, in file-name order; ASCII only."""
    paths = sorted(p for p in (src / "vba").iterdir() if p.suffix.lower() in (".bas", ".cls"))
    for path in paths:
        try:
            path.read_bytes().decode("ascii")
        except UnicodeDecodeError as exc:
            raise BuildError(f"{path}: VBA sources must be ASCII ({exc})") from None
    return [ovba.module_from_file(p) for p in paths]


def addin_modules(src: Path) -> list[ovba.Module]:
    """All modules of the add-in's VBA project, in project order."""
    modules = [
        ovba.document_module("ThisWorkbook", ovba.WORKBOOK_BASE),
        ovba.document_module("Sheet1", ovba.WORKSHEET_BASE),
        *xlwings_modules(),
        *own_modules(src),
    ]
    seen: dict[str, str] = {}
    for m in modules:
        if m.name.upper() in seen:
            raise BuildError(f"two VBA modules are named {m.name!r}")
        seen[m.name.upper()] = m.name
    return modules


def _rels(items: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in items
    )
    return f'{XML_DECL}<Relationships xmlns="{NS_PKG_REL}">{body}</Relationships>'


def _content_types() -> str:
    overrides = [
        ("/xl/workbook.xml", "application/vnd.ms-excel.addin.macroEnabled.main+xml"),
        (
            "/xl/worksheets/sheet1.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
        ),
        (
            "/xl/styles.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml",
        ),
        ("/xl/vbaProject.bin", "application/vnd.ms-office.vbaProject"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        (
            "/docProps/app.xml",
            "application/vnd.openxmlformats-officedocument.extended-properties+xml",
        ),
    ]
    return (
        f'{XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        + "</Types>"
    )


def _workbook() -> str:
    return (
        f'{XML_DECL}<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
        '<workbookPr codeName="ThisWorkbook"/>'
        '<bookViews><workbookView visibility="hidden"/></bookViews>'
        f'<sheets><sheet name="{SHEET_NAME}" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )


SHEET_LINES = (
    "xlperf 预算绩效自评加载项",
    f"内含 xlwings {XLWINGS_VERSION} 的 VBA；本机模式需要 Python 安装 xlperf 和 xlwings=={XLWINGS_VERSION}",
    "设置（XLPERF_MODE、XLPERF_SERVER_URL、XLPERF_TOKEN、INTERPRETER_WIN/INTERPRETER_MAC）见 xlperf.conf",
)


def _sheet() -> str:
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{escape(text)}</t></is></c></row>'
        for i, text in enumerate(SHEET_LINES, start=1)
    )
    return (
        f'{XML_DECL}<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
        f'<sheetPr codeName="Sheet1"/><dimension ref="A1:A{len(SHEET_LINES)}"/>'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )


def _styles() -> str:
    return (
        f'{XML_DECL}<styleSheet xmlns="{NS_MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def _core() -> str:
    return (
        f"{XML_DECL}<cp:coreProperties"
        ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:title>xlperf 预算绩效自评</dc:title>"
        f"<dc:description>绩效自评功能区：检查、清除标记、汇总、新增项目表、生成自评报告（xlwings {XLWINGS_VERSION}）</dc:description>"
        "<dc:creator>xlperf</dc:creator>"
        "</cp:coreProperties>"
    )


def _app() -> str:
    return (
        f"{XML_DECL}<Properties"
        ' xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Excel</Application></Properties>"
    )


def addin_parts(src: Path) -> dict[str, bytes]:
    """Every part of the add-in package, by zip entry name."""
    # UTF-8 with LF line ends whatever the checkout did to them (the bytes must not vary).
    custom_ui = (src / "ribbon" / "customUI.xml").read_bytes().replace(b"\r\n", b"\n")
    custom_ui.decode("utf-8")
    vba = ovba.vba_project_bin(PROJECT_NAME, PROJECT_ID, addin_modules(src))
    texts = {
        "[Content_Types].xml": _content_types(),
        "_rels/.rels": _rels(
            [
                ("rId1", f"{REL_OFFICE}/officeDocument", "xl/workbook.xml"),
                ("rId2", REL_CORE, "docProps/core.xml"),
                ("rId3", f"{REL_OFFICE}/extended-properties", "docProps/app.xml"),
                ("rId4", REL_UI, "customUI/customUI.xml"),
            ]
        ),
        "docProps/app.xml": _app(),
        "docProps/core.xml": _core(),
        "xl/_rels/workbook.xml.rels": _rels(
            [
                ("rId1", f"{REL_OFFICE}/worksheet", "worksheets/sheet1.xml"),
                ("rId2", f"{REL_OFFICE}/styles", "styles.xml"),
                ("rId3", REL_VBA, "vbaProject.bin"),
            ]
        ),
        "xl/styles.xml": _styles(),
        "xl/workbook.xml": _workbook(),
        "xl/worksheets/sheet1.xml": _sheet(),
    }
    parts = {name: text.encode("utf-8") for name, text in texts.items()}
    parts["customUI/customUI.xml"] = custom_ui
    parts["xl/vbaProject.bin"] = vba
    return parts


def build_addin(src: Path = SOURCE_DIR, out: Path = ADDIN_PATH) -> Path:
    """Write the add-in built from ``src`` to ``out`` and return ``out``.

    Deterministic: entries sorted by name, stored uncompressed (no dependence on the zlib
    version), dated 1980-01-01, with fixed attributes.
    """
    parts = addin_parts(Path(src))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name in sorted(parts):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 0
            info.external_attr = 0
            zf.writestr(info, parts[name])
    tmp.replace(out)
    return out
