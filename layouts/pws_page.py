"""PWS: the classic PWS chart (one bar per desa, target line, status colours) and the sortable, filterable PWS
table (dash-ag-grid) for the shell's puskesmas or the whole kabupaten. (Named ``pws_page`` so that it never
shadows the ``pws`` package; its menu label is ``page.pws_page``.)"""

from __future__ import annotations

import dash
import dash_ag_grid as dag
from dash import dcc, html

from layouts._ids import PWS
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
                className="pws-card",
            ),
        ],
        className="pws-page",
    )
