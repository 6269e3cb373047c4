"""Trend small multiples (Tren page) and the classic PWS bar chart (PWS page): pure builders, DataFrame -> Figure.

The trend grid draws many small charts in *one* figure (one x/y axis pair per panel, laid out here rather than
with ``make_subplots``, which costs more than the whole rest of the figure), so a filter change sends one
response and the browser draws once. Every panel has the same four traces, in this order: last year's line,
the target line, this year's line and the point of the chosen month coloured by its status
(:data:`TRACES_PER_PANEL`). Panel ``i`` uses axes ``x{i+1}``/``y{i+1}`` (``x``/``y`` for the first).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from pws.figures.theme import (
    BRAND,
    LAST_YEAR,
    MUTED,
    STATUS_COLOURS,
    STATUS_ORDER,
    TARGET_LINE,
    TARGET_STATUS_COLOURS,
    base_layout,
    format_int,
    format_number,
    format_pct,
)
from pws.i18n import t

#: traces drawn for every trend panel: last year, target, this year, the chosen month's point
TRACES_PER_PANEL = 4
TREND_ROLES = ("last_year", "target", "this_year", "month")
HIGHLIGHT_FILL = "#e8f3ee"
#: validate figures as they are built (slow for many panels; the tests validate every builder's output instead)
VALIDATE = False
AGGREGATE_LINE = "#3e4c59"
#: index of kode_desa in the customdata of the PWS chart's bars (a click on a bar reads it)
DESA_CODE = 7
#: a PWS chart with more desa than this is drawn with horizontal bars (one readable row per desa)
VERTICAL_MAX_DESA = 40


def month_labels(lang: str | None = None) -> list[str]:
    """Short month names (``Jan`` … ``Des``): the first three letters of the locale's month names."""
    return [t(f"month.{m}", lang)[:3] for m in range(1, 13)]


def _values(frame: pd.DataFrame, column: str) -> list[float | None]:
    """Twelve values (January..December) of ``column``; None where missing, so plotly leaves a gap."""
    by_month = dict(zip(frame["bulan"].astype(int), frame[column], strict=False)) if column in frame else {}
    out: list[float | None] = []
    for m in range(1, 13):
        value = by_month.get(m)
        out.append(None if value is None or pd.isna(value) else float(value))
    return out


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)].rstrip() + "…"


# ---------------------------------------------------------------------------------------------- trend grid


@dataclass(frozen=True)
class TrendPanel:
    """One small chart: ``series`` is a :func:`pws.service.series` frame (twelve monthly rows).

    ``prevalence`` panels show each month's value instead of a cumulative coverage (the series already gives
    that month's value in ``cakupan_kumulatif``); only the labels differ. ``highlight`` draws a tinted
    background (the puskesmas chosen in the shell)."""

    title: str
    series: pd.DataFrame
    full_title: str = ""
    prevalence: bool = False
    highlight: bool = False


@dataclass(frozen=True)
class GridCell:
    """Where panel ``index`` sits, as fractions of the plotting area."""

    index: int
    x0: float
    x1: float
    y0: float
    y1: float

    @property
    def xaxis(self) -> str:
        return "x" if self.index == 0 else f"x{self.index + 1}"

    @property
    def yaxis(self) -> str:
        return "y" if self.index == 0 else f"y{self.index + 1}"


def grid_cells(
    n: int, cols: int, panel_height: int, title_px: int = 30, axis_px: int = 26, gap_x: float = 0.045
) -> list[GridCell]:
    """Domains of ``n`` panels in rows of ``cols`` (filled left to right, top to bottom). Each row is
    ``panel_height`` pixels: ``title_px`` above the plot for its title, ``axis_px`` below for the month labels."""
    rows = max(math.ceil(n / cols), 1)
    total = rows * panel_height
    width = (1.0 - (cols - 1) * gap_x) / cols
    cells = []
    for i in range(n):
        r, c = divmod(i, cols)
        top = r * panel_height + title_px
        bottom = (r + 1) * panel_height - axis_px
        x0 = c * (width + gap_x)
        cells.append(GridCell(i, round(x0, 6), round(x0 + width, 6), 1 - bottom / total, 1 - top / total))
    return cells


