"""Village boundaries: read the user's ``batas_desa`` file, repair it, and make light GeoJSON for the maps.

``load_boundaries`` reads GeoJSON / GeoPackage / Shapefile, finds the field holding the Kemendagri desa code,
and returns one valid, RFC 7946-oriented Polygon/MultiPolygon per desa in EPSG:4326, plus every problem found
as Issue records (nothing is raised for bad data). ``simplify_coverage`` simplifies the whole layer at once so
neighbours keep one shared border; ``write_map_geojson`` caches the simplified desa and kecamatan layers.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from pws.codes import kode_kecamatan_of, normalize_kode_desa
from pws.issues import Issue, issue

#: Field names that hold the Kemendagri desa code, in order of preference (matched case-insensitively).
#: ``KDEPUM`` is the Kemendagri code in BIG/RBI layers; ``KDEBPS`` there is the BPS code and is never used.
CODE_FIELD_CANDIDATES: tuple[str, ...] = (
    "kode_desa",
    "kode",
    "KDEPUM",
    "kd_desa",
    "kode_kel",
    "kode_desa_kel",
    "kd_kel",
    "kodedesa",
    "kode_kemendagri",
    "kode_wilayah",
    "id_desa",
)
#: Fields that hold the village name, in order of preference (case-insensitive).
NAME_FIELD_CANDIDATES: tuple[str, ...] = (
    "nama_desa",
    "nama",
    "NAMOBJ",
    "WADMKD",
    "desa",
    "nama_kel",
    "nama_desa_kel",
    "kelurahan",
    "desa_kel",
    "name",
)
#: Fields that hold the kecamatan name (case-insensitive).
KECAMATAN_NAME_FIELD_CANDIDATES: tuple[str, ...] = (
    "nama_kecamatan",
    "nama_kec",
    "WADMKC",
    "kecamatan",
    "nm_kec",
)

#: A field whose names do not match is taken as the code field when at least this share of its values parse.
_VALUE_SHARE_UNNAMED = 0.8
#: A field whose name matches is preferred when at least this share of its values parse.
_VALUE_SHARE_NAMED = 0.5

DESA_COLUMNS = ("kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan", "di_master")
KECAMATAN_COLUMNS = ("kode_kecamatan", "nama_kecamatan")
WGS84 = "EPSG:4326"
#: Bump when the cached map files' content changes for the same input.
_CACHE_VERSION = "1"


# --------------------------------------------------------------------------------------------- fields


def _match_fields(columns: Iterable[str], candidates: Sequence[str]) -> list[str]:
    """The columns whose name matches a candidate (case-insensitive), in candidate order."""
    by_lower: dict[str, str] = {}
    for col in columns:
        by_lower.setdefault(str(col).lower(), str(col))
    return [by_lower[c.lower()] for c in candidates if c.lower() in by_lower]


def _parse_share(values: pd.Series) -> float:
    """Share of the non-blank values that are desa codes (0 when there are none)."""
    present = [v for v in values.tolist() if v is not None and not _is_blank(v)]
    if not present:
        return 0.0
    return sum(normalize_kode_desa(v) is not None for v in present) / len(present)


def _is_blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return str(value).strip() == ""


def _attribute_columns(gdf: pd.DataFrame) -> list[str]:
    geom = gdf.geometry.name if isinstance(gdf, gpd.GeoDataFrame) else None
    return [str(c) for c in gdf.columns if c != geom and c != "geometry"]


def detect_code_field(gdf: pd.DataFrame) -> str | None:
    """The name of the field holding the desa code, or None.

    A field named like a candidate in ``CODE_FIELD_CANDIDATES`` wins when at least half of its values parse;
    otherwise any other field (not a BPS code) whose values mostly parse as desa codes; otherwise the first
    name match (its bad values are then reported one by one).
    """
    columns = _attribute_columns(gdf)
    named = _match_fields(columns, CODE_FIELD_CANDIDATES)
    for col in named:
        if _parse_share(gdf[col]) >= _VALUE_SHARE_NAMED:
            return col
    for col in columns:
        if col in named or "bps" in col.lower():
            continue
        if _parse_share(gdf[col]) >= _VALUE_SHARE_UNNAMED:
            return col
    return named[0] if named else None


# --------------------------------------------------------------------------------------------- geometry


def _polygons_of(geom: BaseGeometry | None) -> list[Polygon]:
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return [p for p in geom.geoms if not p.is_empty]
    if hasattr(geom, "geoms"):  # GeometryCollection and other multi-part types
        return [p for part in geom.geoms for p in _polygons_of(part)]
    return []


def _polygonal(geom: BaseGeometry | None) -> Polygon | MultiPolygon | None:
    """Only the polygonal parts of ``geom`` (Polygon, MultiPolygon) or None when there are none."""
    if isinstance(geom, Polygon | MultiPolygon):
        return None if geom.is_empty else geom
    polys = _polygons_of(geom)
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def _repair(geom: BaseGeometry) -> Polygon | MultiPolygon | None:
    """A valid polygonal version of ``geom`` (make_valid, keeping polygonal parts) or None."""
    fixed = _polygonal(shapely.make_valid(geom, method="structure", keep_collapsed=False))
    if fixed is not None and not fixed.is_valid:  # very rare; the linework method is the fallback
        fixed = _polygonal(shapely.make_valid(geom))
    if fixed is not None and not fixed.is_valid:
        fixed = _polygonal(fixed.buffer(0))
    return fixed if fixed is not None and fixed.is_valid else None


def _orient(geoms: np.ndarray) -> np.ndarray:
    """RFC 7946 winding: exterior rings counter-clockwise, holes clockwise."""
    return np.asarray(shapely.orient_polygons(geoms, exterior_cw=False))


def _needs_orienting(geoms: np.ndarray) -> np.ndarray:
    return np.asarray(~shapely.equals_identical(geoms, _orient(geoms)), dtype=bool)


def _valid_polygonal(geoms: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    """Make each geometry valid and polygonal; an empty result takes ``fallback`` (when given)."""
    out = np.empty(len(geoms), dtype=object)
    valid = shapely.is_valid(geoms)
    for i, geom in enumerate(geoms):
        fixed = _polygonal(geom) if valid[i] else _repair(geom)
        if fixed is None and fallback is not None:
            fixed = _polygonal(fallback[i])
        out[i] = fixed
    return out


def _empty_desa() -> gpd.GeoDataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype=bool if c == "di_master" else object) for c in DESA_COLUMNS})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WGS84))


# --------------------------------------------------------------------------------------------- loading


def _read(path: Path, issues: list[Issue]) -> gpd.GeoDataFrame | None:
    if not path.exists():
        issues.append(issue("berkas_tidak_ada", file=path.name))
        return None
    try:
        return gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # GDAL/pyogrio raise many kinds of errors for damaged files
        issues.append(issue("berkas_tidak_terbaca", file=path.name, detail=str(exc).strip() or type(exc).__name__))
        return None


def _to_wgs84(gdf: gpd.GeoDataFrame, fname: str, issues: list[Issue]) -> gpd.GeoDataFrame:
    crs = gdf.crs
    if crs is None:
        issues.append(issue("batas_crs_tidak_ada", file=fname))
        return gdf.set_crs(WGS84)
    if crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return gdf.set_crs(WGS84, allow_override=True)
    epsg = crs.to_epsg()
    label = f"EPSG:{epsg}" if epsg else (crs.name or crs.to_string())
    issues.append(issue("batas_crs_diubah", file=fname, crs=label))
    return gdf.to_crs(WGS84)


def _text(value: object) -> str:
    if value is None or _is_blank(value):
        return ""
    return " ".join(str(value).split())


def _name_key(name: str) -> str:
    """Names compared for twins: case, spacing and spaces around hyphens do not matter."""
    return " ".join(name.casefold().replace(" - ", "-").split())


def _master_lookup(wilayah: pd.DataFrame) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for rec in wilayah.to_dict("records"):
        kode = normalize_kode_desa(rec.get("kode_desa"))
        if kode is not None and kode not in out:
            out[kode] = {
                "nama_desa": _text(rec.get("nama_desa")),
                "nama_kecamatan": _text(rec.get("nama_kecamatan")),
            }
    return out


def _twin_groups(kodes: Iterable[str], names: Iterable[str]) -> dict[tuple[str, str], list[str]]:
    groups: dict[tuple[str, str], list[str]] = {}
    for kode, nama in zip(kodes, names, strict=True):
        if nama:
            groups.setdefault((kode_kecamatan_of(kode), _name_key(nama)), []).append(kode)
    return {k: sorted(v) for k, v in groups.items() if len(v) > 1}


def load_boundaries(
    path: Path, code_field: str | None = None, wilayah: pd.DataFrame | None = None
) -> tuple[gpd.GeoDataFrame, list[Issue]]:
    """Read and repair the village polygons; return them with every problem found.

    The result is in EPSG:4326 with one row per desa (sorted by code) and columns ``kode_desa`` (canonical
    dotted), ``nama_desa``, ``kode_kecamatan``, ``nama_kecamatan`` ("" when unknown), ``di_master`` (False
    for a desa missing from ``wilayah``; True for all when no master list is given) and ``geometry`` (valid
    Polygon/MultiPolygon, exterior rings counter-clockwise as RFC 7946 asks). Names come from the file's
    name field when it has one, else from ``wilayah``.

    Problems are Issue records (file = the file's name, feature = 1-based feature number): unreadable or
    missing file, no code field, invalid code or no geometry (feature dropped), CRS missing or reprojected,
    geometry repaired, rings re-oriented (one issue with the count; not for a Shapefile, whose format winds
    shells clockwise), a code in several features (merged),
    desa in the boundaries but not in ``wilayah`` and vice versa, and two desa with the same name in one
    kecamatan. A twin pair that ``wilayah`` itself holds under the same codes is not reported again (the
    master-list loader reports it). An empty ``wilayah`` counts as no master list.
    """
    path = Path(path)
    fname = path.name
    issues: list[Issue] = []
    raw = _read(path, issues)
    if raw is None:
        return _empty_desa(), issues
    if wilayah is not None and len(wilayah) == 0:
        wilayah = None
    try:
        raw = _to_wgs84(raw, fname, issues)
    except Exception as exc:  # pyproj cannot transform from this CRS
        issues.append(issue("berkas_tidak_terbaca", file=fname, detail=str(exc).strip() or type(exc).__name__))
        return _empty_desa(), issues

    columns = _attribute_columns(raw)
    if code_field is not None:
        matched = _match_fields(columns, (code_field,))
        field: str | None = matched[0] if matched else None
    else:
        field = detect_code_field(raw)
    if field is None:
        issues.append(issue("batas_kolom_kode_tidak_ditemukan", file=fname, found=", ".join(columns)))
        return _empty_desa(), issues
    name_fields = _match_fields(columns, NAME_FIELD_CANDIDATES)
    kec_fields = _match_fields(columns, KECAMATAN_NAME_FIELD_CANDIDATES)
    name_field = next((f for f in name_fields if f != field), None)
    kec_field = next((f for f in kec_fields if f not in (field, name_field)), None)

    master = _master_lookup(wilayah) if wilayah is not None else None

    # 1. codes and presence of a polygon, feature by feature
    kodes: list[str] = []
    features: list[int] = []
    names: list[str] = []
    kec_names: list[str] = []
    geoms: list[BaseGeometry] = []
    raw_geoms = shapely.force_2d(raw.geometry.to_numpy())
    raw_codes = raw[field].tolist()
    raw_names = raw[name_field].tolist() if name_field else [None] * len(raw)
    raw_kec = raw[kec_field].tolist() if kec_field else [None] * len(raw)
    for i, (value, geom) in enumerate(zip(raw_codes, raw_geoms, strict=True)):
        feature = i + 1
        if value is None or _is_blank(value):
            issues.append(issue("kode_desa_kosong", file=fname, feature=feature))
            continue
        kode = normalize_kode_desa(value)
        if kode is None:
            issues.append(issue("kode_desa_tidak_valid", file=fname, feature=feature, value=_text(value)))
            continue
        if geom is None or geom.is_empty or not _polygons_of(geom):
            issues.append(issue("batas_tanpa_geometri", file=fname, feature=feature, kode=kode))
            continue
        kodes.append(kode)
        features.append(feature)
        names.append(_text(raw_names[i]))
        kec_names.append(_text(raw_kec[i]))
        geoms.append(geom)

    # 2. winding, counted on the file's own rings (not for a Shapefile: clockwise shells are its rule),
    #    then repair
    geom_arr = np.empty(len(geoms), dtype=object)
    geom_arr[:] = geoms
    if len(geom_arr) and path.suffix.lower() != ".shp":
        polygonal_only = np.array([_polygonal(g) for g in geom_arr], dtype=object)
        wrong = int(_needs_orienting(polygonal_only).sum())
        if wrong:
            issues.append(issue("batas_arah_ring_diperbaiki", file=fname, count=wrong))
    valid = shapely.is_valid(geom_arr) if len(geom_arr) else np.array([], dtype=bool)
    keep: list[int] = []
    for j, geom in enumerate(geom_arr):
        if valid[j]:
            geom_arr[j] = _polygonal(geom)
        else:
            reason = shapely.is_valid_reason(geom)
            fixed = _repair(geom)
            if fixed is None:
                issues.append(issue("batas_tanpa_geometri", file=fname, feature=features[j], kode=kodes[j]))
                continue
            issues.append(
                issue("batas_geometri_diperbaiki", file=fname, feature=features[j], kode=kodes[j], reason=reason)
            )
            geom_arr[j] = fixed
        keep.append(j)

    table = pd.DataFrame(
        {
            "kode_desa": [kodes[j] for j in keep],
            "nama_desa": [names[j] for j in keep],
            "nama_kecamatan": [kec_names[j] for j in keep],
            "feature": [features[j] for j in keep],
        }
    )
    kept_geoms = list(geom_arr[keep]) if keep else []

    # 3. one row per code: features sharing a code are merged
    rows: list[dict[str, Any]] = []
    merged: list[BaseGeometry] = []
    positions: dict[str, list[int]] = {}
    for pos, kode in enumerate(table["kode_desa"]):
        positions.setdefault(kode, []).append(pos)
    for kode, pos_list in positions.items():
        first = table.iloc[pos_list[0]]
        if len(pos_list) > 1:
            issues.append(
                issue(
                    "batas_kode_ganda",
                    file=fname,
                    feature=int(first["feature"]),
                    kode=kode,
                    count=len(pos_list),
                )
            )
            geom = _polygonal(shapely.union_all([kept_geoms[p] for p in pos_list]))
            if geom is not None and not geom.is_valid:
                geom = _repair(geom)
            nama = next((table.iloc[p]["nama_desa"] for p in pos_list if table.iloc[p]["nama_desa"]), "")
        else:
            geom = kept_geoms[pos_list[0]]
            nama = first["nama_desa"]
        if geom is None:  # pragma: no cover - union of valid polygons is never empty
            continue
        rows.append({"kode_desa": kode, "nama_desa": nama, "nama_kecamatan": first["nama_kecamatan"]})
        merged.append(geom)

    desa = pd.DataFrame(rows, columns=["kode_desa", "nama_desa", "nama_kecamatan"])
    desa["kode_kecamatan"] = [kode_kecamatan_of(k) for k in desa["kode_desa"]]

    # 4. the master list: fill names, flag desa it does not know, report desa without a polygon
    if master is not None:
        in_master = [k in master for k in desa["kode_desa"]]
        for idx, kode in enumerate(desa["kode_desa"]):
            known = master.get(kode)
            if known is None:
                continue
            if not desa.at[idx, "nama_desa"]:
                desa.at[idx, "nama_desa"] = known["nama_desa"]
            if not desa.at[idx, "nama_kecamatan"]:
                desa.at[idx, "nama_kecamatan"] = known["nama_kecamatan"]
        feature_of = dict(zip(table["kode_desa"], table["feature"], strict=False))
        for kode, nama, known_flag in zip(desa["kode_desa"], desa["nama_desa"], in_master, strict=True):
            if not known_flag:
                issues.append(
                    issue(
                        "batas_desa_tidak_di_master",
                        file=fname,
                        feature=int(feature_of[kode]),
                        kode=kode,
                        nama=nama or "-",
                    )
                )
        have = set(desa["kode_desa"])
        for kode, known in master.items():
            if kode not in have:
                issues.append(issue("master_desa_tanpa_batas", file=fname, kode=kode, nama=known["nama_desa"]))
        desa["di_master"] = in_master
    else:
        desa["di_master"] = True
    desa["di_master"] = desa["di_master"].astype(bool)

    # 5. twin names inside one kecamatan
    master_twins: dict[tuple[str, str], list[str]] = {}
    if wilayah is not None and {"kode_desa", "nama_desa"} <= set(wilayah.columns):
        wk = [normalize_kode_desa(k) for k in wilayah["kode_desa"]]
        pairs = [(k, _text(n)) for k, n in zip(wk, wilayah["nama_desa"], strict=True) if k is not None]
        master_twins = _twin_groups([k for k, _ in pairs], [n for _, n in pairs])
    nama_of = dict(zip(desa["kode_desa"], desa["nama_desa"], strict=True))
    kec_name_of = dict(zip(desa["kode_kecamatan"], desa["nama_kecamatan"], strict=False))
    for (kec, key), group in sorted(_twin_groups(desa["kode_desa"], desa["nama_desa"]).items()):
        if master_twins.get((kec, key)) == group:
            continue
        kec_label = f"{kec_name_of[kec]} ({kec})" if kec_name_of.get(kec) else kec
        issues.append(
            issue(
                "nama_desa_kembar",
                file=fname,
                nama=nama_of[group[0]],
                kecamatan=kec_label,
                kode_kecamatan=kec,
                kodes=", ".join(group),
            )
        )

    geometry = np.empty(len(merged), dtype=object)
    geometry[:] = merged
    out = gpd.GeoDataFrame(desa[list(DESA_COLUMNS)], geometry=gpd.GeoSeries(_orient(geometry), crs=WGS84), crs=WGS84)
    out = out.sort_values("kode_desa", kind="stable").reset_index(drop=True)
    return out, issues


def load_wilayah_from_boundaries(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """A master-list frame (kode_desa, nama_desa, kode_kecamatan, nama_kecamatan) from loaded boundaries.

    Puskesmas columns are left empty: a boundary file says nothing about who serves a desa.
    """
    frame = pd.DataFrame(
        {
            "kode_desa": gdf["kode_desa"].astype(str),
            "nama_desa": gdf["nama_desa"].astype(str),
            "kode_kecamatan": gdf["kode_kecamatan"].astype(str),
            "nama_kecamatan": gdf["nama_kecamatan"].astype(str) if "nama_kecamatan" in gdf.columns else "",
        }
    )
    frame["kode_puskesmas"] = ""
    frame["nama_puskesmas"] = ""
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------------------------- layers


def _fill_gaps(
    outlines: np.ndarray, outline_kec: list[str], desa_geoms: np.ndarray, desa_kec: np.ndarray
) -> np.ndarray:
    """Close the holes of the kecamatan ``outlines`` that no desa of another kecamatan fills.

    Those are slivers between desa in real data (and noding specks of near-zero area). A hole that is
    mostly covered by desa of another kecamatan (an enclave) is kept.
    """
    holes: list[BaseGeometry] = []
    owner: list[tuple[int, int, int]] = []
    parts_of: list[list[Polygon]] = []
    for i, geom in enumerate(outlines):
        parts = _polygons_of(geom)
        parts_of.append(parts)
        for j, part in enumerate(parts):
            for k, ring in enumerate(part.interiors):
                holes.append(Polygon(ring))
                owner.append((i, j, k))
    if not holes:
        return outlines
    hole_arr = np.empty(len(holes), dtype=object)
    hole_arr[:] = holes
    tree = shapely.STRtree(desa_geoms)
    pairs = tree.query(hole_arr, predicate="intersects")
    covered: np.ndarray = np.zeros(len(holes))
    if pairs.shape[1]:
        hole_kec = np.array([outline_kec[i] for i, _, _ in owner], dtype=object)
        pairs = pairs[:, hole_kec[pairs[0]] != desa_kec[pairs[1]]]
        overlap = shapely.area(shapely.intersection(hole_arr[pairs[0]], desa_geoms[pairs[1]]))
        covered = np.bincount(pairs[0], weights=overlap, minlength=len(holes))
    keep = covered >= 0.5 * shapely.area(hole_arr)
    kept: dict[tuple[int, int], list[int]] = {}
    for (i, j, k), flag in zip(owner, keep, strict=True):
        if flag:
            kept.setdefault((i, j), []).append(k)
    out = outlines.copy()
    for i in {i for i, _, _ in owner}:
        polys = []
        for j, part in enumerate(parts_of[i]):
            rings = list(part.interiors)
            polys.append(Polygon(part.exterior, [rings[k] for k in kept.get((i, j), [])]))
        merged = _polygonal(shapely.union_all(polys)) if len(polys) > 1 else polys[0]
        if merged is not None and not merged.is_valid:
            merged = _repair(merged)
        if merged is not None:
            out[i] = merged
    return out


def kecamatan_outlines(desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One valid polygon per kecamatan: the desa dissolved on ``kode_kecamatan`` (with ``nama_kecamatan``).

    Holes that no desa fills (slivers between neighbouring desa, common in real data) are closed, so the
    outline draws no specks; a hole holding desa of another kecamatan (an enclave) stays.
    """
    rows: list[dict[str, str]] = []
    geoms: list[BaseGeometry] = []
    has_name = "nama_kecamatan" in desa.columns
    for kec, group in desa.groupby("kode_kecamatan", sort=True):
        union = _polygonal(shapely.union_all(group.geometry.to_numpy()))
        if union is not None and not union.is_valid:
            union = _repair(union)
        if union is None:
            continue
        name = ""
        if has_name:
            name = next((n for n in group["nama_kecamatan"] if isinstance(n, str) and n), "")
        rows.append({"kode_kecamatan": str(kec), "nama_kecamatan": name})
        geoms.append(union)
    geometry = np.empty(len(geoms), dtype=object)
    geometry[:] = geoms
    geometry = _fill_gaps(
        geometry,
        [r["kode_kecamatan"] for r in rows],
        desa.geometry.to_numpy(),
        desa["kode_kecamatan"].astype(str).to_numpy(dtype=object),
    )
    frame = pd.DataFrame(rows, columns=list(KECAMATAN_COLUMNS))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(_orient(geometry), crs=desa.crs), crs=desa.crs)


