"""The PWS tables of the meeting pack as an Excel workbook (openpyxl).

Sheets: *Ikhtisar* (every key indicator of the kabupaten or puskesmas), *Peringkat* (the league of all key
indicators), one sheet per key indicator with its desa PWS table (the columns of ``pws status`` and a few more,
full precision: the numbers are those of ``pws status``, only their display is rounded), *Puskesmas* (the
puskesmas rows per key indicator), *Perhatian* (the desa needing attention) and *Kelengkapan* (reports received
per puskesmas and month).

Every sheet has a title row, the date of the data and the source, a bold header frozen with the first columns,
a filter on the header, numbers stored as numbers with Indonesian-readable formats, status cells in the status
colours. Text cells are neutralised (:func:`neutralise`): a name typed as ``=HYPERLINK(…)`` in ``wilayah.csv`` is
shown, never run.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pws.analysis import CONTRACT_COLUMNS
from pws.figures.charts import status_label
from pws.figures.theme import INK, STATUS_COLOURS, TARGET_STATUS_COLOURS
from pws.i18n import t
from pws.report.pack import COMPLETENESS_FILLS, PackData, format_date, ink_on
from pws.safety import FORMULA_PREFIXES, neutralise

#: first data row of every sheet (title, date/source, header above it)
HEADER_ROW = 3

NUMBER_FORMATS = {
    "int": "#,##0",
    "num": "#,##0.0",
    "pct": "0.0",
    "pp": "+0.0;-0.0;0.0",
}


@dataclass(frozen=True)
class Column:
    """One column of a sheet: the frame's column, the locale key of its header, its kind (``text``, ``int``,
    ``num``, ``pct``, ``pp``, ``status``, ``bool``) and its width in characters."""

    name: str
    label: str
    kind: str = "text"
    width: float = 12


#: the desa PWS table: the contract columns of ``pws status`` in their order, then where the desa is and more
DESA_COLUMNS: tuple[Column, ...] = (
    Column("kode_desa", "rapat.xl_kode_desa", "text", 15),
    Column("nama_desa", "rapat.xl_nama_desa", "text", 22),
    Column("sasaran", "rapat.xl_sasaran", "num", 10),
    Column("kumulatif", "rapat.xl_kumulatif", "int", 11),
    Column("cakupan_kumulatif", "rapat.xl_cakupan_kumulatif", "pct", 12),
    Column("target_sd_bulan", "rapat.xl_target_sd_bulan", "pct", 12),
    Column("cakupan_bulan_ini", "rapat.xl_cakupan_bulan_ini", "pct", 12),
    Column("cakupan_bulan_lalu", "rapat.xl_cakupan_bulan_lalu", "pct", 12),
    Column("tren", "rapat.xl_tren", "text", 8),
    Column("posisi", "rapat.xl_posisi", "text", 8),
    Column("status", "rapat.xl_status", "status", 11),
    Column("kesenjangan", "rapat.xl_kesenjangan", "pp", 11),
    Column("kesenjangan_orang", "rapat.xl_kesenjangan_orang", "int", 11),
    Column("status_target", "rapat.xl_status_target", "status", 13),
    Column("bulan_ini", "rapat.xl_bulan_ini", "int", 10),
    Column("dilaporkan", "rapat.xl_dilaporkan", "bool", 10),
    Column("kode_puskesmas", "rapat.xl_kode_puskesmas", "text", 13),
    Column("nama_puskesmas", "rapat.xl_nama_puskesmas", "text", 20),
    Column("nama_kecamatan", "rapat.xl_nama_kecamatan", "text", 18),
)
assert [c.name for c in DESA_COLUMNS[: len(CONTRACT_COLUMNS)]] == list(CONTRACT_COLUMNS)

SUMMARY_COLUMNS: tuple[Column, ...] = (
    Column("nama_tahap", "rapat.xl_tahap", "text", 22),
    Column("indikator", "rapat.xl_kode", "text", 14),
    Column("nama", "rapat.xl_indikator", "text", 34),
    Column("cakupan_kumulatif", "rapat.xl_cakupan_kumulatif", "pct", 12),
    Column("target_sd_bulan", "rapat.xl_target_sd_bulan", "pct", 12),
    Column("kesenjangan", "rapat.xl_kesenjangan", "pp", 11),
    Column("kesenjangan_orang", "rapat.xl_kesenjangan_orang", "int", 11),
    Column("status", "rapat.xl_status", "status", 11),
    Column("status_target", "rapat.xl_status_target", "status", 13),
    Column("desa_baik", "rapat.xl_desa_baik", "int", 9),
    Column("desa_kurang", "rapat.xl_desa_kurang", "int", 9),
    Column("desa_cukup", "rapat.xl_desa_cukup", "int", 9),
    Column("desa_jelek", "rapat.xl_desa_jelek", "int", 9),
    Column("desa_no_data", "rapat.xl_desa_no_data", "int", 9),
    Column("desa_dilaporkan", "rapat.xl_desa_dilaporkan", "int", 10),
    Column("jumlah_desa", "rapat.xl_jumlah_desa", "int", 9),
)

AREA_COLUMNS: tuple[Column, ...] = (
    Column("indikator", "rapat.xl_kode", "text", 14),
    Column("kode", "rapat.xl_kode_puskesmas", "text", 13),
    Column("nama", "rapat.xl_nama_puskesmas", "text", 22),
    Column("sasaran", "rapat.xl_sasaran", "num", 10),
    Column("kumulatif", "rapat.xl_kumulatif", "int", 11),
    Column("cakupan_kumulatif", "rapat.xl_cakupan_kumulatif", "pct", 12),
    Column("target_sd_bulan", "rapat.xl_target_sd_bulan", "pct", 12),
    Column("kesenjangan", "rapat.xl_kesenjangan", "pp", 11),
    Column("kesenjangan_orang", "rapat.xl_kesenjangan_orang", "int", 11),
    Column("status", "rapat.xl_status", "status", 11),
    Column("status_target", "rapat.xl_status_target", "status", 13),
    Column("desa_baik", "rapat.xl_desa_baik", "int", 9),
    Column("desa_kurang", "rapat.xl_desa_kurang", "int", 9),
    Column("desa_cukup", "rapat.xl_desa_cukup", "int", 9),
    Column("desa_jelek", "rapat.xl_desa_jelek", "int", 9),
    Column("desa_dilaporkan", "rapat.xl_desa_dilaporkan", "int", 10),
    Column("jumlah_desa", "rapat.xl_jumlah_desa", "int", 9),
)

ATTENTION_COLUMNS: tuple[Column, ...] = (
    Column("indikator", "rapat.xl_kode", "text", 14),
    Column("peringkat", "rapat.xl_peringkat", "int", 9),
    Column("kode_desa", "rapat.xl_kode_desa", "text", 15),
    Column("nama_desa", "rapat.xl_nama_desa", "text", 22),
    Column("nama_puskesmas", "rapat.xl_nama_puskesmas", "text", 20),
    Column("sasaran", "rapat.xl_sasaran", "num", 10),
    Column("kumulatif", "rapat.xl_kumulatif", "int", 11),
    Column("cakupan_kumulatif", "rapat.xl_cakupan_kumulatif", "pct", 12),
    Column("target_sd_bulan", "rapat.xl_target_sd_bulan", "pct", 12),
    Column("kesenjangan", "rapat.xl_kesenjangan", "pp", 11),
    Column("kesenjangan_orang", "rapat.xl_kesenjangan_orang", "int", 11),
    Column("status", "rapat.xl_status", "status", 11),
)

COMPLETENESS_COLUMNS: tuple[Column, ...] = (
    Column("kode_puskesmas", "rapat.xl_kode_puskesmas", "text", 13),
    Column("nama_puskesmas", "rapat.xl_nama_puskesmas", "text", 22),
    Column("bulan", "rapat.xl_bulan", "int", 7),
    Column("status", "rapat.xl_status_laporan", "report", 20),
    Column("tanggal", "rapat.xl_tanggal", "text", 12),
    Column("tenggat", "rapat.xl_tenggat", "text", 12),
    Column("hari_terlambat", "rapat.xl_hari_terlambat", "int", 10),
    Column("laporan_diharapkan", "rapat.xl_laporan_diharapkan", "int", 10),
    Column("laporan_diterima", "rapat.xl_laporan_diterima", "int", 10),
    Column("laporan_hilang", "rapat.xl_laporan_hilang", "int", 10),
)

NETWORK_COLUMNS: tuple[Column, ...] = (
    Column("kode_desa", "rapat.xl_kode_desa", "text", 15),
    Column("nama_desa", "rapat.xl_nama_desa", "text", 22),
    Column("kode_puskesmas", "rapat.xl_kode_puskesmas", "text", 13),
    Column("nama_puskesmas", "rapat.xl_nama_puskesmas", "text", 20),
    Column("pustu", "jejaring.xl_pustu", "int", 8),
    Column("posyandu", "jejaring.xl_posyandu", "int", 10),
    Column("poskesdes", "jejaring.xl_poskesdes", "int", 10),
    Column("posbindu", "jejaring.xl_posbindu", "int", 10),
    Column("tanpa_pustu", "jejaring.xl_tanpa_pustu", "bool", 10),
    Column("tanpa_posyandu", "jejaring.xl_tanpa_posyandu", "bool", 10),
    Column("posyandu_melapor", "jejaring.xl_posyandu_melapor", "int", 11),
)

_HEADER_FILL = PatternFill("solid", start_color="E4E7EB")
_HEADER_FONT = Font(bold=True, color=INK.lstrip("#").upper())
_TITLE_FONT = Font(bold=True, size=14, color=INK.lstrip("#").upper())
_NOTE_FONT = Font(italic=True, size=9, color="52606D")
_THIN = Side(style="thin", color="CBD2D9")


def _plain(value: Any) -> Any:
    """A cell value: numbers as int/float, missing as None, text neutralised."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(float(value)) else float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return neutralise(str(value))


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", start_color=colour.lstrip("#").upper())


