"""How much of a workbook xlperf reads at most: hostile or broken files are refused in seconds.

Each limit is far above what a real 预算绩效自评 workbook needs (a form is a few hundred cells,
a department's whole workbook a few hundred thousand) and low enough that a file at the limit is
read within seconds and a few hundred MB of memory. Every refusal names the limit it hit.
"""

from __future__ import annotations

from decimal import Decimal

MAX_FILE_BYTES = 100 * 1024 * 1024  # the workbook file on disk
MAX_XLS_BYTES = 50 * 1024 * 1024  # a legacy .xls is read whole by xlrd
MAX_SHEETS = 1000  # sheets in one workbook
MAX_ZIP_MEMBERS = 20_000  # parts in one .xlsx package
MAX_MEMBER_BYTES = 64 * 1024 * 1024  # one part of the package, uncompressed
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # the whole package, uncompressed
MAX_RATIO = 200  # uncompressed ÷ compressed size of one part (over RATIO_FLOOR bytes)
RATIO_FLOOR = 1024 * 1024
MAX_CELLS = 2_000_000  # cells written in all sheets of a workbook
MAX_SHEET_AREA = 4_000_000  # rows × columns of one sheet's used range
MAX_BOOK_AREA = 10_000_000  # the same, all sheets of a workbook together
MAX_MERGED_CELLS = 1_000_000  # cells under merges, in all sheets (openpyxl makes each one)
MAX_NUMBER = Decimal("1e15")  # amounts (万元, 元), weights and scores beyond this are unreadable
MAX_NUMBER_TEXT = 64  # characters of a number typed as text
MAX_CRITERION_CHARS = 1000  # a 评分标准 text (the longest in the seeds: 524); reading is quadratic
MAX_RULES_BYTES = 1024 * 1024  # a --rules file (a real one is a few hundred bytes)


def mb(n: int) -> str:
    return f"{n // (1024 * 1024)} MB"
