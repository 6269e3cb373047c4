"""The monthly review-meeting pack: what it contains, built once and written as PowerPoint (:mod:`pws.report.pptx`),
PDF (:mod:`pws.report.pdf`) and Excel (:mod:`pws.report.excel`).

Two steps:

1. :func:`collect` gathers the numbers (:class:`PackData`) from the cached service queries and
   :mod:`pws.analysis.overview`: per key indicator (a setting, :func:`pws.analysis.overview.key_indicators`) the
   desa PWS table, the puskesmas (or, in a puskesmas pack, desa) league and the desa needing attention, the
   kabupaten (or puskesmas) row per life stage, the monthly series, and the reporting completeness of
   :mod:`pws.quality`. The Excel workbook needs nothing more.
2. :func:`build_slides` turns them into :class:`Slide` records — titles, tables of formatted :class:`Cell` s in
   status colours, key-figure cards and pictures (plotly figures rendered to PNG by one warm Chromium,
   :class:`pws.report.images.Renderer`). The PowerPoint and PDF writers only place these records.

Slides of a pack (:func:`slide_titles` lists them without building anything): the title; the overview of every
key indicator; the league of all key indicators at once; per life stage its summary (a card and the trend of each
key indicator) followed, per key indicator, by the status map with the league and by the PWS chart with the desa
needing attention (their gap in persons); reporting completeness; an empty follow-up ("tindak lanjut") table.
A district pack compares puskesmas; a puskesmas pack (``kode_puskesmas``, for the lokakarya mini) compares its desa.
Tables longer than fit on a slide continue on the next one.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from pws import service
from pws.analysis import overview
from pws.analysis.coverage import NO_DATA
from pws.catalogue import Catalogue
from pws.config import Workspace
from pws.etl.store import STATUS_NEW, STATUS_REPLACED
from pws.figures.charts import TrendPanel, status_colours, status_column, status_label, status_order, trend_grid
from pws.figures.static import LegendItem, MapLabel, area_pws_chart, status_map
from pws.figures.theme import (
    INK,
    STATUS_COLOURS,
    format_int,
    format_number,
    format_pct,
    format_pp,
)
from pws.geo import kecamatan_outlines, to_geojson
from pws.i18n import current_lang, t
from pws.report.images import Job, Renderer

#: slide size in inches (16:9) and the CSS pixels per inch figures are laid out at (so fonts keep their size)
SLIDE_W_IN = 13.333
SLIDE_H_IN = 7.5
PX_PER_IN = 96
#: image pixels per CSS pixel: 2 keeps charts sharp on a projector and in print
IMAGE_SCALE = 2.0
#: most table rows one slide shows (longer tables continue on the next slide)
MAX_TABLE_ROWS = 14
#: rows of the side tables next to a map or chart
SIDE_TABLE_ROWS = 10
#: desa in the attention table of a PWS slide
ATTENTION_ROWS = 8
#: empty rows of the follow-up table
FOLLOW_UP_ROWS = 6

#: where pictures go, in inches (left, top, width, height), per slide kind; the writers use the same boxes
PICTURE_BOX = {
    "tahap": (4.75, 1.35, 8.25, 5.45),
    "peta": (0.35, 1.35, 7.2, 5.45),
    "pws": (0.35, 1.35, 7.3, 5.45),
}
#: where tables go beside a picture, and alone
TABLE_BOX = {
    "peta": (7.75, 1.45, 5.25, 5.3),
    "pws": (7.75, 1.45, 5.25, 5.3),
    "full": (0.45, 1.45, 12.45, 5.4),
}
METRIC_BOX = (0.35, 1.35, 4.2, 5.45)
#: tallest key-figure card (a stage with one key indicator does not stretch its card over the whole height)
MAX_CARD_IN = 3.4


# ---------------------------------------------------------------------------------------------- content model


@dataclass(frozen=True)
class Cell:
    """One table cell as shown: its text, optional background and text colour, right-aligned if ``numeric``,
    centred if ``center``."""

    text: str
    fill: str | None = None
    ink: str | None = None
    numeric: bool = False
    bold: bool = False
    center: bool = False


@dataclass(frozen=True)
class Table:
    """A table of a slide: header, rows of cells, relative column widths, optional header colours."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...]
    header_fills: tuple[str | None, ...] = ()
    font_pt: float = 13.0
    #: least height of a body row in inches (None: from the font)
    row_in: float | None = None

    def align(self, column: int) -> str:
        """``right`` for a column of numbers, ``center`` for a column of centred cells, else ``left`` (the header
        follows its column)."""
        cells = [row[column] for row in self.rows if row[column].text]
        if cells and all(c.center for c in cells):
            return "center"
        if cells and all(c.numeric for c in cells):
            return "right"
        return "left"

    def min_row_in(self) -> float:
        return self.row_in if self.row_in is not None else self.font_pt * 2.05 / 72


@dataclass(frozen=True)
class Picture:
    """A rendered figure: PNG bytes, its pixel size and a description."""

    png: bytes
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class Metric:
    """The key figure of one indicator on a life-stage slide."""

    kode: str
    name: str
    value: str
    status: str
    colour: str
    ink: str
    lines: tuple[str, ...]
    counts: tuple[LegendItem, ...]


@dataclass(frozen=True)
class Slide:
    """One slide (and one PDF page). ``kind`` decides the layout: ``judul``, ``ikhtisar``, ``peringkat``,
    ``tahap``, ``peta``, ``pws``, ``kelengkapan``, ``tindak_lanjut``."""

    kind: str
    title: str
    subtitle: str = ""
    picture: Picture | None = None
    table: Table | None = None
    metrics: tuple[Metric, ...] = ()
    lines: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class PackInfo:
    """What the pack is about and when its data is from."""

    kabupaten: str
    tahun: int
    bulan: int
    lang: str
    kode_puskesmas: str | None = None
    nama_puskesmas: str | None = None
    data_date: date | None = None
    made: date = field(default_factory=date.today)

    @property
    def periode(self) -> str:
        return f"{t(f'month.{self.bulan}', self.lang)} {self.tahun}"

    @property
    def area(self) -> str:
        """``Kabupaten Sukamakmur`` or ``Puskesmas Bukit Sari``."""
        if self.kode_puskesmas:
            return t("rapat.area_puskesmas", self.lang, nama=self.nama_puskesmas or self.kode_puskesmas)
        return self.kabupaten

    @property
    def footer(self) -> str:
        date_text = format_date(self.data_date, self.lang) if self.data_date else "–"
        return t("rapat.kaki", self.lang, area=self.area, periode=self.periode, tanggal=date_text)

    def file_stem(self) -> str:
        """``paket-rapat-2025-10`` or ``paket-rapat-2025-10-P9901020201`` (safe as a file name)."""
        stem = f"paket-rapat-{self.tahun}-{self.bulan:02d}"
        return f"{stem}-{_safe(self.kode_puskesmas)}" if self.kode_puskesmas else stem


