"""The Peta page in a real browser: the map draws offline, the legend counts the desa per status as the PWS table
does, indicator/month/colour mode change the counts, a puskesmas drills in, a click on a desa of the map opens its
panel (trend and where its numbers came from), the breadcrumb goes back up."""

from __future__ import annotations

from typing import Any

from pws import service
from pws.config import Workspace
from pws.figures import theme
from pws.mapdata import COVERAGE_MODE, STATUS_MODE, map_locations, map_values
from tests.e2e.conftest import Server, choose, current_url, open_page, settle, shot

TAHUN, BULAN = 2025, 6
MAP = "#peta-choropleth"


def _legend(page: Any) -> dict[str, int]:
    """The legend's kabupaten count per class key."""
    rows = page.locator("#peta-legenda .legend-row[data-class]")
    return {
        rows.nth(i).get_attribute("data-class"): int(rows.nth(i).locator(".legend-count").first.inner_text())
        for i in range(rows.count())
    }


def _expected(ws: Workspace, bulan: int, indikator: str, mode: str = STATUS_MODE) -> dict[str, int]:
    table = service.table(ws, TAHUN, bulan, indikator)
    values = map_values(table, map_locations(service.workspace_data(ws).wilayah), mode, "id")
    return {c.key: n for c, n in zip(values.classes, values.counts, strict=True)}


def _wait_for_legend(page: Any, expected: dict[str, int]) -> None:
    page.wait_for_function(
        """(expected) => Object.entries(expected).every(([key, n]) => {
               const row = document.querySelector(`#peta-legenda .legend-row[data-class="${key}"] .legend-count`);
               return row && row.textContent.trim() === String(n);
           })""",
        arg=expected,
    )


def _wait_for_panel(page: Any, title: str) -> None:
    page.wait_for_function(
        "(title) => document.querySelector('.peta-panel .panel-title')?.textContent === title", arg=title
    )


def _map_ready(page: Any) -> None:
    page.wait_for_selector(f"{MAP} .maplibregl-canvas")
    page.wait_for_function(
        f"""() => {{ const gd = document.querySelector('{MAP} .js-plotly-plot');
                  const map = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot.map;
                  return map && map.loaded() && map.isStyleLoaded(); }}"""
    )


def _pixel_of(page: Any, lon: float, lat: float) -> tuple[float, float]:
    """Page coordinates of a longitude/latitude on the MapLibre map."""
    point = page.evaluate(
        f"""([lon, lat]) => {{ const gd = document.querySelector('{MAP} .js-plotly-plot');
                             const map = gd._fullLayout.map._subplot.map;
                             const p = map.project([lon, lat]);
                             const box = map.getCanvasContainer().getBoundingClientRect();
                             return [box.left + p.x, box.top + p.y]; }}""",
        [lon, lat],
    )
    return float(point[0]), float(point[1])


