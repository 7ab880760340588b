"""Findings and the stable check codes users filter and suppress by."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, field_serializer

Severity = Literal["error", "warning"]

CODES: dict[str, tuple[Severity, str]] = {
    "XP000": ("error", "无法读取"),
    "XP101": ("error", "执行率与全年执行数÷全年预算数不符"),
    "XP102": ("error", "预算执行率得分与规则不符"),
    "XP103": ("warning", "全年执行数大于全年预算数"),
    "XP104": ("error", "年度资金总额与各来源之和不符"),
    "XP201": ("error", "得分超过分值或为负"),
    "XP202": ("error", "分值合计不等于100"),
    "XP203": ("error", "一级指标标注分值与所属指标分值之和不符"),
    "XP204": ("error", "总分与各项得分之和不符"),
    "XP205": ("warning", "定量指标得分与指标值、完成值不符"),
    "XP206": ("error", "指标内容不完整"),
    "XP207": ("warning", "扣分但未填写偏差原因"),
    "XP208": ("error", "等次与总分不符"),
    "XP209": ("error", "总分行所填分值与各项分值之和不符"),
    "XS301": ("error", "汇总表与项目自评表不一致"),
    "XS302": ("warning", "项目自评表与汇总表未一一对应"),
    "XS303": ("error", "汇总表合计行与各行之和不符"),
    "XD401": ("error", "部门整体绩效指标得分超过分值或为负"),
    "XD402": ("error", "部门整体绩效指标分值合计不等于100"),
    "XD403": ("error", "部门整体绩效一级（二级）指标标注分值与所属指标分值之和不符"),
    "XD404": ("error", "部门整体绩效总分与各指标得分之和不符"),
    "XD405": ("error", "资金类指标填写值与按资金数据计算的值不符"),
    "XD406": ("error", "指标得分与其评分标准计算结果不符"),
    "XD407": ("error", "部门整体绩效等次与总分不符"),
    "XD408": ("error", "部门资金数据内部不一致（总额与来源或支出构成之和、执行率）"),
    "XD409": ("error", "部门整体绩效指标缺少分值或得分"),
    "XD411": ("error", "收支情况表汇总行与各单位之和不符"),
    "XD412": ("error", "收支情况表合计与其组成部分之和不符"),
    "XD413": ("warning", "当年结余与收入合计减支出合计不符"),
    "XD414": ("warning", "收支情况各表所列单位不一致"),
}

FINDING_KEYS = ("file", "sheet", "cell", "code", "severity", "message", "expected", "actual")


class Finding(BaseModel):
    file: str
    sheet: str
    cell: str
    code: str
    severity: Severity
    message: str
    expected: Decimal | str | None = None
    actual: Decimal | str | None = None

    @field_serializer("expected", "actual")
    def _plain(self, value: Decimal | str | None) -> float | int | str | None:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return value


def finding(
    file: str,
    sheet: str,
    cell: str | None,
    code: str,
    message: str,
    expected: Decimal | str | None = None,
    actual: Decimal | str | None = None,
) -> Finding:
    return Finding(
        file=file,
        sheet=sheet,
        cell=cell or "A1",
        code=code,
        severity=CODES[code][0],
        message=message,
        expected=expected,
        actual=actual,
    )


def code_matches(code: str, patterns: list[str]) -> bool:
    """Ruff-style selection: 'XP1' selects XP101..XP104, 'XP' every XP code, 'ALL' everything."""
    return any(p == "ALL" or code.startswith(p) for p in patterns)


def select(
    findings: list[Finding], select: list[str] | None, ignore: list[str] | None
) -> list[Finding]:
    kept = [f for f in findings if not select or code_matches(f.code, select)]
    return [f for f in kept if not ignore or not code_matches(f.code, ignore)]
