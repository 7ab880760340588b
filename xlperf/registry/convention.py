"""The code that states a project form's 评分口径 (information, not a mistake)."""

from __future__ import annotations

from xlperf.registry.model import Rule

RULES: tuple[Rule, ...] = (
    Rule(
        code="XP200",
        severity="info",
        title="评分口径",
        summary="提示：该表按另一种可接受的评分口径评分（如执行率20分、总分不含执行率得分），据表中数字判断",
        what=(
            "按表中的分值和总分判断该表依的是哪一种可接受的评分口径：预算执行率 10 分还是 20 分，"
            "总分含不含预算执行率得分，一级指标分值如何分配，分值写在分值栏还是一级指标标签。"
            "与规则的首要口径（默认为全国2020：执行率10分、总分含执行率得分）不同时报告，指向总分行标签，"
            "消息写明口径、表中的依据和读法；各表的口径都列在 xlperf extract 中，--preset 可收窄可接受的口径。"
        ),
        why=(
            "各省表样不同：有的执行率 20 分，有的总分只含指标（执行率另计），审核人需要知道各单位"
            "按哪种规则填报；表按自己的口径核对，合乎某一可接受口径的不算错。"
        ),
        example="执行率分值 20（表头“得分(20分*执行率)”）、指标分值合计 80、总分含执行率得分：报告 XP200“执行率20分，总分含执行率”。",
        fix="无需修改；口径不是本地应采用的，用 --preset 指定本地规则后再检查。",
    ),
)