def test_map_legend_drill_desa_panel_and_back(page: Any, server: Server) -> None:
    ws = Workspace(server.root)
    open_page(page, f"/peta?tahun={TAHUN}&bulan={BULAN}&indikator=K4")
    _map_ready(page)
    expected = _expected(ws, BULAN, "K4")
    _wait_for_legend(page, expected)
    assert _legend(page) == expected
    assert sum(expected.values()) == len(map_locations(service.workspace_data(ws).wilayah))
    assert "Jumlah 120 desa" in page.inner_text("#peta-legenda")
    assert page.locator("#peta-jejak .crumb-current").inner_text() == "Kabupaten"
    kabupaten = service.aggregate_table(ws, TAHUN, BULAN, "K4", "kabupaten").iloc[0]
    page.wait_for_selector(".peta-panel .panel-title")
    assert page.inner_text(".peta-panel .panel-title") == "Kabupaten"
    assert theme.format_pct(kabupaten["cakupan_kumulatif"]) in page.inner_text("#peta-panel-desa")
    page.wait_for_selector("#peta-tren-desa .scatterlayer .trace")
    assert not page.is_checked("#peta-peta-jalan input")  # no street tiles: nothing leaves the machine
    shot(page, "peta")

    # another indicator and month: the counts follow the PWS table
    catalogue = service.workspace_data(ws).catalogue
    choose(page, "shell-indikator", catalogue.indicators["K1"].name("id"))
    choose(page, "shell-bulan", "Agustus")
    expected_k1 = _expected(ws, 8, "K1")
    assert expected_k1 != expected
    _wait_for_legend(page, expected_k1)
    assert _legend(page) == expected_k1
    assert "Agustus 2025" in page.inner_text("#peta-subjudul")

    # coloured by cumulative coverage: the fixed classes
    page.get_by_label("Cakupan kumulatif", exact=True).check()
    settle(page)
    coverage = _expected(ws, 8, "K1", COVERAGE_MODE)
    _wait_for_legend(page, coverage)
    assert theme.coverage_class_label(3) in page.inner_text("#peta-legenda")
    page.get_by_label("Status PWS", exact=True).check()
    settle(page)
    _wait_for_legend(page, expected_k1)

    # drill into a puskesmas: breadcrumb, its desa listed with their status colours
    table = service.table(ws, TAHUN, 8, "K1")
    names = sorted(set(table["nama_puskesmas"]))
    pkm_name = next(n for n in names if sum(other.startswith(n) for other in names) == 1)  # a name no other extends
    mine = table[table["nama_puskesmas"] == pkm_name]
    pkm_code = str(mine["kode_puskesmas"].iloc[0])
    choose(page, "shell-puskesmas", pkm_name)
    page.wait_for_function(
        "(text) => document.querySelector('#peta-jejak .crumb-current')?.textContent === text",
        arg=f"Puskesmas {pkm_name}",
    )
    page.wait_for_selector("#peta-daftar-desa .desa-item")
    assert page.locator("#peta-daftar-desa .desa-item").count() == len(mine)
    _map_ready(page)
    page.wait_for_timeout(1500)  # the zoom to the puskesmas is animated by the map

    # a real click on a desa of the map, at a point inside its polygon
    target = mine.sort_values("sasaran", ascending=False).iloc[0]
    geometry = service.map_geometry(ws)
    assert geometry is not None
    shape = geometry.desa.set_index("kode_desa").loc[target["kode_desa"], "geometry"]
    inside = shape.representative_point()
    x, y = _pixel_of(page, inside.x, inside.y)
    page.mouse.move(x, y)
    page.wait_for_selector(f"{MAP} .hoverlayer .hovertext")
    hover = page.locator(f"{MAP} .hoverlayer").text_content() or ""
    assert str(target["nama_desa"]) in hover
    assert theme.format_pct(target["cakupan_kumulatif"]) in hover
    page.mouse.click(x, y)
    settle(page)
    _wait_for_panel(page, str(target["nama_desa"]))
    assert f"desa={target['kode_desa']}" in current_url(page)
    page.wait_for_selector("#peta-tren-desa .scatterlayer .trace")
    assert page.locator("#peta-tren-desa .scatterlayer .trace").count() == 3
    lineage = service.lineage(ws, TAHUN, "K1", str(target["kode_desa"]))
    assert not lineage.empty
    panel = page.inner_text("#peta-asal-angka")
    assert str(lineage["sumber_file"].iloc[0]) in panel
    first_row = page.locator("#peta-asal-angka tr.value-row").first
    assert first_row.locator("td.cell").inner_text() == str(lineage["sumber_sel"].iloc[0])
    assert page.locator("#peta-daftar-desa .desa-item.selected").inner_text().startswith(str(target["nama_desa"]))
    shot(page, "peta_desa")

    # another desa from the list, then back up the breadcrumb
    other = mine[mine["kode_desa"] != target["kode_desa"]].iloc[0]
    page.locator("#peta-daftar-desa .desa-item", has_text=str(other["nama_desa"])).first.click()
    settle(page)
    _wait_for_panel(page, str(other["nama_desa"]))
    page.locator("#peta-jejak .crumb-link", has_text=pkm_name).click()
    settle(page)
    _wait_for_panel(page, f"Puskesmas {pkm_name}")
    assert page.locator("#peta-asal-angka tr").count() == 0  # sources are shown for a desa only
    assert "desa=" not in current_url(page) and f"puskesmas={pkm_code}" in current_url(page)
    page.locator("#peta-jejak .crumb-link", has_text="Kabupaten").click()
    settle(page)
    page.wait_for_function("() => !document.querySelector('#peta-jejak .crumb-link')")
    _wait_for_panel(page, "Kabupaten")
    assert "puskesmas=" not in current_url(page)
    assert page.locator("#peta-daftar-desa .desa-item").count() == 0
    _wait_for_legend(page, expected_k1)


def test_close_button_and_a_month_without_reports(page: Any, server: Server) -> None:
    ws = Workspace(server.root)
    table = service.table(ws, TAHUN, BULAN, "K4")
    desa = table.iloc[5]
    open_page(page, f"/peta?tahun={TAHUN}&bulan={BULAN}&indikator=K4&puskesmas={desa['kode_puskesmas']}")
    page.locator("#peta-daftar-desa .desa-item", has_text=str(desa["nama_desa"])).first.click()
    settle(page)
    _wait_for_panel(page, str(desa["nama_desa"]))
    page.click(".panel-close")
    settle(page)
    _wait_for_panel(page, f"Puskesmas {desa['nama_puskesmas']}")
    assert "desa=" not in current_url(page)
    choose(page, "shell-bulan", "Desember")  # the demo's reports end in October
    page.wait_for_selector(".peta-notice-box")
    assert "Desember 2025" in page.inner_text(".peta-notice-box")
    _wait_for_legend(page, {"NO_DATA": len(map_locations(service.workspace_data(ws).wilayah))})
