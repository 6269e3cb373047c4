"""An imaginary province (``pws demo --skala provinsi``): about 25 kabupaten/kota, 300 kecamatan with one
puskesmas each, 6,000 desa/kelurahan whose polygons tile the province without gaps, sasaran, targets and one
year of monthly puskesmas workbooks (PWS KIA and imunisasi every month, SPM once a year), a little mess
included. Built the way :mod:`pws.demo.district` builds a district, one level up, and sized by
:class:`ProvinceSize` so tests can make a small one.

Province code 99 is fictional on purpose (no province has it). Counts are drawn with numpy per kabupaten and
the workbooks are written puskesmas by puskesmas, so memory stays small; what was written where goes to
``.pws/demo/kebenaran.csv`` as for the district demo.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from pws.catalogue import Catalogue, default_catalogue
from pws.config import Workspace
from pws.demo import reports
from pws.demo.district import _PREFIX, _SUFFIX, _sample_points, _voronoi_cells, _wiggle
from pws.demo.reports import MONTHS_SHORT, Lineage, Style
from pws.demo.truth import BY_SEX, CAMPAIGN, MONTHLY_STOCK, PLAN
from pws.etl.model import TIDY_COLUMNS

KODE_PROVINSI = "99"
NAMA_PROVINSI = "Provinsi Sukamakmur Raya"
YEAR = 2025
CENTER = (121.0, -3.0)  # lon, lat
SEASON = {3: 0.7, 4: 0.65, 12: 1.2}  # Lebaran end of March 2025, December rush


@dataclass(frozen=True)
class ProvinceSize:
    """How big the province is: kabupaten count, mean kecamatan per kabupaten, mean desa per kecamatan.

    The last ``n_kota`` kabupaten are kota (fewer kecamatan, every village a kelurahan)."""

    n_kabupaten: int = 25
    kecamatan_per_kabupaten: int = 14
    desa_per_kecamatan: int = 20
    n_kota: int = 5
    radius: float = 2.2  # degrees
    months: int = 12  # monthly workbooks are written for January..this month (the SPM recap covers them too)

    @property
    def approx_desa(self) -> int:
        return self.n_kabupaten * self.kecamatan_per_kabupaten * self.desa_per_kecamatan


FULL = ProvinceSize()
#: for tests: 3 kabupaten/kota, about 150 desa, three months of reports
SMALL = ProvinceSize(n_kabupaten=3, kecamatan_per_kabupaten=4, desa_per_kecamatan=12, n_kota=1, radius=0.6, months=3)

#: the mess puskesmas bring, cycled over the puskesmas of each kabupaten
STYLES = [
    Style(),
    Style(name_case="upper", zero="-"),
    Style(text_numbers=0.05, total_formula=True, month_in="title", labels=1),
    Style(month_in="filename", labels=2),
    Style(old_spelling=True, prefix=True),
    Style(luar_wilayah=True),
    Style(prefix=True, zero=None, labels=1),
    Style(text_numbers=0.04, name_case="upper"),
    Style(bln_lalu_is_last_month=True, labels=2),
    Style(missing=frozenset({(YEAR, 7)}), zero=None),
]


@dataclass(frozen=True)
class Province:
    desa: gpd.GeoDataFrame  # wilayah columns + kode_kabupaten, nama_kabupaten, penduduk, geometry

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
            "kode_kabupaten",
            "nama_kabupaten",
        ]
        return pd.DataFrame(self.desa[cols])


def _outline(rng: np.random.Generator, radius: float) -> Polygon:
    theta = np.linspace(0, 2 * math.pi, 360, endpoint=False)
    r = np.ones_like(theta)
    for k, amp in ((2, 0.12), (3, 0.08), (5, 0.05), (11, 0.02)):
        r += amp * np.sin(k * theta + rng.uniform(0, 2 * math.pi))
    xs = CENTER[0] + radius * r * np.cos(theta)
    ys = CENTER[1] + 0.75 * radius * r * np.sin(theta)
    return Polygon(zip(xs, ys, strict=True))


def _names(rng: np.random.Generator, total: int, taken: set[str]) -> list[str]:
    """``total`` Indonesian-sounding names not in ``taken`` (which is updated)."""
    names: list[str] = []
    while len(names) < total:
        prefix = _PREFIX[rng.integers(len(_PREFIX))]
        suffix = _SUFFIX[rng.integers(len(_SUFFIX))]
        name = f"{prefix}{suffix}" if rng.random() < 0.6 else f"{prefix} {suffix.capitalize()}"
        key = name.lower().replace(" ", "")
        if key in taken:
            continue
        taken.add(key)
        names.append(name)
    return names


def _split(rng: np.random.Generator, cell: BaseGeometry, n: int, spacing_share: float = 0.6) -> list[Point]:
    spacing = math.sqrt(cell.area / n) * spacing_share
    inner: BaseGeometry = cell.buffer(-spacing * 0.2)
    if inner.is_empty or inner.area < cell.area * 0.2:
        inner = cell
    return _sample_points(rng, inner, n, spacing)


def build_province(seed: int = 2024, size: ProvinceSize = FULL) -> Province:
    """The whole imaginary province, deterministic for a given seed and size."""
    rng = np.random.default_rng(seed)
    outline = _outline(rng, size.radius)
    kab_seeds = _split(rng, outline, size.n_kabupaten, 0.55)
    kab_cells = _voronoi_cells(kab_seeds, outline)
    raw_cells: list[BaseGeometry] = []
    seeds: list[Point] = []
    owner: list[tuple[int, int]] = []  # (kabupaten index, kecamatan index within it)
    kec_counts: list[int] = []
    for k, cell in enumerate(kab_cells):
        is_kota = k >= size.n_kabupaten - size.n_kota
        mean = max(2, size.kecamatan_per_kabupaten // 2) if is_kota else size.kecamatan_per_kabupaten
        n_kec = max(2, int(rng.integers(mean - mean // 4, mean + mean // 4 + 1)))
        kec_counts.append(n_kec)
        kec_cells = _voronoi_cells(_split(rng, cell, n_kec), cell)
        for c, kcell in enumerate(kec_cells):
            d = size.desa_per_kecamatan
            n_desa = max(3, int(rng.integers(d - d // 3, d + d // 3 + 1)))
            pts = _split(rng, kcell, n_desa)
            raw_cells += _voronoi_cells(pts, kcell)
            seeds += pts
            owner += [(k, c)] * n_desa
    # node every border once, densify, displace with one smooth field, rebuild: shared borders stay shared
    lines = shapely.union_all([shapely.boundary(c) for c in raw_cells])
    lines = shapely.segmentize(lines, 0.006)
    field = _wiggle(rng)
    lines = shapely.transform(lines, field)
    polys = list(shapely.polygonize(list(shapely.get_parts(lines))).geoms)
    moved = field(np.array([[p.x, p.y] for p in seeds]))
    tree = shapely.STRtree(polys)
    hits = tree.query(shapely.points(moved), predicate="within")
    if len(hits[0]) != len(seeds) or len(set(hits[0].tolist())) != len(seeds):
        raise RuntimeError("province tiling failed to assign one polygon per desa")  # a bug, not a data problem
    desa_polys: list[BaseGeometry] = [shapely.Polygon()] * len(seeds)  # every slot is filled just below
    for i, j in zip(hits[0].tolist(), hits[1].tolist(), strict=True):
        desa_polys[i] = shapely.orient_polygons(polys[j])

    taken: set[str] = set()
    kab_names = _names(rng, size.n_kabupaten, taken)
    kec_names = _names(rng, sum(kec_counts), taken)  # unique in the province: puskesmas are named after them
    kec_name_iter = iter(kec_names)
    kec_name: dict[tuple[int, int], str] = {}
    for k, n_kec in enumerate(kec_counts):
        for c in range(n_kec):
            kec_name[(k, c)] = next(kec_name_iter)
    rows = []
    counters: dict[tuple[int, int, str], int] = {}
    n_regency = size.n_kabupaten - size.n_kota
    desa_names: dict[int, list[str]] = {}
    for k in range(size.n_kabupaten):
        count_k = sum(1 for o in owner if o[0] == k)
        desa_names[k] = _names(rng, count_k, set(taken))  # unique within the kabupaten, repeats across
    used = dict.fromkeys(range(size.n_kabupaten), 0)
    for poly, (k, c) in zip(desa_polys, owner, strict=True):
        is_kota = k >= n_regency
        kode_kab = f"{KODE_PROVINSI}.{(k + 1) if not is_kota else 71 + k - n_regency:02d}"
        nama_kab = f"Kota {kab_names[k]}" if is_kota else f"Kabupaten {kab_names[k]}"
        kode_kec = f"{kode_kab}.{c + 1:02d}"
        jenis = "kelurahan" if is_kota or (c == 0 and counters.get((k, c, "1"), 0) < 4) else "desa"
        digit = "1" if jenis == "kelurahan" else "2"
        counters[(k, c, digit)] = counters.get((k, c, digit), 0) + 1
        rows.append(
            {
                "kode_desa": f"{kode_kec}.{digit}{counters[(k, c, digit)]:03d}",
                "nama_desa": desa_names[k][used[k]],
                "kode_kecamatan": kode_kec,
                "nama_kecamatan": kec_name[(k, c)],
                "kode_puskesmas": f"P{kode_kec.replace('.', '')}0201",
                "nama_puskesmas": kec_name[(k, c)],
                "jenis": jenis,
                "alias": "",
                "kode_kabupaten": kode_kab,
                "nama_kabupaten": nama_kab,
                "geometry": poly,
            }
        )
        used[k] += 1
    desa = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    pop = rng.lognormal(mean=math.log(2600), sigma=0.45, size=len(desa))
    pop = np.where(desa["jenis"] == "kelurahan", pop * 2.2, pop)
    desa["penduduk"] = np.clip(pop, 600, 15000).round().astype(int)
    desa = desa.sort_values("kode_desa").reset_index(drop=True)
    return Province(desa=desa)


# ---------------------------------------------------------------------------------------------------
# sasaran and counts


def build_sasaran(desa: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Every sasaran type per desa for :data:`YEAR`, estimated from population (rounded, at least 1)."""
    frames = []
    pop = desa["penduduk"].to_numpy(dtype=float)
    for jenis in catalogue.sasaran_types:
        factor = 1.0 if jenis == "PENDUDUK" else catalogue.estimate_sasaran(jenis, 1.0)
        values = np.maximum(np.round(pop * factor), 1).astype(int)
        frames.append(pd.DataFrame({"tahun": YEAR, "kode_desa": desa["kode_desa"], "jenis_sasaran": jenis,
                                    "jumlah": values}))  # fmt: skip
    return pd.concat(frames, ignore_index=True).sort_values(["kode_desa", "jenis_sasaran"], ignore_index=True)


