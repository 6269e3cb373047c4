"""Peta page: the map's values follow the shell filters and the colour mode through ``dash.Patch`` (the geometry
and the desa list of the figure never travel again); breadcrumb, desa list and map clicks move the shell's
puskesmas/desa filters; the side panel shows the chosen desa. Values that failed a data-quality check carry a
"⚠" note in the hover and the desa panel: at once when the month's quality report is cached, else from
:func:`mark_map` / :func:`mark_panel` once it is computed (seconds, the first time a month is shown), so the map
itself never waits for it."""

from __future__ import annotations

import dataclasses
from typing import Any

import dash
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, html, no_update
from dash.exceptions import PreventUpdate

from layouts._ids import KUALITAS, PETA, SHELL
from layouts.kualitas import marks_box
from layouts.peta import (
    EMPTY_TREND,
    HIDDEN,
    NETWORK_ON,
    STREET,
    drawn_key,
    map_figure,
    network_hover,
    network_hover_key,
)
from pws import auth, service
from pws.figures import network as nf
from pws.figures.maps import (
    PETA_VIEW_PX,
    desa_trend_figure,
    fit_view,
    focus_opacity,
    highlight_values,
    status_trace_values,
)
from pws.figures.theme import format_number
from pws.i18n import current_lang, t
from pws.mapdata import (
    MODES,
    QUALITY_FIELD,
    STATUS_MODE,
    MapValues,
    area_facts,
    desa_facts,
    desa_items,
    ink_on,
    kabupaten_map_frame,
    lineage_groups,
    map_locations,
    map_values,
    quality_note,
    static_hover_texts,
)
from pws.quality.marks import indicator_marks
from pws.viewstate import ViewState

#: keys of the drawn state whose change means new values (colours, hover, legend)
VALUE_KEYS = ("version", "tahun", "bulan", "indikator", "mode", "lang")


def _marks(tahun: int, bulan: int, indikator: str, wait: bool) -> dict[str, list[str]] | None:
    """Desa code → messages of the data-quality findings about the shown value; None when the month's report is
    not cached and ``wait`` is False."""
    ws = service.current_workspace()
    report = service.quality_report(ws, tahun, bulan, wait=wait)
    if report is None:
        return None
    return indicator_marks(report, service.workspace_data(ws).catalogue.indicators[indikator], bulan)


def _attrs(attributes: dict[str, str]) -> dict[str, Any]:
    """data-* / aria-* attributes for a component (typed loosely: they are not keyword names)."""
    return dict(attributes)


def _state(filters: dict | None) -> dict | None:
    if not filters or not filters.get("indikator"):
        return None
    return filters


def _crumb(label: str, level: str, kode: str, active: bool) -> html.Span | html.Button:
    if active:
        return html.Span(label, className="crumb crumb-current", **_attrs({"aria-current": "page"}))
    return html.Button(
        label,
        id={"type": PETA.go, "level": level, "kode": kode},
        className="crumb crumb-link",
        title=t("peta.jejak_kembali", tingkat=label),
        n_clicks=0,
    )


def breadcrumb(filters: dict) -> list:
    ws = service.current_workspace()
    wilayah = service.workspace_data(ws).wilayah
    pkm, desa = filters.get("puskesmas"), filters.get("desa")
    items: list = [_crumb(t("ui.kabupaten"), "kabupaten", "", active=not pkm)]
    if service.is_province(ws):
        items = province_crumbs(filters, active=not pkm)
    if pkm:
        names = wilayah.loc[wilayah["kode_puskesmas"] == pkm, "nama_puskesmas"]
        label = f"{t('ui.puskesmas')} {names.iloc[0]}" if len(names) else str(pkm)
        items += [html.Span("›", className="crumb-sep"), _crumb(label, "puskesmas", pkm, active=not desa)]
    if desa:
        names = wilayah.loc[wilayah["kode_desa"] == desa, "nama_desa"]
        label = str(names.iloc[0]) if len(names) else str(desa)
        items += [html.Span("›", className="crumb-sep"), _crumb(label, "desa", desa, active=True)]
    return items


