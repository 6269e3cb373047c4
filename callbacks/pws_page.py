"""PWS page: chart, table and totals follow the shell filters (scope = the shell's puskesmas, else the kabupaten);
the quick filter and the CSV export act on the grid; a click on a bar or a row chooses the shell's desa. A desa
whose value failed a data-quality check shows "⚠" in its status cell with the findings as the cell's tooltip: at
once when the month's quality report is cached, else from :func:`mark_table` once it is computed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from dash import Input, Output, Patch, State, callback, clientside_callback, html, no_update
from dash.exceptions import PreventUpdate

from layouts._ids import PWS, SHELL
from layouts.pws_page import POSYANDU_LEVEL
from pws import service
from pws.figures import network as nf
from pws.figures.charts import DESA_CODE, pws_bar_chart, status_colours, status_column, status_label, status_order
from pws.figures.pwstable import TOTAL_ROW_ID, column_defs, row_data, totals_row
from pws.figures.theme import format_pct
from pws.i18n import current_lang, t
from pws.mapdata import kabupaten_map_frame
from pws.quality.marks import indicator_marks

#: up to this many rows the grid grows with its rows; more rows scroll inside a fixed height
AUTO_HEIGHT_ROWS = 15
GRID_HEIGHT = "560px"


@dataclass(frozen=True)
class Scope:
    rows: pd.DataFrame  # the desa of the scope (rows of the cached table: never modify)
    aggregate: dict[str, Any] | None  # its row of service.aggregate_table
    name: str  # the puskesmas' name, or "Kabupaten"
    text: str  # "Puskesmas X" / "Seluruh kabupaten"
    whole: bool  # the whole kabupaten


def _scope(filters: dict) -> Scope:
    """The shell's puskesmas, or the whole kabupaten when none (or an unknown one) is chosen."""
    ws = service.current_workspace()
    tahun, bulan, indikator = int(filters["tahun"]), int(filters["bulan"]), str(filters["indikator"])
    table = service.table(ws, tahun, bulan, indikator)
    pkm = filters.get("puskesmas")
    if pkm:
        rows = table[table["kode_puskesmas"] == pkm]
        agg = service.aggregate_table(ws, tahun, bulan, indikator, "puskesmas")
        match = agg[agg["kode"] == pkm]
        if len(rows) and len(match):
            nama = str(match["nama"].iloc[0])
            return Scope(rows, match.iloc[0].to_dict(), nama, t("pws_page.scope_puskesmas", nama=nama), False)
    province = _province_scope(filters, table)
    if province is not None:
        return province
    agg = service.aggregate_table(ws, tahun, bulan, indikator, "kabupaten")
    record = agg.iloc[0].to_dict() if len(agg) else None
    return Scope(table, record, t("ui.kabupaten"), t("pws_page.scope_kabupaten"), True)


def _province_scope(filters: dict, table: pd.DataFrame) -> Scope | None:
    """In a province: the desa of the chosen kabupaten, else one row per kabupaten (desa rows only inside a
    kabupaten or puskesmas); None in a single-kabupaten workspace."""
    ws = service.current_workspace()
    if not service.is_province(ws):
        return None
    tahun, bulan, indikator = int(filters["tahun"]), int(filters["bulan"]), str(filters["indikator"])
    per_kab = service.kabupaten_table(ws, tahun, bulan, indikator)
    kab = filters.get("kabupaten")
    match = per_kab[per_kab["kode"] == kab] if kab else per_kab.iloc[0:0]
    if len(match):
        mine = service.map_scope(ws, kab)
        codes = set(mine.wilayah["kode_desa"]) if mine is not None else set()
        nama = str(match["nama"].iloc[0])
        rows = table[table["kode_desa"].isin(codes)]
        return Scope(rows, match.iloc[0].to_dict(), nama, nama, True)
    rows = kabupaten_map_frame(per_kab).assign(nama_puskesmas="")
    agg = service.aggregate_table(ws, tahun, bulan, indikator, "kabupaten")
    record = agg.iloc[0].to_dict() if len(agg) else None
    return Scope(rows, record, t("provinsi.provinsi"), t("provinsi.scope_provinsi"), False)