@dataclass
class PackData:
    """The numbers of a pack (the frames are the cached service frames or views of them: read-only).

    ``tables`` are the desa PWS tables (only the puskesmas' desa in a puskesmas pack), ``area_rows`` the
    kabupaten row (or the puskesmas rows, one of which is the pack's) per key indicator, ``compared`` what the
    leagues rank (the puskesmas rows, or the puskesmas' desa rows)."""

    info: PackInfo
    keys: overview.KeyIndicators
    catalogue: Catalogue
    summary: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    area_rows: dict[str, pd.DataFrame]
    compared: dict[str, pd.DataFrame]
    leagues: dict[str, pd.DataFrame]
    attention: dict[str, pd.DataFrame]
    series: dict[str, pd.DataFrame]
    matrix: pd.DataFrame
    completeness: pd.DataFrame
    completeness_by_month: pd.DataFrame
    _pending: Callable[[], tuple[pd.DataFrame, pd.DataFrame]] | None = field(default=None, repr=False)
    #: the service network per desa (:func:`network_frame`); None when the workspace has no jejaring.csv
    network: pd.DataFrame | None = None

    def wait(self) -> PackData:
        """Wait for the reporting completeness when :func:`collect` was asked not to (``wait=False``)."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.completeness, self.completeness_by_month = pending()
        return self

    @property
    def desa_level(self) -> bool:
        """True in a puskesmas pack: leagues and the map compare desa, not puskesmas."""
        return self.info.kode_puskesmas is not None


@dataclass
class Pack:
    data: PackData
    slides: list[Slide]

    @property
    def info(self) -> PackInfo:
        return self.data.info


# ---------------------------------------------------------------------------------------------- small helpers


def _safe(text: str | None) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in str(text or ""))


def format_date(value: date, lang: str | None = None) -> str:
    """``23 November 2025``."""
    return f"{value.day} {t(f'month.{value.month}', lang)} {value.year}"


def ink_on(colour: str) -> str:
    """White or the theme's ink, whichever reads better on ``colour`` (``#rrggbb``)."""
    value = colour.lstrip("#")
    if len(value) != 6:
        return INK
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#ffffff" if luminance < 0.3 else INK


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def status_cell(status: Any, target3: bool, lang: str) -> Cell:
    """A status as a filled cell in its colour (PWS status, or met / not met for target3 indicators)."""
    key = NO_DATA if _missing(status) or not str(status) else str(status)
    colours = status_colours("status_target" if target3 else "status")
    colour = colours.get(key, STATUS_COLOURS["NO_DATA"])
    return Cell(status_label(key, lang), fill=colour, ink=ink_on(colour), bold=True)


def _pages(rows: Sequence[Any], size: int) -> list[Sequence[Any]]:
    """``rows`` in chunks of ``size`` (one empty chunk for no rows)."""
    if not rows:
        return [rows]
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def title_pt(title: str) -> float:
    """The title's font size: 26 pt, smaller for long titles so that they stay on one line."""
    return 26.0 if len(title) <= 52 else 22.0 if len(title) <= 64 else 19.0


def indicator_title(name: str, kode: str) -> str:
    """``Cakupan K4`` (the code is in the name) or ``Persalinan di fasyankes (PF)``."""
    return name if kode in name else f"{name} ({kode})"


# ---------------------------------------------------------------------------------------------- table fitting
#: average character width of the slide font, in ems (regular, bold)
_CHAR_EM = (0.5, 0.55)
#: smallest table font the fitting goes down to
MIN_TABLE_PT = 9.0


def text_lines(text: str, width_in: float, font_pt: float, bold: bool) -> int:
    """How many lines ``text`` wraps to in a cell ``width_in`` wide (estimated from the average glyph width)."""
    char_in = font_pt * _CHAR_EM[bold] / 72
    per_line = max(int((width_in - 0.14) / char_in), 1)
    lines, used = 1, 0
    for word in text.split():
        size = len(word)
        if used == 0:
            used = size
        elif used + 1 + size <= per_line:
            used += 1 + size
        else:
            lines, used = lines + 1, size
        while used > per_line:
            lines, used = lines + 1, used - per_line
    return lines


def table_height(table: Table, width_in: float, font_pt: float | None = None) -> float:
    """The estimated height in inches of ``table`` drawn ``width_in`` wide at ``font_pt``."""
    size = font_pt or table.font_pt
    total = sum(table.widths) or 1.0
    widths = [width_in * w / total for w in table.widths]
    line_in = size * 1.2 / 72
    pad = 0.07
    least = size * 2.05 / 72 if table.row_in is None else max(table.row_in, size * 2.05 / 72)
    header = max(text_lines(text, w, size - 1, True) for text, w in zip(table.header, widths, strict=True))
    height = max(header * line_in + pad, size * 2.05 / 72)
    for row in table.rows:
        n = max(text_lines(c.text, w, size, c.bold) for c, w in zip(row, widths, strict=True))
        height += max(n * line_in + pad, least)
    return height


def fit_table(table: Table, box: tuple[float, float, float, float]) -> Table:
    """``table`` with its font made smaller (down to :data:`MIN_TABLE_PT`) until it fits ``box``'s height."""
    size = table.font_pt
    while size > MIN_TABLE_PT and table_height(table, box[2], size) > box[3]:
        size -= 0.5
    return table if size == table.font_pt else replace(table, font_pt=size)


def _page_title(title: str, page: int, pages: int, lang: str) -> str:
    return title if pages == 1 else t("rapat.lanjutan", lang, judul=title, halaman=page, dari=pages)


# ---------------------------------------------------------------------------------------------- the numbers


def kabupaten_name(ws: Workspace, wilayah: pd.DataFrame, lang: str | None = None) -> str:
    """The district's name: the demo's (``.pws/demo/manifest.json``), else "Kabupaten 99.01" from the desa codes."""
    manifest = ws.internal_dir / "demo" / "manifest.json"
    if manifest.exists():
        try:
            name = json.loads(manifest.read_text(encoding="utf-8")).get("kabupaten", {}).get("nama")
        except (OSError, ValueError, AttributeError):
            name = None
        if name:
            return str(name)
    codes = wilayah["kode_desa"].astype(str)
    kode = codes.iloc[0][:5] if len(codes) else "–"
    return t("rapat.kabupaten_kode", lang, kode=kode)


def data_date(ws: Workspace) -> date | None:
    """The day the newest stored report arrived (the pack's "date of data"); None for an empty store."""
    files = service.store(ws).files()
    stored = files[files["status"].isin([STATUS_NEW, STATUS_REPLACED])]
    if stored.empty:
        return None
    stamp = pd.Timestamp(stored["waktu"].max())
    local = stamp.to_pydatetime().astimezone() if stamp.tzinfo is not None else stamp.to_pydatetime()
    return local.date()


