"""Ringkasan: the overview for the head of office, readable on a projector and on paper.

One card per life stage with its key indicator(s) (coverage against the target to date, a bar in the status
colour, desa Jelek, desa reporting; a click opens the PWS table of that indicator), then for the shell's
indicator the puskesmas league table (inside one puskesmas: its desa) and the desa that need attention most.
The numbers come from :mod:`pws.analysis.overview`; this module only turns its frames into HTML.
"""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import dcc, html

from layouts._ids import RAPAT, RINGKASAN
from pws.figures.theme import STATUS_COLOURS, TARGET_STATUS_COLOURS, format_int, format_pct, format_pp
from pws.i18n import t

dash.register_page(__name__, path="/ringkasan", name=t("page.ringkasan"), order=1)

#: statuses whose colour is dark enough for white text on it
_LIGHT_TEXT = {"Baik", "Jelek", "Tercapai", "Tidak tercapai"}


def layout(**_query: str) -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    html.Div(
                        [
                            html.H1(id=RINGKASAN.title, className="rk-title"),
                            html.P(id=RINGKASAN.subtitle, className="lead"),
                        ]
                    ),
                    downloads(),
                ],
                className="rk-head rp-head",
            ),
            html.Div(id=RINGKASAN.notice),
            dcc.Loading(
                html.Div(id=RINGKASAN.cards, className="rk-cards"),
                delay_show=400,
                type="dot",
                color="#0b6e4f",
            ),
            html.Div(
                [
                    html.Section(id=RINGKASAN.league, className="rk-panel rk-league"),
                    html.Section(id=RINGKASAN.attention, className="rk-panel rk-attention"),
                ],
                className="rk-bottom",
            ),
        ],
        className="ringkasan",
    )


# ---------------------------------------------------------------------------------------------- pieces


