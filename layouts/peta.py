"""Peta: the village choropleth of the chosen indicator and month (PWS status or cumulative coverage), with a
legend that counts the desa per class, a drill kabupaten → puskesmas → desa, the desa list of a puskesmas and
the side panel of one desa (trend and where its numbers came from).

The map is drawn here once, with the geometry as a URL and every desa in a fixed order; the callbacks
(:mod:`callbacks.peta`) then send only values (``dash.Patch``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
from dash import dcc, html

from layouts._ids import PETA
from pws import auth, service, viewstate
from pws.config import Workspace
from pws.figures.maps import PETA_VIEW_PX, fit_view, status_map
from pws.figures.network import desa_count_text, with_counts
from pws.i18n import current_lang, t
from pws.mapdata import (
    COVERAGE_MODE,
    STATUS_MODE,
    kabupaten_hover_texts,
    kabupaten_map_frame,
    map_locations,
    map_values,
    static_hover_texts,
)

dash.register_page(__name__, path="/peta", name="Peta", order=2)

STREET = "jalan"
HIDDEN = {"display": "none"}
#: the trend chart until the panel's callback draws the area's trend
EMPTY_TREND = {"data": [], "layout": {"height": 230, "xaxis": {"visible": False}, "yaxis": {"visible": False}}}


def _aria(label: str) -> dict[str, Any]:
    return {"aria-label": label}


def drawn_key(ws: Workspace, state: dict, mode: str, street: bool) -> dict:
    """What a drawn map shows; the callback compares it with the wanted one and sends only what differs."""
    return {
        "version": service.version(ws),
        "tahun": state.get("tahun"),
        "bulan": state.get("bulan"),
        "indikator": state.get("indikator"),
        "puskesmas": state.get("puskesmas"),
        "desa": state.get("desa"),
        "kabupaten": state.get("kabupaten"),
        "mode": mode,
        "street": street,
        "lang": current_lang(),
    }


def map_figure(state: viewstate.ViewState, mode: str) -> dict | None:
    """The whole map figure of ``state`` (None without boundaries): the desa of the workspace, or in a province
    the kabupaten (no kabupaten chosen) or the desa of the chosen kabupaten."""
    ws = service.current_workspace()
    scope = service.map_scope(ws, state.kabupaten)
    if scope is None:
        return None
    if scope.level == "kabupaten":
        kabupaten = service.kabupaten_list(ws)
        locations = tuple(kabupaten["kode_kabupaten"])
        rows = kabupaten_map_frame(service.kabupaten_table(ws, state.tahun, state.bulan, state.indikator))
        fig = status_map(
            locations,
            kabupaten_hover_texts(kabupaten),
            f"/geo/{scope.shapes.name}",
            f"/geo/{scope.outlines.name}",
            fit_view(scope.bounds, *PETA_VIEW_PX),
            values=map_values(rows, locations, mode),
            uirevision="peta:provinsi",
        )
        return fig.to_plotly_json()
    wilayah = auth.visible_desa(scope.wilayah)
    locations = map_locations(wilayah)
    table = service.table(ws, state.tahun, state.bulan, state.indikator)
    values = map_values(table, locations, mode)
    focus = set(wilayah.loc[wilayah["kode_puskesmas"] == state.puskesmas, "kode_desa"]) if state.puskesmas else None
    bounds = (service.area_bounds(ws, state.puskesmas) if state.puskesmas else None) or scope.bounds
    highlight = ([state.desa], "desa") if state.desa else (sorted(focus or ()), "puskesmas")
    fig = status_map(
        locations,
        network_hover(ws, state.tahun, state.bulan, locations, static_hover_texts(wilayah)),
        f"/geo/{scope.shapes.name}",
        f"/geo/{scope.outlines.name}",
        fit_view(bounds, *PETA_VIEW_PX),
        values=values,
        focus=focus,
        highlight=highlight,
        uirevision=f"peta:{state.kabupaten or ''}:{state.puskesmas or ''}"
        if state.kabupaten
        else f"peta:{state.puskesmas or ''}",
    )
    return fig.to_plotly_json()


def only_the_query_changed() -> bool:
    """True when the pages router calls :func:`layout` because the URL's query string changed and its path did
    not: the shell writes every filter change into the query, and re-rendering the whole page for it would
    rebuild the map (and cut short charts still drawing). The page's callbacks follow the filters instead."""
    try:
        triggered = dash.ctx.triggered_prop_ids
    except Exception:  # called outside a callback (tests, validation layout)
        return False
    return bool(triggered) and all(str(prop).endswith(".search") for prop in triggered)


