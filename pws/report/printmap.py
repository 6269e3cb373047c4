"""The print-ready status map of one indicator and month: an A4 landscape page with a title, the map of the
kabupaten (puskesmas outlined and named) or of one puskesmas (its desa named), the legend with the number of desa
per status, a scale bar and a north arrow, the date of the data, the source and the filters used.

PNG at 3 image pixels per layout pixel (about 290 dpi on A4) or vector PDF, both drawn by Kaleido.
"""

from __future__ import annotations

from datetime import datetime

import plotly.graph_objects as go

from pws import service
from pws.analysis import overview
from pws.config import Workspace
from pws.figures.static import status_map
from pws.figures.theme import INK, MUTED
from pws.i18n import current_lang, t
from pws.report.images import Job, Renderer
from pws.report.pack import PackInfo, data_date, format_date, indicator_title, kabupaten_name, map_base, map_classes

#: A4 landscape in CSS pixels (96 per inch)
A4_PX = (1123, 794)
#: image pixels per layout pixel of the PNG
PNG_SCALE = 3.0
FORMATS = ("png", "pdf")


class NoBoundariesError(ValueError):
    """The workspace has no village boundaries (``batas_desa``): there is no map to print."""


def print_map_figure(
    ws: Workspace,
    tahun: int,
    bulan: int,
    indikator: str,
    kode_puskesmas: str | None = None,
    *,
    lang: str | None = None,
    kabupaten: str | None = None,
) -> go.Figure:
    """The page as a plotly figure (:data:`A4_PX`). Raises :class:`NoBoundariesError` without boundaries,
    KeyError for an unknown indicator, ValueError for an unknown puskesmas or month."""
    lang = lang or current_lang()
    if not 1 <= int(bulan) <= 12:
        raise ValueError(f"bulan must be 1..12, got {bulan!r}")
    data = service.workspace_data(ws)
    ind = data.catalogue.indicators[indikator]
    nama_pkm = None
    if kode_puskesmas:
        match = data.wilayah.loc[data.wilayah["kode_puskesmas"].astype(str) == str(kode_puskesmas), "nama_puskesmas"]
        if match.empty:
            raise ValueError(f"unknown puskesmas {kode_puskesmas!r}")
        nama_pkm = str(match.iloc[0])
    base = map_base(ws, kode_puskesmas)
    if base is None:
        raise NoBoundariesError(str(ws.root))
    info = PackInfo(
        kabupaten=kabupaten or kabupaten_name(ws, data.wilayah, lang),
        tahun=int(tahun),
        bulan=int(bulan),
        lang=lang,
        kode_puskesmas=kode_puskesmas or None,
        nama_puskesmas=nama_pkm,
        data_date=data_date(ws),
        made=datetime.now().date(),
    )
    table = overview.in_puskesmas(service.table(ws, int(tahun), int(bulan), indikator), kode_puskesmas)
    classes, legend, legend_title = map_classes(table, base.locations, lang)
    fig = status_map(
        base.geojson,
        base.locations,
        classes,
        legend,
        base.bounds,
        legend_title=legend_title,
        outline_geojson=base.outlines,
        labels=base.labels,
        font_size=15,
        map_width=0.72,
        domain_y=(0.11, 0.86),
        lang=lang,
    )
    month = t(f"month.{int(bulan)}", lang)
    scope = nama_pkm if nama_pkm else t("rapat.filter_semua", lang)
    filters = t("rapat.cetak_filter", lang, tahun=int(tahun), bulan=month, indikator=indikator, puskesmas=scope)
    date_text = format_date(info.data_date, lang) if info.data_date else "–"
    source = t("rapat.cetak_sumber", lang, batas=ws.batas_path.name if ws.batas_path is not None else "–")
    made = t("rapat.cetak_dibuat", lang, tanggal=date_text, dibuat=format_date(info.made, lang))
    subtitle = [
        info.area,
        *([info.kabupaten] if nama_pkm else []),
        t("rapat.cetak_periode", lang, periode=info.periode),
    ]
    text = {"xref": "paper", "yref": "paper", "x": 0, "xanchor": "left", "showarrow": False, "align": "left"}
    notes = [
        {
            **text,
            "text": f"<b>{t('rapat.cetak_judul', lang, indikator=indicator_title(ind.name(lang), indikator))}</b>",
            "y": 1.0,
            "yanchor": "top",
            "font": {"size": 24, "color": INK},
        },
        {**text, "text": " · ".join(subtitle), "y": 0.945, "yanchor": "top", "font": {"size": 16, "color": MUTED}},
        {**text, "text": filters, "y": 0.055, "yanchor": "bottom", "font": {"size": 12, "color": INK}},
        {**text, "text": f"{made}<br>{source}", "y": 0.0, "yanchor": "bottom", "font": {"size": 11, "color": MUTED}},
    ]
    fig.update_layout(
        annotations=[*fig.layout.annotations, *notes],
        margin={"l": 48, "r": 40, "t": 40, "b": 30},
        width=A4_PX[0],
        height=A4_PX[1],
    )
    return fig


def print_map(
    ws: Workspace,
    tahun: int,
    bulan: int,
    indikator: str,
    kode_puskesmas: str | None = None,
    *,
    fmt: str = "png",
    lang: str | None = None,
    kabupaten: str | None = None,
    renderer: Renderer | None = None,
) -> bytes:
    """The page as PNG or PDF bytes (see :func:`print_map_figure`)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    fig = print_map_figure(ws, tahun, bulan, indikator, kode_puskesmas, lang=lang, kabupaten=kabupaten)
    job = Job(fig, A4_PX[0], A4_PX[1], PNG_SCALE if fmt == "png" else 1.0, fmt)
    with renderer or Renderer() as active:
        return active.render(job)


__all__ = ["A4_PX", "FORMATS", "NoBoundariesError", "print_map", "print_map_figure"]
