"""The PWS table of the PWS page as AG Grid configuration: column definitions and row dicts (no dash here).

Rows are the desa of :func:`pws.service.table` in the order of the PWS chart (highest cumulative coverage first),
one dict per desa keyed by the table's own column names, numbers as plain floats (None where missing) so that
sorting and filtering work on numbers; the browser formats them the Indonesian way (``valueFormatter`` with
``toLocaleString('id-ID')``). ``status_key`` carries the raw status for the cell colour, ``status`` the label,
``kualitas`` the messages of the data-quality findings about the desa's value (one per line; the status cell then
shows :data:`QUALITY_MARK` and the messages as its tooltip).
The pinned totals row comes from :func:`pws.service.aggregate_table` (ratio of sums, never a sum of percentages).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pws.figures.charts import pws_order, status_colours, status_column, status_label, trend_label
from pws.figures.theme import INK, STATUS_COLOURS, TARGET_STATUS_COLOURS
from pws.i18n import t

#: the row field AG Grid uses as the row id (``getRowId``); a click on a row reports it as ``rowId``
ROW_ID = "kode_desa"
GET_ROW_ID = f"params.data.{ROW_ID}"
#: the row id of the pinned totals row
TOTAL_ROW_ID = "total"
#: numeric fields of a row
NUMBER_FIELDS = (
    "sasaran",
    "bulan_lalu",
    "bulan_ini",
    "kumulatif",
    "cakupan_kumulatif",
    "target_sd_bulan",
    "kesenjangan",
    "kesenjangan_orang",
)
PERCENT_FIELDS = ("cakupan_kumulatif", "target_sd_bulan")
#: the row field with the data-quality messages of a flagged desa, and the mark its status cell shows
QUALITY_FIELD = "kualitas"
QUALITY_MARK = "⚠"


def js_number(decimals: int, fixed: bool = False, signed: bool = False) -> dict[str, str]:
    """An AG Grid ``valueFormatter``: the Indonesian number format (``1.234,5``), ``–`` for no value."""
    options = [f"maximumFractionDigits: {decimals}"]
    if fixed:
        options.append(f"minimumFractionDigits: {decimals}")
    if signed:
        options.append("signDisplay: 'exceptZero'")
    return {
        "function": "params.value == null ? '–' : "
        f"Number(params.value).toLocaleString('id-ID', {{{', '.join(options)}}})"
    }


def _text_colour(background: str) -> str:
    """White on dark fills, ink on light ones (``#rrggbb``, WCAG relative luminance below 0.3 counts as dark)."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(background[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return "#ffffff" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.3 else INK


def status_cell_style() -> dict[str, Any]:
    """``cellStyle`` of the status column: the cell filled with the status colour (same colours as the chart)."""
    conditions = [
        {
            "condition": f"params.data && params.data.status_key === {key!r}",
            "style": {"backgroundColor": colour, "color": _text_colour(colour), "fontWeight": 600},
        }
        for key, colour in {**STATUS_COLOURS, **TARGET_STATUS_COLOURS}.items()
    ]
    return {"styleConditions": conditions}


def quality_mark_props() -> dict[str, Any]:
    """Column properties that add :data:`QUALITY_MARK` to the cell of a row with data-quality messages and show
    the messages as the cell's tooltip."""
    has = f"params.data && params.data.{QUALITY_FIELD}"
    return {
        "valueFormatter": {"function": f"params.value + ({has} ? ' {QUALITY_MARK}' : '')"},
        "tooltipValueGetter": {"function": f"{has} ? params.data.{QUALITY_FIELD} : undefined"},
    }


def trend_cell_style() -> dict[str, Any]:
    """Trend text green when it moved the good way, red when the bad way (``tren_baik``), muted otherwise."""
    return {
        "styleConditions": [
            {"condition": "params.data && params.data.tren_baik === true", "style": {"color": "#1a7f37"}},
            {"condition": "params.data && params.data.tren_baik === false", "style": {"color": "#b42318"}},
        ],
        "defaultStyle": {"color": "#52606d"},
    }


def column_defs(jenis: str = "kumulatif", show_puskesmas: bool = True, lang: str | None = None) -> list[dict[str, Any]]:
    """Columns of the PWS table: desa, puskesmas, sasaran, BLN LALU, BLN INI, kumulatif, %, target s.d. bulan,
    tren, status, kesenjangan (points) and kesenjangan (persons). Numbers right-aligned with number filters and
    Indonesian formatting; ``jenis = prevalensi`` renames the count column (a monthly count, not cumulative).
    ``show_puskesmas`` False hides the puskesmas column (every row has the same one)."""

    def number(field: str, header: str, formatter: dict[str, str], width: int, tip: str | None = None) -> dict:
        col: dict[str, Any] = {
            "field": field,
            "headerName": header,
            "type": "rightAligned",
            "cellDataType": "number",
            "filter": "agNumberColumnFilter",
            "valueFormatter": formatter,
            "minWidth": width,
        }
        if tip:
            col["headerTooltip"] = tip
        return col

    count = js_number(0)
    pct = js_number(1, fixed=True)
    kumulatif = t("pws_page.col_jumlah" if jenis == "prevalensi" else "pws_page.col_kumulatif", lang)
    return [
        {"field": "nama_desa", "headerName": t("pws_page.col_desa", lang), "pinned": "left", "minWidth": 145,
         "cellDataType": "text", "filter": "agTextColumnFilter"},
        {"field": "nama_puskesmas", "headerName": t("pws_page.col_puskesmas", lang), "minWidth": 165,
         "hide": not show_puskesmas,
         "cellDataType": "text", "filter": "agTextColumnFilter"},
        number("sasaran", t("pws_page.col_sasaran", lang), count, 85),
        number("bulan_lalu", t("pws_page.col_bulan_lalu", lang), count, 80, t("pws_page.tip_bulan_lalu", lang)),
        number("bulan_ini", t("pws_page.col_bulan_ini", lang), count, 80, t("pws_page.tip_bulan_ini", lang)),
        number("kumulatif", kumulatif, count, 100),
        number("cakupan_kumulatif", t("pws_page.col_persen", lang), pct, 70, t("pws_page.tip_persen", lang)),
        number("target_sd_bulan", t("pws_page.col_target", lang), pct, 90),
        {"field": "tren", "headerName": t("pws_page.col_tren", lang), "minWidth": 90, "cellDataType": "text",
         "filter": "agTextColumnFilter", "cellStyle": trend_cell_style()},
        {"field": "status", "headerName": t("pws_page.col_status", lang), "minWidth": 130, "cellDataType": "text",
         "filter": "agTextColumnFilter", "cellStyle": status_cell_style(), **quality_mark_props()},
        {"headerName": t("pws_page.col_kesenjangan_grup", lang), "marryChildren": True, "children": [
            number("kesenjangan", t("pws_page.col_kesenjangan", lang), js_number(1, fixed=True, signed=True), 90,
                   t("pws_page.tip_kesenjangan", lang)),
            number("kesenjangan_orang", t("pws_page.col_kesenjangan_orang", lang), count, 90,
                   t("pws_page.tip_kesenjangan_orang", lang)),
        ]},
    ]  # fmt: skip


def leaf_columns(columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The columns of ``columns`` with groups replaced by their children, in display order."""
    out: list[dict[str, Any]] = []
    for column in columns:
        out.extend(leaf_columns(column["children"]) if "children" in column else [column])
    return out


DEFAULT_COL_DEF: dict[str, Any] = {
    "sortable": True,
    "resizable": True,
    "filter": True,
    "floatingFilter": True,
    "flex": 1,
    "suppressHeaderMenuButton": True,
    "wrapHeaderText": True,
    "autoHeaderHeight": True,
}


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _row(record: Mapping[str, Any], status_field: str, lang: str | None) -> dict[str, Any]:
    status = record.get(status_field)
    status = "NO_DATA" if status is None or pd.isna(status) else str(status)
    tren_baik = record.get("tren_baik")
    return {
        **{field: _number(record.get(field)) for field in NUMBER_FIELDS},
        "tren": trend_label(record.get("tren"), lang),
        "tren_baik": None if tren_baik is None or pd.isna(tren_baik) else bool(tren_baik),
        "status": status_label(status, lang),
        "status_key": status,
    }


def row_data(
    table: pd.DataFrame, lang: str | None = None, marks: Mapping[str, Sequence[str]] | None = None
) -> list[dict[str, Any]]:
    """One dict per desa of ``table`` (a :func:`pws.service.table` frame, not modified), in PWS chart order; the
    desa in ``marks`` (code → messages of :func:`pws.quality.marks.flagged_values`) carry them in
    :data:`QUALITY_FIELD`."""
    field = status_column(table)
    columns = (ROW_ID, "nama_desa", "nama_puskesmas", *NUMBER_FIELDS, "tren", "tren_baik", field)
    ordered = pws_order(table, columns)
    rows = []
    for record in ordered.to_dict("records"):
        row = _row(record, field, lang)
        row.update(
            kode_desa=str(record["kode_desa"]),
            nama_desa=str(record["nama_desa"]),
            nama_puskesmas=str(record.get("nama_puskesmas") or ""),
        )
        messages = marks.get(row["kode_desa"]) if marks else None
        if messages:
            row[QUALITY_FIELD] = "\n".join(f"{QUALITY_MARK} {m}" for m in messages)
        rows.append(row)
    return rows


def totals_row(
    aggregate: Mapping[str, Any], label: str, puskesmas: str = "", lang: str | None = None
) -> dict[str, Any]:
    """The pinned bottom row: one row of :func:`pws.service.aggregate_table` (the puskesmas or the kabupaten),
    labelled ``label`` in the desa column and ``puskesmas`` in the puskesmas column. Its ``kode_desa`` is
    :data:`TOTAL_ROW_ID`, no desa code, so a click on it selects nothing (it must not be empty: AG Grid styles
    only rows with an id)."""
    field = "status_target" if aggregate.get("aturan_status") == "target3" else "status"
    row = _row(aggregate, field, lang)
    row.update(kode_desa=TOTAL_ROW_ID, nama_desa=label, nama_puskesmas=puskesmas)
    return row


def colour_of(row: Mapping[str, Any]) -> str:
    """The colour of a row's status cell (for tests and exports): the theme colour of ``status_key``."""
    key = str(row.get("status_key"))
    return {**STATUS_COLOURS, **TARGET_STATUS_COLOURS}.get(key, STATUS_COLOURS["NO_DATA"])


__all__ = [
    "DEFAULT_COL_DEF",
    "GET_ROW_ID",
    "NUMBER_FIELDS",
    "QUALITY_FIELD",
    "QUALITY_MARK",
    "ROW_ID",
    "TOTAL_ROW_ID",
    "column_defs",
    "colour_of",
    "js_number",
    "leaf_columns",
    "quality_mark_props",
    "row_data",
    "status_cell_style",
    "status_colours",
    "totals_row",
]