def province_crumbs(filters: dict, active: bool) -> list:
    """Provinsi › Kabupaten …: the first steps of the breadcrumb in a workspace with several kabupaten."""
    kab = filters.get("kabupaten")
    items: list = [_crumb(t("provinsi.provinsi"), "provinsi", "", active=not kab)]
    if kab:
        names = service.kabupaten_list(service.current_workspace()).set_index("kode_kabupaten")["nama_kabupaten"]
        label = str(names.get(kab, kab))
        items += [html.Span("›", className="crumb-sep"), _crumb(label, "kabupaten_kota", kab, active=active)]
    return items


def legend(
    values: MapValues, pkm_counts: list[int] | None, pkm_label: str, total_key: str = "peta.legend_total"
) -> list:
    rows = []
    if pkm_counts is not None:
        rows.append(
            html.Div(
                [
                    html.Span(),
                    html.Span(),
                    html.Span(t("peta.legend_kab"), className="legend-col"),
                    html.Span(pkm_label, className="legend-col"),
                ],
                className="legend-row legend-head",
            )  # fmt: skip
        )
    for i, cls in enumerate(values.classes):
        cells = [
            html.Span(className="legend-swatch", style={"background": cls.colour}),
            html.Span(
                [html.Span(cls.label, className="legend-label")]
                + ([html.Small(cls.description, className="legend-desc")] if cls.description else []),
                className="legend-text",
            ),
            html.Span(format_number(values.counts[i], 0), className="legend-count"),
        ]
        if pkm_counts is not None:
            cells.append(html.Span(format_number(pkm_counts[i], 0), className="legend-count legend-count-pkm"))
        rows.append(
            html.Div(
                cells,
                className="legend-row" + (" legend-zero" if values.counts[i] == 0 else ""),
                **_attrs({"data-class": cls.key}),
            )  # fmt: skip
        )
    footer = [html.Div(t(total_key, n=format_number(sum(values.counts), 0)), className="legend-total")]
    if values.target_note:
        footer.append(html.Div(values.target_note, className="legend-target"))
    table_class = "legend-table with-pkm" if pkm_counts is not None else "legend-table"
    return [html.H2(values.title, className="peta-card-title"), html.Div(rows, className=table_class), *footer]


def desa_list(table: Any, values: MapValues, pkm: str | None, desa: str | None) -> list:
    if not pkm:
        return []
    items = desa_items(table, values, pkm)
    if not items:
        return []
    names = table.loc[table["kode_puskesmas"] == pkm, "nama_puskesmas"]
    buttons = [
        html.Button(
            [
                html.Span(className="desa-dot", style={"background": item.colour}),
                html.Span(item.nama, className="desa-name"),
                html.Span(item.value, className="desa-value"),
            ],
            id={"type": PETA.go, "level": "desa", "kode": item.kode},
            className="desa-item" + (" selected" if item.kode == desa else ""),
            title=f"{item.nama}: {item.status}",
            n_clicks=0,
        )
        for item in items
    ]
    return [
        html.H2(t("peta.daftar_judul", puskesmas=names.iloc[0] if len(names) else pkm), className="peta-card-title"),
        html.P(t("peta.daftar_petunjuk"), className="peta-card-note"),
        html.Div(buttons, className="desa-items"),
    ]


