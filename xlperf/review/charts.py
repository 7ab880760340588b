"""The 概况 sheet's native charts (openpyxl; Excel, WPS and LibreOffice draw them)."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.worksheet.worksheet import Worksheet

from xlperf.review.sheets import OverviewLayout
from xlperf.vocabulary.review import SCORE_BANDS_TITLE

ERRORS_TITLE = "各单位错误数"
SCORES_TITLE = SCORE_BANDS_TITLE + "（项目数）"


def add_charts(ws: Worksheet, layout: OverviewLayout) -> None:
    """Errors by unit (one bar per unit) and the distribution of 自评得分, below the tables."""
    n = layout.last - layout.first + 1
    if n > 0:
        errors = BarChart()
        errors.type = "bar"  # horizontal bars: unit names stay legible however many there are
        errors.title = ERRORS_TITLE
        errors.style = 10
        errors.legend = None
        data = Reference(
            ws, min_col=layout.error_col, min_row=layout.first - 1, max_row=layout.last
        )
        errors.add_data(data, titles_from_data=True)
        errors.set_categories(Reference(ws, min_col=2, min_row=layout.first, max_row=layout.last))
        errors.x_axis.scaling.orientation = "maxMin"  # first unit on top, as in the table
        errors.y_axis.majorGridlines = None
        errors.x_axis.delete = False
        errors.y_axis.delete = False
        errors.dataLabels = _values_only()
        errors.width = 24
        errors.height = max(7.5, 0.55 * n + 2.5)
        ws.add_chart(errors, f"B{layout.chart_row}")
    scores = BarChart()
    scores.type = "col"
    scores.title = SCORES_TITLE
    scores.style = 10
    scores.legend = None
    data = Reference(ws, min_col=3, min_row=layout.bands_first - 1, max_row=layout.bands_last)
    scores.add_data(data, titles_from_data=True)
    scores.set_categories(
        Reference(ws, min_col=2, min_row=layout.bands_first, max_row=layout.bands_last)
    )
    scores.x_axis.delete = False
    scores.y_axis.delete = False
    scores.dataLabels = _values_only()
    scores.width, scores.height = 16, 8
    ws.add_chart(scores, f"I{layout.bands_first - 2}")


def _values_only() -> DataLabelList:
    """Data labels showing the number alone (LibreOffice adds the series and category names
    unless told not to)."""
    return DataLabelList(
        showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False
    )
