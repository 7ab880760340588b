"""Install, remove and report the xlperf add-in in Excel's startup folder (XLSTART).

The add-in carries its own copy of the xlwings VBA client, so the xlwings add-in is not needed.
Installing also writes the user settings file the add-in reads (``xlperf.conf``) with this
Python as the interpreter, unless the file already names one, and on macOS copies xlwings'
AppleScript that ``RunPython`` needs. Every function returns a message in Chinese; on a system
without Excel (Linux) they do nothing unless ``target_dir`` is given, which tests use.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from xlperf.addin.build import ADDIN_PATH, XLWINGS_VERSION

ADDIN_NAME = "xlperf.xlam"
NO_EXCEL = (
    "Excel 加载项只适用于 Windows 和 macOS 上的 Excel；本机不是 Windows 或 macOS，"
    "没有 Excel，未做任何更改。"
)
WHERE = (
    "在 Windows 上，加载项安装到 %APPDATA%\\Microsoft\\Excel\\XLSTART\\xlperf.xlam；"
    "在 macOS 上，安装到 ~/Library/Group Containers/UBF8T346G9.Office/User Content.localized/"
    "Startup.localized/Excel/xlperf.xlam。在本机仍可使用命令行（xlperf check、fix 等）。"
)
NO_EXCEL_STATUS = (
    "Excel 加载项只适用于 Windows 和 macOS 上的 Excel；本机不是 Windows 或 macOS，"
    "加载项不会安装在本机，也无从查看其状态。" + WHERE
)


@dataclass(frozen=True)
class Locations:
    """Where the add-in, its settings and (macOS) the RunPython AppleScript go."""

    startup: Path
    config_file: Path | None = None
    applescript_dir: Path | None = None


def default_locations(platform: str | None = None, home: Path | None = None) -> Locations | None:
    """Excel's user startup folder and the add-in's settings file; ``None`` without Excel."""
    platform = platform or sys.platform
    home = home or Path.home()
    if platform.startswith("win"):
        appdata = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
        profile = Path(os.environ.get("USERPROFILE") or home)
        return Locations(
            startup=appdata / "Microsoft" / "Excel" / "XLSTART",
            config_file=profile / ".xlperf" / "xlperf.conf",
        )
    if platform == "darwin":
        library = home / "Library"
        return Locations(
            startup=library
            / "Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel",
            config_file=library / "Containers/com.microsoft.Excel/Data/xlperf.conf",
            applescript_dir=library / "Application Scripts/com.microsoft.Excel",
        )
    return None


def _locations(target_dir: Path | None, platform: str | None) -> Locations | None:
    if target_dir is not None:
        return Locations(startup=Path(target_dir))
    return default_locations(platform)


def _config_encoding(platform: str) -> str:
    """VBA reads the settings file in the ANSI code page on Windows (e.g. GBK for a Chinese user name)."""
    return "mbcs" if platform.startswith("win") and sys.platform.startswith("win") else "utf-8"


def _read_config(path: Path, encoding: str) -> list[tuple[str, str]]:
    """Key/value lines of an xlwings-style config file (``"KEY","value"``)."""
    pairs = []
    for line in path.read_text(encoding=encoding, errors="replace").splitlines():
        if "," in line:
            key, value = line.split(",", 1)
            pairs.append((key.strip().strip('"'), value.strip().strip('"')))
    return pairs


def _write_interpreter(config_file: Path, platform: str) -> str:
    key = "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"
    encoding = _config_encoding(platform)
    pairs = _read_config(config_file, encoding) if config_file.exists() else []
    if any(k.upper() in (key, "INTERPRETER") for k, _ in pairs):
        return f"设置文件 {config_file} 已指定 Python，未修改。"
    pairs.append((key, sys.executable))
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text("".join(f'"{k}","{v}"\n' for k, v in pairs), encoding=encoding)
    return f"已在设置文件 {config_file} 中写入 {key} = {sys.executable}。"


def _version_note() -> str:
    try:
        import xlwings
    except ImportError:
        return f"注意：本机 Python 未安装 xlwings，本机模式需要 xlwings=={XLWINGS_VERSION}。"
    if xlwings.__version__ != XLWINGS_VERSION:
        return (
            f"注意：本机 xlwings 版本为 {xlwings.__version__}，加载项需要 {XLWINGS_VERSION}，"
            f"本机模式将无法运行：请执行 pip install xlwings=={XLWINGS_VERSION}。"
        )
    return ""


def install(
    target_dir: Path | None = None,
    *,
    addin: Path = ADDIN_PATH,
    config_file: Path | None = None,
    platform: str | None = None,
) -> str:
    """Copy the add-in to XLSTART (or ``target_dir``) and set up what ``RunPython`` needs.

    ``config_file`` overrides where this Python is recorded as the add-in's interpreter (by
    default the user settings file on Windows and macOS, none with ``target_dir``).
    """
    platform = platform or sys.platform
    where = _locations(target_dir, platform)
    if where is None:
        return NO_EXCEL
    if config_file is not None:
        where = Locations(where.startup, Path(config_file), where.applescript_dir)
    addin = Path(addin)
    if not addin.is_file():
        return f"找不到加载项文件 {addin}，请先生成加载项（xlperf addin build）。"
    target = where.startup / ADDIN_NAME
    try:
        where.startup.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(addin, target)
    except PermissionError:
        return f"无法写入 {target}：请先退出 Excel 再试。"
    except OSError as exc:
        return f"无法安装加载项到 {target}：{exc}"
    lines = [f"已安装加载项：{target}。重新启动 Excel 后，功能区出现“绩效自评”选项卡。"]
    try:
        if where.config_file is not None:
            lines.append(_write_interpreter(where.config_file, platform))
        if where.applescript_dir is not None:
            lines.append(_install_applescript(where.applescript_dir))
    except OSError as exc:
        lines.append(f"加载项已复制，但设置未能写入：{exc}")
    note = _version_note()
    if note:
        lines.append(note)
    return "\n".join(lines)


def _install_applescript(directory: Path) -> str:
    import xlwings

    name = f"xlwings-{xlwings.__version__}.applescript"
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(xlwings.__file__).parent / name, directory / name)
    return f"已复制 RunPython 所需的 {name} 到 {directory}。"


def _installed(target_dir: Path | None, platform: str | None) -> Path | str:
    """The installed add-in, or the sentence saying why there is none."""
    where = _locations(target_dir, platform)
    if where is None:
        return NO_EXCEL
    target = where.startup / ADDIN_NAME
    return target if target.exists() else f"加载项未安装（{target} 不存在）。"


def remove(target_dir: Path | None = None, *, platform: str | None = None) -> str:
    """Delete the add-in from XLSTART (or ``target_dir``); settings are kept."""
    target = _installed(target_dir, platform)
    if isinstance(target, str):
        return target
    try:
        target.unlink()
    except PermissionError:
        return f"无法删除 {target}：请先退出 Excel 再试。"
    except OSError as exc:
        return f"无法删除 {target}：{exc}"
    return f"已删除加载项 {target}。重新启动 Excel 后生效；设置文件保留。"


def status(
    target_dir: Path | None = None, *, addin: Path = ADDIN_PATH, platform: str | None = None
) -> str:
    """Whether the add-in is installed, and whether it is the same as the built one."""
    if _locations(target_dir, platform) is None:
        return NO_EXCEL_STATUS
    target = _installed(target_dir, platform)
    if isinstance(target, str):
        return target
    addin = Path(addin)
    if addin.is_file() and addin.read_bytes() != target.read_bytes():
        return f"加载项已安装：{target}，但与 {addin} 不同，请重新安装。"
    return f"加载项已安装：{target}。"
