"""Unggah page: size check in the browser, receive + preview, confirm, progress, summary, cancel.

The logic is in :mod:`pws.upload`; these callbacks pass the request's values in and turn its records into HTML.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from layouts._ids import UNGGAH
from pws import service, upload
from pws.figures.theme import format_int
from pws.i18n import current_lang, t

#: problems listed per file; the rest are counted (all of them are stored with the file)
MAX_PROBLEMS_SHOWN = 1000

# Before anything is sent: the whole upload (base64 text of every file) must fit in one request. Too big: say so,
# forget the files in the browser and send nothing. Otherwise open the gate for the server callback below.
clientside_callback(
    """
    function (contents, limits) {
        const none = window.dash_clientside.no_update;
        if (!contents || !limits) { return [none, none, none]; }
        const list = Array.isArray(contents) ? contents : [contents];
        let total = 0;
        for (const c of list) { total += (c || '').length; }
        if (total > limits.max_base64) {
            const mb = (total * 3 / 4 / 1048576).toFixed(1).replace('.', ',') + ' MB';
            return [none, limits.too_big_total.replace('{ukuran}', mb), null];
        }
        return [{n: list.length, at: Date.now()}, '', none];
    }
    """,
    Output(UNGGAH.gate, "data"),
    Output(UNGGAH.notice, "children"),
    Output(UNGGAH.upload, "contents"),
    Input(UNGGAH.upload, "contents"),
    State(UNGGAH.limits, "data"),
    prevent_initial_call=True,
)


@callback(
    Output(UNGGAH.preview, "children"),
    Output(UNGGAH.token, "data"),
    Output(UNGGAH.upload, "contents", allow_duplicate=True),
    Output(UNGGAH.status, "children", allow_duplicate=True),
    Input(UNGGAH.gate, "data"),
    State(UNGGAH.upload, "contents"),
    State(UNGGAH.upload, "filename"),
    State(UNGGAH.token, "data"),
    prevent_initial_call=True,
)
def receive(_gate: Any, contents: Any, filenames: Any, old_token: str | None) -> tuple:
    if not contents:
        raise PreventUpdate
    ws = service.current_workspace()
    if old_token and upload.read_progress(ws, old_token) is None:  # an earlier preview never confirmed
        upload.discard(ws, old_token)
    lang = current_lang()
    reception = upload.receive(ws, contents, filenames, lang)
    # contents=None: the browser forgets the files' bytes; they are staged on the server now
    return preview_panel(reception, lang), reception.token, None, []


@callback(
    Output(UNGGAH.status, "children"),
    Output(UNGGAH.poll, "disabled"),
    Output(UNGGAH.confirm, "disabled"),
    Output(UNGGAH.cancel, "disabled"),
    Output(UNGGAH.upload, "disabled"),
    Input(UNGGAH.confirm, "n_clicks"),
    State(UNGGAH.token, "data"),
    prevent_initial_call=True,
)
def confirm(clicks: int | None, token: str | None) -> tuple:
    if not clicks or not token:
        raise PreventUpdate
    ws = service.current_workspace()
    try:
        started = upload.start_ingest(ws, token, current_lang())
    except upload.StagingError:
        return _message(t("unggah.kedaluwarsa"), "warning"), True, True, True, False
    if not started:
        return _message(t("unggah.sudah_berjalan"), "info"), False, True, True, True
    return _progress(0, 0, None), False, True, True, True


@callback(
    Output(UNGGAH.status, "children", allow_duplicate=True),
    Output(UNGGAH.poll, "disabled", allow_duplicate=True),
    Output(UNGGAH.preview, "children", allow_duplicate=True),
    Output(UNGGAH.upload, "disabled", allow_duplicate=True),
    Output(UNGGAH.token, "data", allow_duplicate=True),
    Input(UNGGAH.poll, "n_intervals"),
    State(UNGGAH.token, "data"),
    prevent_initial_call=True,
)
def poll(_n: int | None, token: str | None) -> tuple:
    if not token:
        return no_update, True, no_update, False, no_update
    ws = service.current_workspace()
    state = upload.read_progress(ws, token)
    if state is None:
        return _message(t("unggah.kedaluwarsa"), "warning"), True, no_update, False, None
    if not state.finished:
        return _progress(state.done, state.total, state.current), False, no_update, True, no_update
    if state.state == upload.BROKEN:
        return _message(t("unggah.gagal_proses", detail=state.detail or "?"), "error"), True, [], False, None
    return summary_panel(state.results), True, [], False, None


@callback(
    Output(UNGGAH.preview, "children", allow_duplicate=True),
    Output(UNGGAH.status, "children", allow_duplicate=True),
    Output(UNGGAH.token, "data", allow_duplicate=True),
    Input(UNGGAH.cancel, "n_clicks"),
    State(UNGGAH.token, "data"),
    prevent_initial_call=True,
)
def cancel(clicks: int | None, token: str | None) -> tuple:
    if not clicks:
        raise PreventUpdate
    if token:
        ws = service.current_workspace()
        if upload.read_progress(ws, token) is None:  # never discard an upload that is being stored
            upload.discard(ws, token)
    return [], _message(t("unggah.dibatalkan"), "info"), None


# ---------------------------------------------------------------------------------------------- pieces


def _message(text: str, kind: str) -> html.Div:
    return html.Div(text, className=f"unggah-message unggah-message--{kind}")


def _chip(text: str, kind: str) -> html.Span:
    return html.Span(text, className=f"unggah-chip unggah-chip--{kind}")


def _counts(counts: dict[str, int]) -> list[Any]:
    chips = [
        _chip(t(f"unggah.jumlah_{label}", n=format_int(counts[severity])), severity)
        for severity, label in (("error", "galat"), ("warning", "peringatan"), ("info", "info"))
        if counts.get(severity)
    ]
    return chips or [html.Span(t("unggah.tanpa_masalah"), className="unggah-muted")]


def _problem_list(name: str, problems: list[upload.Problem], columns: int) -> html.Tr:
    shown = problems[:MAX_PROBLEMS_SHOWN]
    rows = [
        html.Tr(
            [
                html.Td(_chip(t(f"unggah.tingkat_{p.severity}"), p.severity)),
                html.Td(html.Code(p.place) if p.place else "–"),
                html.Td(p.message),
            ]
        )
        for p in shown
    ]
    body: list[Any] = [
        html.Table(
            [
                html.Thead(
                    html.Tr(
                        [
                            html.Th(t("unggah.kolom_tingkat")),
                            html.Th(t("unggah.kolom_tempat")),
                            html.Th(t("unggah.kolom_pesan")),
                        ]
                    )
                ),
                html.Tbody(rows),
            ],
            className="unggah-problems",
        )
    ]
    if len(problems) > len(shown):
        body.append(
            html.P(t("unggah.masalah_lainnya", n=format_int(len(problems) - len(shown))), className="unggah-muted")
        )
    has_errors = any(p.severity == "error" for p in problems)
    details = html.Details(
        [html.Summary(t("unggah.lihat_masalah", n=format_int(len(problems)), nama=name)), *body],
        open=has_errors and len(problems) <= 20,
    )
    return html.Tr(html.Td(details, colSpan=columns), className="unggah-problems-row")


def _puskesmas(names: list[str]) -> str:
    if not names:
        return "–"
    return names[0] if len(names) == 1 else t("unggah.puskesmas_banyak", n=len(names))


def _status_cell(item: upload.FilePreview) -> list[Any]:
    note = {
        upload.PREVIEW_NEW: t("unggah.ket_baru"),
        upload.PREVIEW_EXISTS: t("unggah.ket_sudah_ada"),
        upload.PREVIEW_REPLACES: t(
            "unggah.ket_mengganti", lama=format_int(item.stored_rows), berubah=format_int(item.changed)
        ),
        upload.PREVIEW_UNUSABLE: t("unggah.ket_tidak_terpakai"),
    }[item.status]
    return [_chip(t(f"unggah.status_{item.status}"), item.status), html.Div(note, className="unggah-note")]


def preview_panel(reception: upload.Reception, lang: str) -> html.Div:
    """The preview table (one row per file, its problems in a row below) and the confirm / cancel buttons."""
    headers = ["berkas", "jenis", "periode", "puskesmas", "baris", "status", "masalah"]
    body: list[Any] = []
    for item in reception.previews:
        body.append(
            html.Tr(
                [
                    html.Td(
                        [
                            html.Div(item.name, className="unggah-name"),
                            html.Div(upload.format_size(item.size), className="unggah-note"),
                        ]
                    ),
                    html.Td(upload.family_label(item.family, lang) if item.rows else "–"),
                    html.Td(upload.period_label(item.periods, lang)),
                    html.Td(_puskesmas(item.puskesmas), title=", ".join(item.puskesmas) or None),
                    html.Td(
                        [
                            html.Div(format_int(item.rows), className="unggah-number"),
                            html.Div(
                                t(
                                    "unggah.baris_desa",
                                    desa=format_int(item.desa),
                                    indikator=format_int(item.indicators),
                                ),
                                className="unggah-note",
                            ),
                        ]
                        if item.rows
                        else "0"
                    ),
                    html.Td(_status_cell(item)),
                    html.Td(_counts(item.counts()), className="unggah-counts"),
                ],
                className=f"unggah-file unggah-file--{item.status}",
            )
        )
        if item.problems:
            body.append(_problem_list(item.name, item.problems, len(headers)))
    ready = sum(p.ready for p in reception.previews)
    note = (
        t("unggah.siap", siap=ready, n=len(reception.previews)) if reception.ready else t("unggah.tidak_ada_yang_siap")
    )
    tally = Counter(p.status for p in reception.previews)
    chips = [
        _chip(f"{tally[status]} {t(f'unggah.status_{status}')}", status)
        for status in upload.PREVIEW_STATUSES
        if tally[status]
    ]
    return html.Div(
        [
            html.Div(
                [
                    html.H2(t("unggah.pratinjau_judul", n=len(reception.previews))),
                    html.Div(chips, className="unggah-tally"),
                ],
                className="unggah-head",
            ),
            html.Div(
                [
                    html.Button(
                        t("unggah.simpan"),
                        id=UNGGAH.confirm,
                        className="unggah-button unggah-button--primary",
                        disabled=not reception.ready,
                    ),
                    html.Button(t("unggah.batal"), id=UNGGAH.cancel, className="unggah-button"),
                    html.Span(note, className="unggah-note"),
                ],
                className="unggah-actions",
            ),
            html.Div(
                html.Table(
                    [html.Thead(html.Tr([html.Th(t(f"unggah.kolom_{h}")) for h in headers])), html.Tbody(body)],
                    className="unggah-table",
                ),
                className="unggah-table-wrap",
            ),
        ],
        className="unggah-card",
    )


def _progress(done: int, total: int, current: str | None) -> html.Div:
    return html.Div(
        [
            html.Div(t("unggah.menyimpan", selesai=done, total=total or "…"), className="unggah-progress-label"),
            html.Progress(value=str(done), max=str(max(total, 1)), className="unggah-progress"),
            html.Div(t("unggah.menyimpan_berkas", nama=current), className="unggah-note") if current else None,
        ],
        className="unggah-card",
    )


def _period_links(results: list[upload.IngestResult]) -> list[Any]:
    ws = service.current_workspace()
    order = list(service.workspace_data(ws).catalogue.indicators)
    target = upload.newest_period(results, order)
    if target is None:
        return []
    tahun, bulan, indikator = target
    query = urlencode({k: v for k, v in (("tahun", tahun), ("bulan", bulan), ("indikator", indikator)) if v})
    periode = upload.period_label([(tahun, bulan)])
    return [
        html.Div(
            [
                dcc.Link(t("unggah.buka_pws", periode=periode), href=f"/pws?{query}", className="unggah-link"),
                dcc.Link(t("unggah.buka_peta", periode=periode), href=f"/peta?{query}", className="unggah-link"),
                html.Span(t("unggah.halaman_lain"), className="unggah-note"),
            ],
            className="unggah-actions",
        )
    ]


def summary_panel(results: list[upload.IngestResult]) -> html.Div:
    """Per file: the store's status, the values stored, the problems (stored with the file); then links."""
    body: list[Any] = []
    for r in results:
        counts = {"error": 0, "warning": 0, "info": 0}
        for p in r.problems:
            counts[p.severity] = counts.get(p.severity, 0) + 1
        body.append(
            html.Tr(
                [
                    html.Td(html.Div(r.name, className="unggah-name")),
                    html.Td(upload.period_label(r.periods)),
                    html.Td(_chip(t(f"unggah.hasil_{r.status}"), f"hasil-{r.status}")),
                    html.Td(format_int(r.rows), className="unggah-number"),
                    html.Td(_counts(counts), className="unggah-counts"),
                ],
                className="unggah-file",
            )
        )
        if r.problems:
            body.append(_problem_list(r.name, r.problems, 5))
    headers = ["berkas", "periode", "status", "disimpan", "masalah"]
    stored = sum(r.rows for r in results)
    tally = Counter(r.status for r in results)
    chips = [
        _chip(f"{tally[status]} {t(f'unggah.hasil_{status}')}", f"hasil-{status}")
        for status in ("baru", "ganti", "sama", "gagal")
        if tally[status]
    ]
    return html.Div(
        [
            html.Div(
                [
                    html.H2(t("unggah.selesai_judul", n=len(results), nilai=format_int(stored))),
                    html.Div(chips, className="unggah-tally"),
                ],
                className="unggah-head",
            ),
            *_period_links(results),
            html.Div(
                html.Table(
                    [html.Thead(html.Tr([html.Th(t(f"unggah.kolom_{h}")) for h in headers])), html.Tbody(body)],
                    className="unggah-table",
                ),
                className="unggah-table-wrap",
            ),
        ],
        className="unggah-card unggah-summary",
    )