@callback(
    Output(PETA.map, "figure"),
    Output(PETA.drawn, "data"),
    Output(PETA.legend, "children"),
    Output(PETA.breadcrumb, "children"),
    Output(PETA.desa_list, "children"),
    Output(PETA.subtitle, "children"),
    Output(PETA.notice, "children"),
    Input(SHELL.filters, "data"),
    Input(PETA.mode, "value"),
    Input(PETA.basemap, "value"),
    State(PETA.drawn, "data"),
)
def update_map(filters: dict | None, mode: str | None, basemap: list | None, drawn: dict | None) -> tuple:
    state = _state(filters)
    if state is None:
        raise PreventUpdate
    ws = service.current_workspace()
    mode = mode if mode in MODES else STATUS_MODE
    street = STREET in (basemap or [])
    tahun, bulan, indikator = int(state["tahun"]), int(state["bulan"]), str(state["indikator"])
    pkm, desa = state.get("puskesmas"), state.get("desa")
    wanted = drawn_key(ws, state, mode, street)
    table = service.table(ws, tahun, bulan, indikator)
    scope = service.map_scope(ws, state.get("kabupaten"))
    # a puskesmas user's map holds its own desa only (layouts.peta likewise)
    wilayah = auth.visible_desa(
        service.workspace_data(ws).wilayah.drop_duplicates("kode_desa") if scope is None else scope.wilayah
    )
    total_key = "peta.legend_total"
    if scope is not None and scope.level == "kabupaten":  # a province, no kabupaten chosen: one shape per kabupaten
        locations = tuple(service.kabupaten_list(ws)["kode_kabupaten"])
        rows = kabupaten_map_frame(service.kabupaten_table(ws, tahun, bulan, indikator))
        values = map_values(rows, locations, mode)
        total_key = "provinsi.legend_total"
    else:
        locations = map_locations(wilayah)
        values = map_values(table, locations, mode, marks=_marks(tahun, bulan, indikator, wait=False))

    figure: Any = no_update
    drawn_scope = (drawn or {}).get("kabupaten")
    province = service.is_province(ws)
    if scope is not None and province and wanted != drawn and (drawn is None or drawn_scope != wanted["kabupaten"]):
        # another kabupaten (or the province): other shapes and locations, so the whole figure (geometry by URL)
        figure = map_figure(ViewState(tahun, bulan, indikator, pkm, desa, state.get("kabupaten")), mode)
        if street:
            figure["layout"]["map"]["style"] = "open-street-map"
    elif scope is not None and wanted != drawn:
        drawn = drawn or {}
        patch = dash.Patch()
        if any(wanted[k] != drawn.get(k) for k in VALUE_KEYS):
            for key, value in status_trace_values(values).items():
                patch["data"][0][key] = value
        if pkm != drawn.get("puskesmas") or desa != drawn.get("desa") or "puskesmas" not in drawn:
            focus = set(wilayah.loc[wilayah["kode_puskesmas"] == pkm, "kode_desa"]) if pkm else None
            patch["data"][0]["marker"]["opacity"] = focus_opacity(locations, focus)
            highlight = highlight_values([desa], "desa") if desa else highlight_values(sorted(focus or ()), "puskesmas")
            for key, value in highlight.items():
                patch["data"][1][key] = value
        if pkm != drawn.get("puskesmas") or "puskesmas" not in drawn:
            view = fit_view((service.area_bounds(ws, pkm) if pkm else None) or scope.bounds, *PETA_VIEW_PX)
            patch["layout"]["map"]["center"] = view["center"]
            patch["layout"]["map"]["zoom"] = view["zoom"]
            kab = state.get("kabupaten")
            patch["layout"]["uirevision"] = f"peta:{kab}:{pkm or ''}" if kab else f"peta:{pkm or ''}"
        if street != drawn.get("street"):
            patch["layout"]["map"]["style"] = "open-street-map" if street else "white-bg"
        figure = patch

    pkm_counts = None
    pkm_label = ""
    if pkm:
        mine = set(wilayah.loc[wilayah["kode_puskesmas"] == pkm, "kode_desa"])
        pkm_counts = [0] * len(values.classes)
        for kode, z in zip(values.locations, values.z, strict=True):
            if kode in mine:
                pkm_counts[z] += 1
        pkm_label = t("peta.legend_pkm")
    indicator = service.workspace_data(ws).catalogue.indicators[indikator]
    name = indicator.name()
    name = name if indicator.kode in name else f"{name} ({indicator.kode})"
    subtitle = t("peta.subjudul", indikator=name, bulan=t(f"month.{bulan}"), tahun=tahun)
    notice: Any = []
    if not table["dilaporkan"].any():  # nothing reported for this month (or nothing at all yet)
        text = (
            t("ui.no_data_yet")
            if service.latest_period(ws) is None
            else t("peta.belum_ada_laporan", bulan=t(f"month.{bulan}"), tahun=tahun)
        )
        notice = html.Div(text, className="peta-notice-box")
    return (
        figure,
        wanted if scope is not None else None,
        legend(values, pkm_counts, pkm_label, total_key),
        breadcrumb(state),
        desa_list(table, values, pkm, desa),
        subtitle,
        notice,
    )


