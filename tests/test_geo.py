"""Village boundaries: reading, repairing, checking against the master list, simplifying, GeoJSON."""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPoint, Polygon, box

from pws.geo import (
    detect_code_field,
    kecamatan_outlines,
    load_boundaries,
    load_wilayah_from_boundaries,
    simplify_coverage,
    to_geojson,
    write_map_geojson,
)
from pws.issues import Issue

REAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real" / "cahyadsn-wilayah-boundaries"

# A small district near Watansoppeng: two kecamatan, three desa each, 0.01° squares.
X0, Y0, D = 119.88, -4.35, 0.01
CODES = [
    "73.12.01.2001",
    "73.12.01.2002",
    "73.12.01.2003",
    "73.12.02.2001",
    "73.12.02.2002",
    "73.12.02.1003",
]
NAMES = ["Bila", "Cenrana", "Kebo", "Lompulle", "Sumpang", "Botto"]


def squares(n: int = len(CODES)) -> list[Polygon]:
    """Adjacent counter-clockwise squares in a row (a clean coverage)."""
    return [box(X0 + i * D, Y0, X0 + (i + 1) * D, Y0 + D) for i in range(n)]


def layer(codes: list[Any], field: str = "kode_desa", names: list[str] | None = None, **extra: Any) -> gpd.GeoDataFrame:
    data: dict[str, Any] = {field: codes}
    if names is not None:
        data["nama"] = names
    data.update(extra)
    return gpd.GeoDataFrame(data, geometry=squares(len(codes)), crs="EPSG:4326")


def codes_of(issues: list[Issue]) -> Counter[str]:
    return Counter(i.code for i in issues)


def only(issues: list[Issue], code: str) -> list[Issue]:
    return [i for i in issues if i.code == code]


def assert_messages_render(issues: list[Issue]) -> None:
    """Every issue's parameters fill its template in both languages."""
    for i in issues:
        for lang in ("id", "en"):
            text = i.message(lang)
            assert text and "{" not in text.replace("{file}", ""), (i.code, lang, text)


def exteriors_ccw(gdf: gpd.GeoDataFrame) -> bool:
    polys = shapely.get_parts(gdf.geometry.to_numpy())
    return bool(np.all(shapely.is_ccw(shapely.get_exterior_ring(polys))))


def wilayah_frame(codes: list[str], names: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kode_desa": codes,
            "nama_desa": names,
            "kode_kecamatan": [c[:8] for c in codes],
            "nama_kecamatan": ["Kec " + c[6:8] for c in codes],
            "kode_puskesmas": "P1",
            "nama_puskesmas": "Puskesmas Satu",
        }
    )


# --------------------------------------------------------------------------------------------- reading


@pytest.mark.parametrize("as_int", [False, True], ids=["text", "integer"])
def test_kdepum_ten_digit_codes_are_detected_and_normalised(tmp_path: Path, as_int: bool) -> None:
    raw = [c.replace(".", "") for c in CODES]
    values: list[Any] = [int(c) for c in raw] if as_int else raw
    gdf = layer(values, field="KDEPUM", NAMOBJ=NAMES, KDEBPS=["7312010001"] * len(CODES))
    path = tmp_path / "batas_desa.geojson"
    gdf.to_file(path, driver="GeoJSON")

    assert detect_code_field(gpd.read_file(path)) == "KDEPUM"
    desa, issues = load_boundaries(path)
    assert issues == []
    assert list(desa["kode_desa"]) == sorted(CODES)
    assert dict(zip(desa["kode_desa"], desa["nama_desa"], strict=True)) == dict(zip(CODES, NAMES, strict=True))
    assert set(desa["kode_kecamatan"]) == {"73.12.01", "73.12.02"}
    assert desa.crs is not None and desa.crs.to_epsg() == 4326
    assert list(desa.columns) == [
        "kode_desa",
        "nama_desa",
        "kode_kecamatan",
        "nama_kecamatan",
        "di_master",
        "geometry",
    ]


