"""The monthly review-meeting pack and the print-ready map (``pws rapat``, the download buttons of Ringkasan).

* :mod:`~pws.report.pack` — what the pack contains: :func:`~pws.report.pack.collect` gathers the numbers once,
  :func:`~pws.report.pack.build_pack` adds the slides with their rendered figures;
* :mod:`~pws.report.images` — plotly figures to PNG/PDF through one warm Chromium (Kaleido);
* :mod:`~pws.report.pptx`, :mod:`~pws.report.pdf`, :mod:`~pws.report.excel` — the three writers;
* :mod:`~pws.report.printmap` — the A4 status map with legend, scale bar, north arrow, date and source.

No dash here; the writers return bytes.
"""

from __future__ import annotations

from pws.report.excel import neutralise, write_excel
from pws.report.images import BrowserMissingError, Renderer, chromium_path
from pws.report.pack import Pack, PackData, build_pack, collect
from pws.report.pdf import write_pdf
from pws.report.pptx import write_pptx
from pws.report.printmap import NoBoundariesError, print_map

__all__ = [
    "BrowserMissingError",
    "NoBoundariesError",
    "Pack",
    "PackData",
    "Renderer",
    "build_pack",
    "chromium_path",
    "collect",
    "neutralise",
    "print_map",
    "write_excel",
    "write_pdf",
    "write_pptx",
]
