"""Kualitas data page: the overview (key figures, score cards, completeness matrix, indicator completeness) and the
findings grid follow the shell's tahun, bulan and puskesmas; the check dropdown narrows the grid; a click on a score
card or a matrix row chooses the shell's puskesmas (again: all puskesmas)."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, no_update
from dash.exceptions import PreventUpdate

from layouts import kualitas as view
from layouts._ids import KUALITAS, SHELL
from pws import service
from pws.i18n import current_lang, t
from pws.quality.marks import findings_rows, indicator_month, score_cards


def _filters(filters: dict | None) -> tuple[int, int, str | None]:
    if not filters or not filters.get("tahun") or not filters.get("bulan"):
        raise PreventUpdate
    return int(filters["tahun"]), int(filters["bulan"]), filters.get("puskesmas") or None


#: the overview's outputs of the last views (a month or puskesmas shown again is not rebuilt)
_OVERVIEWS: OrderedDict[str, tuple[Any, ...]] = OrderedDict()
_OVERVIEWS_KEPT = 16


def _view(tahun: int, bulan: int, pkm: str | None) -> dict[str, Any]:
    """What the page shows depends on these only (the shell's indikator and desa do not change it)."""
    ws = service.current_workspace()
    return {"tahun": tahun, "bulan": bulan, "puskesmas": pkm, "version": service.version(ws), "lang": current_lang()}


def _period(bulan: int, tahun: int, short: bool = False) -> str:
    """ "Januari–Oktober 2025" ("Jan–Okt" when ``short``)."""
    first, last = t("month.1"), t(f"month.{bulan}")
    if short:
        return last[:3] if bulan == 1 else f"{first[:3]}–{last[:3]}"
    return f"{last} {tahun}" if bulan == 1 else f"{first}–{last} {tahun}"


@callback(
    Output(KUALITAS.lead, "children"),
    Output(KUALITAS.summary, "children"),
    Output(KUALITAS.scores, "children"),
    Output(KUALITAS.matrix, "children"),
    Output(KUALITAS.indicators, "children"),
    Output(KUALITAS.drawn, "data"),
    Input(SHELL.filters, "data"),
    State(KUALITAS.drawn, "data"),
)
def update_overview(filters: dict | None, drawn: dict | None) -> tuple[Any, ...]:
    tahun, bulan, pkm = _filters(filters)
    view_key = _view(tahun, bulan, pkm)
    if view_key == drawn:
        raise PreventUpdate  # another indikator or desa: nothing here changes
    cache_key = json.dumps(view_key, sort_keys=True)
    if cache_key in _OVERVIEWS:
        return (*_OVERVIEWS[cache_key], view_key)
    ws = service.current_workspace()
    report = service.quality_report(ws, tahun, bulan, pkm)
    assert report is not None
    data = service.workspace_data(ws)
    lang = current_lang()
    scope = t("kualitas.lingkup_kabupaten")
    if pkm:
        names = data.wilayah.loc[data.wilayah["kode_puskesmas"] == pkm, "nama_puskesmas"]
        scope = t("kualitas.lingkup_puskesmas", nama=names.iloc[0] if len(names) else pkm)
    period = _period(bulan, tahun)
    lead = t("kualitas.keterangan", periode=period, lingkup=scope)
    cards = score_cards(report)
    indicator_names = {code: ind.name(lang) for code, ind in data.catalogue.indicators.items()}
    month = t(f"month.{bulan}")
    weights = {d: report.settings.weight(d) for d in view.DIMENSIONS}
    by_month = report.completeness_by_month()
    parts = (
        lead,
        view.summary(report, by_month, cards),
        view.score_cards(cards, month, weights),
        view.matrix(report, by_month),
        view.indicators(indicator_month(report, bulan), indicator_names, month, _period(bulan, tahun, short=True)),
    )
    _OVERVIEWS[cache_key] = parts
    while len(_OVERVIEWS) > _OVERVIEWS_KEPT:
        _OVERVIEWS.popitem(last=False)
    return (*parts, view_key)


@callback(
    Output(KUALITAS.grid, "rowData"),
    Output(KUALITAS.check, "options"),
    Output(KUALITAS.check, "value"),
    Output(KUALITAS.listed, "data"),
    Input(SHELL.filters, "data"),
    Input(KUALITAS.check, "value"),
    State(KUALITAS.listed, "data"),
)
def update_findings(filters: dict | None, check: str | None, listed: dict | None) -> tuple[Any, ...]:
    tahun, bulan, pkm = _filters(filters)
    if {**_view(tahun, bulan, pkm), "check": check} == listed:
        raise PreventUpdate  # another indikator or desa: the same findings
    ws = service.current_workspace()
    report = service.quality_report(ws, tahun, bulan, pkm)
    assert report is not None
    options = view.check_options(report)
    value: Any = no_update
    if check and check not in {o["value"] for o in options}:
        check = value = None  # the check has no finding in this view: show them all
    rows = findings_rows(report, service.store(ws).files(), check, current_lang())
    return rows, options, value, {**_view(tahun, bulan, pkm), "check": check}


@callback(
    Output(SHELL.puskesmas, "value", allow_duplicate=True),
    Input({"type": KUALITAS.pick, "kode": ALL, "asal": ALL}, "n_clicks"),
    State(SHELL.filters, "data"),
    prevent_initial_call=True,
)
def pick_puskesmas(_clicks: list, filters: dict | None) -> str | None:
    """A score card or a matrix row chooses its puskesmas; the chosen one again goes back to all."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate  # a button that just appeared, not a click
    kode = str(trigger.get("kode") or "")
    if not kode:
        raise PreventUpdate
    return None if (filters or {}).get("puskesmas") == kode else kode


clientside_callback(
    """function (shown, all, template) {
        if (!all || !template) { return ''; }
        const n = shown ? shown.length : all.length;
        const fmt = (x) => x.toLocaleString('id-ID');
        return template.replace('{n}', fmt(n)).replace('{total}', fmt(all.length));
    }""",
    Output(KUALITAS.shown, "children"),
    Input(KUALITAS.grid, "virtualRowData"),
    Input(KUALITAS.grid, "rowData"),
    State(KUALITAS.shown_template, "data"),
)
