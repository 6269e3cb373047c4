"""pws.etl.read: real files of every supported format, built here with code, read back cell by cell.

.xlsx comes from openpyxl. .ods and .xls are written by hand (a minimal OpenDocument zip; a minimal BIFF8 workbook
stream in an OLE compound file) because neither odfpy nor xlwt is a dependency; both are read by python-calamine's
real readers, so they exercise the same paths as files saved by LibreOffice and Excel 97-2003.
"""

from __future__ import annotations

import datetime
import io
import random
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from pws.etl import read as read_module
from pws.etl.model import Sheet, UnreadableFileError, Workbook
from pws.etl.read import cell_address, detect_kind, read_workbook

# The report fragment every format carries (0-based (row, col) -> value as calamine gives it back).
TITLE = "PEMANTAUAN WILAYAH SETEMPAT KIA"
EXPECTED_CELLS: dict[tuple[int, int], Any] = {
    (2, 2): "BULAN : JANUARI 2024",
    (4, 1): "DESA",
    (4, 2): "K1",
    (5, 2): 1.0,  # an integer comes back as a float
    (5, 3): "7",  # a number stored as text stays text
    (5, 4): 2.5,
    (6, 1): "Mekar Jaya",
}
DATE_CELL = (6, 5)
EXPECTED_MERGES = [(4, 1, 5, 1), (4, 2, 4, 4)]  # DESA over two rows, K1 over three columns


def check_fragment(sheet: Sheet) -> None:
    rows = sheet.rows
    assert len({len(r) for r in rows}) == 1, "grid must be rectangular"
    for (r, c), value in EXPECTED_CELLS.items():
        assert rows[r][c] == value, (r, c)
        assert type(rows[r][c]) is type(value)
    date = rows[DATE_CELL[0]][DATE_CELL[1]]
    assert isinstance(date, datetime.date)
    assert (date.year, date.month, date.day) == (2024, 2, 5)
    assert rows[0][0] in ("", TITLE)
    assert rows[3] == [""] * len(rows[3])  # an empty row keeps its place
    for r0, c0, r1, c1 in EXPECTED_MERGES:
        assert (r0, c0, r1, c1) in sheet.merged
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    assert rows[r][c] == "", "cells under a merge are empty"


# ----------------------------------------------------------------------------------------------------------------
# builders
# ----------------------------------------------------------------------------------------------------------------


def write_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "JAN"
    ws["A1"] = TITLE
    ws.merge_cells("A1:Z1")  # a title merged far beyond the last value: clipped to the grid
    ws["C3"] = "BULAN : JANUARI 2024"
    ws["B5"] = "DESA"
    ws.merge_cells("B5:B6")
    ws["C5"] = "K1"
    ws.merge_cells("C5:E5")
    ws["C6"] = 1
    ws["D6"] = "7"
    ws["E6"] = 2.5
    ws["B7"] = "Mekar Jaya"
    ws["F7"] = datetime.date(2024, 2, 5)
    ws["G7"] = "=C6+E6"  # openpyxl writes no cached value
    hidden = wb.create_sheet("Rumus")
    hidden["A1"] = "tersembunyi"
    hidden.sheet_state = "hidden"
    very = wb.create_sheet("Sistem")
    very["B2"] = 5
    very.sheet_state = "veryHidden"
    wb.create_sheet("Kosong")
    wb.save(path)
    return path


ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" office:version="1.2">
<office:automatic-styles>
 <style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>
 <style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>
