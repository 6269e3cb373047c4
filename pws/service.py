"""Read-only, cached queries the dashboard calls. No dash here; every function is plain and testable.

Caches are keyed on the files' modification times, so a changed workspace file is picked up on the next call
and concurrent users never share mutable state.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from pws.config import Workspace
from pws.figures.theme import format_int
from pws.geo import load_boundaries, write_map_geojson
from pws.i18n import t
from pws.workspace import WorkspaceData, load_workspace


def _stamp(*paths: Path | None) -> tuple[int, ...]:
    return tuple(p.stat().st_mtime_ns if p is not None and p.exists() else 0 for p in paths)


@functools.lru_cache(maxsize=8)
def _workspace_data(root: Path, stamp: tuple[int, ...]) -> WorkspaceData:
    return load_workspace(Workspace(root))


def workspace_data(ws: Workspace) -> WorkspaceData:
    """Catalogue, wilayah, sasaran and target of the workspace (cached until a file changes)."""
    stamp = _stamp(ws.wilayah_path, ws.sasaran_path, ws.target_path, ws.indikator_path, ws.alias_path)
    return _workspace_data(ws.root.resolve(), stamp)


@dataclass(frozen=True)
class MapGeometry:
    desa: gpd.GeoDataFrame
    desa_geojson: Path
    kecamatan_geojson: Path
    bounds: tuple[float, float, float, float]


@functools.lru_cache(maxsize=4)
def _map_geometry(root: Path, stamp: tuple[int, ...]) -> MapGeometry:
    ws = Workspace(root)
    assert ws.batas_path is not None
    data = workspace_data(ws)
    desa, _ = load_boundaries(ws.batas_path, wilayah=data.wilayah)
    desa_path, kec_path = write_map_geojson(desa, ws.cache_dir)
    minx, miny, maxx, maxy = (float(v) for v in desa.total_bounds)
    return MapGeometry(desa, desa_path, kec_path, (minx, miny, maxx, maxy))


def map_geometry(ws: Workspace) -> MapGeometry | None:
    """Boundaries and the simplified GeoJSON files served to the browser; None without a boundary file."""
    if ws.batas_path is None:
        return None
    return _map_geometry(ws.root.resolve(), _stamp(ws.batas_path, ws.wilayah_path))


def years(ws: Workspace) -> list[int]:
    """Years the workspace has sasaran for, newest first (at least the current one)."""
    data = workspace_data(ws)
    found = sorted({int(y) for y in data.sasaran["tahun"]}, reverse=True)
    return found or [pd.Timestamp.now().year]


def wilayah_map_frame(ws: Workspace, tahun: int, indikator: str | None, lang: str | None = None) -> pd.DataFrame:
    """One row per desa for the wilayah map, with the sasaran of the chosen indicator in the hover text."""
    data = workspace_data(ws)
    frame = data.wilayah[["kode_desa", "nama_desa", "nama_kecamatan", "kode_puskesmas", "nama_puskesmas"]].copy()
    sas = data.sasaran[data.sasaran["tahun"] == tahun]
    penduduk = sas[sas["jenis_sasaran"] == "PENDUDUK"].set_index("kode_desa")["jumlah"]
    lines = []
    ind = data.catalogue.indicators.get(indikator or "")
    target_sas = sas[sas["jenis_sasaran"] == ind.sasaran].set_index("kode_desa")["jumlah"] if ind else None
    for kode in frame["kode_desa"]:
        parts = []
        if kode in penduduk.index:
            parts.append(f"{t('map.penduduk', lang)}: {format_int(penduduk[kode])}")
        if ind is not None and target_sas is not None:
            value = format_int(target_sas[kode]) if kode in target_sas.index else t("map.tidak_ada", lang)
            sas_name = data.catalogue.sasaran_types[ind.sasaran]
            label = sas_name.nama_en if lang == "en" else sas_name.nama_id
            parts.append(f"{t('map.sasaran', lang)} {label} {tahun}: {value}")
        lines.append("<br>".join(parts))
    frame["keterangan"] = lines
    return frame


_current: list[Workspace] = []


def configure(ws: Workspace) -> None:
    """Set the workspace this server process serves (once, at start-up; read-only afterwards)."""
    _current[:] = [ws]


def current_workspace() -> Workspace:
    if not _current:
        raise RuntimeError("service.configure() was not called")
    return _current[0]
