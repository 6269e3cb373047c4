"""Ringkasan page: the shell filters in, the overview (:mod:`pws.analysis.overview`) out as HTML.

The only logic here is fetching the cached service frames the overview functions take: the kabupaten (or the
chosen puskesmas') row of each key indicator (:func:`_summary`), the puskesmas rows or the puskesmas' desa and the
desa table of the shell's indicator (:func:`_rankings`). Frames and rendered outputs are cached on the store
version and the workspace files, like the service tables.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import dash
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from layouts import ringkasan as view
from layouts._ids import RAPAT, RINGKASAN, SHELL
from pws import service
from pws.analysis import overview
from pws.config import Workspace
from pws.etl.store import STATUS_NEW, STATUS_REPLACED
from pws.i18n import current_lang, t
from pws.issues import Issue
from pws.viewstate import ViewState


def _mtime(path: Path | None) -> int:
    return path.stat().st_mtime_ns if path is not None and path.exists() else 0


@functools.lru_cache(maxsize=8)
def _key_indicators(root: Path, stamp: tuple[int, ...]) -> tuple[overview.KeyIndicators, list[Issue]]:
    ws = Workspace(root)
    return overview.load_key_indicators(ws, service.workspace_data(ws).catalogue)


def key_indicators(ws: Workspace) -> tuple[overview.KeyIndicators, list[Issue]]:
    """The workspace's key indicators and the problems of its ``indikator_utama.csv``, cached on the files."""
    stamp = (_mtime(overview.key_indicator_path(ws)), _mtime(ws.indikator_path), _mtime(ws.alias_path))
    return _key_indicators(ws.root.resolve(), stamp)


@functools.lru_cache(maxsize=4)
def _latest_ingest(root: Path, ver: int) -> pd.Timestamp | None:
    files = service.store(Workspace(root)).files()
    stored = files[files["status"].isin([STATUS_NEW, STATUS_REPLACED])]
    return None if stored.empty else pd.Timestamp(stored["waktu"].max())


def _stamps(ws: Workspace) -> tuple[int, ...]:
    """What the cached overview frames depend on besides the store: the workspace files and the key indicators."""
    files = (ws.wilayah_path, ws.sasaran_path, ws.target_path, ws.indikator_path, ws.alias_path)
    return (*(_mtime(p) for p in files), _mtime(overview.key_indicator_path(ws)))


@functools.lru_cache(maxsize=64)
def _summary(
    root: Path, ver: int, stamps: tuple[int, ...], tahun: int, bulan: int, pkm: str | None, lang: str
) -> tuple[overview.KeyIndicators, pd.DataFrame]:
    ws = Workspace(root)
    keys, _ = key_indicators(ws)
    level = "puskesmas" if pkm else "kabupaten"
    aggregates = {kode: service.aggregate_table(ws, tahun, bulan, kode, level) for _, kode in keys}
    return keys, overview.stage_summary(keys, aggregates, service.workspace_data(ws).catalogue, area=pkm, lang=lang)


