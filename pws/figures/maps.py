"""Village maps. The geometry is referenced by URL (served once, cached by the browser); only values travel
in the figure, so changing a filter costs kilobytes, not the whole GeoJSON (perf-notes §3)."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from pws.figures.theme import (
    BRAND,
    FONT,
    INK,
    LAST_YEAR,
    NO_DATA,
    OUTLINE_DESA,
    OUTLINE_KECAMATAN,
    PUSKESMAS_PALETTE,
    SEPARATORS,
    TARGET_LINE,
    base_layout,
)
from pws.i18n import t
from pws.mapdata import MapValues

#: MapLibre's world is 512 px wide at zoom 0
TILE_PX = 512


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def fit_view(bounds: tuple[float, float, float, float], width_px: int = 900, height_px: int = 640) -> dict:
    """Centre and zoom that show ``bounds`` (minx, miny, maxx, maxy) in a map of the given pixel size, with a
    small margin (web Mercator, MapLibre's 512-px world)."""
    minx, miny, maxx, maxy = bounds
    lon_span = max(maxx - minx, 1e-6)
    y_span = max(_mercator_y(maxy) - _mercator_y(miny), 1e-8)
    zoom_x = math.log2(width_px * 360 / (TILE_PX * lon_span))
    zoom_y = math.log2(height_px * 2 * math.pi / (TILE_PX * y_span))
    centre_y = (_mercator_y(maxy) + _mercator_y(miny)) / 2
    centre_lat = math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)
    return {
        "center": {"lon": (minx + maxx) / 2, "lat": centre_lat},
        "zoom": round(min(zoom_x, zoom_y) - 0.2, 2),
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


# ---------------------------------------------------------------------------------------------- the Peta page
#: the pixel size the Peta map is fitted for (a little smaller than it usually is, so the area fits with a margin)
PETA_VIEW_PX = (660, 620)
#: fill opacity of the desa in focus and of the others when a puskesmas is drilled
FOCUS_OPACITY = 0.92
DIMMED_OPACITY = 0.35
HIGHLIGHT_COLOUR = "#111827"
HIGHLIGHT_WIDTH = {"puskesmas": 2.5, "desa": 4.5}


def status_trace_values(values: MapValues) -> dict[str, Any]:
    """The properties of the choropleth trace that change with indicator, month and mode (a Patch sets exactly
    these): discrete classes ``z`` on a stepped colorscale and the changing half of the hover text."""
    return {
        "z": values.z,
        "colorscale": values.colorscale,
        "zmin": -0.5,
        "zmax": values.zmax,
        "customdata": values.hover,
        "hovertemplate": "%{text}<br>" + values.hovertemplate + "<extra></extra>",
    }


def focus_opacity(locations: Sequence[str], focus: Collection[str] | None) -> float | list[float]:
    """One opacity for every desa, or per desa: those of the drilled puskesmas opaque, the others faded."""
    if not focus:
        return FOCUS_OPACITY
    return [FOCUS_OPACITY if kode in focus else DIMMED_OPACITY for kode in locations]


def highlight_values(codes: Sequence[str], level: str) -> dict[str, Any]:
    """The outline trace: the desa of the drilled puskesmas (``level="puskesmas"``) or the chosen desa."""
    return {"locations": list(codes), "z": [0] * len(codes), "marker": {"line": {"width": HIGHLIGHT_WIDTH[level],
            "color": HIGHLIGHT_COLOUR}, "opacity": 1}}  # fmt: skip


def status_map(
    locations: Sequence[str],
    static_hover: Sequence[str],
    desa_geojson_url: str,
    kecamatan_geojson_url: str,
    view: dict,
    values: MapValues | None = None,
    focus: Collection[str] | None = None,
    highlight: tuple[Sequence[str], str] = ((), "puskesmas"),
    style: str = "white-bg",
    uirevision: str = "peta",
    lang: str | None = None,
) -> go.Figure:
    """The Peta choropleth: every desa (``locations``, fixed order) coloured by its class in ``values`` (grey
    before values are known), the drilled area outlined, kecamatan outlines on top.

    Trace 0 is the choropleth, trace 1 the outline; the geometry is referenced by URL. Without ``values`` the
    figure is the skeleton a Patch fills (:func:`status_trace_values`).
    """
    n = len(locations)
    values_part: dict[str, Any] = (
        status_trace_values(values)
        if values is not None
        else {
            "z": [0] * n,
            "colorscale": [[0, NO_DATA], [1, NO_DATA]],
            "zmin": -0.5,
            "zmax": 0.5,
            "customdata": [""] * n,
        }
    )
    fig = go.Figure()
    fig.add_trace(
        go.Choroplethmap(
            geojson=desa_geojson_url,
            featureidkey="properties.kode_desa",
            locations=list(locations),
            text=list(static_hover),
            showscale=False,
            marker={"line": {"color": OUTLINE_DESA, "width": 0.7}, "opacity": focus_opacity(locations, focus)},
            name="desa",
            **values_part,
        )
    )
    codes, level = highlight
    fig.add_trace(
        go.Choroplethmap(
            geojson=desa_geojson_url,
            featureidkey="properties.kode_desa",
            colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
            showscale=False,
            hoverinfo="skip",
            name="sorotan",
            **highlight_values(codes, level),
        )
    )
    fig.update_layout(
        map={
            "style": style,
            "center": view["center"],
            "zoom": view["zoom"],
            "layers": [
                {
                    "sourcetype": "geojson",
                    "source": kecamatan_geojson_url,
                    "type": "line",
                    "color": OUTLINE_KECAMATAN,
                    "line": {"width": 1.6},
                    "below": "",
                }
            ],
        },
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=False,
        font={"family": FONT},
        separators=SEPARATORS,
        hoverlabel={"font": {"family": FONT, "size": 13, "color": INK}, "bgcolor": "#ffffff", "bordercolor": "#9aa5b1"},
        uirevision=uirevision,
    )
    return fig


def desa_trend_figure(
    series: pd.DataFrame, bulan: int | None = None, lang: str | None = None, prevalence: bool = False
) -> go.Figure:
    """Cumulative coverage of one area month by month against the target line, last year dashed (the rows of
    :func:`pws.service.series`). ``bulan`` marks the month being looked at; ``prevalence`` names the line as the
    month's value (a prevalence is not cumulated)."""
    months = series["bulan"].to_numpy(dtype=int)
    labels = [t(f"month.{m}", lang)[:3] for m in months]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=series["cakupan_kumulatif_tahun_lalu"].to_numpy(dtype=float),
            name=t("peta.tren_tahun_lalu", lang),
            mode="lines",
            line={"color": LAST_YEAR, "width": 2, "dash": "dash"},
            hovertemplate="%{y:.1f}%<extra>" + t("peta.tren_tahun_lalu", lang) + "</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=series["target_sd_bulan"].to_numpy(dtype=float),
            name=t("peta.tren_target", lang),
            mode="lines",
            line={"color": TARGET_LINE, "width": 1.5, "dash": "dot"},
            hovertemplate="%{y:.1f}%<extra>" + t("peta.tren_target", lang) + "</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=series["cakupan_kumulatif"].to_numpy(dtype=float),
            name=t("peta.tren_nilai" if prevalence else "peta.tren_cakupan", lang),
            mode="lines+markers",
            line={"color": BRAND, "width": 3},
            marker={"size": 6},
            hovertemplate="%{y:.1f}%<extra>"
            + t("peta.tren_nilai" if prevalence else "peta.tren_cakupan", lang)
            + "</extra>",
        )
    )
    if bulan is not None and 1 <= bulan <= len(labels):
        fig.add_vline(x=bulan - 1, line={"color": "#cbd2d9", "width": 1})
    fig.update_layout(
        **base_layout(
            margin={"l": 40, "r": 8, "t": 8, "b": 28},
            height=230,
            hovermode="x unified",
            legend={"orientation": "h", "y": -0.18, "x": 0, "font": {"size": 12}},
            yaxis={"ticksuffix": "%", "rangemode": "tozero", "gridcolor": "#eef2f6", "zeroline": False},
            xaxis={
                "showgrid": False,
                "fixedrange": True,
                "tickangle": 0,
                "tickmode": "linear",
                "dtick": 2,
                "tickfont": {"size": 11},
            },
        )
    )
    fig.update_yaxes(fixedrange=True)
    return fig