def draw_counts(
    desa: pd.DataFrame, sasaran: pd.DataFrame, rng: np.random.Generator
) -> dict[tuple[int, int, str, str, str], int]:
    """Monthly counts of one kabupaten (same plan as the district demo, drawn as arrays desa x month)."""
    codes = desa["kode_desa"].tolist()
    n = len(codes)
    s = sasaran.pivot(index="kode_desa", columns="jenis_sasaran", values="jumlah").reindex(codes)
    pkm = desa["kode_puskesmas"].to_numpy()
    pkm_codes = sorted(set(pkm.tolist()))
    pkm_factor = np.where(pkm == pkm_codes[min(3, len(pkm_codes) - 1)], 1.35, 1.0)  # one over-reports
    desa_factor = np.where(rng.random(n) < 0.12, rng.uniform(0.45, 0.65, n), rng.normal(1.0, 0.07, n))
    factor = (desa_factor * pkm_factor)[:, None]
    season = np.array([SEASON.get(m, 1.0) for m in range(1, 13)])[None, :]
    out: dict[str, np.ndarray] = {}
    for code, (jenis, rate, parent, share) in PLAN.items():
        if parent is None:
            lam = s[jenis].to_numpy(dtype=float)[:, None] * rate / 12 * season * factor
            out[code] = rng.poisson(np.maximum(lam, 0.0))
        else:
            out[code] = rng.binomial(out[parent], min(share, 1.0))
    balita = np.repeat(s["BALITA"].to_numpy(dtype=np.int64)[:, None], 12, axis=1)
    out["BALITA_S"] = rng.binomial(balita, MONTHLY_STOCK["BALITA_S"])
    weighed = np.minimum(MONTHLY_STOCK["BALITA_D"] * season * (desa_factor**0.5)[:, None], 1.0)
    out["BALITA_D"] = rng.binomial(out["BALITA_S"], weighed)
    stunting = np.where(desa_factor < 0.7, 1.5, 1.0)[:, None] * MONTHLY_STOCK["STUNTING"]
    out["STUNTING"] = rng.binomial(out["BALITA_D"], np.broadcast_to(stunting, (n, 12)))
    out["WASTING"] = rng.binomial(out["BALITA_D"], MONTHLY_STOCK["WASTING"])
    for code, (jenis, months) in CAMPAIGN.items():
        shares = np.array([months.get(m, 0.0) for m in range(1, 13)])[None, :] * np.minimum(factor, 1.1)
        base = np.repeat(s[jenis].to_numpy(dtype=np.int64)[:, None], 12, axis=1)
        out[code] = rng.binomial(base, np.minimum(shares, 1.0))
    values: dict[tuple[int, int, str, str, str], int] = {}
    for code, grid in out.items():
        boys = rng.binomial(grid, 0.51) if code in BY_SEX else None
        for d, kode in enumerate(codes):
            for m in range(12):
                v = int(grid[d, m])
                values[(YEAR, m + 1, kode, code, "T")] = v
                if boys is not None:
                    b = int(boys[d, m])
                    values[(YEAR, m + 1, kode, code, "L")] = b
                    values[(YEAR, m + 1, kode, code, "P")] = v - b
    return values


