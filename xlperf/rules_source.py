"""Which rule set applies to a workbook: its own 参数 sheet when it has one, else the default."""

from __future__ import annotations

from pydantic import ValidationError

from xlperf.errors import InputError
from xlperf.reader.grid import Grid
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
