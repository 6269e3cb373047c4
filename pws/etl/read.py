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
import html
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

from pws.etl.limits import RATIO_MIN_BYTES, Deadline, Limits
from pws.etl.limits import limits as current_limits
from pws.etl.model import Sheet, UnreadableFileError, Workbook
from pws.issues import Issue, issue

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


def read_workbook(
    path: Path | str, data: bytes | None = None, limits: Limits | None = None, deadline: Deadline | None = None
) -> Workbook:
    """Every sheet of the file at ``path``; see the module docstring for the grid conventions.

    ``data`` are the file's bytes when they are already in memory (an upload): ``path`` is then only the file's
    name, kept for lineage and messages, and is never opened, so an uploaded name never becomes a path.

    ``limits`` (default: :func:`pws.etl.limits.limits`, the settings in force) are checked before parsing where
    possible (size, zip directory, sheet dimensions) and after reading each sheet; ``deadline`` is the soft parse
    budget (started here when not given), checked between sheets. A file over a limit raises
    :class:`UnreadableFileError` with the limit's issue code.

    * xlsx/xls/ods: every worksheet (chart sheets hold no cells and are left out), ``merged`` from calamine
      (for ODS, which calamine does not cover, from ``content.xml``), ``visible`` False for hidden and very hidden
      sheets. Merged ranges are clipped to the grid (a title merged far beyond the last value loses only empty
      cells). xlsx cells holding a formula without a saved value (files written by a program, never opened in
      Excel) read as empty and are reported (``rumus_tanpa_nilai``).
    * CSV: one sheet named ``""``, every cell a string. Encoding UTF-8 (with or without BOM), UTF-16 with BOM,
      else Windows-1252 (Latin-1 as last resort, both reported as ``pengodean_cadangan``); delimiter ``;``, tab or
      ``,`` as :func:`pws.workspace.detect_delimiter` decides, or Excel's ``sep=;`` first line (which is then
      dropped, as Excel does).
    * HTML: one sheet per ``<table>`` named ``"Tabel 1"``, ``"Tabel 2"``, ... in document order; colspan/rowspan
      become merged ranges with the text in the first cell, as in Excel.

    A spreadsheet extension on a CSV or HTML file is reported (``format_beda_ekstensi``, info). Every grid is
    rectangular (short rows padded with ``''``).
    """
    lim = limits if limits is not None else current_limits()
    clock = deadline if deadline is not None else Deadline(lim.parse_seconds)
    name = Path(path).name
    on_disk: Path | None = None
    if data is None:
        on_disk = Path(path)
        try:
            size = on_disk.stat().st_size
            _check_size(size, lim)
            data = on_disk.read_bytes()
        except FileNotFoundError as exc:
            raise UnreadableFileError("berkas tidak ditemukan") from exc
        except OSError as exc:
            raise UnreadableFileError(f"berkas tidak dapat dibuka ({exc.strerror or exc})") from exc
    _check_size(len(data), lim)
    kind = detect_kind(data, name)
    notes: list[Issue] = []
    suffix = Path(name).suffix.lower()
    if kind in ("csv", "html") and suffix in _SPREADSHEET_SUFFIXES:
        notes.append(issue("format_beda_ekstensi", file=name, ekstensi=suffix, format=_KIND_NAMES[kind]))
    if kind == "csv":
        sheets = [_read_csv(data, name, notes)]
    elif kind == "html":
        sheets = _read_html(data, name, notes)
    else:
        sheets = _read_calamine(name, data, kind, on_disk, lim, clock, notes)
    for sheet in sheets:
        _check_grid(sheet.name, len(sheet.rows), len(sheet.rows[0]) if sheet.rows else 0, lim)
    return Workbook(name=name, kind=kind, sheets=sheets, issues=notes)


# --- limits ------------------------------------------------------------------------------------------------------

_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
_KIND_NAMES = {"csv": "CSV (teks)", "html": "HTML (halaman web)"}


def _check_size(size: int, lim: Limits) -> None:
    if size > lim.max_file_bytes:
        raise UnreadableFileError(
            f"berkas terlalu besar ({_mb(size)})", code="berkas_terlalu_besar", ukuran=_mb(size),
            batas=_mb(lim.max_file_bytes),
        )  # fmt: skip