def _lineage_table(tahun: int, indikator: str, kode_desa: str) -> list:
    ws = service.current_workspace()
    rows = service.lineage(ws, tahun, indikator, kode_desa)
    if rows.empty:
        return [html.H3(t("peta.asal_judul"), className="panel-section"),
                html.P(t("peta.asal_kosong", tahun=tahun), className="peta-card-note")]  # fmt: skip
    show_sex = bool((rows["jk"] != "T").any())
    head = [t("peta.kolom_bulan")] + ([t("peta.kolom_jk")] if show_sex else [])
    head += [t("peta.kolom_nilai"), t("peta.kolom_sheet"), t("peta.kolom_sel")]
    body = []
    for file, group in lineage_groups(rows):
        body.append(html.Tr(html.Td([html.Span(t("peta.kolom_berkas") + ": ", className="file-label"), file],
                                    colSpan=len(head)), className="file-row"))  # fmt: skip
        for r in group:
            cells = [html.Td(r.bulan)] + ([html.Td(r.jk)] if show_sex else [])
            cells += [html.Td(r.nilai, className="num"), html.Td(r.sheet), html.Td(r.sel, className="cell")]
            body.append(html.Tr(cells, className="value-row"))
    return [
        html.H3(t("peta.asal_judul"), className="panel-section"),
        html.P(t("peta.asal_keterangan", indikator=indikator, tahun=tahun), className="peta-card-note"),
        html.Div(
            html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)], className="lineage"),
            className="lineage-scroll",
        ),
    ]


@callback(
    Output(PETA.panel, "children"),
    Output(PETA.trend, "figure"),
    Output(PETA.lineage, "children"),
    Output(PETA.panel_key, "data"),
    Input(SHELL.filters, "data"),
    State(PETA.panel_key, "data"),
)
def update_panel(filters: dict | None, shown: dict | None) -> tuple:
    """The area being looked at: the chosen desa (with where its numbers came from), else the drilled puskesmas,
    else the kabupaten — its status, key numbers and trend against the target line."""
    state = _state(filters)
    if state is None:
        raise PreventUpdate
    ws = service.current_workspace()
    tahun, bulan, indikator = int(state["tahun"]), int(state["bulan"]), str(state["indikator"])
    pkm, desa, kab = state.get("puskesmas"), state.get("desa"), state.get("kabupaten")
    key = {"tahun": tahun, "bulan": bulan, "indikator": indikator, "puskesmas": pkm, "desa": desa,
           "version": service.version(ws), "lang": current_lang()}  # fmt: skip
    if kab:
        key["kabupaten"] = kab
    if key == shown:
        raise PreventUpdate  # the shell published the same view again
    if desa:
        facts = desa_facts(service.table(ws, tahun, bulan, indikator), desa)
        level, kode = "desa", desa
    elif pkm:
        facts = area_facts(service.aggregate_table(ws, tahun, bulan, indikator, "puskesmas"), pkm)
        level, kode = "puskesmas", pkm
    elif kab:
        facts = area_facts(service.kabupaten_table(ws, tahun, bulan, indikator), kab)
        level, kode = "per_kabupaten", kab
    else:
        facts = area_facts(service.aggregate_table(ws, tahun, bulan, indikator, "kabupaten"))
        level, kode = "kabupaten", None
        if facts is not None and service.is_province(ws):
            facts = dataclasses.replace(facts, title=t("provinsi.provinsi"))
    head: list = []
    if desa:
        head.append(html.Button("×", id={"type": PETA.go, "level": "tutup", "kode": ""}, className="panel-close",
                                title=t("peta.panel_tutup"), n_clicks=0))  # fmt: skip
    if facts is None:
        return [html.Div(head, className="panel-head"), html.P(t("peta.panel_tidak_ada"))], EMPTY_TREND, [], key
    prevalence = service.workspace_data(ws).catalogue.indicators[indikator].jenis == "prevalensi"
    trend = desa_trend_figure(service.series(ws, tahun, indikator, level, kode), bulan, current_lang(), prevalence)
    panel = [
        html.Div([html.H2(facts.title, className="panel-title"), *head], className="panel-head"),
        html.P(facts.subtitle, className="panel-sub"),
        html.Div(
            facts.status_label,
            className="status-badge",
            style={"background": facts.status_colour, "color": ink_on(facts.status_colour)},
        ),
        html.Dl([part for label, value in facts.facts for part in (html.Dt(label), html.Dd(value))], className="facts"),
        html.H3(t("peta.tren_judul_nilai" if prevalence else "peta.tren_judul"), className="panel-section"),
    ]
    if desa:  # the findings about this value; filled by mark_panel when the month's report is not cached yet
        marks = _marks(tahun, bulan, indikator, wait=False)
        box = marks_box((marks or {}).get(desa, []), _quality_href(tahun, bulan, indikator, pkm, desa))
        panel.insert(-1, html.Div(box, id=KUALITAS.peta_marks))
    if desa:  # the desa's pustu, posyandu... (from jejaring.csv)
        panel.insert(-1, html.Div(network_box(tahun, bulan, desa)))
    lineage = _lineage_table(tahun, indikator, desa) + posyandu_lineage_table(tahun, indikator, desa) if desa else []
    return panel, trend, lineage, key


