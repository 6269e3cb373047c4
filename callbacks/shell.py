"""The global filters and the URL.

* ``sync_filters`` (server): on page load and on back/forward the URL's query sets the dropdowns; a dropdown
  change is validated (unknown values fall back, a desa brings its puskesmas) and published as one dict in the
  ``shell-filters`` store that every page reads. The desa options travel with the puskesmas so that a desa in a
  link is never dropped for lack of its option.
* ``write_url`` (browser): writes the filters into the address bar with ``history.pushState`` — a link then
  reproduces the view and the back button steps through earlier views — without telling Dash's page router,
  so a filter change updates the page's figures instead of rebuilding the whole page. The menu links carry the
  same query.
"""

from __future__ import annotations

from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, no_update

from layouts._ids import SHELL
from pws import service, viewstate


@callback(
    Output(SHELL.year, "value"),
    Output(SHELL.month, "value"),
    Output(SHELL.indicator, "value"),
    Output(SHELL.puskesmas, "value"),
    Output(SHELL.desa, "value"),
    Output(SHELL.desa, "options"),
    Output(SHELL.filters, "data"),
    Output(SHELL.kabupaten, "value"),
    Output(SHELL.puskesmas, "options"),
    Input(SHELL.url, "search"),
    Input(SHELL.year, "value"),
    Input(SHELL.month, "value"),
    Input(SHELL.indicator, "value"),
    Input(SHELL.puskesmas, "value"),
    Input(SHELL.desa, "value"),
    Input(SHELL.kabupaten, "value"),
    State(SHELL.filters, "data"),
)
def sync_filters(  # type: ignore[no-untyped-def,unused-ignore]
    search: str | None,
    tahun: int,
    bulan: int,
    indikator: str,
    puskesmas: str | None,
    desa: str | None,
    kabupaten: str | None,
    published: dict | None,
):
    ws = service.current_workspace()
    before_kab = (published or {}).get("kabupaten")
    if ctx.triggered_id in (None, SHELL.url):
        state = viewstate.from_query(ws, search)
        if ctx.triggered_id is None or published is None:  # page load
            first = service.desa_options(ws, state.puskesmas)
            pkm_options = service.puskesmas_options(ws, state.kabupaten)
            return (state.tahun, state.bulan, state.indikator, state.puskesmas, state.desa, first, state.as_dict(),
                    state.kabupaten, pkm_options)  # fmt: skip
        # back/forward, or the browser echoing the URL the filters just wrote: change only what differs
        shown = (tahun, bulan, indikator, puskesmas, desa)
        wanted = (state.tahun, state.bulan, state.indikator, state.puskesmas, state.desa)
        updates = [w if w != s else no_update for s, w in zip(shown, wanted, strict=True)]
        changed_pkm = state.puskesmas != (published or {}).get("puskesmas")
        options = service.desa_options(ws, state.puskesmas) if changed_pkm else no_update
        data = state.as_dict() if state.as_dict() != published else no_update
        kab_changed = state.kabupaten != before_kab
        kab_update = state.kabupaten if state.kabupaten != kabupaten else no_update
        new_options = service.puskesmas_options(ws, state.kabupaten) if kab_changed else no_update
        return (*updates, options, data, kab_update, new_options)
    if ctx.triggered_id == SHELL.puskesmas and desa is not None and service.puskesmas_of(ws, desa) != puskesmas:
        desa = None
    if ctx.triggered_id == SHELL.kabupaten and puskesmas and service.kabupaten_of_puskesmas(ws, puskesmas) != kabupaten:
        puskesmas, desa = None, None  # another kabupaten (or the whole province): its puskesmas no longer apply
    raw = {"tahun": tahun, "bulan": bulan, "indikator": indikator, "puskesmas": puskesmas, "desa": desa,
           "kabupaten": kabupaten}  # fmt: skip
    state = viewstate.validated(ws, raw)
    before = (published or {}).get("puskesmas")
    return (
        no_update,
        no_update,
        no_update,
        state.puskesmas if state.puskesmas != puskesmas else no_update,
        state.desa if state.desa != desa else no_update,
        service.desa_options(ws, state.puskesmas) if state.puskesmas != before else no_update,
        state.as_dict() if state.as_dict() != published else no_update,
        state.kabupaten if state.kabupaten != kabupaten else no_update,
        service.puskesmas_options(ws, state.kabupaten) if state.kabupaten != before_kab else no_update,
    )


clientside_callback(
    ClientsideFunction(namespace="pws", function_name="writeUrl"),
    Output({"type": SHELL.nav_link, "page": ALL}, "href"),
    Input(SHELL.filters, "data"),
    State({"type": SHELL.nav_link, "page": ALL}, "id"),
)


@callback(Output(SHELL.alert, "children"), Input(SHELL.alert_close, "n_clicks"), prevent_initial_call=True)
def close_alert(_clicks: int | None) -> list:
    return []
