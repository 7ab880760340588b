"""The 参数 sheet read back by its labels (anywhere on the sheet), and the rule set that applies
to a workbook: its own 参数 sheet's when it has one, else the national rules. The labels and
names are in :mod:`xlperf.vocabulary.params`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from xlperf.errors import InputError
from xlperf.reader.grid import Grid, address
from xlperf.rules import (
    DEFAULT_RULES,
    GradeBand,
    QualitativeTier,
    RateTier,
    RuleSet,
    Tolerance,
)
from xlperf.values import NotANumber, clean_text, fold, parse_number
from xlperf.vocabulary.params import (
    ALIASES,
    GRADES,
    LABELS,
    QUALITATIVE,
    RATE_MODES,
    RATE_TIERS,
    SINGLE,
    TABLES,
    Table,
)


class RulesSheetError(ValueError):
    """A 参数 sheet value that cannot be read; names the sheet and cell."""

    def __init__(self, sheet: str, cell: str, message: str):
        self.sheet, self.cell, self.message = sheet, cell, message
        super().__init__(f"{sheet}!{cell}: {message}")


def _labels(grid: Grid) -> dict[str, tuple[int, int]]:
    """Folded label -> (row, col) of its first cell, in one pass over the grid."""
    index: dict[str, tuple[int, int]] = {}
    for r in range(grid.n_rows):
        for c, _v, key in grid.labels(r):
            if key not in index:
                index[key] = (r, c)
    return index


PRESET_LABEL = "规则预设"  # a preset's name (xlperf rules list): the conventions it accepts
KNOWN_LABELS = (
    frozenset(fold(s[0]) for s in SINGLE)
    | frozenset(fold(t.headers[0]) for t in TABLES)
    | {fold(PRESET_LABEL)}
)


def _value_right(grid: Grid, r: int, c: int) -> tuple[Any, int]:
    for cc in range(grid.col_span(r, c)[-1] + 1, min(grid.n_cols, c + 4)):
        if not grid.is_covered(r, cc):
            return grid.get(r, cc), cc
    return None, c + 1


class _Reader:
    def __init__(self, grid: Grid, labels: dict[str, tuple[int, int]] | None = None):
        self.grid = grid
        self.labels = labels if labels is not None else _labels(grid)

    def find(self, label: str) -> tuple[int, int] | None:
        return self.labels.get(fold(label))

    def col(self, table: Table, i: int) -> int:
        found = self.find(table.headers[0])
        assert found is not None
        return found[1] + i

    def decimal(self, r: int, c: int, what: str, *, rate: bool = False) -> Decimal | None:
        raw = self.grid.get(r, c)
        try:
            parsed = parse_number(raw, self.grid.fmt(r, c))
        except NotANumber:
            raise RulesSheetError(
                self.grid.sheet, address(r, c), f"{what}应为数字，实际为“{raw}”"
            ) from None
        if parsed is None:
            return None
        value = parsed.value
        if rate and not parsed.percent and value > 2:
            value = value / 100  # "95" typed without % in a rate column: percentage points
        return value

    def single(self, label: str, what: str | None = None, *, rate: bool = False) -> Decimal | None:
        found = self.find(label)
        if found is None:
            return None
        raw, c = _value_right(self.grid, *found)
        if raw is None:
            return None
        return self.decimal(found[0], c, what or label, rate=rate)

    def text(self, label: str) -> str | None:
        found = self.find(label)
        if found is None:
            return None
        raw, _ = _value_right(self.grid, *found)
        return clean_text(raw)

    def table(self, table: Table) -> list[tuple[int, list[Any]]] | None:
        """The filled rows (0-based row, raw values) under the table's header, blank rows skipped,
        up to the next label of the sheet (the formulas read every slot, so must the engine)."""
        found = self.find(table.headers[0])
        if found is None:
            return None
        r0, c0 = found
        out = []
        for r in range(r0 + 1, self.grid.n_rows):
            if self.grid.key(r, c0) in KNOWN_LABELS:
                break
            raw = [self.grid.get(r, c0 + i) for i in range(len(table.headers))]
            if any(clean_text(v) is not None for v in raw):
                out.append((r, raw))
        return out


IDENTIFYING_LABELS = (fold(LABELS["xr_rate_mode"]), fold(GRADES.headers[1]))


def read_rules_sheet(grid: Grid) -> RuleSet | None:
    """The rule set a 参数 sheet states (labels anywhere), None when the grid is no 参数 sheet.

    Values left empty keep the national defaults; a value that is not a number raises
    :class:`RulesSheetError` naming its cell.
    """
    labels = _labels(grid)
    if not all(key in labels for key in IDENTIFYING_LABELS):
        return None
    rd = _Reader(grid, labels)
    data: dict[str, Any] = {}
    name = rd.text(LABELS["xr_rule_name"])
    if name:
        data["name"] = name
    named = rd.text(PRESET_LABEL)
    if named:
        from xlperf.presets import PresetError, preset

        try:
            chosen = preset(named).rules
        except PresetError as exc:
            r, c = rd.find(PRESET_LABEL) or (0, 0)
            raise RulesSheetError(grid.sheet, address(r, c + 1), str(exc)) from None
        data["conventions"] = chosen.conventions
        data["preset"] = chosen.preset
    for name, key in (("xr_total_weight", "total_weight"), ("xr_score_places", "score_places")):
        value = rd.single(LABELS[name])
        if value is not None:
            data[key] = int(value) if key == "score_places" else value
    mode = rd.text(LABELS["xr_rate_mode"])
    if mode:
        folded = fold(mode)
        if folded not in RATE_MODES and folded not in RATE_MODES.values():
            r, c = rd.find(LABELS["xr_rate_mode"]) or (0, 0)
            raise RulesSheetError(
                grid.sheet,
                address(r, c + 1),
                f"执行率计分方式应为“按比例”或“按档次”，实际为“{mode}”",
            )
        data["rate_scoring"] = RATE_MODES.get(folded, folded)
    cap = rd.single(LABELS["xr_rate_cap"], rate=True)
    if cap is not None:
        data["rate_cap"] = cap
    less = rd.text(LABELS["xr_less_better"])
    if less:
        data["less_is_better_level2"] = [
            w for w in fold(less).replace(",", "、").replace("，", "、").split("、") if w
        ]
    tolerance: dict[str, Decimal] = {}
    for name, key, rate in (
        ("xr_tol_amount", "amount", False),
        ("xr_tol_score", "score", False),
        ("xr_tol_rate_max", "rate_max", True),
        ("xr_eps", "epsilon", False),
    ):
        value = rd.single(LABELS[name], rate=rate)
        if value is not None:
            tolerance[key] = value
    if tolerance:
        data["tolerance"] = Tolerance(**tolerance)
    tiers = rd.table(RATE_TIERS)
    if tiers is not None:
        data["rate_tiers"] = [
            RateTier(
                min_rate=rd.decimal(r, rd.col(RATE_TIERS, 0), "执行率档次", rate=True)
                or Decimal(0),
                fraction=rd.decimal(r, rd.col(RATE_TIERS, 1), RATE_TIERS.headers[1], rate=True)
                or Decimal(0),
            )
            for r, _ in tiers
        ]
    qualitative = rd.table(QUALITATIVE)
    if qualitative:
        data["qualitative_tiers"] = [
            QualitativeTier(
                label=clean_text(raw[0]) or "",
                low=rd.decimal(r, rd.col(QUALITATIVE, 1), "得分下限", rate=True) or Decimal(0),
                high=rd.decimal(r, rd.col(QUALITATIVE, 2), "得分上限", rate=True) or Decimal(1),
            )
            for r, raw in qualitative
        ]
    grades = rd.table(GRADES)
    if grades:
        data["grade_bands"] = [
            GradeBand(
                grade=fold(clean_text(raw[0]) or ""),
                min_score=rd.decimal(r, rd.col(GRADES, 1), GRADES.headers[1]) or Decimal(0),
            )
            for r, raw in grades
        ]
    aliases = rd.table(ALIASES)
    if aliases is not None:
        data["grade_aliases"] = {
            fold(clean_text(a) or ""): fold(clean_text(b) or "")
            for _, (a, b) in aliases
            if clean_text(a) and clean_text(b)
        }
    return RuleSet(**data)


def rules_for(grids: list[Grid], source: str = "") -> RuleSet:
    """The first 参数 sheet's rule set; a value there that cannot be read is an input error."""
    for grid in grids:
        try:
            rules = read_rules_sheet(grid)
        except RulesSheetError as exc:
            raise InputError(
                source, f"参数表无法读取：{exc.message}", exc.sheet, exc.cell
            ) from None
        except ValidationError as exc:  # a value the rule set does not admit (得分保留 1e14 位)
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"])
            value = str(err.get("input"))[:40]
            raise InputError(
                source, f"参数表无法读取：规则项“{key}”的值“{value}”超出允许范围", grid.sheet
            ) from None
        if rules is not None:
            return rules
    return DEFAULT_RULES
