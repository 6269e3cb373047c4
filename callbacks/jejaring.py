"""Jejaring page: key figures, the desa without pustu/posyandu, the silent posyandu and the problems follow the
shell's tahun, bulan, puskesmas and desa; the recent values follow the posyandu dropdown (else every posyandu of the
shell's desa). A click on a desa row chooses the shell's desa, a click on a silent posyandu chooses that posyandu."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, no_update
from dash.exceptions import PreventUpdate

from layouts import jejaring as view
from layouts._ids import JEJARING, SHELL
from pws import service
from pws.config import Workspace
from pws.figures import network as nf
from pws.i18n import current_lang, t

HIDDEN = {"display": "none"}
SHOWN: dict[str, str] = {}
GRID = {"width": "100%"}


def _filters(filters: dict | None) -> tuple[int, int, str | None, str | None]:
    if not filters or not filters.get("tahun") or not filters.get("bulan"):
        raise PreventUpdate
    return int(filters["tahun"]), int(filters["bulan"]), filters.get("puskesmas") or None, filters.get("desa") or None


def posyandu_values(ws: Workspace, tahun: int) -> pd.DataFrame:
    """The posyandu-level values of ``tahun`` and the year before (the recent months may cross New Year)."""
    frames = [service.posyandu_values(ws, year) for year in (tahun - 1, tahun)]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else service.posyandu_values(ws, tahun)


def _scope_text(ws: Workspace, pkm: str | None, desa: str | None) -> str:
    wilayah = service.workspace_data(ws).wilayah
    if desa:
        names = wilayah.loc[wilayah["kode_desa"] == desa, "nama_desa"]
        return t("jejaring_page.lingkup_desa", nama=names.iloc[0] if len(names) else desa)
    if pkm:
        names = wilayah.loc[wilayah["kode_puskesmas"] == pkm, "nama_puskesmas"]
        return t("jejaring_page.lingkup_puskesmas", nama=names.iloc[0] if len(names) else pkm)
    return t("jejaring_page.lingkup_kabupaten")


def posyandu_options(units: pd.DataFrame, with_puskesmas: bool) -> list[dict[str, str]]:
    """Dropdown options: every active posyandu of the scope as "Name — Desa (Puskesmas)", by desa and name."""
    posyandu = units[units["jenis"] == "posyandu"].sort_values(["nama_desa", "nama"])
    return [
        {"label": f"{r.nama} — {r.nama_desa}" + (f" ({r.nama_puskesmas})" if with_puskesmas else ""),
         "value": str(r.kode_unit)}
        for r in posyandu.itertuples(index=False)
    ]  # fmt: skip


@callback(
    Output(JEJARING.lead, "children"),
    Output(JEJARING.empty, "children"),
    Output(JEJARING.summary, "children"),
    Output(JEJARING.network_part, "style"),
    Output(JEJARING.gaps, "rowData"),
    Output(JEJARING.gaps, "style"),
    Output(JEJARING.gaps_export, "style"),
    Output(JEJARING.gaps_shown, "children"),
    Output(JEJARING.by_puskesmas, "children"),
    Output(JEJARING.silent_part, "style"),
    Output(JEJARING.silent_title, "children"),
    Output(JEJARING.silent_note, "children"),
    Output(JEJARING.silent, "rowData"),
    Output(JEJARING.silent, "style"),
    Output(JEJARING.history_part, "style"),
    Output(JEJARING.posyandu, "options"),
    Output(JEJARING.posyandu, "value"),
    Output(JEJARING.problems_part, "style"),
    Output(JEJARING.problems_title, "children"),
    Output(JEJARING.problems, "children"),
    Output(JEJARING.drawn, "data"),
    Input(SHELL.filters, "data"),
    State(JEJARING.posyandu, "value"),
    State(JEJARING.drawn, "data"),
)
def update_page(filters: dict | None, chosen: str | None, drawn: dict | None) -> tuple[Any, ...]:
    tahun, bulan, pkm, desa = _filters(filters)
    ws = service.current_workspace()
    key = {"tahun": tahun, "bulan": bulan, "puskesmas": pkm, "desa": desa, "version": service.version(ws),
           "lang": current_lang()}  # fmt: skip
    if key == drawn:
        raise PreventUpdate  # another indikator: nothing here changes
    month = t(f"month.{bulan}")
    lead = t("jejaring_page.keterangan", lingkup=_scope_text(ws, pkm, desa), bulan=month, tahun=tahun)
    jejaring, issues = service.jejaring(ws)
    problems_title = t("jejaring_page.masalah_judul", n=len(issues))
    problems = view.problems_table(issues)
    problems_style = SHOWN if issues or len(jejaring) else HIDDEN
    if jejaring.empty:
        return (lead, view.empty_notice(str(ws.root.resolve())), [], HIDDEN, [], HIDDEN, HIDDEN, "", [], HIDDEN, "",
                "", [], HIDDEN, HIDDEN, [], None, problems_style, problems_title, problems, key)  # fmt: skip

    wilayah = service.workspace_data(ws).wilayah
    units = nf.in_scope(nf.active_units(jejaring, nf.month_end(tahun, bulan)), pkm, desa)
    by_desa = nf.in_scope(service.network_by_desa(ws, tahun, bulan), pkm, desa)
    reporting = nf.in_scope(service.posyandu_reporting(ws, tahun, bulan), pkm, desa)
    values = posyandu_values(ws, tahun)
    has_reports = not values.empty
    summary = nf.summary(units, by_desa, reporting)
    gaps = nf.gap_rows(by_desa, wilayah)
    silent = nf.unreported_rows(reporting, values, wilayah, tahun, bulan) if has_reports else None
    if silent is None:
        silent_note = t("jejaring_page.lapor_tanpa_data")
    elif silent.empty:
        silent_note = t("jejaring_page.lapor_semua")
    else:
        silent_note = t("jejaring_page.lapor_petunjuk")
    options = posyandu_options(units, with_puskesmas=not pkm)
    value: Any = no_update
    if chosen and chosen not in {o["value"] for o in options}:
        value = None
    return (
        lead,
        [],
        view.summary_tiles(summary, month, has_reports),
        SHOWN,
        nf.records(gaps),
        GRID if len(gaps) else HIDDEN,
        SHOWN if len(gaps) else HIDDEN,
        t("jejaring_page.celah_jumlah", n=len(gaps)) if len(gaps) else t("jejaring_page.celah_kosong"),
        view.by_puskesmas_table(nf.gaps_by_puskesmas(by_desa, wilayah)) if not desa else [],
        SHOWN,
        t("jejaring_page.lapor_judul", bulan=month, tahun=tahun),
        silent_note,
        nf.records(silent) if silent is not None else [],
        GRID if silent is not None and len(silent) else HIDDEN,
        SHOWN,
        options,
        value,
        problems_style,
        problems_title,
        problems,
        key,
    )


@callback(
    Output(JEJARING.history_note, "children"),
    Output(JEJARING.history_chart, "figure"),
    Output(JEJARING.history_chart, "style"),
    Output(JEJARING.history, "columnDefs"),
    Output(JEJARING.history, "rowData"),
    Output(JEJARING.history, "style"),
    Input(SHELL.filters, "data"),
    Input(JEJARING.posyandu, "value"),
)
def update_history(filters: dict | None, chosen: str | None) -> tuple[Any, ...]:
    """The chosen posyandu (its SKDN bars and its values month by month), else every posyandu of the shell's desa
    (values only)."""
    tahun, bulan, _pkm, desa = _filters(filters)
    ws = service.current_workspace()
    jejaring, _issues = service.jejaring(ws)
    if jejaring.empty:
        return "", no_update, HIDDEN, [], [], HIDDEN
    units = nf.active_units(jejaring, nf.month_end(tahun, bulan))
    posyandu = units[units["jenis"] == "posyandu"]
    if chosen:
        codes = [chosen]
    elif desa:
        codes = list(posyandu.loc[posyandu["kode_desa"] == desa].sort_values("nama")["kode_unit"].astype(str))
    else:
        return t("jejaring_page.riwayat_pilih_dulu"), no_update, HIDDEN, [], [], HIDDEN
    history = nf.posyandu_history(posyandu_values(ws, tahun), codes, tahun, bulan)
    months = [c for c in history.columns if c not in ("kode_unit", "posyandu", "indikator")]
    note = t("jejaring_page.riwayat_petunjuk", n=len(months), bulan=t(f"month.{bulan}"), tahun=tahun)
    if history.empty:
        return [note, " ", t("jejaring_page.riwayat_kosong")], no_update, HIDDEN, [], [], HIDDEN
    lang = current_lang()
    catalogue = service.workspace_data(ws).catalogue.indicators
    names = {code: (catalogue[code].name(lang) if code in catalogue else code) for code in history["indikator"]}
    rows = history.assign(nama_indikator=history["indikator"].map(names))
    rows = rows.assign(id=rows["kode_unit"].astype(str) + "/" + rows["indikator"].astype(str))
    figure: Any = no_update
    style = HIDDEN
    if chosen:
        figure = nf.history_chart(history, chosen, names, lang)
        style = SHOWN
    return note, figure, style, view.history_columns(months, lang), nf.records(rows), GRID


# A click on a desa without pustu/posyandu chooses the shell's desa; on a silent posyandu, that posyandu.
clientside_callback(
    """function (cell) {
        if (!cell || !cell.rowId) { return window.dash_clientside.no_update; }
        return cell.rowId;
    }""",
    Output(SHELL.desa, "value", allow_duplicate=True),
    Input(JEJARING.gaps, "cellClicked"),
    prevent_initial_call=True,
)
clientside_callback(
    """function (cell) {
        if (!cell || !cell.rowId) { return window.dash_clientside.no_update; }
        return cell.rowId;
    }""",
    Output(JEJARING.posyandu, "value", allow_duplicate=True),
    Input(JEJARING.silent, "cellClicked"),
    prevent_initial_call=True,
)


@callback(Output(JEJARING.gaps, "exportDataAsCsv"), Input(JEJARING.gaps_export, "n_clicks"), prevent_initial_call=True)
def export_gaps(_clicks: int | None) -> bool:
    return True


@callback(
    Output(JEJARING.silent, "exportDataAsCsv"), Input(JEJARING.silent_export, "n_clicks"), prevent_initial_call=True
)
def export_silent(_clicks: int | None) -> bool:
    return True


@callback(
    Output(SHELL.puskesmas, "value", allow_duplicate=True),
    Input({"type": JEJARING.pick, "kode": ALL}, "n_clicks"),
    State(SHELL.filters, "data"),
    prevent_initial_call=True,
)
def pick_puskesmas(_clicks: list, filters: dict | None) -> str | None:
    """A puskesmas of the per-puskesmas table chooses it; the chosen one again goes back to all."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate  # a button that just appeared, not a click
    kode = str(trigger.get("kode") or "")
    if not kode:
        raise PreventUpdate
    return None if (filters or {}).get("puskesmas") == kode else kode
