"""Reading the Chinese prose of a 评分标准 into a rule (entry: :mod:`.criterion`)."""
