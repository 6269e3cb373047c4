"""Village maps. The geometry is referenced by URL (served once, cached by the browser); only values travel
in the figure, so changing a filter costs kilobytes, not the whole GeoJSON (perf-notes §3)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from pws.figures.theme import FONT, OUTLINE_DESA, OUTLINE_KECAMATAN, PUSKESMAS_PALETTE
from pws.i18n import t


def fit_view(bounds: tuple[float, float, float, float], width_px: int = 900, height_px: int = 640) -> dict:
    """Centre and zoom that show ``bounds`` (minx, miny, maxx, maxy) in a map of the given pixel size."""
    minx, miny, maxx, maxy = bounds
    lon_span = max(maxx - minx, 1e-6)
    lat_span = max(maxy - miny, 1e-6)
    zoom_x = math.log2(width_px * 360 / (256 * lon_span))
    zoom_y = math.log2(height_px * 180 / (256 * lat_span))
    return {
        "center": {"lon": (minx + maxx) / 2, "lat": (miny + maxy) / 2},
        "zoom": round(min(zoom_x, zoom_y) - 0.3, 2),
    }


def puskesmas_map(
    desa: pd.DataFrame,
    desa_geojson_url: str,
    kecamatan_geojson_url: str,
    bounds: tuple[float, float, float, float],
    lang: str | None = None,
) -> go.Figure:
    """Villages coloured by their puskesmas, kecamatan outlines on top.

    ``desa`` has kode_desa, nama_desa, nama_kecamatan, kode_puskesmas, nama_puskesmas and a ``keterangan``
    column (extra hover text, may be empty).
    """
    fig = go.Figure()
    puskesmas = desa[["kode_puskesmas", "nama_puskesmas"]].drop_duplicates().sort_values("nama_puskesmas")
    for i, (kode, nama) in enumerate(puskesmas.itertuples(index=False)):
        rows = desa[desa["kode_puskesmas"] == kode]
        colour = PUSKESMAS_PALETTE[i % len(PUSKESMAS_PALETTE)]
        fig.add_trace(
            go.Choroplethmap(
                geojson=desa_geojson_url,
                featureidkey="properties.kode_desa",
                locations=rows["kode_desa"].to_numpy(),
                z=[i] * len(rows),
                colorscale=[[0, colour], [1, colour]],
                showscale=False,
                marker={"line": {"color": OUTLINE_DESA, "width": 0.6}, "opacity": 0.85},
                name=f"{nama}",
                showlegend=True,
                customdata=rows[["nama_desa", "nama_kecamatan", "nama_puskesmas", "keterangan"]].to_numpy(),
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>"
                    + t("map.kecamatan", lang)
                    + ": %{customdata[1]}<br>"
                    + t("map.puskesmas", lang)
                    + ": %{customdata[2]}<br>%{customdata[3]}<extra></extra>"
                ),
            )
        )
    view = fit_view(bounds)
    fig.update_layout(
        map={
            "style": "white-bg",
            "center": view["center"],
            "zoom": view["zoom"],
            "layers": [
                {
                    "sourcetype": "geojson",
                    "source": kecamatan_geojson_url,
                    "type": "line",
                    "color": OUTLINE_KECAMATAN,
                    "line": {"width": 2},
                    "below": "",
                }
            ],
        },
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        legend={
            "title": {"text": t("map.legend_puskesmas", lang)},
            "bgcolor": "rgba(255,255,255,0.85)",
            "x": 0.01,
            "y": 0.99,
        },
        font={"family": FONT},
        uirevision="peta-wilayah",
    )
    return fig
