"""ETL: puskesmas workbooks -> the tidy table (contracts §2), with lineage and problems as records.

``Tidier(wilayah, catalogue).tidy(path)`` reads one file (any supported format, every visible sheet) and returns a
``FileResult``; nothing is stored. ``tidy(Path(name), data)`` reads bytes already in memory (uploads) without
opening any path. ``pws.etl.store.Store`` stores results idempotently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pws.catalogue import Catalogue
from pws.etl.families import vocabulary
from pws.etl.layout import Context, Memo, SheetReader, ValueRow
from pws.etl.limits import Deadline, limits
from pws.etl.model import TIDY_COLUMNS, FileResult, UnreadableFileError
from pws.etl.names import DesaMatcher
from pws.etl.posyandu import PosyanduMatcher, PosyanduRow
from pws.etl.read import read_workbook, timeout_error
from pws.issues import Issue, issue

__all__ = ["TIDY_COLUMNS", "FileResult", "Tidier"]


class Tidier:
    """Turns files into tidy rows against one master list and catalogue (built once, used for many files)."""

    def __init__(
        self,
        wilayah: pd.DataFrame,
        catalogue: Catalogue,
        default_year: int | None = None,
        jejaring: pd.DataFrame | None = None,
    ) -> None:
        """``default_year`` is used only for files whose title, sheet names, file name and columns name no year.
        ``jejaring`` (:func:`pws.network.load_jejaring`) names the posyandu of posyandu-level reports."""
        self.default_year = default_year
        self.posyandu = PosyanduMatcher(jejaring)
        self.wilayah = wilayah
        self.catalogue = catalogue
        self.matcher = DesaMatcher(wilayah)
        self.vocab = vocabulary()
        self.puskesmas_names = dict(zip(wilayah["kode_puskesmas"], wilayah["nama_puskesmas"], strict=True))
        self.nama_desa = dict(zip(wilayah["kode_desa"], wilayah["nama_desa"], strict=True))
        self.memo = Memo(catalogue, self.vocab, wilayah)  # what later files reuse (label meanings, headers, ...)

    def tidy(self, path: Path, data: bytes | None = None) -> FileResult:
        """Parse one file. ``data`` are its bytes when already in memory (uploads): ``path`` is then only the
        file's name (lineage, messages, the archive's suffix) and is never opened."""
        lim = limits()
        clock = Deadline(lim.parse_seconds)  # soft: checked between sheets, here and in the reader
        issues: list[Issue] = []
        raw = b""
        try:
            if data is None and path.stat().st_size > lim.max_file_bytes:
                read_workbook(path, None, lim, clock)  # raises berkas_terlalu_besar without reading the bytes
            raw = data if data is not None else path.read_bytes()
        except OSError:
            pass  # the reader says why it cannot open the file
        except UnreadableFileError as exc:
            issues.append(_unreadable_issue(path.name, exc))
            return FileResult(path, hashlib.sha256(raw).hexdigest(), pd.DataFrame(columns=TIDY_COLUMNS), issues,
                              readable=False)  # fmt: skip
        sha = hashlib.sha256(raw).hexdigest()
        try:
            workbook = read_workbook(path, raw if raw or data is not None else None, lim, clock)
        except UnreadableFileError as exc:
            issues.append(_unreadable_issue(path.name, exc))
            return FileResult(path, sha, pd.DataFrame(columns=TIDY_COLUMNS), issues, readable=False)
        issues += workbook.issues
        ctx = Context(
            path.name,
            self.catalogue,
            self.wilayah,
            self.matcher,
            self.vocab,
            self.puskesmas_names,
            self.memo,
            self.default_year,
            self.posyandu,
        )
        self.memo = ctx.memo  # a new one when the catalogue or master list was swapped
        values: list[tuple[str, list[ValueRow]]] = []  # (sheet name, its values)
        posyandu: list[tuple[str, list[PosyanduRow]]] = []
        families: list[str] = []
        puskesmas: list[str] = []
        for sheet in workbook.sheets:
            if clock.passed():
                issues.append(_unreadable_issue(path.name, timeout_error(clock, sheet.name)))
                return FileResult(path, sha, pd.DataFrame(columns=TIDY_COLUMNS), issues, readable=False)
            if not sheet.visible:
                issues.append(issue("sheet_tersembunyi", file=path.name, sheet=sheet.name))
                continue
            result = SheetReader(ctx, sheet).read()
            if result.values:
                values.append((sheet.name, result.values))
            if result.posyandu:
                posyandu.append((sheet.name, result.posyandu))
            issues += result.issues
            if result.family:
                families.append(result.family)
            if result.kode_puskesmas:
                puskesmas.append(result.kode_puskesmas)
        frame, periods = self._frame(values, path.name)
        if frame.empty:
            issues.append(issue("berkas_tanpa_nilai", file=path.name))
        return FileResult(
            path=path,
            sha256=sha,
            rows=frame,
            issues=issues,
            family=max(set(families), key=families.count) if families else None,
            kode_puskesmas=max(set(puskesmas), key=puskesmas.count) if len(set(puskesmas)) == 1 else None,
            periods=periods,
            posyandu_rows=self._posyandu_frame(posyandu, path.name) if posyandu else None,
        )

    def _posyandu_frame(self, values: list[tuple[str, list[PosyanduRow]]], file_name: str) -> pd.DataFrame:
        """The posyandu-level rows of a file: TIDY_COLUMNS + ``posyandu``, ``kode_unit`` (None when unmatched)."""
        records = [
            (t, b, k, self.nama_desa[k], p, i, jk, v, file_name, sheet, cell, nama, unit)
            for sheet, rows in values
            for (t, b, k, p, i, jk, v, cell, nama, unit) in rows
        ]
        return pd.DataFrame(records, columns=[*TIDY_COLUMNS, "posyandu", "kode_unit"])

    def _frame(
        self, values: list[tuple[str, list[ValueRow]]], file_name: str
    ) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
        """The tidy table (TIDY_COLUMNS) of the values of each sheet, built from whole columns at once, and the
        (tahun, bulan) periods it holds."""
        rows = [v for _, sheet_values in values for v in sheet_values]
        if not rows:
            return pd.DataFrame([], columns=TIDY_COLUMNS), []
        tahun, bulan, kode_desa, kode_puskesmas, indikator, jk, nilai, cell = zip(*rows, strict=True)
        columns = {
            "tahun": tahun,
            "bulan": bulan,
            "kode_desa": kode_desa,
            "nama_desa": list(map(self.nama_desa.__getitem__, kode_desa)),
            "kode_puskesmas": kode_puskesmas,
            "indikator": indikator,
            "jk": jk,
            "nilai": nilai,
            "sumber_file": [file_name] * len(rows),
            "sumber_sheet": [name for name, sheet_values in values for _ in sheet_values],
            "sumber_sel": cell,
        }
        assert list(columns) == TIDY_COLUMNS
        text = pd.StringDtype(na_value=np.nan)  # what pandas infers for text (its storage follows pandas' options)
        frame = pd.DataFrame({name: _array(col, text) for name, col in columns.items()}, copy=False)
        return frame, sorted({(int(t), int(b)) for t, b in set(zip(tahun, bulan, strict=True))})


def _unreadable_issue(name: str, exc: UnreadableFileError) -> Issue:
    """The record of a file that could not be read: the limit's own code, else ``berkas_tidak_terbaca``."""
    if exc.code is None:
        return issue("berkas_tidak_terbaca", file=name, detail=exc.detail)
    return issue(exc.code, file=name, sheet=exc.sheet, cell=exc.cell, **exc.params)


def _array(values: Sequence[Any], text: pd.StringDtype) -> Any:
    """The column pandas would infer from ``list(values)``, made directly when all values are of one plain type
    (``text``: the dtype pandas infers for text): pandas' inference costs more than the rest of building the table.
    Anything else is left to pandas."""
    kinds = set(map(type, values))
    if kinds == {str}:
        return text.construct_array_type()._from_sequence(values, dtype=text)
    if kinds == {float}:
        return np.array(values, dtype=np.float64)
    if kinds == {int} and min(values) >= -(2**63) and max(values) < 2**63:
        return np.array(values, dtype=np.int64)
    return list(values)


SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".htm", ".html")


def input_files(paths: list[Path]) -> list[Path]:
    """Files to read from the command line: files as given, folders searched recursively for supported
    suffixes (Excel's own lock files ``~$...`` skipped), in a stable order."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES
                and not f.name.startswith("~$")
            )  # fmt: skip
        else:
            out.append(p)
    return out
