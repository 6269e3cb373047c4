"""The meeting pack as PDF: the same slides written as one HTML page (one 16:9 page per slide, the boxes of the
PowerPoint layout, the same pictures embedded as data URIs) and printed by the Chromium that drew the pictures
(``Page.printToPDF`` in a tab of :class:`pws.report.images.Renderer`'s browser). Tables and text stay text in the
PDF (searchable, sharp at any zoom). Nothing is fetched: the page has no external reference.
"""

from __future__ import annotations

import base64
import html
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pws.figures.theme import BRAND, INK, MUTED
from pws.i18n import t
from pws.report.images import Renderer
from pws.report.pack import (
    MAX_CARD_IN,
    METRIC_BOX,
    PICTURE_BOX,
    SLIDE_H_IN,
    SLIDE_W_IN,
    TABLE_BOX,
    Metric,
    Pack,
    Picture,
    Slide,
    Table,
    ink_on,
    title_pt,
)
from pws.report.pptx import BAND_FILL, CARD_FILL, HEADER_FILL, LINE

CSS = f"""
@page {{ size: {SLIDE_W_IN}in {SLIDE_H_IN}in; margin: 0; }}
* {{ box-sizing: border-box; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: Calibri, Carlito, "Liberation Sans", Arial, "Noto Sans", "DejaVu Sans", sans-serif; color: {INK};
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
.slide {{ position: relative; width: {SLIDE_W_IN}in; height: {SLIDE_H_IN}in; overflow: hidden;
  page-break-after: always; break-after: page; background: #fff; }}
.slide:last-child {{ page-break-after: auto; break-after: auto; }}
.box {{ position: absolute; }}
.bar {{ background: {BRAND}; }}
h1 {{ margin: 0; font-size: 26pt; line-height: 1.15; }}
.sub {{ font-size: 14pt; color: {MUTED}; }}
.note {{ font-size: 10pt; color: {MUTED}; font-style: italic; }}
.foot {{ font-size: 10pt; color: {MUTED}; }}
.right {{ text-align: right; }}
.lines p {{ margin: 0 0 8pt; font-size: 18pt; color: {MUTED}; }}
.pic {{ display: flex; align-items: center; justify-content: center; }}
.pic img {{ max-width: 100%; max-height: 100%; }}
.missing {{ color: {MUTED}; font-size: 14pt; }}
table {{ border-collapse: collapse; width: 100%; table-layout: fixed; }}
th, td {{ padding: 2pt 5pt; border-bottom: 0.75pt solid #fff; overflow-wrap: anywhere; vertical-align: middle; }}
th {{ background: {HEADER_FILL}; text-align: left; font-size: 0.93em; overflow-wrap: normal; }}
tbody tr:nth-child(even) td {{ background: {BAND_FILL}; }}
td.right, th.right {{ text-align: right; }}
td.center, th.center {{ text-align: center; }}
td.bold {{ font-weight: 700; }}
.card {{ position: absolute; border: 0.75pt solid {LINE}; background: {CARD_FILL}; border-radius: 8pt;
  padding: 6pt 11pt; display: flex; flex-direction: column; }}
.card .name {{ font-weight: 700; font-size: 15pt; }}
.card .main {{ display: flex; align-items: center; gap: 12pt; margin: 0; }}
.card .value {{ font-size: 34pt; font-weight: 700; }}
.chip {{ display: inline-block; border-radius: 10pt; padding: 2pt 10pt; font-weight: 700; font-size: 12pt; }}
.card .lines {{ font-size: 12pt; color: {MUTED}; flex: 1; overflow: hidden; }}
.card .lines div {{ margin-bottom: 2pt; }}
.counts {{ display: flex; gap: 4pt; }}
.counts span {{ flex: 1; text-align: center; border-radius: 8pt; padding: 3pt 2pt; font-size: 9pt; line-height: 1.15; }}
.counts b {{ display: block; font-size: 12pt; }}
.card.compact .name {{ font-size: 13pt; }}
.card.compact .value {{ font-size: 28pt; }}
.card.compact .lines {{ font-size: 11.5pt; }}
.title-band {{ position: absolute; left: 0; top: 0; width: 100%; height: 3.2in; background: {BRAND}; color: #fff; }}
.title-band h1 {{ position: absolute; left: 0.8in; top: 1.05in; font-size: 40pt; color: #fff; }}
.title-band .sub {{ position: absolute; left: 0.8in; top: 2.1in; font-size: 20pt; color: #fff; }}
.title-area {{ position: absolute; left: 0.8in; top: 3.75in; font-size: 28pt; font-weight: 700; }}
.title-lines {{ position: absolute; left: 0.8in; top: 4.55in; }}
.title-lines p {{ margin: 0 0 6pt; font-size: 18pt; color: {MUTED}; }}
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _box(box: tuple[float, float, float, float], inner: str, cls: str = "box", style: str = "") -> str:
    left, top, width, height = box
    return (
        f'<div class="{cls}" style="left:{left}in;top:{top}in;width:{width}in;height:{height}in;{style}">{inner}</div>'
    )


def _picture(picture: Picture) -> str:
    data = base64.b64encode(picture.png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_e(picture.alt)}">'


def _table(table: Table) -> str:
    total = sum(table.widths) or 1.0
    cols = "".join(f'<col style="width:{100 * w / total:.2f}%">' for w in table.widths)
    fills = list(table.header_fills) + [None] * (len(table.header) - len(table.header_fills))
    head = "".join(
        f'<th class="{table.align(c)}"' + (f' style="background:{fills[c]}"' if fills[c] else "") + f">{_e(text)}</th>"
        for c, text in enumerate(table.header)
    )
    body = []
    for row in table.rows:
        cells = []
        for cell in row:
            align = "right" if cell.numeric else "center" if cell.center else ""
            classes = " ".join(c for c in (align, "bold" if cell.bold else "") if c)
            style = ""
            if cell.fill:
                style += f"background:{cell.fill} !important;"
            if cell.ink:
                style += f"color:{cell.ink};"
            cells.append(f'<td class="{classes}" style="{style}">{_e(cell.text)}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    size = f"font-size:{table.font_pt}pt;"
    head_row = f'<tr style="height:{table.font_pt * 2.05 / 72:.3f}in">'
    rows = "".join(body).replace("<tr>", f'<tr style="height:{table.min_row_in():.3f}in">')
    return (
        f'<table style="{size}"><colgroup>{cols}</colgroup><thead>{head_row}{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _metrics(metrics: Sequence[Metric]) -> str:
    left, top, width, height = METRIC_BOX
    gap = 0.15
    n = max(len(metrics), 1)
    card_h = min((height - gap * (n - 1)) / n, MAX_CARD_IN)
    compact = " compact" if card_h < 2.0 else ""
    parts = []
    for i, item in enumerate(metrics):
        y = top + i * (card_h + gap)
        lines = "".join(f"<div>{_e(line)}</div>" for line in item.lines)
        counts = "".join(
            f'<span style="background:{c.colour};color:{ink_on(c.colour)}">{_e(c.label)}<b>{c.count}</b></span>'
            for c in item.counts
        )
        parts.append(
            f'<div class="card{compact}" style="left:{left}in;top:{y}in;width:{width}in;height:{card_h}in">'
            f'<div class="name">{_e(item.name)}</div>'
            f'<div class="main"><span class="value">{_e(item.value)}</span>'
            f'<span class="chip" style="background:{item.colour};color:{item.ink}">{_e(item.status)}</span></div>'
            f'<div class="lines">{lines}</div><div class="counts">{counts}</div></div>'
        )
    return "".join(parts)


def slide_html(spec: Slide, pack: Pack, number: int, total: int) -> str:
    """One slide as a page-sized section."""
    if spec.kind == "judul":
        first, *rest = spec.lines or ("",)
        lines = "".join(f"<p>{_e(line)}</p>" for line in rest)
        return (
            f'<section class="slide"><div class="title-band"><h1>{_e(spec.title)}</h1>'
            f'<div class="sub">{_e(spec.subtitle)}</div></div><div class="title-area">{_e(first)}</div>'
            f'<div class="title-lines">{lines}</div></section>'
        )
    parts = [
        _box((0, 0, SLIDE_W_IN, 0.09), "", "box bar"),
        _box(
            (0.45, 0.25, SLIDE_W_IN - 0.9, 0.6), f'<h1 style="font-size:{title_pt(spec.title)}pt">{_e(spec.title)}</h1>'
        ),
    ]
    if spec.subtitle:
        parts.append(_box((0.45, 0.85, SLIDE_W_IN - 0.9, 0.4), _e(spec.subtitle), "box sub"))
    if spec.kind in PICTURE_BOX:
        inner = (
            _picture(spec.picture)
            if spec.picture
            else f'<span class="missing">{_e(t("rapat.tanpa_gambar", pack.info.lang))}</span>'
        )
        parts.append(_box(PICTURE_BOX[spec.kind], inner, "box pic"))
    if spec.metrics:
        parts.append(_metrics(spec.metrics))
    if spec.table is not None:
        left, top, width, height = TABLE_BOX.get(spec.kind, TABLE_BOX["full"])
        parts.append(_box((left, top, width, height), _table(spec.table)))
    if spec.lines:
        lines = "".join(f"<p>{_e(line)}</p>" for line in spec.lines)
        parts.append(_box((0.45, 1.6, SLIDE_W_IN - 0.9, 4.5), lines, "box lines"))
    if spec.note:
        parts.append(_box((0.45, 6.85, SLIDE_W_IN - 0.9, 0.3), _e(spec.note), "box note"))
    parts.append(_box((0.45, 7.14, 10.5, 0.3), _e(pack.info.footer), "box foot"))
    parts.append(_box((SLIDE_W_IN - 1.65, 7.14, 1.2, 0.3), f"{number} / {total}", "box foot right"))
    return f'<section class="slide">{"".join(parts)}</section>'


def pack_html(pack: Pack) -> str:
    """The whole pack as one self-contained HTML document (print it to get the PDF)."""
    total = len(pack.slides)
    slides = "".join(slide_html(spec, pack, i, total) for i, spec in enumerate(pack.slides, start=1))
    lang = "id" if pack.info.lang == "id" else "en"
    title = _e(pack.slides[0].title if pack.slides else "")
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{CSS}</style></head><body>{slides}</body></html>"
    )


def html_to_pdf(document: str, renderer: Renderer | None = None) -> bytes:
    """Print an HTML document to PDF with Chromium (page size from its CSS ``@page``), through ``renderer``'s
    browser when one is open (no second start), else a browser started for it."""
    with tempfile.TemporaryDirectory(prefix="pws-pdf-") as tmp:
        source = Path(tmp) / "paket.html"
        source.write_text(document, encoding="utf-8")
        with renderer or Renderer() as active:
            return active.print_pdf(source)


def write_pdf(pack: Pack, renderer: Renderer | None = None) -> bytes:
    """The pack as PDF bytes, one page per slide."""
    return html_to_pdf(pack_html(pack), renderer)


__all__ = ["html_to_pdf", "pack_html", "slide_html", "write_pdf"]
