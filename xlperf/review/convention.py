"""评分口径: which scoring convention a project form follows, stated from its own figures.

Today only what the form's weights show can be said; province presets (a later issue) will
replace :func:`form_convention` with a lookup of the conventions a preset allows.
"""

from __future__ import annotations

from decimal import Decimal

from xlperf.forms.project import ProjectForm
from xlperf.scoring.project import indicator_weight_sum

UNKNOWN = "未能确定"
HUNDRED = Decimal(100)


def form_convention(form: ProjectForm) -> str:
    """The convention the form's 分值 add up under, or 未能确定."""
    rate_weight = form.funds.total.weight.number
    indicators = indicator_weight_sum(form)
    if not form.scored_indicators():
        return UNKNOWN
    if rate_weight is not None and rate_weight + indicators == HUNDRED:
        if rate_weight == 10:
            return "全国2020（执行率10分，总分含执行率）"
        return f"执行率{_points(rate_weight)}分，总分含执行率"
    if indicators == HUNDRED:
        return "总分仅含指标（指标合计100分）"
    return UNKNOWN


def _points(value: Decimal) -> str:
    return format(value.normalize(), "f")