def league_matrix(
    keys: Sequence[tuple[str, str]], rows: Mapping[str, pd.DataFrame], order: Sequence[tuple[str, str]]
) -> pd.DataFrame:
    """The league of all key indicators at once: one row per area of ``order`` (``(kode, nama)`` of every
    puskesmas, or every desa of one puskesmas), its coverage and status per key indicator (columns ``<kode>``
    and ``<kode>_status``; ``<kode>_target3`` tells which status column was used), ``di_atas_target`` = key
    indicators at or above the target to date (``kesenjangan`` ≥ 0, direction-aware), ``jelek`` = key indicators
    with status Jelek / not met, ``rerata_kesenjangan``. Ranked (``peringkat`` 1 = best) by most indicators on
    target, then fewest Jelek, then the largest mean gap, then name.

    ``rows[kode]`` holds :func:`pws.analysis.aggregate` puskesmas rows (``kode``) or desa rows (``kode_desa``)."""
    codes = [str(k) for k, _ in order]
    out = pd.DataFrame({"kode": codes, "nama": [str(n) for _, n in order]})
    on_target = np.zeros(len(codes), dtype=int)
    jelek = np.zeros(len(codes), dtype=int)
    gaps = np.zeros((len(codes), max(len(keys), 1)))
    for j, (_, kode) in enumerate(keys):
        frame = rows.get(kode)
        if frame is None or frame.empty:
            frame = pd.DataFrame(columns=["kode", "cakupan_kumulatif", "kesenjangan", "status", "status_target"])
        key_col = "kode_desa" if "kode_desa" in frame.columns else "kode"
        target3 = bool(len(frame)) and set(frame["aturan_status"].dropna().astype(str)) == {"target3"}
        indexed = frame.drop_duplicates(key_col).set_index(frame.drop_duplicates(key_col)[key_col].astype(str))
        aligned = indexed.reindex(codes)
        status_col = "status_target" if target3 else "status"
        out[kode] = pd.to_numeric(aligned["cakupan_kumulatif"], errors="coerce").to_numpy(dtype=float)
        out[f"{kode}_status"] = aligned[status_col].fillna(NO_DATA).astype(str).to_numpy()
        out[f"{kode}_target3"] = target3
        gap = pd.to_numeric(aligned["kesenjangan"], errors="coerce").to_numpy(dtype=float)
        gaps[:, j] = gap
        on_target += np.nan_to_num(gap, nan=-np.inf) >= 0
        jelek += np.isin(out[f"{kode}_status"].to_numpy(), ["Jelek", "Tidak tercapai"])
    out["di_atas_target"] = on_target
    out["jelek"] = jelek
    with np.errstate(all="ignore"):
        counted = np.sum(~np.isnan(gaps), axis=1)
        mean_gap = np.where(counted > 0, np.nansum(gaps, axis=1) / np.maximum(counted, 1), np.nan)
    out["rerata_kesenjangan"] = mean_gap
    rank = np.lexsort((out["nama"].to_numpy(), -np.nan_to_num(mean_gap, nan=-np.inf), jelek, -on_target))
    out = out.iloc[rank].reset_index(drop=True)
    out.insert(0, "peringkat", np.arange(1, len(out) + 1))
    return out


def collect(
    ws: Workspace,
    tahun: int,
    bulan: int,
    kode_puskesmas: str | None = None,
    *,
    lang: str | None = None,
    kabupaten: str | None = None,
    quality: bool = True,
    wait: bool = True,
) -> PackData:
    """The numbers of the pack of ``bulan``/``tahun`` for the kabupaten, or for one puskesmas and its desa.

    Raises ValueError for a month outside 1..12 or an unknown puskesmas. ``quality=False`` skips the reporting
    completeness (the slow part: every data-quality check runs, in a thread of its own); ``wait=False`` returns
    before it is done (call :meth:`PackData.wait` before reading it: meanwhile the images can be drawn)."""
    if not 1 <= int(bulan) <= 12:
        raise ValueError(f"bulan must be 1..12, got {bulan!r}")
    lang = lang or current_lang()
    data = service.workspace_data(ws)
    wilayah = data.wilayah
    pkm = kode_puskesmas or None
    nama_pkm = None
    if pkm is not None:
        match = wilayah.loc[wilayah["kode_puskesmas"].astype(str) == str(pkm), "nama_puskesmas"]
        if match.empty:
            raise ValueError(f"unknown puskesmas {pkm!r}")
        nama_pkm = str(match.iloc[0])

    keys = overview.key_indicators(ws, data.catalogue)
    level = "puskesmas" if pkm else "kabupaten"
    tables = {kode: overview.in_puskesmas(service.table(ws, tahun, bulan, kode), pkm) for _, kode in keys}
    own_rows = {kode: service.aggregate_table(ws, tahun, bulan, kode, level) for _, kode in keys}
    summary = overview.stage_summary(keys, own_rows, data.catalogue, area=pkm, lang=lang)
    if pkm:
        compared = {kode: tables[kode] for _, kode in keys}
        desa = wilayah[wilayah["kode_puskesmas"].astype(str) == str(pkm)]
        order = list(zip(desa["kode_desa"].astype(str), desa["nama_desa"].astype(str), strict=True))
    else:
        compared = {kode: service.aggregate_table(ws, tahun, bulan, kode, "puskesmas") for _, kode in keys}
        pkms = service.puskesmas_list(ws)
        order = list(zip(pkms["kode_puskesmas"].astype(str), pkms["nama_puskesmas"].astype(str), strict=True))
    leagues = {kode: overview.league(compared[kode]) for _, kode in keys}
    attention = {kode: overview.attention(tables[kode], n=overview.ATTENTION_N) for _, kode in keys}
    series = {kode: service.series(ws, tahun, kode, level, pkm) for _, kode in keys}
    matrix = league_matrix(keys, compared, order)
    info = PackInfo(
        kabupaten=kabupaten or kabupaten_name(ws, wilayah, lang),
        tahun=int(tahun),
        bulan=int(bulan),
        lang=lang,
        kode_puskesmas=pkm,
        nama_puskesmas=nama_pkm,
        data_date=data_date(ws),
        made=datetime.now().date(),
    )
    # the data-quality checks take seconds of Python: started last, they run while the caller draws the figures
    # (Chromium's work, on the other core) instead of competing with the numbers above for the interpreter
    pending = _start_completeness(ws, int(tahun), int(bulan), pkm, lang) if quality else None
    found = PackData(
        info=info,
        keys=keys,
        catalogue=data.catalogue,
        summary=summary,
        tables=tables,
        area_rows=own_rows,
        compared=compared,
        leagues=leagues,
        attention=attention,
        series=series,
        matrix=matrix,
        completeness=pd.DataFrame(),
        completeness_by_month=pd.DataFrame(),
        _pending=pending,
        network=network_frame(ws, int(tahun), int(bulan), pkm),
    )
    return found.wait() if wait else found


#: columns of :func:`network_frame`
NETWORK_PACK_COLUMNS = [
    "kode_desa",
    "nama_desa",
    "kode_puskesmas",
    "nama_puskesmas",
    "pustu",
    "posyandu",
    "poskesdes",
    "posbindu",
    "tanpa_pustu",
    "tanpa_posyandu",
    "posyandu_melapor",
]


