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
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from pws.catalogue import Catalogue, normalize_label
from pws.etl.families import Family, Vocabulary, recognise
from pws.etl.model import Sheet
from pws.etl.names import DesaMatcher, Match, match_issue, match_puskesmas, puskesmas_issue
from pws.etl.period import find_month, find_period, find_year, parse_month
from pws.etl.read import cell_address as _cell_address
from pws.issues import Issue, issue
from pws.numbers import NotANumberError, parse_number

HEADER_SCAN_ROWS = 40

cell_address = functools.lru_cache(maxsize=1 << 16)(_cell_address)
_month_of_label = functools.lru_cache(maxsize=4096)(parse_month)
ACCEPTED = ("tepat", "alias", "mirip")


@dataclass
class Context:
    """What every sheet of a file is read against."""

    file_name: str
    catalogue: Catalogue
    wilayah: pd.DataFrame
    matcher: DesaMatcher
    vocab: Vocabulary
    puskesmas_names: dict[str, str]  # kode -> nama


@dataclass
class Value:
    tahun: int
    bulan: int
    kode_desa: str
    indikator: str
    jk: str
    nilai: float
    sheet: str
    cell: str
    kode_puskesmas: str | None


@dataclass
class SheetResult:
    values: list[Value] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    family: str | None = None
    kode_puskesmas: str | None = None
    shape: str | None = None


@dataclass
class ColumnMeaning:
    col: int
    labels: list[str]
    indikator: str | None = None
    role: str | None = None  # bulan_ini, bulan_lalu, kumulatif, persen, sasaran, target, abs, ...
    jk: str = "T"
    bulan: int | None = None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if value not in ("", None) else ""


def _number(value: Any) -> float | None:
    """Fast path for cells that are already numbers; raises NotANumberError for text that is not a number."""
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
        y, m = find_period(text)
        if year is None and y is not None:
            year = y
        if month is None and m is not None and ("BULAN" in text.upper() or "PERIODE" in text.upper() or y):
            month = m
    return year, month