def _month_status(series: pd.DataFrame, bulan: int) -> str:
    """The area's status in month ``bulan`` of a series frame (``NO_DATA`` when absent)."""
    if "status" not in series:
        return "NO_DATA"
    for month, status in zip(series["bulan"], series["status"], strict=True):
        if int(month) == int(bulan):
            return "NO_DATA" if status is None or pd.isna(status) else str(status)
    return "NO_DATA"


def trend_grid(
    panels: Sequence[TrendPanel],
    bulan: int,
    tahun: int,
    *,
    cols: int = 3,
    shared_y: bool = False,
    panel_height: int = 230,
    title_chars: int = 44,
    lang: str | None = None,
) -> go.Figure:
    """Small multiples of cumulative coverage by month against the target line and last year.

    Per panel: last year's cumulative coverage (thin, :data:`LAST_YEAR`), the target to date (dashed,
    :data:`TARGET_LINE`), this year's coverage (brand colour, markers where there is data), the chosen month
    (a dotted vertical line, and its point coloured by the area's status), the month's value in the corner.
    ``shared_y`` gives every panel the same y range (to compare areas)."""
    months = month_labels(lang)
    cells = grid_cells(len(panels), cols, panel_height)
    rows = max(math.ceil(len(panels) / cols), 1)
    tick_step = 1 if cols <= 3 else 3
    traces: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    layout: dict[str, Any] = {}
    names = {
        "this_year": t("tren.legend_this_year", lang, tahun=tahun),
        "last_year": t("tren.legend_last_year", lang, tahun=tahun - 1),
        "target": t("tren.legend_target", lang),
    }
    y_max = 0.0
    for cell, panel in zip(cells, panels, strict=True):
        s = panel.series
        this_year = _values(s, "cakupan_kumulatif")
        last_year = _values(s, "cakupan_kumulatif_tahun_lalu")
        target = _values(s, "target_sd_bulan")
        y_max = max([y_max, *(v for v in this_year + last_year + target if v is not None)])
        first = cell.index == 0
        axes = {"xaxis": cell.xaxis, "yaxis": cell.yaxis}
        value_label = t("tren.hover_monthly" if panel.prevalence else "tren.hover_cumulative", lang)
        scatter = {"type": "scatter", "x": months, **axes}
        traces.append(
            {**scatter, "y": last_year, "mode": "lines", "name": names["last_year"], "legendgroup": "last_year",
             "showlegend": first, "line": {"color": LAST_YEAR, "width": 1.6}, "hovertemplate": "%{y:.1f}%"}
        )  # fmt: skip
        traces.append(
            {**scatter, "y": target, "mode": "lines", "name": names["target"], "legendgroup": "target",
             "showlegend": first, "line": {"color": TARGET_LINE, "width": 1.6, "dash": "dash"},
             "hovertemplate": "%{y:.1f}%"}
        )  # fmt: skip
        traces.append(
            {**scatter, "y": this_year, "mode": "lines+markers", "name": names["this_year"],
             "legendgroup": "this_year", "showlegend": first, "line": {"color": BRAND, "width": 2.6},
             "marker": {"size": 5, "color": BRAND},
             "hovertemplate": value_label + ": %{y:.1f}%<extra>" + names["this_year"] + "</extra>"}
        )  # fmt: skip
        value = this_year[bulan - 1]
        status = _month_status(s, bulan)
        colour = STATUS_COLOURS.get(status, STATUS_COLOURS["NO_DATA"])
        has_value = value is not None
        traces.append(
            {**scatter, "x": [months[bulan - 1]] if has_value else [], "y": [value] if has_value else [],
             "mode": "markers", "name": status, "showlegend": False, "hoverinfo": "skip",
             "marker": {"size": 12, "color": colour, "line": {"color": "#ffffff", "width": 2}}}
        )  # fmt: skip
        suffix = "" if cell.index == 0 else str(cell.index + 1)
        layout[f"xaxis{suffix}"] = {
            "domain": [cell.x0, cell.x1], "anchor": cell.yaxis, "type": "category", "range": [-0.5, 11.5],
            "tickvals": months[::tick_step], "showgrid": False, "linecolor": "#9aa5b1", "ticks": "",
            "tickfont": {"size": 11, "color": MUTED}, "fixedrange": True,
        }  # fmt: skip
        layout[f"yaxis{suffix}"] = {
            "domain": [cell.y0, cell.y1], "anchor": cell.xaxis, "ticksuffix": "%", "rangemode": "tozero",
            "gridcolor": "#e4e7eb", "zeroline": False, "tickfont": {"size": 11, "color": MUTED}, "nticks": 5,
            "fixedrange": True,
        }  # fmt: skip
        shapes.append(
            {
                "type": "line", "xref": cell.xaxis, "yref": f"{cell.yaxis} domain", "x0": bulan - 1,
                "x1": bulan - 1, "y0": 0, "y1": 1, "line": {"color": "#9aa5b1", "width": 1, "dash": "dot"},
                "layer": "below",
            }
        )  # fmt: skip
        if panel.highlight:
            shapes.append(
                {
                    "type": "rect", "xref": "paper", "yref": "paper", "x0": cell.x0 - 0.035, "x1": cell.x1 + 0.006,
                    "y0": cell.y0 - 20 / (rows * panel_height), "y1": min(cell.y1 + 30 / (rows * panel_height), 1.0),
                    "fillcolor": HIGHLIGHT_FILL,
                    "line": {"width": 0}, "layer": "below",
                }
            )  # fmt: skip
        title = _shorten(panel.title, title_chars)
        annotations.append(
            {
                "text": f"<b>{title}</b>" if panel.highlight else title, "x": cell.x0, "y": cell.y1,
                "xref": "paper", "yref": "paper", "xanchor": "left", "yanchor": "bottom", "yshift": 6,
                "showarrow": False, "font": {"size": 13}, "hovertext": panel.full_title or panel.title,
            }
        )  # fmt: skip
        if has_value:
            annotations.append(
                {
                    "text": f"<b>{format_pct(value)}</b>", "x": cell.x1, "y": cell.y1, "xref": "paper",
                    "yref": "paper", "xanchor": "right", "yanchor": "bottom", "yshift": 6, "showarrow": False,
                    "font": {"size": 13, "color": _readable_on_white(colour)},
                    "hovertext": f"{value_label} {months[bulan - 1]}: {format_pct(value)}",
                }
            )  # fmt: skip
        elif all(v is None for v in this_year):
            annotations.append(
                {
                    "text": t("tren.no_data", lang), "x": (cell.x0 + cell.x1) / 2, "y": (cell.y0 + cell.y1) / 2,
                    "xref": "paper", "yref": "paper", "showarrow": False, "font": {"size": 12, "color": MUTED},
                }
            )  # fmt: skip
    if shared_y and y_max > 0:
        for key in list(layout):
            if key.startswith("yaxis"):
                layout[key]["range"] = [0, y_max * 1.08]
                del layout[key]["rangemode"]
    layout = base_layout(
        height=rows * panel_height + 56,
        margin={"l": 52, "r": 12, "t": 44, "b": 8},
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": 1, "yref": "container", "yanchor": "top", "font": {"size": 13}},
        hovermode="x unified",
        annotations=annotations,
        shapes=shapes,
        **layout,
    )
    # One constructor call, unvalidated: validating ~50 traces and ~30 axes costs ten times more than the rest of
    # the callback. tests/test_charts.py re-validates the figures these builders make.
    return go.Figure(data=traces, layout=layout, _validate=VALIDATE)