def test_geopackage_in_utm_is_reprojected(tmp_path: Path) -> None:
    gdf = layer(CODES, names=NAMES)
    path = tmp_path / "batas_desa.gpkg"
    gdf.to_crs("EPSG:32750").to_file(path, driver="GPKG")

    desa, issues = load_boundaries(path)
    changed = only(issues, "batas_crs_diubah")
    assert len(changed) == 1 and changed[0].params["crs"] == "EPSG:32750"
    assert changed[0].severity == "info"
    assert desa.crs is not None and desa.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = desa.total_bounds
    assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
    assert np.allclose(desa.total_bounds, gdf.total_bounds, atol=1e-7)
    assert len(desa) == len(CODES)
    assert_messages_render(issues)


def test_shapefile_with_kd_desa(tmp_path: Path) -> None:
    path = tmp_path / "batas_desa.shp"
    layer(CODES, field="kd_desa", names=NAMES).to_file(path)

    # the Shapefile format winds shells clockwise: that is not reported, but the result is RFC 7946
    assert not gpd.read_file(path).geometry[0].exterior.is_ccw
    desa, issues = load_boundaries(path)
    assert issues == []
    assert exteriors_ccw(desa)
    assert sorted(desa["kode_desa"]) == sorted(CODES)
    assert set(desa["nama_desa"]) == set(NAMES)


def test_shapefile_without_crs_is_assumed_wgs84(tmp_path: Path) -> None:
    path = tmp_path / "batas_desa.shp"
    layer(CODES, field="kd_desa").to_file(path)
    path.with_suffix(".prj").unlink()

    desa, issues = load_boundaries(path)
    assert codes_of(issues) == Counter({"batas_crs_tidak_ada": 1})
    assert only(issues, "batas_crs_tidak_ada")[0].severity == "warning"
    assert desa.crs is not None and desa.crs.to_epsg() == 4326
    assert len(desa) == len(CODES)


def test_no_code_field_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "batas_desa.geojson"
    gdf = gpd.GeoDataFrame({"nama": NAMES, "luas": [1.5] * len(NAMES)}, geometry=squares(len(NAMES)), crs="EPSG:4326")
    gdf.to_file(path, driver="GeoJSON")

    desa, issues = load_boundaries(path)
    assert codes_of(issues) == Counter({"batas_kolom_kode_tidak_ditemukan": 1})
    found = issues[0].params["found"]
    assert "nama" in found and "luas" in found
    assert len(desa) == 0 and "kode_desa" in desa.columns
    assert_messages_render(issues)


def test_code_field_found_by_its_values_or_named_explicitly(tmp_path: Path) -> None:
    path = tmp_path / "batas_desa.geojson"
    layer(CODES, field="KODE_DESA_KEMENDAGRI_2025", names=NAMES, id_lama=list(range(len(CODES)))).to_file(
        path, driver="GeoJSON"
    )
    assert detect_code_field(gpd.read_file(path)) == "KODE_DESA_KEMENDAGRI_2025"
    desa, issues = load_boundaries(path)
    assert issues == [] and len(desa) == len(CODES)

    desa, issues = load_boundaries(path, code_field="kode_desa_kemendagri_2025")
    assert issues == [] and len(desa) == len(CODES)

    desa, issues = load_boundaries(path, code_field="tidak_ada")
    assert codes_of(issues) == Counter({"batas_kolom_kode_tidak_ditemukan": 1})
    assert len(desa) == 0


def test_named_field_with_other_codes_loses_to_a_field_of_desa_codes() -> None:
    gdf = layer(CODES, field="KDEPUM")
    gdf["kode"] = "73.12"  # a kabupaten code, not a desa code
    assert detect_code_field(gdf) == "KDEPUM"
    gdf = layer(["73.12"] * len(CODES), field="kode")
    assert detect_code_field(gdf) == "kode"  # the only candidate: its bad values are reported one by one


def test_bow_tie_is_repaired(tmp_path: Path) -> None:
    gdf = layer(CODES[:3])
    x, y = X0 + 5 * D, Y0
    gdf.loc[1, "geometry"] = Polygon([(x, y), (x + D, y + D), (x + D, y), (x, y + D), (x, y)])
    assert not gdf.geometry.is_valid.all()
    path = tmp_path / "batas_desa.geojson"
    gdf.to_file(path, driver="GeoJSON")

    desa, issues = load_boundaries(path)
    fixed = only(issues, "batas_geometri_diperbaiki")
    assert len(fixed) == 1
    assert fixed[0].feature == 2 and fixed[0].params["kode"] == CODES[1]
    assert "Self-intersection" in fixed[0].params["reason"]
    assert len(desa) == 3
    assert desa.geometry.is_valid.all()
    assert set(desa.geom_type) <= {"Polygon", "MultiPolygon"}
    bow = desa.set_index("kode_desa").geometry[CODES[1]]
    assert bow.area == pytest.approx(D * D / 2)
    assert exteriors_ccw(desa)
    assert_messages_render(issues)


