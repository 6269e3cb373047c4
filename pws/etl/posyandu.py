"""Posyandu-level reports: one row per posyandu (e.g. "Rekap SKDN per posyandu": Desa, Posyandu, S, K, D, N).

The sheet has a header cell naming the posyandu column (``POSYANDU``, ``NAMA POSYANDU``; see ``_kosakata.toml``).
The desa of each row is given either in a desa column (blank cells under a desa carry it down, as merged cells
do) or as a group row above its posyandu ("DESA SUKAMAJU" alone on a row, no numbers). Total rows ("JUMLAH",
"JUMLAH DESA X", "TOTAL") are not data; each is checked against the posyandu rows since the previous total (a
desa subtotal), or, right after another total, against all rows (the grand total).

Each posyandu value is kept with the posyandu's name (as in ``jejaring.csv`` when it matched a unit of that
desa, else as written, with a warning naming the cell) and its ``kode_unit``; the desa value is the sum of its
posyandu, emitted as a normal tidy value whose ``sumber_sel`` lists the cells summed (``F7+F8+F9``). A posyandu
row whose counted cells are all blank did not report and gives nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
from rapidfuzz import fuzz

from pws.catalogue import normalize_label
from pws.etl.families import recognise
from pws.etl.names import Match, is_total_label, normalize_name

if TYPE_CHECKING:
    from pws.etl.layout import ColumnMeaning, SheetReader

#: a posyandu name is taken for a unit of jejaring.csv at this fuzzy score (0-100), 4 points ahead of the next one
POSYANDU_THRESHOLD = 85.0
_MARGIN = 4.0
#: words dropped from the start of a posyandu name before comparing ("Posyandu Melati 1" == "Melati I")
_PREFIXES = ("POSYANDU", "PSY", "POS", "POSY")

#: one posyandu value: (tahun, bulan, kode_desa, kode_puskesmas, indikator, jk, nilai, cell, posyandu, kode_unit)
PosyanduRow = tuple[int, int, str, str | None, str, str, float, str, str, str | None]


def posyandu_key(raw: object) -> str:
    """A posyandu name reduced for comparison: upper case, punctuation and the word POSYANDU dropped, Roman
    numerals as digits (via :func:`pws.etl.names.normalize_name`)."""
    words = normalize_name(raw).split()
    while len(words) > 1 and words[0] in _PREFIXES:
        words = words[1:]
    return " ".join(words)


@dataclass(frozen=True)
class PosyanduMatch:
    kode_unit: str | None
    nama: str  # the name in jejaring.csv when matched, else as written
    status: str  # tepat, mirip, tidak_dikenal, tanpa_jejaring
    candidates: tuple[str, ...] = ()


class PosyanduMatcher:
    """Posyandu names of reports -> units of ``jejaring.csv`` within one desa (exact key, then fuzzy)."""

    def __init__(self, jejaring: pd.DataFrame | None) -> None:
        self.by_desa: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # desa -> (key, kode_unit, nama)
        self.has_list = jejaring is not None and not jejaring.empty
        if self.has_list and jejaring is not None:
            units = jejaring[jejaring["jenis"] == "posyandu"]
            for kode_desa, kode_unit, nama in zip(units["kode_desa"], units["kode_unit"], units["nama"], strict=True):
                self.by_desa[str(kode_desa)].append((posyandu_key(nama), str(kode_unit), str(nama)))

    def match(self, raw: object, kode_desa: str) -> PosyanduMatch:
        written = str(raw).strip()
        if not self.has_list:
            return PosyanduMatch(None, written, "tanpa_jejaring")
        key = posyandu_key(raw)
        units = self.by_desa.get(kode_desa, [])
        exact = [u for u in units if u[0] == key]
        if len(exact) == 1:
            return PosyanduMatch(exact[0][1], exact[0][2], "tepat")
        scored = sorted(
            ((max(fuzz.ratio(key.replace(" ", ""), u[0].replace(" ", "")), fuzz.token_sort_ratio(key, u[0])), u)
             for u in units),
            key=lambda s: -s[0],
        )  # fmt: skip
        names = tuple(u[2] for _, u in scored[:3])
        clear = len(scored) == 1 or (len(scored) > 1 and scored[0][0] - scored[1][0] >= _MARGIN)
        if scored and scored[0][0] >= POSYANDU_THRESHOLD and clear:
            best = scored[0][1]
            return PosyanduMatch(best[1], best[2], "mirip", names)
        return PosyanduMatch(None, written, "tidak_dikenal", names)


def find_posyandu_header(reader: SheetReader, grid: list[list[Any]], scan: int) -> tuple[int, int] | None:
    """(row, column) of the header cell naming the posyandu column, or None for other sheets."""
    identity = reader.memo.identity
    for r in range(scan):
        for c, v in enumerate(grid[r]):
            if isinstance(v, str) and v.strip() and identity(v) == "posyandu":
                return r, c
    return None


def read_posyandu_sheet(reader: SheetReader, grid: list[list[Any]], hr: int, pc: int) -> None:
    """Read one posyandu-level sheet into ``reader.out`` (desa sums as values, posyandu rows as ``posyandu``)."""
    from pws.etl.layout import COUNTED_ROLES, _is_column_number_row, _text, _title_text

    rows = reader.rows
    out = reader.out
    identity = reader.memo.identity
    header = grid[hr]
    dc = next((c for c, v in enumerate(header) if isinstance(v, str) and identity(v) == "desa"), None)
    title = _title_text(grid, hr)
    labels = {normalize_label(_text(v)) for row in grid[hr : hr + 3] for v in row if _text(v)}
    family = recognise(" | ".join(title), labels)
    out.family = family.id if family else "posyandu"
    out.shape = "posyandu"

    def label(r: int, c: int | None) -> str:
        return _text(rows[r][c]) if c is not None and c < len(rows[r]) else ""

    first = hr + 1
    while first < len(rows) and (_is_column_number_row(rows[first]) or (not label(first, pc) and not label(first, dc))):
        first += 1
    header_rows = [r for r in range(hr, min(first, len(grid))) if not _is_column_number_row(rows[r])]
    columns: list[ColumnMeaning] = reader._column_meanings(grid, header_rows, pc)
    used = [c for c in columns if c.indikator and c.role in COUNTED_ROLES and c.bulan is None and c.col != dc]
    if not used:
        reader.problem("kolom_indikator_tidak_ada", sheet_name=reader.sheet.name)
        return
    reader._find_puskesmas(title)
    if out.kode_puskesmas is None:
        names = [rows[r][dc] if dc is not None else rows[r][pc] for r in range(first, len(rows))
                 if (dc if dc is not None else pc) < len(rows[r])]  # fmt: skip
        reader._infer_puskesmas_from_desa(names)
        if out.kode_puskesmas is None:
            reader.puskesmas_problem(" | ".join(title[:3]) or reader.ctx.file_name)
            return
    year, month = reader.period(title)
    if year is None or month is None:
        reader.problem("periode_tidak_ditemukan", hr, pc, apa="tahun" if year is None else "bulan")
        return
    value_cols = [c.col for c in used]
    matcher = reader.ctx.posyandu if reader.ctx.posyandu is not None else PosyanduMatcher(None)

    current: Match | None = None  # the desa of the rows that follow
    since_total: list[int] = []  # posyandu rows since the last total row
    all_rows: list[int] = []
    after_total = False
    seen: dict[tuple[str, str], int] = {}
    data: list[tuple[int, str, PosyanduMatch]] = []  # (row, kode_desa, match)
    for r in range(first, len(rows)):
        row = rows[r]
        p_text, d_text = label(r, pc), label(r, dc)
        if not p_text and not d_text:
            continue
        has_numbers = any(c < len(row) and row[c] != "" for c in value_cols)
        # a total row, in either column
        if any(t and is_total_label(t) for t in (d_text, p_text)):
            checked = since_total if since_total and not after_total else all_rows
            if checked:
                _check_total(reader, r, checked, used)
            since_total = []
            after_total = True
            continue
        if d_text:
            m = reader.match_desa(rows[r][dc] if dc is not None else "", r, dc or 0, True)
            current = m if m is not None and m.resolved else None
            if m is not None and m.status == "semu":
                current = None
        elif dc is None and not has_numbers:
            # a group row: the desa of the posyandu below
            m = reader.ctx.matcher.match(rows[r][pc], out.kode_puskesmas)
            if m.resolved:
                current = m
                reader.match_desa(rows[r][pc], r, pc, True)  # reports a fuzzy match (desa_mirip) at its cell
                continue
            if m.status in ("semu", "jumlah"):
                current = None
                continue
            words = normalize_name(p_text).split()
            if (
                current is not None
                and current.kode_desa is not None
                and (words[:1] and words[0] in _PREFIXES or matcher.match(p_text, current.kode_desa).kode_unit)
            ):
                continue  # a posyandu of the current desa that did not report this month
            reader.match_desa(rows[r][pc], r, pc, True)  # reports the unknown desa at its cell
            current = None
            continue
        if not p_text:
            continue  # a desa row without a posyandu name (its group row in a desa column)
        if current is None or current.kode_desa is None:
            continue  # the desa was not recognised: reported where it was written
        if not has_numbers:
            continue  # this posyandu did not report this month
        kode = current.kode_desa
        pm = matcher.match(rows[r][pc], kode)
        key = (kode, pm.kode_unit or posyandu_key(p_text))
        if key in seen:
            reader.problem("posyandu_ganda", r, pc, posyandu=p_text, desa=current.nama_desa, baris=seen[key] + 1)
            continue
        seen[key] = r
        if pm.status == "tidak_dikenal":
            reader.problem("posyandu_tidak_dikenal", r, pc, posyandu=p_text, desa=current.nama_desa,
                           kandidat=", ".join(pm.candidates) or "-")  # fmt: skip
        data.append((r, kode, pm))
        since_total.append(r)
        all_rows.append(r)
        after_total = False
    if not data:
        reader.problem("desa_tidak_ada", first, pc)
        return
    _emit(reader, data, used, year, month)


def _emit(
    reader: SheetReader,
    data: list[tuple[int, str, PosyanduMatch]],
    used: list[ColumnMeaning],
    year: int,
    month: int,
) -> None:
    from pws.etl.layout import cell_address

    out = reader.out
    numbers = reader.column_numbers([r for r, _, _ in data], [c.col for c in used])
    by_ind: dict[str, dict[str, ColumnMeaning]] = defaultdict(dict)
    for c in used:
        assert c.indikator is not None
        by_ind[c.indikator].setdefault(c.jk, c)
    sums: dict[tuple[str, str, str], list[tuple[float, str]]] = defaultdict(list)
    pkm = out.kode_puskesmas
    for i, (r, kode, pm) in enumerate(data):
        for ind, cols in by_ind.items():
            values = {jk: (numbers[c.col][i], cell_address(r, c.col)) for jk, c in cols.items()}
            if "T" not in values and {"L", "P"} <= set(values):
                values["T"] = (values["L"][0] + values["P"][0], values["L"][1])
            for jk, (value, cell) in values.items():
                out.posyandu.append((year, month, kode, pkm, ind, jk, value, cell, pm.nama, pm.kode_unit))
                sums[(kode, ind, jk)].append((value, cell))
    for (kode, ind, jk), parts in sums.items():
        key = (year, month, kode, ind, jk)
        if key in reader.seen:
            continue
        reader.seen.add(key)
        cells = "+".join(cell for _, cell in parts)
        out.values.append((year, month, kode, pkm, ind, jk, sum(v for v, _ in parts), cells))


def _check_total(reader: SheetReader, total_row: int, rows: list[int], used: list[ColumnMeaning]) -> None:
    from pws.etl.layout import _number_or_zero

    for c in used:
        row = reader.rows[total_row]
        if c.col >= len(row) or row[c.col] == "":
            continue
        total = _number_or_zero(row[c.col])
        summed = sum(_number_or_zero(reader.rows[r][c.col]) for r in rows if c.col < len(reader.rows[r]))
        if abs(summed - total) > 0.5:
            reader.problem("jumlah_tidak_sama", total_row, c.col, jumlah=total, hitung=summed,
                           kolom=" / ".join(c.labels))  # fmt: skip
