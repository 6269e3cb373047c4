"""Read-only, cached queries the dashboard calls. No dash here; every function is plain and testable.

Caches are keyed on the files' modification times, so a changed workspace file is picked up on the next call
and concurrent users never share mutable state.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from pws.analysis.aggregate import aggregate, with_kabupaten
from pws.analysis.coverage import pws_table
from pws.analysis.series import coverage_series
from pws.analysis.settings import Settings
from pws.config import Workspace
from pws.etl.model import TIDY_COLUMNS
from pws.etl.store import ARCHIVE_DIR, Store, database_url
from pws.figures.theme import format_int
from pws.geo import ProvinceGeometry, load_boundaries, write_map_geojson, write_province_geojson
from pws.i18n import current_lang, t
from pws.issues import Issue
from pws.network import load_jejaring, month_end
from pws.network import network_by_desa as _network_counts
from pws.network import posyandu_reporting as _reporting
from pws.quality import QualityReport, filter_puskesmas, run_checks
from pws.quality.inputs import KABUPATEN_SASARAN_FILE, QualityInput, load_inputs
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


# ---------------------------------------------------------------------------------------------- the store
# Derived tables are cached on the store's version (the newest ingest id): an upload, a `pws ingest` in another
# process or another gunicorn worker changes it, and the next call recomputes. Cached frames are shared between
# callers: treat them as read-only (copy before changing).


@functools.lru_cache(maxsize=4)
def _store(root: Path, url: str) -> Store:
    return Store(url, Workspace(root).internal_dir / ARCHIVE_DIR)


def store(ws: Workspace) -> Store:
    """The workspace's store, opened once per process (its engine pools connections for every thread)."""
    ws.internal_dir.mkdir(parents=True, exist_ok=True)
    return _store(ws.root.resolve(), database_url(ws))


def version(ws: Workspace) -> int:
    return store(ws).version()


def settings(ws: Workspace) -> Settings:
    """The analysis settings of the workspace (the documented defaults for now)."""
    return Settings()


def _codes(ws: Workspace, indikator: str) -> tuple[str, ...]:
    measured = settings(ws).measured_denominator(indikator)
    return (indikator, measured) if measured else (indikator,)


@functools.lru_cache(maxsize=4)
def _year(root: Path, ver: int, tahun: int) -> dict[str, pd.DataFrame]:
    """All tidy rows of one year, split by indicator (one query; slicing per indicator is then free)."""
    frame = store(Workspace(root)).observations(tahun=tahun)
    return {str(code): part.reset_index(drop=True) for code, part in frame.groupby("indikator", sort=False)}