def test_clockwise_rings_are_oriented(tmp_path: Path) -> None:
    gdf = layer(CODES[:4])
    gdf.loc[0, "geometry"] = gdf.geometry[0].reverse()
    gdf.loc[2, "geometry"] = gdf.geometry[2].reverse()
    holed = Polygon(
        box(X0 + 3 * D, Y0, X0 + 4 * D, Y0 + D).exterior.coords,
        [box(X0 + 3.4 * D, Y0 + 0.4 * D, X0 + 3.6 * D, Y0 + 0.6 * D).exterior.coords],  # hole wound ccw: wrong
    )
    gdf.loc[3, "geometry"] = holed
    path = tmp_path / "batas_desa.geojson"
    gdf.to_file(path, driver="GeoJSON")
    # the file keeps the winding as written
    assert not gpd.read_file(path).geometry[0].exterior.is_ccw

    desa, issues = load_boundaries(path)
    turned = only(issues, "batas_arah_ring_diperbaiki")
    assert len(turned) == 1 and turned[0].params["count"] == 3
    assert exteriors_ccw(desa)
    hole = desa.set_index("kode_desa").geometry[CODES[3]].interiors[0]
    assert not hole.is_ccw
    assert_messages_render(issues)


def test_empty_geometry_is_dropped(tmp_path: Path) -> None:
    gdf = layer(CODES[:3])
    gdf.loc[1, "geometry"] = None
    path = tmp_path / "batas_desa.geojson"
    gdf.to_file(path, driver="GeoJSON")

    desa, issues = load_boundaries(path)
    empty = only(issues, "batas_tanpa_geometri")
    assert len(empty) == 1 and empty[0].feature == 2 and empty[0].params["kode"] == CODES[1]
    assert list(desa["kode_desa"]) == [CODES[0], CODES[2]]
    assert_messages_render(issues)


def test_point_geometry_is_not_a_boundary() -> None:
    gdf = layer(CODES[:2])
    gdf.loc[1, "geometry"] = shapely.Point(X0, Y0)
    desa, issues = _load_frame(gdf)
    assert codes_of(issues)["batas_tanpa_geometri"] == 1
    assert list(desa["kode_desa"]) == [CODES[0]]


