"""The ETL's shared records: a workbook as read (cells first), and what one file turned into (tidy second)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pws.issues import Issue

#: the tidy table of contracts §2, in this column order
TIDY_COLUMNS = [
    "tahun",
    "bulan",
    "kode_desa",
    "nama_desa",
    "kode_puskesmas",
    "indikator",
    "jk",
    "nilai",
    "sumber_file",
    "sumber_sheet",
    "sumber_sel",
]


class UnreadableFileError(Exception):
    """A file that cannot be read at all. ``detail`` is an Indonesian explanation for the user.

    ``code`` (optional) is a registered issue code with its own message (``issue.<code>`` in the locale files),
    filled with ``params``; ``sheet`` and ``cell`` say where, when there is a place. Without a code the problem is
    reported as ``berkas_tidak_terbaca`` with ``detail``.
    """

    def __init__(
        self, detail: str, code: str | None = None, sheet: str | None = None, cell: str | None = None, **params: Any
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.sheet = sheet
        self.cell = cell
        self.params = params


@dataclass
class Sheet:
    """One sheet as a grid of values, 0-based; ``''`` for an empty cell (as python-calamine gives it).

    Values are str, float, int, bool, datetime.date/datetime or ''. ``merged`` lists merged ranges as
    (first_row, first_col, last_row, last_col), 0-based and inclusive.
    """

    name: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    visible: bool = True


@dataclass
class Workbook:
    """A file as read: its name (used for lineage), the real format detected from its bytes, its sheets."""

    name: str
    kind: str  # xlsx | xls | ods | csv | html
    sheets: list[Sheet]
    #: what the reader noticed while reading (a format other than the extension says, a fallback text encoding,
    #: formulas without saved values): records, like every other problem
    issues: list[Issue] = field(default_factory=list)


@dataclass
class FileResult:
    """What one input file turned into: tidy rows (TIDY_COLUMNS), the problems found, and what was recognised."""

    path: Path
    sha256: str
    rows: pd.DataFrame
    issues: list[Issue]
    family: str | None = None  # report family recognised (e.g. "pws_kia"), None when unknown
    kode_puskesmas: str | None = None
    periods: list[tuple[int, int]] = field(default_factory=list)  # (tahun, bulan) present in rows
    readable: bool = True
    # posyandu-level values (TIDY_COLUMNS + posyandu, kode_unit) of reports with one row per posyandu; their desa
    # sums are in ``rows``. None for desa-level reports.
    posyandu_rows: pd.DataFrame | None = None