def simplify_coverage(desa: gpd.GeoDataFrame, tolerance: float = 0.0005) -> gpd.GeoDataFrame:
    """The desa layer simplified as one coverage (``shapely.coverage_simplify``): shared borders stay shared.

    ``tolerance`` is in the layer's units (degrees; 0.0005 is about 55 m). Real layers are often not a
    perfect coverage (tiny overlaps); coverage_simplify still works on them. Any result that is invalid is
    repaired, and a desa whose result would be empty keeps its unsimplified polygon.
    """
    out = desa.copy()
    if len(desa) == 0:
        return out
    original = desa.geometry.to_numpy()
    simplified = np.asarray(shapely.coverage_simplify(original, tolerance))
    fixed = _valid_polygonal(simplified, fallback=original)
    out[desa.geometry.name] = gpd.GeoSeries(_orient(fixed), index=desa.index, crs=desa.crs)
    return out


# --------------------------------------------------------------------------------------------- GeoJSON


def _round_coords(coords: Any, precision: int) -> Any:
    if isinstance(coords, float | int):
        return round(float(coords), precision)
    return [_round_coords(c, precision) for c in coords]


def _round_geometry(geom: BaseGeometry, precision: int) -> BaseGeometry:
    """Snap to a 10^-precision grid keeping the polygon valid; plain rounding when that would empty it."""
    grid = 10.0**-precision
    snapped = _polygonal(shapely.set_precision(geom, grid))
    if snapped is not None:
        return snapped
    return shapely.set_precision(geom, grid, mode="pointwise")


