"""The registry of check codes: every code documented once, and everything that names a code
(findings.CODES, ``xlperf rule``, the README table, the template's formats) generated from it."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from xlperf.checks.unit import UNITS, Flag, unit
from xlperf.cli import main
from xlperf.findings import CODES
from xlperf.registry import REGISTRY, markdown_table, matching, rule_text, with_table
from xlperf.templates.department_sheet import department_checks
from xlperf.templates.project_sheet import check_formats as project_formats
from xlperf.templates.summary_sheet import check_formats as summary_formats

README = REPO / "README.md"
REGENERATE = ".venv/bin/python -m xlperf.registry README.md"
CODE = re.compile(r"\"(X[PSD]\d{3})\"")
HAN = re.compile(r"[\u4e00-\u9fff]")


def emitted_codes() -> set[str]:
    """Every code written as a literal in the package outside the registry and the templates."""
    out: set[str] = set()
    for path in (REPO / "xlperf").rglob("*.py"):
        rel = path.relative_to(REPO / "xlperf").parts
        if rel[0] in ("registry", "templates"):
            continue
        out |= set(CODE.findall(path.read_text(encoding="utf-8")))
    return out


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["rule", *args])
    return result.exit_code, result.stdout, result.stderr


def test_every_emitted_code_is_registered_and_every_registered_code_emitted() -> None:
    emitted = emitted_codes()
    assert len(emitted) >= 30
    assert not emitted - set(REGISTRY), (
        f"codes emitted but not in xlperf/registry: {emitted - set(REGISTRY)}"
    )
    assert not set(REGISTRY) - emitted, (
        f"codes in the registry that no check emits: {set(REGISTRY) - emitted}"
    )


@pytest.mark.parametrize("code", list(REGISTRY))
def test_every_code_is_documented(code: str) -> None:
    rule = REGISTRY[code]
    assert rule.code == code and re.fullmatch(r"X[PSD]\d{3}", code)
    assert rule.severity in ("error", "warning", "info")
    assert HAN.search(rule.title) and len(rule.title) <= 40
    assert HAN.search(rule.summary)
    for field in ("what", "why", "example", "fix"):
        text = getattr(rule, field)
        assert HAN.search(text), f"{code}.{field} has no Chinese documentation"
        sentences = [s for s in re.split(r"[。！？]", text) if s.strip()]
        assert 1 <= len(sentences) <= 4, f"{code}.{field}: {len(sentences)} sentences"
    assert code in rule.example, f"{code}: the example says what is reported"


def test_docs_are_specific_to_each_code() -> None:
    for field in ("title", "summary", "what", "example"):
        texts = [getattr(r, field) for r in REGISTRY.values()]
        assert len(set(texts)) == len(texts), f"two codes share one {field}"


def test_codes_are_derived_from_the_registry() -> None:
    assert {c: (r.severity, r.title) for c, r in REGISTRY.items()} == CODES
    families = [c[:2] for c in CODES]
    assert families == sorted(families, key=["XP", "XS", "XD"].index)
    assert all(
        list(g) == sorted(g) for g in ([c for c in CODES if c[:2] == f] for f in set(families))
    )


def test_registry_imports_no_check() -> None:
    """The registry sits below the checks: importing it loads neither checks nor findings."""
    code = (
        "import sys, xlperf.registry\n"
        "bad = [m for m in sys.modules if m.startswith(('xlperf.checks', 'xlperf.findings',"
        " 'xlperf.forms', 'xlperf.reader', 'xlperf.scoring', 'xlperf.templates'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=60)


def test_readme_table_is_generated_from_the_registry() -> None:
    text = README.read_text(encoding="utf-8")
    assert with_table(text) == text, (
        f"README.md 的检查代码表已过期：运行 `{REGENERATE}`（或 `xlperf rule --markdown`）重新生成"
    )
    for code in REGISTRY:
        assert f"| {code} |" in text


def test_with_table_replaces_a_stale_table() -> None:
    stale = "前文\n<!-- codes:start -->\n| XP101 | 错误 | 旧 |\n<!-- codes:end -->\n后文\n"
    fresh = with_table(stale)
    assert fresh.startswith("前文\n<!-- codes:start -->\n| 代码 |") and fresh.endswith(
        "<!-- codes:end -->\n后文\n"
    )
    assert "旧" not in fresh and with_table(fresh) == fresh
    with pytest.raises(ValueError):
        with_table("没有标记")


def test_rule_prints_the_chinese_documentation() -> None:
    code, out, _ = run("XP101")
    assert code == 0
    assert out == rule_text(REGISTRY["XP101"])
    rule = REGISTRY["XP101"]
    for heading, text in (
        ("检查内容", rule.what),
        ("为什么重要", rule.why),
        ("示例", rule.example),
        ("如何修改", rule.fix),
    ):
        assert heading in out and text in out
    assert out.startswith("XP101（错误）：执行率与全年执行数÷全年预算数不符")
    assert run("xp207")[1].startswith("XP207（警告）")  # case-insensitive


def test_rule_without_code_lists_every_code() -> None:
    code, out, _ = run()
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == list(REGISTRY)
    assert lines[0] == "XP000  错误  无法读取"


def test_rule_prefix_lists_those_codes() -> None:
    code, out, _ = run("XP1")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["XP101", "XP102", "XP103", "XP104"]
    assert [r.code for r in matching("XD41")] == ["XD411", "XD412", "XD413", "XD414"]


def test_rule_markdown_is_the_readme_table() -> None:
    code, out, _ = run("--markdown")
    assert code == 0 and out == markdown_table()
    assert run("XS", "--markdown")[1].count("\n") == 2 + 3


@pytest.mark.parametrize("bad", ["XQ101", "XP9", "101"])
def test_unknown_code_is_a_chinese_error(bad: str) -> None:
    code, out, err = run(bad)
    assert code == 2 and not out
    assert f"“{bad}”不是任何检查代码或其前缀" in err


def test_rule_help_is_chinese() -> None:
    result = CliRunner().invoke(main, ["rule", "-h"], prog_name="xlperf")
    assert result.exit_code == 0
    assert (
        "用法：xlperf rule [选项] [代码]" in result.stdout and "显示检查代码的说明" in result.stdout
    )


def test_template_formats_take_titles_from_the_registry() -> None:
    formats = project_formats() + summary_formats(True) + summary_formats(False)
    coded = [f for f in formats if f.code]
    assert {f.code for f in coded} >= {"XP103", "XP104", "XP201", "XP202", "XP203", "XS303"}
    for f in coded:
        assert f.code in REGISTRY
        assert (f.title, f.severity) == (REGISTRY[f.code].title, REGISTRY[f.code].severity)
    for f in formats:
        if not f.code:
            assert f.rule is None and f.title == ""
    assert {code for code, _, _ in department_checks(40, 41)} <= set(REGISTRY)


def test_every_code_is_one_unit() -> None:
    """A code's unit is its registry entry plus its one function, joined by the code: every
    documented code has exactly one function and every function its documentation; a function
    names no code (its decorator does), so it can emit only its own."""
    import xlperf.checks  # noqa: F401 (registers every unit)

    assert set(UNITS) == set(REGISTRY)
    for code, u in UNITS.items():
        assert u.code == code and u.check.__doc__, f"{code}: {u.check.__name__} has no docstring"
        body = inspect.getsource(u.check).split("\n", 1)[1]
        assert not CODE.search(body), f"{code}: {u.check.__name__} names a code"


def test_unit_refuses_a_bad_registration() -> None:
    def check(*args: object) -> Iterator[Flag]:
        """A unit."""
        yield Flag("A1", "消息")

    before = dict(UNITS)
    with pytest.raises(ValueError, match="kind 'test_registry'"):
        unit("XP101")(check)  # a module whose name is no form kind
    with pytest.raises(ValueError, match="XQ999 is not in xlperf/registry"):
        unit("XQ999", kind="project")(check)
    with pytest.raises(ValueError, match="XP101 is already rate_matches_amounts"):
        unit("XP101", kind="project")(check)
    assert before == UNITS
