"""PWS in a real browser: the bar chart and the AG Grid table for the kabupaten and one puskesmas, sorting by %,
the quick filter, the CSV download, and a click on a row choosing the shell's desa."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from pws import service
from pws.config import Workspace
from pws.figures.theme import format_int
from tests.e2e.conftest import Server, choose, current_url, open_page, settle, shot

API = "dash_ag_grid.getApi('pws-tabel')"


def _displayed(page: Any) -> int:
    return int(page.evaluate(f"{API}.getDisplayedRowCount()"))


def _row(page: Any, index: int) -> dict:
    return dict(page.evaluate(f"{API}.getDisplayedRowAtIndex({index}).data"))


def _bars(page: Any) -> int:
    return int(page.locator("#pws-grafik .barlayer .trace").first.locator("g.point").count())


def _wait_rows(page: Any, n: int) -> None:
    page.wait_for_function(
        f"(n) => window.dash_ag_grid && {API} && {API}.getDisplayedRowCount() === n", arg=n, timeout=30_000
    )


def test_kabupaten_chart_and_table_sort_filter_and_download(page: Any, server: Server, tmp_path: Path) -> None:
    ws = Workspace(server.root)
    table = service.table(ws, 2025, 6, "K4")
    total = service.aggregate_table(ws, 2025, 6, "K4", "kabupaten").iloc[0]
    open_page(page, "/pws?tahun=2025&bulan=6&indikator=K4")
    page.wait_for_selector("#pws-grafik .js-plotly-plot")
    assert "Seluruh kabupaten" in page.inner_text("#pws-keterangan")
    _wait_rows(page, len(table))
    assert _bars(page) == len(table) == 120
    assert "120 dari 120" in page.inner_text("#pws-ditampilkan")
    # rows start with the highest coverage, like the chart; the pinned row holds the kabupaten's sums
    assert _row(page, 0)["cakupan_kumulatif"] == table["cakupan_kumulatif"].max()
    pinned = page.inner_text(".ag-floating-bottom")
    assert "Total" in pinned and format_int(total["sasaran"]) in pinned and format_int(total["kumulatif"]) in pinned

    # sort by the % column: one click ascending, a second descending
    header = page.locator(".ag-header-cell[col-id='cakupan_kumulatif'] .ag-header-cell-label")
    header.click()
    page.wait_for_function(
        f"{API}.getDisplayedRowAtIndex(0).data.cakupan_kumulatif === {table['cakupan_kumulatif'].min()}"
    )
    header.click()
    page.wait_for_function(
        f"{API}.getDisplayedRowAtIndex(0).data.cakupan_kumulatif === {table['cakupan_kumulatif'].max()}"
    )

    # the quick filter keeps the rows that mention the text
    name = str(table["nama_desa"].iloc[7])
    page.fill("#pws-cari", name)
    page.wait_for_function(f"{API}.getDisplayedRowCount() < 120")
    settle(page)
    shown = _displayed(page)
    assert 1 <= shown < 120
    assert all(
        name.lower() in (_row(page, i)["nama_desa"] + _row(page, i)["nama_puskesmas"]).lower() for i in range(shown)
    )
    assert f"{shown} dari 120" in page.inner_text("#pws-ditampilkan")
    page.fill("#pws-cari", "")
    _wait_rows(page, 120)

    # CSV download (client side): a header line and one line per desa plus the totals
    with page.expect_download() as info:
        page.click("#pws-unduh-csv")
    target = tmp_path / "pws.csv"
    info.value.save_as(target)
    lines = target.read_text(encoding="utf-8-sig").strip().splitlines()
    assert "BLN LALU" in lines[0] and ";" in lines[0]
    assert len(lines) == 1 + 120 + 1


def test_one_puskesmas_and_a_click_on_a_row_chooses_the_desa(page: Any, server: Server) -> None:
    ws = Workspace(server.root)
    table = service.table(ws, 2025, 6, "K4")
    pkm = service.puskesmas_list(ws).iloc[3]
    rows = table[table["kode_puskesmas"] == pkm["kode_puskesmas"]]
    open_page(page, "/pws?tahun=2025&bulan=6&indikator=K4")
    _wait_rows(page, 120)
    choose(page, "shell-puskesmas", pkm["nama_puskesmas"])
    _wait_rows(page, len(rows))
    page.wait_for_function(
        "(n) => document.querySelectorAll('#pws-grafik .barlayer .trace:first-child g.point').length === n",
        arg=len(rows),
    )
    assert f"Puskesmas {pkm['nama_puskesmas']}" in page.inner_text("#pws-keterangan")
    assert f"{len(rows)} dari {len(rows)}" in page.inner_text("#pws-ditampilkan")
    shot(page, "pws")

    chosen = _row(page, 1)
    page.locator(f".ag-center-cols-container .ag-row[row-id='{chosen['kode_desa']}'] [col-id='bulan_ini']").click()
    page.wait_for_url("**desa=**")
    assert parse_qs(urlparse(current_url(page)).query)["desa"] == [chosen["kode_desa"]]
    settle(page)
    page.wait_for_selector(".pws-row-chosen")
    assert page.locator(f".ag-row.pws-row-chosen[row-id='{chosen['kode_desa']}']").count() >= 1
