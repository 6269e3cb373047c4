"""Jejaring layanan: the service network of the shell's scope (kabupaten, puskesmas or desa) in the shell's month.

From top to bottom: key figures (active units by type, desa without a pustu, desa without a posyandu, the share of
posyandu that reported this month); the desa without an active pustu or posyandu (desa missing both first) with a
count per puskesmas beside it; the posyandu that did not report this month (silent the longest first); the recent
values of one posyandu or of every posyandu of the shell's desa (SKDN bars and a month-by-month grid); and the
problems found in ``jejaring.csv``, with their row numbers, in a collapsible panel. Without a network list the page
says how to add one.

Numbers come from :mod:`pws.service` (``jejaring``, ``network_by_desa``, ``posyandu_reporting``,
``posyandu_values``) through :mod:`pws.figures.network`; :mod:`callbacks.jejaring` places them.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import pandas as pd
from dash import dcc, html

from layouts._ids import JEJARING
from layouts.kualitas import DEFAULT_COL_DEF, GRID_OPTIONS, _attrs
from pws.figures.network import UNIT_ORDER, UNIT_STYLE, NetworkSummary, rate_text, unit_label
from pws.figures.pwstable import js_number
from pws.figures.theme import BRAND, format_number
from pws.i18n import t
from pws.issues import Issue

dash.register_page(__name__, path="/jejaring", name=t("page.jejaring"), order=5.5)

#: an example of jejaring.csv shown on the page when the workspace has none
EXAMPLE_CSV = (
    "jenis,nama,kode_desa,dusun,rw,lintang,bujur,aktif_sejak\n"
    "puskesmas,Puskesmas Sukamaju,33.01.01.2001,,,-7.2531,110.4021,\n"
    "pustu,Pustu Sukamaju,33.01.01.2001,Krajan,,-7.2555,110.4050,2024-03-01\n"
    "posyandu,Posyandu Mawar 1,33.01.01.2001,Krajan,02,-7.2560,110.4012,\n"
)
#: rows of a small grid before it scrolls
AUTO_HEIGHT_ROWS = 12

_SMALL_GRID = {**GRID_OPTIONS, "pagination": False, "domLayout": "autoHeight"}


def grid_options(**extra: Any) -> dict[str, Any]:
    """The page's grids: no pagination, as high as their rows, AG Grid's own texts in the user's language."""
    return {**_SMALL_GRID, "localeText": grid_locale(), **extra}


def grid_locale() -> dict[str, str]:
    """AG Grid's own words (pagination, empty grid) in the user's language."""
    words = {key: t(f"jejaring_page.grid_{key}") for key in ("page", "of", "to", "pageSizeSelectorLabel")}
    return {"noRowsToShow": t("jejaring_page.tanpa_baris"), **words}


def _grid(grid_id: str, columns: list[dict[str, Any]], row_id: str, file_name: str) -> dag.AgGrid:
    return dag.AgGrid(
        id=grid_id,
        columnDefs=columns,
        defaultColDef=DEFAULT_COL_DEF,
        rowData=[],
        getRowId=f"params.data.{row_id}",
        dashGridOptions=grid_options(pagination=True, paginationPageSize=25, paginationPageSizeSelector=[25, 100, 500]),
        csvExportParams={"columnSeparator": ";", "fileName": file_name},
        className="jj-grid",
        style={"width": "100%"},
    )


