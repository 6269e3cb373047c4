"""ETL: puskesmas workbooks -> the tidy table (contracts §2), with lineage and problems as records.

``Tidier(wilayah, catalogue).tidy(path)`` reads one file (any supported format, every visible sheet) and returns a
``FileResult``; nothing is stored. ``pws.etl.store.Store`` stores results idempotently.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from pws.catalogue import Catalogue
from pws.etl.families import vocabulary
from pws.etl.layout import Context, SheetReader, Value
from pws.etl.model import TIDY_COLUMNS, FileResult, UnreadableFileError
from pws.etl.names import DesaMatcher
from pws.etl.read import read_workbook
from pws.issues import Issue, issue

__all__ = ["TIDY_COLUMNS", "FileResult", "Tidier"]


class Tidier:
    """Turns files into tidy rows against one master list and catalogue (built once, used for many files)."""

    def __init__(self, wilayah: pd.DataFrame, catalogue: Catalogue) -> None:
        self.wilayah = wilayah
        self.catalogue = catalogue
        self.matcher = DesaMatcher(wilayah)
        self.vocab = vocabulary()
        self.puskesmas_names = dict(zip(wilayah["kode_puskesmas"], wilayah["nama_puskesmas"], strict=True))
        self.nama_desa = dict(zip(wilayah["kode_desa"], wilayah["nama_desa"], strict=True))

    def tidy(self, path: Path, data: bytes | None = None) -> FileResult:
        """Parse one file. ``data`` are its bytes when already in memory (uploads)."""
        raw = data if data is not None else path.read_bytes()
        sha = hashlib.sha256(raw).hexdigest()
        issues: list[Issue] = []
        try:
            workbook = read_workbook(path)
        except UnreadableFileError as exc:
            issues.append(issue("berkas_tidak_terbaca", file=path.name, detail=exc.detail))
            return FileResult(path, sha, pd.DataFrame(columns=TIDY_COLUMNS), issues, readable=False)
        ctx = Context(path.name, self.catalogue, self.wilayah, self.matcher, self.vocab, self.puskesmas_names)
        values: list[Value] = []
        families: list[str] = []
        puskesmas: list[str] = []
        for sheet in workbook.sheets:
            if not sheet.visible:
                issues.append(issue("sheet_tersembunyi", file=path.name, sheet=sheet.name))
                continue
            result = SheetReader(ctx, sheet).read()
            values += result.values
            issues += result.issues
            if result.family:
                families.append(result.family)
            if result.kode_puskesmas:
                puskesmas.append(result.kode_puskesmas)
        frame = pd.DataFrame(
            [
                (
                    v.tahun,
                    v.bulan,
                    v.kode_desa,
                    self.nama_desa[v.kode_desa],
                    v.kode_puskesmas,
                    v.indikator,
                    v.jk,
                    v.nilai,
                    path.name,
                    v.sheet,
                    v.cell,
                )  # fmt: skip
                for v in values
            ],
            columns=TIDY_COLUMNS,
        )
        if frame.empty:
            issues.append(issue("berkas_tanpa_nilai", file=path.name))
        periods = sorted(set(zip(frame["tahun"].astype(int), frame["bulan"].astype(int), strict=True)))
        return FileResult(
            path=path,
            sha256=sha,
            rows=frame,
            issues=issues,
            family=max(set(families), key=families.count) if families else None,
            kode_puskesmas=max(set(puskesmas), key=puskesmas.count) if len(set(puskesmas)) == 1 else None,
            periods=periods,
        )


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
