"""xlperf: read, score, check and roll up budget performance self-evaluation forms (预算绩效自评)."""

__version__ = "0.1.0"