</office:automatic-styles>
<office:body><office:spreadsheet>
<table:table table:name="JAN" table:style-name="ta1">
 <table:table-column table:number-columns-repeated="8"/>
 <table:table-row>
  <table:table-cell office:value-type="string" table:number-columns-spanned="3"><text:p>{title}</text:p>
  </table:table-cell><table:covered-table-cell table:number-columns-repeated="2"/>
 </table:table-row>
 <table:table-row><table:table-cell table:number-columns-repeated="8"/></table:table-row>
 <table:table-header-rows>
 <table:table-row><table:table-cell table:number-columns-repeated="2"/>
  <table:table-cell office:value-type="string"><text:p>BULAN : JANUARI 2024</text:p></table:table-cell>
 </table:table-row>
 </table:table-header-rows>
 <table:table-row><table:table-cell table:number-columns-repeated="8"/></table:table-row>
 <table:table-row><table:table-cell/>
  <table:table-cell table:number-rows-spanned="2" office:value-type="string"><text:p>DESA</text:p></table:table-cell>
  <table:table-cell table:number-columns-spanned="3" office:value-type="string"><text:p>K1</text:p></table:table-cell>
  <table:covered-table-cell table:number-columns-repeated="2"/>
 </table:table-row>
 <table:table-row><table:table-cell/><table:covered-table-cell/>
  <table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>
  <table:table-cell office:value-type="string"><text:p>7</text:p></table:table-cell>
  <table:table-cell office:value-type="float" office:value="2.5"><text:p>2,5</text:p></table:table-cell>
 </table:table-row>
 <table:table-row><table:table-cell/>
  <table:table-cell office:value-type="string"><text:p>Mekar Jaya</text:p></table:table-cell>
  <table:table-cell table:number-columns-repeated="3"/>
  <table:table-cell office:value-type="date" office:date-value="2024-02-05"><text:p>05/02/24</text:p>
  </table:table-cell>
 </table:table-row>
 <table:table-row table:number-rows-repeated="1048569"><table:table-cell table:number-columns-repeated="8"/>
 </table:table-row>
</table:table>
<table:table table:name="Rumus" table:style-name="ta2">
 <table:table-row><table:table-cell office:value-type="string"><text:p>tersembunyi</text:p></table:table-cell>
 </table:table-row>
</table:table>
</office:spreadsheet></office:body></office:document-content>"""

ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>{extra}
</manifest:manifest>"""


def write_ods(path: Path, *, mimetype_first: bool = True, encrypted: bool = False) -> Path:
    """A minimal OpenDocument spreadsheet as LibreOffice lays it out (stored ``mimetype`` first)."""
    extra = '\n <manifest:file-entry manifest:full-path="x"><manifest:encryption-data/></manifest:file-entry>'
    manifest = ODS_MANIFEST.format(extra=extra if encrypted else "")
    # LibreOffice writes no whitespace between elements (and calamine's ODS reader insists on that)
    xml = re.sub(r">\s+<", "><", ODS_CONTENT.replace("{title}", TITLE))
    content = b"\x00garbled" if encrypted else xml.encode()
    mime = (zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        if mimetype_first:
            z.writestr(*mime)
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
        if not mimetype_first:
            z.writestr(*mime)
    return path


def _record(typ: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", typ, len(data)) + data


def ole_file(stream: bytes, stream_name: str = "Workbook") -> bytes:
    """An OLE compound file (version 3, 512-byte sectors) holding one stream of at least 4096 bytes."""
    size = max(4096, -(-len(stream) // 512) * 512)
    stream = stream.ljust(size, b"\0")
    n = size // 512
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [3 + i for i in range(n - 1)] + [0xFFFFFFFE]  # FAT, directory, stream chain
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<9I", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", 0xFFFFFFFF) * 108
    )

    def entry(name: str, typ: int, child: int, start: int, length: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB", len(raw), typ, 1)
            + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, child)
            + b"\0" * 36
            + struct.pack("<III", start, length, 0)
        )

    directory = (
        entry("Root Entry", 5, 1, 0xFFFFFFFE, 0)
        + entry(stream_name, 2, 0xFFFFFFFF, 2, len(stream))
        + entry("", 0, 0xFFFFFFFF, 0, 0) * 2
    )
    return header + struct.pack("<128I", *fat) + directory + stream


XlsSheet = tuple[str, int, dict[tuple[int, int], Any], list[tuple[int, int, int, int]]]


def xls_bytes(sheets: list[XlsSheet], *, password: bool = False) -> bytes:
    """A BIFF8 workbook (Excel 97-2003): sheets as (name, 0 visible/1 hidden/2 very hidden, cells, merges)."""

    def bof(dt: int) -> bytes:
        return _record(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC, 0, 6))

    def xf(ifmt: int) -> bytes:
        return _record(0x00E0, struct.pack("<HH", 0, ifmt) + b"\0" * 16)

    def boundsheet(pos: int, name: str, state: int) -> bytes:
        return _record(0x0085, struct.pack("<IBBBB", pos, state, 0, len(name), 1) + name.encode("utf-16-le"))

    filepass = _record(0x002F, b"\x01\x00" + b"\0" * 52) if password else b""
    head = bof(0x0005) + filepass + _record(0x0042, struct.pack("<H", 1200)) + xf(0) + xf(14)  # XF 1 = date
    bodies = []
    for _, _, cells, merges in sheets:
        body = bof(0x0010)
        for (r, c), v in sorted(cells.items()):
            if isinstance(v, str):
                body += _record(0x0204, struct.pack("<HHHHB", r, c, 0, len(v), 1) + v.encode("utf-16-le"))
            elif isinstance(v, datetime.date):
                serial = float((v - datetime.date(1899, 12, 30)).days)
                body += _record(0x0203, struct.pack("<HHHd", r, c, 1, serial))
            else:
                body += _record(0x0203, struct.pack("<HHHd", r, c, 0, float(v)))
        if merges:
            ranges = b"".join(struct.pack("<HHHH", r0, r1, c0, c1) for r0, c0, r1, c1 in merges)
            body += _record(0x00E5, struct.pack("<H", len(merges)) + ranges)
        bodies.append(body + _record(0x000A))
    pos = len(head) + sum(len(boundsheet(0, name, state)) for name, state, _, _ in sheets) + 4
    directory = b""
    for (name, state, _, _), body in zip(sheets, bodies, strict=True):
        directory += boundsheet(pos, name, state)
        pos += len(body)
    return ole_file(head + directory + _record(0x000A) + b"".join(bodies))


