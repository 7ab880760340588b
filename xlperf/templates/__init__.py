"""Official template workbooks that compute and guard on their own (Excel, WPS, LibreOffice).

``build_templates(out_dir)`` writes the committed files of ``workbook_templates/``:

- 项目支出绩效自评表.xlsx — one project form and its 参数 sheet;
- 部门（单位）项目支出自评汇总表.xlsx — the 汇总表, typed in, and its 参数 sheet;
- 部门项目支出绩效自评工作簿.xlsx — 填表说明, 汇总表 (linked to the project sheets), 项目1 (copied
  per project) and 参数.

Every region code reads or writes has a defined name (:mod:`xlperf.templates.names`); the 参数
sheet's names are listed in :mod:`xlperf.vocabulary.params`.
"""

from xlperf.templates.build import build_templates

__all__ = ["build_templates"]
