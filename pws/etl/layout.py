"""Understanding one sheet: title block, header rows, column meanings, desa rows or columns, totals.

Cells first, tidy second. A sheet is read in one of three shapes, found from its structure:

- ``desa_baris``: one row per desa under a (merged, multi-row) header; columns are indicator x role x sex
  (BLN LALU / BLN INI / KUMULATIF / %, L / P / JML) or months (JAN ... DES, one sheet per indicator);
- ``panjang``: a long table with identity columns (Puskesmas, Desa, Bulan, Tahun, Waktu Input) and one column
  per measure, some of them cumulative snapshots ("s/d bulan ini");
- ``desa_kolom``: desa names across a header row, months (or indicators) down the first column.

Every value keeps its cell address; every problem becomes an Issue with file, sheet and cell.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar

import pandas as pd

from pws.catalogue import Catalogue, normalize_label
from pws.etl.families import Family, Vocabulary, recognise
from pws.etl.model import Sheet
from pws.etl.names import DesaMatcher, Match, PuskesmasMatcher, match_issue, puskesmas_issue
from pws.etl.period import find_month, find_period, find_year, parse_month
from pws.etl.posyandu import PosyanduMatcher, PosyanduRow, find_posyandu_header, read_posyandu_sheet
from pws.etl.read import cell_address as _cell_address
from pws.issues import Issue, issue
from pws.numbers import NotANumberError, parse_number

HEADER_SCAN_ROWS = 40

cell_address = functools.lru_cache(maxsize=1 << 16)(_cell_address)
# on text only (titles, sheet and file names, header labels), which repeat from file to file
_month_of_label = functools.lru_cache(maxsize=4096)(parse_month)
_period_of_text = functools.lru_cache(maxsize=4096)(find_period)
ACCEPTED = ("tepat", "alias", "mirip")
#: the roles of columns that hold counts (read, summed and checked); persen, sasaran, target, ... are not
COUNTED_ROLES = (None, "bulan_ini", "bulan_lalu", "kumulatif")

_T = TypeVar("_T")
_MISSING: Any = object()
_MEMO_SIZE = 1 << 16  # entries per memo table; cleared when full (any title or cell text can reach some of them)
_BLOCK_MEMO_SIZE = 256  # entries for whole header blocks (big keys; a district uses a few dozen layouts)


class Memo:
    """What stays true from one file to the next, remembered by a Tidier: the meaning of a header label, of a whole
    header block, the puskesmas named by a text. All depend only on the text, the vocabulary, the catalogue and the
    master list, which are fixed for one Tidier; reports repeat the same few hundred labels in every file.
    Remembered results are shared: never change them.
    """

    def __init__(self, catalogue: Catalogue, vocab: Vocabulary, wilayah: pd.DataFrame) -> None:
        self.catalogue = catalogue
        self.vocab = vocab
        self.wilayah = wilayah
        self.puskesmas = PuskesmasMatcher(wilayah)
        self.puskesmas_of_desa = dict(zip(wilayah["kode_desa"], wilayah["kode_puskesmas"], strict=True))
        self._tables: dict[str, dict[Any, Any]] = defaultdict(dict)

    def serves(self, catalogue: Catalogue, vocab: Vocabulary, wilayah: pd.DataFrame) -> bool:
        """Made for these very objects (what it remembers would be wrong for others)."""
        return self.catalogue is catalogue and self.vocab is vocab and self.wilayah is wilayah

    def remember(self, table: str, key: Hashable, compute: Callable[[], _T], size: int = _MEMO_SIZE) -> _T:
        """``compute()``, the first time ``key`` is asked in ``table`` (which forgets all when it holds ``size``)."""
        memo = self._tables[table]
        found = memo.get(key, _MISSING)
        if found is _MISSING:
            if len(memo) >= size:
                memo.clear()
            found = memo[key] = compute()
        return found

    def _label(self, table: str, label: str, compute: Callable[[str], _T]) -> _T:
        # the hot path of remember(), without a closure per call: these are asked once per header cell
        memo = self._tables[table]
        found = memo.get(label, _MISSING)
        if found is _MISSING:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            found = memo[label] = compute(label)
        return found

    def identity(self, label: str) -> str | None:
        return self._label("identity", label, self.vocab.identity_of)

    def role(self, label: str) -> str | None:
        return self._label("role", label, self.vocab.role)

    def sex(self, label: str) -> str | None:
        return self._label("sex", label, self.vocab.sex_of)

    def indicator(self, label: str) -> str | None:
        """The indicator a column label names (not a role or identity word), or None."""
        return self._label("indicator", label, self._indicator)

    def _indicator(self, label: str) -> str | None:
        if not label or self.vocab.role(label) or self.vocab.identity_of(label):
            return None
        return self.catalogue.indicator_for_label(label)

    def title_indicator(self, text: str) -> str | None:
        """The indicator a title cell names: its whole text is an alias, else the longest alias (at least 4
        characters) contained in it."""
        return self._label("title_indicator", text, self._title_indicator)

    def _title_indicator(self, text: str) -> str | None:
        aliases = self.catalogue.aliases
        key = normalize_label(text)
        if key in aliases:
            return aliases[key]
        best = max((a for a in aliases if len(a) >= 4 and a in key), key=len, default=None)
        return aliases[best] if best else None


def _cells_key(rows: Sequence[Sequence[Any]]) -> tuple[Any, ...]:
    """A memo key for the contents of some rows. Types are part of it: True == 1 == 1.0 but they read differently."""
    return tuple((tuple(row), tuple(map(type, row))) for row in rows)


@dataclass
class Context:
    """What every sheet of a file is read against. ``memo`` is shared by every file of one Tidier."""

    file_name: str
    catalogue: Catalogue
    wilayah: pd.DataFrame
    matcher: DesaMatcher
    vocab: Vocabulary
    puskesmas_names: dict[str, str]  # kode -> nama
    memo: Memo = None  # type: ignore[assignment]  # made in __post_init__ when not given
    default_year: int | None = None  # for exports that carry no year anywhere (pws tidy/ingest --tahun)
    posyandu: PosyanduMatcher | None = None  # posyandu names -> jejaring.csv units (None: no network list)

    def __post_init__(self) -> None:
        memo = self.memo
        if memo is None or not memo.serves(self.catalogue, self.vocab, self.wilayah):
            self.memo = Memo(self.catalogue, self.vocab, self.wilayah)


#: one tidy value as emitted: (tahun, bulan, kode_desa, kode_puskesmas, indikator, jk, nilai, cell). A plain tuple,
#: not an object per value: a district-year holds hundreds of thousands; ``Tidier.tidy`` turns them into columns.
ValueRow = tuple[int, int, str, str | None, str, str, float, str]


@dataclass
class SheetResult:
    values: list[ValueRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    family: str | None = None
    kode_puskesmas: str | None = None
    shape: str | None = None
    posyandu: list[PosyanduRow] = field(default_factory=list)  # posyandu-level values (pws.etl.posyandu)


@dataclass(frozen=True)
class ColumnMeaning:
    """What one header column means. Frozen: the meanings of a header block are remembered and shared by files."""

    col: int
    labels: list[str]
    indikator: str | None = None
    role: str | None = None  # bulan_ini, bulan_lalu, kumulatif, persen, sasaran, target, abs, ...
    jk: str = "T"
    bulan: int | None = None


def _text(value: Any) -> str:
    if type(value) is str:  # the common case first (same result as below)
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if value not in ("", None) else ""


#: parse_number on text, remembered: the same few texts ("0", "12", "-") fill whole reports typed as text
_number_of_text = functools.lru_cache(maxsize=1 << 16)(parse_number)


def _number(value: Any) -> float | None:
    """Fast path for cells that are already numbers; raises NotANumberError for text that is not a number."""
    if type(value) is str:
        return _number_of_text(value) if value != "" else None
    if isinstance(value, float | int) and not isinstance(value, bool):
        return float(value)
    if value == "" or value is None:
        return None
    if isinstance(value, datetime | date):
        raise NotANumberError(str(value))
    return parse_number(value)


def _number_or_zero(value: Any) -> float:
    """For sums that check totals: blanks and text count as zero (text is reported where it is read)."""
    try:
        return _number(value) or 0.0
    except NotANumberError:
        return 0.0


def _fill_merged(sheet: Sheet, last_row: int) -> list[list[Any]]:
    """A copy of the first rows with every merged range filled from its top-left cell."""
    grid = [list(r) for r in sheet.rows[: last_row + 1]]
    for r0, c0, r1, c1 in sheet.merged:
        if r0 > last_row:
            continue
        value = sheet.rows[r0][c0]
        for r in range(r0, min(r1, last_row) + 1):
            for c in range(c0, c1 + 1):
                if c < len(grid[r]):
                    grid[r][c] = value
    return grid


def _is_column_number_row(row: list[Any]) -> bool:
    """1 2 3 ... or (1) (2) (3) ...: the numbering row under a header."""
    numbers = []
    for c, v in enumerate(row):
        if v == "":
            continue
        t = _text(v).strip("()")
        if t == "":
            continue
        if not t.isdigit():
            return False
        numbers.append((c, int(t)))
    if len(numbers) < 3:
        return False
    return all(b[1] - a[1] == b[0] - a[0] for a, b in zip(numbers, numbers[1:], strict=False))


def _title_text(grid: list[list[Any]], upto: int) -> list[str]:
    return [_text(v) for row in grid[:upto] for v in row if isinstance(v, str) and v.strip()]


def _period_from(texts: list[str]) -> tuple[int | None, int | None]:
    """Year and month from title cells: cells naming BULAN/PERIODE/TAHUN first, then any cell."""
    year = month = None
    ordered = sorted(texts, key=lambda t: 0 if any(k in t.upper() for k in ("BULAN", "PERIODE", "TAHUN")) else 1)
    for text in ordered:
        y, m = _period_of_text(text)
        if year is None and y is not None:
            year = y
        if month is None and m is not None and ("BULAN" in text.upper() or "PERIODE" in text.upper() or y):
            month = m
    return year, month


class SheetReader:
    """Reads one sheet of one file; see the module docstring for the shapes it understands."""

    def __init__(self, ctx: Context, sheet: Sheet) -> None:
        self.ctx = ctx
        self.memo = ctx.memo
        self.sheet = sheet
        self.rows = sheet.rows
        self.out = SheetResult()
        self.seen: set[tuple[int, int, str, str, str]] = set()
        # (indikator, BLN LALU, BLN INI, KUMULATIF columns, desa rows, and their values in these rows)
        self.lalu_checks: list[
            tuple[str, ColumnMeaning, ColumnMeaning, ColumnMeaning, list[int], list[float], list[float], list[float]]
        ] = []

    # --- helpers --------------------------------------------------------------------------------
    def problem(self, code: str, row: int | None = None, col: int | None = None, **params: Any) -> None:
        cell = cell_address(row, col) if row is not None and col is not None else None
        self.out.issues.append(issue(code, file=self.ctx.file_name, sheet=self.sheet.name, cell=cell, **params))

    def period(self, title: list[str], month_from_names: bool = True) -> tuple[int | None, int | None]:
        """Year and month of the sheet: the title block first, then the sheet name, then the file name, and for
        the year finally ``--tahun`` (exports that name no year anywhere). ``month_from_names`` False keeps the
        month to the title (desa-as-columns sheets take it per row)."""
        year, month = _period_from(title)
        for text in (self.sheet.name, self.ctx.file_name):
            y, m = _period_of_text(text)
            year = year or y
            if month_from_names:
                month = month or m or _month_of_label(text)
        return year or self.ctx.default_year, month

    def puskesmas_problem(self, text: str, row: int | None = None, col: int | None = None) -> None:
        _, candidates = self.memo.puskesmas.match(text)
        cell = cell_address(row, col) if row is not None and col is not None else None
        self.out.issues.append(
            puskesmas_issue(text, candidates, file=self.ctx.file_name, sheet=self.sheet.name, cell=cell)
        )

    def number(self, row: int, col: int) -> float | None:
        """The number in a cell, None for blank; text that is not a number is reported once and gives None."""
        if col >= len(self.rows[row]):
            return None
        raw = self.rows[row][col]
        try:
            return _number(raw)
        except NotANumberError:
            self.problem("angka_tidak_valid", row, col, kolom=cell_address(row, col), value=raw)
            return None

    def column_numbers(self, rows: list[int], cols: list[int]) -> dict[int, list[float]]:
        """The numbers of some columns in some rows, read once: column -> one value per row, 0.0 for a blank (a
        blank cell in a reported row counts as zero) or for text that is not a number (reported, in reading order:
        row by row)."""
        out: dict[int, list[float]] = {c: [] for c in cols}
        appends = [(c, out[c].append) for c in cols]
        for r in rows:
            row = self.rows[r]
            width = len(row)
            for c, append in appends:
                v = row[c] if c < width else ""
                if type(v) is float:  # what calamine gives for numbers: nothing to parse
                    append(v)
                elif v == "":
                    append(0.0)
                else:
                    n = self.number(r, c)
                    append(0.0 if n is None else n)
        return out

    def emit(self, tahun: int, bulan: int, m: Match, ind: str, jk: str, nilai: float, row: int, col: int) -> None:
        """One tidy value, from the cell at (row, col); a second value for the same key is reported instead.
        (Called once per value: kept lean.)"""
        kode = m.kode_desa
        assert kode is not None
        key = (tahun, bulan, kode, ind, jk)
        seen = self.seen
        if key in seen:
            self.problem("nilai_ganda_dalam_berkas", row, col, kode=kode, indikator=ind, tahun=tahun, bulan=bulan)
            return
        seen.add(key)
        out = self.out
        out.values.append((tahun, bulan, kode, out.kode_puskesmas, ind, jk, nilai, cell_address(row, col)))

    def match_desa(self, raw: Any, row: int, col: int, has_numbers: bool) -> Match | None:
        m = self.ctx.matcher.match(raw, self.out.kode_puskesmas)
        if m.status in ACCEPTED and m.kode_desa and self.out.kode_puskesmas:
            owner = self.ctx.matcher.puskesmas_of(m.kode_desa)
            if owner != self.out.kode_puskesmas:
                pemilik = self.ctx.puskesmas_names.get(owner or "", owner)
                self.problem("desa_puskesmas_lain", row, col, nama=m.nama_desa, kode=m.kode_desa, pemilik=pemilik,
                             puskesmas=self._pkm_name())  # fmt: skip
        if m.status in ACCEPTED or not has_numbers:
            found = match_issue(m, self._pkm_name(), file=self.ctx.file_name, sheet=self.sheet.name,
                                cell=cell_address(row, col)) if m.status == "mirip" else None  # fmt: skip
            if found is not None:
                self.out.issues.append(found)
            return m
        if m.status in ("semu", "jumlah"):
            return m
        found = match_issue(m, self._pkm_name(), file=self.ctx.file_name, sheet=self.sheet.name,
                            cell=cell_address(row, col))  # fmt: skip
        if found is not None:
            self.out.issues.append(found)
        return m

    def _pkm_name(self) -> str:
        kode = self.out.kode_puskesmas
        return f"{self.ctx.puskesmas_names.get(kode, kode)} ({kode})" if kode else "?"

    def indicator_of(self, label: str) -> str | None:
        return self.memo.indicator(label)

    def sheet_indicator(self, title_texts: list[str]) -> str | None:
        """One sheet per indicator: the indicator named by the sheet or its title."""
        found = self.indicator_of(self.sheet.name)
        if found:
            return found
        for text in title_texts:
            found = self.memo.title_indicator(text)
            if found is not None:
                return found
        return None

    def _find_puskesmas(self, title_texts: list[str]) -> None:
        candidates = [t for t in title_texts if "PUSKESMAS" in t.upper() or "PKM" in t.upper()]
        for text in [*candidates, self.ctx.file_name]:
            kode, _ = self.memo.puskesmas.match(text)
            if kode:
                self.out.kode_puskesmas = kode
                return

    def _infer_puskesmas_from_desa(self, names: list[Any]) -> None:
        """No puskesmas in title or file name: the one most of the named desa belong to (exact names only)."""
        counts: dict[str, int] = defaultdict(int)
        pkm_of = self.memo.puskesmas_of_desa
        for raw in names:
            m = self.ctx.matcher.match(raw, None)
            if m.status in ("tepat", "alias") and m.kode_desa:
                counts[pkm_of[m.kode_desa]] += 1
        if counts:
            self.out.kode_puskesmas = max(counts, key=lambda k: counts[k])

    # --- entry ----------------------------------------------------------------------------------
    def read(self) -> SheetResult:
        rows = self.rows
        if not rows or not any(v != "" for row in rows[:HEADER_SCAN_ROWS] for v in row):
            return self.out
        scan = min(len(rows), HEADER_SCAN_ROWS)
        grid = _fill_merged(self.sheet, scan - 1)
        posyandu_header = find_posyandu_header(self, grid, scan)
        if posyandu_header is not None:  # one row per posyandu (pws.etl.posyandu)
            read_posyandu_sheet(self, grid, *posyandu_header)
            return self.out
        anchor = self._find_desa_label(grid, scan)
        if anchor is not None:
            hr, dc = anchor
            title = _title_text(grid, hr)
            bulan_col, header_labels = self.memo.remember(
                "header",
                _cells_key(grid[hr : hr + 4]),
                lambda: self._header_facts(grid[hr : hr + 4]),
                _BLOCK_MEMO_SIZE,
            )
            family = recognise(" | ".join(title), header_labels)
            self.out.family = family.id if family else None
            if bulan_col is not None:
                self.out.shape = "panjang"
                self._read_long(grid, hr, family)
            else:
                self.out.shape = "desa_baris"
                self._read_desa_rows(grid, hr, dc, title)
            return self.out
        found = self._find_desa_header_row(grid, scan)
        if found is not None:
            self.out.shape = "desa_kolom"
            self._read_desa_columns(grid, found)
            return self.out
        self.problem("tata_letak_tidak_dikenal", sheet_name=self.sheet.name)
        return self.out

    def _header_facts(self, header: list[list[Any]]) -> tuple[int | None, set[str]]:
        """The BULAN column of the header row (the first of ``header``), and every label of the header block
        normalised (for recognising the family)."""
        identity = self.memo.identity
        bulan_col = next((c for c, v in enumerate(header[0]) if identity(_text(v)) == "bulan"), None)
        return bulan_col, {normalize_label(_text(v)) for row in header for v in row if _text(v)}

    def _find_desa_label(self, grid: list[list[Any]], scan: int) -> tuple[int, int] | None:
        identity = self.memo.identity
        for r in range(scan):
            row = grid[r]
            # each distinct text of the row once (title rows are mostly blanks), then its first column
            cols = [row.index(v) for v in set(row) if isinstance(v, str) and identity(v) == "desa"]
            if cols:
                return r, min(cols)
        return None

    # --- desa as rows ---------------------------------------------------------------------------
    def _read_desa_rows(self, grid: list[list[Any]], hr: int, dc: int, title: list[str]) -> None:
        rows = self.rows
        number_rows: dict[int, bool] = {}  # row -> is it the column-numbering row (asked twice below)

        def is_number_row(r: int) -> bool:
            if r not in number_rows:
                number_rows[r] = _is_column_number_row(rows[r])
            return number_rows[r]

        first = hr + 1
        while first < len(rows):
            label = _text(rows[first][dc]) if dc < len(rows[first]) else ""
            row_is_header = (
                label == ""
                or is_number_row(first)
                or self.memo.role(label) is not None
                or self.memo.sex(label) is not None
                or (first < len(grid) and _text(grid[first][dc]) == _text(grid[hr][dc]))
            )
            if not row_is_header:
                break
            first += 1
        header_rows = [r for r in range(hr, min(first, len(grid))) if not is_number_row(r)]
        self._find_puskesmas(title)
        names = [rows[r][dc] for r in range(first, len(rows)) if dc < len(rows[r])]
        if self.out.kode_puskesmas is None:
            self._infer_puskesmas_from_desa(names)
            if self.out.kode_puskesmas is None:
                self.puskesmas_problem(" | ".join(title[:3]) or self.ctx.file_name)
                return
        year, month = self.period(title)
        # the same header block gives the same meanings (they depend only on its labels): worked out once
        columns = self.memo.remember(
            "columns",
            (dc, _cells_key([grid[r] for r in header_rows])),
            lambda: self._column_meanings(grid, header_rows, dc),
            _BLOCK_MEMO_SIZE,
        )
        if not any(c.indikator for c in columns):
            sheet_ind = self.sheet_indicator(title)
            columns = [replace(c, indikator=sheet_ind if c.bulan is not None else None) for c in columns]
        used = [c for c in columns if c.indikator and c.role in COUNTED_ROLES]
        if not used:
            self.problem("kolom_indikator_tidak_ada", sheet_name=self.sheet.name)
            return
        if year is None:
            self.problem("periode_tidak_ditemukan", hr, dc, apa="tahun")
            return
        monthly = [c for c in used if c.bulan is None]
        if monthly and month is None:
            self.problem("periode_tidak_ditemukan", hr, dc, apa="bulan")
            return
        self._extract_desa_rows(first, dc, used, year, month)

    def _column_meanings(self, grid: list[list[Any]], header_rows: list[int], dc: int) -> list[ColumnMeaning]:
        width = max((len(grid[r]) for r in header_rows), default=0)
        # a group label written once above its sub-columns (not merged): carry it right while the row below has labels
        filled = {r: list(grid[r]) + [""] * (width - len(grid[r])) for r in header_rows}
        for i, r in enumerate(header_rows[:-1]):
            below = header_rows[i + 1 :]
            for c in range(dc + 1, width):
                if (
                    filled[r][c] == ""
                    and filled[r][c - 1] != ""
                    and any(filled[b][c] != "" for b in below)
                    and not any(filled[b][c - 1] == "" for b in below)
                ):
                    filled[r][c] = filled[r][c - 1]
        out = []
        for c in range(width):
            if c == dc:
                continue
            labels: list[str] = []
            for r in header_rows:
                t = _text(filled[r][c])
                if t and (not labels or labels[-1] != t):
                    labels.append(t)
            if not labels:
                continue
            if self.memo.identity(labels[0]):
                continue
            indikator = None
            for i, label in enumerate(labels):
                if i + 1 < len(labels):
                    joined = self.indicator_of(f"{label} {labels[i + 1]}")
                    if joined:
                        indikator = joined
                        break
                found = self.indicator_of(label)
                if found:
                    indikator = found
                    break
            roles = {self.memo.role(label) for label in labels} - {None}
            role = None
            if "persen" in roles:
                role = "persen"
            elif "kumulatif" in roles:
                role = "kumulatif"
            elif "bulan_lalu" in roles:
                role = "bulan_lalu"
            elif "bulan_ini" in roles:
                role = "bulan_ini"
            elif roles:
                role = sorted(r for r in roles if r)[0]
            jk = "T"
            sex = self.memo.sex(labels[-1])
            if sex and len(labels) > 1:
                jk = sex
            elif sex == "T" and len(labels) == 1:
                role = "jumlah"
            bulan = None
            for label in labels:
                month = _month_of_label(label) if not label.strip().isdigit() else None
                if month is not None:
                    bulan = month
            out.append(ColumnMeaning(col=c, labels=labels, indikator=indikator, role=role, jk=jk, bulan=bulan))
        return out

    def _extract_desa_rows(self, first: int, dc: int, used: list[ColumnMeaning], year: int, month: int | None) -> None:
        rows = self.rows
        value_cols = [c.col for c in used]
        desa_rows: list[tuple[int, Match]] = []
        pseudo_rows: list[int] = []
        total_row: int | None = None
        for r in range(first, len(rows)):
            row = rows[r]
            raw = row[dc] if dc < len(row) else ""
            if _text(raw) == "":
                continue
            has_numbers = any(c < len(row) and row[c] != "" for c in value_cols)
            m = self.match_desa(raw, r, dc, has_numbers)
            if m is None:
                continue
            if m.status == "jumlah":
                total_row = r
                break
            if m.status == "semu":
                pseudo_rows.append(r)
            elif m.status in ACCEPTED:
                desa_rows.append((r, m))  # listed in the report: its blank cells are zeros
        if not desa_rows:
            self.problem("desa_tidak_ada", first, dc)
            return
        desa_row_numbers = [r for r, _ in desa_rows]
        reported = self._reported_columns(used, desa_row_numbers, total_row)
        # every counted cell is read (and parsed) once; extraction and checks reuse the numbers
        numbers = self.column_numbers(desa_row_numbers, [c.col for c in reported])
        by_ind: dict[str, dict[tuple[str | None, str, int | None], ColumnMeaning]] = defaultdict(dict)
        for c in reported:
            assert c.indikator is not None
            by_ind[c.indikator][(c.role, c.jk, c.bulan)] = c
        for ind, cols in by_ind.items():
            self._extract_indicator(ind, cols, desa_rows, numbers, year, month)
        if self.lalu_checks:
            self._check_lalu_ini_kum()
        if total_row is not None:
            self._check_total(total_row, desa_row_numbers, numbers, pseudo_rows, reported)

    def _reported_columns(
        self, used: list[ColumnMeaning], rows: list[int], total_row: int | None
    ) -> list[ColumnMeaning]:
        """Columns the puskesmas filled in. Blank desa cells in a filled-in report mean zero, but a block left
        wholly blank is not a report: an indicator block counts when any of its cells (desa rows or JUMLAH) holds
        something; month columns count up to the last month that holds something (later months are still to come).
        """
        check = [self.rows[r] for r in ([*rows, total_row] if total_row is not None else rows)]

        def filled(c: ColumnMeaning) -> bool:
            col = c.col
            return any(col < len(row) and row[col] != "" for row in check)

        month_cols = [c for c in used if c.bulan is not None]
        other = [c for c in used if c.bulan is None]
        out: list[ColumnMeaning] = []
        blocks: dict[str | None, list[ColumnMeaning]] = defaultdict(list)
        for c in other:
            blocks[c.indikator].append(c)
        for cols in blocks.values():
            if any(filled(c) for c in cols):
                out += cols
        by_ind: dict[str | None, list[ColumnMeaning]] = defaultdict(list)
        for c in month_cols:
            by_ind[c.indikator].append(c)
        for cols in by_ind.values():
            last = max((c.bulan or 0 for c in cols if filled(c)), default=0)
            out += [c for c in cols if (c.bulan or 0) <= last]
        return out

    def _extract_indicator(
        self,
        ind: str,
        cols: dict[tuple[str | None, str, int | None], ColumnMeaning],
        desa_rows: list[tuple[int, Match]],
        numbers: dict[int, list[float]],
        year: int,
        month: int | None,
    ) -> None:
        """The values of one indicator, desa row by desa row. ``numbers``: column -> one value per desa row."""
        emit = self.emit
        month_cols = sorted((c for (role, _, b), c in cols.items() if b is not None and role in (None, "bulan_ini")),
                            key=lambda c: c.bulan or 0)  # fmt: skip
        if month_cols:
            months = [(c.bulan or 0, c.col, numbers[c.col]) for c in month_cols]
            for i, (r, m) in enumerate(desa_rows):
                for bulan, col, values in months:
                    emit(year, bulan, m, ind, "T", values[i], r, col)
            return
        assert month is not None
        ini = {jk: c for (role, jk, _), c in cols.items() if role == "bulan_ini"}
        lalu = {jk: c for (role, jk, _), c in cols.items() if role == "bulan_lalu"}
        kum = {jk: c for (role, jk, _), c in cols.items() if role == "kumulatif"}
        plain = {jk: c for (role, jk, _), c in cols.items() if role is None}
        source = ini or plain
        if source:
            by_sex = [(jk, source[jk].col, numbers[source[jk].col]) for jk in ("L", "P", "T") if jk in source]
            has_l_p = {"L", "P"} <= set(source)
            l_values = numbers[source["L"].col] if has_l_p else []
            p_values = numbers[source["P"].col] if has_l_p else []
            for i, (r, m) in enumerate(desa_rows):
                for jk, col, values in by_sex:
                    emit(year, month, m, ind, jk, values[i], r, col)
                if "T" not in source and has_l_p:
                    emit(year, month, m, ind, "T", l_values[i] + p_values[i], r, source["L"].col)
                if has_l_p and "T" in source:
                    total = numbers[source["T"].col][i]
                    if abs(l_values[i] + p_values[i] - total) > 0.5:
                        self.problem("l_p_tidak_sama_jml", r, source["T"].col, indikator=ind, l=l_values[i],
                                     p=p_values[i], jml=total)  # fmt: skip
            if "T" in lalu and "T" in kum and "T" in source:
                lalu_t, ini_t, kum_t = lalu["T"], source["T"], kum["T"]
                self.lalu_checks.append((ind, lalu_t, ini_t, kum_t, [r for r, _ in desa_rows],
                                         numbers[lalu_t.col], numbers[ini_t.col], numbers[kum_t.col]))  # fmt: skip
        elif "T" in kum and "T" in lalu:
            # only BLN LALU and KUMULATIF: this month = KUMULATIF - BLN LALU
            kum_values, lalu_values = numbers[kum["T"].col], numbers[lalu["T"].col]
            for i, (r, m) in enumerate(desa_rows):
                emit(year, month, m, ind, "T", kum_values[i] - lalu_values[i], r, kum["T"].col)
        elif "T" in kum:
            self.problem("hanya_kumulatif", desa_rows[0][0], kum["T"].col, indikator=ind)

    def _check_lalu_ini_kum(self) -> None:
        """KUMULATIF = BLN LALU + BLN INI when BLN LALU is cumulative (the usual meaning). Some puskesmas put last
        month's count under BLN LALU: decided once per sheet from the rows that can tell (BLN LALU > 0), as
        domain.md §1.2 advises; then BLN INI is used as is and no row is reported."""
        agree = disagree = 0
        mismatches = []
        for ind, _, _, kum, rows, lalu_values, ini_values, kum_values in self.lalu_checks:
            for r, lalu_v, ini_v, kum_v in zip(rows, lalu_values, ini_values, kum_values, strict=True):
                gap = kum_v - lalu_v - ini_v
                if abs(gap) > 0.5:
                    disagree += 1
                    mismatches.append((r, ind, kum.col, lalu_v, ini_v, kum_v, gap))
                elif lalu_v > 0:
                    agree += 1
        if disagree > agree:
            self.problem("bln_lalu_bukan_kumulatif", None, None, indikator=", ".join(c[0] for c in self.lalu_checks))
            return
        for r, ind, col, lalu_v, ini_v, kum_v, gap in mismatches:
            self.problem("kumulatif_tidak_sama", r, col, indikator=ind, lalu=lalu_v, ini=ini_v, kumulatif=kum_v,
                         selisih=gap)  # fmt: skip

    def _check_total(
        self,
        total_row: int,
        desa_rows: list[int],
        numbers: dict[int, list[float]],
        pseudo_rows: list[int],
        cols: list[ColumnMeaning],
    ) -> None:
        """The JUMLAH/TOTAL row against the sum of the desa (and pseudo-village) rows, per counted column.
        ``numbers``: column -> one value per desa row (blanks and text as zero, as they count here)."""
        rows = self.rows
        narrowest = min(len(rows[r]) for r in desa_rows)
        for c in cols:
            if c.role not in COUNTED_ROLES:
                continue
            col = c.col
            try:
                total = _number(rows[total_row][col]) if col < len(rows[total_row]) else None
            except NotANumberError:
                continue
            if total is None:  # a formula without a cached value, or left empty: nothing to check
                continue
            # one sum over the rows in their order (desa rows first, then pseudo-villages; the same order gives the
            # same float), cells beyond a short row left out (the reader pads rows: only hand-made sheets have them)
            desa = numbers[col]
            if col >= narrowest:
                desa = [v for r, v in zip(desa_rows, desa, strict=True) if col < len(rows[r])]
            pseudo = [_number_or_zero(rows[r][col]) for r in pseudo_rows if col < len(rows[r])]
            summed = sum(desa + pseudo if pseudo else desa)
            if abs(summed - total) > 0.5:
                self.problem("jumlah_tidak_sama", total_row, col, jumlah=total, hitung=summed,
                             kolom=" / ".join(c.labels))  # fmt: skip

    # --- long tables ------------------------------------------------------------------------------
    def _read_long(self, grid: list[list[Any]], hr: int, family: Family | None) -> None:
        rows = self.rows
        vocab = self.ctx.vocab
        ident: dict[str, int] = {}
        measures: list[tuple[int, str, bool]] = []
        for c, v in enumerate(grid[hr]):
            label = _text(v)
            if not label:
                continue
            kind = vocab.identity_of(label)
            if kind:
                ident.setdefault(kind, c)
                continue
            ind = self.indicator_of(label)
            if ind:
                measures.append((c, ind, vocab.is_cumulative_label(label)))
        if not measures:
            self.problem("kolom_indikator_tidak_ada", sheet_name=self.sheet.name)
            return
        title = _title_text(grid, hr)
        file_year, _ = self.period(title)
        desa_col, month_col = ident["desa"], ident["bulan"]
        pkm_col, year_col, time_col = ident.get("puskesmas"), ident.get("tahun"), ident.get("waktu_input")
        pkm_cache: dict[str, str | None] = {}
        if pkm_col is None:
            self._find_puskesmas(title)
        # (month cell, year cell) -> (month, year): the same few values on every row
        periods: dict[tuple[Any, type, Any, type], tuple[int | None, int | None]] = {}

        def period_of(month_raw: Any, year_raw: Any) -> tuple[int | None, int | None]:
            key = (month_raw, type(month_raw), year_raw, type(year_raw))
            if key not in periods:
                month = parse_month(month_raw) or find_month(_text(month_raw))
                year = find_year(_text(year_raw)) if year_col is not None else None
                if year is None and isinstance(month_raw, datetime | date):
                    year = month_raw.year
                periods[key] = (month, year)
            return periods[key]

        # rows -> (pkm, desa match, year, month), newest input per key
        chosen: dict[tuple[str | None, str, int, int], tuple[int, str]] = {}
        for r in range(hr + 1, len(rows)):
            row = rows[r]
            if not any(v != "" for v in row):
                continue
            pkm = self.out.kode_puskesmas
            if pkm_col is not None:
                raw_pkm = _text(row[pkm_col])
                if raw_pkm not in pkm_cache:
                    pkm_cache[raw_pkm] = self.memo.puskesmas.match(raw_pkm)[0]
                pkm = pkm_cache[raw_pkm]
                if pkm is None:
                    self.puskesmas_problem(raw_pkm, r, pkm_col)
                    continue
            m = self.ctx.matcher.match(row[desa_col], pkm)
            if m.status not in ACCEPTED:
                if m.status not in ("semu", "jumlah"):
                    found = match_issue(m, pkm, file=self.ctx.file_name, sheet=self.sheet.name,
                                        cell=cell_address(r, desa_col))  # fmt: skip
                    if found is not None:
                        self.out.issues.append(found)
                continue
            if m.status == "mirip":
                found = match_issue(m, pkm, file=self.ctx.file_name, sheet=self.sheet.name,
                                    cell=cell_address(r, desa_col))  # fmt: skip
                if found is not None:
                    self.out.issues.append(found)
            month, year = period_of(row[month_col], row[year_col] if year_col is not None else None)
            year = year or file_year
            if month is None or year is None:
                self.problem("periode_tidak_ditemukan", r, month_col, apa="bulan" if month is None else "tahun")
                continue
            assert m.kode_desa is not None
            key = (pkm, m.kode_desa, year, month)
            stamp = _text(row[time_col]) if time_col is not None else ""
            if key in chosen:
                older, newer = sorted([chosen[key], (r, stamp)], key=lambda x: (x[1], x[0]))
                self.problem("baris_ganda", older[0], desa_col, baris_dipakai=newer[0] + 1)
                chosen[key] = newer
            else:
                chosen[key] = (r, stamp)
        series: dict[tuple[str, str, int], list[tuple[int, float, int, int, str | None]]] = defaultdict(list)
        match_of: dict[str, Match] = {}
        for (pkm, kode, year, month), (r, _) in chosen.items():
            match_of[kode] = self.ctx.matcher.match(rows[r][desa_col], pkm)
            for c, ind, cumulative in measures:
                v = self.number(r, c)
                value = 0.0 if v is None else v
                if cumulative:
                    series[(kode, ind, year)].append((month, value, r, c, pkm))
                else:
                    self.out.kode_puskesmas = pkm
                    self.emit(year, month, match_of[kode], ind, "T", value, r, c)
        for (kode, ind, year), points in series.items():
            points.sort()
            previous: tuple[int, float] | None = None
            for month, value, r, c, pkm in points:
                if month == 1:
                    monthly = value
                elif previous is not None and previous[0] == month - 1:
                    monthly = value - previous[1]
                    if monthly < 0:
                        self.problem("kumulatif_turun", r, c, indikator=ind, kode=kode, bulan=month,
                                     sebelum=previous[1], sekarang=value)  # fmt: skip
                else:
                    self.problem("kumulatif_bulan_hilang", r, c, indikator=ind, kode=kode, bulan=month)
                    previous = (month, value)
                    continue
                self.out.kode_puskesmas = pkm
                self.emit(year, month, match_of[kode], ind, "T", monthly, r, c)
                previous = (month, value)
        self.out.kode_puskesmas = None if pkm_col is not None else self.out.kode_puskesmas

    # --- desa as columns --------------------------------------------------------------------------
    def _find_desa_header_row(self, grid: list[list[Any]], scan: int) -> int | None:
        title = _title_text(grid, min(scan, 8))
        self._find_puskesmas(title)
        best: tuple[int, int] | None = None
        for r in range(scan):
            hits = 0
            for v in grid[r]:
                if isinstance(v, str) and v.strip():
                    m = self.ctx.matcher.match(v, self.out.kode_puskesmas)
                    if m.status in ("tepat", "alias"):
                        hits += 1
            if hits >= 3 and (best is None or hits > best[1]):
                best = (r, hits)
        return best[0] if best else None

    def _read_desa_columns(self, grid: list[list[Any]], hr: int) -> None:
        rows = self.rows
        title = _title_text(grid, hr)
        if self.out.kode_puskesmas is None:
            self._infer_puskesmas_from_desa([v for v in grid[hr] if isinstance(v, str)])
        year, month = self.period(title, month_from_names=False)
        family = recognise(" | ".join(title), {normalize_label(_text(v)) for v in grid[hr] if _text(v)})
        self.out.family = family.id if family else None
        desa_cols: list[tuple[int, Match]] = []
        pseudo_cols: list[int] = []
        total_col: int | None = None
        for c, v in enumerate(grid[hr]):
            if not _text(v):
                continue
            m = self.ctx.matcher.match(v, self.out.kode_puskesmas)
            if m.status in ACCEPTED:
                desa_cols.append((c, m))
            elif m.status == "semu":
                pseudo_cols.append(c)
            elif m.status == "jumlah":
                total_col = c
        label_col = 0
        sheet_ind = self.sheet_indicator([self.sheet.name, *title])
        if year is None:
            self.problem("periode_tidak_ditemukan", hr, 0, apa="tahun")
            return
        cells = [c for c, _ in desa_cols] + ([total_col] if total_col is not None else [])
        for r in range(hr + 1, len(rows)):
            row = rows[r]
            label = _text(row[label_col]) if label_col < len(row) else ""
            if not label:
                continue
            row_month = _month_of_label(label)
            row_ind = None if row_month else self.indicator_of(label)
            ind = row_ind or sheet_ind
            bulan = row_month or month
            if ind is None or bulan is None:
                continue
            if not any(c < len(row) and row[c] != "" for c in cells):
                continue  # a month (or indicator) not reported yet
            summed = 0.0
            for c, m in desa_cols:
                v = self.number(r, c)
                value = 0.0 if v is None else v
                summed += value
                self.emit(year, bulan, m, ind, "T", value, r, c)
            summed += sum(_number_or_zero(row[c]) for c in pseudo_cols if c < len(row))
            if total_col is not None:
                try:
                    total = _number(row[total_col]) if total_col < len(row) else None
                except NotANumberError:
                    total = None
                if total is not None and abs(total - summed) > 0.5:
                    self.problem("jumlah_tidak_sama", r, total_col, jumlah=total, hitung=summed, kolom=label)