def write_xls(path: Path, *, password: bool = False) -> Path:
    cells = {(0, 0): TITLE, **EXPECTED_CELLS, DATE_CELL: datetime.date(2024, 2, 5)}
    sheets: list[XlsSheet] = [
        ("JAN", 0, cells, [(0, 0, 0, 25), *EXPECTED_MERGES]),
        ("Rumus", 1, {(0, 0): "tersembunyi"}, []),
        ("Sistem", 2, {(1, 1): 5}, []),
    ]
    path.write_bytes(xls_bytes(sheets, password=password))
    return path


def sheet_named(wb: Workbook, name: str) -> Sheet:
    return next(s for s in wb.sheets if s.name == name)


# ----------------------------------------------------------------------------------------------------------------
# spreadsheets
# ----------------------------------------------------------------------------------------------------------------


def test_xlsx_grid_merges_visibility(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "laporan.xlsx")
    wb = read_workbook(path)
    assert (wb.name, wb.kind) == ("laporan.xlsx", "xlsx")
    assert [(s.name, s.visible) for s in wb.sheets] == [
        ("JAN", True),
        ("Rumus", False),
        ("Sistem", False),
        ("Kosong", True),
    ]
    jan = wb.sheets[0]
    check_fragment(jan)
    assert jan.rows[0][0] == TITLE
    width = len(jan.rows[0])
    assert (0, 0, 0, width - 1) in jan.merged  # A1:Z1 clipped to the grid
    assert all(r1 < len(jan.rows) and c1 < width for _, _, r1, c1 in jan.merged)
    # the formula without a cached value is empty (or beyond the grid)
    assert width <= 6 or jan.rows[6][6] == ""
    assert sheet_named(wb, "Sistem").rows == [["", ""], ["", 5.0]]
    assert sheet_named(wb, "Kosong").rows == []


def test_xlsx_every_written_cell_at_its_excel_address(tmp_path: Path) -> None:
    """Random cells written with openpyxl come back at rows[r-1][c-1], whatever lies before them."""
    rnd = random.Random(7)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    written: dict[tuple[int, int], Any] = {}
    for _ in range(200):
        r, c = rnd.randint(3, 80), rnd.randint(2, 40)
        value: Any = rnd.choice([rnd.randint(0, 999), f"desa {rnd.randint(0, 99)}", str(rnd.randint(0, 99))])
        ws.cell(r, c, value)
        written[(r, c)] = value
    path = tmp_path / "acak.xlsx"
    wb.save(path)
    rows = read_workbook(path).sheets[0].rows
    assert len(rows) == max(r for r, _ in written)
    assert all(len(row) == max(c for _, c in written) for row in rows)
    for (r, c), value in written.items():
        expected = float(value) if isinstance(value, int) else value
        assert rows[r - 1][c - 1] == expected, cell_address(r - 1, c - 1)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if (r, c) not in written:
                assert value == ""