def network_frame(ws: Workspace, tahun: int, bulan: int, kode_puskesmas: str | None = None) -> pd.DataFrame | None:
    """Per desa (of the kabupaten or one puskesmas): units active at the end of the month, without pustu / posyandu,
    and how many of its posyandu reported that month (:data:`NETWORK_PACK_COLUMNS`, ``posyandu_melapor`` NA when
    the store holds no posyandu-level report of the year). None when the workspace has no network list."""
    units, _ = service.jejaring(ws)
    if units.empty:
        return None
    frame = service.network_by_desa(ws, tahun, bulan)
    if kode_puskesmas:
        frame = frame[frame["kode_puskesmas"].astype(str) == str(kode_puskesmas)]
    frame = frame.copy()
    if service.posyandu_values(ws, tahun).empty:
        frame["posyandu_melapor"] = pd.NA
    else:
        reporting = service.posyandu_reporting(ws, tahun, bulan)
        reported = reporting[reporting["dilaporkan"]].groupby("kode_desa").size()
        frame["posyandu_melapor"] = frame["kode_desa"].map(reported).fillna(0).astype(int)
    return frame[NETWORK_PACK_COLUMNS].reset_index(drop=True)


def _start_completeness(
    ws: Workspace, tahun: int, bulan: int, pkm: str | None, lang: str
) -> Callable[[], tuple[pd.DataFrame, pd.DataFrame]]:
    """Start the data-quality checks (seconds) in a thread; the returned function waits for the puskesmas × month
    completeness matrix and its monthly summary (and raises what the checks raised)."""
    result: dict[str, Any] = {}

    def run() -> None:
        from pws.quality import check_workspace

        try:
            report = check_workspace(
                ws,
                tahun,
                bulan,
                kode_puskesmas=pkm,
                lang=lang,
                store=service.store(ws),
                data=service.workspace_data(ws),
            )
            result["value"] = (report.completeness, report.completeness_by_month())
        except Exception as exc:  # handed to the waiting caller
            result["error"] = exc

    worker = threading.Thread(target=run, name="pws-rapat-kelengkapan", daemon=True)
    worker.start()

    def finish() -> tuple[pd.DataFrame, pd.DataFrame]:
        worker.join()
        if "error" in result:
            raise result["error"]
        return result["value"]

    return finish


# ---------------------------------------------------------------------------------------------- map geometry


@functools.lru_cache(maxsize=4)
def _geometry(path: Path) -> tuple[dict[str, Any], gpd.GeoDataFrame]:
    """The simplified desa GeoJSON of the map (the file name carries its content hash, so caching on it is safe)."""
    geojson = json.loads(path.read_text(encoding="utf-8"))
    frame = gpd.GeoDataFrame.from_features(geojson["features"], crs="EPSG:4326")
    return geojson, frame


@dataclass(frozen=True)
class MapBase:
    """What every status map of one pack shares: the desa shown, their geometry, outlines and labels."""

    geojson: dict[str, Any]
    locations: tuple[str, ...]
    bounds: tuple[float, float, float, float]
    outlines: dict[str, Any] | None
    labels: tuple[MapLabel, ...]


def map_base(ws: Workspace, kode_puskesmas: str | None = None) -> MapBase | None:
    """The desa of the kabupaten with the puskesmas outlined and named, or the desa of one puskesmas, each named;
    None when the workspace has no boundaries."""
    geometry = service.map_geometry(ws)
    if geometry is None:
        return None
    geojson, frame = _geometry(geometry.desa_geojson)
    wilayah = service.workspace_data(ws).wilayah[["kode_desa", "kode_puskesmas", "nama_puskesmas"]]
    frame = frame.merge(wilayah.astype(str), on="kode_desa", how="inner")
    if kode_puskesmas:
        frame = frame[frame["kode_puskesmas"] == str(kode_puskesmas)]
        if frame.empty:
            return None
        codes = set(frame["kode_desa"])
        geojson = {**geojson, "features": [f for f in geojson["features"] if f["properties"]["kode_desa"] in codes]}
        points = frame.geometry.representative_point()
        labels = tuple(
            MapLabel(str(n), float(p.x), float(p.y)) for n, p in zip(frame["nama_desa"], points, strict=True)
        )
        outlines = None
    else:
        # puskesmas areas: the desa dissolved on their puskesmas (kecamatan_outlines dissolves on its code column)
        areas = kecamatan_outlines(
            frame.rename(columns={"kode_kecamatan": "_kec", "nama_kecamatan": "_nkec"}).rename(
                columns={"kode_puskesmas": "kode_kecamatan", "nama_puskesmas": "nama_kecamatan"}
            )
        )
        outlines = to_geojson(areas, ["kode_kecamatan", "nama_kecamatan"])
        points = areas.geometry.representative_point()
        labels = tuple(
            MapLabel(str(n), float(p.x), float(p.y)) for n, p in zip(areas["nama_kecamatan"], points, strict=True)
        )
    minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
    bounds = (minx, miny, maxx, maxy)
    return MapBase(geojson, tuple(frame["kode_desa"].astype(str)), bounds, outlines, spread_labels(labels, bounds))


def spread_labels(
    labels: Sequence[MapLabel], bounds: tuple[float, float, float, float], rounds: int = 8
) -> tuple[MapLabel, ...]:
    """The labels moved apart vertically where their text would overlap (estimated for a map about 600 px wide
    with 12 px text: a character is ~1.2 % of the width, a line ~4 % of the height)."""
    span_x = max(bounds[2] - bounds[0], 1e-9)
    span_y = max(bounds[3] - bounds[1], 1e-9)
    placed = [[lab.lon, lab.lat, len(lab.text) * 0.006 * span_x, 0.022 * span_y] for lab in labels]
    for _ in range(rounds):
        moved = False
        for i in range(len(placed)):
            for j in range(i + 1, len(placed)):
                a, b = placed[i], placed[j]
                overlap_x = a[2] + b[2] - abs(a[0] - b[0])
                overlap_y = a[3] + b[3] - abs(a[1] - b[1])
                if overlap_x > 0 and overlap_y > 0:
                    shift = overlap_y / 2 + 1e-9
                    upper, lower = (a, b) if a[1] >= b[1] else (b, a)
                    upper[1] += shift
                    lower[1] -= shift
                    moved = True
        if not moved:
            break
    return tuple(MapLabel(lab.text, p[0], p[1]) for lab, p in zip(labels, placed, strict=True))


def map_classes(table: pd.DataFrame, locations: Sequence[str], lang: str) -> tuple[list[int], list[LegendItem], str]:
    """Class index per location (status order of the indicator's rule; desa without a row are "no data"), the
    legend with counts, and the legend title."""
    column = status_column(table) if len(table) else "status"
    order = status_order(column)
    colours = status_colours(column)
    lookup = dict(zip(table["kode_desa"].astype(str), table[column].fillna(NO_DATA).astype(str), strict=True))
    index = {key: i for i, key in enumerate(order)}
    no_data = index[NO_DATA]
    classes = [index.get(lookup.get(code, NO_DATA), no_data) for code in locations]
    counts = np.bincount(np.asarray(classes, dtype=int), minlength=len(order)) if classes else np.zeros(len(order))
    legend = [LegendItem(status_label(key, lang), colours[key], int(counts[i])) for i, key in enumerate(order)]
    title = t("rapat.legenda_target" if column == "status_target" else "rapat.legenda_status", lang)
    return classes, legend, title


