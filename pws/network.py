"""The ILP service network (``jejaring.csv``): puskesmas, pustu, posyandu, poskesdes and posbindu per desa.

One row per service unit: ``jenis, nama, kode_desa`` and optionally ``dusun``, ``rw``, ``lintang``, ``bujur``,
``aktif_sejak`` and ``kode_unit``. Loaded and validated like the master list (:mod:`pws.workspace`): every
problem is an Issue naming the file and its spreadsheet row (header = row 1); rows with errors are left out,
rows with warnings are kept (a bad coordinate or date is dropped from the row, the unit stays).

Settings (documented defaults, see ``docs/jejaring.md``):

- :data:`POINT_TOLERANCE_M`: a point up to this many metres outside its desa polygon is accepted (GPS error,
  boundary generalisation); farther out it is reported and its coordinates are not used.
- ``tanpa_pustu``: a desa whose own puskesmas sits in it is served by the puskesmas building and is not counted
  as "without pustu" (ILP: a pustu in every desa that has no puskesmas).
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from python_calamine import CalamineError
from shapely.geometry import Point

from pws.codes import normalize_kode_desa
from pws.config import Workspace
from pws.etl.names import PuskesmasMatcher, normalize_name
from pws.issues import Issue, issue
from pws.workspace import read_user_table

UNIT_TYPES = ("puskesmas", "pustu", "posyandu", "poskesdes", "posbindu")

#: Columns of the loaded network frame.
JEJARING_COLUMNS = [
    "kode_unit",
    "jenis",
    "nama",
    "kode_desa",
    "nama_desa",
    "kode_puskesmas",
    "nama_puskesmas",
    "dusun",
    "rw",
    "lintang",
    "bujur",
    "aktif_sejak",
]

#: Columns of :func:`network_by_desa`.
NETWORK_COLUMNS = [
    "kode_desa",
    "nama_desa",
    "kode_puskesmas",
    "pustu",
    "posyandu",
    "poskesdes",
    "posbindu",
    "tanpa_pustu",
    "tanpa_posyandu",
    "puskesmas",
    "nama_puskesmas",
]

#: Columns of :func:`posyandu_reporting`.
REPORTING_COLUMNS = [
    "kode_unit",
    "nama",
    "kode_desa",
    "nama_desa",
    "kode_puskesmas",
    "dilaporkan",
    "jumlah_indikator",
]

REQUIRED_COLUMNS = ("jenis", "nama", "kode_desa")

#: Accepted spellings of each input column (after lower-casing; spaces and dashes read as ``_``).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "jenis": ("jenis", "jenis_unit", "tipe", "type", "jenis_fasyankes", "jenis_layanan"),
    "nama": ("nama", "nama_unit", "name", "nama_fasyankes", "nama_layanan"),
    "kode_desa": ("kode_desa", "kd_desa", "kode_kelurahan", "kode_desa_kelurahan", "kdepum"),
    "kode_unit": ("kode_unit", "id_unit", "kode"),
    "dusun": ("dusun", "dusun_lingkungan", "lingkungan", "banjar", "jorong"),
    "rw": ("rw", "rw_rt"),
    "lintang": ("lintang", "latitude", "lat", "y"),
    "bujur": ("bujur", "longitude", "long", "lon", "lng", "x"),
    "aktif_sejak": ("aktif_sejak", "aktif", "sejak", "tanggal_aktif", "tgl_aktif", "mulai_aktif", "tahun_berdiri"),
    "kode_puskesmas": ("kode_puskesmas", "kd_puskesmas"),
}

#: Accepted spellings of each unit type (compared upper-case, punctuation and spaces removed).
JENIS_ALIASES: dict[str, tuple[str, ...]] = {
    "puskesmas": ("PUSKESMAS", "PKM", "UPTPUSKESMAS", "UPTDPUSKESMAS"),
    "pustu": ("PUSTU", "PUSKESMASPEMBANTU", "PUSKESMASPEMBANTUPUSTU"),
    "posyandu": ("POSYANDU", "POSYANDUILP", "POSYANDUBALITA"),
    "poskesdes": ("POSKESDES", "POSKESKEL", "POLINDES"),
    "posbindu": ("POSBINDU", "POSBINDUPTM"),
}

#: A point this far outside its desa polygon (metres) is still accepted.
POINT_TOLERANCE_M = 100.0
_M_PER_DEGREE = 111_320.0


def jejaring_path(ws: Workspace) -> Path | None:
    """``<workspace>/jejaring.csv`` or ``.xlsx``; None when the workspace has no network list."""
    for suffix in (".csv", ".xlsx"):
        path = ws.root / f"jejaring{suffix}"
        if path.exists():
            return path
    return None


def jejaring_beside(wilayah_path: Path, wilayah: pd.DataFrame) -> pd.DataFrame | None:
    """The network list in the folder of a master list (``pws tidy --wilayah``), without the polygon check; None
    when there is none."""
    path = jejaring_path(Workspace(wilayah_path.parent))
    return load_jejaring_file(path, wilayah, None)[0] if path is not None else None


def empty_jejaring() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in JEJARING_COLUMNS})
    frame["lintang"] = frame["lintang"].astype(float)
    frame["bujur"] = frame["bujur"].astype(float)
    frame["aktif_sejak"] = pd.to_datetime(frame["aktif_sejak"])
    return frame


def _column_key(name: str) -> str:
    return re.sub(r"[\s\-/.]+", "_", name.strip().lower()).strip("_")


def _rename_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Map accepted spellings to the canonical names (the first spelling found wins)."""
    lookup = {alias: canon for canon, aliases in COLUMN_ALIASES.items() for alias in aliases}
    renames: dict[str, str] = {}
    taken: set[str] = set()
    for col in frame.columns:
        canon = lookup.get(_column_key(str(col)))
        if canon is not None and canon not in taken and canon not in frame.columns.drop(col):
            renames[col] = canon
            taken.add(canon)
    return frame.rename(columns=renames)


