"""Colours and number formats shared by maps, charts and exports."""

from __future__ import annotations

#: qualitative palette for puskesmas (colour-blind friendly, 12 colours: Paul Tol's "muted" + extras)
PUSKESMAS_PALETTE = [
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77",
    "#CC6677", "#882255", "#AA4499", "#6699CC", "#E69F00", "#56B4E9",
]  # fmt: skip
OUTLINE_KECAMATAN = "#222222"
OUTLINE_DESA = "#ffffff"
NO_DATA = "#c8c8c8"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"


def format_int(value: float) -> str:
    """Indonesian thousands grouping: 12345 -> '12.345'."""
    return f"{value:,.0f}".replace(",", ".")