def _quality_href(tahun: int, bulan: int, indikator: str, pkm: str | None, desa: str | None) -> str:
    return "/kualitas" + ViewState(tahun, bulan, indikator, pkm, desa).to_query()


@callback(
    Output(PETA.map, "figure", allow_duplicate=True),
    Input(PETA.drawn, "data"),
    prevent_initial_call="initial_duplicate",
)
def mark_map(drawn: dict | None) -> dash.Patch:
    """The "⚠" notes of the desa whose shown value failed a data-quality check, in their hover, once the month's
    report is there (the values themselves are drawn without waiting for it)."""
    if not drawn or not drawn.get("indikator") or not drawn.get("tahun") or not drawn.get("bulan"):
        raise PreventUpdate
    marks = _marks(int(drawn["tahun"]), int(drawn["bulan"]), str(drawn["indikator"]), wait=True)
    if not marks:
        raise PreventUpdate
    ws = service.current_workspace()
    scope = service.map_scope(ws, drawn.get("kabupaten"))
    if scope is None or scope.level != "desa":
        raise PreventUpdate  # the kabupaten of a province carry no desa findings
    locations = map_locations(auth.visible_desa(scope.wilayah))
    patch = dash.Patch()
    for i, kode in enumerate(locations):
        if kode in marks:
            patch["data"][0]["customdata"][i][QUALITY_FIELD] = quality_note(marks[kode])
    return patch


@callback(
    Output(KUALITAS.peta_marks, "children"),
    Input(PETA.panel_key, "data"),
)
def mark_panel(key: dict | None) -> list:
    """The findings about the chosen desa's value in its panel, once the month's report is there."""
    if not key or not key.get("desa"):
        raise PreventUpdate
    tahun, bulan, indikator = int(key["tahun"]), int(key["bulan"]), str(key["indikator"])
    marks = _marks(tahun, bulan, indikator, wait=True) or {}
    return marks_box(marks.get(key["desa"], []), _quality_href(tahun, bulan, indikator, key["puskesmas"], key["desa"]))


@callback(
    Output(SHELL.puskesmas, "value", allow_duplicate=True),
    Output(SHELL.desa, "value", allow_duplicate=True),
    Output(SHELL.kabupaten, "value", allow_duplicate=True),
    Input({"type": PETA.go, "level": ALL, "kode": ALL}, "n_clicks"),
    Input(PETA.map, "clickData"),
    prevent_initial_call=True,
)
def navigate(_clicks: list, click: dict | None) -> tuple:
    """Breadcrumb items go up, desa items and map clicks choose a desa (the shell then sets its puskesmas); in a
    province a click on a kabupaten, or its breadcrumb item, chooses the kabupaten."""
    trigger = ctx.triggered_id
    if trigger == PETA.map:
        points = (click or {}).get("points") or []
        point = points[0] if points else {}
        kode = point.get("location")
        if point.get("curveNumber", 0) != 0 or not kode:
            raise PreventUpdate
        if is_kabupaten_code(str(kode)):
            return None, None, kode
        return no_update, kode, no_update
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate  # a button that just appeared, not a click
    level = trigger.get("level")
    if level == "kabupaten":
        return None, None, no_update
    if level == "provinsi":
        return None, None, None
    if level == "kabupaten_kota":
        return None, None, trigger.get("kode") or None
    if level in ("puskesmas", "tutup"):
        return no_update, None, no_update
    if level == "desa":
        return no_update, trigger.get("kode") or None, no_update
    raise PreventUpdate


