"""The dashboard at province scale (small demo province): the kabupaten filter in the URL, one aggregate row per
kabupaten (checked against sums of the desa table), and map views that never send more than the geometry cap."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from pws import service, viewstate
from pws.config import Workspace
from pws.geo import MAX_VIEW_BYTES, fit_under_cap, geojson_bytes, to_geojson
from pws.mapdata import kabupaten_map_frame, map_values


@pytest.fixture(scope="module")
def ws(province_store: Path) -> Workspace:
    return Workspace(province_store)


def test_a_province_lists_its_kabupaten(ws: Workspace, demo_store: Path) -> None:
    kab = service.kabupaten_list(ws)
    wilayah = service.workspace_data(ws).wilayah
    assert kab["kode_kabupaten"].tolist() == sorted(set(wilayah["kode_desa"].str[:5]))
    assert kab["jumlah_desa"].sum() == len(wilayah)
    assert kab["nama_kabupaten"].str.match(r"^(Kabupaten|Kota) ").all()
    assert service.is_province(ws)
    assert not service.is_province(Workspace(demo_store))  # the district demo stays one kabupaten


def test_kabupaten_in_the_url(ws: Workspace, demo_store: Path) -> None:
    wilayah = service.workspace_data(ws).wilayah
    kab = sorted(set(wilayah["kode_kabupaten"]))[1]
    state = viewstate.from_query(ws, f"?tahun=2025&bulan=2&indikator=K1&kabupaten={kab}")
    assert state.kabupaten == kab and state.puskesmas is None
    assert f"kabupaten={kab}" in state.to_query()
    assert viewstate.from_query(ws, state.to_query()) == state
    assert viewstate.from_query(ws, "?kabupaten=12.34").kabupaten is None  # unknown code: dropped
    # a puskesmas (or a desa) brings its own kabupaten, whatever the link said
    other = wilayah[wilayah["kode_kabupaten"] != kab].iloc[0]
    moved = viewstate.from_query(ws, f"?kabupaten={kab}&desa={other['kode_desa']}")
    assert (moved.kabupaten, moved.puskesmas) == (other["kode_kabupaten"], other["kode_puskesmas"])
    # one kabupaten: the filter does not exist, the view is what it was
    district = Workspace(demo_store)
    code = service.workspace_data(district).wilayah["kode_kabupaten"].iloc[0]
    assert viewstate.from_query(district, f"?kabupaten={code}").kabupaten is None
    assert "kabupaten" not in viewstate.default_state(district).to_query()


def test_one_row_per_kabupaten_is_a_ratio_of_sums(ws: Workspace) -> None:
    table = service.table(ws, 2025, 3, "K1")
    rows = service.kabupaten_table(ws, 2025, 3, "K1").set_index("kode")
    assert list(rows.index) == sorted(set(table["kode_desa"].str[:5]))
    for kab, part in table.groupby(table["kode_desa"].str[:5]):
        row = rows.loc[kab]
        with_sasaran = part[part["sasaran"] > 0]
        assert row["sasaran"] == pytest.approx(with_sasaran["sasaran"].sum())
        assert row["kumulatif"] == pytest.approx(with_sasaran["kumulatif"].sum())
        expected = 100 * with_sasaran["kumulatif"].sum() / with_sasaran["sasaran"].sum()
        assert row["cakupan_kumulatif"] == pytest.approx(expected)
        assert row["jumlah_desa"] == len(part)
        assert row["tingkat"] == "per_kabupaten"
    # the whole province is still one row, the sum of all
    whole = service.aggregate_table(ws, 2025, 3, "K1", "kabupaten").iloc[0]
    assert whole["kumulatif"] == pytest.approx(rows["kumulatif"].sum())


def test_kabupaten_trend_covers_only_its_desa(ws: Workspace) -> None:
    kab = service.kabupaten_list(ws)["kode_kabupaten"].iloc[0]
    trend = service.series(ws, 2025, "K1", "per_kabupaten", kab)
    row = service.kabupaten_table(ws, 2025, 3, "K1").set_index("kode").loc[kab]
    march = trend[trend["bulan"] == 3].iloc[0]
    assert march["kumulatif"] == pytest.approx(row["kumulatif"])


def test_map_views_stay_under_the_geometry_cap(ws: Workspace) -> None:
    province = service.province_geometry(ws)
    assert province is not None
    kab_layer = json.loads(province.kabupaten.read_text(encoding="utf-8"))
    codes = sorted(f["properties"]["kode_desa"] for f in kab_layer["features"])
    assert codes == service.kabupaten_list(ws)["kode_kabupaten"].tolist()
    assert province.kabupaten.stat().st_size <= MAX_VIEW_BYTES
    wilayah = service.workspace_data(ws).wilayah
    for kab, layer in province.layers.items():
        assert layer.desa.stat().st_size + layer.kecamatan.stat().st_size <= MAX_VIEW_BYTES
        feats = json.loads(layer.desa.read_text(encoding="utf-8"))["features"]
        assert {f["properties"]["kode_desa"] for f in feats} == set(wilayah.loc[wilayah["kode_kabupaten"] == kab,
                                                                                "kode_desa"])  # fmt: skip
    # the scopes the map draws: kabupaten at province level, one kabupaten's desa after a drill
    top = service.map_scope(ws)
    assert top is not None and top.level == "kabupaten" and top.shapes == province.kabupaten
    kab = next(iter(province.layers))
    inner = service.map_scope(ws, kab)
    assert inner is not None and inner.level == "desa" and set(inner.wilayah["kode_kabupaten"]) == {kab}
    assert service.geo_file(ws, inner.shapes.name) == inner.shapes
    assert service.geo_file(ws, "../wilayah.csv") is None


def test_the_cap_picks_the_finest_tolerance_that_fits(ws: Workspace) -> None:
    desa = service.map_geometry(ws).desa  # type: ignore[union-attr]

    def view(simple):  # type: ignore[no-untyped-def]
        return [to_geojson(simple, ["kode_desa"])]

    sizes = {tol: geojson_bytes(view(desa.pipe(lambda d, t=tol: d.assign(
        geometry=shapely.coverage_simplify(d.geometry.to_numpy(), t))))[0]) for tol in (0.0005, 0.004)}  # fmt: skip
    assert sizes[0.004] < sizes[0.0005]
    cap = (sizes[0.004] + sizes[0.0005]) // 2  # too small for 0.0005, enough for 0.004
    layers, tolerance = fit_under_cap(desa, view, cap, (0.0005, 0.004, 0.016))
    assert tolerance == 0.004 and geojson_bytes(layers[0]) <= cap
    _, finest = fit_under_cap(desa, view, 10**9, (0.0005, 0.004))
    assert finest == 0.0005
    _, coarsest = fit_under_cap(desa, view, 10, (0.0005, 0.004))  # nothing fits: the coarsest is returned
    assert coarsest == 0.004


def test_kabupaten_map_values(ws: Workspace) -> None:
    kab = service.kabupaten_list(ws)
    rows = kabupaten_map_frame(service.kabupaten_table(ws, 2025, 3, "K1"))
    values = map_values(rows, tuple(kab["kode_kabupaten"]), "cakupan")
    assert sum(values.counts) == len(kab)
    assert values.z[0] != len(values.classes) - 1  # has a value, not "no data"
    assert np.all(np.array(values.z) >= 0)
