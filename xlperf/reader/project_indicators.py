"""The indicator table of a project form: one :class:`Indicator` per row that holds one."""

from __future__ import annotations

from decimal import Decimal

from xlperf.forms.base import Val, build, empty
from xlperf.forms.project import Indicator
from xlperf.reader.cells import CellReader, val
from xlperf.reader.grid import Grid, address
from xlperf.reader.project_header import Columns
from xlperf.values import clean_text, is_blank
from xlperf.vocabulary.project import INDICATOR_LABELS
from xlperf.vocabulary.words import split_declared_weight

HUNDRED = Decimal(100)


_TEXTS = ("name", "target", "actual", "note")
_NUMBERS = ("weight", "score")


def read_indicators(
    grid: Grid, cells: CellReader, readings: list[str], cols: Columns, start: int, stop: int
) -> list[Indicator]:
    """One indicator per row of ``start``..``stop`` holding one; how the table was read goes to
    ``readings``."""
    indicators: list[Indicator] = []
    level1: Val = empty()
    level1_weight = None
    level2: Val = empty()
    level1_at = level2_at = None  # the cells they were read from
    fields = cols.fields
    used = cols.all_columns()
    merge_box, get, first = grid.merge_box, grid.get, grid.first_filled
    texts = [(f, fields[f], cols.parts.get(f)) for f in _TEXTS if f in fields]
    numbers = [(f, fields[f], INDICATOR_LABELS[f]) for f in _NUMBERS if f in fields]
    span1, span2 = fields.get("level1"), fields.get("level2")
    used_set = set(used)
    for r in range(start, stop):
        if not any(c in used_set for c, _ in grid.row_cells(r)) and not (
            grid.merged and any(merge_box(r, c) for c in used)
        ):
            continue
        if span1 is not None:
            at = first(r, span1)
            raw = get(*at)
            if at != level1_at and not is_blank(raw):
                name, declared = split_declared_weight(str(raw))
                level1, level1_weight, level1_at = val(address(*at), name), declared, at
        if span2 is not None:
            at = first(r, span2)
            raw = get(*at)
            if at != level2_at and not is_blank(raw):
                level2, level2_at = val(address(*at), clean_text(raw)), at
        ind: dict[str, object] = {
            "row": r + 1,
            "level1": level1,
            "level1_declared_weight": level1_weight,
            "level2": level2,
        }
        anything = False
        for field_name, span, parts in texts:
            rr, cc = first(r, span)
            value = cells.text(rr, cc) if rr == r else val(cell=address(r, cc))
            if parts is not None:
                value = _composed(grid, r, value, parts)
            ind[field_name] = value
            anything = anything or value.value is not None
        for field_name, span, label in numbers:
            rr, cc = first(r, span)
            value = cells.number(rr, cc, label) if rr == r else val(cell=address(r, cc))
            ind[field_name] = value
            anything = anything or value.value is not None
        if anything:
            indicators.append(build(Indicator, ind))
    if cols.parts:
        split = "、".join(
            "/".join(grid.key(cols.last_row, c) for c in parts.values())
            for parts in cols.parts.values()
        )
        readings.append(f"两行表头：指标值由“{split}”各栏合成（如 ≥ 95 % → ≥95%）")
    return _percent_weights(grid, readings, cols, indicators)


def _composed(grid: Grid, row: int, value: Val, parts: dict[str, int]) -> Val:
    """指标性质 + 指标值 + 度量单位 as one target text (≥ 95 % -> ≥95%), at the value's cell."""
    op = clean_text(grid.get(row, parts["op"])) if "op" in parts else None
    unit = clean_text(grid.get(row, parts["unit"])) if "unit" in parts else None
    text = value.text
    if text is None or (op is None and unit is None):
        return value
    if op and op in ("定性", "定量", "正向", "反向"):
        op = None
    if unit and text.endswith(unit):
        unit = None
    return _with(value, value=f"{op or ''}{text}{unit or ''}")


def _with(v: Val, **changes: object) -> Val:
    """``v`` with some fields changed (a new value: a Val is frozen)."""
    return val(**{**v.__dict__, **changes})  # type: ignore[arg-type]


def _percent_weights(
    grid: Grid, readings: list[str], cols: Columns, indicators: list[Indicator]
) -> list[Indicator]:
    """A 权重 column typed as percentages (20%) holds points out of 100: read 20%, as 20."""
    weights = [i.weight for i in indicators if i.weight.number is not None]
    if not weights or not all(w.percent for w in weights):
        return indicators
    out = []
    for ind in indicators:
        w = ind.weight
        if w.number is not None:
            decimals = max((w.decimals or 2) - 2, 0)
            ind = build(
                Indicator,
                {**ind.__dict__, "weight": _with(w, value=w.number * HUNDRED, decimals=decimals)},
            )
        out.append(ind)
    label = cols.label(grid, "weight")
    readings.append(f"“{label}”栏填的是百分数，按 百分数 × 100 读作分值（20% → 20 分）")
    return out