def _json_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def to_geojson(gdf: gpd.GeoDataFrame, properties: list[str], precision: int = 5) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (dict) with only ``properties`` and coordinates rounded to ``precision``.

    Geometries are snapped to the grid (staying valid) and oriented as RFC 7946 asks. Use plotly's
    ``featureidkey="properties.kode_desa"`` to join.
    """
    missing = [p for p in properties if p not in gdf.columns]
    if missing:
        raise KeyError(f"columns not in the layer: {missing}")
    geoms = gdf.geometry.to_numpy()
    rounded = np.empty(len(geoms), dtype=object)
    rounded[:] = [None if g is None else _round_geometry(g, precision) for g in geoms]
    rounded = _orient(rounded)
    records = gdf[properties].to_dict("records") if properties else [{} for _ in range(len(gdf))]
    features = []
    for geom, rec in zip(rounded, records, strict=True):
        geometry = None
        if geom is not None and not geom.is_empty:
            shape = mapping(geom)
            geometry = {"type": shape["type"], "coordinates": _round_coords(shape["coordinates"], precision)}
        features.append(
            {
                "type": "Feature",
                "properties": {k: _json_value(rec[k]) for k in properties},
                "geometry": geometry,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _layer_hash(desa: gpd.GeoDataFrame, tolerance: float) -> str:
    digest = hashlib.sha256(f"{_CACHE_VERSION}|{tolerance!r}|".encode())
    for col in ("kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan"):
        if col in desa.columns:
            digest.update(col.encode())
            digest.update("\x1f".join(map(str, desa[col].tolist())).encode("utf-8"))
    for wkb in shapely.to_wkb(desa.geometry.to_numpy(), hex=False):
        digest.update(b"" if wkb is None else wkb)
    return digest.hexdigest()[:12]


def _write_json_atomic(data: dict[str, Any], target: Path) -> None:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_map_geojson(desa: gpd.GeoDataFrame, cache_dir: Path, tolerance: float = 0.0005) -> tuple[Path, Path]:
    """Write (or reuse) the simplified desa and kecamatan-outline GeoJSON files; return their paths.

    File names carry a short hash of the layer (codes, names, geometry) and the tolerance, so a changed
    boundary file gives new files. The kecamatan outlines are dissolved from the simplified desa, so their
    borders lie exactly on the desa borders.
    """
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = _layer_hash(desa, tolerance)
    desa_path = cache_dir / f"peta_desa_{key}.geojson"
    kec_path = cache_dir / f"peta_kecamatan_{key}.geojson"
    if desa_path.exists() and kec_path.exists():
        return desa_path, kec_path
    simple = simplify_coverage(desa, tolerance)
    desa_props = [c for c in ("kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan") if c in simple]
    _write_json_atomic(to_geojson(simple, desa_props), desa_path)
    outlines = kecamatan_outlines(simple)
    _write_json_atomic(to_geojson(outlines, list(KECAMATAN_COLUMNS)), kec_path)
    return desa_path, kec_path


# ------------------------------------------------------------------------------------------ province scale

#: no view of the map may send more GeoJSON than this (bytes, uncompressed)
MAX_VIEW_BYTES = 2_500_000
#: simplification tolerances (degrees) tried in turn until a view fits under the cap
TOLERANCES = (0.0005, 0.001, 0.002, 0.004, 0.008, 0.016)


@dataclass(frozen=True)
class KabupatenLayer:
    """The map files of one kabupaten of a province: its desa and its kecamatan outlines."""

    desa: Path
    kecamatan: Path
    bounds: tuple[float, float, float, float]
    tolerance: float


@dataclass(frozen=True)
class ProvinceGeometry:
    """The kabupaten layer of a province (polygons dissolved from the desa; its features carry the kabupaten code
    as ``kode_desa`` too, the key the map joins on) and one :class:`KabupatenLayer` per kabupaten."""

    kabupaten: Path
    kabupaten_outline: Path
    layers: dict[str, KabupatenLayer]
    tolerance: float

    def files(self) -> list[Path]:
        out = [self.kabupaten, self.kabupaten_outline]
        for layer in self.layers.values():
            out += [layer.desa, layer.kecamatan]
        return out


def geojson_bytes(data: dict[str, Any]) -> int:
    """Size of a GeoJSON dict as it is written and served (compact UTF-8)."""
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def fit_under_cap(
    desa: gpd.GeoDataFrame,
    layers: Callable[[gpd.GeoDataFrame], list[dict[str, Any]]],
    cap: int = MAX_VIEW_BYTES,
    tolerances: Sequence[float] = TOLERANCES,
) -> tuple[list[dict[str, Any]], float]:
    """The GeoJSON layers of one view made from ``desa`` simplified with the finest tolerance whose layers together
    fit in ``cap`` bytes, and that tolerance; the coarsest one when none fits (the caller may check the size)."""
    chosen: list[dict[str, Any]] = []
    used = tolerances[-1]
    for tolerance in tolerances:
        chosen = layers(simplify_coverage(desa, tolerance))
        used = tolerance
        if sum(geojson_bytes(layer) for layer in chosen) <= cap:
            break
    return chosen, used


def kabupaten_outlines(desa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One polygon per kabupaten dissolved from the desa (``kode_kabupaten``, ``nama_kabupaten`` columns), the
    same way as :func:`kecamatan_outlines`; ``kode_desa`` repeats the kabupaten code (the map's join key)."""
    renamed = desa.drop(columns=[c for c in KECAMATAN_COLUMNS if c in desa.columns]).rename(
        columns={"kode_kabupaten": "kode_kecamatan", "nama_kabupaten": "nama_kecamatan"}
    )
    out = kecamatan_outlines(renamed).rename(
        columns={"kode_kecamatan": "kode_kabupaten", "nama_kecamatan": "nama_kabupaten"}
    )
    out["kode_desa"] = out["kode_kabupaten"]
    return out


