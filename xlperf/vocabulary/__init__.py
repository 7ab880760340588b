"""Every label of every form kind, with its spellings and recognition words, in one place.

Readers, templates, checks and reports take the words from here; nothing here imports the rest
of xlperf except :mod:`xlperf.values` (how a label is folded before it is matched).
"""
