"""The Excel add-in: reproducible build, VBA project, ribbon, compound file, compression, install."""

from __future__ import annotations

import io
import os
import random
import re
import struct
import subprocess
import warnings
import zipfile
from pathlib import Path

import olefile
import pytest
from lxml import etree

from tests.conftest import SHARED, soffice
from xlperf import excel
from xlperf.addin import build, cfb, install, ovba
from xlperf.server import ACTIONS

with warnings.catch_warnings():  # olevba's pyparsing grammar uses deprecated names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser, decompress_stream

SRC = build.SOURCE_DIR
CUSTOM_UI = SRC / "ribbon" / "customUI.xml"
NS_UI = "http://schemas.microsoft.com/office/2006/01/customui"
EXPECTED_ACTIONS = {
    "XlperfRecalcAndCheck": "recalc_and_check",
    "XlperfClearFlags": "clear_flags",
    "XlperfRollup": "rollup",
    "XlperfRollupOverwrite": "rollup_overwrite",
    "XlperfNewProjectSheet": "new_project_sheet",
    "XlperfGenerateReport": "generate_report",
    "XlperfAbout": "about",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build.build_addin(SRC, tmp_path_factory.mktemp("addin") / "xlperf.xlam")


@pytest.fixture(scope="module")
def modules() -> list[ovba.Module]:
    return build.addin_modules(SRC)


def _vba_bin(xlam: Path) -> bytes:
    with zipfile.ZipFile(xlam) as zf:
        return zf.read("xl/vbaProject.bin")


def _callbacks() -> dict[str, int]:
    """Every callback named in customUI.xml, with the number of parameters Office passes."""
    tree = etree.parse(str(CUSTOM_UI))
    found: dict[str, int] = {}
    for el in tree.iter(etree.Element):
        tag = etree.QName(el).localname
        for attr, name in el.attrib.items():
            if attr == "onLoad":
                found[name] = 1  # (ribbon As IRibbonUI)
            elif attr == "onAction":
                found[name] = 2 if tag in ("toggleButton", "checkBox") else 1
            elif attr.startswith("get"):
                found[name] = 2  # (control, ByRef returnedVal)
    return found


# (1) reproducible, and the committed add-in is what the sources build to ----------------------


def decrypt_parts(text: str) -> tuple[int, bytes, bytes]:
    """Seed, ignored bytes and data of an encrypted hex text (MS-OVBA §2.4.3.3): the inverse
    of the package's encrypt, to read back what it wrote."""
    raw = bytes.fromhex(text)
    seed, version_enc, proj_key_enc = raw[0], raw[1], raw[2]
    if seed ^ version_enc != 2:
        raise ValueError("not an MS-OVBA encrypted value (version is not 2)")
    unencrypted1, encrypted1, encrypted2 = seed ^ proj_key_enc, proj_key_enc, version_enc
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    n_ignored = (seed & 6) // 2
    length = struct.unpack_from("<I", plain, n_ignored)[0]
    data = bytes(plain[n_ignored + 4 :])
    if len(data) != length:
        raise ValueError("encrypted value has the wrong length")
    return seed, bytes(plain[:n_ignored]), data


def decrypt(text: str) -> bytes:
    """The data of an encrypted hex text; the inverse of :func:`ovba.encrypt`."""
    return decrypt_parts(text)[2]


def test_build_is_reproducible_and_matches_committed(built: Path, tmp_path: Path) -> None:
    again = build.build_addin(SRC, tmp_path / "again.xlam")
    assert again.read_bytes() == built.read_bytes()
    committed = build.ADDIN_PATH
    assert committed.is_file(), "addin/xlperf.xlam is missing: run build_addin() and commit it"
    assert committed.read_bytes() == built.read_bytes(), (
        "addin/xlperf.xlam is stale: rebuild it with xlperf.addin.build.build_addin() and commit"
    )


def test_package_parts(built: Path) -> None:
    with zipfile.ZipFile(built) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert all(
            i.date_time == build.ZIP_DATE and i.compress_type == zipfile.ZIP_STORED for i in infos
        )
        types = zf.read("[Content_Types].xml").decode()
        rels = zf.read("_rels/.rels").decode()
        wb_rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        assert zf.read("customUI/customUI.xml") == CUSTOM_UI.read_bytes().replace(b"\r\n", b"\n")
    assert (
        'PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.addin.macroEnabled.main+xml"'
        in types
    )
    assert 'ContentType="application/vnd.ms-office.vbaProject"' in types
    assert f'Type="{build.REL_UI}" Target="customUI/customUI.xml"' in rels
    assert f'Type="{build.REL_VBA}" Target="vbaProject.bin"' in wb_rels


# (2) olevba finds every module, and every ribbon callback is a Sub ------------------------------


def test_olevba_extracts_every_module(built: Path, modules: list[ovba.Module]) -> None:
    parser = VBA_Parser(str(built))
    try:
        assert parser.detect_vba_macros()
        extracted = {
            vba_filename.rsplit(".", 1)[0]: code
            for _, _, vba_filename, code in parser.extract_macros()
        }
    finally:
        parser.close()
    assert set(extracted) == {m.name for m in modules}
    for m in modules:
        got = extracted[m.name]
        got = got.decode(ovba.ENCODING) if isinstance(got, bytes) else got
        assert got.replace("\r\n", "\n").strip() == m.code.decode().replace("\r\n", "\n").strip()


def test_every_ribbon_callback_is_a_public_sub(modules: list[ovba.Module]) -> None:
    callbacks = _callbacks()
    assert set(EXPECTED_ACTIONS) <= set(callbacks)
    assert "XlperfRibbonOnLoad" in callbacks
    subs: dict[str, int] = {}
    for m in modules:
        for match in re.finditer(r"^(Public |Private )?Sub (\w+)\((.*)\)", m.source, re.M):
            if match.group(1) != "Private ":
                params = [p for p in match.group(3).split(",") if p.strip()]
                subs.setdefault(match.group(2), len(params))
    for name, arity in callbacks.items():
        assert name.startswith("Xlperf"), name
        assert name in subs, f"ribbon callback {name} is not a public Sub of any module"
        assert subs[name] == arity, f"{name} takes {subs[name]} parameters, Office passes {arity}"


def test_buttons_run_the_matching_python_function() -> None:
    source = (SRC / "vba" / "XlperfRibbon.bas").read_text(encoding="ascii")
    for callback, action in EXPECTED_ACTIONS.items():
        assert callable(getattr(excel, action, None)), f"xlperf.excel has no {action}()"
        assert action in ACTIONS, f"the server does not answer {action}"
        assert re.search(
            rf"Sub {callback}\(control As IRibbonControl\)\s+XlperfRun \"{action}\"", source
        )
    assert 'RunPython "import xlperf.excel as x; x." & action & "()"' in source
    assert (
        'RunServerPython url:=url & "/xlperf/" & action, auth:=CStr(GetConfig("XLPERF_TOKEN", ""))'
        in source
    )


def test_vba_project_streams(built: Path, modules: list[ovba.Module]) -> None:
    ole = olefile.OleFileIO(io.BytesIO(_vba_bin(built)))
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")
    for m in modules:  # compressed source at offset 0: no performance cache
        stream = ole.openstream(f"VBA/{m.name}").read()
        assert bytes(decompress_stream(bytearray(stream))) == m.code
    project = ole.openstream("PROJECT").read().decode(ovba.ENCODING)
    assert f'ID="{build.PROJECT_ID}"' in project and f'Name="{build.PROJECT_NAME}"' in project
    props = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', project, re.M))
    assert decrypt(props["CMG"]) == b"\0\0\0\0"  # not protected
    assert decrypt(props["DPB"]) == b"\0"  # no password
    assert decrypt(props["GC"]) == b"\xff"  # visible
    xlwings = next(m for m in modules if m.name == "xlwings")
    assert 'PROJECT_NAME As String = "xlperf"' in xlwings.source
    assert f'XLWINGS_VERSION As String = "{build.XLWINGS_VERSION}"' in xlwings.source


def _dir_records(vba_bin: bytes) -> list[tuple[int, bytes]]:
    """The records of the ``dir`` stream, parsed to the last byte."""
    ole = olefile.OleFileIO(io.BytesIO(vba_bin))
    data = _decompress(ole.openstream("VBA/dir").read())
    records, pos = [], 0
    while pos < len(data):
        rid, size = struct.unpack_from("<HI", data, pos)
        size = 6 if rid == 0x0009 else size  # PROJECTVERSION: Reserved (4) is not a size
        records.append((rid, data[pos + 6 : pos + 6 + size]))
        pos += 6 + size
    assert pos == len(data) and records[-1][0] == 0x0010
    return records


def test_dir_stream_is_laid_out_like_office(built: Path, modules: list[ovba.Module]) -> None:
    """Same record sequence as the dir stream Office wrote into xlwings' own add-in."""
    office = _dir_records(_vba_bin(build.xlwings_dir() / "addin" / "xlwings.xlam"))
    ours = _dir_records(_vba_bin(built))

    def shape(records: list[tuple[int, bytes]]) -> tuple[list[int], list[int]]:
        ids = [rid for rid, _ in records]
        first = ids.index(0x0019)
        return ids[:first], ids[first : ids.index(0x002B, first) + 1]

    assert shape(ours) == shape(office)
    assert [body for rid, body in ours if rid == 0x0019] == [m.name.encode() for m in modules]
    assert {body for rid, body in ours if rid == 0x0031} == {bytes(4)}  # every source at offset 0
    refs = [body[4:].split(b"#")[0] for rid, body in office if rid == 0x000D]
    assert refs == [body[4:].split(b"#")[0] for rid, body in ours if rid == 0x000D]


# (3) LibreOffice imports every module -----------------------------------------------------------


def test_libreoffice_sees_every_module(
    built: Path, modules: list[ovba.Module], tmp_path: Path
) -> None:
    exe = soffice()
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [
            exe,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--infilter=Calc MS Excel 2007 VBA XML",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path),
            str(built),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    prefix = f"Basic/{build.PROJECT_NAME}/"
    kinds = {}
    with zipfile.ZipFile(tmp_path / "xlperf.ods") as zf:
        for name in zf.namelist():
            if not name.startswith(prefix) or name.endswith("/script-lb.xml"):
                continue
            kind = re.search(r'script:moduleType="(\w+)"', zf.read(name).decode("utf-8"))
            kinds[name[len(prefix) :].removesuffix(".xml")] = kind.group(1)
    expected = {ovba.STANDARD: "normal", ovba.CLASS: "class", ovba.DOCUMENT: "document"}
    assert kinds == {m.name: expected[m.kind] for m in modules}


# (4) the ribbon XML -----------------------------------------------------------------------------


def _official_schema() -> Path | None:
    env = os.environ.get("XLPERF_CUSTOMUI_XSD")
    for path in (Path(env) if env else None, SHARED / "schemas" / "customUI.xsd"):
        if path is not None and path.is_file():
            return path
    return None


def _load_schema(path: Path) -> etree.XMLSchema:
    """The [MS-CUSTOMUI] schema as libxml2 accepts it.

    The published customUI.xsd re-declares, in some type extensions, attributes that the base
    type already has (e.g. ``AG_Enabled`` in ``CT_ButtonRegular``); .NET tolerates that, libxml2
    rejects it ("Duplicate attribute use"). Each such redundant re-declaration is dropped; the
    attributes stay declared by the base type, so the accepted documents are the same.
    """
    xs = "{http://www.w3.org/2001/XMLSchema}"
    doc = etree.parse(str(path))
    root = doc.getroot()
    groups = {g.get("name"): g for g in root.iterfind(f"{xs}attributeGroup")}

    def group_attrs(name: str) -> set[str]:
        out: set[str] = set()
        for el in groups[name]:
            if el.tag == f"{xs}attribute":
                out.add(el.get("name"))
            elif el.tag == f"{xs}attributeGroup":
                out |= group_attrs(el.get("ref"))
        return out

    for _ in range(100):
        try:
            return etree.XMLSchema(doc)
        except etree.XMLSchemaParseError as exc:
            match = re.search(r"complex type '(\w+)': Duplicate attribute use '(\w+)'", str(exc))
            if match is None:
                raise
            ctype, attr = match.groups()
            ext = root.find(f"{xs}complexType[@name='{ctype}']").find(f".//{xs}extension")
            redundant = next(
                el
                for el in ext
                if (el.tag == f"{xs}attributeGroup" and attr in group_attrs(el.get("ref")))
                or (el.tag == f"{xs}attribute" and el.get("name") == attr)
            )
            ext.remove(redundant)
    raise AssertionError("customUI.xsd: too many duplicate attribute uses")


def test_custom_ui_validates_against_official_schema() -> None:
    path = _official_schema()
    if path is None:
        pytest.skip(
            "the official [MS-CUSTOMUI] customUI.xsd is not in the repository; put it at "
            f"{SHARED / 'schemas' / 'customUI.xsd'} or set XLPERF_CUSTOMUI_XSD"
        )
    schema = _load_schema(path)
    doc = etree.parse(str(CUSTOM_UI))
    assert schema.validate(doc), schema.error_log


def test_custom_ui_structure() -> None:
    """What the schema also requires, checked without it; plus the namespace/relationship pair."""
    raw = CUSTOM_UI.read_bytes()
    raw.decode("utf-8")
    root = etree.fromstring(raw)
    assert root.tag == f"{{{NS_UI}}}customUI"  # the 2006/01 schema pairs with REL_UI (2006)
    assert build.REL_UI == "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
    ids = [el.get("id") for el in root.iter(etree.Element) if el.get("id")]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z_][\w.-]*", i) for i in ids)
    tab = root.find(f".//{{{NS_UI}}}tab")
    assert tab.get("label") == "绩效自评"
    for el in root.iter(etree.Element):
        for attr in ("label", "screentip", "supertip"):
            if attr in el.attrib:
                assert 1 <= len(el.get(attr)) <= 1024
        if etree.QName(el).localname in ("button", "toggleButton"):
            assert el.get("imageMso") and el.get("screentip") and el.get("supertip")
    labels = {
        el.get("onAction"): el.get("label") for el in root.iter(etree.Element) if el.get("onAction")
    }
    assert labels["XlperfRecalcAndCheck"] == "重新计算并检查"
    assert labels["XlperfClearFlags"] == "清除标记"
    assert labels["XlperfRollup"] == "汇总到汇总表"
    assert labels["XlperfRollupOverwrite"] == "覆盖汇总"
    assert labels["XlperfNewProjectSheet"] == "新增项目表"
    assert labels["XlperfGenerateReport"] == "生成自评报告"
    assert labels["XlperfAbout"] == "关于/帮助"


# (5) VBA sources are ASCII ----------------------------------------------------------------------


def test_vba_sources_are_ascii(modules: list[ovba.Module]) -> None:
    files = sorted((SRC / "vba").glob("*.*"))
    assert {p.stem for p in files} >= {"XlperfRibbon", "XlperfNotes"}
    for path in files:
        path.read_bytes().decode("ascii")
    for m in modules:
        m.code.decode("ascii")


def test_every_vba_file_is_built(tmp_path: Path) -> None:
    src = tmp_path / "addin"
    (src / "vba").mkdir(parents=True)
    (src / "ribbon").mkdir()
    (src / "ribbon" / "customUI.xml").write_bytes(CUSTOM_UI.read_bytes())
    (src / "vba" / "ExtraModule.bas").write_text(
        'Attribute VB_Name = "ExtraModule"\nSub A()\nEnd Sub\n'
    )
    (src / "vba" / "ExtraClass.cls").write_text(
        'VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1  \'True\nEND\nAttribute VB_Name = "ExtraClass"\n'
        "Attribute VB_GlobalNameSpace = False\nAttribute VB_Creatable = False\n"
        "Attribute VB_PredeclaredId = False\nAttribute VB_Exposed = False\nPublic X As Long\n"
    )
    names = {m.name: m for m in build.addin_modules(src)}
    assert {"ExtraModule", "ExtraClass", "xlwings", "Remote"} <= set(names)
    cls = names["ExtraClass"]
    assert cls.kind == ovba.CLASS and not cls.source.startswith("VERSION")
    assert f'Attribute VB_Base = "{ovba.CLASS_BASE}"' in cls.source
    (src / "vba" / "Bad.bas").write_bytes('Attribute VB_Name = "Bad"\n\' 中文\n'.encode())
    with pytest.raises(build.BuildError, match="ASCII"):
        build.addin_modules(src)


# (6) the compound file writer and the OVBA compressor -------------------------------------------


def _check_red_black(ole: olefile.OleFileIO) -> None:
    entries = ole.direntries

    def walk(sid: int) -> tuple[int, list[str]]:
        """Black height of the subtree and its names in order; asserts the colour rules."""
        if sid == cfb.NOSTREAM:
            return 1, []
        e = entries[sid]
        for child in (e.sid_left, e.sid_right):
            if e.color == cfb.RED and child != cfb.NOSTREAM:
                assert entries[child].color == cfb.BLACK, "red node with a red child"
        left_h, left = walk(e.sid_left)
        right_h, right = walk(e.sid_right)
        assert left_h == right_h, "paths with different numbers of black nodes"
        return left_h + (e.color == cfb.BLACK), [*left, e.name, *right]

    for e in entries:
        if (
            e is not None
            and e.entry_type in (cfb.TYPE_STORAGE, cfb.TYPE_ROOT)
            and e.sid_child != cfb.NOSTREAM
        ):
            assert entries[e.sid_child].color == cfb.BLACK
            _, names = walk(e.sid_child)
            assert names == sorted(names, key=cfb.name_key)


def test_cfb_round_trip() -> None:
    rng = random.Random(5)
    streams = {f"S{i:03d}": rng.randbytes(rng.randrange(1, 200)) for i in range(150)}
    for size in (63, 64, 65, 4095, 4096, 4097, 70_000, 600_000):
        streams[f"Big/s{size}"] = rng.randbytes(size)
    streams["Big/Deeper/x"] = b"x"
    streams["Empty"] = b""
    data = cfb.write_compound_file(streams)
    assert data == cfb.write_compound_file(dict(reversed(streams.items())))
    assert len(data) % cfb.SECTOR == 0
    ole = olefile.OleFileIO(io.BytesIO(data))
    for path, content in streams.items():
        assert ole.openstream(path).read() == content, path
    listed = {"/".join(p) for p in ole.listdir(streams=True, storages=False)}
    assert listed == set(streams)
    _check_red_black(ole)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 100])
