"""Wilayah kerja: the district's villages on a map, coloured by puskesmas, with kecamatan outlines."""

from __future__ import annotations

import dash
from dash import dcc, html

from layouts._ids import WILAYAH
from pws.i18n import t

dash.register_page(__name__, path="/wilayah", name=t("page.wilayah"), order=6)


def layout(**_query: str) -> html.Div:
    return html.Div(
        [
            html.H1(t("page.wilayah_title")),
            html.P(id=WILAYAH.summary, className="lead"),
            dcc.Loading(
                dcc.Graph(
                    id=WILAYAH.map,
                    className="map",
                    config={"displaylogo": False, "scrollZoom": True},
                    style={"height": "72vh"},
                )
            ),
        ]
    )