def _jenis_key(raw: str) -> str:
    text = unicodedata.normalize("NFKD", raw.upper())
    return re.sub(r"[^A-Z]", "", text)


_JENIS_LOOKUP = {alias: canon for canon, aliases in JENIS_ALIASES.items() for alias in aliases}


def normalize_jenis(raw: str) -> str | None:
    """The unit type of a written label ("Puskesmas Pembantu" -> ``pustu``); None when unknown."""
    return _JENIS_LOOKUP.get(_jenis_key(raw))


def parse_coordinate(raw: str) -> float | None:
    """A decimal degree as typed: ``-3.5512``, ``-3,5512`` (decimal comma), ``120.25``. None when blank.

    Not :func:`pws.numbers.parse_number`: its Indonesian thousands rule would read ``120.250`` as 120250.
    Raises ValueError for text that is not a number.
    """
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if text == "":
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def parse_date(raw: str) -> pd.Timestamp | None:
    """``2024-03-01``, ``01/03/2024`` (day first), ``2024`` (1 January), or an Excel serial. None when blank.

    Raises ValueError for text that is not a date.
    """
    text = raw.strip()
    if text == "":
        return None
    if re.fullmatch(r"(19|20)\d\d", text):
        return pd.Timestamp(int(text), 1, 1)
    if re.fullmatch(r"\d{5}(\.0+)?", text):  # Excel date serial
        return pd.Timestamp("1899-12-30") + pd.Timedelta(days=int(float(text)))
    iso = re.fullmatch(r"((19|20)\d\d)-(\d\d?)-(\d\d?)( 00:00:00)?", text)
    if iso:
        return pd.Timestamp(int(iso.group(1)), int(iso.group(3)), int(iso.group(4)))
    dmy = re.fullmatch(r"(\d\d?)[/.-](\d\d?)[/.-]((19|20)\d\d)", text)
    if dmy:
        return pd.Timestamp(int(dmy.group(3)), int(dmy.group(2)), int(dmy.group(1)))
    raise ValueError(raw)


def _slug(text: str) -> str:
    key = normalize_name(text) or _jenis_key(text)
    return re.sub(r"[^A-Z0-9]+", "-", key).strip("-").lower() or "unit"


def unit_code(kode_desa: str, jenis: str, nama: str) -> str:
    """The generated ``kode_unit`` of a row without one: ``<kode_desa>/<jenis>/<name slug>``.

    Built from the name (not the row number), so it stays the same when the file is re-sorted or rows are added.
    """
    return f"{kode_desa}/{jenis}/{_slug(nama)}"


def _name_key(nama: str) -> str:
    return normalize_name(nama) or nama.strip().upper()