def _readable_on_white(colour: str) -> str:
    """Status colours light enough to vanish as text on white (Kurang, Cukup, no data) get a darker shade."""
    darker = {STATUS_COLOURS["Kurang"]: "#4d7d1f", STATUS_COLOURS["Cukup"]: "#b35806", STATUS_COLOURS["NO_DATA"]: MUTED}
    return darker.get(colour, colour)


# ---------------------------------------------------------------------------------------------- PWS bars


def status_column(table: pd.DataFrame) -> str:
    """``status_target`` for target3 indicators (met / not met), else the classic ``status``."""
    rules = set(table["aturan_status"].dropna().astype(str)) if "aturan_status" in table else set()
    return "status_target" if rules == {"target3"} else "status"


def status_colours(column: str) -> Mapping[str, str]:
    return TARGET_STATUS_COLOURS if column == "status_target" else STATUS_COLOURS


def status_order(column: str) -> tuple[str, ...]:
    return tuple(TARGET_STATUS_COLOURS) if column == "status_target" else STATUS_ORDER


def status_label(status: str, lang: str | None = None) -> str:
    """The status as the user reads it (``NO_DATA`` → "Tanpa data"); the PWS words themselves stay."""
    keys = {
        "Baik": "baik", "Kurang": "kurang", "Cukup": "cukup", "Jelek": "jelek", "NO_DATA": "no_data",
        "Tercapai": "tercapai", "Tidak tercapai": "tidak_tercapai",
    }  # fmt: skip
    key = keys.get(str(status))
    return t(f"pws_page.status_{key}", lang) if key else str(status)