def _kabupaten_header(columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The grid's columns with the desa name column titled "Kabupaten/Kota" (rows are kabupaten)."""
    out = []
    for column in columns:
        if "children" in column:
            column = {**column, "children": _kabupaten_header(column["children"])}
        elif column.get("field") == "nama_desa":
            column = {**column, "headerName": t("provinsi.filter_kabupaten")}
        out.append(column)
    return out


def _marks(filters: dict, wait: bool) -> dict[str, list[str]] | None:
    """Desa code → messages of the data-quality findings about the shown value; None when the month's report is
    not cached and ``wait`` is False."""
    ws = service.current_workspace()
    tahun, bulan = int(filters["tahun"]), int(filters["bulan"])
    report = service.quality_report(ws, tahun, bulan, wait=wait)
    if report is None:
        return None
    indicator = service.workspace_data(ws).catalogue.indicators[str(filters["indikator"])]
    return indicator_marks(report, indicator, bulan)


def _counts(rows: pd.DataFrame, lang: str) -> list[html.Span]:
    column = status_column(rows)
    colours = status_colours(column)
    counts = rows[column].fillna("NO_DATA").astype(str).value_counts()
    return [
        html.Span(
            [html.Span(className="pws-swatch", style={"backgroundColor": colours[s]}), status_label(s, lang),
             html.B(f" {int(counts.get(s, 0))}")],
            className="pws-count",
        )
        for s in status_order(column)
        if counts.get(s, 0)
    ]  # fmt: skip


@callback(
    Output(PWS.chart, "figure"),
    Output(PWS.chart_box, "className"),
    Output(PWS.title, "children"),
    Output(PWS.lead, "children"),
    Output(PWS.counts, "children"),
    Output(PWS.hint, "children"),
    Output(PWS.grid, "columnDefs"),
    Output(PWS.grid, "rowData"),
    Output(PWS.grid, "dashGridOptions"),
    Output(PWS.grid, "style"),
    Output(PWS.grid, "csvExportParams"),
    Output(PWS.grid, "rowClassRules"),
    Input(SHELL.filters, "data"),
)
def update_page(filters: dict | None) -> tuple[Any, ...]:
    if not filters or not filters.get("indikator"):
        raise PreventUpdate
    ws = service.current_workspace()
    lang = current_lang()
    tahun, bulan = int(filters["tahun"]), int(filters["bulan"])
    ind = service.workspace_data(ws).catalogue.indicators[str(filters["indikator"])]
    scope = _scope(filters)
    rows, aggregate = scope.rows, scope.aggregate
    columns = column_defs(ind.jenis, show_puskesmas=scope.whole, lang=lang)
    if service.is_province(ws) and not filters.get("kabupaten") and not filters.get("puskesmas"):
        columns = _kabupaten_header(columns)
    desa = filters.get("desa")
    fig = pws_bar_chart(rows, aggregate, aggregate_label=scope.name, bulan=bulan, selected_desa=desa, lang=lang)
    horizontal = bool(fig.data) and fig.data[0].orientation == "h"
    target = aggregate.get("target_sd_bulan") if aggregate else None
    lead = t("pws_page.lead", scope=scope.text, bulan=t(f"month.{bulan}"), tahun=tahun, target=format_pct(target))
    options = Patch()
    total = totals_row(aggregate, t("pws_page.total"), scope.name if scope.whole else "", lang) if aggregate else None
    options["pinnedBottomRowData"] = [total] if total else []
    options["domLayout"] = "autoHeight" if len(rows) <= AUTO_HEIGHT_ROWS else "normal"
    style = {"width": "100%"} if len(rows) <= AUTO_HEIGHT_ROWS else {"width": "100%", "height": GRID_HEIGHT}
    csv = {
        "columnSeparator": ";",
        "skipColumnGroupHeaders": True,
        "fileName": f"PWS_{ind.kode}_{tahun}-{bulan:02d}_{scope.name}.csv".replace(" ", "_"),
        # names from users' files never become formulas in Excel (layouts/assets/aman.js, the rule of pws.safety)
        "processCellCallback": {"function": "pwsCsvCell(params)"},
    }
    chosen = {"pws-row-chosen": f"params.data && params.data.kode_desa === {json.dumps(desa)}"} if desa else {}
    return (
        fig,
        "pws-chart-box pws-chart-scroll" if horizontal else "pws-chart-box",
        t("pws_page.title", indikator=ind.name(lang)),
        lead,
        _counts(rows, lang),
        t("pws_page.chart_hint_prevalensi" if ind.jenis == "prevalensi" else "pws_page.chart_hint"),
        columns,
        row_data(rows, lang, _marks(filters, wait=False)),
        options,
        style,
        csv,
        chosen,
    )


@callback(
    Output(PWS.grid, "rowTransaction"),
    Input(PWS.lead, "children"),
    State(SHELL.filters, "data"),
)
def mark_table(_lead: Any, filters: dict | None) -> dict:
    """After the table is drawn (its lead changes with it): the rows of the desa whose value failed a data-quality
    check again, with their findings, once the month's report is there (the table never waits for it)."""
    if not filters or not filters.get("indikator"):
        raise PreventUpdate
    marks = _marks(filters, wait=True)
    if not marks:
        raise PreventUpdate
    rows = _scope(filters).rows
    flagged = rows[rows["kode_desa"].isin(list(marks))]
    if flagged.empty:
        raise PreventUpdate
    return {"update": row_data(flagged, current_lang(), marks), "async": False}


@callback(
    Output(PWS.grid, "dashGridOptions", allow_duplicate=True),
    Input(PWS.quick_filter, "value"),
    prevent_initial_call=True,
)
def quick_filter(text: str | None) -> Patch:
    options = Patch()
    options["quickFilterText"] = text or ""
    return options


@callback(Output(PWS.grid, "exportDataAsCsv"), Input(PWS.export, "n_clicks"), prevent_initial_call=True)
def export_csv(_clicks: int | None) -> bool:
    return True


clientside_callback(
    """function (shown, all, template) {
        if (!all || !template) { return ''; }
        const n = shown ? shown.length : all.length;
        const fmt = (x) => x.toLocaleString('id-ID');
        return template.replace('{n}', fmt(n)).replace('{total}', fmt(all.length));
    }""",
    Output(PWS.shown, "children"),
    Input(PWS.grid, "virtualRowData"),
    Input(PWS.grid, "rowData"),
    State(PWS.shown_template, "data"),
)


# A click on a row or a bar chooses the shell's desa, client side (no server round trip; the shell validates it).
clientside_callback(
    f"""function (cell) {{
        if (!cell || !cell.rowId || String(cell.rowId).endsWith('{TOTAL_ROW_ID}')) {{
            return window.dash_clientside.no_update;
        }}
        return cell.rowId;
    }}""",
    Output(SHELL.desa, "value", allow_duplicate=True),
    Input(PWS.grid, "cellClicked"),
    prevent_initial_call=True,
)
clientside_callback(
    f"""function (click) {{
        const p = click && click.points && click.points[0];
        if (!p || !p.customdata) {{ return window.dash_clientside.no_update; }}
        return p.customdata[{DESA_CODE}];
    }}""",
    Output(SHELL.desa, "value", allow_duplicate=True),
    Input(PWS.chart, "clickData"),
    prevent_initial_call=True,
)


# ---------------------------------------------------------------------------------------------- posyandu view
@callback(
    Output(PWS.level_part, "style"),
    Output(PWS.desa_part, "style"),
    Output(PWS.posyandu_part, "style"),
    Output(PWS.posyandu, "options"),
    Output(PWS.posyandu, "value"),
    Output(PWS.posyandu_lead, "children"),
    Output(PWS.posyandu_grid, "columnDefs"),
    Output(PWS.posyandu_grid, "rowData"),
    Input(SHELL.filters, "data"),
    Input(PWS.level, "value"),
    Input(PWS.posyandu, "value"),
)
def update_posyandu(filters: dict | None, level: str | None, chosen: str | None) -> tuple[Any, ...]:
    """For an indicator reported per posyandu: the level switch, and at the posyandu level one row per posyandu of
    the scope (the shell's desa, else its puskesmas, else all) or of the chosen posyandu. Hidden otherwise."""
    if not filters or not filters.get("indikator"):
        raise PreventUpdate
    ws = service.current_workspace()
    tahun, bulan, indikator = int(filters["tahun"]), int(filters["bulan"]), str(filters["indikator"])
    pkm, desa = filters.get("puskesmas") or None, filters.get("desa") or None
    values = service.posyandu_values(ws, tahun)
    hidden: dict[str, str] = {"display": "none"}
    shown: dict[str, str] = {}
    if indikator not in nf.posyandu_indicators(values):
        return hidden, shown, hidden, [], None if chosen else no_update, "", [], []
    if level != POSYANDU_LEVEL:
        return shown, shown, hidden, no_update, no_update, no_update, no_update, no_update
    jejaring, _issues = service.jejaring(ws)
    wilayah = service.workspace_data(ws).wilayah
    units = nf.in_scope(nf.active_units(jejaring, nf.month_end(tahun, bulan)), pkm, desa)
    mine = values[values["indikator"].isin([indikator, *nf.ratio_codes(indikator)])]
    if pkm:  # by the master list: a value's own kode_puskesmas is the reporting one
        mine = mine[mine["kode_desa"].isin(set(wilayah.loc[wilayah["kode_puskesmas"] == pkm, "kode_desa"]))]
    if desa:
        mine = mine[mine["kode_desa"] == desa]
    every = nf.posyandu_table(mine, units, wilayah, tahun, bulan, indikator)
    options = [{"label": f"{r.posyandu} — {r.nama_desa}" + ("" if pkm else f" ({r.nama_puskesmas})"),
                "value": r.kode_unit}
               for r in every.sort_values(["nama_desa", "posyandu"]).itertuples(index=False)]  # fmt: skip
    value: Any = no_update
    if chosen and chosen not in set(every["kode_unit"]):
        chosen = value = None
    rows = every[every["kode_unit"] == chosen] if chosen else every
    ind = service.workspace_data(ws).catalogue.indicators[indikator]
    lead = t("jejaring_page.pws_keterangan", n=len(rows), bulan=t(f"month.{bulan}"), tahun=tahun)
    columns = nf.posyandu_column_defs(indikator, ind.jenis, show_puskesmas=not pkm, lang=current_lang())
    return shown, hidden, shown, options, value, lead, columns, nf.records(rows)


@callback(
    Output(PWS.posyandu_grid, "exportDataAsCsv"), Input(PWS.posyandu_export, "n_clicks"), prevent_initial_call=True
)
def export_posyandu_csv(_clicks: int | None) -> bool:
    return True