def test_cfb_trees_are_red_black(count: int) -> None:
    ole = olefile.OleFileIO(
        io.BytesIO(cfb.write_compound_file({f"n{i}": b"." for i in range(count)}))
    )
    _check_red_black(ole)


def test_built_vba_project_is_a_valid_compound_file(built: Path) -> None:
    ole = olefile.OleFileIO(io.BytesIO(_vba_bin(built)))
    _check_red_black(ole)


def _decompress(data: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(data)))


def test_ovba_compression_round_trips() -> None:
    rng = random.Random(7)
    for size in (0, 1, 2, 3, 17, 1000, 3640, 4096, 4097, 8192, 12_345, 40_000):
        data = rng.randbytes(size)
        assert _decompress(ovba.compress(data)) == data, size
    for size in (10, 4096, 50_000):
        data = bytes(rng.choice(b"ab ") for _ in range(size))
        assert _decompress(ovba.compress(data)) == data
        assert _decompress(ovba.compress(b"z" * size)) == b"z" * size
    # A last chunk that does not compress is stored raw, which [MS-OVBA] pads to 4096 bytes.
    tail = rng.randbytes(4000)
    assert _decompress(ovba.compress(tail)) == tail.ljust(4096, b"\0")


def test_ovba_compression_of_real_modules(modules: list[ovba.Module]) -> None:
    for m in modules:
        packed = ovba.compress(m.code)
        assert _decompress(packed) == m.code, m.name
        assert len(packed) < len(m.code), m.name


