"""PWS: the classic PWS chart (one bar per desa, target line, status colours) and the sortable, filterable PWS
table (dash-ag-grid) for the shell's puskesmas or the whole kabupaten. (Named ``pws_page`` so that it never
shadows the ``pws`` package; its menu label is ``page.pws_page``.)"""

from __future__ import annotations

import dash
import dash_ag_grid as dag
from dash import dcc, html

from layouts._ids import PWS
from layouts.jejaring import grid_locale
from pws.figures.pwstable import DEFAULT_COL_DEF, GET_ROW_ID, column_defs
from pws.figures.theme import BRAND, FONT, INK
from pws.i18n import t

dash.register_page(__name__, path="/pws", name=t("page.pws_page"), order=4)

#: AG Grid's built-in Quartz theme (the Theming API injects its CSS from the package's own JS: nothing to fetch)
GRID_THEME = {
    "function": (
        f"themeQuartz.withParams({{accentColor: '{BRAND}', fontFamily: \"{FONT}\", fontSize: 14, "
        f"foregroundColor: '{INK}', headerFontWeight: 700, headerBackgroundColor: '#f0f4f8', "
        "wrapperBorderRadius: 6, spacing: 6})"
    )
}
GRID_OPTIONS = {
    "theme": GRID_THEME,
    "animateRows": False,
    "tooltipShowDelay": 300,
    "suppressCellFocus": True,
    "enableCellTextSelection": True,
    "quickFilterText": "",
    "pinnedBottomRowData": [],
}


def layout(**_query: str) -> html.Div:
    return html.Div(
        [
            html.H1(id=PWS.title),
            html.P(id=PWS.lead, className="lead"),
            html.Div(id=PWS.counts, className="pws-counts"),
            html.Div(
                [
                    html.P(id=PWS.hint, className="pws-hint"),
                    html.Div(
                        dcc.Loading(
                            dcc.Graph(
                                id=PWS.chart,
                                config={"displaylogo": False, "displayModeBar": False, "responsive": True},
                            ),
                            delay_show=300,
                        ),
                        id=PWS.chart_box,
                        className="pws-chart-box",
                    ),
                ],
                className="pws-card",
            ),
            level_switch(),
            html.Div(
                [
                    html.Div(
                        [
                            html.H2(t("pws_page.table_title")),
                            dcc.Input(
                                id=PWS.quick_filter,
                                type="search",
                                placeholder=t("pws_page.quick_filter"),
                                debounce=0.25,
                                className="pws-search",
                            ),
                            html.Span(id=PWS.shown, className="pws-shown"),
                            html.Button(t("pws_page.unduh_csv"), id=PWS.export, className="pws-button"),
                        ],
                        className="pws-toolbar",
                    ),
                    dcc.Store(id=PWS.shown_template, data=t("pws_page.shown")),
                    dag.AgGrid(
                        id=PWS.grid,
                        columnDefs=column_defs(),
                        defaultColDef=DEFAULT_COL_DEF,
                        rowData=[],
                        getRowId=GET_ROW_ID,
                        dashGridOptions=GRID_OPTIONS,
                        getRowStyle={
                            "styleConditions": [
                                {
                                    "condition": "params.node.rowPinned",
                                    "style": {"fontWeight": 700, "backgroundColor": "#eef2f6"},
                                }
                            ]
                        },
                        csvExportParams={
                            "columnSeparator": ";",
                            "skipColumnGroupHeaders": True,
                            "fileName": "pws.csv",
                            "processCellCallback": {"function": "pwsCsvCell(params)"},  # assets/aman.js
                        },
                        className="pws-grid",
                        style={"height": "560px", "width": "100%"},
                    ),
                ],
                id=PWS.desa_part,
                className="pws-card",
            ),
            posyandu_view(),
        ],
        className="pws-page",
    )


# ---------------------------------------------------------------------------------------------- posyandu view
DESA_LEVEL = "desa"
POSYANDU_LEVEL = "posyandu"


def level_switch() -> html.Div:
    """Table per desa / per posyandu, shown for indicators reported per posyandu (:mod:`callbacks.pws_page`)."""
    return html.Div(
        [
            html.Span(t("jejaring_page.pws_tingkat"), className="pws-level-label"),
            dcc.RadioItems(
                id=PWS.level,
                options=[{"label": t("jejaring_page.pws_tingkat_desa"), "value": DESA_LEVEL},
                         {"label": t("jejaring_page.pws_tingkat_posyandu"), "value": POSYANDU_LEVEL}],
                value=DESA_LEVEL,
                inline=True,
                className="peta-mode",
            ),
        ],
        id=PWS.level_part,
        className="pws-level",
        style={"display": "none"},
    )  # fmt: skip


def posyandu_view() -> html.Div:
    """The posyandu table: one row per posyandu of the scope (or the chosen one) with its counts."""
    return html.Div(
        [
            html.Div(
                [
                    html.H2(t("jejaring_page.pws_posyandu_judul")),
                    dcc.Dropdown(id=PWS.posyandu, options=[], placeholder=t("jejaring_page.pws_semua_posyandu"),
                                 clearable=True, searchable=True, className="jj-posyandu"),
                    html.Button(t("pws_page.unduh_csv"), id=PWS.posyandu_export, className="pws-button"),
                ],
                className="pws-toolbar",
            ),
            html.P(id=PWS.posyandu_lead, className="pws-hint"),
            dag.AgGrid(
                id=PWS.posyandu_grid,
                columnDefs=[],
                defaultColDef=DEFAULT_COL_DEF,
                rowData=[],
                getRowId="params.data.kode_unit",
                dashGridOptions={**GRID_OPTIONS, "domLayout": "autoHeight", "pagination": True,
                                 "paginationPageSize": 25, "paginationPageSizeSelector": [25, 100, 500],
                                 "localeText": grid_locale()},
                csvExportParams={"columnSeparator": ";", "fileName": "pws_posyandu.csv"},
                className="pws-grid",
                style={"width": "100%"},
            ),
        ],
        id=PWS.posyandu_part,
        className="pws-card",
        style={"display": "none"},
    )  # fmt: skip