# ---------------------------------------------------------------------------------------------- figures


def _px(box: tuple[float, float, float, float]) -> tuple[int, int]:
    return round(box[2] * PX_PER_IN), round(box[3] * PX_PER_IN)


def stage_figure(data: PackData, codes: Sequence[str]) -> go.Figure:
    """Cumulative coverage by month against the target line and last year, one panel per key indicator of a
    life stage, stacked (each beside its card)."""
    info = data.info
    panels = []
    for kode in codes:
        ind = data.catalogue.indicators[kode]
        panels.append(
            TrendPanel(
                indicator_title(ind.name(info.lang), kode), data.series[kode], prevalence=ind.jenis == "prevalensi"
            )
        )
    width, height = _px(PICTURE_BOX["tahap"])
    panel_height = max(int((height - 56) / max(len(panels), 1)), 150)
    fig = trend_grid(panels, info.bulan, info.tahun, cols=1, panel_height=panel_height, title_chars=70, lang=info.lang)
    fig.update_layout(height=None, font={"size": 15}, legend={"font": {"size": 15}})
    for key in fig.layout:
        if key.startswith(("xaxis", "yaxis")):
            fig.layout[key].tickfont.size = 14
    for note in fig.layout.annotations:
        note.font.size = 16
    return fig


def map_figure(data: PackData, base: MapBase, kode: str) -> go.Figure:
    classes, legend, title = map_classes(data.tables[kode], base.locations, data.info.lang)
    return status_map(
        base.geojson,
        base.locations,
        classes,
        legend,
        base.bounds,
        legend_title=title,
        outline_geojson=base.outlines,
        labels=base.labels,
        font_size=15,
        map_width=0.74,
        label_size=12 if base.outlines is not None else 13,
        lang=data.info.lang,
    )


def pws_figure(data: PackData, kode: str) -> go.Figure:
    """The PWS chart of one key indicator: bars per puskesmas (kabupaten pack) or per desa (puskesmas pack), the
    target line and the area's own coverage."""
    info = data.info
    own = data.area_rows[kode]
    row = own[own["kode"].astype(str) == str(info.kode_puskesmas)] if info.kode_puskesmas else own
    aggregate = row.iloc[0].to_dict() if len(row) else None
    return area_pws_chart(data.compared[kode], aggregate, aggregate_label=info.area, bulan=info.bulan, lang=info.lang)


