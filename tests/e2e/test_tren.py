"""Tren in a real browser: one small chart per indicator of the life stage, the per-puskesmas small multiples with
the service's numbers, switching the stage, choosing a puskesmas, a click on a chart choosing the indicator."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from pws import service
from pws.config import Workspace
from pws.figures.charts import lagging_first
from pws.figures.theme import format_pct
from tests.e2e.conftest import Server, choose, current_url, open_page, settle, shot

STAGE = "#tren-grafik-tahap"
PER_PUSKESMAS = "#tren-grafik-puskesmas"


def _subplots(page: Any, graph: str) -> int:
    return int(page.locator(f"{graph} .cartesianlayer > g.subplot").count())


def _wait_subplots(page: Any, graph: str, n: int) -> None:
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel + ' .cartesianlayer > g.subplot').length === n", arg=[graph, n]
    )


def test_stage_grid_and_puskesmas_grid_follow_the_filters(page: Any, server: Server) -> None:
    ws = Workspace(server.root)
    catalogue = service.workspace_data(ws).catalogue
    open_page(page, "/tren?tahun=2025&bulan=6&indikator=K4")
    page.wait_for_selector(f"{STAGE} .js-plotly-plot")
    assert page.locator(".js-plotly-plot").count() == 2
    assert "Seluruh kabupaten" in page.inner_text("h1")
    assert page.inner_text(".tren-stages .selected").strip() == "Ibu hamil"  # the stage of K4

    ibu_hamil = catalogue.by_tahap("ibu_hamil")
    _wait_subplots(page, STAGE, len(ibu_hamil))
    titles = page.locator(f"{STAGE} .annotation-text").all_text_contents()
    for ind in ibu_hamil:
        assert any(text.startswith(ind.nama_id[:30]) for text in titles), ind.kode

    # per puskesmas: one chart each, the furthest behind first, with its June value in the corner
    order = lagging_first(service.aggregate_table(ws, 2025, 6, "K4", "puskesmas"))
    _wait_subplots(page, PER_PUSKESMAS, len(order))
    texts = page.locator(f"{PER_PUSKESMAS} .annotation-text").all_text_contents()
    first_code, first_name = order[0]
    june = service.series(ws, 2025, "K4", "puskesmas", first_code).set_index("bulan").loc[6, "cakupan_kumulatif"]
    assert texts[0].startswith(first_name[:15]) and texts[1] == format_pct(june)
    assert "K4" in page.inner_text("#tren-judul-puskesmas")

    # another life stage
    page.locator(".tren-stages label", has_text="Bayi dan imunisasi").click()
    _wait_subplots(page, STAGE, len(catalogue.by_tahap("bayi_imunisasi")))
    settle(page)
    assert page.inner_text(".tren-stages .selected").strip() == "Bayi dan imunisasi"

    # one puskesmas: the title names it, its chart in the per-puskesmas grid is tinted, the stage stays
    name = order[-1][1]
    choose(page, "shell-puskesmas", name)
    page.wait_for_function("(n) => document.querySelector('h1').innerText.includes('Puskesmas ' + n)", arg=name)
    assert parse_qs(urlparse(current_url(page)).query)["puskesmas"] == [order[-1][0]]
    assert page.inner_text(".tren-stages .selected").strip() == "Bayi dan imunisasi"
    assert page.locator(f"{PER_PUSKESMAS} .layer-below .shapelayer path").count() >= len(order)
    settle(page)
    shot(page, "tren")

    # a click on the first small chart makes its indicator the shell's (and the per-puskesmas grid follows)
    box = page.locator(f"{STAGE} .draglayer .nsewdrag").first.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    first = catalogue.by_tahap("bayi_imunisasi")[0]
    page.wait_for_url(f"**indikator={first.kode}**")
    # ten puskesmas series of a new indicator: computed on first use, seconds on a busy machine
    page.wait_for_function(
        "(code) => document.querySelector('#tren-judul-puskesmas').innerText.includes(code)",
        arg=first.kode,
        timeout=120_000,
    )