def test_ods_same_content_as_xlsx(tmp_path: Path) -> None:
    wb = read_workbook(write_ods(tmp_path / "laporan.ods"))
    assert wb.kind == "ods"
    assert [(s.name, s.visible) for s in wb.sheets] == [("JAN", True), ("Rumus", False)]
    jan = wb.sheets[0]
    check_fragment(jan)
    assert jan.rows[0][0] == TITLE
    # merges come from content.xml, on the same coordinates as calamine's grid
    assert sorted(jan.merged) == sorted([(0, 0, 0, 2), *EXPECTED_MERGES])
    xlsx = read_workbook(write_xlsx(tmp_path / "laporan.xlsx")).sheets[0]
    for r in range(1, 7):
        assert jan.rows[r][:6] == xlsx.rows[r][:6]


def test_ods_found_when_mimetype_is_not_first(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "laporan.ods", mimetype_first=False)
    assert detect_kind(path.read_bytes(), path.name) == "ods"
    check_fragment(read_workbook(path).sheets[0])


def test_xls_biff8(tmp_path: Path) -> None:
    wb = read_workbook(write_xls(tmp_path / "laporan.xls"))
    assert wb.kind == "xls"
    assert [(s.name, s.visible) for s in wb.sheets] == [("JAN", True), ("Rumus", False), ("Sistem", False)]
    jan = wb.sheets[0]
    check_fragment(jan)
    assert (0, 0, 0, len(jan.rows[0]) - 1) in jan.merged


@pytest.mark.parametrize("name", ["laporan.csv", "laporan.xls", "LAPORAN.XLSX", "laporan"])
def test_xlsx_under_another_name(tmp_path: Path, name: str) -> None:
    source = write_xlsx(tmp_path / "asli.xlsx")
    renamed = tmp_path / name
    renamed.write_bytes(source.read_bytes())
    wb = read_workbook(renamed)
    assert (wb.kind, wb.name) == ("xlsx", name)
    check_fragment(wb.sheets[0])


def test_xls_named_xlsx(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "laporan.xlsx")
    wb = read_workbook(path)
    assert wb.kind == "xls"
    check_fragment(wb.sheets[0])


# ----------------------------------------------------------------------------------------------------------------
# text formats
# ----------------------------------------------------------------------------------------------------------------


def test_csv_semicolon_cp1252(tmp_path: Path) -> None:
    text = (
        "LAPORAN PWS KIA – PUSKESMAS CIBEUREUM;;;\r\n"
        "BULAN : JANUARI 2024;;;\r\n"
        "\r\n"
        "NO;DESA;K1;%\r\n"
        "1;Sukamaju;12;83,5\r\n"
        '2;"Cibeureum; Kidul";1.234;-\r\n'
        "3;Désa Ujung;;\r\n"
    )
    path = tmp_path / "pws.csv"
    path.write_bytes(text.encode("cp1252"))
    wb = read_workbook(path)
    assert wb.kind == "csv"
    [sheet] = wb.sheets
    assert sheet.name == "" and sheet.merged == [] and sheet.visible
    assert sheet.rows[0] == ["LAPORAN PWS KIA – PUSKESMAS CIBEUREUM", "", "", ""]
    assert sheet.rows[2] == ["", "", "", ""]  # the blank line keeps its row
    assert sheet.rows[4] == ["1", "Sukamaju", "12", "83,5"]  # all cells stay text
    assert sheet.rows[5] == ["2", "Cibeureum; Kidul", "1.234", "-"]
    assert sheet.rows[6] == ["3", "Désa Ujung", "", ""]


def test_csv_comma_utf8_bom_quoted_newline(tmp_path: Path) -> None:
    path = tmp_path / "sigizi.csv"
    path.write_bytes('Kelurahan,Bulan,Jumlah\n"Mekar, Jaya",Nopember,"1,5"\n"Baris\ndua",Mei\n'.encode("utf-8-sig"))
    [sheet] = read_workbook(path).sheets
    assert sheet.rows == [
        ["Kelurahan", "Bulan", "Jumlah"],
        ["Mekar, Jaya", "Nopember", "1,5"],
        ["Baris\ndua", "Mei", ""],  # padded to the width
    ]