def test_ovba_encryption_matches_office() -> None:
    """Re-encrypting an Office-written project's CMG/DPB/GC with its seeds gives the same text."""
    quickstart = Path(build.xlwings_dir()) / "quickstart_addin_ribbon.xlam"
    project = olefile.OleFileIO(io.BytesIO(_vba_bin(quickstart))).openstream("PROJECT").read()
    text = project.decode(ovba.ENCODING)
    project_id = re.search(r'^ID="(\{[0-9A-F-]+\})"', text, re.M).group(1)
    values = re.findall(r'^(?:CMG|DPB|GC)="([0-9A-F]+)"', text, re.M)
    assert len(values) == 3
    for value in values:
        seed, ignored, data = decrypt_parts(value)
        assert ovba.encrypt(data, project_id, seed, ignored) == value
    assert decrypt(ovba.encrypt(b"secret", "{X}", 0x17)) == b"secret"


# install / remove / status ----------------------------------------------------------------------


def test_install_remove_status(built: Path, tmp_path: Path) -> None:
    xlstart = tmp_path / "XLSTART"
    conf = tmp_path / "conf" / "xlperf.conf"
    assert "未安装" in install.status(xlstart, addin=built)
    message = install.install(xlstart, addin=built, config_file=conf)
    assert "已安装加载项" in message
    assert (xlstart / "xlperf.xlam").read_bytes() == built.read_bytes()
    assert re.search(r'^"INTERPRETER_(WIN|MAC)","', conf.read_text(encoding="utf-8"), re.M)
    assert "已指定 Python" in install.install(xlstart, addin=built, config_file=conf)
    assert install.status(xlstart, addin=built).startswith("加载项已安装")
    assert "已删除" in install.remove(xlstart)
    assert not (xlstart / "xlperf.xlam").exists()
    assert "未安装" in install.remove(xlstart)


def test_no_excel_on_linux(tmp_path: Path) -> None:
    for func in (install.install, install.remove):
        assert func(platform="linux") == install.NO_EXCEL
    said = install.status(platform="linux")
    assert "只适用于 Windows 和 macOS" in said and "XLSTART" in said and "未做任何更改" not in said
    assert install.default_locations("linux") is None


def test_default_locations() -> None:
    home = Path("/home/u")
    mac = install.default_locations("darwin", home)
    assert mac.startup == home / (
        "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel"
    )
    assert mac.config_file == home / "Library/Containers/com.microsoft.Excel/Data/xlperf.conf"
    win = install.default_locations("win32", home)
    assert win.startup.parts[-3:] == ("Microsoft", "Excel", "XLSTART")
    assert win.config_file.parts[-2:] == (".xlperf", "xlperf.conf")