def downloads() -> html.Div:
    """The meeting-pack buttons (PowerPoint, PDF, Excel, the print-ready map) for the shell's month, puskesmas and
    indicator; building takes seconds, so the buttons are disabled and a spinner shows meanwhile."""
    busy = html.Span([html.Span(className="rp-spinner"), t("rapat.menyiapkan")], className="rp-busy")
    buttons = [
        html.Button(t("rapat.unduh_pptx"), id=RAPAT.pptx, className="rp-button", n_clicks=0),
        html.Button(t("rapat.unduh_pdf"), id=RAPAT.pdf, className="rp-button", n_clicks=0),
        html.Button(t("rapat.unduh_xlsx"), id=RAPAT.xlsx, className="rp-button", n_clicks=0),
        html.Button(t("rapat.unduh_peta"), id=RAPAT.peta, className="rp-button rp-secondary", n_clicks=0,
                    title=t("rapat.unduh_peta_judul")),
    ]  # fmt: skip
    return html.Div(
        [
            html.Div(t("rapat.unduh_judul"), className="rp-label"),
            html.Div(buttons, className="rp-buttons"),
            dcc.Loading(html.Div(id=RAPAT.status, className="rp-status"), custom_spinner=busy, delay_show=150),
            dcc.Download(id=RAPAT.download),
        ],
        id=RAPAT.group,
        className="rp-unduh",
        title=t("rapat.unduh_keterangan"),
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts, column by column (``to_dict("records")`` boxes nullable columns cell by cell: slow)."""
    columns = {col: frame[col].tolist() for col in frame.columns}
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def status_label(status: str) -> str:
    return t(f"ringkasan.status_{status.replace(' ', '_')}")


def chip(status: Any, status_target: Any, target3: bool) -> html.Span:
    """A status as a coloured chip: the PWS status, or target met / not met for target3 indicators."""
    key = str(status_target if target3 else status)
    colours = TARGET_STATUS_COLOURS if target3 else STATUS_COLOURS
    colour = colours.get(key, STATUS_COLOURS["NO_DATA"])
    return html.Span(
        status_label(key),
        className="rk-chip" + (" rk-chip-light" if key in _LIGHT_TEXT else ""),
        style={"backgroundColor": colour},
    )


def bar(coverage: float, target: float, status: str) -> html.Div:
    """Coverage on a 0–100 % scale filled in the status colour, the target to date as a dark tick."""
    fill = 0.0 if _missing(coverage) else max(0.0, min(float(coverage), 100.0))
    parts: list[Any] = [
        html.Div(
            className="rk-bar-fill",
            style={"width": f"{fill:.1f}%", "backgroundColor": STATUS_COLOURS.get(status, STATUS_COLOURS["NO_DATA"])},
        )
    ]
    if not _missing(target):
        parts.append(html.Div(className="rk-bar-target", style={"left": f"{max(0.0, min(float(target), 100.0)):.1f}%"}))
    return html.Div(parts, className="rk-bar")


def _indicator_block(row: dict[str, Any], href: str, current: bool) -> dcc.Link:
    target3 = row["aturan_status"] == "target3"
    jelek = row["desa_jelek"]
    jelek_text = (
        ""
        if _missing(jelek)
        else t("ringkasan.desa_tidak_tercapai" if target3 else "ringkasan.desa_jelek", n=format_int(jelek))
    )
    reported = (
        ""
        if _missing(row["jumlah_desa"])
        else t("ringkasan.desa_melapor", n=format_int(row["desa_dilaporkan"]), m=format_int(row["jumlah_desa"]))
    )
    target_line = t(
        "ringkasan.target_sd_bulan", target=format_pct(row["target_sd_bulan"]), gap=format_pp(row["kesenjangan"])
    )
    status = str(row["status"])
    return dcc.Link(
        [
            html.Div(
                [html.Span(row["nama"], className="rk-ind-name"), html.Span(row["indikator"], className="rk-code")],
                className="rk-ind-head",
            ),
            html.Div(
                [
                    html.Span(format_pct(row["cakupan_kumulatif"]), className="rk-big"),
                    chip(status, row["status_target"], target3),
                ],
                className="rk-ind-main",
            ),
            html.Div(target_line, className="rk-target"),
            bar(row["cakupan_kumulatif"], row["target_sd_bulan"], status),
            html.Div(
                [
                    html.Span(jelek_text, className="rk-jelek" if not _missing(jelek) and int(jelek) > 0 else ""),
                    html.Span(reported, className="rk-reported"),
                ],
                className="rk-foot",
            ),
        ],
        href=href,
        className="rk-ind" + (" is-current" if current else ""),
        title=t("ringkasan.buka_pws", indikator=row["nama"]),
    )


def stages(summary: pd.DataFrame) -> list[list[dict[str, Any]]]:
    """The rows of a :func:`pws.analysis.overview.stage_summary` frame grouped by life stage, in its order."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in _records(summary):
        grouped.setdefault(str(row["tahap"]), []).append(row)
    return list(grouped.values())


def card(rows: list[dict[str, Any]], hrefs: dict[str, str], current: str | None) -> html.Div:
    """The card of one life stage: its name and a block per key indicator (``current`` is marked)."""
    blocks = [_indicator_block(row, hrefs[row["indikator"]], row["indikator"] == current) for row in rows]
    return html.Div(
        [html.H2(rows[0]["nama_tahap"], className="rk-stage"), *blocks],
        className="rk-card" + (" rk-card-multi" if len(blocks) > 1 else ""),
        **{"data-tahap": str(rows[0]["tahap"])},  # type: ignore[arg-type]
    )


def cards(summary: pd.DataFrame, hrefs: dict[str, str], current: str | None) -> list[html.Div]:
    """One card per life stage of a :func:`pws.analysis.overview.stage_summary` frame (stages in its order)."""
    return [card(rows, hrefs, current) for rows in stages(summary)]


def _num_cell(text: str) -> html.Td:
    return html.Td(text, className="num")


def league_table(table: pd.DataFrame, title: str, desa_level: bool, target3: bool, hrefs: dict[str, str]) -> list[Any]:
    """The league (:func:`pws.analysis.overview.league`) as a plain HTML table (prints well)."""
    last_header = "ringkasan.col_desa_tidak_tercapai" if target3 else "ringkasan.col_desa_jelek"
    head = html.Tr(
        [
            html.Th(t("ringkasan.col_peringkat"), className="num"),
            html.Th(t("ringkasan.col_desa" if desa_level else "ringkasan.col_puskesmas")),
            html.Th(t("ringkasan.col_cakupan"), className="num"),
            html.Th(t("ringkasan.col_target"), className="num"),
            html.Th(t("ringkasan.col_kesenjangan"), className="num"),
            html.Th(t("ringkasan.col_status")),
            html.Th(t("ringkasan.col_kurang_orang" if desa_level else last_header), className="num"),
        ]
    )
    body = []
    for row in _records(table):
        name: Any = row["nama"]
        if row["kode"] in hrefs:
            name = dcc.Link(row["nama"], href=hrefs[row["kode"]], title=t("ringkasan.lihat_puskesmas"))
        last = row["kesenjangan_orang"] if desa_level else row["desa_jelek"]
        body.append(
            html.Tr(
                [
                    _num_cell(str(row["peringkat"])),
                    html.Td(name, className="name"),
                    _num_cell(format_pct(row["cakupan_kumulatif"])),
                    _num_cell(format_pct(row["target_sd_bulan"])),
                    _num_cell(format_pp(row["kesenjangan"])),
                    html.Td(chip(row["status"], row["status_target"], target3)),
                    _num_cell("–" if _missing(last) else format_int(last)),
                ]
            )
        )
    return [
        html.H2(title),
        html.P(t("ringkasan.peringkat_aturan"), className="rk-note"),
        html.Table([html.Thead(head), html.Tbody(body)], className="rk-table"),
    ]


def attention_list(
    table: pd.DataFrame,
    title: str,
    lower_is_better: bool,
    target3: bool,
    hrefs: dict[str, str],
    show_puskesmas: bool = True,
) -> list[Any]:
    """The desa needing attention (:func:`pws.analysis.overview.attention`) as a numbered table. Every desa in
    it is behind its target, so for target3 indicators (all "not met") the status column is left out."""
    parts: list[Any] = [html.H2(title), html.P(t("ringkasan.perhatian_aturan"), className="rk-note")]
    if table.empty:
        parts.append(html.P(t("ringkasan.perhatian_kosong"), className="rk-empty"))
        return parts
    head = html.Tr(
        [
            html.Th(t("ringkasan.col_peringkat"), className="num"),
            html.Th(t("ringkasan.col_desa")),
            html.Th(t("ringkasan.col_cakupan"), className="num"),
            html.Th(t("ringkasan.col_target"), className="num"),
            *([] if target3 else [html.Th(t("ringkasan.col_status"))]),
            html.Th(t("ringkasan.col_kesenjangan_orang"), className="num"),
        ]
    )
    gap_key = "ringkasan.lebih_orang" if lower_is_better else "ringkasan.kurang_orang"
    body = []
    for row in _records(table):
        body.append(
            html.Tr(
                [
                    _num_cell(str(row["peringkat"])),
                    html.Td(
                        [
                            dcc.Link(row["nama_desa"], href=hrefs[row["kode_desa"]], title=t("ringkasan.buka_desa")),
                            *([html.Span(row["nama_puskesmas"], className="rk-sub")] if show_puskesmas else []),
                        ],
                        className="name",
                    ),
                    _num_cell(format_pct(row["cakupan_kumulatif"])),
                    _num_cell(format_pct(row["target_sd_bulan"])),
                    *([] if target3 else [html.Td(chip(row["status"], row["status_target"], target3))]),
                    html.Td(t(gap_key, n=format_int(row["kesenjangan_orang"])), className="num rk-gap"),
                ]
            )
        )
    parts.append(html.Table([html.Thead(head), html.Tbody(body)], className="rk-table"))
    return parts
