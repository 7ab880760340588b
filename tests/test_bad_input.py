"""Bad input: one Chinese line naming the file, exit status 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from tests.builders import clean_project, write_project


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "xlperf", *args], capture_output=True, text=True, timeout=120
    )


def _corrupt(tmp: Path) -> Path:
    good = tmp / "good.xlsx"
    openpyxl.Workbook().save(good)
    data = good.read_bytes()
    path = tmp / "损坏.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _encrypted(tmp: Path) -> Path:
    plain = tmp / "plain.xlsx"
    wb = openpyxl.Workbook()
    write_project(wb.active, 1, clean_project())
    wb.save(plain)
    path = tmp / "加密.xlsx"
    with plain.open("rb") as src, path.open("wb") as dst:
        office = OOXMLFile(src)
        office.encrypt("secret", dst)
    return path


def _empty(tmp: Path) -> Path:
    path = tmp / "空白.xlsx"
    openpyxl.Workbook().save(path)
    return path


def _no_form(tmp: Path) -> Path:
    path = tmp / "无表.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "会议纪要"
    wb.active["B3"] = 42
    wb.save(path)
    return path


def _not_excel(tmp: Path) -> Path:
    path = tmp / "说明.xlsx"
    path.write_text("这不是表格", encoding="utf-8")
    return path


def _zip_not_excel(tmp: Path) -> Path:
    path = tmp / "压缩包.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    return path


CASES = {
    "corrupt": (_corrupt, "损坏"),
    "encrypted": (_encrypted, "密码"),
    "empty": (_empty, "为空"),
    "no_form": (_no_form, "未找到"),
    "not_excel": (_not_excel, "不是 Excel"),
    "zip_not_excel": (_zip_not_excel, "损坏"),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("command", ["check", "extract"])
def test_bad_input_is_one_clear_line(tmp_path: Path, case: str, command: str) -> None:
    make, words = CASES[case]
    path = make(tmp_path)
    result = _run(command, str(path))
    assert result.returncode == 2
    lines = [x for x in result.stderr.splitlines() if x.strip() and not x.startswith("共 ")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(str(path)) and words in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_file(tmp_path: Path) -> None:
    result = _run("check", str(tmp_path / "没有.xlsx"))
    assert result.returncode == 2 and "不存在" in result.stderr and "Traceback" not in result.stderr


def test_text_where_numbers_belong_names_the_cell(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目"
    write_project(ws, 1, clean_project())
    ws["E6"] = "见附件"  # 年度资金总额 全年执行数
    path = tmp_path / "文字.xlsx"
    wb.save(path)
    result = _run("check", str(path))
    assert result.returncode == 1
    line = next(x for x in result.stdout.splitlines() if "XP000" in x)
    assert line.startswith(f"{path}:项目!E6: XP000") and "见附件" in line


def test_one_bad_file_among_good_ones_still_checks_the_rest(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    wb = openpyxl.Workbook()
    write_project(wb.active, 1, clean_project())
    wb.save(good)
    result = _run("check", str(good), str(_not_excel(tmp_path)))
    assert result.returncode == 2
    assert "不是 Excel" in result.stderr


# --- numbers no form can hold (1e26, 1e300, 5000 digits): XP000 at the cell, never a crash ----


def _project_with(tmp: Path, name: str, edits: dict[str, object]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目"
    write_project(ws, 1, clean_project())
    for cell, value in edits.items():
        ws[cell] = value
    path = tmp / f"{name}.xlsx"
    wb.save(path)
    return path


OUT_OF_RANGE = {
    "amount_1e26": ("E5", 1e26),  # 年度资金总额 全年执行数
    "amount_1e300": ("D5", 1e300),  # 全年预算数
    "amount_26_digits_text": ("E5", "1" + "0" * 26),
    "weight_1e26": ("F12", 1e26),  # 分值
    "score_5000_digits_text": ("G12", "9" * 5000),  # 得分
    "total_1e20": ("G18", 1e20),  # 总分
    "tiny_text": ("D5", "0." + "0" * 29 + "1"),
}


@pytest.mark.parametrize("case", list(OUT_OF_RANGE))
def test_number_out_of_range_is_xp000_at_its_cell(tmp_path: Path, case: str) -> None:
    cell, value = OUT_OF_RANGE[case]
    path = _project_with(tmp_path, case, {cell: value})
    result = _run("check", str(path))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    line = next(x for x in result.stdout.splitlines() if "XP000" in x)
    assert line.startswith(f"{path}:项目!{cell}: XP000") and "超出可读取的数值范围" in line
    assert len(line) < 400  # 5000 digits are not quoted whole
    fixed = _run("fix", str(path), "-o", str(tmp_path / "out.xlsx"))
    assert fixed.returncode == 0, fixed.stderr
    assert "Traceback" not in fixed.stderr


def test_odd_numbers_read_or_reported_never_crash(tmp_path: Path) -> None:
    """NaN/inf text, negative zero, 1e-30, a 5000-digit 完成值 and 指标值, a huge target."""
    path = _project_with(
        tmp_path,
        "odd",
        {
            "E6": -0.0,
            "G13": "-0",
            "F5": "NaN",
            "G5": "inf",
            "C5": 1e-30,
            "E12": "1" * 5000 + "人",
            "D14": "≥" + "1" * 5000 + "人",
            "D15": 1e300,
        },
    )
    for args in (["check", str(path)], ["fix", str(path), "-o", str(tmp_path / "o.xlsx")]):
        result = _run(*args)
        assert result.returncode in (0, 1), result.stderr
        assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    lines = _run("check", str(path)).stdout.splitlines()
    assert any(x.startswith(f"{path}:项目!F5: XP000") and "NaN" in x for x in lines)
    assert not any("-0" in x.split(": ", 1)[1] for x in lines if "!G13:" in x)


def test_messages_format_any_decimal() -> None:
    from decimal import Decimal

    from xlperf.values import fmt_decimal, fmt_percent

    assert fmt_decimal(Decimal("1e300")) == "1.00E+300"
    assert fmt_percent(Decimal("1e26")).endswith("%")
    assert fmt_decimal(Decimal("-0.001")) == "0"
    assert fmt_decimal(Decimal("1e-30")) == "0"
    assert fmt_decimal(Decimal("16.06")) == "16.06"
    assert fmt_decimal(Decimal("NaN")) == "（非数值）"


# --- exit codes: 0 nothing wrong, 1 errors found, 2 could not process ------------------------


def test_clear_with_nothing_to_clear_exits_0(tmp_path: Path) -> None:
    path = _project_with(tmp_path, "未检查", {})
    before = path.read_bytes()
    result = _run("clear", str(path))
    assert result.returncode == 0, result.stderr
    assert "没有 xlperf 的检查标记可清除" in result.stdout and "未做任何更改" in result.stdout
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("bad.json", "{not json", ["不是有效的 JSON"]),
        ("bad.toml", "rate_cap = = 1", ["不是有效的 TOML"]),
        ("list.json", "[1, 2]", ["键值表"]),
        ("typo.json", '{"rate_cpa": 1}', ["未知的规则项", "rate_cpa"]),
        ("nested.toml", "[tolerance]\namout = 0.01\n", ["未知的规则项", "tolerance.amout"]),
        ("value.json", '{"rate_cap": "很多"}', ["rate_cap", "很多"]),
    ],
)
def test_unusable_rules_file_exits_2_naming_the_fault(
    tmp_path: Path, name: str, text: str, words: list[str]
) -> None:
    rules = tmp_path / name
    rules.write_text(text, encoding="utf-8")
    path = _project_with(tmp_path, "表", {})
    for command in ("check", "fix"):
        result = _run(command, "--rules", str(rules), str(path))
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        line = result.stderr.strip().splitlines()[0]
        assert line.startswith(str(rules)) and all(w in line for w in words), line
        assert "Traceback" not in result.stderr


def test_missing_rules_file_exits_2(tmp_path: Path) -> None:
    result = _run(
        "check", "--rules", str(tmp_path / "无.json"), str(_project_with(tmp_path, "a", {}))
    )
    assert (
        result.returncode == 2 and "无.json" in result.stderr and "Traceback" not in result.stderr
    )


def test_valid_rules_file_still_applies(tmp_path: Path) -> None:
    rules = tmp_path / "ok.toml"
    rules.write_text("score_places = 2\n[tolerance]\namount = 0.005\n", encoding="utf-8")
    result = _run("check", "--rules", str(rules), str(_project_with(tmp_path, "a", {})))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_code_or_prefix_exits_2_naming_it(tmp_path: Path, option: str) -> None:
    path = _project_with(tmp_path, "a", {"E5": "见附件"})
    result = _run("check", option, "XP1,NOPE", str(path))
    assert result.returncode == 2 and "NOPE" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    good = _run("check", option, "xp0,XS", str(path))  # prefixes of real codes, any case
    assert good.returncode in (0, 1), good.stderr


def _commands(group, path=()):
    import click

    yield path
    if isinstance(group, click.Group):
        for name, sub in group.commands.items():
            yield from _commands(sub, (*path, name))


CLICK_ENGLISH = (
    "Usage",
    "Options",
    "Show this message",
    "Commands",
    "Arguments",
    "Show the version",
    "[default",
    "required",
    "TEXT",
    "INTEGER",
    "PATH",
)


def test_every_help_is_chinese() -> None:
    from click.testing import CliRunner

    from xlperf.cli import main

    seen = 0
    for path in _commands(main):
        for flag in ("--help", "-h"):
            result = CliRunner().invoke(main, [*path, flag])
            assert result.exit_code == 0, (path, result.output)
            assert "用法：" in result.output and "选项：" in result.output
            for word in CLICK_ENGLISH:
                assert word not in result.output, (path, word, result.output)
        seen += 1
    assert seen >= 14
    version = CliRunner().invoke(main, ["--version"])
    assert version.exit_code == 0 and "版本" in version.output


def test_usage_errors_are_chinese_exit_2(tmp_path: Path) -> None:
    for args in (["check"], ["check", "--format", "xml", "a.xlsx"], ["chek"], ["fix", "--bogus"]):
        result = _run(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert "错误：" in result.stderr and "Error" not in result.stderr, result.stderr
        assert "No such" not in result.stderr, result.stderr
        assert "Usage" not in result.stderr and "Try " not in result.stderr


# --- an unexpected exception: one Chinese line naming the file, exit 2, no traceback ----------


def test_internal_error_is_one_line_naming_the_file(capsys, monkeypatch) -> None:
    from xlperf.cli.frame import Failed, reporting

    with pytest.raises(Failed), reporting("单位.xlsx"):
        {}["缺少的键"]  # a real KeyError, as a bug in a reader would raise
    err = capsys.readouterr().err.strip()
    assert err == "单位.xlsx: 内部错误（KeyError: '缺少的键'），请将此文件报告给开发者"
    monkeypatch.setenv("XLPERF_DEBUG", "1")
    with pytest.raises(KeyError), reporting("单位.xlsx"):
        {}["缺少的键"]


# --- legacy .xls: fix writes a new .xlsx; a real .xlsx named .xls is read by its content ------


def test_fix_xls_writes_a_new_xlsx_and_leaves_the_xls(tmp_path: Path) -> None:
    from tests.conftest import soffice

    exe = soffice()
    source = _project_with(tmp_path, "旧版", {"H5": None, "G18": 90})  # 得分 empty, 总分 wrong
    subprocess.run(
        [exe, "--headless", "--convert-to", "xls", "--outdir", str(tmp_path / "xls"), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    xls = tmp_path / "xls" / "旧版.xls"
    before = xls.read_bytes()
    out = tmp_path / "结果.xlsx"
    result = _run("fix", str(xls), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert xls.read_bytes() == before
    done = openpyxl.load_workbook(out)
    ws = done["项目"]
    assert ws["B2"].value == "示范项目" and ws["H5"].value == pytest.approx(9)
    assert "检查结果" in done.sheetnames and ws["G18"].comment is not None
    assert "XP204" in ws["G18"].comment.text
    default = _run("fix", str(xls))  # no -o: beside it, as .xlsx
    assert default.returncode == 0 and (xls.parent / "旧版_已检查.xlsx").exists(), default.stderr
    for args in (["--in-place"], ["-o", str(tmp_path / "x.xls")]):
        refused = _run("fix", str(xls), *args)
        assert refused.returncode == 2 and ".xlsx" in refused.stderr, refused.stderr
    assert xls.read_bytes() == before


def test_xlsx_named_xls_is_read_by_its_content(tmp_path: Path) -> None:
    path = _project_with(tmp_path, "其实是新版", {"E6": "见附件"})
    named = path.rename(tmp_path / "其实是新版.xls")
    result = _run("check", str(named))
    assert result.returncode == 1, result.stderr
    assert f"{named}:项目!E6: XP000" in result.stdout
    fixed = _run("fix", str(named), "-o", str(tmp_path / "out.xlsx"))
    assert fixed.returncode == 0, fixed.stderr


def test_department_form_with_out_of_range_figures(tmp_path: Path) -> None:
    """A 满意度 of 120% and a 参数 sheet asking for 1e14 decimals: findings or exit 2, no crash."""
    from tests.test_department import _seed004_workbook

    path = _seed004_workbook(tmp_path / "部门.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb["部门整体支出绩效自评表"]["C49"].value == "服务对象满意度"
    wb["部门整体支出绩效自评表"]["F49"] = 1.2
    wb.save(path)
    result = _run("check", str(path))
    assert result.returncode in (0, 1), result.stderr
    assert "内部错误" not in result.stderr and "Traceback" not in result.stderr
    assert wb["参数"]["A10"].value == "得分保留小数位数", wb["参数"]["A10"].value
    wb["参数"]["B10"] = 1e14
    wb.save(path)
    result = _run("check", str(path))
    assert result.returncode == 2 and "参数表无法读取" in result.stderr, result.stderr
    assert "score_places" in result.stderr and "内部错误" not in result.stderr


def test_infinity_stored_as_a_number_is_xp000(tmp_path: Path) -> None:
    """``<v>1e999</v>`` in a sheet's XML reads as an infinite float (openpyxl refuses ``NaN``)."""
    saved = _project_with(tmp_path, "原", {"E5": 0, "D5": 0})
    path = tmp_path / "非数.xlsx"
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                for cell, text in (("D5", b"1e999"), ("E5", b"-1e999")):
                    old = f'<c r="{cell}" t="n"><v>0</v></c>'.encode()
                    assert old in data
                    data = data.replace(
                        old, f'<c r="{cell}" t="n"><v>'.encode() + text + b"</v></c>"
                    )
            dst.writestr(item, data)
    result = _run("check", str(path))
    assert result.returncode == 1, result.stderr
    assert "内部错误" not in result.stderr and "Traceback" not in result.stderr
    cells = {x.split(": ")[0].rsplit("!", 1)[1] for x in result.stdout.splitlines() if "XP000" in x}
    assert {"D5", "E5"} <= cells, result.stdout


