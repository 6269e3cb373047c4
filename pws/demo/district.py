"""An imaginary district: kecamatan, puskesmas, desa with Indonesian-sounding names, polygons that tile the
district without gaps or overlaps, and population.

Kabupaten code 99.01 is fictional on purpose (no province has code 99), so demo data can never be mistaken
for a real place.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry

KODE_KABUPATEN = "99.01"
NAMA_KABUPATEN = "Kabupaten Sukamakmur"
CENTER = (120.25, -3.55)  # lon, lat
RADIUS = 0.30  # degrees, about 33 km

KECAMATAN_NAMES = [
    "Tanjung Harapan",
    "Bukit Sari",
    "Sumber Makmur",
    "Karang Anyar",
    "Padang Lestari",
    "Mekar Jaya",
    "Sido Mulyo",
    "Batu Putih",
    "Wono Agung",
]
# desa per kecamatan; the first kecamatan is the town with kelurahan and two puskesmas
DESA_PER_KECAMATAN = [18, 13, 14, 12, 13, 12, 13, 12, 13]

_PREFIX = [
    "Sumber", "Karang", "Tanjung", "Batu", "Suka", "Mekar", "Sido", "Wono", "Tegal", "Kali", "Bukit",
    "Padang", "Rejo", "Jati", "Sari", "Tunas", "Lubuk", "Air", "Pasir", "Kebon", "Ngampel", "Banyu",
    "Mulyo", "Harapan", "Teluk", "Pulau", "Cempaka", "Melati", "Wates", "Gunung",
]  # fmt: skip
_SUFFIX = [
    "jaya", "makmur", "rejo", "mulyo", "sari", "agung", "indah", "baru", "asri", "harjo", "maju",
    "wangi", "luhur", "rahayu", "tani", "kencana", "sejahtera", "mukti", "waras", "lestari", "arum",
    "kidul", "lor", "wetan", "kulon",
]  # fmt: skip
_KELURAHAN = ["Pasar Baru", "Kota Lama", "Pelabuhan", "Kampung Bugis", "Tanjung Kota", "Sungai Dua"]


@dataclass(frozen=True)
class District:
    """The generated district: one row per desa with its polygon and population."""

    desa: gpd.GeoDataFrame  # kode_desa, nama_desa, kode_kecamatan, nama_kecamatan, kode_puskesmas,
    # nama_puskesmas, jenis, alias, penduduk, geometry

    @property
    def wilayah(self) -> pd.DataFrame:
        cols = [
            "kode_desa",
            "nama_desa",
            "kode_kecamatan",
            "nama_kecamatan",
            "kode_puskesmas",
            "nama_puskesmas",
            "jenis",
            "alias",
        ]
        return pd.DataFrame(self.desa[cols])


def _outline(rng: np.random.Generator) -> Polygon:
    """A wobbly, star-shaped district outline."""
    theta = np.linspace(0, 2 * math.pi, 240, endpoint=False)
    r = np.ones_like(theta)
    for k, amp in ((2, 0.10), (3, 0.08), (5, 0.05), (9, 0.025)):
        r += amp * np.sin(k * theta + rng.uniform(0, 2 * math.pi))
    xs = CENTER[0] + RADIUS * r * np.cos(theta)
    ys = CENTER[1] + 0.8 * RADIUS * r * np.sin(theta)
    return Polygon(zip(xs, ys, strict=True))


def _sample_points(rng: np.random.Generator, poly: BaseGeometry, n: int, min_dist: float) -> list[Point]:
    """n points inside poly, at least min_dist apart where possible (rejection sampling)."""
    minx, miny, maxx, maxy = poly.bounds
    points: list[Point] = []
    tries = 0
    while len(points) < n:
        tries += 1
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if not poly.contains(p):
            continue
        dist = min_dist if tries < 20000 else min_dist / 3
        if all(p.distance(q) >= dist for q in points):
            points.append(p)
    return points


def _voronoi_cells(points: list[Point], clip: BaseGeometry) -> list[BaseGeometry]:
    """Voronoi cells of points clipped to clip, in the order of points."""
    cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=clip.buffer(1.0))
    out: list[BaseGeometry] = []
    for p in points:
        cell = next(c for c in cells.geoms if c.contains(p))
        out.append(cell.intersection(clip))
    return out


def _wiggle(rng: np.random.Generator) -> Callable[[np.ndarray], np.ndarray]:
    """A smooth, small, invertible displacement field (so shared borders stay shared)."""
    terms = []
    for wavelength, amp in ((0.09, 0.0020), (0.09, 0.0020), (0.025, 0.0005), (0.025, 0.0005)):
        k = 2 * math.pi / wavelength
        angle = rng.uniform(0, 2 * math.pi)
        terms.append((k * math.cos(angle), k * math.sin(angle), rng.uniform(0, 2 * math.pi), amp))

    def apply(coords: np.ndarray) -> np.ndarray:
        x, y = coords[:, 0], coords[:, 1]
        dx = np.zeros_like(x)
        dy = np.zeros_like(y)
        for i, (kx, ky, phase, amp) in enumerate(terms):
            arg = kx * x + ky * y + phase
            if i % 2 == 0:
                dx += amp * np.sin(arg)
            else:
                dy += amp * np.sin(arg)
        return np.column_stack([x + dx, y + dy])

    return apply


def _tile(rng: np.random.Generator) -> tuple[list[Polygon], list[Point], list[int]]:
    """Desa polygons tiling the outline, their seed points and kecamatan index, borders wiggled once."""
    outline = _outline(rng)
    kec_seeds = _sample_points(rng, outline.buffer(-0.06), len(KECAMATAN_NAMES), 0.12)
    kec_cells = _voronoi_cells(kec_seeds, outline)
    # the town kecamatan is the one nearest the centre
    order = sorted(range(len(kec_cells)), key=lambda i: kec_seeds[i].distance(Point(CENTER)))
    kec_cells = [kec_cells[i] for i in order]
    seeds: list[Point] = []
    kec_index: list[int] = []
    raw_cells: list[BaseGeometry] = []
    for k, cell in enumerate(kec_cells):
        n = DESA_PER_KECAMATAN[k]
        spacing = math.sqrt(cell.area / n) * 0.6
        pts = _sample_points(rng, cell.buffer(-spacing * 0.2), n, spacing)
        raw_cells += _voronoi_cells(pts, cell)
        seeds += pts
        kec_index += [k] * n
    # node all borders, densify, displace every vertex with one smooth field, rebuild polygons
    lines = shapely.union_all([shapely.boundary(c) for c in raw_cells])
    lines = shapely.segmentize(lines, 0.004)
    field = _wiggle(rng)
    lines = shapely.transform(lines, field)
    polys = list(shapely.polygonize(list(shapely.get_parts(lines))).geoms)
    moved_seeds = [Point(field(np.array([[p.x, p.y]]))[0]) for p in seeds]
    tree = shapely.STRtree(polys)
    desa_polys: list[Polygon] = []
    for p in moved_seeds:
        hits = [polys[i] for i in tree.query(p, predicate="within")]
        if len(hits) != 1:
            raise RuntimeError("demo tiling failed to assign a polygon")  # a bug, not a data problem
        desa_polys.append(shapely.orient_polygons(hits[0]))  # RFC 7946: exterior counter-clockwise
    return desa_polys, seeds, kec_index


def _desa_names(rng: np.random.Generator, total: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < total:
        prefix = _PREFIX[rng.integers(len(_PREFIX))]
        suffix = _SUFFIX[rng.integers(len(_SUFFIX))]
        name = f"{prefix}{suffix}" if rng.random() < 0.6 else f"{prefix} {suffix.capitalize()}"
        if name.lower().replace(" ", "") in seen:
            continue
        seen.add(name.lower().replace(" ", ""))
        names.append(name)
    return names


def build_district(seed: int = 2024) -> District:
    """The whole imaginary district, deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    polys, seeds, kec_index = _tile(rng)
    names = _desa_names(rng, len(polys))
    rows = []
    counters: dict[tuple[int, str], int] = {}
    kel_names = iter(_KELURAHAN)
    for i, (poly, seed_pt, k) in enumerate(zip(polys, seeds, kec_index, strict=True)):
        kode_kec = f"{KODE_KABUPATEN}.{k + 1:02d}"
        # the town kecamatan has six kelurahan (nearest its centre), every other village is a desa
        is_kel = k == 0 and sum(1 for j in range(i) if kec_index[j] == 0) < len(_KELURAHAN)
        jenis = "kelurahan" if is_kel else "desa"
        digit = "1" if is_kel else "2"
        counters[(k, digit)] = counters.get((k, digit), 0) + 1
        kode = f"{kode_kec}.{digit}{counters[(k, digit)]:03d}"
        nama = next(kel_names) if is_kel else names[i]
        rows.append(
            {
                "kode_desa": kode,
                "nama_desa": nama,
                "kode_kecamatan": kode_kec,
                "nama_kecamatan": KECAMATAN_NAMES[k],
                "jenis": jenis,
                "x": seed_pt.x,
                "geometry": poly,
            }
        )
    desa = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    # a legitimately repeated name in two kecamatan (a real-world join trap)
    second = desa.index[(desa["kode_kecamatan"] == f"{KODE_KABUPATEN}.05") & (desa["jenis"] == "desa")][0]
    first = desa.index[(desa["kode_kecamatan"] == f"{KODE_KABUPATEN}.03") & (desa["jenis"] == "desa")][0]
    desa.loc[second, "nama_desa"] = desa.loc[first, "nama_desa"]
    # puskesmas: one per kecamatan, the town kecamatan has two (split west/east)
    pkm_codes, pkm_names = [], []
    town_split = desa.loc[desa["kode_kecamatan"] == f"{KODE_KABUPATEN}.01", "x"].median()
    for _, rec in desa.iterrows():
        k = int(rec["kode_kecamatan"][-2:])
        nama_kec = rec["nama_kecamatan"]
        if k == 1 and rec["x"] > town_split:
            pkm_codes.append(f"P9901{k:02d}0202")
            pkm_names.append(f"{nama_kec} Timur")
        else:
            pkm_codes.append(f"P9901{k:02d}0201")
            pkm_names.append(nama_kec)
    desa["kode_puskesmas"] = pkm_codes
    desa["nama_puskesmas"] = pkm_names
    # a desa renamed recently: reports may still use the old name, recorded as an alias
    desa["alias"] = ""
    renamed = desa.index[desa["jenis"] == "desa"][7]
    desa.loc[renamed, "alias"] = "Kampung " + str(desa.loc[renamed, "nama_desa"]).split()[0] + " Lama"
    # population: kelurahan larger, desa lognormal around 2,600
    pop = rng.lognormal(mean=math.log(2600), sigma=0.45, size=len(desa))
    pop = np.where(desa["jenis"] == "kelurahan", pop * 2.2, pop)
    desa["penduduk"] = np.clip(pop, 600, 15000).round().astype(int)
    desa = desa.drop(columns="x").sort_values("kode_desa").reset_index(drop=True)
    return District(desa=desa)