# ---------------------------------------------------------------------------------------------------
# the workspace


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()


def _write_kabupaten(
    index: int,
    kab: pd.DataFrame,
    sasaran: pd.DataFrame,
    seed: np.random.SeedSequence,
    laporan: Path,
    internal: Path,
    months: int,
) -> tuple[Path, dict[str, int], list[dict[str, Any]], int]:
    """Draw one kabupaten's counts and write its workbooks; the truth rows go to a part file (run in a worker)."""
    rng = np.random.default_rng(seed)
    kode_kab = str(kab["kode_kabupaten"].iloc[0])
    values = draw_counts(kab, sasaran, rng)
    cumulative: dict[tuple[int, int, str, str, str], int] = {}
    for key in sorted(values):
        y, m, kode, ind, jk = key
        cumulative[key] = values[key] + (cumulative.get((y, m - 1, kode, ind, jk), 0) if m > 1 else 0)
    s_index = sasaran.set_index(["tahun", "kode_desa", "jenis_sasaran"])["jumlah"].to_dict()

    def count(y: int, m: int, kode: str, ind: str, jk: str) -> int:
        return values.get((y, m, kode, ind, jk), 0)

    def cum(y: int, m: int, kode: str, ind: str, jk: str) -> int:
        return cumulative.get((y, m, kode, ind, jk), 0) if m >= 1 else 0

    def sas(y: int, kode: str, jenis: str) -> int:
        return int(s_index.get((y, kode, jenis), 0))

    folder = laporan / str(YEAR) / _slug(str(kab["nama_kabupaten"].iloc[0]))
    folder.mkdir(parents=True, exist_ok=True)
    lineage = Lineage()
    families = {"pws_kia": 0, "imunisasi": 0, "spm": 0}
    for i, (p, rows) in enumerate(kab.groupby("kode_puskesmas", sort=True)):
        pkm = {"kode": p, "nama": rows["nama_puskesmas"].iloc[0], "kecamatan": rows["nama_kecamatan"].iloc[0]}
        items = [{"kode": r.kode_desa, "nama": r.nama_desa, "jenis": r.jenis} for r in rows.itertuples()]
        style = STYLES[(i + index) % len(STYLES)]
        slug = _slug(pkm["nama"])
        for month in range(1, months + 1):
            if (YEAR, month) in style.missing:
                lineage.mess.append({"jenis": "laporan_tidak_ada", "kode_puskesmas": p, "tahun": YEAR, "bulan": month})
                continue
            if style.month_in == "filename":
                kia = f"KIA_{slug}_{MONTHS_SHORT[month - 1]}{YEAR}.xlsx"
                imun = f"IMUNISASI_{slug}_{YEAR}{month:02d}.xlsx"
            else:
                kia = f"PWS KIA {pkm['nama'].upper()} {reports.month_name(month, style)} {YEAR}.xlsx"
                imun = f"Imunisasi {pkm['nama']} {MONTHS_SHORT[month - 1]} {YEAR}.xlsx"
            reports.write_pws_kia(folder / kia, pkm, items, YEAR, month, count, cum, sas, style, rng, lineage)
            imun_style = dataclasses.replace(style, prefix=True)
            reports.write_imunisasi(folder / imun, pkm, items, YEAR, month, count, cum, sas, imun_style, rng, lineage)
            families["pws_kia"] += 1
            families["imunisasi"] += 1
        reports.write_spm(
            folder / f"SPM {pkm['nama']} {YEAR}.xlsx", pkm, items, YEAR, months, count, style, rng, lineage
        )
        families["spm"] += 1
    part = internal / f"kebenaran.{kode_kab}.part"
    with part.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(lineage.records)
    return part, families, [{**m, "kode_kabupaten": kode_kab} for m in lineage.mess], len(lineage.records)