def trend_label(tren: Any, lang: str | None = None) -> str:
    """``↑ naik`` / ``→ tetap`` / ``↓ turun``; ``–`` when the trend is unknown."""
    arrows = {"naik": "↑", "tetap": "→", "turun": "↓"}
    if not isinstance(tren, str) or tren not in arrows:
        return "–"
    return f"{arrows[tren]} {t(f'pws_page.tren_{tren}', lang)}"


def pws_order(table: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The desa sorted as in the PWS chart: cumulative coverage from highest to lowest (no value last), then by
    name; only ``columns`` (those present) when given. Returns a new frame (the cached table is never touched)."""
    key = table["cakupan_kumulatif"].astype(float).fillna(-np.inf)
    order = np.lexsort((table["nama_desa"].astype(str).to_numpy(), -key.to_numpy()))
    if columns is not None:
        table = table[[c for c in dict.fromkeys(columns) if c in table.columns]]
    return table.iloc[order].reset_index(drop=True)


#: the desa table columns the PWS chart reads
CHART_COLUMNS = ("kode_desa", "nama_desa", "nama_puskesmas", "cakupan_kumulatif", "kumulatif", "sasaran",
                 "target_sd_bulan", "tren", "status", "status_target", "aturan_status", "jenis")  # fmt: skip


def pws_bar_chart(
    table: pd.DataFrame,
    aggregate: Mapping[str, Any] | None,
    *,
    aggregate_label: str,
    bulan: int,
    selected_desa: str | None = None,
    orientation: str | None = None,
    lang: str | None = None,
) -> go.Figure:
    """The classic PWS chart: one bar per desa (cumulative coverage, highest first) coloured by status, the
    target to date as a horizontal line and the area's own coverage (``aggregate``, a row of
    :func:`pws.service.aggregate_table`) as a second line.

    Up to :data:`VERTICAL_MAX_DESA` desa the bars stand (the classic look); more are drawn as horizontal bars,
    one row per desa, so that 120 names stay readable (the page scrolls the chart). Bars are categories keyed by
    ``kode_desa`` (two desa may share a name) with the names as tick labels."""
    rows = pws_order(table, CHART_COLUMNS)
    horizontal = (orientation or ("h" if len(rows) > VERTICAL_MAX_DESA else "v")) == "h"
    column = status_column(rows)
    colours = status_colours(column)
    prevalence = "jenis" in rows and set(rows["jenis"].dropna()) == {"prevalensi"}
    statuses = rows[column].fillna("NO_DATA").astype(str).to_numpy()
    codes = rows["kode_desa"].astype(str).tolist()
    names = rows["nama_desa"].astype(str).tolist()
    coverage = [None if pd.isna(v) else float(v) for v in rows["cakupan_kumulatif"]]
    bar_colours = [colours.get(s, colours["NO_DATA"]) for s in statuses]
    outline = [3 if c == selected_desa else 0 for c in codes]
    month = t(f"month.{bulan}", lang)
    hover = np.column_stack(
        [
            names,
            rows["nama_puskesmas"].astype(str).to_numpy(),
            [format_pct(v) for v in coverage],
            [f"{format_int(k) if not pd.isna(k) else '–'} / {format_number(s, 0)}"
             for k, s in zip(rows["kumulatif"], rows["sasaran"], strict=True)],
            [format_pct(v) for v in rows["target_sd_bulan"]],
            [status_label(s, lang) for s in statuses],
            [trend_label(v, lang) for v in rows["tren"]],
            codes,
        ]
    )  # fmt: skip
    template = (
        "<b>%{customdata[0]}</b> · %{customdata[1]}<br>"
        + t("pws_page.hover_nilai" if prevalence else "pws_page.hover_cakupan", lang)
        + ": <b>%{customdata[2]}</b> (%{customdata[3]})<br>"
        + t("pws_page.hover_target", lang, bulan=month) + ": %{customdata[4]}<br>"
        + t("pws_page.hover_status", lang) + ": %{customdata[5]} · " + t("pws_page.hover_tren", lang)
        + ": %{customdata[6]}<extra></extra>"
    )  # fmt: skip
    bar_values = [0.0 if v is None else v for v in coverage]
    text = [format_pct(v) for v in coverage]
    bar: dict[str, Any] = {
        "type": "bar", "name": t("pws_page.legend_desa", lang), "showlegend": False, "customdata": hover,
        "hovertemplate": template,
        "marker": {"color": bar_colours, "line": {"color": "#1f2933", "width": outline}}, "text": text,
        "textposition": "outside", "cliponaxis": False, "textfont": {"size": 11 if horizontal else 12},
    }  # fmt: skip
    if horizontal:
        traces = [{**bar, "x": bar_values, "y": codes, "orientation": "h"}]
    else:
        traces = [{**bar, "x": codes, "y": bar_values, "orientation": "v"}]
    # the legend: one entry per status present, in the fixed order
    present = set(statuses)
    traces += [
        {"type": "bar", "x": [None], "y": [None], "name": status_label(status, lang),
         "marker": {"color": colours[status]}, "showlegend": True, "hoverinfo": "skip"}
        for status in status_order(column)
        if status in present
    ]  # fmt: skip
    targets = rows["target_sd_bulan"].astype(float)
    target_line = _aggregate_value(aggregate, "target_sd_bulan")
    if target_line is None and targets.notna().any():
        target_line = float(targets.mean())
    aggregate_value = _aggregate_value(aggregate, "cakupan_kumulatif")
    lines = [
        (target_line, TARGET_LINE, "dash", t("pws_page.target_line", lang, bulan=month, nilai=format_pct(target_line))),
        (aggregate_value, AGGREGATE_LINE, "dot",
         t("pws_page.aggregate_line", lang, nama=aggregate_label, nilai=format_pct(aggregate_value))),
    ]  # fmt: skip
    shapes, annotations = _reference_lines([line for line in lines if line[0] is not None], horizontal)
    # desa whose own target differs from the line (targets per desa in target.csv) get a tick at their target
    if target_line is not None and targets.notna().any() and (targets - target_line).abs().max() > 1e-6:
        tick = {"type": "scatter", "mode": "markers", "name": t("pws_page.legend_target_desa", lang),
                "hoverinfo": "skip",
                "marker": {"symbol": "line-ew" if not horizontal else "line-ns", "size": 18,
                           "line": {"color": TARGET_LINE, "width": 2}}}  # fmt: skip
        values = [None if pd.isna(v) else float(v) for v in targets]
        traces.append({**tick, "x": values, "y": codes} if horizontal else {**tick, "x": codes, "y": values})
    top = max([*bar_values, target_line or 0.0, aggregate_value or 0.0])
    value_axis = {"ticksuffix": "%", "range": [0, max(top * 1.12, 10.0)], "gridcolor": "#e4e7eb", "zeroline": False,
                  "fixedrange": True}  # fmt: skip
    category_axis = {"type": "category", "tickvals": codes, "ticktext": names, "categoryorder": "array",
                     "categoryarray": codes, "fixedrange": True, "showgrid": False}  # fmt: skip
    if horizontal:
        layout = base_layout(
            height=max(22 * len(codes) + 110, 320),
            margin={"l": 150, "r": 24, "t": 96, "b": 24},
            xaxis={**value_axis, "side": "top"},
            yaxis={**category_axis, "autorange": "reversed", "tickfont": {"size": 12}},
            bargap=0.25,
        )
    else:
        layout = base_layout(
            height=470,
            margin={"l": 56, "r": 16, "t": 44, "b": 120},
            xaxis={**category_axis, "tickangle": -40, "tickfont": {"size": 12}},
            yaxis=value_axis,
            bargap=0.3,
        )
    layout.update(
        barmode="overlay",
        shapes=shapes,
        annotations=annotations,
        legend={"orientation": "h", "x": 0, "y": 1, "yref": "container", "yanchor": "top",
                "title": {"text": t("pws_page.legend_status", lang) + " "}},
        hovermode="closest",
    )  # fmt: skip
    return go.Figure(data=traces, layout=layout, _validate=VALIDATE)


def _reference_lines(
    lines: list[tuple[Any, str, str, str]], horizontal: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Shapes and labels of the target and aggregate lines. The higher line is labelled above (vertical bars) or
    to the right (horizontal bars) of itself and the lower one below / to the left, so close lines never collide."""
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    highest = max((float(v) for v, *_ in lines), default=0.0)
    for value, colour, dash, label in lines:
        upper = float(value) >= highest
        style = {"showarrow": False, "font": {"size": 12, "color": colour}, "bgcolor": "rgba(255,255,255,0.85)"}
        line = {"color": colour, "width": 2, "dash": dash}
        if horizontal:
            shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": value, "x1": value, "y0": 0, "y1": 1,
                           "line": line})  # fmt: skip
            annotations.append({"text": label, "x": value, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom",
                                "xanchor": "left" if upper else "right", "yshift": 22, **style})  # fmt: skip
        else:
            shapes.append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": value, "y1": value,
                           "line": line})  # fmt: skip
            annotations.append({"text": label, "x": 1, "y": value, "xref": "paper", "yref": "y", "xanchor": "right",
                                "yanchor": "bottom" if upper else "top", **style})  # fmt: skip
    return shapes, annotations