#: fill and font of a status cell, per status
_STATUS_LOOK = {
    status: (_fill(colour), Font(bold=True, color=ink_on(colour).lstrip("#").upper()))
    for status, colour in {**STATUS_COLOURS, **TARGET_STATUS_COLOURS}.items()
}


def _styles(book: Workbook) -> dict[str, str]:
    """Register the named cell styles of the workbook once (one style per number format, status and report
    status): a named style is one assignment per cell instead of three."""
    names: dict[str, str] = {}
    for kind, number_format in NUMBER_FORMATS.items():
        style = NamedStyle(name=f"pws_{kind}", number_format=number_format)
        book.add_named_style(style)
        names[kind] = style.name
    for status, (fill, font) in _STATUS_LOOK.items():
        style = NamedStyle(name=f"pws_status_{status}", fill=fill, font=font)
        book.add_named_style(style)
        names[f"status:{status}"] = style.name
    for status, colour in COMPLETENESS_FILLS.items():
        style = NamedStyle(name=f"pws_laporan_{status}", fill=_fill(colour))
        book.add_named_style(style)
        names[f"report:{status}"] = style.name
    return names


def _style_names(ws: Worksheet) -> dict[str, str]:
    """The named styles of the sheet's workbook (registered on first use)."""
    book = ws.parent
    found = getattr(book, "_pws_styles", None)
    if found is None:
        found = _styles(book)
        book._pws_styles = found
    return found