def is_kabupaten_code(kode: str) -> bool:
    """``PP.KK``: a kabupaten's code (the province map's locations), not a desa's."""
    return len(kode) == 5 and kode[2] == "." and kode.replace(".", "").isdigit()


# ---------------------------------------------------------------------------------------------- network layer
def _network_legend(points: Any, no_pustu: int, without_coordinates: int) -> list:
    rows: list[Any] = [
        html.Div([html.Span(className="jj-legend-dot", style={"background": colour, "width": f"{size}px",
                                                               "height": f"{size}px"}), label],
                 className="jj-legend-row", **_attrs({"data-jenis": jenis}))
        for jenis, colour, size, label in nf.legend_items(points)
    ]  # fmt: skip
    rows.append(html.Div([html.Span(className="jj-legend-outline"), t("jejaring_page.legenda_tanpa_pustu", n=no_pustu)],
                         className="jj-legend-row"))  # fmt: skip
    if without_coordinates:
        rows.append(
            html.P(t("jejaring_page.legenda_tanpa_koordinat", n=without_coordinates), className="peta-card-note")
        )
    return [html.H2(t("jejaring_page.legenda_judul"), className="peta-card-title"), *rows]


@callback(
    Output(PETA.map, "figure", allow_duplicate=True),
    Output(PETA.network_drawn, "data"),
    Output(PETA.network_legend, "children"),
    Output(PETA.network_legend, "style"),
    Input(PETA.network, "value"),
    Input(SHELL.filters, "data"),
    State(PETA.network_drawn, "data"),
    prevent_initial_call=True,
)
def update_network(value: list | None, filters: dict | None, drawn: dict | None) -> tuple:
    """The "Jejaring layanan" layer: two traces appended to the map by a Patch when switched on (desa without a pustu
    outlined, units with coordinates as points; those of the drilled puskesmas only), replaced when the month or
    puskesmas changes, removed when switched off; and the pustu/posyandu line of the desa hover for the month."""
    state = _state(filters)
    if state is None or not drawn:
        raise PreventUpdate  # no boundaries: no map
    ws = service.current_workspace()
    scope = service.map_scope(ws, state.get("kabupaten"))
    if scope is None or scope.level == "kabupaten":
        raise PreventUpdate  # no boundaries, or the province's kabupaten map: no desa, no network layer
    tahun, bulan, pkm = int(state["tahun"]), int(state["bulan"]), state.get("puskesmas")
    on = NETWORK_ON in (value or [])
    base = int(drawn["base"])
    hover = network_hover_key(ws, tahun, bulan)
    key = {**hover, "puskesmas": pkm} if on else None
    if key == drawn.get("key") and hover == drawn.get("hover") and on == drawn.get("on"):
        raise PreventUpdate
    patch = dash.Patch()
    wilayah = auth.visible_desa(scope.wilayah)  # the map's desa, as layouts.peta.map_figure draws them
    locations = map_locations(wilayah)
    if hover != drawn.get("hover"):
        patch["data"][0]["text"] = network_hover(ws, tahun, bulan, locations, static_hover_texts(wilayah))
    legend: Any = []
    style = HIDDEN
    if on:
        jejaring, _issues = service.jejaring(ws)
        desa = list(wilayah.loc[wilayah["kode_puskesmas"] == pkm, "kode_desa"]) if pkm else list(locations)
        if jejaring.empty:
            points = nf.map_points(jejaring)
            no_pustu: list[str] = []
            legend = [html.H2(t("jejaring_page.legenda_judul"), className="peta-card-title"),
                      html.P(t("jejaring_page.legenda_kosong"), className="peta-card-note")]  # fmt: skip
        else:
            units = nf.active_units(jejaring, nf.month_end(tahun, bulan))
            units = units[units["kode_desa"].isin(desa)]
            points = nf.map_points(units)
            by_desa = service.network_by_desa(ws, tahun, bulan)
            no_pustu = list(by_desa.loc[by_desa["tanpa_pustu"].astype(bool) & by_desa["kode_desa"].isin(desa),
                                        "kode_desa"].astype(str))  # fmt: skip
            legend = _network_legend(points, len(no_pustu), len(units) - len(points))
        traces = [nf.no_pustu_trace(no_pustu, f"/geo/{scope.shapes.name}"), nf.points_trace(points)]
        style = {}
        if drawn.get("on"):
            patch["data"][base] = traces[0]
            patch["data"][base + 1] = traces[1]
        else:
            patch["data"].extend(traces)
    elif drawn.get("on"):
        del patch["data"][base + 1]
        del patch["data"][base]
    return patch, {**drawn, "on": on, "key": key, "hover": hover}, legend, style