def stages(keys: Sequence[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """The key indicators grouped by life stage, in their order."""
    grouped: dict[str, list[str]] = {}
    for tahap, kode in keys:
        grouped.setdefault(tahap, []).append(kode)
    return list(grouped.items())


# ---------------------------------------------------------------------------------------------- slides


def _month(bulan: int, lang: str) -> str:
    return t(f"month.{bulan}", lang)


def _target3(data: PackData, kode: str) -> bool:
    return data.catalogue.indicators[kode].aturan_status == "target3"


def _gap_persons(value: Any, higher_is_better: bool, lang: str) -> str:
    if _missing(value):
        return "–"
    return format_int(value) if int(value) > 0 else "0"


def title_slide(data: PackData) -> Slide:
    info = data.info
    lang = info.lang
    if info.kode_puskesmas:
        title = t("rapat.judul_puskesmas", lang, nama=info.nama_puskesmas)
        lines = [info.kabupaten]
    else:
        title = t("rapat.judul_kabupaten", lang)
        lines = [info.kabupaten]
    lines.append(t("rapat.data_sd", lang, periode=info.periode))
    if info.data_date is not None:
        lines.append(t("rapat.data_per", lang, tanggal=format_date(info.data_date, lang)))
    lines.append(t("rapat.dibuat", lang, tanggal=format_date(info.made, lang)))
    return Slide("judul", title, subtitle=t("rapat.judul_sub", lang), lines=tuple(lines))


def overview_slide(data: PackData) -> Slide:
    """Every key indicator in one table: coverage, target to date, gap in points and persons, status, desa Jelek
    and desa reporting."""
    info = data.info
    lang = info.lang
    month = _month(info.bulan, lang)
    header = (
        t("rapat.kol_tahap", lang),
        t("rapat.kol_indikator", lang),
        t("rapat.kol_cakupan", lang),
        t("rapat.kol_target", lang, bulan=month),
        t("rapat.kol_selisih", lang),
        t("rapat.kol_kurang_orang", lang),
        t("rapat.kol_status", lang),
        t("rapat.kol_desa_jelek", lang),
        t("rapat.kol_melapor", lang),
    )
    rows = []
    previous = None
    for rec in data.summary.to_dict("records"):
        target3 = rec["aturan_status"] == "target3"
        stage = str(rec["nama_tahap"]) if rec["tahap"] != previous else ""
        previous = rec["tahap"]
        table = data.tables[rec["indikator"]]
        column = "status_target" if target3 else "status"
        bad = int((table[column].astype(str) == ("Tidak tercapai" if target3 else "Jelek")).sum())
        reported = (
            "–"
            if _missing(rec["jumlah_desa"])
            else f"{format_int(rec['desa_dilaporkan'])}/{format_int(rec['jumlah_desa'])}"
        )
        rows.append(
            (
                Cell(stage, bold=True),
                Cell(indicator_title(str(rec["nama"]), str(rec["indikator"]))),
                Cell(format_pct(rec["cakupan_kumulatif"]), numeric=True, bold=True),
                Cell(format_pct(rec["target_sd_bulan"]), numeric=True),
                Cell(format_pp(rec["kesenjangan"]), numeric=True),
                Cell(_gap_persons(rec["kesenjangan_orang"], True, lang), numeric=True),
                status_cell(rec["status_target"] if target3 else rec["status"], target3, lang),
                Cell(format_int(bad), numeric=True),
                Cell(reported, numeric=True),
            )
        )
    widths = (1.8, 3.55, 1.15, 1.1, 1.0, 1.05, 1.65, 0.9, 1.1)
    table = fit_table(Table(header, tuple(rows), widths, font_pt=13), TABLE_BOX["full"])
    return Slide(
        "ikhtisar",
        t("rapat.ikhtisar", lang),
        subtitle=t("rapat.ikhtisar_sub", lang, area=info.area, periode=info.periode),
        table=table,
        note=t("rapat.catatan_selisih", lang),
    )


def matrix_slides(data: PackData) -> list[Slide]:
    """The league of all key indicators at once (:func:`league_matrix`), continued over slides when long."""
    info = data.info
    lang = info.lang
    codes = [kode for _, kode in data.keys]
    # a zero-width space after "_" lets long codes (YANKES_BALITA) wrap at the underscore
    header = (
        t("rapat.kol_no", lang),
        t("rapat.kol_desa" if data.desa_level else "rapat.kol_puskesmas", lang),
        *(kode.replace("_", "_\u200b") for kode in codes),
        t("rapat.kol_capai", lang, n=len(codes)),
    )
    rows = []
    for rec in data.matrix.to_dict("records"):
        cells = [Cell(str(rec["peringkat"]), numeric=True), Cell(str(rec["nama"]))]
        for kode in codes:
            status = rec[f"{kode}_status"]
            colours = status_colours("status_target" if rec[f"{kode}_target3"] else "status")
            colour = colours.get(status, STATUS_COLOURS["NO_DATA"])
            cells.append(Cell(format_number(rec[kode], 1), fill=colour, ink=ink_on(colour), numeric=True))
        cells.append(Cell(f"{rec['di_atas_target']}/{len(codes)}", numeric=True, bold=True))
        rows.append(tuple(cells))
    widths = (0.55, 2.4, *([1.0] * len(codes)), 1.1)
    title = t("rapat.peringkat_desa" if data.desa_level else "rapat.peringkat_puskesmas", lang)
    pages = _pages(rows, MAX_TABLE_ROWS)
    return [
        Slide(
            "peringkat",
            _page_title(title, i + 1, len(pages), lang),
            subtitle=t("rapat.peringkat_sub", lang, area=info.area, periode=info.periode),
            table=fit_table(
                Table(header, tuple(chunk), widths, font_pt=12 if len(codes) <= 11 else 10), TABLE_BOX["full"]
            ),
            note=t("rapat.peringkat_aturan", lang),
        )
        for i, chunk in enumerate(pages)
    ]


def metric(data: PackData, kode: str) -> Metric:
    """The card of one key indicator: coverage, status, target to date and gap, desa reporting, desa per status."""
    info = data.info
    lang = info.lang
    rec = data.summary[data.summary["indikator"] == kode].iloc[0].to_dict()
    ind = data.catalogue.indicators[kode]
    target3 = ind.aturan_status == "target3"
    status = rec["status_target"] if target3 else rec["status"]
    cell = status_cell(status, target3, lang)
    month = _month(info.bulan, lang)
    lines = [
        t(
            "rapat.kartu_target",
            lang,
            bulan=month,
            nilai=format_pct(rec["target_sd_bulan"]),
            selisih=format_pp(rec["kesenjangan"]),
        ),
    ]
    persons = rec["kesenjangan_orang"]
    if not _missing(persons) and int(persons) > 0:
        key = "rapat.kartu_kurang" if ind.higher_is_better else "rapat.kartu_lebih"
        lines.append(t(key, lang, n=format_int(persons)))
    elif not _missing(rec["cakupan_kumulatif"]):
        lines.append(t("rapat.kartu_tercapai", lang))
    if not _missing(rec["jumlah_desa"]):
        lines.append(
            t("rapat.kartu_melapor", lang, n=format_int(rec["desa_dilaporkan"]), m=format_int(rec["jumlah_desa"]))
        )
    table = data.tables[kode]
    column = "status_target" if target3 else "status"
    found = table[column].fillna(NO_DATA).astype(str).value_counts()
    colours = status_colours(column)
    counts = tuple(
        LegendItem(status_label(key, lang), colours[key], int(found.get(key, 0))) for key in status_order(column)
    )
    return Metric(
        kode,
        indicator_title(ind.name(lang), kode),
        format_pct(rec["cakupan_kumulatif"]),
        cell.text,
        cell.fill or "",
        cell.ink or INK,
        tuple(lines),
        counts,
    )


def stage_slide(data: PackData, tahap: str, codes: Sequence[str], picture: Picture | None) -> Slide:
    info = data.info
    lang = info.lang
    name = next((nid if lang != "en" else en for k, nid, en in data.catalogue.tahap if k == tahap), tahap)
    return Slide(
        "tahap",
        t("rapat.tahap", lang, nama=name),
        subtitle=t("rapat.tahap_sub", lang, area=info.area, periode=info.periode),
        picture=picture,
        metrics=tuple(metric(data, kode) for kode in codes),
    )


def _league_rows(data: PackData, kode: str) -> list[tuple[Cell, ...]]:
    """The league of one indicator, worst and best kept when it is longer than a side table."""
    target3 = _target3(data, kode)
    lang = data.info.lang
    records = data.leagues[kode].to_dict("records")
    rows: list[tuple[Cell, ...]] = []
    for rec in records:
        rows.append(
            (
                Cell(str(rec["peringkat"]), numeric=True),
                Cell(str(rec["nama"])),
                Cell(format_pct(rec["cakupan_kumulatif"]), numeric=True, bold=True),
                Cell(format_pp(rec["kesenjangan"]), numeric=True),
                status_cell(rec["status_target"] if target3 else rec["status"], target3, lang),
            )
        )
    limit = MAX_TABLE_ROWS
    if len(rows) > limit:
        half = (limit - 1) // 2
        gap = (
            Cell("…", numeric=True),
            Cell(t("rapat.dan_lainnya", lang, n=len(rows) - 2 * half)),
            Cell(""),
            Cell(""),
            Cell(""),
        )
        rows = [*rows[:half], gap, *rows[-half:]]
    return rows


def map_slide(data: PackData, kode: str, picture: Picture | None) -> Slide:
    info = data.info
    lang = info.lang
    ind = data.catalogue.indicators[kode]
    header = (
        t("rapat.kol_no", lang),
        t("rapat.kol_desa" if data.desa_level else "rapat.kol_puskesmas", lang),
        t("rapat.kol_cakupan", lang),
        t("rapat.kol_selisih", lang),
        t("rapat.kol_status", lang),
    )
    rows = _league_rows(data, kode)
    status_width = 1.35 if _target3(data, kode) else 1.0
    table = fit_table(Table(header, tuple(rows), (0.45, 2.0, 1.0, 0.9, status_width), font_pt=12), TABLE_BOX["peta"])
    n = len(data.tables[kode])
    return Slide(
        "peta",
        t("rapat.peta", lang, indikator=indicator_title(ind.name(lang), kode)),
        subtitle=t(
            "rapat.peta_sub_desa" if data.desa_level else "rapat.peta_sub", lang, periode=info.periode, n=format_int(n)
        ),
        picture=picture,
        table=table,
        note=t("rapat.peringkat_satu", lang),
    )


def pws_slide(data: PackData, kode: str, picture: Picture | None) -> Slide:
    info = data.info
    lang = info.lang
    ind = data.catalogue.indicators[kode]
    header = (
        t("rapat.kol_no", lang),
        t("rapat.kol_desa", lang),
        t("rapat.kol_cakupan", lang),
        t("rapat.kol_target_pendek", lang),
        t("rapat.kol_kurang_orang" if ind.higher_is_better else "rapat.kol_lebih_orang", lang),
    )
    rows: list[tuple[Cell, ...]] = []
    for rec in data.attention[kode].head(ATTENTION_ROWS).to_dict("records"):
        name = str(rec["nama_desa"]) if data.desa_level else f"{rec['nama_desa']} ({rec['nama_puskesmas']})"
        status = str(rec["status"]) if not _missing(rec["status"]) else NO_DATA
        colour = STATUS_COLOURS.get(status, STATUS_COLOURS["NO_DATA"])
        rows.append(
            (
                Cell(str(rec["peringkat"]), numeric=True),
                Cell(name),
                Cell(format_pct(rec["cakupan_kumulatif"]), numeric=True, fill=colour, ink=ink_on(colour), bold=True),
                Cell(format_pct(rec["target_sd_bulan"]), numeric=True),
                Cell(format_int(rec["kesenjangan_orang"]), numeric=True, bold=True),
            )
        )
    if not rows:
        rows.append((Cell(""), Cell(t("rapat.perhatian_kosong", lang)), Cell(""), Cell(""), Cell("")))
    table = fit_table(Table(header, tuple(rows), (0.5, 2.35, 1.15, 0.9, 1.05), font_pt=12), TABLE_BOX["pws"])
    level = "rapat.pws_sub_desa" if data.desa_level else "rapat.pws_sub"
    return Slide(
        "pws",
        t("rapat.pws", lang, indikator=indicator_title(ind.name(lang), kode)),
        subtitle=t(level, lang, periode=info.periode),
        picture=picture,
        table=table,
        note=t("rapat.perhatian_aturan", lang),
    )


#: background of the completeness grid per report status (soft, so the symbols stay readable)
COMPLETENESS_FILLS = {"diterima": "#cfe8d5", "terlambat": "#fde2b8", "sebagian": "#fbc59a", "tidak_ada": "#f3a6a6"}
COMPLETENESS_SYMBOLS = {"diterima": "✓", "terlambat": "T", "sebagian": "S", "tidak_ada": "–"}


def completeness_slides(data: PackData) -> list[Slide]:
    """Reports received per puskesmas and month (on time / late / partly / missing) and the share complete."""
    info = data.info
    lang = info.lang
    title = t("rapat.kelengkapan", lang, tahun=info.tahun)
    matrix = data.completeness
    if matrix.empty:
        return [Slide("kelengkapan", title, subtitle=info.area, lines=(t("rapat.kelengkapan_tidak_ada", lang),))]
    months = sorted(int(m) for m in matrix["bulan"].unique())
    header = (t("rapat.kol_puskesmas", lang), *(_month(m, lang)[:3] for m in months), t("rapat.kol_lengkap", lang))
    rows: list[tuple[Cell, ...]] = []
    names = matrix.drop_duplicates("kode_puskesmas").sort_values("nama_puskesmas")
    by_key = {(str(r["kode_puskesmas"]), int(r["bulan"])): str(r["status"]) for r in matrix.to_dict("records")}
    for kode, nama in zip(names["kode_puskesmas"].astype(str), names["nama_puskesmas"].astype(str), strict=True):
        cells = [Cell(nama)]
        received = 0
        for m in months:
            status = by_key.get((kode, m), "tidak_ada")
            received += status in ("diterima", "terlambat")
            cells.append(Cell(COMPLETENESS_SYMBOLS[status], fill=COMPLETENESS_FILLS[status], ink=INK, center=True))
        cells.append(Cell(format_pct(100.0 * received / max(len(months), 1), 0), numeric=True, bold=True))
        rows.append(tuple(cells))
    by_month = data.completeness_by_month
    if len(by_month) and not data.desa_level:
        pct = dict(zip(by_month["bulan"].astype(int), by_month["persen_lengkap"], strict=True))
        total = [Cell(t("rapat.baris_kabupaten", lang), bold=True)]
        total += [Cell(format_pct(pct.get(m), 0), bold=True, center=True) for m in months]
        received = int(matrix["status"].isin(["diterima", "terlambat"]).sum())
        total.append(Cell(format_pct(100.0 * received / max(len(matrix), 1), 0), numeric=True, bold=True))
        rows.append(tuple(total))
    complete = int(matrix["status"].isin(["diterima", "terlambat"]).sum())
    on_time = int((matrix["status"] == "diterima").sum())
    subtitle = t(
        "rapat.kelengkapan_sub",
        lang,
        lengkap=format_int(complete),
        total=format_int(len(matrix)),
        tepat=format_int(on_time),
    )
    widths = (2.6, *([0.8] * len(months)), 1.1)
    pages = _pages(rows, MAX_TABLE_ROWS)
    return [
        Slide(
            "kelengkapan",
            _page_title(title, i + 1, len(pages), lang),
            subtitle=subtitle,
            table=fit_table(Table(header, tuple(chunk), widths, font_pt=12), TABLE_BOX["full"]),
            note=t("rapat.kelengkapan_catatan", lang),
        )
        for i, chunk in enumerate(pages)
    ]


def network_slides(data: PackData) -> list[Slide]:
    """The service network: per puskesmas (or, in a puskesmas pack, per desa) the desa without an active pustu and
    the share of active posyandu that reported this month; none without a network list."""
    frame = data.network
    if frame is None:
        return []
    lang = data.info.lang
    reports = bool(frame["posyandu_melapor"].notna().any())

    def share(melapor: Any, aktif: int) -> Cell:
        if not reports or aktif == 0:
            return Cell("–", numeric=True)
        return Cell(format_pct(100.0 * float(melapor) / aktif, 0), numeric=True, bold=True)

    def melapor_cell(melapor: Any) -> Cell:
        return Cell(format_int(melapor) if reports else "–", numeric=True)

    rows: list[tuple[Cell, ...]] = []
    header: tuple[str, ...]
    if data.desa_level:
        header = (
            t("rapat.kol_desa", lang),
            t("jejaring.rapat_kol_pustu", lang),
            t("jejaring.rapat_kol_posyandu", lang),
            t("jejaring.rapat_kol_melapor", lang),
            t("jejaring.rapat_kol_persen", lang),
        )
        widths: tuple[float, ...] = (3.2, 1.6, 1.6, 1.6, 1.4)
        for r in frame.sort_values("nama_desa").itertuples():
            jelek = STATUS_COLOURS["Jelek"]
            pustu = (
                Cell(t("jejaring.rapat_tanpa", lang), fill=jelek, ink=ink_on(jelek), center=True)
                if r.tanpa_pustu
                else Cell(format_int(r.pustu), numeric=True)
            )
            rows.append((Cell(str(r.nama_desa)), pustu, Cell(format_int(r.posyandu), numeric=True),
                         melapor_cell(r.posyandu_melapor), share(r.posyandu_melapor, int(r.posyandu))))  # fmt: skip
    else:
        header = (
            t("rapat.kol_puskesmas", lang),
            t("jejaring.rapat_kol_desa", lang),
            t("jejaring.rapat_kol_tanpa_pustu", lang),
            t("jejaring.rapat_kol_posyandu", lang),
            t("jejaring.rapat_kol_melapor", lang),
            t("jejaring.rapat_kol_persen", lang),
            t("jejaring.rapat_kol_daftar", lang),
        )
        widths = (2.4, 0.9, 1.2, 1.2, 1.2, 1.1, 4.4)
        for (_, nama), group in frame.groupby(["kode_puskesmas", "nama_puskesmas"], sort=False):
            without = group[group["tanpa_pustu"]]
            melapor = group["posyandu_melapor"].sum() if reports else None
            aktif = int(group["posyandu"].sum())
            n_without = len(without)
            rows.append((
                Cell(str(nama)),
                Cell(format_int(len(group)), numeric=True),
                Cell(format_int(n_without), numeric=True, bold=n_without > 0,
                     fill=STATUS_COLOURS["Jelek"] if n_without else None,
                     ink=ink_on(STATUS_COLOURS["Jelek"]) if n_without else None),
                Cell(format_int(aktif), numeric=True),
                melapor_cell(melapor),
                share(melapor, aktif),
                Cell(", ".join(sorted(without["nama_desa"].astype(str))) or "–"),
            ))  # fmt: skip
        rows.sort(key=lambda row: row[0].text)
    n_without = int(frame["tanpa_pustu"].sum())
    aktif = int(frame["posyandu"].sum())
    if reports:
        melapor = int(frame["posyandu_melapor"].sum())
        sub = t("jejaring.rapat_sub", lang, tanpa=format_int(n_without), desa=format_int(len(frame)),
                melapor=format_int(melapor), aktif=format_int(aktif),
                persen=format_pct(100.0 * melapor / aktif if aktif else None, 0))  # fmt: skip
    else:
        sub = t("jejaring.rapat_sub_tanpa_laporan", lang, tanpa=format_int(n_without), desa=format_int(len(frame)),
                aktif=format_int(aktif))  # fmt: skip
    title = t("jejaring.rapat_judul", lang, periode=data.info.periode)
    pages = _pages(rows, MAX_TABLE_ROWS)
    return [
        Slide(
            "jejaring",
            _page_title(title, i + 1, len(pages), lang),
            subtitle=sub,
            table=fit_table(Table(header, tuple(chunk), widths, font_pt=12), TABLE_BOX["full"]),
            note=t("jejaring.rapat_catatan", lang),
        )
        for i, chunk in enumerate(pages)
    ]


def follow_up_slide(data: PackData) -> Slide:
    lang = data.info.lang
    header = (
        t("rapat.kol_no", lang),
        t("rapat.kol_masalah", lang),
        t("rapat.kol_rencana", lang),
        t("rapat.kol_pj", lang),
        t("rapat.kol_tenggat", lang),
    )
    rows = tuple(
        (Cell(str(i), numeric=True), Cell(""), Cell(""), Cell(""), Cell("")) for i in range(1, FOLLOW_UP_ROWS + 1)
    )
    return Slide(
        "tindak_lanjut",
        t("rapat.tindak_lanjut", lang),
        subtitle=t("rapat.tindak_lanjut_sub", lang, area=data.info.area),
        table=Table(header, rows, (0.5, 3.6, 4.2, 2.2, 1.5), font_pt=14, row_in=0.62),
    )


# ---------------------------------------------------------------------------------------------- the whole pack


def figure_jobs(data: PackData, base: MapBase | None) -> list[tuple[tuple[str, str], Job]]:
    """Every figure of the pack with its size: ``(("tahap", tahap) | ("peta", kode) | ("pws", kode), job)``."""
    jobs: list[tuple[tuple[str, str], Job]] = []
    for tahap, codes in stages(data.keys):
        width, height = _px(PICTURE_BOX["tahap"])
        jobs.append((("tahap", tahap), Job(stage_figure(data, codes), width, height, IMAGE_SCALE)))
        for kode in codes:
            if base is not None:
                width, height = _px(PICTURE_BOX["peta"])
                jobs.append((("peta", kode), Job(map_figure(data, base, kode), width, height, IMAGE_SCALE)))
            width, height = _px(PICTURE_BOX["pws"])
            jobs.append((("pws", kode), Job(pws_figure(data, kode), width, height, IMAGE_SCALE)))
    return jobs


def _alt(key: tuple[str, str], data: PackData) -> str:
    kind, code = key
    lang = data.info.lang
    if kind == "tahap":
        return t("rapat.gambar_tahap", lang, tahap=code)
    name = data.catalogue.indicators[code].name(lang)
    return t(f"rapat.gambar_{kind}", lang, nama=name)


def build_slides(data: PackData, pictures: Mapping[tuple[str, str], Picture]) -> list[Slide]:
    """The slides of the pack, in order, with the rendered ``pictures`` (keys of :func:`figure_jobs`)."""
    slides = [title_slide(data), overview_slide(data), *matrix_slides(data)]
    for tahap, codes in stages(data.keys):
        slides.append(stage_slide(data, tahap, codes, pictures.get(("tahap", tahap))))
        for kode in codes:
            slides.append(map_slide(data, kode, pictures.get(("peta", kode))))
            slides.append(pws_slide(data, kode, pictures.get(("pws", kode))))
    slides += network_slides(data)
    slides += completeness_slides(data)
    slides.append(follow_up_slide(data))
    return slides


def render_pictures(data: PackData, base: MapBase | None, renderer: Renderer) -> dict[tuple[str, str], Picture]:
    """Every figure of the pack rendered to PNG by ``renderer`` (one browser, in one batch)."""
    jobs = figure_jobs(data, base)
    images = renderer.render_all([job for _, job in jobs])
    out: dict[tuple[str, str], Picture] = {}
    for (key, job), png in zip(jobs, images, strict=True):
        out[key] = Picture(png, round(job.width * job.scale), round(job.height * job.scale), _alt(key, data))
    return out


def build_pack(
    ws: Workspace,
    tahun: int,
    bulan: int,
    kode_puskesmas: str | None = None,
    *,
    lang: str | None = None,
    kabupaten: str | None = None,
    renderer: Renderer | None = None,
) -> Pack:
    """The whole pack: numbers, figures rendered through one Chromium (started first, so it boots while the
    numbers are gathered), slides. Raises :class:`pws.report.images.BrowserMissingError` without Chromium and
    ValueError for a bad month or puskesmas."""
    lang = lang or current_lang()
    with renderer or Renderer() as active:
        data = collect(ws, tahun, bulan, kode_puskesmas, lang=lang, kabupaten=kabupaten, wait=False)
        base = map_base(ws, kode_puskesmas)
        pictures = render_pictures(data, base, active)
    return Pack(data.wait(), build_slides(data, pictures))


__all__ = [
    "ATTENTION_ROWS",
    "COMPLETENESS_FILLS",
    "IMAGE_SCALE",
    "MAX_CARD_IN",
    "MAX_TABLE_ROWS",
    "METRIC_BOX",
    "PICTURE_BOX",
    "PX_PER_IN",
    "SLIDE_H_IN",
    "SLIDE_W_IN",
    "TABLE_BOX",
    "Cell",
    "MapBase",
    "Metric",
    "Pack",
    "PackData",
    "PackInfo",
    "Picture",
    "Slide",
    "Table",
    "build_pack",
    "build_slides",
    "collect",
    "data_date",
    "figure_jobs",
    "fit_table",
    "format_date",
    "indicator_title",
    "ink_on",
    "kabupaten_name",
    "league_matrix",
    "map_base",
    "map_classes",
    "network_frame",
    "network_slides",
    "render_pictures",
    "spread_labels",
    "stages",
    "table_height",
    "text_lines",
    "title_pt",
]
