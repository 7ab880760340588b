"""xlperf: read, score, check and roll up budget performance self-evaluation forms (预算绩效自评)."""

import os as _os
from pathlib import Path as _Path

__version__ = "0.1.0"


def _default_xlwings_licence() -> None:
    """xlwings' remote engine (server mode, ``xw.Book(json=...)``) runs under its PolyForm
    Noncommercial licence; xlwings decides at *import* whether it may, so the key must be in the
    environment before any module of ours imports xlwings. Every such module is inside this
    package, so setting it here, once, comes first. A key the user set or configured wins."""
    if _os.environ.get("XLWINGS_LICENSE_KEY"):
        return
    try:
        conf = _Path.home() / ".xlwings" / "xlwings.conf"
        if '"LICENSE_KEY"' in conf.read_text(encoding="utf-8", errors="replace"):
            return
    except (OSError, RuntimeError):
        pass
    _os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"


_default_xlwings_licence()
