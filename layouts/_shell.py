"""The app shell: navbar built from the page registry, the global filters (tahun, bulan, indikator) held in a
``dcc.Store`` for every page, and the page container."""

from __future__ import annotations

import dash
from dash import dcc, html

from layouts._ids import SHELL
from pws import service
from pws.i18n import t


def _indicator_options() -> list[dict[str, str]]:
    catalogue = service.workspace_data(service.current_workspace()).catalogue
    options = []
    for tahap, nama_id, _ in catalogue.tahap:
        for ind in catalogue.by_tahap(tahap):
            options.append({"label": f"{nama_id} · {ind.name()}", "value": ind.kode})
    return options


def layout() -> html.Div:
    ws = service.current_workspace()
    years = service.years(ws)
    nav_links = [
        dcc.Link(page["name"], href=page["relative_path"], className="nav-link") for page in dash.page_registry.values()
    ]
    months = [{"label": t(f"month.{m}"), "value": m} for m in range(1, 13)]
    return html.Div(
        [
            html.Header(
                [
                    html.Div(
                        [html.Span(t("app.title"), className="brand"), html.Nav(nav_links, className="nav")],
                        className="nav-left",
                    ),
                    html.Div(
                        [
                            html.Label(
                                [
                                    t("ui.tahun"),
                                    dcc.Dropdown(
                                        id=SHELL.year,
                                        options=years,
                                        value=years[0],
                                        clearable=False,
                                        className="filter-year",
                                    ),
                                ]
                            ),  # fmt: skip
                            html.Label(
                                [
                                    t("ui.bulan"),
                                    dcc.Dropdown(
                                        id=SHELL.month,
                                        options=months,
                                        value=12,
                                        clearable=False,
                                        className="filter-month",
                                    ),
                                ]
                            ),  # fmt: skip
                            html.Label(
                                [
                                    t("ui.indikator"),
                                    dcc.Dropdown(
                                        id=SHELL.indicator,
                                        options=_indicator_options(),
                                        value="K4",
                                        clearable=False,
                                        className="filter-indicator",
                                    ),
                                ]
                            ),  # fmt: skip
                        ],
                        className="filters",
                    ),
                ],
                className="topbar",
            ),
            dcc.Store(id=SHELL.filters, storage_type="session"),
            html.Div(id=SHELL.alert, className="alert-area"),
            html.Main(dash.page_container, className="page"),
        ]
    )