def layout(**_query: str) -> html.Div:
    return html.Div(
        [
            html.Div([html.H1(t("jejaring_page.judul")), html.P(id=JEJARING.lead, className="lead")],
                     className="jj-head"),
            html.Div(id=JEJARING.empty),
            dcc.Loading(html.Div(id=JEJARING.summary, className="jj-summary"), delay_show=400, type="dot",
                        color=BRAND),
            html.Div(
                [
                    html.Section(
                        [
                            html.Div(
                                [html.H2(t("jejaring_page.celah_judul")),
                                 html.Span(id=JEJARING.gaps_shown, className="jj-shown"),
                                 html.Button(t("jejaring_page.unduh_csv"), id=JEJARING.gaps_export,
                                             className="pws-button")],
                                className="jj-toolbar",
                            ),
                            html.P(t("jejaring_page.celah_petunjuk"), className="jj-note"),
                            _grid(JEJARING.gaps, gap_columns(), "kode_desa", "desa_tanpa_pustu_posyandu.csv"),
                        ],
                        className="jj-card jj-gaps",
                    ),
                    html.Section(id=JEJARING.by_puskesmas, className="jj-card jj-by-pkm"),
                ],
                id=JEJARING.network_part,
                className="jj-row",
            ),
            html.Section(
                [
                    html.Div(
                        [html.H2(id=JEJARING.silent_title),
                         html.Button(t("jejaring_page.unduh_csv"), id=JEJARING.silent_export, className="pws-button")],
                        className="jj-toolbar",
                    ),
                    html.P(id=JEJARING.silent_note, className="jj-note"),
                    _grid(JEJARING.silent, silent_columns(), "kode_unit", "posyandu_belum_lapor.csv"),
                ],
                id=JEJARING.silent_part,
                className="jj-card jj-silent",
            ),
            html.Section(
                [
                    html.Div(
                        [
                            html.H2(t("jejaring_page.riwayat_judul")),
                            dcc.Dropdown(id=JEJARING.posyandu, options=[], placeholder=t("jejaring_page.riwayat_pilih"),
                                         clearable=True, searchable=True, className="jj-posyandu"),
                        ],
                        className="jj-toolbar",
                    ),
                    html.P(id=JEJARING.history_note, className="jj-note"),
                    dcc.Graph(id=JEJARING.history_chart, figure={"data": [], "layout": {"height": 60}},
                              config={"displayModeBar": False}, className="jj-history-chart",
                              style={"display": "none"}),
                    dag.AgGrid(
                        id=JEJARING.history,
                        columnDefs=[],
                        defaultColDef={**DEFAULT_COL_DEF, "floatingFilter": False},
                        rowData=[],
                        getRowId="params.data.id",
                        dashGridOptions=grid_options(),
                        className="jj-grid",
                        style={"display": "none"},
                    ),
                ],
                id=JEJARING.history_part,
                className="jj-card jj-history",
            ),
            html.Details(
                [html.Summary(id=JEJARING.problems_title), html.Div(id=JEJARING.problems)],
                id=JEJARING.problems_part,
                className="jj-card jj-problems",
            ),
            dcc.Store(id=JEJARING.drawn),
        ],
        className="jejaring",
    )  # fmt: skip


def gap_columns(lang: str | None = None) -> list[dict[str, Any]]:
    count = js_number(0)
    return [
        {"field": "nama_desa", "headerName": t("jejaring_page.kol_desa", lang), "minWidth": 130, "flex": 1},
        {"field": "nama_kecamatan", "headerName": t("jejaring_page.kol_kecamatan", lang), "minWidth": 110, "flex": 1},
        {"field": "nama_puskesmas", "headerName": t("jejaring_page.kol_puskesmas", lang), "minWidth": 130, "flex": 1},
        {"field": "kurang", "headerName": t("jejaring_page.kol_kurang", lang), "minWidth": 170, "flex": 1.3,
         "cellClassRules": {"jj-both": "params.data && params.data.prioritas === 1"}},
        {"field": "pustu", "headerName": t("jejaring_page.kol_pustu", lang), "width": 80, "type": "rightAligned",
         "filter": "agNumberColumnFilter", "valueFormatter": count},
        {"field": "posyandu", "headerName": t("jejaring_page.kol_posyandu", lang), "width": 110,
         "type": "rightAligned", "filter": "agNumberColumnFilter", "valueFormatter": count},
    ]  # fmt: skip


def silent_columns(lang: str | None = None) -> list[dict[str, Any]]:
    return [
        {"field": "nama", "headerName": t("jejaring_page.kol_nama", lang), "minWidth": 150, "pinned": "left"},
        {"field": "nama_desa", "headerName": t("jejaring_page.kol_desa", lang), "minWidth": 130},
        {"field": "nama_puskesmas", "headerName": t("jejaring_page.kol_puskesmas", lang), "minWidth": 140},
        {"field": "terakhir", "headerName": t("jejaring_page.kol_terakhir", lang), "minWidth": 140, "flex": 1,
         "sortable": False},
        {"field": "bulan_kosong", "headerName": t("jejaring_page.kol_bulan_kosong", lang), "width": 130,
         "type": "rightAligned", "filter": "agNumberColumnFilter", "valueFormatter": js_number(0)},
    ]  # fmt: skip


def history_columns(months: list[str], lang: str | None = None) -> list[dict[str, Any]]:
    """The month-by-month grid of posyandu values: posyandu, indicator, one column per month (``"2025-06"``)."""
    cols: list[dict[str, Any]] = [
        {"field": "posyandu", "headerName": t("jejaring_page.kol_nama", lang), "minWidth": 130, "pinned": "left"},
        {"field": "nama_indikator", "headerName": t("jejaring_page.kol_indikator", lang), "minWidth": 170,
         "pinned": "left", "tooltipField": "nama_indikator"},
    ]  # fmt: skip
    for month in months:
        label = f"{t(f'month.{int(month[5:])}', lang)[:3]} {month[2:4]}"
        cols.append({"field": month, "headerName": label, "flex": 1, "minWidth": 64, "type": "rightAligned",
                     "valueFormatter": js_number(0), "sortable": False, "filter": False})  # fmt: skip
    return cols


