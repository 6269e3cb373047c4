"""Limits on what the reader accepts, checked before parsing where possible (docs/keamanan.md).

One setting per limit, all in :class:`Limits`. The defaults are far above any real puskesmas report (the largest
real workbooks seen are a few MB, a few dozen sheets, a few thousand rows) and far below what would exhaust an office
laptop. Each can be overridden with an environment variable ``PWS_BATAS_<NAME>`` (e.g.
``PWS_BATAS_MAX_FILE_MB=100``); an unparsable or non-positive value keeps the default.

Order of the checks (cheapest first, nothing decompressed until the zip directory has passed):

1. ``max_file_mb``: the size of the bytes.
2. zip formats (xlsx/xlsm/ods): from the zip's central directory alone, ``max_zip_entries``, the declared total
   ``max_uncompressed_mb`` and, for every member larger than 1 MB uncompressed, ``max_compression_ratio`` (a zip
   bomb compresses by a factor of thousands; real workbook XML by 5 to 30).
3. xlsx: the ``<dimension ref="A1:Z500"/>`` at the head of each sheet's XML (the first few KB decompressed only)
   against ``max_rows`` and ``max_columns``; the number of sheets against ``max_sheets``.
4. after reading each sheet: its real size against ``max_rows``/``max_columns`` (the dimension may be absent or
   wrong) and its cell count against ``max_cells``.
5. ``parse_seconds``: a *soft* deadline, checked between sheets (reading one sheet is never interrupted), so a file
   can take longer than this by the time of one sheet.

The declared sizes in a zip directory can lie; the reader then relies on check 4 and on calamine's own bounded
reading. This is written in docs/keamanan.md.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, fields, replace

__all__ = ["ENV_PREFIX", "Deadline", "Limits", "limits"]

ENV_PREFIX = "PWS_BATAS_"
#: members smaller than this (uncompressed) are not held to the compression ratio: tiny XML compresses very well
RATIO_MIN_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one file may hold. Sizes in MB (1 MB = 1,048,576 bytes)."""

    max_file_mb: float = 100.0
    max_uncompressed_mb: float = 1024.0
    max_compression_ratio: float = 200.0
    max_zip_entries: int = 10_000
    max_sheets: int = 250
    max_rows: int = 250_000
    max_columns: int = 2_000
    max_cells: int = 20_000_000
    parse_seconds: float = 120.0

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_uncompressed_bytes(self) -> int:
        return int(self.max_uncompressed_mb * 1024 * 1024)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """The defaults, each overridden by ``PWS_BATAS_<NAME>`` when that is a positive number."""
        env = os.environ if environ is None else environ
        changes: dict[str, float | int] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper(), "").strip().replace(",", ".")
            if not raw:
                continue
            try:
                value = float(raw)
            except ValueError:
                continue
            if value > 0:
                changes[f.name] = int(value) if f.type in (int, "int") else value
        return replace(cls(), **changes)  # type: ignore[arg-type]


def limits() -> Limits:
    """The limits in force now (read from the environment on each call: cheap, and tests can change it)."""
    return Limits.from_env()


class Deadline:
    """A soft deadline: :meth:`passed` is asked between sheets and blocks, never interrupts anything."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.start = time.monotonic()

    def passed(self) -> bool:
        return time.monotonic() - self.start > self.seconds

    def elapsed(self) -> float:
        return time.monotonic() - self.start
