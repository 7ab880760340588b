"""The rows of a department indicator table: groups, shared 分值, the total and the grade.

Groups are told by their labels' text and position, however they are typed: merged over their
rows, written once on the group's first row, or repeated on every row (seed 002's “投  入（15分）”
on each line) — a label equal to the current group's continues it. A group's weight is the one
its label declares (“投入（15分）”), or its 分值 column beside it; without either, the sum.

A 分值 typed once for several rows (seed 002: 经济效益 / 社会效益 / 生态效益 share 15), or merged
over them, belongs to the set: the rows below share the first one's (``weight_from``). A named
row with nothing else (seed 000's 生态效益) is no indicator when its group's weight is accounted
for by the others. The total row is found by its label (合计, 总分, 综合得分 …) or, unlabelled,
by its figures (seed 004: 100 | 100 | 100 | 88.93); the grade by 等次 / 评价等级 / 评价结论.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from xlperf.forms.base import Val
from xlperf.forms.department import DepartmentForm, DepartmentIndicator
from xlperf.reader.cells import CellReader, val
from xlperf.reader.grid import Grid, address
from xlperf.values import fold, is_blank
from xlperf.vocabulary.department import (
    LEVEL_FIELDS,
    TABLE_COLUMNS,
    WHAT,
    grade_label,
    is_note,
    is_title,
    is_total_label,
)
from xlperf.vocabulary.words import classify, split_declared_weight

CONTINUED = ("（续）", "(续)", "（续表）", "(续表)")
TEXT_FIELDS = ("criterion", "target", "input", "note")


def _header_cells(grid: Grid, row: int) -> list[tuple[int, str]]:
    """The header texts of a row, with those of cells merged down into it from the row above
    (a two-row header: 绩效指标 over 一级/二级/三级指标, 分值 and 得分 spanning both rows)."""
    cols = [c for c, v in grid.row_cells(row) if isinstance(v, str)]
    for c, v in grid.row_cells(row - 1) if row > 0 else []:
        box = grid.merge_box(row - 1, c)
        if isinstance(v, str) and box is not None and box[0] == row - 1 and box[2] >= row:
            cols.append(c)
    out = []
    for c in sorted(set(cols)):
        box = grid.merge_box(row, c)
        r0 = box[0] if box else row
        if box is None or (box[1] == c and r0 in (row, row - 1)):
            out.append((c, grid.key(r0, c)))
    return out


def header_fields(grid: Grid, row: int) -> dict[str, list[int]]:
    """Field -> columns for an indicator header row; 分值 columns named after their level."""
    fields: dict[str, list[int]] = {}
    last_level: str | None = None
    for c, key in _header_cells(grid, row):
        name = classify(key, TABLE_COLUMNS)
        if name is None:
            continue
        if name == "weight":
            name = {"level1": "level1_weight", "level2": "level2_weight"}.get(
                last_level or "", "weight"
            )
        if name in LEVEL_FIELDS:
            last_level = name
        elif name != "weight":
            last_level = None
        fields.setdefault(name, list(grid.col_span(row, c)))
    return fields


def is_table_header(grid: Grid, row: int) -> bool:
    """At least two level columns, a 分值 (or a level's 分值) and 得分."""
    fields = header_fields(grid, row)
    levels = [f for f in LEVEL_FIELDS if f in fields]
    weighted = "weight" in fields or "level1_weight" in fields
    return len(levels) >= 2 and "score" in fields and weighted


@dataclass(eq=False)
class _Group:
    label: Val  # the name, at the cell of its first label
    declared: Val  # from the label or the group's 分值 column; empty: the sum
    key: str
    rows: list[_Row] = field(default_factory=list)

    def accounted(self) -> bool:
        """True when the declared weight is met by the rows' own 分值 (or nothing is declared)."""
        if self.declared.number is None:
            return True
        return sum((r.weight.number or 0 for r in self.rows), Decimal(0)) == self.declared.number


@dataclass(eq=False)
class _Row:
    r: int
    labels: dict[str, Val]  # level1 / level2 as typed on this row (empty under a merge)
    weights: dict[str, Val]  # level1_weight / level2_weight as typed on this row
    name: Val
    weight: Val
    weight_top: int | None  # the first row of a merged 分值 this row lies under
    score: Val
    texts: dict[str, Val]
    groups: list[_Group | None] = field(default_factory=list)
    weight_from: _Row | None = None

    def is_bare(self) -> bool:
        """A name and nothing else: no 分值, 得分, 指标值, 评分标准 or remark."""
        return (
            self.weight.number is None
            and self.weight_top is None
            and self.score.number is None
            and not any(v.text for v in self.texts.values())
        )

    def lowest_declared(self) -> _Group | None:
        return next((g for g in reversed(self.groups) if g and g.declared.number is not None), None)


def read_table(
    grid: Grid, cells: CellReader, form: DepartmentForm, header: int, fields: dict[str, list[int]]
) -> int:
    """Indicator rows down to the total row; returns the last row of the form (0-based)."""
    rows: list[_Row] = []
    last = header
    previous = "header"
    r = header + 1
    while r < grid.n_rows:
        kind = _kind(grid, r, fields)
        if kind == "blank":
            ahead = _next_nonempty(grid, r + 1, r + 3)
            if ahead is None or (ahead > r + 1 and not is_table_header(grid, ahead)):
                break
            r += 1
            continue
        if kind == "header":  # a second header line, or the header repeated below a page break
            if previous not in ("header", "data"):
                break
            previous, r = "header", r + 1
            continue
        if kind in ("title", "note"):
            break
        if kind == "grade":
            _read_grade(grid, cells, form, r)
            last = r
            break
        if kind == "total" or (kind == "data" and _unlabelled_total(grid, cells, r, fields)):
            _read_total(grid, cells, form, r, fields)
            last = _grade_below(grid, cells, form, r)
            break
        row = _read_row(grid, cells, r, fields)
        if row is not None:
            rows.append(row)
            last = r
        previous, r = "data", r + 1
    if form.total_label_cell is None and rows:
        first_col = fields["level1" if "level1" in fields else "name"][0]
        cells.problem(header, first_col, "部门整体绩效评分表没有“合计/总分”行，总分无法检查")
    form.indicators = _indicators(rows, fields)
    return last


def _kind(grid: Grid, r: int, fields: dict[str, list[int]]) -> str:
    line = [(c, v) for c, v in grid.row_cells(r) if not grid.is_covered(r, c)]
    if not line:
        return "blank" if grid.row_is_empty(r) else "data"
    if is_table_header(grid, r) or _upper_header(grid, r):
        return "header"
    first = next((grid.key(r, c) for c, v in line if isinstance(v, str)), "")
    if is_total_label(first):
        return "total"
    if is_note(first):
        return "note"
    graded = [c for c, v in line if isinstance(v, str) and grade_label(grid.key(r, c))]
    named = any(not is_blank(grid.get(r, c)) and c not in graded for c in fields.get("name", []))
    if graded and not named:
        return "grade"
    numbers = any(not isinstance(v, str) for _, v in line)
    if not named and not numbers and len(line) == 1 and is_title(first):
        return "title"
    return "data"


def _upper_header(grid: Grid, r: int) -> bool:
    """The first line of a two-row header: its cells merged down into a header row below."""
    merged_down = any(
        (box := grid.merge_box(r, c)) is not None and box[0] == r and box[2] > r
        for c, _ in grid.row_cells(r)
    )
    return merged_down and is_table_header(grid, r + 1)


def _next_nonempty(grid: Grid, start: int, stop: int) -> int | None:
    return next(
        (r for r in range(start, min(stop, grid.n_rows - 1) + 1) if not grid.row_is_empty(r)),
        None,
    )


def _span_val(grid: Grid, cells: CellReader, r: int, span: list[int] | None, what: str = "") -> Val:
    """The field's value on row r; empty when the cell is under a merge from a row above."""
    if not span:
        return val()
    cr, cc = cells.first_in_span(r, span)
    if cr != r:
        return val()
    return cells.number(cr, cc, WHAT[what]) if what else cells.text(cr, cc)


def _read_row(grid: Grid, cells: CellReader, r: int, fields: dict[str, list[int]]) -> _Row | None:
    weight_top = None
    if "weight" in fields:
        cr, _ = cells.first_in_span(r, fields["weight"])
        weight_top = cr if cr != r else None
    row = _Row(
        r=r,
        labels={k: _span_val(grid, cells, r, fields.get(k)) for k in ("level1", "level2")},
        weights={
            k: _span_val(grid, cells, r, fields.get(k), k)
            for k in ("level1_weight", "level2_weight")
        },
        name=_span_val(grid, cells, r, fields.get("name")),
        weight=_span_val(grid, cells, r, fields.get("weight"), "weight"),
        weight_top=weight_top,
        score=_span_val(grid, cells, r, fields.get("score"), "score"),
        texts={k: _text(grid, cells, r, fields.get(k)) for k in TEXT_FIELDS},
    )
    if "input" in fields:
        cr, cc = cells.first_in_span(r, fields["input"])
        raw = grid.get(cr, cc)
        if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
            row.texts["input"] = cells.number(cr, cc, WHAT["input"])
    if row.name.value is None and row.weight.value is None and row.score.value is None:
        # a group's label on a line of its own (kept for the grouping), or nothing of ours
        return row if any(v.text for v in row.labels.values()) else None
    return row


def _text(grid: Grid, cells: CellReader, r: int, span: list[int] | None) -> Val:
    if not span:
        return val()
    cr, cc = cells.first_in_span(r, span)
    return cells.text(cr, cc)


def _unlabelled_total(grid: Grid, cells: CellReader, r: int, fields: dict[str, list[int]]) -> bool:
    """A row without any label but with figures under 分值/得分, and no named row after it."""
    label_cols = [c for k in (*LEVEL_FIELDS, "criterion") for c in fields.get(k, [])]
    if any(not is_blank(grid.get(*cells.first_in_span(r, [c]))) for c in label_cols):
        return False
    figure_cols = [
        c for k in ("weight", "score", "level1_weight", "level2_weight") for c in fields.get(k, [])
    ]
    if not any(not is_blank(grid.get(r, c)) and not grid.is_covered(r, c) for c in figure_cols):
        return False
    ahead = _next_nonempty(grid, r + 1, r + 2)
    name_cols = fields.get("name", [])
    return ahead is None or not any(not is_blank(grid.get(ahead, c)) for c in name_cols)


def _read_total(
    grid: Grid, cells: CellReader, form: DepartmentForm, r: int, fields: dict[str, list[int]]
) -> None:
    form.total_label_cell = address(r, grid.row_cells(r)[0][0])
    weight_field = "weight" if "weight" in fields else "level1_weight"
    weight_what, score_what = WHAT["total_weight"], WHAT["total_score"]
    form.total_weight = cells.number(*cells.first_in_span(r, fields[weight_field]), weight_what)
    if "score" in fields:
        form.total_score = cells.number(*cells.first_in_span(r, fields["score"]), score_what)
    if form.total_score.value is None and not form.total_score.typed:
        # “总分 | 100 | 95.5” typed right of the label, not under the columns
        figure_cols = {
            c
            for k in ("weight", "score", "level1_weight", "level2_weight")
            for c in fields.get(k, [])
        }
        numbers = [
            c for c, v in grid.row_cells(r) if not isinstance(v, str) and c not in figure_cols
        ]
        if numbers:
            form.total_score = cells.number(r, numbers[-1], score_what)
            if len(numbers) > 1 and form.total_weight.value is None:
                form.total_weight = cells.number(r, numbers[-2], weight_what)
    for c, v in grid.row_cells(r):
        if (
            isinstance(v, str)
            and grade_label(grid.key(r, c))
            and not is_total_label(grid.key(r, c))
        ):
            _grade_at(grid, cells, form, r, c)


def _grade_below(grid: Grid, cells: CellReader, form: DepartmentForm, total: int) -> int:
    """The grade on the rows below the total (blank and note rows between them allowed)."""
    r = total + 1
    seen = 0
    while r < grid.n_rows and seen < 3 and form.grade.cell is None:
        if not grid.row_is_empty(r):
            seen += 1
            if is_table_header(grid, r):
                break
            if _read_grade(grid, cells, form, r):
                return r
        r += 1
    return total


def _read_grade(grid: Grid, cells: CellReader, form: DepartmentForm, r: int) -> bool:
    for c, v in grid.row_cells(r):
        if isinstance(v, str) and not grid.is_covered(r, c) and grade_label(grid.key(r, c)):
            _grade_at(grid, cells, form, r, c)
            return True
    return False


def _grade_at(grid: Grid, cells: CellReader, form: DepartmentForm, r: int, c: int) -> None:
    inline = str(grid.get(r, c)).replace(":", "：").split("：", 1)
    if len(inline) == 2 and inline[1].strip():
        form.grade = val(cell=address(r, c), value=inline[1].strip(), typed=True)
        return
    end = c + len(grid.col_span(r, c)) - 1
    vc = next(
        (
            cc
            for cc in range(end + 1, grid.n_cols)
            if not grid.is_covered(r, cc) and not is_blank(grid.get(r, cc))
        ),
        None,
    )
    form.grade = cells.text(r, vc) if vc is not None else val(cell=address(r, end + 1))


# ------------------------------------------------------------------------------ groups and sets


def _indicators(rows: list[_Row], fields: dict[str, list[int]]) -> list[DepartmentIndicator]:
    _group(rows)
    _share(rows)
    out = []
    for row in rows:
        if row.name.value is None and row.weight.value is None and row.score.value is None:
            continue  # a group's label on a line of its own
        group = row.lowest_declared()
        if row.is_bare() and (group is None or group.accounted()):
            continue  # a named row with nothing in it, its group's weight made up by the others
        g1, g2 = row.groups
        out.append(
            DepartmentIndicator(
                row=row.r + 1,
                level1=g1.label if g1 else val(),
                level1_weight=g1.declared if g1 else val(),
                level2=g2.label if g2 else val(),
                level2_weight=g2.declared if g2 else val(),
                name=row.name,
                weight=row.weight,
                weight_from=row.weight_from.r + 1 if row.weight_from else None,
                score=row.score,
                **{k: row.texts.get(k, val()) for k in TEXT_FIELDS},
            )
        )
    return out


def _group(rows: list[_Row]) -> None:
    """Each row's 一级 and 二级 group, by the labels' text (merged, first-row-only or repeated)."""
    current: list[_Group | None] = [None, None]
    for row in rows:
        for i, level in enumerate(("level1", "level2")):
            label = row.labels.get(level, val())
            if label.text:
                name, declared = _split(label)
                key = _key(name.text or "")
                if current[i] is None or current[i].key != key:
                    weight = row.weights.get(f"{level}_weight", val())
                    current[i] = _Group(
                        name, weight if weight.number is not None else declared, key
                    )
                    if i == 0:
                        current[1] = None
        row.groups = list(current)
        for g in current:
            if g is not None:
                g.rows.append(row)


def _share(rows: list[_Row]) -> None:
    """Rows without a 分值 of their own that share the one above (merged, or typed once)."""
    by_row = {row.r: row for row in rows}
    previous: _Row | None = None
    for row in rows:
        if row.weight.number is None and row.name.text:
            top = by_row.get(row.weight_top) if row.weight_top is not None else None
            if top is not None and top.weight.number is not None:
                row.weight_from = top
            elif (
                previous is not None
                and row.score.number is not None
                and previous.groups == row.groups
                and (previous.weight.number is not None or previous.weight_from is not None)
            ):
                leader = previous.weight_from or previous
                group = row.lowest_declared()
                if group.accounted() if group else _plausible(leader, row, rows):
                    row.weight_from = leader
        previous = row


def _plausible(leader: _Row, row: _Row, rows: list[_Row]) -> bool:
    """Without a declared group weight: the set's scores fit in the leader's 分值."""
    members = [r for r in rows if r is leader or r.weight_from is leader or r is row]
    total = sum((r.score.number or 0 for r in members), Decimal(0))
    return leader.weight.number is not None and total <= leader.weight.number


def _key(name: str) -> str:
    text = fold(name)
    for mark in CONTINUED:
        if text.endswith(mark):
            text = text[: -len(mark)]
    return text


def _split(label: Val) -> tuple[Val, Val]:
    """'履职效能（40分）' -> the name, and the declared weight at the same cell."""
    name, weight = split_declared_weight(str(label.value))
    declared = (
        val(cell=label.cell, value=weight, decimals=0, typed=True) if weight is not None else val()
    )
    return val(cell=label.cell, value=name, typed=True, formula=label.formula), declared