def write_sheet(
    ws: Worksheet, title: str, note: str, frame: pd.DataFrame, columns: Sequence[Column], lang: str, freeze: int = 2
) -> None:
    """A titled, formatted table: row 1 title, row 2 note (data date, source), the header on row
    :data:`HEADER_ROW` (frozen with the first ``freeze`` columns, with a filter), then one row per record."""
    ws.cell(row=1, column=1, value=neutralise(title)).font = _TITLE_FONT
    ws.cell(row=2, column=1, value=neutralise(note)).font = _NOTE_FONT
    present = [c for c in columns if c.name in frame.columns]
    for j, col in enumerate(present, start=1):
        cell = ws.cell(row=HEADER_ROW, column=j, value=neutralise(t(col.label, lang)))
        cell.fill = _HEADER_FILL
        cell.font = _HEADER_FONT
        cell.alignment = Alignment(
            wrap_text=True, vertical="center", horizontal="right" if col.kind in NUMBER_FORMATS else "left"
        )
        cell.border = Border(bottom=_THIN)
        ws.column_dimensions[get_column_letter(j)].width = col.width
    ws.row_dimensions[HEADER_ROW].height = 32
    values = {col.name: frame[col.name].tolist() for col in present}
    styles = _style_names(ws)
    labels: dict[str, str] = {}
    for i in range(len(frame)):
        r = HEADER_ROW + 1 + i
        for j, col in enumerate(present, start=1):
            raw = values[col.name][i]
            value = _plain(raw)
            style = styles.get(col.kind)
            if value is not None and col.kind in ("status", "report"):
                key = f"{col.kind}:{raw}"
                if key not in labels:
                    word = status_label(str(raw), lang) if col.kind == "status" else t(f"quality.status.{raw}", lang)
                    labels[key] = neutralise(word)
                value = labels[key]
                style = styles.get(key)
            cell = ws.cell(row=r, column=j, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            if style is not None:
                cell.style = style
    last = HEADER_ROW + max(len(frame), 1)
    if present:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(present))}{last}"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=freeze + 1)


def _matrix_columns(data: PackData) -> tuple[list[Column], pd.DataFrame]:
    """The league of all key indicators as sheet columns (coverage per indicator, its status as the colour)."""
    codes = [kode for _, kode in data.keys]
    area = "rapat.xl_nama_desa" if data.desa_level else "rapat.xl_nama_puskesmas"
    columns = [
        Column("peringkat", "rapat.xl_peringkat", "int", 9),
        Column("kode", "rapat.xl_kode_wilayah", "text", 14),
        Column("nama", area, "text", 22),
    ]
    columns += [Column(kode, "rapat.xl_kode_indikator", "pct", 11) for kode in codes]
    columns += [
        Column("di_atas_target", "rapat.xl_di_atas_target", "int", 11),
        Column("jelek", "rapat.xl_jelek", "int", 9),
        Column("rerata_kesenjangan", "rapat.xl_rerata_kesenjangan", "pp", 11),
    ]
    return columns, data.matrix


