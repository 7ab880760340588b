"""评分标准 as data: scoring rules read from the Chinese prose of a 评分标准 column.

:func:`parse_criterion` reads a 评分标准 text into a rule (:mod:`.model`; :func:`read_criterion`
also takes the rule's JSON), :func:`evaluate` scores a value under a rule (exact
:class:`~decimal.Decimal` arithmetic, quantised only at the end; floats are refused) and
:func:`explain` renders a rule as short Chinese. Rates are fractions throughout (95% is
``Decimal("0.95")``). :mod:`.money` holds the money-derived department indicators (预算执行率 …).
"""
