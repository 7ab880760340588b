"""Province presets: rule sets shipped as TOML files in this package, each naming its source.

A preset narrows what a form may follow (its 评分口径); the default rule set accepts every
convention of DOMAIN.md §6. ``xlperf rules list`` lists them, ``--preset NAME`` applies one, and a
workbook's 参数 sheet may name one (规则预设).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from xlperf.rules import DEFAULT_RULES, RuleSet, RulesFileError, rules_from_data


@dataclass(frozen=True)
class Preset:
    name: str  # what --preset takes
    title: str  # Chinese, one line
    source: str  # the document or notice it follows
    says: str  # what that source says, as far as the preset relies on it
    rules: RuleSet


class PresetError(ValueError):
    """An unknown preset name, said in Chinese with the names there are."""


@cache
def presets() -> dict[str, Preset]:
    """Every shipped preset by name, in file-name order."""
    found: dict[str, Preset] = {}
    for item in sorted(resources.files(__name__).iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".toml"):
            continue
        data = tomllib.loads(item.read_text(encoding="utf-8"))
        meta = data.pop("preset")
        try:
            rules = rules_from_data({**data.get("rules", {}), "preset": meta["name"]})
        except RulesFileError as exc:  # pragma: no cover - the shipped files are tested
            raise RulesFileError(f"{item.name}：{exc}") from None
        found[meta["name"]] = Preset(
            meta["name"], meta["title"], meta["source"], "".join(meta["says"].split()), rules
        )
    return found


def preset(name: str) -> Preset:
    found = presets().get(name.strip())
    if found is None:
        known = "、".join(presets())
        raise PresetError(f"没有名为“{name}”的规则预设（可用：{known}）")
    return found


def preset_list_text() -> str:
    """``xlperf rules list``: the default, then one entry per preset with its source."""
    default = "；".join(c.name for c in DEFAULT_RULES.conventions)
    lines = [f"（默认，不用 --preset）  接受全部已知评分口径：{default}"]
    for p in presets().values():
        lines.append(f"{p.name}  {p.title}\n    依据：{p.source}")
    return "\n".join(lines) + "\n"


def preset_text(p: Preset) -> str:
    """``xlperf rules show NAME``: the preset, its source and the conventions it accepts."""
    lines = [
        f"{p.name}：{p.title}",
        "",
        f"依据：{p.source}",
        f"依据所述：{p.says}",
        "",
        "可接受的评分口径：",
    ]
    for c in p.rules.conventions:
        inside = "含" if c.total_includes_rate else "不含"
        splits = (
            "、".join("/".join(format(x.normalize(), "f") for x in s) for s in c.splits)
            if c.splits
            else "不限"
        )
        where = "、".join({"column": "分值栏", "labels": "一级指标标签"}[w] for w in c.weights_at)
        lines.append(
            f"  - {c.name}：执行率分值 {format(c.rate_weight.normalize(), 'f')}，总分{inside}执行率得分，"
            f"一级指标分值（产出/效益/满意度）{splits}，分值标在{where}"
        )
    lines.append(f"分值合计 {format(p.rules.total_weight.normalize(), 'f')}")
    return "\n".join(lines) + "\n"
