"""Which rule set applies to a workbook: its own 参数 sheet when it has one, else the default."""

from __future__ import annotations

from xlperf.grid import Grid
from xlperf.rules import DEFAULT_RULES, RuleSet


def rules_for(grids: list[Grid]) -> RuleSet:
    try:
        from xlperf.rules_sheet import read_rules_sheet
    except ImportError:  # the 参数 sheet reader arrives with the templates
        return DEFAULT_RULES
    for grid in grids:
        rules = read_rules_sheet(grid)
        if rules is not None:
            return rules
    return DEFAULT_RULES