def write_province_geojson(
    desa: gpd.GeoDataFrame, wilayah: pd.DataFrame, cache_dir: Path, cap: int = MAX_VIEW_BYTES
) -> ProvinceGeometry:
    """Write (or reuse) the map files of a province: the kabupaten layer (one view) and, per kabupaten, its desa
    and kecamatan outlines (one view each), every view simplified just enough to stay under ``cap`` bytes.

    ``desa`` is the boundary layer (:func:`load_boundaries`), ``wilayah`` the master list with
    ``kode_kabupaten``/``nama_kabupaten``. File names carry a hash of the layer and of the kabupaten assignment,
    so changed boundaries or a changed master list give new files."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    master = wilayah.drop_duplicates("kode_desa").set_index("kode_desa")
    layer = desa[desa["kode_desa"].isin(master.index)].copy()
    layer["kode_kabupaten"] = layer["kode_desa"].map(master["kode_kabupaten"]).astype(str)
    names = master.groupby("kode_kabupaten")["nama_kabupaten"].first()
    layer["nama_kabupaten"] = [str(names.get(k) or k) for k in layer["kode_kabupaten"]]
    digest = hashlib.sha256(f"{_layer_hash(layer, 0.0)}|{cap}".encode())
    digest.update("\x1f".join(layer["kode_kabupaten"]).encode())
    digest.update("\x1f".join(layer["nama_kabupaten"]).encode("utf-8"))
    key = digest.hexdigest()[:12]
    manifest = cache_dir / f"peta_provinsi_{key}.json"
    if manifest.exists():
        saved = json.loads(manifest.read_text(encoding="utf-8"))
        geometry = _province_from_manifest(saved, cache_dir)
        if all(p.exists() for p in geometry.files()):
            return geometry

    def kabupaten_view(simple: gpd.GeoDataFrame) -> list[dict[str, Any]]:
        return [to_geojson(kabupaten_outlines(simple), ["kode_desa", "kode_kabupaten", "nama_kabupaten"], precision=4)]

    (kab_json,), kab_tol = fit_under_cap(layer, kabupaten_view, cap, (0.002, *[t for t in TOLERANCES if t > 0.002]))
    kab_path = cache_dir / f"peta_kabupaten_{key}.geojson"
    _write_json_atomic(kab_json, kab_path)

    def desa_view(simple: gpd.GeoDataFrame) -> list[dict[str, Any]]:
        props = [c for c in ("kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan") if c in simple]
        return [to_geojson(simple, props), to_geojson(kecamatan_outlines(simple), list(KECAMATAN_COLUMNS))]

    layers: dict[str, dict[str, Any]] = {}
    for kab, group in layer.groupby("kode_kabupaten", sort=True):
        (desa_json, kec_json), tolerance = fit_under_cap(group, desa_view, cap)
        slug = str(kab).replace(".", "")
        desa_path = cache_dir / f"peta_desa_{slug}_{key}.geojson"
        kec_path = cache_dir / f"peta_kecamatan_{slug}_{key}.geojson"
        _write_json_atomic(desa_json, desa_path)
        _write_json_atomic(kec_json, kec_path)
        minx, miny, maxx, maxy = (float(v) for v in group.total_bounds)
        layers[str(kab)] = {"desa": desa_path.name, "kecamatan": kec_path.name, "bounds": [minx, miny, maxx, maxy],
                            "tolerance": tolerance}  # fmt: skip
    saved = {"kabupaten": kab_path.name, "tolerance": kab_tol, "layers": layers}
    _write_json_atomic(saved, manifest)
    return _province_from_manifest(saved, cache_dir)


def _province_from_manifest(saved: dict[str, Any], cache_dir: Path) -> ProvinceGeometry:
    layers = {
        kab: KabupatenLayer(
            cache_dir / item["desa"],
            cache_dir / item["kecamatan"],
            (float(item["bounds"][0]), float(item["bounds"][1]), float(item["bounds"][2]), float(item["bounds"][3])),
            float(item["tolerance"]),
        )
        for kab, item in saved["layers"].items()
    }
    kab_path = cache_dir / saved["kabupaten"]
    return ProvinceGeometry(kab_path, kab_path, layers, float(saved["tolerance"]))
