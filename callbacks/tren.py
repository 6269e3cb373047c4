"""Tren page: the stage grid follows the shell's area and month; the per-puskesmas grid follows the shell's
indicator. A click on a small chart moves the shell's indicator (stage grid) or puskesmas (per-puskesmas grid)."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import Input, Output, State, callback, clientside_callback
from dash.exceptions import PreventUpdate

from layouts._ids import SHELL, TREN
from pws import auth, service
from pws.catalogue import Indicator
from pws.figures.charts import TRACES_PER_PANEL, Area, TrendPanel, area_of, lagging_first, trend_grid
from pws.i18n import current_lang, t


def _period(filters: dict | None) -> tuple[int, int, str]:
    if not filters or not filters.get("tahun") or not filters.get("bulan") or not filters.get("indikator"):
        raise PreventUpdate
    return int(filters["tahun"]), int(filters["bulan"]), str(filters["indikator"])


def _area_title(area: Area) -> str:
    if area.level == "desa":
        return t("tren.area_desa", nama=area.nama, puskesmas=area.puskesmas)
    if area.level == "puskesmas":
        return t("tren.area_puskesmas", nama=area.nama)
    if area.level == "per_kabupaten":
        return area.nama
    if service.is_province(service.current_workspace()):
        return t("provinsi.provinsi")
    return t("tren.area_kabupaten")


def _stage_indicators(stage: str | None) -> list[Indicator]:
    catalogue = service.workspace_data(service.current_workspace()).catalogue
    return catalogue.by_tahap(stage) if stage else []


def _panel_title(ind: Indicator, lang: str) -> str:
    name = ind.name(lang)
    return f"{name} ({t('tren.monthly_value')})" if ind.jenis == "prevalensi" else name


@callback(
    Output(TREN.stage_graph, "figure"),
    Output(TREN.title, "children"),
    Output(TREN.lead, "children"),
    Output(TREN.stage_codes, "data"),
    Input(SHELL.filters, "data"),
    Input(TREN.stage, "value"),
)
def update_stage_grid(filters: dict | None, stage: str | None) -> tuple[go.Figure, str, str, list[str]]:
    tahun, bulan, _ = _period(filters)
    ws = service.current_workspace()
    lang = current_lang()
    area = area_of(service.workspace_data(ws).wilayah, filters.get("puskesmas"), filters.get("desa"))  # type: ignore[union-attr]
    kab = filters.get("kabupaten")  # type: ignore[union-attr]
    if area.level == "kabupaten" and kab and service.is_province(ws):  # one kabupaten of a province
        names = service.kabupaten_list(ws).set_index("kode_kabupaten")["nama_kabupaten"]
        area = Area("per_kabupaten", kab, str(names.get(kab, kab)))
    indicators = _stage_indicators(stage)
    panels = [
        TrendPanel(
            title=_panel_title(ind, lang),
            full_title=f"{ind.kode} · {ind.name(lang)}",
            series=service.series(ws, tahun, ind.kode, area.level, area.kode),
            prevalence=ind.jenis == "prevalensi",
        )
        for ind in indicators
    ]
    title = t("tren.title", area=_area_title(area))
    lead = t("tren.lead", tahun=tahun, tahun_lalu=tahun - 1, bulan=t(f"month.{bulan}"))
    if not panels:
        return go.Figure(), title, t("tren.no_indicators"), []
    return trend_grid(panels, bulan, tahun, cols=3, lang=lang), title, lead, [ind.kode for ind in indicators]


@callback(
    Output(TREN.puskesmas_graph, "figure"),
    Output(TREN.puskesmas_title, "children"),
    Output(TREN.puskesmas_lead, "children"),
    Output(TREN.puskesmas_codes, "data"),
    Input(SHELL.filters, "data"),
)
def update_puskesmas_grid(filters: dict | None) -> tuple[go.Figure, str, str, list[str]]:
    tahun, bulan, indikator = _period(filters)
    ws = service.current_workspace()
    lang = current_lang()
    ind = service.workspace_data(ws).catalogue.indicators[indikator]
    chosen = filters.get("puskesmas")  # type: ignore[union-attr]
    level, order = "puskesmas", lagging_first(service.aggregate_table(ws, tahun, bulan, indikator, "puskesmas"))
    scope = auth.current_scope()  # a puskesmas user sees its own puskesmas only
    order = [(kode, nama) for kode, nama in order if scope is None or kode == scope]
    if scope is None and service.is_province(ws):  # a province: the chosen kabupaten's puskesmas, else its kabupaten
        kab = filters.get("kabupaten")  # type: ignore[union-attr]
        if kab:
            mine = {o["value"] for o in service.puskesmas_options(ws, kab)}
            order = [(kode, nama) for kode, nama in order if kode in mine]
        else:
            level, order = "per_kabupaten", lagging_first(service.kabupaten_table(ws, tahun, bulan, indikator))
    panels = [
        TrendPanel(
            title=nama,
            series=service.series(ws, tahun, indikator, level, kode),
            prevalence=ind.jenis == "prevalensi",
            highlight=kode == chosen,
        )
        for kode, nama in order
    ]
    fig = trend_grid(panels, bulan, tahun, cols=5, shared_y=True, panel_height=200, title_chars=20, lang=lang)
    title = t("tren.per_puskesmas_title", indikator=f"{ind.kode} · {ind.name(lang)}")
    lead = t("tren.per_puskesmas_lead", bulan=t(f"month.{bulan}"), tahun=tahun)
    return fig, title, lead, [kode for kode, _ in order] if level == "puskesmas" else []


# A click on a small chart chooses its indicator (stage grid) or puskesmas (per-puskesmas grid): the panel is the
# clicked trace's number // TRACES_PER_PANEL, its code is in the list stored beside the figure. Client side, so
# that the page's re-render on every filter change costs no extra server round trip.
CHOOSE_PANEL = f"""function (click, codes) {{
    const none = window.dash_clientside.no_update;
    if (!click || !click.points || !click.points.length || !codes) {{ return none; }}
    const code = codes[Math.floor(click.points[0].curveNumber / {TRACES_PER_PANEL})];
    return code === undefined ? none : code;
}}"""
clientside_callback(
    CHOOSE_PANEL,
    Output(SHELL.indicator, "value", allow_duplicate=True),
    Input(TREN.stage_graph, "clickData"),
    State(TREN.stage_codes, "data"),
    prevent_initial_call=True,
)
clientside_callback(
    CHOOSE_PANEL,
    Output(SHELL.puskesmas, "value", allow_duplicate=True),
    Input(TREN.puskesmas_graph, "clickData"),
    State(TREN.puskesmas_codes, "data"),
    prevent_initial_call=True,
)
