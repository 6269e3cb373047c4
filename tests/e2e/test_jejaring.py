"""The service network in a real browser: the Jejaring page on the demo (desa without a pustu compared with
jejaring.csv read independently here, a posyandu chosen and its values shown, the loader's problems with their
rows), the "Jejaring layanan" layer of the Peta map (one point per unit with coordinates in view, added and removed
without redrawing the map), and the posyandu view of the PWS table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from pws import service
from pws.config import Workspace
from tests.e2e.conftest import Server, choose, open_page, settle, shot

TAHUN, BULAN = 2025, 10
GAPS = "dash_ag_grid.getApi('jejaring-celah')"
SILENT = "dash_ag_grid.getApi('jejaring-belum-lapor')"
HISTORY = "dash_ag_grid.getApi('jejaring-riwayat')"
POSYANDU = "dash_ag_grid.getApi('pws-tabel-posyandu')"
MAP = "#peta-choropleth"


def _month_end() -> pd.Timestamp:
    return pd.Timestamp(TAHUN, BULAN, 1) + pd.offsets.MonthEnd(0)


def _network(root: Path) -> pd.DataFrame:
    """jejaring.csv as written, read here with pandas: units of known desa, active at the end of the month, minus
    the rows the demo planted as errors (duplicates, unknown desa) and the coordinates it planted outside the desa."""
    units = pd.read_csv(root / "jejaring.csv", dtype=str, keep_default_na=False)
    units["_row"] = range(2, len(units) + 2)
    wilayah = pd.read_csv(root / "wilayah.csv", dtype=str)
    manifest = json.loads((root / ".pws" / "demo" / "manifest.json").read_text(encoding="utf-8"))
    planted = manifest["masalah_jejaring"]
    dropped = {m["row"] for m in planted if m["jenis"] in ("jejaring_nama_ganda", "jejaring_desa_tidak_dikenal")}
    moved = {m["row"] for m in planted if m["jenis"] == "jejaring_koordinat_di_luar_desa"}
    units = units[units["kode_desa"].isin(set(wilayah["kode_desa"])) & ~units["_row"].isin(dropped)].copy()
    since = pd.to_datetime(units["aktif_sejak"].replace("", None), format="mixed")
    units = units[since.isna() | (since <= _month_end())].copy()
    units.loc[units["_row"].isin(moved), ["lintang", "bujur"]] = ""
    units["titik"] = (units["lintang"] != "") & (units["bujur"] != "")
    return units.merge(wilayah[["kode_desa", "kode_puskesmas"]], on="kode_desa", how="left")


def _without_pustu(root: Path) -> set[str]:
    """Desa of wilayah.csv with no active pustu and no puskesmas building."""
    units = _network(root)
    served = set(units.loc[units["jenis"].isin(["pustu", "puskesmas"]), "kode_desa"])
    wilayah = pd.read_csv(root / "wilayah.csv", dtype=str)
    return set(wilayah["kode_desa"]) - served


def _unit_totals(values: pd.DataFrame) -> pd.Series:
    """Posyandu values per (kode_unit, indikator, tahun, bulan): the total (jk T) where reported, else L + P."""
    known = values[values["kode_unit"].notna()].assign(kode_unit=lambda f: f["kode_unit"].astype(str))
    keys = ["kode_unit", "indikator", "tahun", "bulan"]
    total = known[known["jk"] == "T"].groupby(keys)["nilai"].sum()
    split = known[known["jk"] != "T"].groupby(keys)["nilai"].sum()
    return pd.concat([total, split[~split.index.isin(total.index)]])


def _rows(page: Any, api: str) -> list[dict]:
    return list(page.evaluate(f"(() => {{ const rows = []; {api}.forEachNodeAfterFilterAndSort(n => rows.push(n.data));"
                              " return rows; })()"))  # fmt: skip


def _wait_rows(page: Any, api: str, n: int | None = None) -> None:
    test = f"{api}.getDisplayedRowCount() === {n}" if n is not None else f"{api}.getDisplayedRowCount() > 0"
    page.wait_for_function(f"() => window.dash_ag_grid && {api} && {test}", timeout=30_000)


def test_page_lists_desa_without_pustu_and_a_posyandu_history(page: Any, server: Server) -> None:
    ws = Workspace(server.root)
    expected = _without_pustu(server.root)
    assert 0 < len(expected) < 120
    open_page(page, f"/jejaring?tahun={TAHUN}&bulan={BULAN}&indikator=BALITA_D")
    page.wait_for_selector(".jj-tile")
    tiles = {page.locator(".jj-tile").nth(i).get_attribute("data-key"): page.locator(".jj-tile").nth(i)
             for i in range(page.locator(".jj-tile").count())}  # fmt: skip
    assert tiles["tanpa_pustu"].locator(".jj-tile-value").inner_text() == str(len(expected))
    assert "dari 120 desa" in tiles["tanpa_pustu"].inner_text()
    units = _network(server.root)
    assert tiles["unit"].locator(".jj-tile-value").inner_text() == f"{len(units):,}".replace(",", ".")

    _wait_rows(page, GAPS)
    rows = _rows(page, GAPS)
    listed_without_pustu = {r["kode_desa"] for r in rows if r["prioritas"] in (1, 2)}
    assert listed_without_pustu == expected
    # desa missing both come first, then those without a pustu, then those without a posyandu
    assert [r["prioritas"] for r in rows] == sorted(r["prioritas"] for r in rows)
    per_pkm = page.inner_text("#jejaring-per-puskesmas")
    assert "Per puskesmas" in per_pkm

    # the loader's problems with their rows, in a collapsible panel
    manifest = json.loads((server.root / ".pws" / "demo" / "manifest.json").read_text(encoding="utf-8"))
    page.click("#jejaring-masalah-judul")
    problem_rows = page.locator("#jejaring-masalah .jj-problem")
    assert problem_rows.count() >= len(manifest["masalah_jejaring"])
    listed_rows = {problem_rows.nth(i).locator("td").first.inner_text() for i in range(problem_rows.count())}
    assert {str(m["row"]) for m in manifest["masalah_jejaring"]} <= listed_rows

    # posyandu that did not report: each is an active posyandu without a value this month
    values = service.posyandu_values(ws, TAHUN)
    reported = set(values.loc[(values["bulan"] == BULAN) & values["kode_unit"].notna(), "kode_unit"].astype(str))
    silent = _rows(page, SILENT)
    assert all(r["kode_unit"] not in reported for r in silent)
    active = units.loc[units["jenis"] == "posyandu"]
    assert len(silent) == len(active) - len(reported)  # every posyandu that reported is an active one
    assert f"dari {len(active)} posyandu aktif" in tiles["lapor"].inner_text()

    # choose a posyandu: its SKDN bars and its values month by month
    totals = _unit_totals(values)
    this_month = totals[(totals.index.get_level_values("tahun") == TAHUN)
                        & (totals.index.get_level_values("bulan") == BULAN)]  # fmt: skip
    kode = str(this_month.index.get_level_values("kode_unit")[0])
    row = values[values["kode_unit"] == kode].iloc[0]
    wilayah = pd.read_csv(server.root / "wilayah.csv", dtype=str).set_index("kode_desa")
    desa = wilayah.loc[str(row["kode_desa"])]
    choose(page, "jejaring-posyandu", f"{row['posyandu']} — {desa['nama_desa']} ({desa['nama_puskesmas']})")
    page.wait_for_selector("#jejaring-riwayat-grafik .barlayer .trace")
    _wait_rows(page, HISTORY)
    history = _rows(page, HISTORY)
    assert {r["kode_unit"] for r in history} == {kode}
    month = f"{TAHUN}-{BULAN:02d}"
    mine = this_month[this_month.index.get_level_values("kode_unit") == kode]
    assert set(mine.index.get_level_values("indikator")) <= {r["indikator"] for r in history}
    for (_unit, code, _tahun, _bulan), value in mine.items():
        row = next(r for r in history if r["indikator"] == code)
        assert row[month] == value
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "jejaring")


def _layer_points(page: Any) -> int | None:
    return page.evaluate(
        f"""() => {{ const gd = document.querySelector('{MAP} .js-plotly-plot');
                  const t = gd && gd.data.find(d => d.type === 'scattermap' && d.name === 'jejaring');
                  return t ? t.lat.length : null; }}"""
    )


def test_map_network_layer_points_and_hover_counts(page: Any, server: Server) -> None:
    units = _network(server.root)
    open_page(page, f"/peta?tahun={TAHUN}&bulan={BULAN}&indikator=K4")
    page.wait_for_selector(f"{MAP} .maplibregl-canvas")
    traces = page.evaluate(f"() => document.querySelector('{MAP} .js-plotly-plot').data.length")
    assert _layer_points(page) is None  # off by default
    text = page.evaluate(f"() => document.querySelector('{MAP} .js-plotly-plot').data[0].text.join('\\n')")
    assert "Posyandu:" in text and "Tanpa pustu" in text

    page.get_by_label("Jejaring layanan", exact=True).check()
    settle(page)
    page.wait_for_function(f"() => document.querySelector('{MAP} .js-plotly-plot').data.length === {traces + 2}")
    assert _layer_points(page) == int(units["titik"].sum())
    legend = page.inner_text("#peta-jejaring-legenda")
    assert f"Desa tanpa pustu ({len(_without_pustu(server.root))})" in legend

    # drilled into a puskesmas: the points of its desa only
    pkm = str(units["kode_puskesmas"].iloc[0])
    names = service.puskesmas_list(Workspace(server.root)).set_index("kode_puskesmas")["nama_puskesmas"]
    choose(page, "shell-puskesmas", str(names[pkm]))
    expected = int(units.loc[units["kode_puskesmas"] == pkm, "titik"].sum())
    page.wait_for_function(f"() => {{ const gd = document.querySelector('{MAP} .js-plotly-plot');"
                           " const t = gd.data.find(d => d.name === 'jejaring');"
                           f" return t && t.lat.length === {expected}; }}")  # fmt: skip

    page.get_by_label("Jejaring layanan", exact=True).uncheck()
    settle(page)
    page.wait_for_function(f"() => document.querySelector('{MAP} .js-plotly-plot').data.length === {traces}")
    assert _layer_points(page) is None
    assert not page.is_visible("#peta-jejaring-legenda")


def test_pws_table_posyandu_view(page: Any, server: Server) -> None:
    ws = Workspace(server.root)
    values = service.posyandu_values(ws, TAHUN)
    open_page(page, f"/pws?tahun={TAHUN}&bulan={BULAN}&indikator=K4")
    assert not page.is_visible("#pws-tingkat-bagian")  # K4 has no posyandu values
    indicator = "BALITA_D"
    assert indicator in set(values["indikator"])
    open_page(page, f"/pws?tahun={TAHUN}&bulan={BULAN}&indikator={indicator}")
    page.wait_for_selector("#pws-tingkat-bagian", state="visible")
    page.get_by_label("Posyandu", exact=True).check()
    settle(page)
    page.wait_for_selector("#pws-bagian-posyandu", state="visible")
    assert not page.is_visible("#pws-bagian-desa")
    _wait_rows(page, POSYANDU)
    rows = _rows(page, POSYANDU)
    totals = _unit_totals(values)
    expected = {
        unit: value
        for (unit, code, tahun, bulan), value in totals.items()
        if code == indicator and tahun == TAHUN and bulan == BULAN
    }
    with_value = {r["kode_unit"]: r["bulan_ini"] for r in rows if r["bulan_ini"] is not None}
    assert {k: v for k, v in with_value.items() if not k.startswith("?")} == expected

    # one posyandu
    first = rows[0]
    choose(page, "pws-posyandu", f"{first['posyandu']} — {first['nama_desa']} ({first['nama_puskesmas']})")
    _wait_rows(page, POSYANDU, 1)
    assert _rows(page, POSYANDU)[0]["kode_unit"] == first["kode_unit"]


def test_without_a_network_list_the_page_says_how_to_add_one(page: Any, server: Server) -> None:
    source = server.root / "jejaring.csv"
    aside = server.root.parent / "jejaring.csv.aside"
    source.rename(aside)
    try:
        open_page(page, f"/jejaring?tahun={TAHUN}&bulan={BULAN}")
        page.wait_for_selector(".jj-empty")
        text = page.inner_text(".jj-empty")
        assert "Belum ada daftar jejaring layanan" in text and "jenis,nama,kode_desa" in text
        assert not page.is_visible("#jejaring-bagian-celah") and not page.is_visible(".jj-tile")
        open_page(page, f"/peta?tahun={TAHUN}&bulan={BULAN}&indikator=K4")
        page.wait_for_selector(f"{MAP} .maplibregl-canvas")
        page.get_by_label("Jejaring layanan", exact=True).check()
        settle(page)
        page.wait_for_selector("#peta-jejaring-legenda", state="visible")
        assert "Belum ada daftar jejaring" in page.inner_text("#peta-jejaring-legenda")
        assert _layer_points(page) == 0
    finally:
        aside.rename(source)
