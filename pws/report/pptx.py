"""The meeting pack as a PowerPoint deck (python-pptx): one 16:9 slide per :class:`~pws.report.pack.Slide`.

Everything on a slide is editable: titles and notes are text boxes, tables are real PowerPoint tables (the
office types the follow-up actions into the last one during the meeting), the key figures are shapes, only the
charts and maps are pictures (PNG rendered from the plotly figures, two image pixels per layout pixel).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml import parse_xml
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide as PptxSlide
from pptx.util import Inches, Pt

from pws.figures.theme import BRAND, INK, MUTED
from pws.i18n import t
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
    text_lines,
    title_pt,
)

HEADER_FILL = "#e4e7eb"
BAND_FILL = "#f5f7fa"
LINE = "#cbd2d9"
CARD_FILL = "#f8fafb"
FONT = "Calibri"

Box = tuple[float, float, float, float]


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper()[:6])


def _text(
    slide: PptxSlide,
    box: Box,
    lines: Sequence[str],
    size: float,
    *,
    colour: str = INK,
    bold: bool = False,
    italic: bool = False,
    align: PP_ALIGN = PP_ALIGN.LEFT,
    anchor: MSO_ANCHOR = MSO_ANCHOR.TOP,
    spacing: float = 0.0,
    name: str = "",
) -> None:
    """A text box with one paragraph per line (``name`` names the shape: ``Judul`` for the slide's title)."""
    left, top, width, height = box
    shape = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    if name:
        shape.name = name
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(0.02)
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = align
        if spacing:
            paragraph.space_after = Pt(spacing)
        run = paragraph.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.italic = italic
        run.font.name = FONT
        run.font.color.rgb = _rgb(colour)


def _rect(slide: PptxSlide, box: Box, fill: str, *, rounded: bool = False, line: str | None = None) -> None:
    shape = slide.shapes.add_shape(
        MSO_SHAPE.ROUNDED_RECTANGLE if rounded else MSO_SHAPE.RECTANGLE, *(Inches(v) for v in box)
    )
    if rounded:
        shape.adjustments[0] = 0.08
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(fill)
    if line is None:
        shape.line.fill.background()
    else:
        shape.line.color.rgb = _rgb(line)
        shape.line.width = Pt(0.75)
    shape.shadow.inherit = False


def _chip(slide: PptxSlide, box: Box, text: str, fill: str, ink: str, size: float, second: str = "") -> None:
    """A filled rounded label (a status; a status and its count, ``second``, on a second line)."""
    shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, *(Inches(v) for v in box))
    shape.adjustments[0] = 0.3
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(fill)
    shape.line.fill.background()
    shape.shadow.inherit = False
    frame = shape.text_frame
    frame.margin_left = frame.margin_right = Inches(0.04)
    frame.margin_top = frame.margin_bottom = Inches(0.0)
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.CENTER
    run = paragraph.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = not second
    run.font.name = FONT
    run.font.color.rgb = _rgb(ink)
    if second:
        paragraph = frame.add_paragraph()
        paragraph.alignment = PP_ALIGN.CENTER
        run = paragraph.add_run()
        run.text = second
        run.font.size = Pt(size + 3)
        run.font.bold = True
        run.font.name = FONT
        run.font.color.rgb = _rgb(ink)


def _picture(slide: PptxSlide, picture: Picture, box: Box) -> None:
    """The picture fitted into ``box`` (keeping its proportions, centred)."""
    left, top, width, height = box
    ratio = picture.width / picture.height
    if width / height > ratio:
        shown_w, shown_h = height * ratio, height
    else:
        shown_w, shown_h = width, width / ratio
    x = left + (width - shown_w) / 2
    y = top + (height - shown_h) / 2
    shape = slide.shapes.add_picture(io.BytesIO(picture.png), Inches(x), Inches(y), Inches(shown_w), Inches(shown_h))
    shape.name = picture.alt[:120]
    # the description screen readers (and the tests) read
    shape._element.xpath("./p:nvPicPr/p:cNvPr")[0].set("descr", picture.alt)


_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_ALIGN = {"right": "r", "center": "ctr", "left": "l"}


