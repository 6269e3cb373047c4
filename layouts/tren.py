"""Tren: monthly cumulative coverage against the target line, by life stage, for the area of the shell filters
(the desa if chosen, else the puskesmas, else the kabupaten), and the shell's indicator per puskesmas."""

from __future__ import annotations

import dash
from dash import dcc, html

from layouts._ids import TREN
from pws import service, viewstate
from pws.i18n import current_lang, t

dash.register_page(__name__, path="/tren", name=t("page.tren"), order=3)

GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}


def stage_options() -> list[dict[str, str]]:
    catalogue = service.workspace_data(service.current_workspace()).catalogue
    en = current_lang() == "en"
    return [{"label": nama_en if en else nama_id, "value": kode} for kode, nama_id, nama_en in catalogue.tahap]


def initial_stage(indikator: str | None) -> str | None:
    """The life stage of the indicator in the link (else of the default indicator)."""
    ws = service.current_workspace()
    catalogue = service.workspace_data(ws).catalogue
    ind = catalogue.indicators.get((indikator or "").strip().upper())
    if ind is None:
        ind = catalogue.indicators.get(viewstate.default_state(ws).indikator)
    return ind.tahap if ind else (catalogue.tahap[0][0] if catalogue.tahap else None)


def layout(indikator: str | None = None, **_query: str) -> html.Div:
    return html.Div(
        [
            html.H1(id=TREN.title),
            html.P(id=TREN.lead, className="lead"),
            html.Div(
                [
                    html.Span(t("tren.stage_label"), className="tren-stage-label"),
                    dcc.RadioItems(
                        id=TREN.stage,
                        options=stage_options(),
                        value=initial_stage(indikator),
                        # the page is rebuilt on every filter change (the router follows the URL): the stage the
                        # user picked survives that for as long as the indicator stays the same
                        persistence=(indikator or "").upper() or "-",
                        persistence_type="session",
                        className="tren-stages",
                        inputClassName="tren-stage-input",
                        labelClassName="tren-stage",
                    ),
                ],
                className="tren-stage-bar",
            ),
            html.Div(
                dcc.Loading(
                    dcc.Graph(id=TREN.stage_graph, config=GRAPH_CONFIG, className="tren-graph"), delay_show=300
                ),
                className="card",
            ),
            dcc.Store(id=TREN.stage_codes),
            dcc.Store(id=TREN.puskesmas_codes),
            html.H2(id=TREN.puskesmas_title),
            html.P(id=TREN.puskesmas_lead, className="lead"),
            html.Div(
                dcc.Loading(
                    dcc.Graph(id=TREN.puskesmas_graph, config=GRAPH_CONFIG, className="tren-graph"), delay_show=300
                ),
                className="card",
            ),
        ],
        className="tren-page",
    )
