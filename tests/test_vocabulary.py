"""Each label lives in xlperf/vocabulary/: a string literal of the package that spells one of its
labels elsewhere is a second copy, which can drift from the first.

A label is any Chinese string constant of a vocabulary module (not its docstrings). A literal
elsewhere counts when it equals one exactly, outside what is prose by its place: docstrings,
the fragments of an f-string (messages), the help texts of the fronts (``help=``, ``doc=``,
``description=``, ``desc=``, ``metavar=``) and the registry (the codes' documentation).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "xlperf"
CJK = re.compile(r"[\u4e00-\u9fff]")
HELP_KEYWORDS = {"help", "doc", "description", "desc", "metavar"}

# Literals that spell a label by coincidence, each with why it is not a copy.
NOT_LABELS = {
    ("cli/frame.py", "参数"): "click's heading 'Arguments' in Chinese, not the 参数 sheet",
    ("templates/department_structure.py", "产出"): "the template's default 一级指标 (content)",
    ("templates/department_structure.py", "效益"): "the template's default 一级指标 (content)",
    ("templates/department_structure.py", "满意度"): "the template's default 二级指标 (content)",
}


def _literals(path: Path) -> set[str]:
    """The Chinese string constants of a module that are not prose by their place."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    prose: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            prose.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.JoinedStr):
            prose.update(id(v) for v in node.values)
        if isinstance(node, ast.keyword) and node.arg in HELP_KEYWORDS:
            prose.add(id(node.value))
    return {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and id(n) not in prose
        and CJK.search(n.value)
    }


def _labels() -> set[str]:
    return {s for p in (PACKAGE / "vocabulary").glob("*.py") for s in _literals(p)}


def _copies() -> set[tuple[str, str]]:
    labels = _labels()
    found = set()
    for path in PACKAGE.rglob("*.py"):
        where = path.relative_to(PACKAGE).as_posix()
        if where.startswith(("vocabulary/", "registry/")):
            continue
        found.update((where, s) for s in _literals(path) & labels)
    return found


def test_no_label_is_spelled_outside_the_vocabulary() -> None:
    found = _copies() - set(NOT_LABELS)
    assert not found, (
        f"labels spelled outside xlperf/vocabulary/ (import them instead): {sorted(found)}"
    )
    assert not set(NOT_LABELS) - _copies(), "a NOT_LABELS entry no longer occurs"


def test_the_scan_sees_a_copy_and_lets_prose_pass(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""全年预算数"""\n'
        'A = "全年预算数"\n'
        'B = f"全年预算数{1}"\n'
        'C = option(help="全年预算数")\n'
        'D = "全年预算数为 0，执行率无意义"\n',
        encoding="utf-8",
    )
    assert _literals(module) & _labels() == {"全年预算数"}
    assert "全年预算数" in _labels() and "自评得分" in _labels()