def _cell_xml(text: str, *, bg: str, ink: str, bold: bool, align: str, size: float) -> str:
    """One ``a:tc``: the text in one run (or an empty paragraph), margins, centred vertically, its fill."""
    run_pr = (
        f'<a:rPr lang="id-ID" sz="{round(size * 100)}" b="{int(bold)}" dirty="0"><a:solidFill>'
        f'<a:srgbClr val="{ink.lstrip("#").upper()}"/></a:solidFill><a:latin typeface="{FONT}"/></a:rPr>'
    )
    body = (
        f"<a:r>{run_pr}<a:t>{escape(text)}</a:t></a:r>"
        if text
        else f'<a:endParaRPr lang="id-ID" sz="{round(size * 100)}"/>'
    )
    margin_x, margin_y = int(Inches(0.06)), int(Inches(0.02))
    return (
        f'<a:tc><a:txBody><a:bodyPr/><a:lstStyle/><a:p><a:pPr algn="{_ALIGN[align]}"/>{body}</a:p></a:txBody>'
        f'<a:tcPr marL="{margin_x}" marR="{margin_x}" marT="{margin_y}" marB="{margin_y}" anchor="ctr">'
        f'<a:solidFill><a:srgbClr val="{bg.lstrip("#").upper()}"/></a:solidFill></a:tcPr></a:tc>'
    )


def _table(slide: PptxSlide, table: Table, box: Box) -> None:
    """A PowerPoint table: header on grey, rows on white and light grey bands, status cells in their colour.

    The table's XML is written in one piece (python-pptx's cell-by-cell API costs seconds for a whole pack)."""
    left, top, width, _ = box
    n_rows = len(table.rows) + 1
    n_cols = len(table.header)
    head_h = table.font_pt * 2.05 / 72
    row_h = table.min_row_in()
    shape = slide.shapes.add_table(
        n_rows, n_cols, Inches(left), Inches(top), Inches(width), Inches(head_h + row_h * (n_rows - 1))
    )
    total = sum(table.widths) or 1.0
    grid = "".join(f'<a:gridCol w="{int(Inches(width) * w / total)}"/>' for w in table.widths)
    fills = list(table.header_fills) + [None] * (n_cols - len(table.header_fills))
    aligns = [table.align(c) for c in range(n_cols)]
    head = "".join(
        _cell_xml(text, bg=fills[c] or HEADER_FILL, ink=INK, bold=True, align=aligns[c], size=table.font_pt - 1)
        for c, text in enumerate(table.header)
    )
    rows = [f'<a:tr h="{int(Inches(head_h))}">{head}</a:tr>']
    for r, row in enumerate(table.rows, start=1):
        band = BAND_FILL if r % 2 == 0 else "#ffffff"
        cells = "".join(
            _cell_xml(
                cell.text,
                bg=cell.fill or band,
                ink=cell.ink or INK,
                bold=cell.bold,
                align="right" if cell.numeric else "center" if cell.center else "left",
                size=table.font_pt,
            )
            for cell in row
        )
        rows.append(f'<a:tr h="{int(Inches(row_h))}">{cells}</a:tr>')
    old = shape._element.xpath("./a:graphic/a:graphicData/a:tbl")[0]
    style = old.find(f"{{{_A}}}tblPr/{{{_A}}}tableStyleId")
    style_xml = f"<a:tableStyleId>{style.text}</a:tableStyleId>" if style is not None else ""
    xml = (
        f'<a:tbl xmlns:a="{_A}"><a:tblPr firstRow="1">{style_xml}</a:tblPr><a:tblGrid>{grid}</a:tblGrid>'
        f"{''.join(rows)}</a:tbl>"
    )
    old.getparent().replace(old, parse_xml(xml))


def _metrics(slide: PptxSlide, metrics: Sequence[Metric], box: Box) -> None:
    """One card per key indicator, stacked: name, the coverage in large type with its status, the target and the
    gap, desa reporting, and the desa per status as coloured counts."""
    left, top, width, height = box
    gap = 0.15
    n = max(len(metrics), 1)
    card_h = min((height - gap * (n - 1)) / n, MAX_CARD_IN)
    compact = card_h < 2.0
    for i, item in enumerate(metrics):
        y = top + i * (card_h + gap)
        _rect(slide, (left, y, width, card_h), CARD_FILL, rounded=True, line=LINE)
        pad = 0.15
        name_pt = 13 if compact else 15
        name_lines = min(text_lines(item.name, width - 2 * pad, name_pt, True), 2)
        _text(slide, (left + pad, y + 0.06, width - 2 * pad, 0.4 * name_lines), [item.name], name_pt, bold=True)
        value_y = y + (0.38 if compact else 0.45) + (name_lines - 1) * name_pt * 1.2 / 72
        value_h = 0.5 if compact else 0.62
        _text(
            slide,
            (left + pad, value_y, 2.1, value_h),
            [item.value],
            28 if compact else 34,
            bold=True,
            anchor=MSO_ANCHOR.MIDDLE,
        )
        _chip(
            slide,
            (left + 2.3, value_y + (value_h - 0.34) / 2, min(1.5, width - 2.45), 0.34),
            item.status,
            item.colour,
            item.ink,
            12,
        )
        counts_h = 0.46
        lines_y = value_y + value_h + 0.02
        room = y + card_h - counts_h - 0.1 - lines_y
        shown = list(item.lines[: max(int(room / 0.21), 1)])
        _text(slide, (left + pad, lines_y, width - 2 * pad, room), shown, 11.5 if compact else 12, colour=MUTED)
        chip_w = (width - 2 * pad - 0.05 * (len(item.counts) - 1)) / max(len(item.counts), 1)
        for j, count in enumerate(item.counts):
            x = left + pad + j * (chip_w + 0.05)
            _chip(
                slide,
                (x, y + card_h - counts_h - 0.1, chip_w, counts_h),
                count.label,
                count.colour,
                ink_on(count.colour),
                9,
                str(count.count),
            )