class SheetReader:
    """Reads one sheet of one file; see the module docstring for the shapes it understands."""

    def __init__(self, ctx: Context, sheet: Sheet) -> None:
        self.ctx = ctx
        self.sheet = sheet
        self.rows = sheet.rows
        self.out = SheetResult()
        self.seen: set[tuple[int, int, str, str, str]] = set()
        self.lalu_checks: list[tuple[str, ColumnMeaning, ColumnMeaning, ColumnMeaning, list[tuple[int, Any]]]] = []

    # --- helpers --------------------------------------------------------------------------------
    def problem(self, code: str, row: int | None = None, col: int | None = None, **params: Any) -> None:
        cell = cell_address(row, col) if row is not None and col is not None else None
        self.out.issues.append(issue(code, file=self.ctx.file_name, sheet=self.sheet.name, cell=cell, **params))

    def puskesmas_problem(self, text: str, row: int | None = None, col: int | None = None) -> None:
        _, candidates = match_puskesmas(text, self.ctx.wilayah)
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

    def emit(self, tahun: int, bulan: int, m: Match, ind: str, jk: str, nilai: float, row: int, col: int) -> None:
        assert m.kode_desa is not None
        key = (tahun, bulan, m.kode_desa, ind, jk)
        if key in self.seen:
            self.problem(
                "nilai_ganda_dalam_berkas", row, col, kode=m.kode_desa, indikator=ind, tahun=tahun, bulan=bulan
            )
            return
        self.seen.add(key)
        self.out.values.append(
            Value(
                tahun,
                bulan,
                m.kode_desa,
                ind,
                jk,
                nilai,
                self.sheet.name,
                cell_address(row, col),
                self.out.kode_puskesmas,
            )  # fmt: skip
        )

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
        if not label or self.ctx.vocab.role(label) or self.ctx.vocab.identity_of(label):
            return None
        return self.ctx.catalogue.indicator_for_label(label)

    def sheet_indicator(self, title_texts: list[str]) -> str | None:
        """One sheet per indicator: the indicator named by the sheet or its title."""
        found = self.indicator_of(self.sheet.name)
        if found:
            return found
        aliases = self.ctx.catalogue.aliases
        for text in title_texts:
            key = normalize_label(text)
            if key in aliases:
                return aliases[key]
            # the longest alias (at least 4 characters) contained in the title wins
            best = max((a for a in aliases if len(a) >= 4 and a in key), key=len, default=None)
            if best:
                return aliases[best]
        return None

    def _find_puskesmas(self, title_texts: list[str]) -> None:
        candidates = [t for t in title_texts if "PUSKESMAS" in t.upper() or "PKM" in t.upper()]
        for text in [*candidates, self.ctx.file_name]:
            kode, _ = match_puskesmas(text, self.ctx.wilayah)
            if kode:
                self.out.kode_puskesmas = kode
                return

    def _infer_puskesmas_from_desa(self, names: list[Any]) -> None:
        """No puskesmas in title or file name: the one most of the named desa belong to (exact names only)."""
        counts: dict[str, int] = defaultdict(int)
        pkm_of = dict(zip(self.ctx.wilayah["kode_desa"], self.ctx.wilayah["kode_puskesmas"], strict=True))
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
        anchor = self._find_desa_label(grid, scan)
        if anchor is not None:
            hr, dc = anchor
            title = _title_text(grid, hr)
            labels_row = {normalize_label(_text(v)) for v in grid[hr] if _text(v)}
            bulan_col = next(
                (c for c, v in enumerate(grid[hr]) if self.ctx.vocab.identity_of(_text(v)) == "bulan"), None
            )
            header_labels = {normalize_label(_text(v)) for r in grid[hr : hr + 4] for v in r if _text(v)}
            family = recognise(" | ".join(title), header_labels | labels_row)
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

    def _find_desa_label(self, grid: list[list[Any]], scan: int) -> tuple[int, int] | None:
        for r in range(scan):
            for c, v in enumerate(grid[r]):
                if isinstance(v, str) and self.ctx.vocab.identity_of(v) == "desa":
                    return r, c
        return None

    # --- desa as rows ---------------------------------------------------------------------------
    def _read_desa_rows(self, grid: list[list[Any]], hr: int, dc: int, title: list[str]) -> None:
        rows = self.rows
        first = hr + 1
        while first < len(rows):
            label = _text(rows[first][dc]) if dc < len(rows[first]) else ""
            row_is_header = (
                label == ""
                or _is_column_number_row(rows[first])
                or self.ctx.vocab.role(label) is not None
                or self.ctx.vocab.sex_of(label) is not None
                or (first < len(grid) and _text(grid[first][dc]) == _text(grid[hr][dc]))
            )
            if not row_is_header:
                break
            first += 1
        header_rows = [r for r in range(hr, min(first, len(grid))) if not _is_column_number_row(rows[r])]
        self._find_puskesmas(title)
        names = [rows[r][dc] for r in range(first, len(rows)) if dc < len(rows[r])]
        if self.out.kode_puskesmas is None:
            self._infer_puskesmas_from_desa(names)
            if self.out.kode_puskesmas is None:
                self.puskesmas_problem(" | ".join(title[:3]) or self.ctx.file_name)
                return
        year, month = _period_from(title)
        for text in (self.sheet.name, self.ctx.file_name):
            y, m = find_period(text)
            year = year or y
            month = month or m or parse_month(text)
        columns = self._column_meanings(grid, header_rows, dc)
        sheet_ind = None
        if not any(c.indikator for c in columns):
            sheet_ind = self.sheet_indicator(title)
            for c in columns:
                c.indikator = sheet_ind if c.bulan is not None else None
        used = [c for c in columns if c.indikator and (c.role in (None, "bulan_ini", "bulan_lalu", "kumulatif"))]
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
            meaning = ColumnMeaning(col=c, labels=labels)
            if self.ctx.vocab.identity_of(labels[0]):
                continue
            for i, label in enumerate(labels):
                if i + 1 < len(labels):
                    joined = self.indicator_of(f"{label} {labels[i + 1]}")
                    if joined:
                        meaning.indikator = joined
                        break
                found = self.indicator_of(label)
                if found:
                    meaning.indikator = found
                    break
            roles = {self.ctx.vocab.role(label) for label in labels} - {None}
            if "persen" in roles:
                meaning.role = "persen"
            elif "kumulatif" in roles:
                meaning.role = "kumulatif"
            elif "bulan_lalu" in roles:
                meaning.role = "bulan_lalu"
            elif "bulan_ini" in roles:
                meaning.role = "bulan_ini"
            elif roles:
                meaning.role = sorted(r for r in roles if r)[0]
            sex = self.ctx.vocab.sex_of(labels[-1])
            if sex and len(labels) > 1:
                meaning.jk = sex
            elif sex == "T" and len(labels) == 1:
                meaning.role = "jumlah"
            for label in labels:
                month = _month_of_label(label) if not label.strip().isdigit() else None
                if month is not None:
                    meaning.bulan = month
            out.append(meaning)
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
            has_numbers = any(c < len(row) and row[c] != "" for c in value_cols)
            if _text(raw) == "":
                continue
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
        reported = self._reported_columns(used, [r for r, _ in desa_rows], total_row)
        numbers: dict[tuple[int, int], float | None] = {}
        for r, _ in desa_rows:
            for c in reported:
                numbers[(r, c.col)] = self.number(r, c.col)
        by_ind: dict[str, dict[tuple[str | None, str, int | None], ColumnMeaning]] = defaultdict(dict)
        for c in reported:
            assert c.indikator is not None
            by_ind[c.indikator][(c.role, c.jk, c.bulan)] = c
        for ind, cols in by_ind.items():
            self._extract_indicator(ind, cols, desa_rows, numbers, year, month)
        if self.lalu_checks:
            self._check_lalu_ini_kum()
        if total_row is not None:
            self._check_total(total_row, [*[r for r, _ in desa_rows], *pseudo_rows], reported)

    def _reported_columns(
        self, used: list[ColumnMeaning], rows: list[int], total_row: int | None
    ) -> list[ColumnMeaning]:
        """Columns the puskesmas filled in. Blank desa cells in a filled-in report mean zero, but a block left
        wholly blank is not a report: an indicator block counts when any of its cells (desa rows or JUMLAH) holds
        something; month columns count up to the last month that holds something (later months are still to come).
        """

        def filled(c: ColumnMeaning) -> bool:
            check = [*rows, total_row] if total_row is not None else rows
            return any(c.col < len(self.rows[r]) and self.rows[r][c.col] != "" for r in check)

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
        numbers: dict[tuple[int, int], float | None],
        year: int,
        month: int | None,
    ) -> None:
        def val(r: int, c: ColumnMeaning | None) -> float:
            if c is None:
                return 0.0
            v = numbers.get((r, c.col))
            return 0.0 if v is None else v  # a blank cell in a reported row counts as zero

        month_cols = sorted((c for (role, _, b), c in cols.items() if b is not None and role in (None, "bulan_ini")),
                            key=lambda c: c.bulan or 0)  # fmt: skip
        if month_cols:
            for r, m in desa_rows:
                for c in month_cols:
                    assert c.bulan is not None
                    self.emit(year, c.bulan, m, ind, "T", val(r, c), r, c.col)
            return
        assert month is not None
        ini = {jk: c for (role, jk, _), c in cols.items() if role == "bulan_ini"}
        lalu = {jk: c for (role, jk, _), c in cols.items() if role == "bulan_lalu"}
        kum = {jk: c for (role, jk, _), c in cols.items() if role == "kumulatif"}
        plain = {jk: c for (role, jk, _), c in cols.items() if role is None}
        source = ini or plain
        if source:
            sexes = [jk for jk in ("L", "P", "T") if jk in source]
            for r, m in desa_rows:
                for jk in sexes:
                    self.emit(year, month, m, ind, jk, val(r, source[jk]), r, source[jk].col)
                if "T" not in source and {"L", "P"} <= set(source):
                    self.emit(year, month, m, ind, "T", val(r, source["L"]) + val(r, source["P"]), r, source["L"].col)
                if {"L", "P", "T"} <= set(source):
                    total = val(r, source["T"])
                    if abs(val(r, source["L"]) + val(r, source["P"]) - total) > 0.5:
                        self.problem("l_p_tidak_sama_jml", r, source["T"].col, indikator=ind, l=val(r, source["L"]),
                                     p=val(r, source["P"]), jml=total)  # fmt: skip
            if "T" in lalu and "T" in kum and "T" in source:
                self.lalu_checks.append((ind, lalu["T"], source["T"], kum["T"], [(r, val) for r, _ in desa_rows]))
        elif "T" in kum and "T" in lalu:
            # only BLN LALU and KUMULATIF: this month = KUMULATIF - BLN LALU
            for r, m in desa_rows:
                self.emit(year, month, m, ind, "T", val(r, kum["T"]) - val(r, lalu["T"]), r, kum["T"].col)
        elif "T" in kum:
            self.problem("hanya_kumulatif", desa_rows[0][0], kum["T"].col, indikator=ind)

    def _check_lalu_ini_kum(self) -> None:
        """KUMULATIF = BLN LALU + BLN INI when BLN LALU is cumulative (the usual meaning). Some puskesmas put last
        month's count under BLN LALU: decided once per sheet from the rows that can tell (BLN LALU > 0), as
        domain.md §1.2 advises; then BLN INI is used as is and no row is reported."""
        agree = disagree = 0
        mismatches = []
        for ind, lalu, ini, kum, rows in self.lalu_checks:
            for r, val in rows:
                gap = val(r, kum) - val(r, lalu) - val(r, ini)
                if abs(gap) > 0.5:
                    disagree += 1
                    mismatches.append((r, ind, kum.col, val(r, lalu), val(r, ini), val(r, kum), gap))
                elif val(r, lalu) > 0:
                    agree += 1
        if disagree > agree:
            self.problem("bln_lalu_bukan_kumulatif", None, None, indikator=", ".join(c[0] for c in self.lalu_checks))
            return
        for r, ind, col, lalu_v, ini_v, kum_v, gap in mismatches:
            self.problem("kumulatif_tidak_sama", r, col, indikator=ind, lalu=lalu_v, ini=ini_v, kumulatif=kum_v,
                         selisih=gap)  # fmt: skip

    def _check_total(self, total_row: int, rows: list[int], cols: list[ColumnMeaning]) -> None:
        """The JUMLAH/TOTAL row against the sum of the desa (and pseudo-village) rows, per counted column."""
        for c in cols:
            if c.role not in (None, "bulan_ini", "bulan_lalu", "kumulatif"):
                continue
            try:
                total = _number(self.rows[total_row][c.col]) if c.col < len(self.rows[total_row]) else None
            except NotANumberError:
                continue
            if total is None:  # a formula without a cached value, or left empty: nothing to check
                continue
            summed = sum(_number_or_zero(self.rows[r][c.col]) for r in rows if c.col < len(self.rows[r]))
            if abs(summed - total) > 0.5:
                self.problem("jumlah_tidak_sama", total_row, c.col, jumlah=total, hitung=summed,
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
        file_year, _ = _period_from(title)
        file_year = file_year or find_period(self.sheet.name)[0] or find_period(self.ctx.file_name)[0]
        desa_col, month_col = ident["desa"], ident["bulan"]
        pkm_col, year_col, time_col = ident.get("puskesmas"), ident.get("tahun"), ident.get("waktu_input")
        pkm_cache: dict[str, str | None] = {}
        if pkm_col is None:
            self._find_puskesmas(title)
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
                    pkm_cache[raw_pkm] = match_puskesmas(raw_pkm, self.ctx.wilayah)[0]
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
            month = parse_month(row[month_col]) or find_month(_text(row[month_col]))
            year = find_year(_text(row[year_col])) if year_col is not None else None
            if year is None and isinstance(row[month_col], datetime | date):
                year = row[month_col].year
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
        year, month = _period_from(title)
        year = year or find_period(self.sheet.name)[0] or find_period(self.ctx.file_name)[0]
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
        for r in range(hr + 1, len(rows)):
            row = rows[r]
            label = _text(row[label_col]) if label_col < len(row) else ""
            if not label:
                continue
            row_month = parse_month(label)
            row_ind = None if row_month else self.indicator_of(label)
            ind = row_ind or sheet_ind
            bulan = row_month or month
            if ind is None or bulan is None:
                continue
            cells = [c for c, _ in desa_cols] + ([total_col] if total_col is not None else [])
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
