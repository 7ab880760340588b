"""评分口径 as the review states it: the accepted convention a project form follows."""

from __future__ import annotations

from xlperf.forms.project import ProjectForm
from xlperf.rules import DEFAULT_RULES, RuleSet
from xlperf.scoring.convention import infer_convention

UNKNOWN = "未能确定"


def form_convention(form: ProjectForm, rules: RuleSet = DEFAULT_RULES) -> str:
    """The name of the convention the form's 分值 add up under (its 总分 may still be wrong: XP204), or 未能确定."""
    if not form.scored_indicators():
        return UNKNOWN
    fit = infer_convention(form, rules)
    return fit.convention.name if fit.weights_fit else UNKNOWN
