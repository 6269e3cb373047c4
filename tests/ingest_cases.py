"""What the parallel and distributed ingest tests share: a list of real demo workbooks with a corrected version of
one of them later in the list and an unreadable file among them, Tidiers that fail on purpose, and a comparable
snapshot of a store."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

from pws.config import Workspace
from pws.demo import DemoSummary
from pws.etl import FileResult, Tidier, input_files
from pws.etl.store import Store

CORRECTION = 7  # added to one cell of the corrected workbook
PROBLEM_FIELDS = ["nama_file", "kode", "tingkat", "pesan", "sheet", "sel"]


@dataclass
class Case:
    ws: Workspace
    files: list[Path]
    original: Path  # the workbook that is corrected later in the list
    corrected: Path
    broken: Path  # a truncated workbook: unreadable
    key: tuple[int, int, str, str, str]  # (tahun, bulan, kode_desa, indikator, jk) of the corrected cell
    before: float  # its value in the original


def workspace_copy(demo: DemoSummary, target: Path) -> Workspace:
    """The demo workspace without its reports' store: master list, catalogue, sasaran, target."""
    shutil.copytree(demo.root, target, ignore=shutil.ignore_patterns(".pws"))
    return Workspace(target)


def make_case(demo: DemoSummary, target: Path, stride: int = 40) -> Case:
    """Every ``stride``-th demo report (both years, every family, the SIGIZI CSV), then a corrected copy of one of
    them, with an unreadable file in between."""
    ws = workspace_copy(demo, target)
    every = input_files([ws.laporan_dir])
    files = every[::stride] + [f for f in every if f.suffix == ".csv"][:1]
    files = list(dict.fromkeys(files))
    original = next(f for f in files if f.suffix == ".xlsx" and "imunisasi" in f.name.lower())
    tidier = Tidier(*_master(ws))
    row = tidier.tidy(original).rows.iloc[0]
    book = openpyxl.load_workbook(original)
    cell = book[row["sumber_sheet"]][row["sumber_sel"]]
    cell.value = float(cell.value or 0) + CORRECTION
    corrected = ws.root / "revisi" / f"{original.stem} (revisi).xlsx"
    corrected.parent.mkdir()
    book.save(corrected)
    broken = ws.root / "revisi" / "rusak.xlsx"
    raw = original.read_bytes()
    broken.write_bytes(raw[: len(raw) // 2])  # a workbook cut in half (an interrupted copy)
    files = [*files[:3], broken, *files[3:], corrected]
    key = (int(row["tahun"]), int(row["bulan"]), row["kode_desa"], row["indikator"], row["jk"])
    return Case(ws, files, original, corrected, broken, key, float(row["nilai"]))


def _master(ws: Workspace) -> tuple[Any, Any]:
    from pws.workspace import load_workspace

    data = load_workspace(ws)
    return data.wilayah, data.catalogue


def store_state(url: str, archive: Path) -> dict[str, Any]:
    """Everything an ingest leaves in a store, without ids, times and the archive's place: observations (with
    lineage), the ingest log in order and every problem."""
    with Store(url, archive) as store:
        obs = store.observations()
        log = store.files().sort_values("id")
        problems = store.problems()
    return {
        "observations": [tuple(r) for r in obs.itertuples(index=False)],
        "log": [
            tuple(r)
            for r in log[
                [
                    "sha256",
                    "nama_file",
                    "ukuran",
                    "keluarga",
                    "kode_puskesmas",
                    "periode",
                    "status",
                    "jumlah_baris",
                    "jumlah_masalah",
                ]
            ].itertuples(index=False)
        ],  # fmt: skip
        "problems": [tuple(r) for r in problems[PROBLEM_FIELDS].itertuples(index=False)],
    }


def result_state(results: list[FileResult], statuses: list[str]) -> list[tuple[Any, ...]]:
    """What ``ingest_files`` returns, comparable: per file its name, status, rows and problems."""
    return [
        (r.path.name, s, r.sha256, r.family, r.kode_puskesmas, tuple(r.periods), len(r.rows), list(map(str, r.issues)))
        for r, s in zip(results, statuses, strict=True)
    ]


class RaisingTidier(Tidier):
    """A parser with a bug that shows on one file: raises for files whose name starts with ``galat``."""

    def tidy(self, path: Path, data: bytes | None = None) -> FileResult:
        if path.name.startswith("galat"):
            raise RuntimeError("uji: pengurai gagal")
        return super().tidy(path, data)


class CrashingTidier(Tidier):
    """A parser that kills its own process on files whose name starts with ``mati`` (as an out-of-memory kill or a
    crash in a native library would)."""

    def tidy(self, path: Path, data: bytes | None = None) -> FileResult:
        if path.name.startswith("mati"):
            os._exit(3)
        return super().tidy(path, data)
