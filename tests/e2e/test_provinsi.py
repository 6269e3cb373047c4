"""The dashboard on a small demo province in a real browser: the Peta map starts with the kabupaten/kota coloured
by their aggregate, a click on one drills into its desa (only that kabupaten's geometry is fetched), the
kabupaten filter and the breadcrumb move between kabupaten and back to the province."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pws import service
from pws.config import Workspace
from pws.geo import MAX_VIEW_BYTES
from tests.e2e.conftest import (
    Server,
    _unavailable,
    choose,
    chromium_path,
    current_url,
    open_page,
    running_app,
    settle,
    watched_tab,
)

MAP = "#peta-choropleth"


@pytest.fixture(scope="module")
def province_server(province_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if chromium_path() is None:
        _unavailable("Chromium is not installed (apt-get install chromium)")
    root = tmp_path_factory.mktemp("e2e-provinsi") / "ws"
    shutil.copytree(province_store, root)
    with running_app(root) as running:
        yield running


@pytest.fixture
def tab(chromium: Any, province_server: Server) -> Iterator[tuple[Any, list[str]]]:
    """A browser tab on the province server (fails on console errors and external requests) and the /geo/ files it
    fetched."""
    geo: list[str] = []
    with watched_tab(chromium, province_server.url, geo) as page:
        yield page, geo


def _locations(page: Any) -> list[str]:
    return list(page.evaluate(f"() => document.querySelector('{MAP} .js-plotly-plot').data[0].locations"))


def _map_ready(page: Any) -> None:
    page.wait_for_selector(f"{MAP} .maplibregl-canvas")
    page.wait_for_function(
        f"""() => {{ const gd = document.querySelector('{MAP} .js-plotly-plot');
                  const map = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot.map;
                  return map && map.loaded() && map.isStyleLoaded(); }}"""
    )


def _pixel_of(page: Any, lon: float, lat: float) -> tuple[float, float]:
    point = page.evaluate(
        f"""([lon, lat]) => {{ const gd = document.querySelector('{MAP} .js-plotly-plot');
                             const map = gd._fullLayout.map._subplot.map;
                             const p = map.project([lon, lat]);
                             const box = map.getCanvasContainer().getBoundingClientRect();
                             return [box.left + p.x, box.top + p.y]; }}""",
        [lon, lat],
    )
    return float(point[0]), float(point[1])


def test_province_map_shows_kabupaten_and_drills_into_desa(tab: tuple[Any, list[str]], province_server: Server) -> None:
    page, geo = tab
    ws = Workspace(province_server.root)
    kabupaten = service.kabupaten_list(ws)
    wilayah = service.workspace_data(ws).wilayah
    open_page(page, "/peta?tahun=2025&bulan=3&indikator=K1")
    _map_ready(page)
    assert _locations(page) == kabupaten["kode_kabupaten"].tolist()
    page.wait_for_function("() => document.querySelector('#peta-legenda')?.innerText.includes('3 kabupaten/kota')")
    assert page.locator("#peta-jejak .crumb-current").inner_text() == "Provinsi"
    page.wait_for_function("() => document.querySelector('.peta-panel .panel-title')?.textContent === 'Provinsi'")
    assert page.locator("#shell-kabupaten").is_visible()

    # a real click inside a kabupaten drills into its desa
    province = service.province_geometry(ws)
    assert province is not None
    target = kabupaten.iloc[1]
    layer = service.map_geometry(ws).desa  # type: ignore[union-attr]
    mine = wilayah[wilayah["kode_kabupaten"] == target["kode_kabupaten"]]
    inside = layer[layer["kode_desa"].isin(mine["kode_desa"])].geometry.union_all().representative_point()
    x, y = _pixel_of(page, inside.x, inside.y)
    page.mouse.click(x, y)
    settle(page)
    page.wait_for_function(
        "(name) => document.querySelector('#peta-jejak .crumb-current')?.textContent === name",
        arg=str(target["nama_kabupaten"]),
    )
    assert f"kabupaten={target['kode_kabupaten']}" in current_url(page)
    page.wait_for_function(f"(n) => document.querySelector('{MAP} .js-plotly-plot').data[0].locations.length === n",
                           arg=len(mine))  # fmt: skip
    assert sorted(_locations(page)) == sorted(mine["kode_desa"])
    _map_ready(page)
    page.wait_for_function(
        "(n) => document.querySelector('#peta-legenda')?.innerText.includes(`Jumlah ${n} desa`)", arg=len(mine)
    )

    # the filter picks another kabupaten; its puskesmas only in the puskesmas dropdown
    other = kabupaten.iloc[2]
    choose(page, "shell-kabupaten", str(other["nama_kabupaten"]))
    page.wait_for_function(
        "(name) => document.querySelector('#peta-jejak .crumb-current')?.textContent === name",
        arg=str(other["nama_kabupaten"]),
    )
    theirs = wilayah[wilayah["kode_kabupaten"] == other["kode_kabupaten"]]
    assert sorted(_locations(page)) == sorted(theirs["kode_desa"])
    page.click("#shell-puskesmas")
    options = page.locator(".dash-dropdown-content .dash-dropdown-option").all_inner_texts()
    page.keyboard.press("Escape")
    assert sorted(o.strip() for o in options) == sorted(set(theirs["nama_puskesmas"]))

    # back to the province through the breadcrumb
    page.locator("#peta-jejak .crumb-link", has_text="Provinsi").click()
    settle(page)
    page.wait_for_function("() => !document.querySelector('#peta-jejak .crumb-link')")
    assert "kabupaten=" not in current_url(page)
    assert _locations(page) == kabupaten["kode_kabupaten"].tolist()

    # only the views' own files were fetched, each under the cap; never the whole province's desa
    whole = service.map_geometry(ws)
    assert whole is not None and whole.desa_geojson.name not in geo
    assert geo
    for name in set(geo):
        path = service.geo_file(ws, name)
        assert path is not None and path.stat().st_size <= MAX_VIEW_BYTES


def test_pws_table_has_one_row_per_kabupaten_until_one_is_chosen(
    tab: tuple[Any, list[str]], province_server: Server
) -> None:
    page, _ = tab
    ws = Workspace(province_server.root)
    kabupaten = service.kabupaten_list(ws)
    open_page(page, "/pws?tahun=2025&bulan=3&indikator=K1")
    page.wait_for_selector("#pws-grafik .js-plotly-plot")
    page.wait_for_function("() => document.querySelector('#pws-keterangan')?.innerText.includes('Seluruh provinsi')")
    n = len(kabupaten)
    page.wait_for_function("(n) => document.querySelector('#pws-ditampilkan')?.innerText.includes(`${n} dari ${n}`)",
                           arg=n)  # fmt: skip
    grid = page.inner_text("#pws-tabel")
    assert all(str(name) in grid for name in kabupaten["nama_kabupaten"])
    target = kabupaten.iloc[0]
    choose(page, "shell-kabupaten", str(target["nama_kabupaten"]))
    n_desa = int(target["jumlah_desa"])
    page.wait_for_function(
        "(n) => document.querySelector('#pws-ditampilkan')?.innerText.includes(`${n} dari ${n}`)", arg=n_desa
    )
    assert str(target["nama_kabupaten"]) in page.inner_text("#pws-keterangan")
    assert f"kabupaten={target['kode_kabupaten']}" in current_url(page)
