"""Wilayah page: the puskesmas map; hover shows the sasaran of the chosen indicator and year."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import Input, Output, callback

from layouts._ids import SHELL, WILAYAH
from pws import auth, service
from pws.figures.maps import puskesmas_map
from pws.i18n import t


@callback(Output(WILAYAH.map, "figure"), Output(WILAYAH.summary, "children"), Input(SHELL.filters, "data"))
def update_map(filters: dict | None) -> tuple[go.Figure, str]:
    ws = service.current_workspace()
    filters = filters or {}
    tahun = int(filters.get("tahun") or service.years(ws)[0])
    frame = auth.visible_desa(service.wilayah_map_frame(ws, tahun, filters.get("indikator")))
    geometry = service.map_geometry(ws)
    if geometry is None:
        return go.Figure(), t("ui.no_boundaries")
    fig = puskesmas_map(
        frame,
        f"/geo/{geometry.desa_geojson.name}",
        f"/geo/{geometry.kecamatan_geojson.name}",
        geometry.bounds,
    )
    summary = t(
        "ui.wilayah_summary",
        desa=len(frame),
        puskesmas=frame["kode_puskesmas"].nunique(),
        kecamatan=frame["nama_kecamatan"].nunique(),
    )
    return fig, summary