def test_every_number_option_is_bounded_and_refused_in_chinese() -> None:
    """A number out of an option's range (``serve --port 182012`` once reached the socket and
    ended in an internal error) is a usage error naming the option and its range."""
    import click
    from click.testing import CliRunner

    from xlperf.cli import main

    seen = []
    for path in _commands(main):
        command = main
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        for param in command.params:
            if not isinstance(param.type, click.types._NumberParamTypeBase):
                continue
            assert isinstance(param.type, click.IntRange | click.FloatRange), (path, param.name)
            low, high = param.type.min, param.type.max
            assert low is not None and high is not None, (path, param.name)
            option = param.opts[0]
            for bad in (low - 1, high + 1):
                rest = ["--token", "abcdefgh-1"] if path == ("serve",) else ["a.xlsx"]
                args = [*path, option, str(bad), *rest]
                result = CliRunner().invoke(main, args, prog_name="xlperf")
                assert result.exit_code == 2, (args, result.output)
                shown = float(bad) if isinstance(param.type, click.FloatRange) else bad
                message = f"错误：选项 {option} 的值无效：{shown} 不在范围"
                assert message in result.output, (args, result.output)
            seen.append((path, option))
    assert (("serve",), "--port") in seen and (("check",), "--jobs") in seen and len(seen) >= 9
    result = _run("serve", "--port", "182012", "--token", "abcdefgh-1")
    assert result.returncode == 2 and "内部错误" not in result.stderr
    assert "选项 --port 的值无效：182012 不在范围 1<=x<=65535 内" in result.stderr