def load_jejaring(
    ws: Workspace,
    wilayah: pd.DataFrame,
    desa_geometry: gpd.GeoDataFrame | None,
    tolerance_m: float = POINT_TOLERANCE_M,
) -> tuple[pd.DataFrame, list[Issue]]:
    """The service network of the workspace, validated: one row per unit (columns :data:`JEJARING_COLUMNS`).

    No ``jejaring`` file: an empty frame and no issue (the file is optional). ``desa_geometry`` (kode_desa,
    geometry in EPSG:4326, as :func:`pws.geo.load_boundaries` returns) enables the point-in-desa check.
    """
    path = jejaring_path(ws)
    if path is None:
        return empty_jejaring(), []
    return load_jejaring_file(path, wilayah, desa_geometry, tolerance_m)


def load_jejaring_file(
    path: Path,
    wilayah: pd.DataFrame,
    desa_geometry: gpd.GeoDataFrame | None,
    tolerance_m: float = POINT_TOLERANCE_M,
) -> tuple[pd.DataFrame, list[Issue]]:
    """:func:`load_jejaring` of one given file."""
    fname = path.name
    issues: list[Issue] = []
    try:
        frame = read_user_table(path)
    except (OSError, ValueError, UnicodeError, CalamineError) as exc:
        return empty_jejaring(), [issue("berkas_tidak_terbaca", file=fname, detail=str(exc))]
    frame = _rename_columns(frame)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        found = ", ".join(str(c) for c in frame.columns)
        return empty_jejaring(), [issue("kolom_wajib_hilang", file=fname, columns=", ".join(missing), found=found)]
    has_coords = "lintang" in frame.columns and "bujur" in frame.columns
    if ("lintang" in frame.columns) != ("bujur" in frame.columns):
        present = "lintang" if "lintang" in frame.columns else "bujur"
        issues.append(issue("jejaring_kolom_koordinat_sebelah", file=fname, kolom=present))

    master = {str(r["kode_desa"]): r for r in wilayah.drop_duplicates("kode_desa").to_dict("records")}
    shapes = _desa_shapes(desa_geometry)
    tolerance_deg = tolerance_m / _M_PER_DEGREE
    rows: list[dict[str, object]] = []
    first_name: dict[tuple[str, str, str], int] = {}
    first_code: dict[str, int] = {}
    pkm_names: dict[str, str | None] = {}
    for i, rec in enumerate(frame.to_dict("records")):
        row = i + 2
        if all(str(v) == "" for v in rec.values()):
            continue  # a blank line
        raw_jenis = str(rec["jenis"])
        jenis = normalize_jenis(raw_jenis)
        nama = str(rec["nama"])
        raw_desa = str(rec["kode_desa"])
        if jenis is None:
            known = ", ".join(UNIT_TYPES)
            issues.append(issue("jejaring_jenis_tidak_dikenal", file=fname, row=row, value=raw_jenis, known=known))
            continue
        if nama == "":
            issues.append(issue("jejaring_nama_kosong", file=fname, row=row, jenis=jenis))
            continue
        if raw_desa == "":
            issues.append(issue("kode_desa_kosong", file=fname, row=row))
            continue
        kode = normalize_kode_desa(raw_desa)
        if kode is None:
            issues.append(issue("kode_desa_tidak_valid", file=fname, row=row, value=raw_desa))
            continue
        if kode not in master:
            issues.append(issue("jejaring_desa_tidak_dikenal", file=fname, row=row, kode=kode, nama=nama))
            continue
        desa = master[kode]
        key = (kode, jenis, _name_key(nama))
        if key in first_name:
            issues.append(
                issue(
                    "jejaring_nama_ganda",
                    file=fname,
                    row=row,
                    nama=nama,
                    jenis=jenis,
                    desa=str(desa["nama_desa"]),
                    first_row=first_name[key],
                )
            )
            continue
        kode_unit = str(rec.get("kode_unit", "")) or unit_code(kode, jenis, nama)
        if kode_unit in first_code:
            issues.append(
                issue(
                    "jejaring_kode_unit_ganda",
                    file=fname,
                    row=row,
                    kode_unit=kode_unit,
                    first_row=first_code[kode_unit],
                )
            )
            continue
        first_name[key] = row
        first_code[kode_unit] = row
        lintang, bujur = math.nan, math.nan
        if has_coords:
            lintang, bujur = _coordinates(rec, kode, str(desa["nama_desa"]), shapes, tolerance_deg, fname, row, issues)
        aktif = pd.NaT
        raw_date = str(rec.get("aktif_sejak", ""))
        try:
            parsed = parse_date(raw_date)
        except ValueError:
            issues.append(issue("jejaring_tanggal_tidak_valid", file=fname, row=row, value=raw_date, nama=nama))
        else:
            if parsed is not None:
                aktif = parsed
        if jenis == "puskesmas":
            other = _puskesmas_elsewhere(rec, nama, desa, wilayah, pkm_names)
            if other is not None:
                issues.append(
                    issue(
                        "jejaring_puskesmas_beda_wilayah",
                        file=fname,
                        row=row,
                        nama=nama,
                        desa=str(desa["nama_desa"]),
                        puskesmas=str(desa["nama_puskesmas"]),
                    )
                )
        rows.append(
            {
                "kode_unit": kode_unit,
                "jenis": jenis,
                "nama": nama,
                "kode_desa": kode,
                "nama_desa": str(desa["nama_desa"]),
                "kode_puskesmas": str(desa["kode_puskesmas"]),
                "nama_puskesmas": str(desa["nama_puskesmas"]),
                "dusun": str(rec.get("dusun", "")) or pd.NA,
                "rw": str(rec.get("rw", "")) or pd.NA,
                "lintang": lintang,
                "bujur": bujur,
                "aktif_sejak": aktif,
            }
        )
    if not rows:
        return empty_jejaring(), issues
    result = pd.DataFrame(rows, columns=JEJARING_COLUMNS)
    result["lintang"] = result["lintang"].astype(float)
    result["bujur"] = result["bujur"].astype(float)
    result["aktif_sejak"] = pd.to_datetime(result["aktif_sejak"])
    return result, issues


