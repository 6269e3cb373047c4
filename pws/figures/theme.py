"""Colours and number formats shared by maps, charts, tables and exports: one place, so that a status has the
same colour on every page and in every export, and every number is written the Indonesian way (``45,5%``)."""

from __future__ import annotations

import math
from typing import Any

#: qualitative palette for puskesmas (colour-blind friendly, 12 colours: Paul Tol's "muted" + extras)
PUSKESMAS_PALETTE = [
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77",
    "#CC6677", "#882255", "#AA4499", "#6699CC", "#E69F00", "#56B4E9",
]  # fmt: skip
OUTLINE_KECAMATAN = "#222222"
OUTLINE_DESA = "#ffffff"
NO_DATA = "#c8c8c8"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"
INK = "#1f2933"
MUTED = "#52606d"
BRAND = "#0b6e4f"
TARGET_LINE = "#1f2933"
LAST_YEAR = "#9aa5b1"

#: PWS status -> colour. Above the target: greens (Baik dark, Kurang light); below: orange (Cukup, improving)
#: and red (Jelek); grey for no data. Same order everywhere: :data:`STATUS_ORDER`.
STATUS_COLOURS = {
    "Baik": "#1a9641",
    "Kurang": "#a6d96a",
    "Cukup": "#fdae61",
    "Jelek": "#d7191c",
    "NO_DATA": NO_DATA,
}
STATUS_ORDER = ("Baik", "Kurang", "Cukup", "Jelek", "NO_DATA")
#: the three-state verdict of target3 indicators (status_target) in the same colours
TARGET_STATUS_COLOURS = {"Tercapai": "#1a9641", "Tidak tercapai": "#d7191c", "NO_DATA": NO_DATA}

#: fixed classes of cumulative coverage (percent, lower bound inclusive) and their colours (sequential, YlGnBu)
COVERAGE_BREAKS = (0.0, 20.0, 40.0, 60.0, 80.0, 100.0)
COVERAGE_COLOURS = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")


def coverage_class(value: float | None) -> int | None:
    """Index into :data:`COVERAGE_COLOURS` of a coverage in percent (None for no value)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    index = 0
    for i, lower in enumerate(COVERAGE_BREAKS):
        if value >= lower:
            index = i
    return index


def coverage_class_label(index: int) -> str:
    """``"40–<60%"`` style label of a coverage class; the last one is ``"≥100%"``."""
    lower = COVERAGE_BREAKS[index]
    if index == len(COVERAGE_BREAKS) - 1:
        return f"≥{format_number(lower, 0)}%"
    return f"{format_number(lower, 0)}–<{format_number(COVERAGE_BREAKS[index + 1], 0)}%"


def _missing(value: Any) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def format_int(value: float) -> str:
    """Indonesian thousands grouping: 12345 -> '12.345'."""
    return f"{value:,.0f}".replace(",", ".")


def format_number(value: Any, decimals: int = 1, empty: str = "–") -> str:
    """Indonesian decimal comma and thousands dot: 12345.67 -> '12.345,7'; ``empty`` for a missing value."""
    if _missing(value):
        return empty
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_pct(value: Any, decimals: int = 1, empty: str = "–") -> str:
    """A percentage the Indonesian way: 45.5 -> '45,5%'."""
    return empty if _missing(value) else f"{format_number(value, decimals)}%"


def format_pp(value: Any, decimals: int = 1, empty: str = "–") -> str:
    """A difference in percentage points with its sign: -3.25 -> '−3,3', 2 -> '+2,0'."""
    if _missing(value):
        return empty
    sign = "+" if float(value) > 0 else ("−" if float(value) < 0 else "")
    return f"{sign}{format_number(abs(float(value)), decimals)}"


#: plotly ``layout.separators``: decimal comma, thousands dot (axis ticks and hover numbers)
SEPARATORS = ",."


def base_layout(**extra: Any) -> dict[str, Any]:
    """Layout defaults of every chart: font, Indonesian separators, white background, small margins."""
    layout: dict[str, Any] = {
        "font": {"family": FONT, "color": INK, "size": 13},
        "separators": SEPARATORS,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 48, "r": 16, "t": 36, "b": 40},
        "hoverlabel": {"font": {"family": FONT}},
    }
    layout.update(extra)
    return layout