@functools.lru_cache(maxsize=256)
def _rankings(
    root: Path, ver: int, stamps: tuple[int, ...], tahun: int, bulan: int, indikator: str, pkm: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    ws = Workspace(root)
    desa = overview.in_puskesmas(service.table(ws, tahun, bulan, indikator), pkm)
    ranked = overview.league(desa if pkm else service.aggregate_table(ws, tahun, bulan, indikator, "puskesmas"))
    return ranked, overview.attention(desa)


@functools.lru_cache(maxsize=64)
def _cards(
    root: Path, ver: int, stamps: tuple[int, ...], tahun: int, bulan: int, pkm: str | None, lang: str
) -> tuple[dict[str, str], list[tuple[list[dict[str, Any]], html.Div]]]:
    """The links and, per life stage, the rows and the card with no indicator marked: changing the indicator
    then redraws only the one or two cards whose mark moves."""
    keys, summary = _summary(root, ver, stamps, tahun, bulan, pkm, lang)
    hrefs = {kode: "/pws" + ViewState(tahun, bulan, kode, pkm, None).to_query() for _, kode in keys}
    return hrefs, [(rows, view.card(rows, hrefs, None)) for rows in view.stages(summary)]


def _date(stamp: pd.Timestamp) -> str:
    local = stamp.to_pydatetime().astimezone() if stamp.tzinfo is not None else stamp  # the server's time zone
    return f"{local.day} {t(f'month.{local.month}')} {local.year}"


def _notice(issues: list[Issue]) -> Any:
    if not issues:
        return None
    files = sorted({i.file for i in issues if i.file})
    items = [html.Li(f"{i.where()}: {i.message()}" if i.where() else i.message()) for i in issues[:6]]
    return html.Div(
        [html.Strong(t("ringkasan.masalah_berkas", file=", ".join(files), n=len(issues))), html.Ul(items)],
        className="rk-notice",
    )


@callback(
    Output(RINGKASAN.title, "children"),
    Output(RINGKASAN.subtitle, "children"),
    Output(RINGKASAN.notice, "children"),
    Output(RINGKASAN.cards, "children"),
    Output(RINGKASAN.league, "children"),
    Output(RINGKASAN.attention, "children"),
    Input(SHELL.filters, "data"),
)
def update_overview(filters: dict | None) -> tuple[Any, ...]:
    if not filters or not filters.get("tahun") or not filters.get("bulan"):
        raise PreventUpdate
    ws = service.current_workspace()
    tahun, bulan, indikator = int(filters["tahun"]), int(filters["bulan"]), str(filters["indikator"])
    puskesmas = filters.get("puskesmas") or None
    return _render(ws.root.resolve(), service.version(ws), _stamps(ws), tahun, bulan, indikator, puskesmas,
                   current_lang())  # fmt: skip


@functools.lru_cache(maxsize=64)
def _render(
    root: Path,
    ver: int,
    stamps: tuple[int, ...],
    tahun: int,
    bulan: int,
    indikator: str,
    puskesmas: str | None,
    lang: str,
) -> tuple[Any, ...]:
    """The page's outputs for one view, cached like the frames they show: going back to a month, puskesmas or
    indicator seen before costs nothing. The components are shared between requests and never changed."""
    ws = Workspace(root)
    data = service.workspace_data(ws)
    ind = data.catalogue.indicators[indikator]
    ranked, urgent = _rankings(root, ver, stamps, tahun, bulan, indikator, puskesmas)

    period = f"{t(f'month.{bulan}')} {tahun}"
    names = dict(zip(data.wilayah["kode_puskesmas"], data.wilayah["nama_puskesmas"], strict=True))
    if puskesmas:
        title = t("ringkasan.judul_puskesmas", nama=names.get(puskesmas, puskesmas), periode=period)
    else:
        title = t("ringkasan.judul_kabupaten", periode=period)
    latest = _latest_ingest(root, ver)
    subtitle = [
        html.Span(t("ringkasan.data_sd", tanggal=_date(latest)) if latest is not None else t("ui.no_data_yet")),
        html.Span(" " + t("ringkasan.petunjuk"), className="rk-hint"),
    ]

    def query(kode: str, pkm: str | None = puskesmas, desa: str | None = None) -> str:
        return ViewState(tahun, bulan, kode, pkm, desa).to_query()

    hrefs, plain = _cards(root, ver, stamps, tahun, bulan, puskesmas, lang)
    cards = [
        view.card(rows, hrefs, indikator) if any(r["indikator"] == indikator for r in rows) else drawn
        for rows, drawn in plain
    ]

    target3 = ind.aturan_status == "target3"
    if puskesmas:
        league_links = {k: "/pws" + query(indikator, desa=k) for k in ranked["kode"]}
        league_title = t("ringkasan.peringkat_desa", nama=names.get(puskesmas, puskesmas), indikator=ind.name())
    else:
        league_links = {k: "/ringkasan" + query(indikator, pkm=k) for k in ranked["kode"]}
        league_title = t("ringkasan.peringkat_puskesmas", indikator=ind.name())
    league = view.league_table(ranked, league_title, bool(puskesmas), target3, league_links)

    attention = view.attention_list(
        urgent,
        t("ringkasan.perhatian", indikator=ind.name()),
        not ind.higher_is_better,
        target3,
        {k: "/pws" + query(indikator, desa=k) for k in urgent["kode_desa"]},
        show_puskesmas=not puskesmas,
    )
    return title, subtitle, _notice(key_indicators(ws)[1]), cards, league, attention


# ---------------------------------------------------------------------------------------------- meeting pack


@functools.lru_cache(maxsize=2)
def _pack(root: Path, ver: int, stamps: tuple[int, ...], tahun: int, bulan: int, pkm: str | None, lang: str) -> Any:
    """The meeting pack of one view (numbers, rendered figures, slides), kept for the next format asked for."""
    from pws.report import build_pack

    return build_pack(Workspace(root), tahun, bulan, pkm, lang=lang)


@functools.lru_cache(maxsize=4)
def _pack_data(
    root: Path, ver: int, stamps: tuple[int, ...], tahun: int, bulan: int, pkm: str | None, lang: str
) -> Any:
    from pws.report import collect

    return collect(Workspace(root), tahun, bulan, pkm, lang=lang)


@callback(
    Output(RAPAT.download, "data"),
    Output(RAPAT.status, "children"),
    Input(RAPAT.pptx, "n_clicks"),
    Input(RAPAT.pdf, "n_clicks"),
    Input(RAPAT.xlsx, "n_clicks"),
    Input(RAPAT.peta, "n_clicks"),
    State(SHELL.filters, "data"),
    running=[(Output(button, "disabled"), True, False) for button in (RAPAT.pptx, RAPAT.pdf, RAPAT.xlsx, RAPAT.peta)],
    prevent_initial_call=True,
)
def download_pack(_pptx: int, _pdf: int, _xlsx: int, _peta: int, filters: dict | None) -> tuple[Any, Any]:
    """Build the file the button asks for, for the shell's month, puskesmas (and indicator, for the map)."""
    from pws.report import BrowserMissingError, print_map, write_excel, write_pdf, write_pptx

    kind = ctx.triggered_id
    if not filters or not filters.get("tahun") or not filters.get("bulan") or kind is None:
        raise PreventUpdate
    ws = service.current_workspace()
    root, ver, stamps, lang = ws.root.resolve(), service.version(ws), _stamps(ws), current_lang()
    tahun, bulan = int(filters["tahun"]), int(filters["bulan"])
    puskesmas = filters.get("puskesmas") or None
    try:
        if kind == RAPAT.xlsx:
            data = _pack_data(root, ver, stamps, tahun, bulan, puskesmas, lang)
            name, content = f"{data.info.file_stem()}.xlsx", write_excel(data)
        elif kind == RAPAT.peta:
            indikator = str(filters["indikator"])
            stem = f"peta-{indikator}-{tahun}-{bulan:02d}" + (f"-{puskesmas}" if puskesmas else "")
            name, content = f"{stem}.pdf", print_map(ws, tahun, bulan, indikator, puskesmas, fmt="pdf", lang=lang)
        else:
            pack = _pack(root, ver, stamps, tahun, bulan, puskesmas, lang)
            suffix = "pptx" if kind == RAPAT.pptx else "pdf"
            name = f"{pack.info.file_stem()}.{suffix}"
            content = write_pptx(pack) if suffix == "pptx" else write_pdf(pack)
    except BrowserMissingError:
        return dash.no_update, t("rapat.tanpa_chromium")
    return dcc.send_bytes(content, name), t("rapat.siap", berkas=name)