def _mb(n_bytes: int) -> str:
    return f"{n_bytes / 1024 / 1024:.1f}".replace(".", ",") + " MB"


def _check_grid(sheet: str, height: int, width: int, lim: Limits) -> None:
    """Rows, columns and cells of one sheet (from its dimension or its grid) against the limits."""
    if height > lim.max_rows or width > lim.max_columns or height * width > lim.max_cells:
        last = cell_address(max(height - 1, 0), max(width - 1, 0))
        raise UnreadableFileError(
            TOO_BIG.format(sheet=sheet, address=last), code="sheet_terlalu_besar", sheet=sheet or None, cell=last,
            baris=height, kolom=width, sel_akhir=last, batas_baris=lim.max_rows, batas_kolom=lim.max_columns,
        )  # fmt: skip


def _check_zip(data: bytes, kind: str, lim: Limits) -> zipfile.ZipFile:
    """The zip directory checked against the limits, nothing decompressed; the open archive for more checks.

    A zip without a readable central directory (a file cut short in transfer) is broken."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except _FATAL:
        raise
    except Exception as exc:
        raise UnreadableFileError(ODS_BROKEN if kind == "ods" else EXCEL_BROKEN) from exc
    if len(members) > lim.max_zip_entries:
        raise UnreadableFileError(
            "terlalu banyak isi", code="zip_terlalu_banyak_isi", jumlah=len(members), batas=lim.max_zip_entries
        )
    total = sum(m.file_size for m in members)
    if total > lim.max_uncompressed_bytes:
        raise UnreadableFileError(
            "isi terlalu besar", code="zip_terlalu_besar_terurai", ukuran=_mb(total),
            batas=_mb(lim.max_uncompressed_bytes),
        )  # fmt: skip
    for m in members:
        if m.file_size >= RATIO_MIN_BYTES:
            ratio = m.file_size / max(m.compress_size, 1)
            if ratio > lim.max_compression_ratio:
                raise UnreadableFileError(
                    "bom zip", code="zip_rasio_kompresi", anggota=m.filename[:80], rasio=int(ratio),
                    batas=int(lim.max_compression_ratio),
                )  # fmt: skip
    return archive


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\"")
_HEAD_BYTES = 4096


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _xlsx_sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Member name of each worksheet -> sheet name (from ``xl/workbook.xml`` and its relationships); empty when
    they cannot be read (calamine then says what is wrong)."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except _FATAL:
        raise
    except Exception:
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id", "")] = target
    out = {}
    for el in book.iter():
        if el.tag.endswith("}sheet") or el.tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), "")
            if rid in targets:
                out[targets[rid]] = el.get("name", "")
    return out


def _check_xlsx_dimensions(archive: zipfile.ZipFile, parts: dict[str, str], lim: Limits) -> None:
    """The ``<dimension>`` each sheet declares (first KB of its XML) against the row and column limits."""
    if len(parts) > lim.max_sheets:
        raise UnreadableFileError(
            "terlalu banyak sheet", code="terlalu_banyak_sheet", jumlah=len(parts), batas=lim.max_sheets
        )
    for member, sheet in parts.items():
        try:
            with archive.open(member) as fh:
                head = fh.read(_HEAD_BYTES)
        except _FATAL:
            raise
        except Exception:
            continue  # calamine reports a broken member
        found = _DIMENSION.search(head)
        if found and found.group(3) and found.group(4):
            _check_grid(sheet, int(found.group(4)), _column_number(found.group(3).decode()), lim)


_FORMULA_CELL = re.compile(
    rb"<c\s+r=\"([A-Z]{1,3}[0-9]+)\"([^>]*)>\s*<f(?:\s[^>]*)?(?:/>|>([^<]*)</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)
_FORMULA_EXAMPLES = 5


def _formulas_without_value(archive: zipfile.ZipFile, parts: dict[str, str], name: str) -> list[Issue]:
    """One ``rumus_tanpa_nilai`` per sheet holding formula cells with no saved value (calamine reads them as
    empty). The XML was checked against the size limits; members are decompressed only when a formula is there."""
    found: list[Issue] = []
    for member, sheet in parts.items():
        try:
            xml = archive.read(member)
        except _FATAL:
            raise
        except Exception:
            continue
        if b"<f" not in xml:
            continue
        cells = [
            (m.group(1).decode(), html.unescape((m.group(3) or b"").decode("utf-8", "replace")))
            for m in _FORMULA_CELL.finditer(xml)
            if b't="str"' not in m.group(2)  # an empty text result, saved by Excel
        ]
        if cells:
            first, formula = cells[0]
            found.append(
                issue(
                    "rumus_tanpa_nilai",
                    file=name,
                    sheet=sheet,
                    cell=first,
                    cell_pertama=first,
                    rumus=(formula or "…")[:60],
                    jumlah=len(cells),
                    contoh=", ".join(c for c, _ in cells[:_FORMULA_EXAMPLES]) + (" …" if len(cells) > 5 else ""),
                )  # fmt: skip
            )
    return found


# --- spreadsheets ----------------------------------------------------------------------------------------------


def _read_calamine(
    name: str, data: bytes, kind: str, on_disk: Path | None, lim: Limits, clock: Deadline, notes: list[Issue]
) -> list[Sheet]:
    if kind in ("xlsx", "ods"):
        with _check_zip(data, kind, lim) as archive:
            if kind == "xlsx":
                parts = _xlsx_sheet_parts(archive)
                _check_xlsx_dimensions(archive, parts, lim)
                formulas = _formulas_without_value(archive, parts, name)
            else:
                formulas = []
    else:
        formulas = []
    try:
        with contextlib.ExitStack() as stack:
            sheets = _calamine_sheets(name, data, kind, on_disk, stack, lim, clock)
    except UnreadableFileError:
        raise
    except _FATAL:
        raise
    except BaseException as exc:  # calamine errors, and pyo3 panics (a BaseException) on malformed files
        raise UnreadableFileError(_calamine_detail(exc, data, kind)) from exc
    read = {sheet.name for sheet in sheets if sheet.visible}
    notes += [f for f in formulas if f.sheet in read]
    return sheets


def _calamine_sheets(
    name: str,
    data: bytes,
    kind: str,
    on_disk: Path | None,
    stack: contextlib.ExitStack,
    lim: Limits,
    clock: Deadline,
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
        metadata = book.sheets_metadata
        if len(metadata) > lim.max_sheets:
            raise UnreadableFileError(
                "terlalu banyak sheet", code="terlalu_banyak_sheet", jumlah=len(metadata), batas=lim.max_sheets
            )
        for index, meta in enumerate(metadata):
            if meta.typ not in _GRID_SHEETS:
                continue
            if clock.passed():
                raise timeout_error(clock, meta.name)
            calamine_sheet = book.get_sheet_by_index(index)
            end = calamine_sheet.end
            if end is not None:
                # a stray value far away (row 1,048,576) would make a grid of tens of millions of cells
                _check_grid(meta.name, end[0] + 1, end[1] + 1, lim)
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


def timeout_error(clock: Deadline, next_sheet: str) -> UnreadableFileError:
    return UnreadableFileError(
        "batas waktu baca habis", code="waktu_baca_habis", sheet=next_sheet or None, batas=f"{clock.seconds:g}",
        detik=f"{clock.elapsed():.0f}", sheet_berikut=next_sheet,
    )  # fmt: skip


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


def _decode(data: bytes, html: bool = False, name: str = "", notes: list[Issue] | None = None) -> str:
    """UTF-16 (BOM), UTF-8 (BOM optional), the charset an HTML page declares, Windows-1252, Latin-1 (the last two
    reported in ``notes`` as ``pengodean_cadangan``)."""
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
        if notes is not None:
            notes.append(issue("pengodean_cadangan", file=name, pengodean="cp1252"))
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(TEXT_UNDECODABLE) from exc


_SEP_LINE = re.compile(r"\A\s*sep=(.)[ \t]*(?:\r\n|\r|\n)", re.IGNORECASE)


def _read_csv(data: bytes, name: str = "", notes: list[Issue] | None = None) -> Sheet:
    from pws.workspace import detect_delimiter  # imported here: pws.workspace pulls in geopandas (~1 s)

    text = _decode(data, name=name, notes=notes)
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


def _read_html(data: bytes, name: str = "", notes: list[Issue] | None = None) -> list[Sheet]:
    text = _decode(data, html=True, name=name, notes=notes)
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