def _frame(slide: PptxSlide, spec: Slide, pack: Pack, number: int, total: int) -> None:
    """What every slide but the title has: the brand bar, title, subtitle, note and the footer."""
    _rect(slide, (0, 0, SLIDE_W_IN, 0.09), BRAND)
    _text(slide, (0.45, 0.25, SLIDE_W_IN - 0.9, 0.6), [spec.title], title_pt(spec.title), bold=True, name="Judul")
    if spec.subtitle:
        _text(slide, (0.45, 0.83, SLIDE_W_IN - 0.9, 0.4), [spec.subtitle], 14, colour=MUTED)
    if spec.note:
        _text(slide, (0.45, 6.84, SLIDE_W_IN - 0.9, 0.28), [spec.note], 10, colour=MUTED, italic=True)
    _text(slide, (0.45, 7.12, 10.5, 0.3), [pack.info.footer], 10, colour=MUTED)
    _text(slide, (SLIDE_W_IN - 1.65, 7.12, 1.2, 0.3), [f"{number} / {total}"], 10, colour=MUTED, align=PP_ALIGN.RIGHT)


def _title_slide(slide: PptxSlide, spec: Slide) -> None:
    _rect(slide, (0, 0, SLIDE_W_IN, 3.2), BRAND)
    _text(slide, (0.8, 1.05, SLIDE_W_IN - 1.6, 1.0), [spec.title], 40, colour="#ffffff", bold=True, name="Judul")
    _text(slide, (0.8, 2.1, SLIDE_W_IN - 1.6, 0.6), [spec.subtitle], 20, colour="#ffffff")
    first, *rest = spec.lines or ("",)
    _text(slide, (0.8, 3.7, SLIDE_W_IN - 1.6, 0.7), [first], 28, bold=True)
    _text(slide, (0.8, 4.5, SLIDE_W_IN - 1.6, 2.2), rest, 18, colour=MUTED, spacing=6)


def add_slide(prs: PresentationType, spec: Slide, pack: Pack, number: int, total: int) -> PptxSlide:
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    if spec.kind == "judul":
        _title_slide(slide, spec)
        return slide
    _frame(slide, spec, pack, number, total)
    if spec.kind in PICTURE_BOX:
        if spec.picture is not None:
            _picture(slide, spec.picture, PICTURE_BOX[spec.kind])
        else:
            left, top, width, height = PICTURE_BOX[spec.kind]
            _text(
                slide,
                (left, top + height / 2 - 0.3, width, 0.6),
                [t("rapat.tanpa_gambar", pack.info.lang)],
                14,
                colour=MUTED,
                align=PP_ALIGN.CENTER,
            )
    if spec.metrics:
        _metrics(slide, spec.metrics, METRIC_BOX)
    if spec.table is not None:
        _table(slide, spec.table, TABLE_BOX.get(spec.kind, TABLE_BOX["full"]))
    if spec.lines:
        _text(slide, (0.45, 1.6, SLIDE_W_IN - 0.9, 4.5), list(spec.lines), 18, colour=MUTED, spacing=8)
    return slide


def write_pptx(pack: Pack) -> bytes:
    """The deck as ``.pptx`` bytes."""
    prs = Presentation()
    prs.slide_width = Inches(SLIDE_W_IN)
    prs.slide_height = Inches(SLIDE_H_IN)
    info = pack.info
    prs.core_properties.title = pack.slides[0].title if pack.slides else ""
    prs.core_properties.subject = f"{info.area} · {info.periode}"
    prs.core_properties.author = "PWS Desa"
    prs.core_properties.language = "id-ID" if info.lang == "id" else "en-GB"
    total = len(pack.slides)
    for number, spec in enumerate(pack.slides, start=1):
        add_slide(prs, spec, pack, number, total)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


__all__ = ["write_pptx"]