def summary_tiles(s: NetworkSummary, bulan_nama: str, has_reports: bool) -> list[html.Div]:
    """Units by type, desa without pustu, desa without posyandu, posyandu reporting rate."""

    def tile(label: str, value: Any, note: Any, extra: str = "", key: str = "") -> html.Div:
        return html.Div(
            [html.Div(label, className="jj-tile-label"), html.Div(value, className="jj-tile-value"),
             html.Div(note, className="jj-tile-note")],
            className="jj-tile" + extra, **_attrs({"data-key": key}),
        )  # fmt: skip

    total = sum(s.units.values())
    types = [
        html.Span([html.Span(className="jj-dot", style={"background": UNIT_STYLE[j][0]}),
                   f"{unit_label(j)} {format_number(s.units.get(j, 0), 0)}"], className="jj-type")
        for j in UNIT_ORDER
        if s.units.get(j, 0)
    ]  # fmt: skip
    rate_note = (
        t("jejaring_page.ring_dari_posyandu", n=format_number(s.melapor, 0), total=format_number(s.posyandu, 0))
        if has_reports
        else t("jejaring_page.ring_tanpa_laporan")
    )
    return [
        tile(t("jejaring_page.ring_unit"), format_number(total, 0), types, key="unit"),
        tile(t("jejaring_page.ring_tanpa_pustu"), format_number(s.tanpa_pustu, 0),
             t("jejaring_page.ring_dari_desa", total=format_number(s.desa, 0)),
             " jj-alert" if s.tanpa_pustu else "", key="tanpa_pustu"),
        tile(t("jejaring_page.ring_tanpa_posyandu"), format_number(s.tanpa_posyandu, 0),
             t("jejaring_page.ring_dari_desa", total=format_number(s.desa, 0)),
             " jj-alert" if s.tanpa_posyandu else "", key="tanpa_posyandu"),
        tile(t("jejaring_page.ring_lapor", bulan=bulan_nama), rate_text(s) if has_reports else "–", rate_note,
             key="lapor"),
    ]  # fmt: skip


def by_puskesmas_table(frame: pd.DataFrame) -> list:
    """Desa, desa without pustu and without posyandu per puskesmas, most desa without pustu first."""
    head = html.Tr(
        [
            html.Th(t("jejaring_page.kol_puskesmas")),
            html.Th(t("jejaring_page.kol_desa_jumlah")),
            html.Th(t("jejaring_page.kol_tanpa_pustu")),
            html.Th(t("jejaring_page.kol_tanpa_posyandu")),
        ]
    )
    body = [
        html.Tr([html.Td(html.Button(r.nama_puskesmas, id={"type": JEJARING.pick, "kode": r.kode_puskesmas},
                                     n_clicks=0, className="jj-pkm-link")),
                 html.Td(format_number(r.desa, 0), className="num"),
                 html.Td(format_number(r.tanpa_pustu, 0), className="num" + (" jj-bad" if r.tanpa_pustu else "")),
                 html.Td(format_number(r.tanpa_posyandu, 0),
                         className="num" + (" jj-bad" if r.tanpa_posyandu else ""))],
                **_attrs({"data-kode": r.kode_puskesmas}))
        for r in frame.itertuples(index=False)
    ]  # fmt: skip
    return [html.H2(t("jejaring_page.celah_pkm_judul")),
            html.Table([html.Thead(head), html.Tbody(body)], className="jj-pkm-table")]  # fmt: skip


def empty_notice(folder: str) -> html.Div:
    """What the page says when the workspace has no jejaring.csv: where to put one and what it looks like."""
    return html.Div(
        [
            html.H2(t("jejaring_page.kosong_judul")),
            html.P(t("jejaring_page.kosong_teks", folder=folder)),
            html.P(t("jejaring_page.kosong_contoh"), className="jj-note"),
            html.Pre(EXAMPLE_CSV, className="jj-example"),
        ],
        className="jj-card jj-empty",
    )


def problems_table(issues: list[Issue]) -> list:
    """The loader's problems, errors first, then by row number: row, severity, message."""
    if not issues:
        return [html.P(t("jejaring_page.masalah_kosong"), className="jj-note")]
    rank = {"error": 0, "warning": 1, "info": 2}
    ordered = sorted(issues, key=lambda i: (rank.get(i.severity, 3), i.row if i.row is not None else 0))
    head = html.Tr([html.Th(t("jejaring_page.kol_baris")), html.Th(t("jejaring_page.kol_tingkat")),
                    html.Th(t("jejaring_page.kol_pesan"))])  # fmt: skip
    body = [
        html.Tr(
            [html.Td("" if i.row is None else str(i.row), className="num"),
             html.Td(t(f"severity.{i.severity}"), className=f"jj-sev jj-sev-{i.severity}"),
             html.Td(i.message())],
            className="jj-problem",
        )
        for i in ordered
    ]  # fmt: skip
    return [html.Table([html.Thead(head), html.Tbody(body)], className="jj-problem-table")]