def _aggregate_value(aggregate: Mapping[str, Any] | None, column: str) -> float | None:
    if aggregate is None:
        return None
    value = aggregate.get(column)
    return None if value is None or pd.isna(value) else float(value)


# ---------------------------------------------------------------------------------------------- page helpers


@dataclass(frozen=True)
class Area:
    """The area a page shows: ``level`` and ``kode`` as :func:`pws.service.series` takes them."""

    level: str
    kode: str | None
    nama: str = ""
    puskesmas: str = ""


def area_of(wilayah: pd.DataFrame, puskesmas: str | None, desa: str | None) -> Area:
    """The desa if one is chosen, else the puskesmas, else the kabupaten (unknown codes fall back upwards)."""
    if desa:
        match = wilayah[wilayah["kode_desa"].astype(str) == str(desa)]
        if len(match):
            row = match.iloc[0]
            return Area("desa", str(desa), str(row["nama_desa"]), str(row["nama_puskesmas"]))
    if puskesmas:
        match = wilayah[wilayah["kode_puskesmas"].astype(str) == str(puskesmas)]
        if len(match):
            nama = str(match["nama_puskesmas"].iloc[0])
            return Area("puskesmas", str(puskesmas), nama, nama)
    return Area("kabupaten", None)


def lagging_first(aggregate: pd.DataFrame) -> list[tuple[str, str]]:
    """(kode, nama) of the rows of a puskesmas :func:`pws.service.aggregate_table`, furthest behind the target
    first (``kesenjangan`` ascending; it is negative when behind, whatever the indicator's direction), rows
    without a value last, ties by name."""
    gap = aggregate["kesenjangan"].astype(float).fillna(np.inf).to_numpy()
    order = np.lexsort((aggregate["nama"].astype(str).to_numpy(), gap))
    rows = aggregate.iloc[order]
    return list(zip(rows["kode"].astype(str), rows["nama"].astype(str), strict=True))
