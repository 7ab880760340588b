"""Which rule set applies to a workbook: its own 参数 sheet when it has one, else the default."""

from __future__ import annotations

from xlperf.errors import InputError
from xlperf.grid import Grid
from xlperf.rules import DEFAULT_RULES, RuleSet
from xlperf.rules_sheet import RulesSheetError, read_rules_sheet


def rules_for(grids: list[Grid], source: str = "") -> RuleSet:
    """The first 参数 sheet's rule set; a value there that cannot be read is an input error."""
    for grid in grids:
        try:
            rules = read_rules_sheet(grid)
        except RulesSheetError as exc:
            raise InputError(
                source, f"参数表无法读取：{exc.message}", exc.sheet, exc.cell
            ) from None
        if rules is not None:
            return rules
    return DEFAULT_RULES
