"""部门整体支出绩效自评表 / 评分表: model, reader, scoring and checks (codes XD401–XD409)."""

import xlperf.model  # noqa: F401  (first: the workbook model embeds DepartmentForm)
