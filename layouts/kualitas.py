"""Kualitas data: how far the numbers of the period can be trusted, for the kabupaten or the shell's puskesmas.

From top to bottom: the period's key figures; one card per puskesmas with its data-quality score (100 = no
finding), the points lost per dimension and which checks cost them, worst first (a click chooses the puskesmas);
the completeness matrix puskesmas × month (received on time, late, partly, missing, with the month's score); the
share of desa with a value per indicator; and every finding in a grid — check, severity, place, message and
``file!sheet!cell``, the file linked to its archived original so the user can open the workbook at the cell.

The report is :func:`pws.service.quality_report` (January to the shell's month); this module only turns it into
HTML (:mod:`callbacks.kualitas` places it).
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import pandas as pd
from dash import dcc, html

from layouts._ids import KUALITAS
from pws.figures.pwstable import js_number
from pws.figures.theme import BRAND, FONT, INK, format_number, format_pct
from pws.i18n import t
from pws.quality import DIMENSIONS, STATUSES, SYMBOLS, QualityReport
from pws.quality.marks import ScoreCard, check_label

dash.register_page(__name__, path="/kualitas", name=t("page.kualitas"), order=5)

#: calm colours per dimension (points lost), in :data:`pws.quality.DIMENSIONS` order
DIMENSION_COLOURS = dict(zip(DIMENSIONS, ("#5b7db1", "#9c7fc0", "#d08c60", "#c9a227", "#6aa39b"), strict=True))
#: score bands: at least this score → class suffix
SCORE_BANDS = ((90.0, "baik"), (75.0, "sedang"), (0.0, "rendah"))
#: indicators listed before "show all" in the indicator completeness card
INDICATORS_SHOWN = 10

GRID_OPTIONS = {
    "theme": {
        "function": (
            f"themeQuartz.withParams({{accentColor: '{BRAND}', fontFamily: \"{FONT}\", fontSize: 14, "
            f"foregroundColor: '{INK}', headerFontWeight: 700, headerBackgroundColor: '#f0f4f8', "
            "wrapperBorderRadius: 6, spacing: 5})"
        )
    },
    "animateRows": False,
    "tooltipShowDelay": 300,
    "suppressCellFocus": True,
    "enableCellTextSelection": True,
    "pagination": True,
    "paginationPageSize": 50,
    "paginationPageSizeSelector": [20, 50, 100, 500],
}
DEFAULT_COL_DEF = {
    "sortable": True,
    "resizable": True,
    "filter": True,
    "floatingFilter": True,
    "suppressHeaderMenuButton": True,
    "wrapHeaderText": True,
    "autoHeaderHeight": True,
}


def _attrs(attributes: dict[str, str]) -> dict[str, Any]:
    """data-* attributes for a component (typed loosely: they are not keyword names)."""
    return dict(attributes)


def score_band(score: float | None) -> str:
    if score is None or pd.isna(score):
        return "kosong"
    return next(name for low, name in SCORE_BANDS if score >= low)


def layout(**_query: str) -> html.Div:
    return html.Div(
        [
            html.Div(
                [html.H1(t("kualitas.judul"), id=KUALITAS.title), html.P(id=KUALITAS.lead, className="lead")],
                className="kq-head",
            ),
            dcc.Loading(
                [
                    html.Div(id=KUALITAS.summary, className="kq-summary"),
                    html.Section(id=KUALITAS.scores, className="kq-card kq-scores"),
                    html.Div(
                        [
                            html.Section(id=KUALITAS.matrix, className="kq-card kq-matrix"),
                            html.Section(id=KUALITAS.indicators, className="kq-card kq-indicators"),
                        ],
                        className="kq-row",
                    ),
                ],
                delay_show=400,
                type="dot",
                color=BRAND,
            ),
            html.Section(
                [
                    html.Div(
                        [
                            html.H2(t("kualitas.temuan_judul")),
                            dcc.Dropdown(
                                id=KUALITAS.check,
                                options=[],
                                placeholder=t("kualitas.semua_cek"),
                                clearable=True,
                                searchable=True,
                                className="kq-check",
                            ),
                            html.Span(id=KUALITAS.shown, className="kq-shown"),
                        ],
                        className="kq-toolbar",
                    ),
                    html.P(t("kualitas.temuan_petunjuk"), className="kq-note"),
                    dcc.Store(id=KUALITAS.shown_template, data=t("kualitas.ditampilkan")),
                    dcc.Store(id=KUALITAS.drawn),
                    dcc.Store(id=KUALITAS.listed),
                    dag.AgGrid(
                        id=KUALITAS.grid,
                        columnDefs=column_defs(),
                        defaultColDef=DEFAULT_COL_DEF,
                        rowData=[],
                        getRowId="params.data.id",
                        dashGridOptions=GRID_OPTIONS,
                        className="kq-grid",
                        style={"height": "640px", "width": "100%"},
                    ),
                ],
                className="kq-card kq-findings",
            ),
        ],
        className="kualitas",
    )


def column_defs(lang: str | None = None) -> list[dict[str, Any]]:
    """The findings grid: severity, check, puskesmas, desa, indicator, month, message, points and where
    (``file!sheet!cell``, the file a download link); the dimension as the check's tooltip."""
    months = [t(f"month.{m}", lang)[:3] for m in range(1, 13)]
    month_names = "[" + ", ".join(f"'{m}'" for m in months) + "]"
    severity_style = {
        "styleConditions": [
            {"condition": "params.data && params.data.tingkat_key === 'error'",
             "style": {"color": "#b42318", "fontWeight": 700}},
            {"condition": "params.data && params.data.tingkat_key === 'warning'", "style": {"color": "#8a5a00"}},
        ],
        "defaultStyle": {"color": "#52606d"},
    }  # fmt: skip
    return [
        {"field": "tingkat", "headerName": t("kualitas.kol_tingkat", lang), "width": 100, "pinned": "left",
         "cellStyle": severity_style},
        {"field": "cek", "headerName": t("kualitas.kol_cek", lang), "width": 170, "pinned": "left",
         "tooltipField": "dimensi"},
        {"field": "puskesmas", "headerName": t("kualitas.kol_puskesmas", lang), "width": 140,
         "tooltipField": "puskesmas"},
        {"field": "desa", "headerName": t("kualitas.kol_desa", lang), "width": 125, "tooltipField": "desa"},
        {"field": "indikator", "headerName": t("kualitas.kol_indikator", lang), "width": 95},
        {"field": "bulan", "headerName": t("kualitas.kol_bulan", lang), "width": 80, "filter": "agNumberColumnFilter",
         "valueFormatter": {"function": f"params.value == null ? '–' : {month_names}[params.value - 1]"}},
        {"field": "pesan", "headerName": t("kualitas.kol_pesan", lang), "flex": 1, "minWidth": 270,
         "wrapText": True, "autoHeight": True, "cellClass": "kq-message"},
        {"field": "poin", "headerName": t("kualitas.kol_poin", lang), "width": 70, "type": "rightAligned",
         "filter": "agNumberColumnFilter", "valueFormatter": js_number(1),
         "headerTooltip": t("kualitas.tip_poin", lang)},
        {"field": "asal", "headerName": t("kualitas.kol_asal", lang), "width": 250, "cellRenderer": "markdown",
         "wrapText": True, "autoHeight": True, "cellClass": "kq-source", "headerTooltip": t("kualitas.tip_asal", lang),
         "getQuickFilterText": {"function": "params.data.berkas"}},
        {"field": "dimensi", "headerName": t("kualitas.kol_dimensi", lang), "width": 130, "hide": True},
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------- pieces


def _lost(points: float) -> str:
    return "−" + format_number(points, 1)


def summary(report: QualityReport, by_month: pd.DataFrame, scores: list[ScoreCard]) -> list[html.Div]:
    """The period's key figures: reports complete, on time (``by_month``: :meth:`QualityReport.completeness_by_month`),
    findings by severity, the mean score."""
    total = int(by_month["puskesmas"].sum()) if len(by_month) else 0
    complete = int((by_month["diterima"] + by_month["terlambat"]).sum()) if len(by_month) else 0
    on_time = int(by_month["diterima"].sum()) if len(by_month) else 0
    counts = report.counts()
    mean = sum(c.skor for c in scores) / len(scores) if scores else None

    def tile(label: str, value: str, note: str, extra: str = "") -> html.Div:
        return html.Div(
            [html.Div(label, className="kq-tile-label"), html.Div(value, className="kq-tile-value"),
             html.Div(note, className="kq-tile-note")],
            className="kq-tile" + extra,
        )  # fmt: skip

    share = (100.0 * complete / total) if total else None
    timely = (100.0 * on_time / total) if total else None
    return [
        tile(t("kualitas.ring_lengkap"), format_pct(share, 0), t("kualitas.ring_dari", n=complete, total=total)),
        tile(t("kualitas.ring_tepat"), format_pct(timely, 0), t("kualitas.ring_dari", n=on_time, total=total)),
        tile(
            t("kualitas.ring_temuan"),
            format_number(len(report.findings), 0),
            t("kualitas.ring_tingkat", galat=counts["error"], peringatan=counts["warning"], info=counts["info"]),
            " kq-tile-alert" if counts["error"] else "",
        ),
        tile(
            t("kualitas.ring_skor"),
            format_number(mean, 0),
            t("kualitas.ring_nilai", n=format_number(report.checked_values, 0)),
            f" kq-band-{score_band(mean)}",
        ),
    ]


def score_cards(cards: list[ScoreCard], bulan_nama: str, weights: dict[str, float]) -> list:
    """The score cards, worst first; each a button choosing its puskesmas."""
    if not cards:
        return [html.H2(t("kualitas.skor_judul")), html.P(t("kualitas.kosong"), className="kq-note")]
    items = []
    for card in cards:
        dims = [
            html.Div(
                [
                    html.Span(t(f"quality.dimensi.{d}"), className="kq-dim-name"),
                    html.Span(
                        html.Span(
                            className="kq-dim-fill",
                            style={"width": f"{min(100.0, 100.0 * lost / max(weights.get(d, 1.0), 1e-9)):.0f}%",
                                   "background": DIMENSION_COLOURS[d]},
                        ),
                        className="kq-dim-bar",
                    ),
                    html.Span(_lost(lost), className="kq-dim-lost"),
                ],
                className="kq-dim",
            )
            for d, lost in card.dimensi
        ]  # fmt: skip
        checks = ", ".join(f"{check_label(code)} {_lost(points)} (×{n})" for code, points, n in card.cek[:3])
        month = (
            t("kualitas.skor_bulan", bulan=bulan_nama, skor=format_number(card.skor_bulan, 0))
            if card.skor_bulan is not None
            else ""
        )
        items.append(
            html.Button(
                [
                    html.Div(
                        [
                            html.Span(card.nama, className="kq-pkm"),
                            html.Span(format_number(card.skor, 0), className="kq-score"),
                        ],
                        className="kq-card-top",
                    ),
                    html.Div(month, className="kq-month-score"),
                    html.Div(
                        dims or [html.Span(t("kualitas.tanpa_temuan"), className="kq-clean")], className="kq-dims"
                    ),
                    html.Div(checks, className="kq-checks") if checks else None,
                ],
                id={"type": KUALITAS.pick, "kode": card.kode, "asal": "kartu"},
                className=f"kq-score-card kq-band-{score_band(card.skor)}",
                title=t("kualitas.kartu_judul", nama=card.nama),
                n_clicks=0,
            )  # fmt: skip
        )
    weights_text = ", ".join(f"{t(f'quality.dimensi.{d}')} {format_number(weights[d], 0)}" for d in DIMENSIONS)
    return [
        html.H2(t("kualitas.skor_judul")),
        html.P(t("kualitas.skor_petunjuk", bobot=weights_text), className="kq-note"),
        html.Div(items, className="kq-score-grid"),
    ]


def _cell_title(row: dict[str, Any], score: float | None) -> str:
    parts = [t(f"quality.status.{row['status']}")]
    parts.append(t("kualitas.sel_laporan", n=row["laporan_diterima"], total=row["laporan_diharapkan"]))
    if row.get("laporan_hilang"):
        parts.append(t("kualitas.sel_hilang", daftar=row["laporan_hilang"]))
    tanggal = row.get("tanggal")
    if tanggal is not None and not pd.isna(tanggal):
        parts.append(t("kualitas.sel_tanggal", tanggal=str(tanggal), tenggat=str(row["tenggat"])))
    if score is not None:
        parts.append(t("kualitas.sel_skor", skor=format_number(score, 0)))
    return "\n".join(parts)


def matrix(report: QualityReport, by_month: pd.DataFrame) -> list:
    """The completeness matrix: one row per puskesmas (by name), one column per month, the status as a symbol on
    a calm colour with the month's score under it, the month's share of complete reports at the bottom
    (``by_month``: :meth:`QualityReport.completeness_by_month`)."""
    grid = report.completeness
    title = [html.H2(t("kualitas.matriks_judul")), html.P(t("kualitas.matriks_petunjuk"), className="kq-note")]
    if grid.empty:
        return [*title, html.P(t("kualitas.kosong"), className="kq-note")]
    months = report.bulan
    scores = {(r.kode_puskesmas, int(r.bulan)): float(r.skor) for r in report.scores.itertuples(index=False)}
    head = html.Tr(
        [html.Th(t("ui.puskesmas"), className="kq-m-name")]
        + [html.Th(t(f"month.{m}")[:3], className="kq-m-month") for m in months]
    )
    body = []
    names = grid[["kode_puskesmas", "nama_puskesmas"]].drop_duplicates("kode_puskesmas").sort_values("nama_puskesmas")
    by_cell = {(r["kode_puskesmas"], int(r["bulan"])): r for r in grid.to_dict("records")}
    for kode, nama in zip(names["kode_puskesmas"], names["nama_puskesmas"], strict=True):
        cells = [
            html.Td(
                html.Button(nama, id={"type": KUALITAS.pick, "kode": kode, "asal": "matriks"}, n_clicks=0,
                            className="kq-m-link", title=t("kualitas.kartu_judul", nama=nama)),
                className="kq-m-name",
            )
        ]  # fmt: skip
        for m in months:
            row = by_cell.get((kode, m))
            if row is None:
                cells.append(html.Td("", className="kq-m-cell"))
                continue
            score = scores.get((kode, m))
            cells.append(
                html.Td(
                    SYMBOLS[row["status"]],  # the month's score under it: CSS from data-score (fewer components)
                    className=f"kq-m-cell kq-s-{row['status']}",
                    title=_cell_title(row, score),
                    **_attrs({"data-status": row["status"],
                              "data-score": format_number(score, 0) if score is not None else ""}),
                )
            )  # fmt: skip
        body.append(html.Tr(cells, className="kq-m-row", **_attrs({"data-kode": kode})))
    complete = by_month.set_index("bulan")["persen_lengkap"]
    foot = html.Tr(
        [html.Th(t("kualitas.matriks_lengkap"), className="kq-m-name")]
        + [html.Td(format_pct(complete.get(m), 0), className="kq-m-foot") for m in months]
    )
    legend = html.Div(
        [
            html.Span([html.Span(SYMBOLS[s], className=f"kq-m-key kq-s-{s}"), t(f"quality.status.{s}")],
                      className="kq-legend-item")
            for s in STATUSES
        ] + [html.Span(t("kualitas.matriks_angka"), className="kq-legend-item kq-legend-note")],
        className="kq-legend",
    )  # fmt: skip
    table = html.Table([html.Thead(head), html.Tbody(body), html.Tfoot(foot)], className="kq-m-table")
    return [*title, html.Div(table, className="kq-m-scroll"), legend]


def _bar_row(name: str, code: str, row: dict[str, Any]) -> html.Tr:
    share = row["persen"]
    width = 0.0 if share is None or pd.isna(share) else float(share)
    band = "penuh" if width >= 99.95 else ("sebagian" if width >= 80 else "rendah")
    return html.Tr(
        [
            html.Td([html.Span(name, className="kq-i-name", title=f"{name} ({code})"),
                     html.Span(code, className="kq-i-code")], className="kq-i-label"),
            html.Td(html.Span(html.Span(className=f"kq-i-fill kq-i-{band}", style={"width": f"{width:.0f}%"}),
                              className="kq-i-bar"), className="kq-i-barcell"),
            html.Td(format_pct(share, 0), className="num kq-i-pct"),
            html.Td(t("kualitas.indikator_desa", n=row["desa_dengan_nilai"], total=row["desa_total"]),
                    className="num kq-i-count"),
            html.Td(format_pct(row["persen_periode"], 0), className="num kq-i-period"),
        ],
        **_attrs({"data-indikator": code}),
    )  # fmt: skip


def indicators(frame: pd.DataFrame, names: dict[str, str], bulan_nama: str, periode: str) -> list:
    """Per indicator the share of desa with a value this month (lowest first) and over the period; the first
    :data:`INDICATORS_SHOWN`, the rest behind "show all"."""
    title = [html.H2(t("kualitas.indikator_judul")),
             html.P(t("kualitas.indikator_petunjuk", bulan=bulan_nama), className="kq-note")]  # fmt: skip
    if frame.empty:
        return [*title, html.P(t("kualitas.kosong"), className="kq-note")]
    head = html.Thead(
        html.Tr([html.Th(t("kualitas.kol_indikator")), html.Th(bulan_nama, colSpan=2),
                 html.Th(t("kualitas.indikator_desa_judul"), className="num"),
                 html.Th(periode, className="num")])
    )  # fmt: skip
    records = frame.to_dict("records")
    rows = [_bar_row(names.get(str(r["indikator"]), str(r["indikator"])), str(r["indikator"]), r) for r in records]
    full = int((frame["persen"] >= 99.95).sum())
    out = [*title, html.Table([head, html.Tbody(rows[:INDICATORS_SHOWN])], className="kq-i-table")]
    if len(rows) > INDICATORS_SHOWN:
        out.append(
            html.Details(
                [
                    html.Summary(t("kualitas.indikator_semua", n=len(rows))),
                    html.Table([head, html.Tbody(rows[INDICATORS_SHOWN:])], className="kq-i-table"),
                ],
                className="kq-i-more",
            )  # fmt: skip
        )
    out.append(html.P(t("kualitas.indikator_penuh", n=full, total=len(rows)), className="kq-note kq-i-summary"))
    return out


def check_options(report: QualityReport) -> list[dict[str, str]]:
    """Dropdown options: one per check with findings, "dimension · check (count)", in report order."""
    checks = report.by_check()
    if checks.empty:
        return []
    grouped = checks.groupby("kode", sort=False).agg(dimensi=("dimensi", "first"), jumlah=("jumlah", "sum"))
    return [
        {"label": f"{t(f'quality.dimensi.{r.dimensi}')} · {check_label(str(kode))} ({r.jumlah})", "value": str(kode)}
        for kode, r in zip(grouped.index, grouped.itertuples(index=False), strict=True)
    ]


def marks_box(messages: list[str], href: str) -> list:
    """The findings about the chosen desa's value in the Peta desa panel (empty without any)."""
    if not messages:
        return []
    return [
        html.Div(
            [
                html.Div("⚠ " + t("kualitas.tanda_judul", n=len(messages)), className="kq-mark-title"),
                html.Ul([html.Li(m) for m in messages], className="kq-mark-list"),
                dcc.Link(t("kualitas.tanda_lihat"), href=href, className="kq-mark-link"),
            ],
            className="kq-mark-box",
        )
    ]