def _write_matrix(ws: Worksheet, data: PackData, title: str, note: str) -> None:
    columns, frame = _matrix_columns(data)
    write_sheet(ws, title, note, frame, columns, data.info.lang, freeze=3)
    lang = data.info.lang
    styles = _style_names(ws)
    for j, col in enumerate(columns, start=1):
        if col.label == "rapat.xl_kode_indikator":
            ws.cell(row=HEADER_ROW, column=j, value=neutralise(col.name))
            statuses = frame[f"{col.name}_status"].tolist()
            for i, status in enumerate(statuses):
                style = styles.get(f"status:{status}")
                if style is not None:
                    cell = ws.cell(row=HEADER_ROW + 1 + i, column=j)
                    # the coverage keeps its number format; the status gives the colour
                    cell.fill, cell.font = _STATUS_LOOK[str(status)]
    ws.cell(row=2, column=1, value=neutralise(note + " " + t("rapat.peringkat_aturan", lang))).font = _NOTE_FONT


def write_excel(data: PackData) -> bytes:
    """The workbook as ``.xlsx`` bytes."""
    info = data.info
    lang = info.lang
    book = Workbook()
    date_text = format_date(info.data_date, lang) if info.data_date else "–"
    note = t("rapat.xl_catatan", lang, tanggal=date_text, dibuat=format_date(info.made, lang))
    head = f"{info.area} · {info.periode}"

    summary_sheet = book.active
    assert summary_sheet is not None
    summary_sheet.title = t("rapat.xl_sheet_ikhtisar", lang)
    write_sheet(
        summary_sheet, f"{t('rapat.ikhtisar', lang)} · {head}", note, data.summary, SUMMARY_COLUMNS, lang, freeze=3
    )

    _write_matrix(
        book.create_sheet(t("rapat.xl_sheet_peringkat", lang)),
        data,
        f"{t('rapat.peringkat_desa' if data.desa_level else 'rapat.peringkat_puskesmas', lang)} · {head}",
        note,
    )

    for _, kode in data.keys:
        ind = data.catalogue.indicators[kode]
        sheet = book.create_sheet(kode[:31])
        write_sheet(sheet, f"{ind.name(lang)} ({kode}) · {head}", note, data.tables[kode], DESA_COLUMNS, lang)

    area_frames = []
    for _, kode in data.keys:
        rows = data.compared[kode] if not data.desa_level else data.area_rows[kode]
        if data.desa_level:
            rows = rows[rows["kode"].astype(str) == str(info.kode_puskesmas)]
        area_frames.append(rows.assign(indikator=kode))
    areas = pd.concat(area_frames, ignore_index=True) if area_frames else pd.DataFrame()
    write_sheet(
        book.create_sheet(t("rapat.xl_sheet_puskesmas", lang)),
        f"{t('rapat.xl_judul_puskesmas', lang)} · {head}",
        note,
        areas,
        AREA_COLUMNS,
        lang,
        freeze=3,
    )

    attention = [data.attention[kode].assign(indikator=kode) for _, kode in data.keys]
    frame = pd.concat(attention, ignore_index=True) if attention else pd.DataFrame()
    write_sheet(
        book.create_sheet(t("rapat.xl_sheet_perhatian", lang)),
        f"{t('rapat.xl_judul_perhatian', lang)} · {head}",
        f"{note} {t('rapat.perhatian_aturan', lang)}",
        frame,
        ATTENTION_COLUMNS,
        lang,
        freeze=4,
    )

    write_sheet(
        book.create_sheet(t("rapat.xl_sheet_kelengkapan", lang)),
        f"{t('rapat.kelengkapan', lang, tahun=info.tahun)} · {info.area}",
        f"{note} {t('rapat.kelengkapan_catatan', lang)}",
        data.completeness,
        COMPLETENESS_COLUMNS,
        lang,
    )

    if data.network is not None:  # the service network (jejaring.csv)
        write_sheet(
            book.create_sheet(t("jejaring.xl_sheet", lang)),
            f"{t('jejaring.xl_judul', lang)} · {head}",
            f"{note} {t('jejaring.xl_catatan', lang)}",
            data.network,
            NETWORK_COLUMNS,
            lang,
        )

    book.properties.title = f"PWS · {head}"
    book.properties.creator = "PWS Desa"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = [
    "ATTENTION_COLUMNS",
    "AREA_COLUMNS",
    "COMPLETENESS_COLUMNS",
    "DESA_COLUMNS",
    "FORMULA_PREFIXES",
    "HEADER_ROW",
    "NETWORK_COLUMNS",
    "SUMMARY_COLUMNS",
    "Column",
    "neutralise",
    "write_excel",
    "write_sheet",
]