def _desa_shapes(desa_geometry: gpd.GeoDataFrame | None) -> dict[str, object]:
    if desa_geometry is None or desa_geometry.empty:
        return {}
    gdf = desa_geometry
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    return dict(zip(gdf["kode_desa"], gdf.geometry, strict=True))


def _coordinates(
    rec: dict[str, str],
    kode: str,
    nama_desa: str,
    shapes: dict[str, object],
    tolerance_deg: float,
    fname: str,
    row: int,
    issues: list[Issue],
) -> tuple[float, float]:
    """(lintang, bujur) of a row, NaN where missing or not usable (with an issue saying why)."""
    raw_lat, raw_lon = str(rec.get("lintang", "")), str(rec.get("bujur", ""))
    nama = str(rec["nama"])
    try:
        lat, lon = parse_coordinate(raw_lat), parse_coordinate(raw_lon)
    except ValueError:
        issues.append(issue("jejaring_koordinat_tidak_valid", file=fname, row=row, nama=nama, lintang=raw_lat,
                            bujur=raw_lon))  # fmt: skip
        return math.nan, math.nan
    if lat is None and lon is None:
        return math.nan, math.nan
    if lat is None or lon is None:
        issues.append(issue("jejaring_koordinat_sebelah", file=fname, row=row, nama=nama))
        return math.nan, math.nan
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        issues.append(issue("jejaring_koordinat_di_luar_rentang", file=fname, row=row, nama=nama, lintang=lat,
                            bujur=lon))  # fmt: skip
        return math.nan, math.nan
    shape = shapes.get(kode)
    if shape is not None:
        point = Point(lon, lat)
        distance = float(shape.distance(point))  # type: ignore[attr-defined]
        if distance > tolerance_deg:
            issues.append(
                issue(
                    "jejaring_koordinat_di_luar_desa",
                    file=fname,
                    row=row,
                    nama=nama,
                    desa=nama_desa,
                    lintang=lat,
                    bujur=lon,
                    jarak_m=round(distance * _M_PER_DEGREE),
                )
            )
            return math.nan, math.nan
    return lat, lon


def _puskesmas_elsewhere(
    rec: dict[str, str],
    nama: str,
    desa: dict[str, object],
    wilayah: pd.DataFrame,
    cache: dict[str, str | None],
) -> str | None:
    """The other puskesmas a puskesmas row names (by ``kode_puskesmas`` or by name) when that is not the
    puskesmas serving its desa; None when it is the right one or cannot be told."""
    code = str(rec.get("kode_puskesmas", ""))
    if not code:
        if nama not in cache:
            cache[nama] = _puskesmas_matcher(wilayah).match(nama)[0]
        code = cache[nama] or ""
    if code and code != str(desa["kode_puskesmas"]):
        return code
    return None


