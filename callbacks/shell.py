"""The global filters and the URL: one callback keeps the dropdowns, the query string and the published
``shell-filters`` store in step (a circular callback: the URL sets the dropdowns on load and on back/forward,
the dropdowns rewrite the URL). Plus the menu links that carry the filters, the desa list of the chosen
puskesmas and the error alert's close button."""

from __future__ import annotations

from dash import ALL, Input, Output, State, callback, ctx, no_update

from layouts._ids import SHELL
from pws import service, viewstate


@callback(
    Output(SHELL.year, "value"),
    Output(SHELL.month, "value"),
    Output(SHELL.indicator, "value"),
    Output(SHELL.puskesmas, "value"),
    Output(SHELL.desa, "value"),
    Output(SHELL.url, "search"),
    Output(SHELL.filters, "data"),
    Input(SHELL.url, "search"),
    Input(SHELL.year, "value"),
    Input(SHELL.month, "value"),
    Input(SHELL.indicator, "value"),
    Input(SHELL.puskesmas, "value"),
    Input(SHELL.desa, "value"),
)
def sync_filters(search: str | None, tahun: int, bulan: int, indikator: str, puskesmas: str | None, desa: str | None):  # type: ignore[no-untyped-def,unused-ignore]
    ws = service.current_workspace()
    if ctx.triggered_id in (None, SHELL.url):
        state = viewstate.from_query(ws, search)
        return state.tahun, state.bulan, state.indikator, state.puskesmas, state.desa, no_update, state.as_dict()
    if ctx.triggered_id == SHELL.puskesmas and desa is not None:
        desa = None if service.puskesmas_of(ws, desa) != puskesmas else desa
    raw = {"tahun": tahun, "bulan": bulan, "indikator": indikator, "puskesmas": puskesmas, "desa": desa}
    state = viewstate.validated(ws, raw)
    return (
        no_update,
        no_update,
        no_update,
        state.puskesmas if state.puskesmas != puskesmas else no_update,
        state.desa if state.desa != desa else no_update,
        state.to_query(),
        state.as_dict(),
    )


@callback(
    Output({"type": SHELL.nav_link, "page": ALL}, "href"),
    Input(SHELL.url, "search"),
    State({"type": SHELL.nav_link, "page": ALL}, "id"),
)
def carry_filters_in_menu(search: str | None, ids: list[dict]) -> list[str]:
    return [f"{i['page']}{search or ''}" for i in ids]


@callback(Output(SHELL.desa, "options"), Input(SHELL.puskesmas, "value"))
def desa_options(puskesmas: str | None) -> list[dict[str, str]]:
    return service.desa_options(service.current_workspace(), puskesmas)


@callback(Output(SHELL.alert, "children"), Input(SHELL.alert_close, "n_clicks"), prevent_initial_call=True)
def close_alert(_clicks: int | None) -> list:
    return []
