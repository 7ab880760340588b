"""网上预审: the page ``xlperf serve`` shows at ``/`` and the uploads it sends.

The page is three static files here (``index.html``, ``page.css``, ``page.js``: plain HTML, CSS
and ES5 JavaScript, nothing loaded from elsewhere, so it works offline on an intranet and in the
older engines WPS ships with); :mod:`xlperf.web.upload` receives and checks what a unit uploads
(:mod:`xlperf.web.archive` expands its .zip files, :mod:`xlperf.web.files` names them).
"""

from __future__ import annotations

from importlib import resources

ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "page.css": "text/css; charset=utf-8",
    "page.js": "application/javascript; charset=utf-8",
}


def asset(name: str) -> bytes:
    """One of the page's files, as shipped in the package."""
    if name not in ASSETS:
        raise KeyError(name)
    return resources.files(__name__).joinpath(name).read_bytes()