def layout(**query: str) -> html.Div:
    if only_the_query_changed():
        return dash.no_update  # type: ignore[return-value]
    ws = service.current_workspace()
    state = viewstate.from_query(ws, "?" + urlencode(query))
    mode = STATUS_MODE
    figure = map_figure(state, mode)
    controls = html.Div(
        [
            html.Span(t("peta.warnai"), className="peta-control-label"),
            dcc.RadioItems(
                id=PETA.mode,
                options=[
                    {"label": t("peta.mode_status"), "value": STATUS_MODE},
                    {"label": t("peta.mode_cakupan"), "value": COVERAGE_MODE},
                ],
                value=mode,
                inline=True,
                className="peta-mode",
            ),
            html.Div(
                dcc.Checklist(
                    id=PETA.basemap,
                    options=[{"label": t("peta.peta_jalan"), "value": STREET}],
                    value=[],
                    className="peta-basemap",
                ),
                title=t("peta.peta_jalan_judul"),
            ),
            html.Div(network_toggle(), title=t("jejaring_page.lapisan_judul")),
        ],
        className="peta-controls",
    )
    if figure is None:
        map_part: html.Div = html.Div(
            [
                html.P(t("ui.no_boundaries"), className="peta-empty"),
                dcc.Graph(id=PETA.map, figure={}, style={"display": "none"}),
            ],
            className="peta-map-card",
        )
    else:
        map_part = html.Div(
            [
                dcc.Graph(
                    id=PETA.map,
                    figure=figure,
                    className="peta-map",
                    config={"displaylogo": False, "scrollZoom": True},
                    clear_on_unhover=True,
                ),
                html.P(t("peta.petunjuk"), className="peta-hint"),
            ],
            className="peta-map-card",
        )
    return html.Div(
        [
            html.Div(
                [
                    html.Div(
                        [html.H1(t("peta.judul"), id=PETA.title), html.P(id=PETA.subtitle, className="lead")],
                        className="peta-heading",
                    ),
                    controls,
                ],
                className="peta-header",
            ),
            html.Nav(id=PETA.breadcrumb, className="peta-breadcrumb", **_aria(t("peta.jejak"))),
            html.Div(id=PETA.notice, className="peta-notice"),
            html.Div(
                [
                    map_part,
                    html.Div(
                        [
                            html.Div(id=PETA.legend, className="peta-card peta-legend"),
                            html.Div(id=PETA.network_legend, className="peta-card jj-legend", style=HIDDEN),
                            html.Div(id=PETA.desa_list, className="peta-card peta-desa-list"),
                        ],
                        className="peta-side",
                    ),  # fmt: skip
                    html.Aside(
                        [
                            html.Div(id=PETA.panel),
                            dcc.Graph(
                                id=PETA.trend,
                                figure=EMPTY_TREND,
                                config={"displayModeBar": False},
                                className="panel-trend",
                            ),
                            html.Div(id=PETA.lineage),
                        ],
                        className="peta-panel",
                    ),
                ],
                id=PETA.grid,
                className="peta-grid",
            ),
            dcc.Store(id=PETA.panel_key),
            dcc.Store(id=PETA.network_drawn, data=network_drawn(figure, state)),
            dcc.Store(id=PETA.drawn, data=drawn_key(ws, state.as_dict(), mode, False) if figure else None),
        ],
        className="peta-page",
    )


# ---------------------------------------------------------------------------------------------- network layer
NETWORK_ON = "jejaring"


def network_toggle() -> dcc.Checklist:
    """ "Jejaring layanan": the service-network layer (off by default; :func:`callbacks.peta.update_network`)."""
    return dcc.Checklist(
        id=PETA.network, options=[{"label": t("jejaring_page.lapisan"), "value": NETWORK_ON}], value=[],
        className="peta-basemap",
    )  # fmt: skip


def network_hover_key(ws: Workspace, tahun: int, bulan: int) -> dict:
    """What the network line of the desa hover depends on."""
    return {"version": service.version(ws), "tahun": tahun, "bulan": bulan, "lang": current_lang()}


def network_hover(ws: Workspace, tahun: int, bulan: int, locations: Any, static: list[str]) -> list[str]:
    """The desa hover's fixed lines with the desa's pustu and posyandu count (unchanged without a network list)."""
    jejaring, _issues = service.jejaring(ws)
    if jejaring.empty:
        return static
    by_desa = service.network_by_desa(ws, tahun, bulan)
    return with_counts(static, desa_count_text(by_desa, list(locations)))


def network_drawn(figure: dict | None, state: viewstate.ViewState) -> dict | None:
    """The layer's store: the index its two traces get when drawn (after the map's own), whether they are drawn,
    and what the desa hover's network line shows."""
    if figure is None:
        return None
    ws = service.current_workspace()
    return {"base": len(figure["data"]), "on": False, "key": None,
            "hover": network_hover_key(ws, state.tahun, state.bulan)}  # fmt: skip
