"""The meeting-pack buttons of Ringkasan in a real browser: Excel, PowerPoint and, for one puskesmas, PDF arrive as
downloads named after the view, and hold what the view shows."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from pptx import Presentation

from pws import service
from pws.analysis import overview
from pws.config import Workspace
from pws.i18n import t
from tests.e2e.conftest import Server, choose, open_page, shot

BUILD_MS = 180_000  # a whole pack: data, ~30 images, the file


def _download(page: Any, button: str) -> tuple[str, bytes]:
    with page.expect_download(timeout=BUILD_MS) as info:
        page.click(f"#{button}")
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_pack_downloads_from_ringkasan(page: Any, server: Server) -> None:
    ws = Workspace(server.root)
    keys = overview.key_indicators(ws, service.workspace_data(ws).catalogue)
    open_page(page, "/ringkasan?tahun=2025&bulan=10&indikator=K4")
    page.wait_for_selector(".rk-card .rk-big")
    group = page.locator("#rapat-unduh")
    for label in ("PowerPoint", "PDF", "Excel"):
        assert label in group.inner_text()

    name, content = _download(page, "rapat-unduh-xlsx")
    assert name == "paket-rapat-2025-10.xlsx"
    book = load_workbook(io.BytesIO(content), read_only=True)
    assert [kode for _, kode in keys if kode in book.sheetnames] == [kode for _, kode in keys]
    page.wait_for_selector("#rapat-status:has-text('paket-rapat-2025-10.xlsx')")

    with page.expect_download(timeout=BUILD_MS) as info:
        page.click("#rapat-unduh-pptx")
        page.wait_for_selector("#rapat-unduh-pptx:disabled", timeout=10_000)  # building: no second click
        page.wait_for_selector(".rp-busy", timeout=10_000)  # and it says so
        shot(page, "rapat")
    assert info.value.suggested_filename == "paket-rapat-2025-10.pptx"
    deck = Presentation(info.value.path())
    texts = [shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame]
    assert t("rapat.judul_kabupaten", "id") in texts
    assert len(deck.slides) > 2 * len(keys)
    page.wait_for_selector("#rapat-unduh-pptx:not(:disabled)")

    choose(page, "shell-puskesmas", "Bukit Sari")
    name, content = _download(page, "rapat-unduh-pdf")
    kode = service.puskesmas_list(ws).set_index("nama_puskesmas").loc["Bukit Sari", "kode_puskesmas"]
    assert name == f"paket-rapat-2025-10-{kode}.pdf"
    assert content.startswith(b"%PDF") and len(content) > 100_000  # pages with pictures

    name, content = _download(page, "rapat-unduh-peta")
    assert name == f"peta-K4-2025-10-{kode}.pdf" and content.startswith(b"%PDF")
