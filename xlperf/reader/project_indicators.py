"""The indicator table of a project form: one :class:`Indicator` per row that holds one."""

from __future__ import annotations

from decimal import Decimal

from xlperf.forms.base import Val
from xlperf.forms.project import Indicator, ProjectForm
from xlperf.reader.cells import CellReader
from xlperf.reader.grid import Grid, address
from xlperf.reader.project_header import Columns
from xlperf.values import clean_text, is_blank
from xlperf.vocabulary.project import INDICATOR_LABELS
from xlperf.vocabulary.words import split_declared_weight

HUNDRED = Decimal(100)


def read_indicators(
    grid: Grid, cells: CellReader, form: ProjectForm, cols: Columns, start: int, stop: int
) -> list[Indicator]:
    indicators: list[Indicator] = []
    level1: Val = Val()
    level1_weight = None
    level2: Val = Val()
    fields = cols.fields
    used = cols.all_columns()
    for r in range(start, stop):
        if grid.row_is_empty(r, used) and not any(grid.merge_box(r, c) for c in used):
            continue
        if "level1" in fields:
            rr, cc = cells.first_in_span(r, fields["level1"])
            raw = grid.get(rr, cc)
            if not is_blank(raw) and address(rr, cc) != level1.cell:
                name, declared = split_declared_weight(str(raw))
                level1, level1_weight = Val(cell=address(rr, cc), value=name), declared
        if "level2" in fields:
            rr, cc = cells.first_in_span(r, fields["level2"])
            raw = grid.get(rr, cc)
            if not is_blank(raw) and address(rr, cc) != level2.cell:
                level2 = Val(cell=address(rr, cc), value=clean_text(raw))
        ind = Indicator(
            row=r + 1, level1=level1, level1_declared_weight=level1_weight, level2=level2
        )
        for field_name in ("name", "target", "actual", "note"):
            if field_name in fields:
                rr, cc = cells.first_in_span(r, fields[field_name])
                value = cells.text(rr, cc) if rr == r else Val(cell=address(r, cc))
                if field_name in cols.parts:
                    value = _composed(grid, cells, r, value, cols.parts[field_name])
                setattr(ind, field_name, value)
        for field_name in ("weight", "score"):
            if field_name in fields:
                rr, cc = cells.first_in_span(r, fields[field_name])
                value = (
                    cells.number(rr, cc, INDICATOR_LABELS[field_name])
                    if rr == r
                    else Val(cell=address(r, cc))
                )
                setattr(ind, field_name, value)
        if all(
            getattr(ind, f).value is None
            for f in ("name", "target", "actual", "weight", "score", "note")
        ):
            continue
        indicators.append(ind)
    if cols.parts:
        split = "、".join(
            "/".join(grid.key(cols.last_row, c) for c in parts.values())
            for parts in cols.parts.values()
        )
        form.readings.append(f"两行表头：指标值由“{split}”各栏合成（如 ≥ 95 % → ≥95%）")
    _percent_weights(grid, form, cols, indicators)
    return indicators


def _composed(grid: Grid, cells: CellReader, row: int, value: Val, parts: dict[str, int]) -> Val:
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
    return value.model_copy(update={"value": f"{op or ''}{text}{unit or ''}"})


def _percent_weights(
    grid: Grid, form: ProjectForm, cols: Columns, indicators: list[Indicator]
) -> None:
    """A 权重 column typed as percentages (20%) holds points out of 100: read 20%, as 20."""
    weights = [i.weight for i in indicators if i.weight.number is not None]
    if not weights or not all(w.percent for w in weights):
        return
    for ind in indicators:
        w = ind.weight
        if w.number is not None:
            decimals = max((w.decimals or 2) - 2, 0)
            ind.weight = w.model_copy(update={"value": w.number * HUNDRED, "decimals": decimals})
    label = cols.label(grid, "weight")
    form.readings.append(f"“{label}”栏填的是百分数，按 百分数 × 100 读作分值（20% → 20 分）")
