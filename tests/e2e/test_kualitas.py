"""Kualitas data in a real browser: the completeness matrix has a row per puskesmas with the library's statuses, the
findings grid lists every finding of the report, a check and a puskesmas narrow it, a finding's file downloads the
archived original; and the marks: on the PWS table and the Peta desa panel a value that failed a check shows "⚠"
with the finding's message."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pws import service
from pws.config import Workspace
from pws.quality import QualityReport, check_workspace
from pws.quality.marks import check_label
from tests.e2e.conftest import Server, choose, current_url, open_page, settle, shot

TAHUN, BULAN = 2025, 10
GRID = "dash_ag_grid.getApi('kualitas-temuan')"
PWS_GRID = "dash_ag_grid.getApi('pws-tabel')"


def _report(ws: Workspace, bulan: int = BULAN, kode_puskesmas: str | None = None) -> QualityReport:
    """The report as the library computes it (the test's own computation, not the server's cache)."""
    return check_workspace(ws, TAHUN, bulan, kode_puskesmas=kode_puskesmas, lang="id")


def _grid_rows(page: Any, api: str = GRID) -> list[dict]:
    """Every row of a grid after its filters (all pages)."""
    return list(
        page.evaluate(f"() => {{ const out = []; {api}.forEachNodeAfterFilter(n => out.push(n.data)); return out; }}")
    )


def _wait_rows(page: Any, n: int, api: str = GRID) -> None:
    page.wait_for_function(
        f"""(n) => {{ try {{ let c = 0; {api}.forEachNodeAfterFilter(() => c++); return c === n; }}
                     catch (e) {{ return false; }} }}""",
        arg=n,
        timeout=60_000,
    )


def test_matrix_findings_filters_and_download(page: Any, server: Server) -> None:
    ws = Workspace(server.root)
    report = _report(ws)
    puskesmas = service.puskesmas_list(ws)
    open_page(page, f"/kualitas?tahun={TAHUN}&bulan={BULAN}")

    # the matrix: one row per puskesmas of the master list, one cell per month, the library's statuses
    page.wait_for_selector(".kq-m-row")
    assert page.locator(".kq-m-row").count() == len(puskesmas) == 10
    assert page.locator(".kq-m-row").first.locator(".kq-m-cell").count() == BULAN
    statuses = {(r.kode_puskesmas, int(r.bulan)): r.status for r in report.completeness.itertuples(index=False)}
    missing = [key for key, status in statuses.items() if status == "tidak_ada"]
    assert missing, "the demo leaves out reports on purpose"
    for kode, bulan in missing:
        cell = page.locator(f".kq-m-row[data-kode='{kode}'] .kq-m-cell").nth(bulan - 1)
        assert cell.get_attribute("data-status") == "tidak_ada" and cell.inner_text().startswith("–")
    assert page.locator(".kq-m-cell[data-status='tidak_ada']").count() == len(missing)

    # the score cards, worst first; the key figures
    cards = page.locator(".kq-score-card")
    assert cards.count() == len(puskesmas)
    worst = report.puskesmas_scores().iloc[0]
    assert cards.first.locator(".kq-pkm").inner_text() == worst["nama_puskesmas"]
    assert str(len(report.findings)) in page.inner_text("#kualitas-ringkasan")

    # the findings: every finding of the report, errors first
    _wait_rows(page, len(report.findings))
    rows = _grid_rows(page)
    assert rows[0]["tingkat_key"] == "error"
    assert f"{len(report.findings)} dari {len(report.findings)} temuan" in page.inner_text("#kualitas-ditampilkan")
    shot(page, "kualitas")

    # a finding's file downloads the stored original (the bytes the demo wrote)
    link = page.locator(".kq-source a[href^='/berkas/']").first
    link.wait_for()
    href = str(link.get_attribute("href"))
    name = link.inner_text()
    response = page.request.get(href)
    assert response.status == 200
    assert response.body() == next(ws.laporan_dir.rglob(name)).read_bytes()

    # one puskesmas: its findings (and those of the kabupaten as a whole)
    pkm = report.findings.dropna(subset=["kode_puskesmas"]).iloc[0]
    mine = _report(ws, kode_puskesmas=str(pkm["kode_puskesmas"]))
    assert 0 < len(mine.findings) < len(report.findings)
    choose(page, "shell-puskesmas", str(pkm["nama_puskesmas"]))
    assert f"puskesmas={pkm['kode_puskesmas']}" in current_url(page)
    page.wait_for_function("() => document.querySelectorAll('.kq-m-row').length === 1")
    _wait_rows(page, len(mine.findings))
    assert {r["kode_puskesmas"] for r in _grid_rows(page)} <= {str(pkm["kode_puskesmas"]), ""}
    assert page.locator(".kq-score-card").count() == 1

    # a click on the card again goes back to every puskesmas
    page.locator(".kq-score-card").first.click()
    settle(page)
    page.wait_for_function("() => document.querySelectorAll('.kq-m-row').length === 10")
    assert "puskesmas=" not in current_url(page)
    _wait_rows(page, len(report.findings))

    # one check
    late = int((report.findings["kode"] == "laporan_terlambat").sum())
    assert late > 0
    choose(page, "kualitas-cek", check_label("laporan_terlambat", "id"))
    _wait_rows(page, late)
    assert {r["kode"] for r in _grid_rows(page)} == {"laporan_terlambat"}
    assert f"{late} dari {late} temuan" in page.inner_text("#kualitas-ditampilkan")


def _outlier(ws: Workspace, bulan: int) -> pd.Series:
    """The outlier the demo puts in on purpose: KN1 ×10 in Batu Sari, July 2025."""
    report = _report(ws, bulan)
    found = report.findings
    rows = found[(found["kode"] == "pencilan") & (found["indikator"] == "KN1") & (found["bulan"] == 7)]
    rows = rows[rows["nama_desa"] == "Batu Sari"]
    assert len(rows) == 1
    return rows.iloc[0]


def test_pws_table_marks_the_value_that_failed_a_check(page: Any, server: Server) -> None:
    ws = Workspace(server.root)
    outlier = _outlier(ws, 7)
    desa, pkm = str(outlier["kode_desa"]), str(outlier["kode_puskesmas"])
    table = service.table(ws, TAHUN, 7, "KN1")
    rows = table[table["kode_puskesmas"] == pkm]
    open_page(page, f"/pws?tahun={TAHUN}&bulan=7&indikator=KN1&puskesmas={pkm}")
    _wait_rows(page, len(rows), PWS_GRID)
    page.wait_for_function(
        f"""(desa) => {{ try {{ const n = {PWS_GRID}.getRowNode(desa); return !!(n && n.data.kualitas); }}
                        catch (e) {{ return false; }} }}""",
        arg=desa,
        timeout=60_000,
    )
    marked = {r["kode_desa"]: r.get("kualitas") for r in _grid_rows(page, PWS_GRID) if r.get("kualitas")}
    assert outlier["pesan"] in marked[desa]
    cell = page.locator(f".ag-center-cols-container .ag-row[row-id='{desa}'] [col-id='status']")
    assert cell.inner_text().endswith("⚠")
    report = _report(ws, 7)
    clean = set(rows["kode_desa"]) - set(report.findings["kode_desa"].dropna())
    assert clean and not clean & set(marked)
    some = sorted(clean)[0]
    other = page.locator(f".ag-center-cols-container .ag-row[row-id='{some}'] [col-id='status']")
    assert not other.inner_text().endswith("⚠")


def test_peta_marks_the_value_in_the_hover_and_the_desa_panel(page: Any, server: Server) -> None:
    ws = Workspace(server.root)
    outlier = _outlier(ws, 8)
    desa, pkm = str(outlier["kode_desa"]), str(outlier["kode_puskesmas"])
    open_page(page, f"/peta?tahun={TAHUN}&bulan=8&indikator=KN1&puskesmas={pkm}&desa={desa}")
    page.wait_for_selector("#kualitas-tanda-peta .kq-mark-box", timeout=60_000)
    assert outlier["pesan"] in page.inner_text("#kualitas-tanda-peta")
    href = page.locator("#kualitas-tanda-peta .kq-mark-link").get_attribute("href") or ""
    assert href.startswith("/kualitas?") and f"desa={desa}" in href
    notes = page.evaluate(
        """() => { const gd = document.querySelector('#peta-choropleth .js-plotly-plot');
                   return gd.data[0].locations.map((kode, i) => [kode, gd.data[0].customdata[i][6]]); }"""
    )
    marked = {kode: note for kode, note in notes if note}
    assert desa in marked and "⚠" in marked[desa] and "Batu Sari" in marked[desa]
