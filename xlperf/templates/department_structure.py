"""The indicator structure of a 部门整体支出绩效自评表 (一级/二级/三级指标, 分值, 评分标准): the
template's parameter, with seed 000's 投入/过程/产出/效益 as the default."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xlperf.vocabulary.department import PRINTED_NAMES


@dataclass(frozen=True)
class Item:
    name: str
    weight: Decimal
    criterion: str


@dataclass(frozen=True)
class Level2:
    name: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Level1:
    name: str
    level2s: tuple[Level2, ...]

    @property
    def weight(self) -> Decimal:
        return sum((i.weight for l2 in self.level2s for i in l2.items), Decimal(0))


def _i(name: str, weight: int, criterion: str) -> Item:
    return Item(name, Decimal(weight), criterion)


def _judged(points: int) -> str:
    return f"符合要求的，得{points}分；不符合的，根据实际情况酌情扣分。"


SEED000_STRUCTURE: tuple[Level1, ...] = (
    Level1(
        "投入",
        (
            Level2(
                "工作目标",
                (
                    _i("年度履职目标相关性", 3, _judged(3)),
                    _i("工作任务科学性", 3, _judged(3)),
                    _i("绩效指标合理性", 3, _judged(3)),
                ),
            ),
            Level2(
                "预算配置",
                (_i("预算编制完整性", 3, _judged(3)), _i("专项资金细化率", 3, _judged(3))),
            ),
        ),
    ),
    Level1(
        "过程",
        (
            Level2(
                "预算执行",
                (
                    _i(
                        PRINTED_NAMES["budget_execution_rate"],
                        2,
                        "预算执行率大于或等于95%的得2分，小于或等于90%的得0分，"
                        "在90%-95%之间的、在0分和2分之间按比例计算确定。",
                    ),
                    _i(
                        PRINTED_NAMES["budget_adjustment_rate"],
                        2,
                        "预算调整率等于0的得2分，大于或等于10%的得0分，"
                        "在0-10%之间的、在0分和2分之间按比例计算确定。",
                    ),
                    _i(
                        PRINTED_NAMES["carryover_rate"],
                        2,
                        "结转结余率小于或等于5%的得2分，大于或等于20%的得0分，"
                        "在5%-20%之间的、在0分和2分之间按比例计算确定。",
                    ),
                    _i(
                        PRINTED_NAMES["three_public_control_rate"],
                        2,
                        "“三公经费”控制率小于或等于100%的得2分，超过100%得0分。",
                    ),
                    _i(
                        PRINTED_NAMES["procurement_execution_rate"],
                        2,
                        "政府采购执行率等于100%的得2分，每低于1个百分点扣0.2分，扣完为止。",
                    ),
                    _i("决算真实性", 1, _judged(1)),
                ),
            ),
            Level2(
                "财务管理",
                (
                    _i("资金使用合规性", 1, _judged(1)),
                    _i("管理制度健全性", 1, _judged(1)),
                    _i("预决算信息公开性", 2, _judged(2)),
                    _i("资产管理规范性", 2, _judged(2)),
                ),
            ),
            Level2(
                "绩效管理",
                (
                    _i("绩效监控完成率", 2, _judged(2)),
                    _i("绩效自评完成率", 2, _judged(2)),
                    _i("部门绩效评价完成率", 2, _judged(2)),
                    _i("评价结果应用率", 2, _judged(2)),
                ),
            ),
        ),
    ),
    Level1(
        "产出",
        (
            Level2("重点工作任务", (_i("重点工作任务完成情况", 10, _judged(10)),)),
            Level2("履职目标", (_i("履职目标实现情况", 10, _judged(10)),)),
            Level2("工作质量", (_i("工作质量达标情况", 10, _judged(10)),)),
        ),
    ),
    Level1(
        "效益",
        (
            Level2("社会效益", (_i("社会效益实现程度", 10, _judged(10)),)),
            Level2("可持续影响", (_i("长效管理机制健全性", 10, _judged(10)),)),
            Level2(
                "满意度",
                (_i("服务对象满意度", 10, "得分=服务对象满意度×10"),),
            ),
        ),
    ),
)
