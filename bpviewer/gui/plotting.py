"""pyqtgraph, imported on first use and configured once for every plot in the window.

pyqtgraph costs about a second to import, so no module imports it at load time; each plot
calls :func:`pyqtgraph` when it is first shown.  Whichever plot comes first, all of them get
the same look (white background, black axes, no antialiasing: a live curve of 10⁶ points
paints several times faster without it).
"""

from __future__ import annotations

_configured = False


def pyqtgraph():
    """The pyqtgraph module, configured for bpviewer."""
    global _configured
    import pyqtgraph as pg

    if not _configured:
        pg.setConfigOptions(antialias=False, background="w", foreground="k")
        _configured = True
    return pg
