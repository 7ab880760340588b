"""Forms as data: what was read from each kind of form, every value with the cell it came from.

Nothing here reads a file or judges a value; :mod:`xlperf.reader` fills these, the checks judge them.
"""