@functools.lru_cache(maxsize=256)
def _observations(root: Path, ver: int, tahun: int, codes: tuple[str, ...]) -> pd.DataFrame:
    parts = [_year(root, ver, year).get(code) for code in codes for year in (tahun - 1, tahun)]
    frames = [p for p in parts if p is not None and not p.empty]
    if not frames:
        return pd.DataFrame(columns=TIDY_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def observations(ws: Workspace, tahun: int, indikator: str) -> pd.DataFrame:
    """Tidy rows of ``indikator`` (and its measured denominator) in ``tahun − 1`` and ``tahun``."""
    return _observations(ws.root.resolve(), version(ws), int(tahun), _codes(ws, indikator))


@functools.lru_cache(maxsize=512)
def _table(root: Path, ver: int, stamp: tuple[int, ...], tahun: int, bulan: int, indikator: str) -> pd.DataFrame:
    ws = Workspace(root)
    data = workspace_data(ws)
    obs = _observations(root, ver, tahun, _codes(ws, indikator))
    return pws_table(obs, data.sasaran, data.target, data.catalogue, data.wilayah, tahun, bulan, indikator,
                     settings(ws))  # fmt: skip


def _data_stamp(ws: Workspace) -> tuple[int, ...]:
    return _stamp(ws.wilayah_path, ws.sasaran_path, ws.target_path, ws.indikator_path, ws.alias_path)


def table(ws: Workspace, tahun: int, bulan: int, indikator: str) -> pd.DataFrame:
    """The desa PWS table (:func:`pws.analysis.pws_table`) of one indicator and month, cached."""
    return _table(ws.root.resolve(), version(ws), _data_stamp(ws), int(tahun), int(bulan), indikator)


@functools.lru_cache(maxsize=512)
def _aggregate(
    root: Path, ver: int, stamp: tuple[int, ...], tahun: int, bulan: int, indikator: str, level: str
) -> pd.DataFrame:
    ws = Workspace(root)
    table = _table(root, ver, stamp, tahun, bulan, indikator)
    if level == "per_kabupaten":
        table = with_kabupaten(table, workspace_data(ws).wilayah)
    return aggregate(table, level, settings(ws))


def aggregate_table(ws: Workspace, tahun: int, bulan: int, indikator: str, level: str) -> pd.DataFrame:
    """Puskesmas / kecamatan / kabupaten rows (:func:`pws.analysis.aggregate`) of the desa table, cached."""
    return _aggregate(ws.root.resolve(), version(ws), _data_stamp(ws), int(tahun), int(bulan), indikator, level)


@functools.lru_cache(maxsize=256)
def _series(
    root: Path, ver: int, stamp: tuple[int, ...], tahun: int, indikator: str, level: str, kode: str | None
) -> pd.DataFrame:
    ws = Workspace(root)
    data = workspace_data(ws)
    codes = _codes(ws, indikator)
    obs = [_observations(root, ver, tahun, codes), _observations(root, ver, tahun - 1, codes)]
    frames = [f for f in obs if not f.empty]
    both = pd.concat(frames, ignore_index=True).drop_duplicates() if frames else obs[0]
    return coverage_series(both, data.sasaran, data.target, data.catalogue, data.wilayah, tahun, indikator, level,
                           kode, settings(ws))  # fmt: skip


def series(
    ws: Workspace, tahun: int, indikator: str, level: str = "kabupaten", kode: str | None = None
) -> pd.DataFrame:
    """Twelve monthly rows of cumulative coverage against the target line (:func:`pws.analysis.coverage_series`)
    for the kabupaten or one puskesmas / kecamatan / desa, with last year's line; cached."""
    return _series(ws.root.resolve(), version(ws), _data_stamp(ws), int(tahun), indikator, level, kode)


LINEAGE_COLUMNS = ["bulan", "jk", "nilai", "sumber_file", "sumber_sheet", "sumber_sel"]


def lineage(ws: Workspace, tahun: int, indikator: str, kode_desa: str) -> pd.DataFrame:
    """Where each stored number of one desa, indicator and year came from: month, sex, value, file, sheet, cell."""
    obs = observations(ws, tahun, indikator)
    rows = obs[(obs["tahun"] == int(tahun)) & (obs["indikator"] == indikator) & (obs["kode_desa"] == kode_desa)]
    return rows[LINEAGE_COLUMNS].sort_values(["bulan", "jk"], ascending=[True, False]).reset_index(drop=True)


# Data quality: one report per (version, files, tahun, bulan, language) for the whole kabupaten, a puskesmas' report
# filtered from it. A report takes seconds to compute (the store's values of three years, every check), so the
# computation is serialised (two callbacks asking at once compute it once) and callers that must stay fast ask with
# ``wait=False``: the cached report or None, never a computation.
_QUALITY_REPORTS = 16
_quality_cache: OrderedDict[tuple, QualityReport] = OrderedDict()
_quality_cache_lock = threading.Lock()  # held for dictionary operations only
_quality_compute_lock = threading.Lock()  # held while a report is computed


@functools.lru_cache(maxsize=1)  # every stored value of a year and two years of totals: tens of MB
def _quality_inputs(root: Path, ver: int, stamp: tuple[int, ...], tahun: int) -> QualityInput:
    ws = Workspace(root)
    return load_inputs(ws, tahun, store(ws), workspace_data(ws))


def _quality_cached(key: tuple) -> QualityReport | None:
    with _quality_cache_lock:
        report = _quality_cache.get(key)
        if report is not None:
            _quality_cache.move_to_end(key)
        return report


def _quality_keep(key: tuple, report: QualityReport) -> None:
    with _quality_cache_lock:
        _quality_cache[key] = report
        while len(_quality_cache) > _QUALITY_REPORTS:
            _quality_cache.popitem(last=False)


def quality_report(
    ws: Workspace, tahun: int, bulan: int, kode_puskesmas: str | None = None, wait: bool = True
) -> QualityReport | None:
    """The data-quality report (:func:`pws.quality.check_workspace`) of January to ``bulan`` of ``tahun``, for the
    kabupaten or one puskesmas, messages in the current language; cached on the store's version and the workspace
    files. ``wait=False`` returns the cached report or None (it never computes). Shared: never modify it."""
    root = ws.root.resolve()
    stamp = (*_data_stamp(ws), *_stamp(ws.root / KABUPATEN_SASARAN_FILE))
    full = (root, version(ws), stamp, int(tahun), int(bulan), current_lang())
    key = (*full, kode_puskesmas or None)
    report = _quality_cached(key)
    if report is not None or not wait:
        return report
    with _quality_compute_lock:
        report = _quality_cached(key)  # computed by another thread meanwhile
        if report is not None:
            return report
        whole = _quality_cached((*full, None))
        if whole is None:
            inputs = _quality_inputs(root, full[1], stamp, int(tahun))
            whole = run_checks(inputs, int(tahun), int(bulan), lang=full[-1])
            _quality_keep((*full, None), whole)
        report = filter_puskesmas(whole, kode_puskesmas) if kode_puskesmas else whole
        _quality_keep(key, report)
    return report


def warm(ws: Workspace) -> None:
    """Fill the caches for the newest period (every indicator's desa table, its puskesmas and kabupaten rows and
    the kabupaten trend), so that the first users of a freshly started server do not wait. Meant for a
    background thread."""
    period = latest_period(ws)
    if period is None:
        return
    tahun, bulan = period
    codes = list(workspace_data(ws).catalogue.indicators)
    for code in codes:
        table(ws, tahun, bulan, code)
        for level in ("puskesmas", "kabupaten"):
            aggregate_table(ws, tahun, bulan, code, level)
    for code in codes:
        series(ws, tahun, code)


def latest_period(ws: Workspace) -> tuple[int, int] | None:
    """The newest (tahun, bulan) that has any data; None for an empty store."""
    periods = store(ws).periods()
    if periods.empty:
        return None
    return int(periods["tahun"].iloc[0]), int(periods["bulan"].iloc[0])


def puskesmas_list(ws: Workspace) -> pd.DataFrame:
    """kode_puskesmas, nama_puskesmas of the master list, sorted by name."""
    wilayah = workspace_data(ws).wilayah
    pkm = wilayah[["kode_puskesmas", "nama_puskesmas"]].drop_duplicates("kode_puskesmas")
    return pkm.sort_values("nama_puskesmas").reset_index(drop=True)


def desa_options(ws: Workspace, kode_puskesmas: str | None = None) -> list[dict[str, str]]:
    """Dropdown options (label "Desa (Kecamatan)", value kode_desa) of one puskesmas or of all, sorted by name."""
    wilayah = workspace_data(ws).wilayah
    if kode_puskesmas:
        wilayah = wilayah[wilayah["kode_puskesmas"] == kode_puskesmas]
    rows = wilayah.sort_values(["nama_desa", "nama_kecamatan"])
    return [{"label": f"{r.nama_desa} ({r.nama_kecamatan})", "value": r.kode_desa} for r in rows.itertuples()]


def puskesmas_of(ws: Workspace, kode_desa: str) -> str | None:
    wilayah = workspace_data(ws).wilayah
    match = wilayah.loc[wilayah["kode_desa"] == kode_desa, "kode_puskesmas"]
    return str(match.iloc[0]) if len(match) else None


def area_bounds(ws: Workspace, kode_puskesmas: str | None = None) -> tuple[float, float, float, float] | None:
    """Bounds (minx, miny, maxx, maxy) of the kabupaten or of one puskesmas' desa; None without boundaries."""
    geometry = map_geometry(ws)
    if geometry is None:
        return None
    desa = geometry.desa
    if kode_puskesmas:
        codes = set(workspace_data(ws).wilayah.query("kode_puskesmas == @kode_puskesmas")["kode_desa"])
        desa = desa[desa["kode_desa"].isin(codes)]
        if desa.empty:
            return geometry.bounds
    minx, miny, maxx, maxy = (float(v) for v in desa.total_bounds)
    return (minx, miny, maxx, maxy)


_current: list[Workspace] = []


def configure(ws: Workspace) -> None:
    """Set the workspace this server process serves (once, at start-up; read-only afterwards)."""
    _current[:] = [ws]


def current_workspace() -> Workspace:
    if not _current:
        raise RuntimeError("service.configure() was not called")
    return _current[0]


# ---------------------------------------------------------------------------------------------- the network
# jejaring.csv (pws.network) and the posyandu-level values: cached on the network file, the master list and the
# boundaries (and the store's version for values).


def _jejaring_stamp(ws: Workspace) -> tuple[int, ...]:
    return _stamp(ws.root / "jejaring.csv", ws.root / "jejaring.xlsx", ws.wilayah_path, ws.batas_path)


@functools.lru_cache(maxsize=4)
def _jejaring(root: Path, stamp: tuple[int, ...]) -> tuple[pd.DataFrame, tuple[Issue, ...]]:
    ws = Workspace(root)
    geometry = map_geometry(ws)
    frame, issues = load_jejaring(ws, workspace_data(ws).wilayah, geometry.desa if geometry else None)
    return frame, tuple(issues)


def jejaring(ws: Workspace) -> tuple[pd.DataFrame, list[Issue]]:
    """The validated service network (:func:`pws.network.load_jejaring`) and its problems, cached until
    jejaring.csv, wilayah or the boundaries change. Empty frame, no issue, when the workspace has no network
    file. The frame is shared: treat it as read-only."""
    frame, issues = _jejaring(ws.root.resolve(), _jejaring_stamp(ws))
    return frame, list(issues)


@functools.lru_cache(maxsize=64)
def _network_by_desa(root: Path, stamp: tuple[int, ...], tahun: int, bulan: int) -> pd.DataFrame:
    ws = Workspace(root)
    frame, _ = _jejaring(root, stamp)
    return _network_counts(frame, workspace_data(ws).wilayah, month_end(tahun, bulan))


def network_by_desa(ws: Workspace, tahun: int, bulan: int) -> pd.DataFrame:
    """Units per desa active at the end of the month (:func:`pws.network.network_by_desa`), cached."""
    return _network_by_desa(ws.root.resolve(), _jejaring_stamp(ws), int(tahun), int(bulan))


@functools.lru_cache(maxsize=4)
def _posyandu_values(root: Path, ver: int, tahun: int) -> pd.DataFrame:
    return store(Workspace(root)).posyandu_observations(tahun=tahun)


def posyandu_values(ws: Workspace, tahun: int) -> pd.DataFrame:
    """Every posyandu-level value of the year (:meth:`Store.posyandu_observations`), cached on the store's
    version. Shared: treat it as read-only."""
    return _posyandu_values(ws.root.resolve(), version(ws), int(tahun))


@functools.lru_cache(maxsize=64)
def _posyandu_reporting(root: Path, ver: int, stamp: tuple[int, ...], tahun: int, bulan: int) -> pd.DataFrame:
    frame, _ = _jejaring(root, stamp)
    return _reporting(frame, _posyandu_values(root, ver, tahun), tahun, bulan)


def posyandu_reporting(ws: Workspace, tahun: int, bulan: int) -> pd.DataFrame:
    """One row per posyandu active in the month: reported or not, how many indicators
    (:func:`pws.network.posyandu_reporting`), cached."""
    return _posyandu_reporting(ws.root.resolve(), version(ws), _jejaring_stamp(ws), int(tahun), int(bulan))


POSYANDU_LINEAGE_COLUMNS = ["bulan", "posyandu", "kode_unit", "jk", "nilai", "sumber_file", "sumber_sheet",
                            "sumber_sel"]  # fmt: skip


def posyandu_lineage(ws: Workspace, tahun: int, indikator: str, kode_desa: str) -> pd.DataFrame:
    """The posyandu rows behind one desa's values of an indicator and year (month, posyandu, value, file, sheet,
    cell); empty when the desa's values came from desa-level reports."""
    values = posyandu_values(ws, tahun)
    rows = values[(values["indikator"] == indikator) & (values["kode_desa"] == kode_desa)]
    rows = rows.sort_values(["bulan", "posyandu", "jk"], ascending=[True, True, False])
    return rows[POSYANDU_LINEAGE_COLUMNS].reset_index(drop=True)


# ------------------------------------------------------------------------------------------ province scale
# A workspace whose master list holds several kabupaten (``kode_kabupaten``, or the ``PP.KK`` prefix of the desa
# codes) is a province: the map starts with the kabupaten and drills into one, whose desa come from its own
# GeoJSON file, so no view sends the whole province's villages.


def kabupaten_list(ws: Workspace) -> pd.DataFrame:
    """kode_kabupaten, nama_kabupaten (the code when the master list has no name), desa count; sorted by code.
    Cached until a workspace file changes; shared, treat as read-only."""
    return _kabupaten_list(ws.root.resolve(), _data_stamp(ws))


@functools.lru_cache(maxsize=8)  # every callback asks (is this a province?): keep it off the request path
def _kabupaten_list(root: Path, stamp: tuple[int, ...]) -> pd.DataFrame:
    wilayah = workspace_data(Workspace(root)).wilayah
    if wilayah.empty or "kode_kabupaten" not in wilayah.columns:
        return pd.DataFrame(columns=["kode_kabupaten", "nama_kabupaten", "jumlah_desa"])
    frame = wilayah.drop_duplicates("kode_desa")
    names = frame["nama_kabupaten"].where(frame["nama_kabupaten"] != "", frame["kode_kabupaten"])
    out = (
        frame.assign(nama_kabupaten=names)
        .groupby("kode_kabupaten", sort=True)
        .agg(nama_kabupaten=("nama_kabupaten", "first"), jumlah_desa=("kode_desa", "size"))
        .reset_index()
    )
    return out


def is_province(ws: Workspace) -> bool:
    """True when the workspace holds more than one kabupaten."""
    return len(kabupaten_list(ws)) > 1


@dataclass(frozen=True)
class MapScope:
    """What the Peta map draws for one view: its locations (desa codes, or kabupaten codes at province level), the
    GeoJSON file of the shapes and of the outlines on top, and the bounds."""

    level: str  # "desa" or "kabupaten"
    wilayah: pd.DataFrame  # the desa rows drawn (all of the workspace, or one kabupaten's)
    shapes: Path
    outlines: Path
    bounds: tuple[float, float, float, float]


@functools.lru_cache(maxsize=4)
def _province_geometry(root: Path, stamp: tuple[int, ...]) -> ProvinceGeometry:
    ws = Workspace(root)
    geometry = _map_geometry(root, stamp)
    wilayah = workspace_data(ws).wilayah.drop_duplicates("kode_desa")
    return write_province_geojson(geometry.desa, wilayah, ws.cache_dir)


def province_geometry(ws: Workspace) -> ProvinceGeometry | None:
    """The kabupaten layer and the per-kabupaten desa layers (:func:`pws.geo.write_province_geojson`); None
    without boundaries or for a single kabupaten."""
    if ws.batas_path is None or not is_province(ws):
        return None
    return _province_geometry(ws.root.resolve(), _stamp(ws.batas_path, ws.wilayah_path))


def map_scope(ws: Workspace, kabupaten: str | None = None) -> MapScope | None:
    """The map of a view: the whole workspace's desa (one kabupaten: exactly as before), the kabupaten of a
    province, or the desa of one of its kabupaten; None without boundaries."""
    geometry = map_geometry(ws)
    if geometry is None:
        return None
    province = province_geometry(ws)
    if province is None:
        wilayah = _scope_wilayah(ws.root.resolve(), _data_stamp(ws), None)
        return MapScope("desa", wilayah, geometry.desa_geojson, geometry.kecamatan_geojson, geometry.bounds)
    if kabupaten and kabupaten in province.layers:
        layer = province.layers[kabupaten]
        mine = _scope_wilayah(ws.root.resolve(), _data_stamp(ws), kabupaten)
        return MapScope("desa", mine, layer.desa, layer.kecamatan, layer.bounds)
    wilayah = _scope_wilayah(ws.root.resolve(), _data_stamp(ws), None)
    return MapScope("kabupaten", wilayah, province.kabupaten, province.kabupaten_outline, geometry.bounds)


@functools.lru_cache(maxsize=64)
def _scope_wilayah(root: Path, stamp: tuple[int, ...], kabupaten: str | None) -> pd.DataFrame:
    wilayah = workspace_data(Workspace(root)).wilayah.drop_duplicates("kode_desa")
    if kabupaten:
        wilayah = wilayah[wilayah["kode_kabupaten"] == kabupaten]
    return wilayah.reset_index(drop=True)


def geo_file(ws: Workspace, name: str) -> Path | None:
    """The GeoJSON file ``/geo/<name>`` serves (any layer of any view), None for an unknown name."""
    geometry = map_geometry(ws)
    if geometry is None:
        return None
    files = {p.name: p for p in (geometry.desa_geojson, geometry.kecamatan_geojson)}
    province = province_geometry(ws)
    if province is not None:
        files |= {p.name: p for p in province.files()}
    return files.get(name)


def kabupaten_table(ws: Workspace, tahun: int, bulan: int, indikator: str) -> pd.DataFrame:
    """One aggregate row per kabupaten (:func:`pws.analysis.aggregate`, level ``per_kabupaten``), cached."""
    return _aggregate(
        ws.root.resolve(), version(ws), _data_stamp(ws), int(tahun), int(bulan), indikator, "per_kabupaten"
    )


def puskesmas_options(ws: Workspace, kabupaten: str | None = None) -> list[dict[str, str]]:
    """Dropdown options (label name, value code) of the puskesmas, of one kabupaten when given, sorted by name."""
    pkm = puskesmas_list(ws)
    if kabupaten:
        wilayah = workspace_data(ws).wilayah
        mine = set(wilayah.loc[wilayah["kode_kabupaten"] == kabupaten, "kode_puskesmas"])
        pkm = pkm[pkm["kode_puskesmas"].isin(mine)]
    return [{"label": r.nama_puskesmas, "value": r.kode_puskesmas} for r in pkm.itertuples()]


def kabupaten_of_puskesmas(ws: Workspace, kode_puskesmas: str) -> str | None:
    wilayah = workspace_data(ws).wilayah
    match = wilayah.loc[wilayah["kode_puskesmas"] == kode_puskesmas, "kode_kabupaten"]
    return str(match.iloc[0]) if len(match) else None
