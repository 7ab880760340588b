"""Read single values out of a grid into :class:`~xlperf.forms.base.Val`, recording what is unreadable."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from xlperf.forms.base import Problem, Val
from xlperf.reader.grid import Grid, address
from xlperf.values import NotANumber, NumberOutOfRange, blank_text, clean_text, parse_number
from xlperf.vocabulary.project import MONEY_UNIT, YUAN

ERROR_VALUES = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!")


def val(
    cell: str | None = None,
    value: Decimal | str | None = None,
    decimals: int | None = None,
    percent: bool = False,
    formula: str | None = None,
    typed: bool = False,
) -> Val:
    """A :class:`Val` the reader made itself, so not validated (tens of thousands per
    workbook): ``value`` must already be a Decimal, a str or None.

    What ``Val.model_construct`` does, without its per-call walk over the fields (which makes
    it slower than validating, on pydantic 2.14); tests/test_cells.py holds it to ``Val(...)``."""
    v = _new(Val)
    _set(
        v,
        "__dict__",
        {
            "cell": cell,
            "value": value,
            "decimals": decimals,
            "percent": percent,
            "formula": formula,
            "typed": typed,
        },
    )
    _set(v, "__pydantic_fields_set__", _ALL_FIELDS)  # shared: a Val is never changed
    _set(v, "__pydantic_extra__", None)
    _set(v, "__pydantic_private__", None)
    return v


_new = object.__new__
_set = object.__setattr__
_ALL_FIELDS = set(Val.model_fields)  # a set, as pydantic's model_copy updates its copy


class CellReader:
    """Reads values of one grid; unreadable cells become empty values plus a Problem."""

    def __init__(self, grid: Grid, problems: list[Problem]):
        self.grid = grid
        self.problems = problems

    def first_in_span(self, row: int, cols: Iterable[int]) -> tuple[int, int]:
        """The cell holding the value of a (merged) field: the first non-empty one of the span."""
        return self.grid.first_filled(row, cols)

    def text(self, row: int, col: int) -> Val:
        grid = self.grid
        raw = grid.get(row, col)
        formula = grid.formulas.get((row, col)) if grid.formulas else None
        if raw is None:
            return val(address(row, col), None, None, False, formula, False)
        if isinstance(raw, str):
            stripped = raw.strip()
            value = None if blank_text(raw) else stripped
            return val(address(row, col), value, None, False, formula, bool(stripped))
        return val(address(row, col), clean_text(raw), None, False, formula, True)

    def number(self, row: int, col: int, what: str) -> Val:
        grid = self.grid
        raw = grid.get(row, col)
        cell = address(row, col)
        formula = grid.formulas.get((row, col)) if grid.formulas else None
        if raw is None:
            return val(cell, None, None, False, formula, False)
        if isinstance(raw, str) and raw.strip() in ERROR_VALUES:
            message = f"{what}为错误值 {raw.strip()}，无法读取"
            return self._unreadable(cell, formula, message, raw.strip())
        try:
            parsed = parse_number(raw, grid.formats.get((row, col)) if grid.formats else None)
        except NumberOutOfRange as exc:
            message = f"{what}为“{exc}”，{exc.reason}，无法读取"
            return self._unreadable(cell, formula, message, str(exc))
        except NotANumber as exc:
            message = f"{what}应为数字，实际为文字“{exc}”，无法读取"
            return self._unreadable(cell, formula, message, str(exc))
        if parsed is None:
            return val(cell, None, None, False, formula, _typed(raw))
        value = parsed.value
        if parsed.unit == YUAN and what.endswith(f"（{MONEY_UNIT}）"):
            value = value / Decimal(10000)
        elif parsed.unit == MONEY_UNIT and what.endswith(f"（{YUAN}）"):
            value = value * Decimal(10000)
        return val(cell, value, parsed.decimals, parsed.percent, formula, True)

    def _unreadable(self, cell: str, formula: str | None, message: str, actual: str) -> Val:
        self.problems.append(
            Problem.model_construct(
                sheet=self.grid.sheet, cell=cell, message=message, actual=actual
            )
        )
        return val(cell=cell, formula=formula, typed=True)

    def problem(self, row: int, col: int, message: str) -> None:
        self.problems.append(
            Problem.model_construct(sheet=self.grid.sheet, cell=address(row, col), message=message)
        )


def _typed(raw: object) -> bool:
    """Whether the user typed anything, if only spaces: a cell ``fix`` must not fill."""
    return raw is not None and raw != ""
