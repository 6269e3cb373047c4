"""Figures made to be exported as images (the meeting pack's slides, its PDF and the print-ready map), not shown in
the browser: pure builders, DataFrame / GeoJSON → go.Figure.

The village map here is a ``go.Choropleth`` on a hidden ``geo`` subplot fitted to the desa shown
(``fitbounds="locations"``): Kaleido draws it in about 0.6 s, five times faster than the MapLibre map of the Peta
page (``go.Choroplethmap``, WebGL in software), and it needs no tiles. Because ``geo`` coordinates are real
longitudes and latitudes, the scale bar is simply a line of the right number of kilometres on the map.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from pws.figures.charts import pws_bar_chart
from pws.figures.theme import FONT, INK, MUTED, OUTLINE_DESA, OUTLINE_KECAMATAN, SEPARATORS, format_number
from pws.i18n import t

#: kilometres per degree of latitude (and of longitude at the equator)
KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class LegendItem:
    """One colour class of a map legend: its label, colour and how many desa have it."""

    label: str
    colour: str
    count: int


@dataclass(frozen=True)
class MapLabel:
    """A name written on the map at a point inside its area."""

    text: str
    lon: float
    lat: float


def nice_length_km(span_km: float, fraction: float = 0.2) -> float:
    """A round scale-bar length (1, 2 or 5 × 10ⁿ km) close to ``fraction`` of the map's width ``span_km``."""
    goal = max(span_km * fraction, 1e-3)
    power = 10 ** math.floor(math.log10(goal))
    candidates = [m * power for m in (1, 2, 5, 10)]
    return float(min(candidates, key=lambda c: abs(math.log(c / goal))))


