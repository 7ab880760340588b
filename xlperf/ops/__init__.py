"""The in-place operations behind the ribbon buttons: recalculate and check, clear flags, roll up.

Each is planned once, as data (:mod:`xlperf.ops.plan`), and applied by a front: files through
openpyxl (:mod:`xlperf.ops.files`) or a live workbook through xlwings (:mod:`xlperf.excel`).
"""