def generate_province(root: Path, seed: int = 2024, size: ProvinceSize = FULL, jobs: int = 1) -> Any:
    """Write the province workspace into ``root`` (created if needed) and return its :class:`DemoSummary`.

    ``jobs`` > 1 writes the kabupaten in that many processes; the result is the same for any ``jobs``."""
    from pws.demo import DemoSummary

    ws = Workspace(root)
    root.mkdir(parents=True, exist_ok=True)
    catalogue = default_catalogue()
    province = build_province(seed, size)
    desa = province.desa
    plain = pd.DataFrame(desa.drop(columns="geometry"))
    province.wilayah.to_csv(root / "wilayah.csv", index=False)
    desa[["kode_desa", "nama_desa", "kode_kecamatan", "geometry"]].to_file(root / "batas_desa.geojson")
    sasaran = build_sasaran(plain, catalogue)
    sasaran.to_csv(root / "sasaran.csv", index=False)
    pd.DataFrame(
        [(YEAR, "K4", 95, "", ""), (YEAR, "K6", 82, "", ""), (YEAR, "IDL", 95, "", "")],
        columns=["tahun", "indikator", "target", "kode_puskesmas", "kode_desa"],
    ).to_csv(root / "target.csv", index=False)

    internal = ws.internal_dir / "demo"
    internal.mkdir(parents=True, exist_ok=True)
    truth_cols = [c for c in TIDY_COLUMNS if c not in ("nama_desa", "kode_puskesmas")]
    files_by_family: dict[str, int] = {"pws_kia": 0, "imunisasi": 0, "spm": 0}
    mess: list[dict[str, Any]] = []
    n_values = 0
    seeds = np.random.SeedSequence(seed).spawn(plain["kode_kabupaten"].nunique())
    work = [
        (i, kab, sasaran[sasaran["kode_desa"].isin(kab["kode_desa"])], seeds[i], ws.laporan_dir, internal, size.months)
        for i, (_, kab) in enumerate(plain.groupby("kode_kabupaten", sort=True))
    ]
    if jobs <= 1:
        done = [_write_kabupaten(*w) for w in work]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            done = list(pool.map(_write_kabupaten, *zip(*work, strict=True)))
    with (internal / "kebenaran.csv").open("w", newline="", encoding="utf-8") as truth_file:
        truth_file.write(",".join(truth_cols) + "\n")
        for part, fam, part_mess, n in done:
            truth_file.write(part.read_text(encoding="utf-8"))
            part.unlink()
            for k, v in fam.items():
                files_by_family[k] += v
            mess += part_mess
            n_values += n

    kabupaten = plain.groupby(["kode_kabupaten", "nama_kabupaten"]).size().reset_index(name="desa").to_dict("records")
    summary = DemoSummary(
        root=root,
        n_desa=len(desa),
        n_puskesmas=plain["kode_puskesmas"].nunique(),
        n_kecamatan=plain["kode_kecamatan"].nunique(),
        n_files=sum(files_by_family.values()),
        files_by_family=files_by_family,
        n_values=n_values,
        mess=mess,
    )
    manifest = {
        "skala": "provinsi",
        "provinsi": {"kode": KODE_PROVINSI, "nama": NAMA_PROVINSI},
        "kabupaten": [{"kode": k["kode_kabupaten"], "nama": k["nama_kabupaten"], "desa": k["desa"]} for k in kabupaten],
        "seed": seed,
        "ukuran": dataclasses.asdict(size),
        "tahun": {str(YEAR): size.months},
        "berkas_per_jenis": files_by_family,
        "masalah_sengaja": mess,
    }
    (internal / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return summary


__all__ = ["FULL", "SMALL", "Province", "ProvinceSize", "build_province", "generate_province"]