def outline_lines(geojson: Mapping[str, Any]) -> tuple[list[float | None], list[float | None]]:
    """Longitudes and latitudes of every ring of a GeoJSON FeatureCollection's (multi)polygons, rings separated by
    ``None`` (one line trace draws them all)."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    for feature in geojson.get("features", []):
        geometry = feature.get("geometry") or {}
        polygons = geometry.get("coordinates", [])
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        elif geometry.get("type") != "MultiPolygon":
            continue
        for polygon in polygons:
            for ring in polygon:
                lons += [float(x) for x, _ in ring] + [None]
                lats += [float(y) for _, y in ring] + [None]
    return lons, lats


def scale_bar(bounds: tuple[float, float, float, float], lang: str | None = None) -> tuple[list[Any], list[Any], str]:
    """Longitudes, latitudes (``None`` between pieces) and the label of a scale bar under the map's bottom-left
    corner: a bar of :func:`nice_length_km` kilometres with end ticks."""
    minx, miny, maxx, maxy = bounds
    lat = miny - 0.05 * max(maxy - miny, 1e-6)
    km_per_lon = KM_PER_DEGREE * math.cos(math.radians(lat))
    length = nice_length_km((maxx - minx) * km_per_lon)
    x0 = minx
    x1 = minx + length / km_per_lon
    tick = 0.012 * max(maxy - miny, 1e-6)
    lons = [x0, x0, None, x0, x1, None, x1, x1]
    lats = [lat - tick, lat + tick, None, lat, lat, None, lat - tick, lat + tick]
    decimals = 0 if length >= 1 else 1
    return lons, lats, t("rapat.skala_km", lang, km=format_number(length, decimals))


def status_map(
    desa_geojson: Mapping[str, Any],
    locations: Sequence[str],
    classes: Sequence[int],
    legend: Sequence[LegendItem],
    bounds: tuple[float, float, float, float],
    *,
    legend_title: str = "",
    outline_geojson: Mapping[str, Any] | None = None,
    labels: Sequence[MapLabel] = (),
    font_size: int = 16,
    label_size: int | None = None,
    map_width: float = 0.7,
    domain_y: tuple[float, float] = (0.0, 1.0),
    lang: str | None = None,
) -> go.Figure:
    """A choropleth of ``locations`` (desa codes, joined on ``properties.kode_desa``) coloured by their class
    index into ``legend``, with the outlines of the areas of ``outline_geojson`` (puskesmas or kecamatan) on top,
    ``labels`` written inside the areas, a scale bar, and on the right a north arrow above the legend (label,
    colour, number of desa). The map takes the left ``map_width`` of the figure, between the heights ``domain_y``
    (fractions of the figure)."""
    n = max(len(legend), 1)
    scale: list[list[float | str]] = []
    for i, item in enumerate(legend):
        scale += [[i / n, item.colour], [(i + 1) / n, item.colour]]
    # plain trace dicts and one unvalidated Figure: validating copies the GeoJSON (tests validate these figures)
    traces: list[dict[str, Any]] = [
        {
            "type": "choropleth",
            "geojson": desa_geojson,
            "featureidkey": "properties.kode_desa",
            "locations": list(locations),
            "z": list(classes),
            "zmin": -0.5,
            "zmax": n - 0.5,
            "colorscale": scale,
            "showscale": False,
            "marker": {"line": {"color": OUTLINE_DESA, "width": 0.8}},
            "hoverinfo": "skip",
            "showlegend": False,
        }
    ]
    if outline_geojson is not None:
        # outlines as lines, not as an unfilled choropleth: a ring wound the other way round would make d3-geo
        # draw the rest of the globe, and its edge shows as a frame around the map
        ring_lons, ring_lats = outline_lines(outline_geojson)
        traces.append(
            {
                "type": "scattergeo",
                "lon": ring_lons,
                "lat": ring_lats,
                "mode": "lines",
                "hoverinfo": "skip",
                "showlegend": False,
                "line": {"color": OUTLINE_KECAMATAN, "width": 1.8},
            }
        )
    lons, lats, bar_label = scale_bar(bounds, lang)
    plain = {"type": "scattergeo", "hoverinfo": "skip", "showlegend": False}
    traces.append({**plain, "lon": lons, "lat": lats, "mode": "lines", "line": {"color": INK, "width": 3}})
    ends = [v for v in lons if v is not None]
    traces.append(
        {
            **plain,
            "lon": [(min(ends) + max(ends)) / 2],
            "lat": [lats[3]],
            "mode": "text",
            "text": [bar_label],
            "textposition": "top center",
            "textfont": {"size": font_size - 2, "color": INK},
        }
    )
    if labels:
        traces.append(
            {
                **plain,
                "lon": [lab.lon for lab in labels],
                "lat": [lab.lat for lab in labels],
                "text": [lab.text for lab in labels],
                "mode": "text",
                "textfont": {
                    "size": label_size or font_size - 3,
                    "color": INK,
                    "shadow": "0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff",
                },
            }
        )
    for item in legend:  # legend entries only: no point of their own
        traces.append(
            {
                "type": "scattergeo",
                "lon": [None],
                "lat": [None],
                "mode": "markers",
                "hoverinfo": "skip",
                "name": f"{item.label} ({item.count})",
                "marker": {
                    "symbol": "square",
                    "size": font_size + 4,
                    "color": item.colour,
                    "line": {"color": "#9aa5b1", "width": 1},
                },
            }
        )
    annotations = [
        {
            "text": f"▲<br><b>{t('rapat.utara', lang)}</b>",
            "x": map_width + 0.05,
            "y": sum(domain_y) / 2 + 0.2,
            "xref": "paper",
            "yref": "paper",
            "xanchor": "center",
            "yanchor": "bottom",
            "showarrow": False,
            "align": "center",
            "font": {"size": font_size + 2, "color": INK},
        }
    ]
    layout = {
        "font": {"family": FONT, "color": INK, "size": font_size},
        "separators": SEPARATORS,
        "paper_bgcolor": "#ffffff",
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
        "geo": {
            "fitbounds": "locations",
            "visible": False,
            "showframe": False,
            "projection": {"type": "mercator"},
            "domain": {"x": [0, map_width], "y": list(domain_y)},
            "bgcolor": "#ffffff",
        },
        "showlegend": True,
        "legend": {
            "x": map_width + 0.03,
            "y": sum(domain_y) / 2,
            "xanchor": "left",
            "yanchor": "middle",
            "itemclick": False,
            "title": {"text": legend_title, "font": {"size": font_size}},
            "font": {"size": font_size},
            "tracegroupgap": 4,
            "itemsizing": "constant",
        },
        "annotations": annotations,
    }
    return go.Figure(data=traces, layout=layout, _validate=False)


def area_pws_chart(
    rows: pd.DataFrame,
    aggregate: Mapping[str, Any] | None,
    *,
    aggregate_label: str,
    bulan: int,
    font_size: int = 15,
    lang: str | None = None,
) -> go.Figure:
    """The classic PWS bar chart for a slide: the desa of a desa table, or — for the kabupaten — the puskesmas
    rows of :func:`pws.analysis.aggregate` drawn as the bars (``kode``/``nama`` taken as the bar's code and name),
    with the target line and the area's own coverage line (:func:`pws.figures.charts.pws_bar_chart`), bars
    standing, fonts sized for a projector."""
    if "kode_desa" not in rows.columns:
        rows = rows.assign(
            kode_desa=rows["kode"].astype(str),
            nama_desa=rows["nama"].astype(str),
            nama_puskesmas=rows["nama"].astype(str),
        )
    fig = pws_bar_chart(rows, aggregate, aggregate_label=aggregate_label, bulan=bulan, orientation="v", lang=lang)
    # the labels of the target and area lines go into the legend: on a still image they would cover bar values
    for shape, note in zip(fig.layout.shapes, fig.layout.annotations, strict=False):
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name=note.text,
                hoverinfo="skip",
                line={"color": shape.line.color, "width": 2, "dash": shape.line.dash},
            )
        )
    fig.layout.annotations = ()
    many = len(rows) > 20
    fig.update_traces(textfont={"size": font_size - (4 if many else 1)}, selector={"type": "bar"})
    fig.update_layout(
        font={"family": FONT, "color": INK, "size": font_size},
        height=None,
        margin={"l": 64, "r": 16, "t": 56, "b": 16},
        xaxis={
            "tickangle": -45 if many else -30,
            "tickfont": {"size": font_size - (3 if many else 1)},
            "automargin": True,
        },
        yaxis={"tickfont": {"size": font_size - 1, "color": MUTED}},
        legend={
            "font": {"size": font_size - 2},
            "title": {"text": ""},
            "orientation": "h",
            "x": 0,
            "y": 1.0,
            "yref": "container",
            "yanchor": "top",
        },
    )
    return fig


__all__ = ["KM_PER_DEGREE", "LegendItem", "MapLabel", "area_pws_chart", "nice_length_km", "scale_bar", "status_map"]
