"""Hostile names in a real browser (issue 8, part 4): desa and puskesmas named like formulas and HTML show as text on
the PWS page, run no script, and the page's CSV download (built in the browser by AG Grid) holds no formula."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pws.safety import FORMULA_PREFIXES, neutralise
from tests.e2e.conftest import open_page, running_app
from tests.test_export_safety import HOSTILE, plant

API = "dash_ag_grid.getApi('pws-tabel')"


@pytest.fixture(scope="module")
def hostile_url(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python app.py`` on a copy of the ingested demo whose master list names desa and a puskesmas hostilely."""
    root = tmp_path_factory.mktemp("e2e-aman") / "ws"
    shutil.copytree(demo_store, root, ignore=shutil.ignore_patterns("cache", "unggah"))
    plant(root)
    with running_app(root) as running:
        yield running.url


def test_hostile_names_are_text_on_the_page_and_in_the_csv(page: Any, hostile_url: str, tmp_path: Path) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_page(page, f"{hostile_url}/pws?tahun=2025&bulan=6&indikator=K4")
    page.wait_for_function(f"window.dash_ag_grid && {API} && {API}.getDisplayedRowCount() === 120", timeout=30_000)
    names = page.evaluate(
        f"(() => {{ const out = []; {API}.forEachNode(n => out.push(n.data.nama_desa)); return out; }})()"
    )
    for name in HOSTILE:
        assert name.strip() in names  # the grid holds the names as they are (display is text)
    page.wait_for_timeout(500)
    assert page.locator("img[src='x']").count() == 0 and dialogs == []
    assert "<script>alert(1)</script>" in page.inner_text("body")

    with page.expect_download() as info:
        page.click("#pws-unduh-csv")
    target = tmp_path / "pws.csv"
    info.value.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"), newline=""), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        if cell.startswith(FORMULA_PREFIXES):
            float(cell.replace(",", "."))  # only a number may start with - or +
    for name in HOSTILE:
        assert neutralise(name.strip()) in cells