def network_box(tahun: int, bulan: int, kode_desa: str) -> list:
    """The desa panel's list of the desa's active units (type, name, dusun); empty without a network list."""
    ws = service.current_workspace()
    jejaring, _issues = service.jejaring(ws)
    if jejaring.empty:
        return []
    units = nf.desa_units(nf.active_units(jejaring, nf.month_end(tahun, bulan)), kode_desa)
    title = html.H3(t("jejaring_page.panel_judul"), className="panel-section")
    if units.empty:
        return [title, html.P(t("jejaring_page.panel_kosong"), className="peta-card-note")]
    items = []
    for r in units.to_dict("records"):
        dusun = r.get("dusun")
        extra = "" if dusun is None or dusun is pd.NA or pd.isna(dusun) else f" · {dusun}"
        label = nf.unit_label(str(r["jenis"]))
        name = str(r["nama"])
        if name.lower().startswith(label.lower() + " "):  # "Posyandu Mawar": the type is in the name already
            label, name = name[: len(label)], name[len(label) + 1 :]
        items.append(html.Li([html.Span(label, className="jj-unit-type"), html.Span(f"{name}{extra}")]))
    return [title, html.Ul(items, className="jj-units", id=PETA.network_panel)]


def posyandu_lineage_table(tahun: int, indikator: str, kode_desa: str) -> list:
    """The posyandu rows behind the desa's values (month, posyandu, value, file, sheet, cell); empty when the
    indicator has no posyandu-level values for the desa."""
    rows = service.posyandu_lineage(service.current_workspace(), tahun, indikator, kode_desa)
    if rows.empty:
        return []
    show_sex = "jk" in rows.columns and bool((rows["jk"] != "T").any())
    head = [t("peta.kolom_bulan"), t("jejaring_page.kol_nama")] + ([t("peta.kolom_jk")] if show_sex else [])
    head += [t("peta.kolom_nilai"), t("peta.kolom_sheet"), t("peta.kolom_sel")]
    body = []
    for file, group in rows.groupby("sumber_file", sort=False):
        body.append(html.Tr(html.Td([html.Span(t("peta.kolom_berkas") + ": ", className="file-label"), str(file)],
                                    colSpan=len(head)), className="file-row"))  # fmt: skip
        for r in group.to_dict("records"):
            value = float(r["nilai"])
            cells = [html.Td(t(f"month.{int(r['bulan'])}")[:3]), html.Td(str(r["posyandu"]))]
            cells += [html.Td(str(r["jk"]))] if show_sex else []
            body.append(html.Tr([*cells,
                                 html.Td(format_number(value, 0 if value == int(value) else 1), className="num"),
                                 html.Td(str(r["sumber_sheet"])), html.Td(str(r["sumber_sel"]), className="cell")],
                                className="value-row posyandu-row"))  # fmt: skip
    return [
        html.H3(t("jejaring_page.asal_posyandu_judul"), className="panel-section"),
        html.P(t("jejaring_page.asal_posyandu_ket"), className="peta-card-note"),
        html.Div(html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)], className="lineage"),
                 className="lineage-scroll"),
    ]  # fmt: skip