def test_csv_excel_sep_line_and_utf16_tab_text(tmp_path: Path) -> None:
    sep = tmp_path / "sep.csv"
    sep.write_bytes(b"sep=,\r\na;b,c\r\n")
    assert read_workbook(sep).sheets[0].rows == [["a;b", "c"]]
    unicode_text = tmp_path / "unicode.txt"  # Excel's "Unicode Text": UTF-16 with BOM, tab-separated
    unicode_text.write_bytes("DESA\tK1\r\nSukamaju\t12\r\n".encode("utf-16"))
    wb = read_workbook(unicode_text)
    assert wb.kind == "csv"
    assert wb.sheets[0].rows == [["DESA", "K1"], ["Sukamaju", "12"]]


def test_text_named_xlsx_is_csv(tmp_path: Path) -> None:
    path = tmp_path / "laporan.xlsx"
    path.write_text("DESA;K1\nSukamaju;3\n", encoding="utf-8")
    wb = read_workbook(path)
    assert wb.kind == "csv"
    assert wb.sheets[0].rows == [["DESA", "K1"], ["Sukamaju", "3"]]


HTML = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<style>td {{ mso-number-format: "\\@"; }}</style><script>var x = "<td>no</td>";</script></head>
<body><h3>Daftar Riwayat PMT</h3>
<table border="1">
<thead><tr><th rowspan="2">No</th><th rowspan=2>Nama</th><th colspan="2">Berat</th><th>Desa/Kel</th></tr>
<tr><th>Awal</th><th>Akhir</th><th>&nbsp;</th></tr></thead>
<tbody>
<tr><td>1</td><td>Siti&nbsp;Aminah <br>binti   Ahmad</td><td>7,5</td><td>8,1</td><td>Mekar &amp; Jaya</td></tr>
<tr><td>2<td>Budi<td colspan="3">tidak diukur
</tbody></table>
<table><tr><td>Total</td><td>{total}</td></tr></table>
</body></html>"""


def test_html_table_saved_as_xls(tmp_path: Path) -> None:
    path = tmp_path / "Daftar-Riwayat-PMT-2024.xls"
    path.write_text(HTML.format(total="2"), encoding="utf-8")
    wb = read_workbook(path)
    assert wb.kind == "html"
    assert [s.name for s in wb.sheets] == ["Tabel 1", "Tabel 2"]
    first, second = wb.sheets
    assert first.rows == [
        ["No", "Nama", "Berat", "", "Desa/Kel"],
        ["", "", "Awal", "Akhir", ""],
        ["1", "Siti Aminah binti Ahmad", "7,5", "8,1", "Mekar & Jaya"],
        ["2", "Budi", "tidak diukur", "", ""],  # unclosed <td>/<tr> as browsers read them
    ]
    assert sorted(first.merged) == [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (3, 2, 3, 4)]
    assert second.rows == [["Total", "2"]]


def test_html_rowspan_layout_and_clipping(tmp_path: Path) -> None:
    html = (
        "<table><tr><td rowspan=3>A</td><td>B</td><td rowspan=0>C</td></tr><tr><td>D</td></tr><tr><td>E</td></tr>"
        "</table><table><tr><td colspan=5000>X</td></tr></table>"
    )
    path = tmp_path / "x.xls"
    path.write_text(html)
    spans, wide = read_workbook(path).sheets
    assert spans.rows == [["A", "B", "C"], ["", "D", ""], ["", "E", ""]]
    assert sorted(spans.merged) == [(0, 0, 2, 0), (0, 2, 2, 2)]  # rowspan=0 runs to the end of the table
    assert wide.rows == [["X"] + [""] * 999]  # colspan is capped at 1000, as browsers do
    assert wide.merged == [(0, 0, 0, 999)]


def test_html_declared_charset_and_utf16(tmp_path: Path) -> None:
    page = '<html><head><meta charset="windows-1252"></head><body><table><tr><td>Désa – 1</td></tr></table>'
    latin = tmp_path / "a.xls"
    latin.write_bytes(page.encode("cp1252"))
    assert read_workbook(latin).sheets[0].rows == [["Désa – 1"]]
    wide = tmp_path / "b.xls"
    wide.write_bytes(page.encode("utf-16"))
    assert read_workbook(wide).sheets[0].rows == [["Désa – 1"]]


def test_html_table_after_long_style_block(tmp_path: Path) -> None:
    style = "<style>" + ".x{color:red}\n" * 10000 + "</style>"
    path = tmp_path / "ekspor.xls"
    path.write_text(f"<html><head>{style}</head><body><table><tr><td>1</td></tr></table></body></html>")
    assert detect_kind(path.read_bytes(), path.name) == "html"
    assert read_workbook(path).sheets[0].rows == [["1"]]


# ----------------------------------------------------------------------------------------------------------------
# files that cannot be read
# ----------------------------------------------------------------------------------------------------------------


def unreadable(path: Path) -> str:
    with pytest.raises(UnreadableFileError) as info:
        read_workbook(path)
    assert info.value.detail == str(info.value)
    return info.value.detail


def test_empty_and_blank_files(tmp_path: Path) -> None:
    (tmp_path / "a.xlsx").write_bytes(b"")
    (tmp_path / "b.csv").write_bytes(b" \r\n\t\n")
    assert unreadable(tmp_path / "a.xlsx") == read_module.EMPTY
    assert unreadable(tmp_path / "b.csv") == read_module.EMPTY


def test_missing_file(tmp_path: Path) -> None:
    assert "tidak ditemukan" in unreadable(tmp_path / "tidak-ada.xlsx")


def test_random_bytes_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "acak.xlsx"
    path.write_bytes(random.Random(3).randbytes(5000))
    assert unreadable(path) == read_module.UNKNOWN


def test_pdf(tmp_path: Path) -> None:
    path = tmp_path / "laporan.xls"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n")
    assert unreadable(path) == read_module.PDF


@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.2])
def test_truncated_xlsx(tmp_path: Path, fraction: float) -> None:
    data = write_xlsx(tmp_path / "asli.xlsx").read_bytes()
    path = tmp_path / "potong.xlsx"
    path.write_bytes(data[: int(len(data) * fraction)])
    assert unreadable(path) == read_module.EXCEL_BROKEN


def test_truncated_xls_and_ods(tmp_path: Path) -> None:
    xls = write_xls(tmp_path / "asli.xls").read_bytes()
    (tmp_path / "potong.xls").write_bytes(xls[:1500])
    assert unreadable(tmp_path / "potong.xls") == read_module.EXCEL_BROKEN
    ods = write_ods(tmp_path / "asli.ods").read_bytes()
    (tmp_path / "potong.ods").write_bytes(ods[: len(ods) // 2])
    assert unreadable(tmp_path / "potong.ods") == read_module.ODS_BROKEN


def test_password_protected_xls(tmp_path: Path) -> None:
    assert unreadable(write_xls(tmp_path / "rahasia.xls", password=True)) == read_module.PASSWORD
    other = tmp_path / "rahasia.xlsx"  # under a wrong extension too
    other.write_bytes((tmp_path / "rahasia.xls").read_bytes())
    assert unreadable(other) == read_module.PASSWORD


def test_password_protected_xlsx(tmp_path: Path) -> None:
    """Excel's "Encrypt with Password" writes an OLE file with EncryptionInfo/EncryptedPackage streams.

    Built by hand (msoffcrypto-tool is not a dependency): the container is what the reader sees.
    """
    path = tmp_path / "rahasia.xlsx"
    path.write_bytes(ole_file(b"\x04\x00\x04\x00" + b"\x99" * 5000, stream_name="EncryptedPackage"))
    assert detect_kind(path.read_bytes(), path.name) == "xls"
    assert unreadable(path) == read_module.PASSWORD


def test_password_protected_ods(tmp_path: Path) -> None:
    assert unreadable(write_ods(tmp_path / "rahasia.ods", encrypted=True)) == read_module.PASSWORD


def test_stray_value_far_away(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "DESA"
    ws["Z1048576"] = "x"  # 27 million cells from A1
    path = tmp_path / "jauh.xlsx"
    wb.save(path)
    detail = unreadable(path)
    assert "terlalu besar" in detail and "Z1048576" in detail


def test_zip_archives_and_documents(tmp_path: Path) -> None:
    archive = tmp_path / "laporan.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("JAN.xlsx", b"PK")
        z.writestr("FEB.xlsx", b"PK")
    assert unreadable(archive) == read_module.ZIP_ARCHIVE
    docx = tmp_path / "surat.xlsx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert unreadable(docx) == read_module.WORD
    odt = tmp_path / "surat.ods"
    with zipfile.ZipFile(odt, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    assert unreadable(odt) == read_module.NOT_SPREADSHEET_ODF


def test_word_97_document_named_xls(tmp_path: Path) -> None:
    path = tmp_path / "surat.xls"
    path.write_bytes(ole_file(b"\xec\xa5" + b"\0" * 100, stream_name="WordDocument"))
    assert unreadable(path) == read_module.WORD


def test_spreadsheet_xml_2003_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "ekspor.xls"
    path.write_text(
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
        '<Worksheet ss:Name="S"><Table><Row><Cell><Data ss:Type="String">a</Data></Cell></Row></Table>'
        "</Worksheet></Workbook>"
    )
    assert unreadable(path) == read_module.SPREADSHEET_XML


def test_web_page_without_table(tmp_path: Path) -> None:
    path = tmp_path / "ekspor.xls"
    path.write_text("<!DOCTYPE html><html><body>Sesi Anda telah berakhir</body></html>")
    assert unreadable(path) == read_module.HTML_NO_TABLE


SOURCES: dict[str, bytes] = {}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_workbooks_never_escape(tmp_path: Path, data: st.DataObject) -> None:
    """Whatever happens to the bytes of a workbook, the reader returns a Workbook or raises UnreadableFileError."""
    if not SOURCES:
        SOURCES["xlsx"] = write_xlsx(tmp_path / "a.xlsx").read_bytes()
        SOURCES["xls"] = write_xls(tmp_path / "a.xls").read_bytes()
        SOURCES["ods"] = write_ods(tmp_path / "a.ods").read_bytes()
    sources = SOURCES
    kind = data.draw(st.sampled_from(sorted(sources)))
    raw = bytearray(sources[kind])
    cut = data.draw(st.integers(8, len(raw)))
    raw = raw[:cut]
    for _ in range(data.draw(st.integers(0, 20))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    path = tmp_path / f"rusak.{kind}"
    path.write_bytes(bytes(raw))
    try:
        wb = read_workbook(path)
    except UnreadableFileError as exc:
        assert exc.detail
    else:
        for sheet in wb.sheets:
            assert len({len(r) for r in sheet.rows}) <= 1


# ----------------------------------------------------------------------------------------------------------------
# detection and addresses
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"PK\x03\x04" + b"\x14" * 26 + b"xl/workbook.xml", "xlsx"),
        (b"PK\x03\x04" + b"\0" * 26 + b"junk that is not a zip", "xlsx"),  # too broken to tell: the reader says so
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "xls"),
        (b"\xef\xbb\xbf  \r\n<HTML><BODY><TABLE><TR><TD>1", "html"),
        (b"<table><tr><td>1</td></tr></table>", "html"),
        (b"<!-- komentar -->\n<html><body>tidak ada</body></html>", "html"),
        (b"NO;DESA;K1\n1;Sukamaju;3\n", "csv"),
        (b"<5 tahun;12\n", "csv"),  # starts with "<" but is no web page
        ("Désa;K1\n".encode("cp1252"), "csv"),
    ],
)
def test_detect_kind(data: bytes, kind: str) -> None:
    assert detect_kind(data, "apa-saja.xls") == kind


def test_detect_kind_ignores_the_name(tmp_path: Path) -> None:
    data = write_xlsx(tmp_path / "a.xlsx").read_bytes()
    assert {detect_kind(data, n) for n in ("a.csv", "a.xls", "a.ods", "a.xlsm", "")} == {"xlsx"}


@pytest.mark.parametrize(
    ("row", "col", "address"),
    [(0, 0, "A1"), (4, 1, "B5"), (0, 25, "Z1"), (9, 26, "AA10"), (0, 51, "AZ1"), (0, 52, "BA1"), (0, 701, "ZZ1")],
)
def test_cell_address(row: int, col: int, address: str) -> None:
    assert cell_address(row, col) == address


@given(st.integers(0, 1_048_575), st.integers(0, 16_383))
def test_cell_address_matches_openpyxl(row: int, col: int) -> None:
    assert cell_address(row, col) == f"{get_column_letter(col + 1)}{row + 1}"


def test_cell_address_rejects_negative() -> None:
    with pytest.raises(ValueError):
        cell_address(-1, 0)


def test_read_bytes_once_in_memory(tmp_path: Path) -> None:
    """An in-memory round trip: bytes written by openpyxl to a buffer read the same as from disk."""
    buffer = io.BytesIO()
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["B2"] = "x"
    wb.save(buffer)
    path = tmp_path / "mem.bin"
    path.write_bytes(buffer.getvalue())
    assert read_workbook(path).sheets[0].rows == [["", ""], ["", "x"]]