_MATCHERS: dict[int, tuple[pd.DataFrame, PuskesmasMatcher]] = {}


def _puskesmas_matcher(wilayah: pd.DataFrame) -> PuskesmasMatcher:
    """One matcher per master-list frame (its index is built once; the frame is kept so the id stays its own)."""
    found = _MATCHERS.get(id(wilayah))
    if found is None or found[0] is not wilayah:
        _MATCHERS.clear()
        found = _MATCHERS[id(wilayah)] = (wilayah, PuskesmasMatcher(wilayah))
    return found[1]


def _active(jejaring: pd.DataFrame, on: date | None) -> pd.DataFrame:
    if on is None or jejaring.empty:
        return jejaring
    since = pd.to_datetime(jejaring["aktif_sejak"])
    return jejaring[since.isna() | (since <= pd.Timestamp(on))]


def network_by_desa(jejaring: pd.DataFrame, wilayah: pd.DataFrame, on: date | None = None) -> pd.DataFrame:
    """One row per desa of ``wilayah`` (in its order): how many units of each type are active on ``on`` (all
    units when None), ``tanpa_pustu`` (no pustu and no puskesmas in the desa) and ``tanpa_posyandu``.

    Columns :data:`NETWORK_COLUMNS` (``puskesmas`` and ``nama_puskesmas`` extend the documented ones: the count of
    puskesmas buildings in the desa and the serving puskesmas' name).
    """
    base = wilayah.drop_duplicates("kode_desa")[["kode_desa", "nama_desa", "kode_puskesmas", "nama_puskesmas"]]
    active = _active(jejaring, on)
    if active.empty:
        counts = pd.DataFrame(0, index=base["kode_desa"], columns=list(UNIT_TYPES))
    else:
        counts = (
            pd.crosstab(active["kode_desa"], active["jenis"])
            .reindex(index=base["kode_desa"], columns=list(UNIT_TYPES))
            .fillna(0)
        )
    out = base.reset_index(drop=True).copy()
    for jenis in UNIT_TYPES:
        out[jenis] = counts[jenis].to_numpy().astype(int)
    out["tanpa_pustu"] = (out["pustu"] == 0) & (out["puskesmas"] == 0)
    out["tanpa_posyandu"] = out["posyandu"] == 0
    return out[NETWORK_COLUMNS]


def month_end(tahun: int, bulan: int) -> date:
    """The last day of a month (units active on that day count for the month)."""
    return (pd.Timestamp(int(tahun), int(bulan), 1) + pd.offsets.MonthEnd(0)).date()


def posyandu_reporting(jejaring: pd.DataFrame, posyandu_obs: pd.DataFrame, tahun: int, bulan: int) -> pd.DataFrame:
    """One row per posyandu active in the month: whether it reported anything that month and for how many
    indicators (columns :data:`REPORTING_COLUMNS`). ``posyandu_obs`` are posyandu-level tidy rows with
    ``kode_unit`` (rows without one, i.e. unmatched names, cannot count for a unit)."""
    units = _active(jejaring[jejaring["jenis"] == "posyandu"], month_end(tahun, bulan))
    if posyandu_obs.empty or "kode_unit" not in posyandu_obs.columns:
        per_unit = pd.Series(dtype=int)
    else:
        month = posyandu_obs[
            (posyandu_obs["tahun"].astype(int) == int(tahun))
            & (posyandu_obs["bulan"].astype(int) == int(bulan))
            & posyandu_obs["kode_unit"].notna()
        ]
        per_unit = month.groupby("kode_unit")["indikator"].nunique()
    out = units[["kode_unit", "nama", "kode_desa", "nama_desa", "kode_puskesmas"]].reset_index(drop=True).copy()
    n = out["kode_unit"].map(per_unit).fillna(0).astype(int) if len(out) else pd.Series(dtype=int)
    out["jumlah_indikator"] = np.asarray(n, dtype=int)
    out["dilaporkan"] = out["jumlah_indikator"] > 0
    return out[REPORTING_COLUMNS]
