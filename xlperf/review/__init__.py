"""批量审核: read every workbook of a folder, check it, flag a copy, and write one review workbook.

:mod:`collect` reads the files (in parallel, one small picklable result per file),
:mod:`convention` names the scoring convention a form follows, :mod:`sheets` writes each sheet
of the review workbook and :mod:`charts` its charts.
"""

from xlperf.review.collect import collect
from xlperf.review.workbook import ReviewResult, review

__all__ = ["ReviewResult", "collect", "review"]
