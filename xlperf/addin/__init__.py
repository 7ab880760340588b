"""The xlperf Excel add-in (``addin/xlperf.xlam``): build it from text sources, install it.

- :func:`xlperf.addin.build.build_addin` — ribbon XML + VBA sources → ``.xlam`` (pure Python,
  reproducible);
- :mod:`xlperf.addin.install` — ``install()``, ``remove()``, ``status()`` for Excel's XLSTART
  (import them from that module);
- :mod:`xlperf.addin.ovba` and :mod:`xlperf.addin.cfb` — the [MS-OVBA] VBA project and the
  [MS-CFB] compound file it is stored in.
"""

from xlperf.addin.build import ADDIN_PATH, SOURCE_DIR, XLWINGS_VERSION, BuildError, build_addin

__all__ = [
    "ADDIN_PATH",
    "SOURCE_DIR",
    "XLWINGS_VERSION",
    "BuildError",
    "build_addin",
]