def _load_frame(gdf: gpd.GeoDataFrame, **kwargs: Any) -> tuple[gpd.GeoDataFrame, list[Issue]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batas_desa.geojson"
        gdf.to_file(path, driver="GeoJSON")
        return load_boundaries(path, **kwargs)


def test_invalid_and_blank_codes_are_reported_with_feature_number() -> None:
    desa, issues = _load_frame(layer([CODES[0], "12.AB", CODES[2], ""]))
    bad = only(issues, "kode_desa_tidak_valid")
    assert len(bad) == 1
    assert bad[0].feature == 2 and bad[0].params["value"] == "12.AB"
    assert only(issues, "kode_desa_kosong")[0].feature == 4
    assert list(desa["kode_desa"]) == [CODES[0], CODES[2]]
    assert_messages_render(issues)


def test_duplicate_code_is_merged() -> None:
    gdf = layer([CODES[0], CODES[1], CODES[1], CODES[3]], names=["A", "B", "B", "D"])
    gdf.loc[2, "geometry"] = box(X0 + 10 * D, Y0, X0 + 11 * D, Y0 + D)  # an island of B
    desa, issues = _load_frame(gdf)
    dup = only(issues, "batas_kode_ganda")
    assert len(dup) == 1 and dup[0].params == {"kode": CODES[1], "count": 2} and dup[0].feature == 2
    assert len(desa) == 3
    merged = desa.set_index("kode_desa").geometry[CODES[1]]
    assert merged.geom_type == "MultiPolygon" and merged.is_valid
    assert merged.area == pytest.approx(2 * D * D)
    assert exteriors_ccw(desa)
    assert_messages_render(issues)


def test_master_list_mismatch_in_both_directions() -> None:
    # boundaries: desa 0..4; master: desa 0..3 and 5 -> 4 lacks a master row, 5 lacks a polygon
    wilayah = wilayah_frame([CODES[i] for i in (0, 1, 2, 3, 5)], [NAMES[i] for i in (0, 1, 2, 3, 5)])
    desa, issues = _load_frame(layer(CODES[:5]), wilayah=wilayah)
    not_master = only(issues, "batas_desa_tidak_di_master")
    no_polygon = only(issues, "master_desa_tanpa_batas")
    assert [i.params["kode"] for i in not_master] == [CODES[4]]
    assert not_master[0].feature == 5 and not_master[0].severity == "warning"
    assert [i.params["kode"] for i in no_polygon] == [CODES[5]]
    assert no_polygon[0].params["nama"] == NAMES[5]
    assert len(desa) == 5  # flagged, not dropped
    flags = dict(zip(desa["kode_desa"], desa["di_master"], strict=True))
    assert not flags[CODES[4]]
    assert sum(flags.values()) == 4
    # names missing from the file come from the master list
    names = dict(zip(desa["kode_desa"], desa["nama_desa"], strict=True))
    assert names[CODES[0]] == NAMES[0] and names[CODES[4]] == ""
    assert dict(zip(desa["kode_desa"], desa["nama_kecamatan"], strict=True))[CODES[0]] == "Kec 01"
    assert_messages_render(issues)


def test_empty_master_list_counts_as_none() -> None:
    empty = wilayah_frame([], [])
    desa, issues = _load_frame(layer(CODES), wilayah=empty)
    assert issues == [] and desa["di_master"].all()


def test_twin_names_in_one_kecamatan_only() -> None:
    # two "Sukamaju" in 73.12.01 (twins) and one "Bila" in each kecamatan (not twins)
    names = ["Sukamaju", "SUKAMAJU ", "Bila", "Bila", "Sumpang", "Botto"]
    desa, issues = _load_frame(layer(CODES, names=names))
    twins = only(issues, "nama_desa_kembar")
    assert len(twins) == 1
    assert twins[0].params["kodes"] == f"{CODES[0]}, {CODES[1]}"
    assert twins[0].params["kode_kecamatan"] == "73.12.01"
    assert twins[0].severity == "warning"
    assert len(desa) == len(CODES)
    assert_messages_render(issues)


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp"])
def test_missing_and_corrupt_files_give_issues(tmp_path: Path, suffix: str) -> None:
    desa, issues = load_boundaries(tmp_path / f"tidak_ada{suffix}")
    assert codes_of(issues) == Counter({"berkas_tidak_ada": 1}) and len(desa) == 0

    corrupt = tmp_path / f"rusak{suffix}"
    corrupt.write_bytes(np.random.default_rng(7).bytes(4096))
    desa, issues = load_boundaries(corrupt)
    assert codes_of(issues) == Counter({"berkas_tidak_terbaca": 1})
    assert issues[0].file == corrupt.name and issues[0].params["detail"]
    assert len(desa) == 0 and list(desa.columns)[-1] == "geometry"
    assert_messages_render(issues)


# --------------------------------------------------------------------------------------------- layers


def test_kecamatan_outlines() -> None:
    desa, _ = _load_frame(layer(CODES, names=NAMES, nama_kec=["Lilirilau"] * 3 + ["Liliriaja"] * 3))
    kec = kecamatan_outlines(desa)
    assert list(kec["kode_kecamatan"]) == ["73.12.01", "73.12.02"]
    assert list(kec["nama_kecamatan"]) == ["Lilirilau", "Liliriaja"]
    assert kec.geometry.is_valid.all()
    assert kec.geometry.union_all().area == pytest.approx(desa.geometry.union_all().area)
    assert shapely.area(kec.geometry.to_numpy()).sum() == pytest.approx(shapely.area(desa.geometry.to_numpy()).sum())
    assert exteriors_ccw(kec)


def test_kecamatan_outlines_close_gaps_but_keep_enclaves() -> None:
    def sq(x0: float, y0: float, x1: float, y1: float) -> Polygon:
        return box(X0 + x0 * D, Y0 + y0 * D, X0 + x1 * D, Y0 + y1 * D)

    gap, enclave = sq(0.2, 0.2, 0.4, 0.4), sq(1.2, 1.2, 1.6, 1.6)
    big = Polygon(sq(0, 0, 2, 2).exterior.coords, [gap.exterior.coords, enclave.exterior.coords])
    desa = gpd.GeoDataFrame(
        {"kode_desa": ["73.12.01.2001", "73.12.02.2001", "73.12.02.2002"]},
        geometry=[big, enclave, sq(2, 0, 3, 1)],
        crs="EPSG:4326",
    )
    desa["kode_kecamatan"] = desa["kode_desa"].str[:8]
    kec = kecamatan_outlines(desa).set_index("kode_kecamatan")
    outline = kec.geometry["73.12.01"]
    assert outline.is_valid and len(outline.interiors) == 1
    assert Polygon(outline.interiors[0]).equals(enclave)
    assert outline.area == pytest.approx(big.area + gap.area)
    assert kec["nama_kecamatan"].tolist() == ["", ""]


def voronoi_tiling(n: int = 60, seed: int = 3) -> gpd.GeoDataFrame:
    """A clean coverage with wiggly shared borders: Voronoi cells whose edges are densified and bent once."""
    rng = np.random.default_rng(seed)
    frame = box(110.0, -7.5, 110.5, -7.0)
    pts = MultiPoint(list(zip(rng.uniform(110.0, 110.5, n), rng.uniform(-7.5, -7.0, n), strict=True)))
    cells = shapely.intersection(shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=frame)), frame)
    edges = shapely.get_parts(shapely.line_merge(shapely.union_all(shapely.boundary(cells))))
    edges = shapely.segmentize(edges, 0.0002)

    def bend(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        return np.column_stack([x + 0.0003 * np.sin(900 * y), y + 0.0003 * np.cos(900 * x)])

    edges = shapely.transform(edges, bend)
    polys = shapely.get_parts(shapely.polygonize(edges))
    codes = [f"33.01.{i // 20 + 1:02d}.{2001 + i:04d}" for i in range(len(polys))]
    gdf = gpd.GeoDataFrame({"kode_desa": codes}, geometry=polys, crs="EPSG:4326")
    gdf["kode_kecamatan"] = gdf["kode_desa"].str[:8]
    return gdf


def test_simplify_coverage_keeps_a_clean_tiling() -> None:
    tiles = voronoi_tiling()
    geoms = tiles.geometry.to_numpy()
    assert shapely.coverage_is_valid(geoms) and len(tiles) > 40
    before = shapely.union_all(geoms)

    simple = simplify_coverage(tiles, 0.0005)
    after_geoms = simple.geometry.to_numpy()
    after = shapely.union_all(after_geoms)
    assert shapely.is_valid(after_geoms).all() and not shapely.is_empty(after_geoms).any()
    assert list(simple["kode_desa"]) == list(tiles["kode_desa"])
    # no gaps: the union has no holes and keeps its area (the outer edge is simplified too)
    assert all(len(p.interiors) == 0 for p in shapely.get_parts(after))
    assert after.area == pytest.approx(before.area, rel=1e-3)
    # no overlaps: the pieces add up to the union
    assert shapely.area(after_geoms).sum() == pytest.approx(after.area, rel=1e-9)
    assert shapely.coverage_is_valid(after_geoms)
    assert shapely.get_num_coordinates(after_geoms).sum() < 0.5 * shapely.get_num_coordinates(geoms).sum()
    assert exteriors_ccw(simple)


def test_simplify_coverage_with_overlaps_stays_valid() -> None:
    tiles = voronoi_tiling(30, seed=5)
    tiles.loc[0, "geometry"] = tiles.geometry[0].buffer(0.0003)  # overlaps its neighbours
    assert not shapely.coverage_is_valid(tiles.geometry.to_numpy())
    simple = simplify_coverage(tiles, 0.0005)
    assert simple.geometry.is_valid.all() and not simple.geometry.is_empty.any()
    assert set(simple.geom_type) <= {"Polygon", "MultiPolygon"}
    assert len(simple) == len(tiles)


def test_to_geojson_rounds_and_keeps_only_listed_properties() -> None:
    tiles = voronoi_tiling(20)
    tiles["nama_desa"] = [f"Desa {i}" for i in range(len(tiles))]
    tiles["angka"] = np.arange(len(tiles), dtype=np.int64)
    gj = to_geojson(tiles, ["kode_desa", "angka"], precision=4)
    json.dumps(gj)  # plain Python types only
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == len(tiles)
    first = gj["features"][0]
    assert set(first["properties"]) == {"kode_desa", "angka"}
    assert first["properties"]["kode_desa"] == tiles["kode_desa"].iloc[0]
    coords = shapely.get_coordinates(gpd.GeoDataFrame.from_features(gj["features"]).geometry)
    assert np.allclose(coords, np.round(coords, 4), atol=1e-12, rtol=0)
    back = gpd.GeoDataFrame.from_features(gj["features"])
    assert back.geometry.is_valid.all()
    assert exteriors_ccw(back)
    text = json.dumps(gj)
    assert "0000000" not in text and "9999999" not in text  # floats print short


def test_write_map_geojson_caches_by_content(tmp_path: Path) -> None:
    tiles = voronoi_tiling(25)
    tiles["nama_desa"] = "X"
    tiles["nama_kecamatan"] = "K"
    cache = tmp_path / "cache"
    desa_path, kec_path = write_map_geojson(tiles, cache)
    assert desa_path.exists() and kec_path.exists() and desa_path != kec_path
    desa_gj = json.loads(desa_path.read_text(encoding="utf-8"))
    kec_gj = json.loads(kec_path.read_text(encoding="utf-8"))
    assert {f["properties"]["kode_desa"] for f in desa_gj["features"]} == set(tiles["kode_desa"])
    assert len(kec_gj["features"]) == tiles["kode_kecamatan"].nunique()
    assert set(kec_gj["features"][0]["properties"]) == {"kode_kecamatan", "nama_kecamatan"}

    stamp = desa_path.stat().st_mtime_ns
    assert write_map_geojson(tiles, cache) == (desa_path, kec_path)
    assert desa_path.stat().st_mtime_ns == stamp

    changed = tiles.copy()
    changed.loc[0, "geometry"] = shapely.affinity.translate(changed.geometry[0], 0.001)
    new_desa, new_kec = write_map_geojson(changed, cache)
    assert new_desa != desa_path and new_kec != kec_path and new_desa.exists()
    assert write_map_geojson(tiles, cache, tolerance=0.001)[0] not in (desa_path, new_desa)


# --------------------------------------------------------------------------------------------- real data

REAL_DISTRICTS = {
    # file: (desa features, kecamatan, duplicate names inside one kecamatan)
    "desa_7201_banggai.geojson": (337, 24, 0),
    "desa_7101_bolaang_mongondow.geojson": (202, 15, 1),
    "desa_7312_soppeng.geojson": (70, 8, 0),
    "desa_1904_bangka_tengah.geojson": (63, 6, 0),
    "desa_1771_kota_bengkulu.geojson": (67, 9, 0),
    "desa_3507_malang.geojson": (390, 33, 0),
}


@pytest.fixture(scope="module")
def real_cache() -> Iterator[dict[str, tuple[gpd.GeoDataFrame, list[Issue], float]]]:
    yield {}


def load_real(
    name: str, cache: dict[str, tuple[gpd.GeoDataFrame, list[Issue], float]]
) -> tuple[gpd.GeoDataFrame, list[Issue], float]:
    path = REAL_DIR / name
    if not path.exists():
        pytest.skip(f"real boundary data not available at {REAL_DIR}")
    if name not in cache:
        start = time.perf_counter()
        desa, issues = load_boundaries(path)
        cache[name] = (desa, issues, time.perf_counter() - start)
    return cache[name]


@pytest.mark.parametrize("name", list(REAL_DISTRICTS))
def test_real_district_loads(name: str, real_cache: dict[str, Any]) -> None:
    desa, issues, seconds = load_real(name, real_cache)
    n_desa, n_kec, n_twins = REAL_DISTRICTS[name]
    assert len(desa) == n_desa
    assert desa["kode_desa"].is_unique
    assert desa.crs is not None and desa.crs.to_epsg() == 4326
    assert desa.geometry.is_valid.all()
    assert set(desa.geom_type) <= {"Polygon", "MultiPolygon"}
    assert desa["kode_kecamatan"].nunique() == n_kec
    assert (desa["nama_desa"] != "").all() and (desa["nama_kecamatan"] != "").all()
    # the source winds every exterior clockwise; all are turned
    turned = only(issues, "batas_arah_ring_diperbaiki")
    assert len(turned) == 1 and turned[0].params["count"] == n_desa
    assert exteriors_ccw(desa)
    counts = codes_of(issues)
    assert counts["nama_desa_kembar"] == n_twins
    assert not {"batas_tanpa_geometri", "kode_desa_tidak_valid", "batas_kode_ganda"} & set(counts)
    assert_messages_render(issues)
    assert seconds < 5


def test_real_bolaang_mongondow_has_two_inobonto(real_cache: dict[str, Any]) -> None:
    desa, issues, _ = load_real("desa_7101_bolaang_mongondow.geojson", real_cache)
    twins = only(issues, "nama_desa_kembar")
    assert len(twins) == 1
    params = twins[0].params
    assert params["nama"] == "Inobonto"
    assert params["kode_kecamatan"] == "71.01.13" and "71.01.13" in params["kecamatan"]
    assert params["kodes"] == "71.01.13.1006, 71.01.13.2014"

    # with a master list that already holds both, the boundaries do not report the pair a second time
    wilayah = load_wilayah_from_boundaries(desa)
    again, found = load_boundaries(REAL_DIR / "desa_7101_bolaang_mongondow.geojson", wilayah=wilayah)
    assert codes_of(found) == Counter({"batas_arah_ring_diperbaiki": 1})
    assert again["di_master"].all()


def test_real_banggai_repeated_names_across_kecamatan_are_not_twins(real_cache: dict[str, Any]) -> None:
    desa, issues, _ = load_real("desa_7201_banggai.geojson", real_cache)
    kec_per_name = desa.groupby("nama_desa")["kode_kecamatan"].nunique()
    for nama in ("Lamo", "Huhak", "Lontio", "Padang", "Dolom", "Bolobungkang"):
        assert kec_per_name[nama] >= 2, nama
    assert only(issues, "nama_desa_kembar") == []


def test_real_master_list_mismatch(real_cache: dict[str, Any]) -> None:
    desa, _, _ = load_real("desa_7312_soppeng.geojson", real_cache)
    wilayah = load_wilayah_from_boundaries(desa)
    dropped = wilayah.iloc[0]
    wilayah = wilayah.iloc[1:]
    extra = pd.DataFrame([{**wilayah.iloc[0].to_dict(), "kode_desa": "73.12.99.2999", "nama_desa": "Baru"}])
    wilayah = pd.concat([wilayah, extra], ignore_index=True)
    again, issues = load_boundaries(REAL_DIR / "desa_7312_soppeng.geojson", wilayah=wilayah)
    assert [i.params["kode"] for i in only(issues, "batas_desa_tidak_di_master")] == [dropped["kode_desa"]]
    assert [i.params["kode"] for i in only(issues, "master_desa_tanpa_batas")] == ["73.12.99.2999"]
    assert int((~again["di_master"]).sum()) == 1


def test_real_banggai_map_payload(real_cache: dict[str, Any], tmp_path: Path) -> None:
    desa, _, _ = load_real("desa_7201_banggai.geojson", real_cache)
    start = time.perf_counter()
    simple = simplify_coverage(desa, 0.0005)
    gj = to_geojson(simple, ["kode_desa", "nama_desa"])
    elapsed = time.perf_counter() - start
    text = json.dumps(gj, separators=(",", ":"))
    assert len(text) < 1_000_000
    assert elapsed < 10
    back = gpd.GeoDataFrame.from_features(gj["features"], crs="EPSG:4326")
    assert len(back) == 337 and back.geometry.is_valid.all() and not back.geometry.is_empty.any()
    assert (
        shapely.get_num_coordinates(simple.geometry.to_numpy()).sum()
        < shapely.get_num_coordinates(desa.geometry.to_numpy()).sum()
    )
    kec = kecamatan_outlines(desa)
    assert len(kec) == 24 and kec.geometry.is_valid.all()
    # slivers between desa are closed (there are over a thousand), enclaves stay
    assert sum(len(p.interiors) for p in shapely.get_parts(kec.geometry.to_numpy())) < 10
    kec_area, desa_area = kec.geometry.union_all().area, desa.geometry.union_all().area
    assert desa_area <= kec_area < desa_area * 1.001

    desa_path, kec_path = write_map_geojson(desa, tmp_path)
    assert desa_path.stat().st_size < 1_000_000 and kec_path.stat().st_size < desa_path.stat().st_size
