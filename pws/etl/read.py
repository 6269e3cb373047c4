"""Read any report file into a :class:`~pws.etl.model.Workbook`: cells first, no interpretation.

The real format comes from the bytes, never from the extension (an ``.xls`` is often an ``.xlsx``, an HTML table or
a CSV in disguise). Spreadsheets go through python-calamine, the fastest reader (perf-notes §1); CSV through the
``csv`` module and HTML tables through ``html.parser``, both from the standard library.

Grids are 0-based and aligned with Excel addresses: ``rows[r][c]`` is the cell at Excel row ``r + 1``, column
``c`` (0 = A), whatever empty rows or columns come first. Values are left as calamine gives them (floats stay
floats, text numbers stay text, dates are ``datetime.date``/``datetime``, empty is ``''``); number parsing happens
later. Anything that cannot be read raises :class:`~pws.etl.model.UnreadableFileError` with a plain Indonesian
``detail``; no calamine, zip, XML or codec exception escapes.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from pws.etl.model import Sheet, UnreadableFileError, Workbook

__all__ = ["cell_address", "detect_kind", "read_workbook"]

# --- details shown to the user (issue "berkas_tidak_terbaca": "Berkas tidak dapat dibaca: {detail}.") ---------
EMPTY = "berkas kosong"
UNKNOWN = "format tidak dikenal (bukan Excel, ODS, CSV atau tabel HTML)"
PDF = "berkas PDF, bukan tabel; unduh laporannya dalam format Excel atau CSV"
PASSWORD = "berkas dilindungi kata sandi; buka di Excel, hapus kata sandinya, lalu simpan ulang"
EXCEL_BROKEN = "berkas Excel rusak atau terpotong"
ODS_BROKEN = "berkas ODS (LibreOffice) rusak atau terpotong"
NOT_SPREADSHEET_ODF = "dokumen OpenDocument yang bukan spreadsheet"
WORD = "dokumen Word, bukan buku kerja Excel"
ZIP_ARCHIVE = "arsip ZIP, bukan buku kerja Excel; ekstrak dulu isinya lalu unggah berkas-berkasnya"
SPREADSHEET_XML = "format XML Spreadsheet 2003 belum didukung; buka di Excel lalu simpan sebagai .xlsx"
HTML_NO_TABLE = "halaman web tanpa tabel"
TEXT_UNDECODABLE = "teks tidak dapat dibaca (pengodean karakter tidak dikenal)"
CSV_BROKEN = "berkas CSV tidak dapat diurai"
TOO_BIG = "sheet '{sheet}' terlalu besar (isi terakhir di sel {address}); hapus isi sel yang jauh di luar tabel"

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: bytes that never occur in text: C0 controls except tab, LF, VT, FF, CR (and ESC/SUB, tolerated), plus DEL
_BINARY_BYTES = bytes([*range(0x00, 0x09), 0x0E, 0x0F, *range(0x10, 0x1A), *range(0x1C, 0x20), 0x7F])
_TEXT_BYTES = bytes(b for b in range(256) if b not in _BINARY_BYTES)
_SNIFF = 65536
#: extensions for which calamine's from_path picks the reader of each detected kind
_CALAMINE_SUFFIXES = {"xlsx": (".xlsx", ".xlsm", ".xlam"), "xls": (".xls", ".xla"), "ods": (".ods",)}
_GRID_SHEETS = (SheetTypeEnum.WorkSheet, SheetTypeEnum.MacroSheet, SheetTypeEnum.DialogSheet)
_FATAL = (KeyboardInterrupt, SystemExit, MemoryError)
#: the largest grid read (rows x columns from A1 to the last value): 20 million cells is ~0.3 GB of Python lists,
#: far beyond any report, even a by-name export of a whole district
_MAX_CELLS = 20_000_000


# ------------------------------------------------------------------------------------------------------------------
# addresses
# ------------------------------------------------------------------------------------------------------------------


def cell_address(row: int, col: int) -> str:
    """The Excel address of a 0-based cell: ``(0, 0)`` -> ``"A1"``, ``(4, 26)`` -> ``"AA5"``."""
    if row < 0 or col < 0:
        raise ValueError(f"negative cell index ({row}, {col})")
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


# ------------------------------------------------------------------------------------------------------------------
# format detection
# ------------------------------------------------------------------------------------------------------------------


def detect_kind(data: bytes, name: str = "") -> str:
    """The real format of ``data``: ``"xlsx"``, ``"xls"``, ``"ods"``, ``"html"`` or ``"csv"``.

    Rules, in order (``name`` is accepted for the caller's convenience but never decides):

    * nothing, or only whitespace -> :class:`UnreadableFileError` ("berkas kosong");
    * a zip (``PK\\x03\\x04``): ``"ods"`` when its ``mimetype`` entry is the OpenDocument spreadsheet type,
      ``"xlsx"`` when it holds an Excel workbook (``xl/workbook.xml``; .xlsm and .xlsb included) or when the zip is
      too damaged to tell (the reader then reports it as broken); a zip holding something else (a Word document,
      an archive of reports) is unreadable;
    * an OLE compound file (``\\xd0\\xcf\\x11\\xe0``) -> ``"xls"`` (password-protected .xlsx files are OLE too: the
      reader reports them as protected);
    * text whose first non-blank character is ``<`` and which contains ``<table`` or ``<html`` -> ``"html"`` (web
      exports saved with an .xls name); XML Spreadsheet 2003 files are recognised and refused;
    * any other text (UTF-8, UTF-16 with BOM, Windows-1252) -> ``"csv"``;
    * other binary data (PDF, images, random bytes) -> :class:`UnreadableFileError`.
    """
    del name  # the bytes decide
    if not data or (data[:1].isspace() and not data.strip()):
        raise UnreadableFileError(EMPTY)
    if data.startswith(_ZIP):
        return _zip_kind(data)
    if data.startswith(_OLE):
        return "xls"
    if data.startswith(b"%PDF"):
        raise UnreadableFileError(PDF)
    head = _text_head(data)
    if head is None:
        raise UnreadableFileError(UNKNOWN)
    if head.lstrip().startswith("<"):
        lowered = head.lower()
        if "urn:schemas-microsoft-com:office:spreadsheet" in lowered and "<workbook" in lowered:
            raise UnreadableFileError(SPREADSHEET_XML)
        if "<table" in lowered or "<html" in lowered or _contains_table(data):
            return "html"
    return "csv"


def _zip_kind(data: bytes) -> str:
    # Fast path on the first local header: ODF puts an uncompressed "mimetype" entry first.
    name_len = int.from_bytes(data[26:28], "little")
    extra_len = int.from_bytes(data[28:30], "little")
    if data[30 : 30 + name_len] == b"mimetype" and data[8:10] == b"\x00\x00":
        start = 30 + name_len + extra_len
        mime = data[start : start + int.from_bytes(data[18:22], "little")].strip()
        if mime.startswith(b"application/vnd.oasis.opendocument.") and not mime.startswith(_ODS_MIME):
            raise UnreadableFileError(NOT_SPREADSHEET_ODF)
        return "ods"  # a spreadsheet (or template), or a damaged one that the reader will report
    if b"xl/workbook." in data:  # entry names are stored uncompressed in local headers and the directory
        return "xlsx"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                if archive.read("mimetype").strip().startswith(_ODS_MIME):
                    return "ods"
                raise UnreadableFileError(NOT_SPREADSHEET_ODF)
    except UnreadableFileError:
        raise
    except Exception:
        return "xlsx"  # too damaged to list: most zips people send are workbooks; the reader reports the damage
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("word/") for n in names):
        raise UnreadableFileError(WORD)
    raise UnreadableFileError(ZIP_ARCHIVE)


def _text_head(data: bytes) -> str | None:
    """The start of ``data`` decoded for sniffing, or None when it does not look like text."""
    head = data[:_SNIFF]
    if head.startswith(_UTF16_BOMS):
        return head.decode("utf-16", errors="replace")
    if b"\x00" in head:
        return None
    controls = len(head) - len(head.translate(None, _BINARY_BYTES))
    if controls > len(head) // 100:
        return None
    return head.decode("utf-8-sig", errors="replace")


def _contains_table(data: bytes) -> bool:
    """``<table`` anywhere (Excel's HTML exports open with a long ``<style>`` block), any byte encoding."""
    if data.startswith(_UTF16_BOMS):
        return "<table" in data.decode("utf-16", errors="replace").lower()
    return re.search(rb"<table", data, re.IGNORECASE) is not None


# ------------------------------------------------------------------------------------------------------------------
# reading
# ------------------------------------------------------------------------------------------------------------------


def read_workbook(path: Path | str, data: bytes | None = None) -> Workbook:
    """Every sheet of the file at ``path``; see the module docstring for the grid conventions.

    ``data`` are the file's bytes when they are already in memory (an upload): ``path`` is then only the file's
    name, kept for lineage and messages, and is never opened, so an uploaded name never becomes a path.

    * xlsx/xls/ods: every worksheet (chart sheets hold no cells and are left out), ``merged`` from calamine
      (for ODS, which calamine does not cover, from ``content.xml``), ``visible`` False for hidden and very hidden
      sheets. Merged ranges are clipped to the grid (a title merged far beyond the last value loses only empty
      cells).
    * CSV: one sheet named ``""``, every cell a string. Encoding UTF-8 (with or without BOM), UTF-16 with BOM,
      else Windows-1252 (Latin-1 as last resort); delimiter ``;``, tab or ``,`` as
      :func:`pws.workspace.detect_delimiter` decides, or Excel's ``sep=;`` first line (which is then dropped, as
      Excel does).
    * HTML: one sheet per ``<table>`` named ``"Tabel 1"``, ``"Tabel 2"``, ... in document order; colspan/rowspan
      become merged ranges with the text in the first cell, as in Excel.

    Every grid is rectangular (short rows padded with ``''``).
    """
    name = Path(path).name
    on_disk: Path | None = None
    if data is None:
        on_disk = Path(path)
        try:
            data = on_disk.read_bytes()
        except FileNotFoundError as exc:
            raise UnreadableFileError("berkas tidak ditemukan") from exc
        except OSError as exc:
            raise UnreadableFileError(f"berkas tidak dapat dibuka ({exc.strerror or exc})") from exc
    kind = detect_kind(data, name)
    if kind == "csv":
        sheets = [_read_csv(data)]
    elif kind == "html":
        sheets = _read_html(data)
    else:
        sheets = _read_calamine(name, data, kind, on_disk)
    return Workbook(name=name, kind=kind, sheets=sheets)


# --- spreadsheets ----------------------------------------------------------------------------------------------


def _read_calamine(name: str, data: bytes, kind: str, on_disk: Path | None) -> list[Sheet]:
    try:
        with contextlib.ExitStack() as stack:
            return _calamine_sheets(name, data, kind, on_disk, stack)
    except UnreadableFileError:
        raise
    except _FATAL:
        raise
    except BaseException as exc:  # calamine errors, and pyo3 panics (a BaseException) on malformed files
        raise UnreadableFileError(_calamine_detail(exc, data, kind)) from exc


def _calamine_sheets(
    name: str, data: bytes, kind: str, on_disk: Path | None, stack: contextlib.ExitStack
) -> list[Sheet]:
    try:
        # from bytes already in memory (faster than from_path), whatever the extension says
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:
        # from bytes calamine tries each of its readers and keeps none of their errors; the reader chosen by a
        # matching extension says what is wrong (PasswordError above all)
        suffix = Path(name).suffix.lower()
        if suffix not in _CALAMINE_SUFFIXES[kind]:
            raise
        if on_disk is None:  # bytes only (an upload): a private temporary file named by us, never by the user
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pws-baca-")))
            on_disk = folder / f"berkas{suffix}"
            on_disk.write_bytes(data)
        book = CalamineWorkbook.from_path(on_disk)
    sheets: list[Sheet] = []
    ods_merged: dict[str, list[tuple[int, int, int, int]]] | None = None
    with book:
        for index, meta in enumerate(book.sheets_metadata):
            if meta.typ not in _GRID_SHEETS:
                continue
            calamine_sheet = book.get_sheet_by_index(index)
            end = calamine_sheet.end
            if end is not None and (end[0] + 1) * (end[1] + 1) > _MAX_CELLS:
                # a stray value far away (row 1,048,576) would make a grid of tens of millions of cells
                raise UnreadableFileError(TOO_BIG.format(sheet=meta.name, address=cell_address(*end)))
            rows = calamine_sheet.to_python(skip_empty_area=False)
            ranges = calamine_sheet.merged_cell_ranges
            width = _make_rectangular(rows)
            if ranges is not None:
                merged = _clip([(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges], len(rows), width)
            else:  # calamine gives merges for xlsx/xls only
                if ods_merged is None:
                    ods_merged = _ods_merges_or_none(data) if kind == "ods" else {}
                merged = _clip(ods_merged.get(meta.name, []), len(rows), width)
            sheets.append(
                Sheet(
                    name=meta.name,
                    rows=rows,
                    merged=merged,
                    visible=meta.visible == SheetVisibleEnum.Visible,
                )
            )
    return sheets


def _make_rectangular(rows: list[list[Any]]) -> int:
    """Pad short rows with ``''`` in place; returns the width."""
    if not rows:
        return 0
    widths = set(map(len, rows))
    width = max(widths)
    if len(widths) > 1:
        for row in rows:
            if len(row) < width:
                row.extend([""] * (width - len(row)))
    return width


def _clip(ranges: Sequence[tuple[int, int, int, int]], height: int, width: int) -> list[tuple[int, int, int, int]]:
    """Merged ranges cut to the grid; ranges that fall outside it or shrink to one cell are dropped."""
    out: list[tuple[int, int, int, int]] = []
    if not ranges:
        return out
    for r0, c0, r1, c1 in ranges:
        r1, c1 = min(r1, height - 1), min(c1, width - 1)
        if r0 <= r1 and c0 <= c1 and (r0 != r1 or c0 != c1):
            out.append((r0, c0, r1, c1))
    return out


def _calamine_detail(exc: BaseException, data: bytes, kind: str) -> str:
    if isinstance(exc, PasswordError) or _encrypted(data, kind):
        return PASSWORD
    if kind == "xls" and "WordDocument".encode("utf-16-le") in data:
        return WORD
    return ODS_BROKEN if kind == "ods" else EXCEL_BROKEN


_BIFF8_GLOBALS_BOF = b"\x09\x08\x10\x00\x00\x06\x05\x00"  # BOF record, 16 bytes, BIFF8, workbook globals


def _encrypted(data: bytes, kind: str) -> bool:
    """Password protection calamine could not name (it only can when the extension picked its reader).

    An encrypted .xlsx is an OLE file with an ``EncryptedPackage`` stream; an encrypted .xls has a FILEPASS record
    right after the BOF of its workbook globals; an encrypted .ods declares ``encryption-data`` in its manifest.
    """
    if kind == "xls":
        if "EncryptedPackage".encode("utf-16-le") in data:
            return True
        bof = data.find(_BIFF8_GLOBALS_BOF)
        return bof >= 0 and data[bof + 20 : bof + 22] == b"\x2f\x00"
    if kind == "ods":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return b"encryption-data" in archive.read("META-INF/manifest.xml")
        except Exception:
            return False
    return False


_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_T_TABLE = f"{{{_TABLE_NS}}}table"
_T_ROW = f"{{{_TABLE_NS}}}table-row"
_T_CELL = f"{{{_TABLE_NS}}}table-cell"
_T_COVERED = f"{{{_TABLE_NS}}}covered-table-cell"
_A_NAME = f"{{{_TABLE_NS}}}name"
_A_ROWS_REP = f"{{{_TABLE_NS}}}number-rows-repeated"
_A_COLS_REP = f"{{{_TABLE_NS}}}number-columns-repeated"
_A_ROWS_SPAN = f"{{{_TABLE_NS}}}number-rows-spanned"
_A_COLS_SPAN = f"{{{_TABLE_NS}}}number-columns-spanned"


def _ods_merges_or_none(data: bytes) -> dict[str, list[tuple[int, int, int, int]]]:
    """:func:`_ods_merges`, or no merges at all when ``content.xml`` does not parse for us (calamine read it)."""
    try:
        return _ods_merges(data)
    except _FATAL:
        raise
    except Exception:
        return {}


def _ods_merges(data: bytes) -> dict[str, list[tuple[int, int, int, int]]]:
    """Merged ranges per sheet from an ODS ``content.xml`` (spanned cells), on calamine's grid coordinates."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        content = archive.read("content.xml")
    if b"-spanned=" not in content:
        return {}
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    depth = 0  # table nesting: sub-tables inside cells are not part of the grid
    merges: list[tuple[int, int, int, int]] = []
    row = col = 0
    rows_repeated: list[int] = []
    for event, el in ElementTree.iterparse(io.BytesIO(content), events=("start", "end")):
        tag = el.tag
        if tag == _T_TABLE:
            if event == "start":
                depth += 1
                if depth == 1:
                    merges, row = [], 0
                    out[el.get(_A_NAME, "")] = merges
            else:
                depth -= 1
        elif depth != 1:
            pass
        elif tag == _T_ROW:
            if event == "start":
                col = 0
                rows_repeated.append(int(el.get(_A_ROWS_REP, "1")))
            else:
                row += rows_repeated.pop()
        elif event == "start" and tag in (_T_CELL, _T_COVERED):
            if tag == _T_CELL:
                rs, cs = int(el.get(_A_ROWS_SPAN, "1")), int(el.get(_A_COLS_SPAN, "1"))
                if rs > 1 or cs > 1:
                    merges.append((row, col, row + rs - 1, col + cs - 1))
            col += int(el.get(_A_COLS_REP, "1"))
        if event == "end" and tag in (_T_ROW, _T_CELL, _T_COVERED):
            el.clear()
    return out


# --- text --------------------------------------------------------------------------------------------------------


def _decode(data: bytes, html: bool = False) -> str:
    """UTF-16 (BOM), UTF-8 (BOM optional), the charset an HTML page declares, Windows-1252, Latin-1."""
    try:
        if data.startswith(_UTF16_BOMS):
            return data.decode("utf-16")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        if html:
            declared = re.search(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", data[:4096], re.IGNORECASE)
            if declared:
                try:
                    return data.decode(declared.group(1).decode("ascii"))
                except (LookupError, UnicodeDecodeError):
                    pass
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(TEXT_UNDECODABLE) from exc


_SEP_LINE = re.compile(r"\A\s*sep=(.)[ \t]*(?:\r\n|\r|\n)", re.IGNORECASE)


def _read_csv(data: bytes) -> Sheet:
    from pws.workspace import detect_delimiter  # imported here: pws.workspace pulls in geopandas (~1 s)

    text = _decode(data)
    sep_line = _SEP_LINE.match(text)
    if sep_line:
        delimiter = sep_line.group(1)
        text = text[sep_line.end() :]
    else:
        delimiter = detect_delimiter(text)
    try:
        rows: list[list[Any]] = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnreadableFileError(f"{CSV_BROKEN} ({exc})") from exc
    _make_rectangular(rows)
    return Sheet(name="", rows=rows)


# --- HTML tables -------------------------------------------------------------------------------------------------

_MAX_COLSPAN = 1000  # the HTML spec's limits
_MAX_ROWSPAN = 65534


def _span(attrs: Sequence[tuple[str, str | None]], name: str, limit: int) -> int:
    for key, value in attrs:
        if key == name and value:
            digits = re.match(r"\s*(\d+)", value)
            if digits:
                n = int(digits.group(1))
                # rowspan="0" runs to the end of the table (clipped later); colspan="0" means 1
                return limit if n == 0 and name == "rowspan" else max(1, min(n, limit))
    return 1


class _Table:
    """One HTML table laid out on a grid, the way browsers and Excel do it."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], str] = {}
        self.spans: list[tuple[int, int, int, int]] = []
        self.down: list[tuple[int, int, int]] = []  # (last_row, first_col, last_col) of cells spanning rows
        self.row = -1
        self.col = 0
        self.in_row = False
        self.width = 0
        self.text: list[str] | None = None  # text of the open cell
        self.at = (0, 0)

    def start_row(self) -> None:
        self.end_row()
        self.row += 1
        self.col = 0
        self.in_row = True
        if self.down:
            self.down = [span for span in self.down if span[0] >= self.row]

    def end_row(self) -> None:
        self.end_cell()
        self.in_row = False

    def start_cell(self, colspan: int, rowspan: int) -> None:
        self.end_cell()
        if not self.in_row:
            self.start_row()
        col = self._free(self.col)
        if rowspan > 1:
            self.down.append((self.row + rowspan - 1, col, col + colspan - 1))
        if colspan > 1 or rowspan > 1:
            self.spans.append((self.row, col, self.row + rowspan - 1, col + colspan - 1))
        self.at = (self.row, col)
        self.col = col + colspan
        self.width = max(self.width, self.col)
        self.text = []

    def _free(self, col: int) -> int:
        """The first column from ``col`` on not covered by a cell of an earlier row spanning down."""
        moved = True
        while moved:
            moved = False
            for last_row, first, last in self.down:
                if last_row >= self.row and first <= col <= last:
                    col, moved = last + 1, True
        return col

    def end_cell(self) -> None:
        if self.text is not None:
            value = " ".join("".join(self.text).split())
            if value:
                self.cells[self.at] = value
            self.text = None

    def add_text(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)

    def sheet(self, name: str) -> Sheet:
        self.end_row()
        height = self.row + 1
        rows: list[list[Any]] = [[""] * self.width for _ in range(height)]
        for (r, c), value in self.cells.items():
            rows[r][c] = value
        return Sheet(name=name, rows=rows, merged=_clip(self.spans, height, self.width))


class _TableParser(HTMLParser):
    _BREAKS = frozenset({"br", "p", "div", "li", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []  # in order of their opening tag
        self.open: list[_Table] = []
        self.skip = 0  # inside <script>/<style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "table":
            table = _Table()
            self.tables.append(table)
            self.open.append(table)
        elif self.open:
            table = self.open[-1]
            if tag == "tr":
                table.start_row()
            elif tag in ("td", "th"):
                table.start_cell(_span(attrs, "colspan", _MAX_COLSPAN), _span(attrs, "rowspan", _MAX_ROWSPAN))
            elif tag in self._BREAKS:
                table.add_text(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif not self.open:
            return
        elif tag == "table":
            self.open.pop().end_row()
        elif tag == "tr":
            self.open[-1].end_row()
        elif tag in ("td", "th"):
            self.open[-1].end_cell()

    def handle_data(self, data: str) -> None:
        if self.open and not self.skip:
            self.open[-1].add_text(data)


def _read_html(data: bytes) -> list[Sheet]:
    text = _decode(data, html=True)
    parser = _TableParser()
    try:
        parser.feed(text)
        parser.close()
    except _FATAL:
        raise
    except Exception as exc:
        raise UnreadableFileError(f"halaman web tidak dapat diurai ({exc})") from exc
    if not parser.tables:
        raise UnreadableFileError(HTML_NO_TABLE)
    return [table.sheet(f"Tabel {i}") for i, table in enumerate(parser.tables, start=1)]
