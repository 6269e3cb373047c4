"""The demo district's posyandu SKDN reports: one workbook per puskesmas and month of 2025, one row per posyandu
(S, K, D, N), in two layouts (desa column with merged cells and a JUMLAH row per desa; desa as group rows with
"JUMLAH DESA" rows), written to ``laporan/posyandu/2025/``.

S and D of each desa are the demo's desa-level BALITA_S / BALITA_D counts (what SIGIZI reports), split over the
desa's posyandu active that month, so the desa sums agree with the desa-level reports (no konflik_nilai); K and
N (only here) are drawn below S and D. A few posyandu do not report in a month (their row is left blank; the
desa's children were weighed at its other posyandu). What was written where goes to
``.pws/demo/kebenaran_posyandu.csv``; drawn from its own random stream (``[seed, 11]``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from pws.demo.reports import MONTHS, MONTHS_SHORT

STREAM = 11
YEAR = 2025
SHEET = "SKDN"
TRUTH_FILE = "kebenaran_posyandu.csv"
TRUTH_COLUMNS = ["tahun", "bulan", "kode_desa", "posyandu", "indikator", "jk", "nilai", "sumber_file",
                 "sumber_sheet", "sumber_sel"]  # fmt: skip
INDICATORS = ("BALITA_S", "BALITA_K", "BALITA_D", "BALITA_N")
HEADERS = ("S", "K", "D", "N")
BOLD = Font(bold=True)

Count = Callable[[int, int, str, str, str], int]


def _since(raw: str) -> pd.Timestamp | None:
    if not raw:
        return None
    return pd.Timestamp(f"{raw}-01-01" if len(raw) == 4 else raw)


def posyandu_units(network: pd.DataFrame, known_desa: set[str]) -> pd.DataFrame:
    """The posyandu of the network file as the loader keeps them: known desa, first row of a repeated name."""
    units = network[(network["jenis"] == "posyandu") & network["kode_desa"].isin(known_desa)]
    units = units.drop_duplicates(["kode_desa", "nama"]).copy()
    units["since"] = [_since(str(v)) for v in units["aktif_sejak"]]
    return units.reset_index(drop=True)


def write_posyandu_reports(
    root: Path,
    desa: pd.DataFrame,
    network: pd.DataFrame,
    count: Count,
    missing: dict[str, frozenset[tuple[int, int]]],
    last_month: int,
    seed: int,
) -> tuple[int, list[dict[str, Any]]]:
    """Write the workbooks; return how many and the non-reporting (posyandu, month) pairs."""
    rng = np.random.default_rng([seed, STREAM])
    folder = root / "laporan" / "posyandu" / str(YEAR)
    folder.mkdir(parents=True, exist_ok=True)
    units = posyandu_units(network, set(desa["kode_desa"]))
    weight = dict(zip(units.index, rng.uniform(0.5, 1.5, len(units)), strict=True))
    k_rate = dict(zip(units.index, rng.uniform(0.88, 0.99, len(units)), strict=True))
    n_rate = dict(zip(units.index, rng.uniform(0.6, 0.85, len(units)), strict=True))
    # a few posyandu (in desa with several) skip a month
    several = units[units.groupby("kode_desa")["nama"].transform("size") >= 2]
    silent = {(int(i), int(rng.integers(1, last_month + 1))) for i in rng.choice(several.index, 6, replace=False)}
    truth: list[tuple[Any, ...]] = []
    n_files = 0
    pkm_codes = sorted(desa["kode_puskesmas"].unique())
    for p_index, pkm in enumerate(pkm_codes):
        area = desa[desa["kode_puskesmas"] == pkm].sort_values("kode_desa")
        nama_pkm = str(area["nama_puskesmas"].iloc[0])
        grouped = p_index % 2 == 1
        for month in range(1, last_month + 1):
            if (YEAR, month) in missing.get(pkm, frozenset()):
                continue
            end = pd.Timestamp(YEAR, month, 1) + pd.offsets.MonthEnd(0)
            name = f"SKDN Posyandu {nama_pkm} {MONTHS_SHORT[month - 1]} {YEAR}.xlsx"
            blocks = []
            for d in area.itertuples():
                mine = units[(units["kode_desa"] == d.kode_desa)]
                active = [i for i in mine.index if pd.isna(mine.at[i, "since"]) or mine.at[i, "since"] <= end]
                reporting = [i for i in active if (int(i), month) not in silent]
                values = _split(rng, reporting, weight, k_rate, n_rate, count(YEAR, month, d.kode_desa, "BALITA_S",
                                "T"), count(YEAR, month, d.kode_desa, "BALITA_D", "T"))  # fmt: skip
                blocks.append((d, [(i, values.get(i)) for i in active]))
            _write(folder / name, nama_pkm, month, blocks, units, grouped, truth)
            n_files += 1
    frame = pd.DataFrame(truth, columns=TRUTH_COLUMNS)
    internal = root / ".pws" / "demo"
    internal.mkdir(parents=True, exist_ok=True)
    frame.to_csv(internal / TRUTH_FILE, index=False)
    silent_list = [
        {"kode_desa": units.at[i, "kode_desa"], "posyandu": units.at[i, "nama"], "tahun": YEAR, "bulan": m}
        for i, m in sorted(silent)
    ]
    return n_files, silent_list


def _split(
    rng: np.random.Generator,
    reporting: list[int],
    weight: dict[int, float],
    k_rate: dict[int, float],
    n_rate: dict[int, float],
    s_total: int,
    d_total: int,
) -> dict[int, tuple[int, int, int, int]]:
    """S and D of a desa over its reporting posyandu (D ≤ S in each), K ≤ S and N ≤ D drawn per posyandu."""
    if not reporting:
        return {}
    w = np.array([weight[i] for i in reporting])
    s = rng.multinomial(s_total, w / w.sum())
    # D ≤ S in each posyandu (the demo's desa counts have D ≤ S; otherwise split like S)
    d = rng.multivariate_hypergeometric(s, d_total) if d_total <= s_total else rng.multinomial(d_total, w / w.sum())
    out = {}
    for j, i in enumerate(reporting):
        k = int(rng.binomial(int(s[j]), k_rate[i]))
        n = int(rng.binomial(int(d[j]), n_rate[i]))
        out[i] = (int(s[j]), k, int(d[j]), n)
    return out


def _write(
    path: Path,
    nama_pkm: str,
    month: int,
    blocks: list[tuple[Any, list[tuple[int, tuple[int, int, int, int] | None]]]],
    units: pd.DataFrame,
    grouped: bool,
    truth: list[tuple[Any, ...]],
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.cell(row=1, column=1, value="REKAP SKDN PER POSYANDU").font = BOLD
    ws.cell(row=2, column=1, value=f"PUSKESMAS : {nama_pkm.upper()}")
    ws.cell(row=3, column=1, value=f"BULAN : {MONTHS[month - 1]} {YEAR}")
    header = ["NO", "POSYANDU", *HEADERS] if grouped else ["NO", "DESA", "POSYANDU", "DUSUN", *HEADERS]
    for c, text in enumerate(header, start=1):
        ws.cell(row=5, column=c, value=text).font = BOLD
    first_value_col = len(header) - len(HEADERS) + 1
    r = 6
    number = 0
    grand = [0, 0, 0, 0]
    for d, rows in blocks:
        if grouped:
            ws.cell(row=r, column=2, value=f"DESA {str(d.nama_desa).upper()}").font = BOLD
            r += 1
        first = r
        sums = [0, 0, 0, 0]
        for i, values in rows:
            number += 1
            ws.cell(row=r, column=1, value=number)
            nama = str(units.at[i, "nama"])
            if grouped:
                ws.cell(row=r, column=2, value=nama)
            else:
                ws.cell(row=r, column=3, value=nama)
                ws.cell(row=r, column=4, value=str(units.at[i, "dusun"]))
            if values is not None:
                for j, (ind, v) in enumerate(zip(INDICATORS, values, strict=True)):
                    cell = ws.cell(row=r, column=first_value_col + j, value=v)
                    truth.append((YEAR, month, d.kode_desa, nama, ind, "T", v, path.name, SHEET, cell.coordinate))
                    sums[j] += v
            r += 1
        if not grouped:
            ws.cell(row=first, column=2, value=str(d.nama_desa))
            if r - 1 > first:
                ws.merge_cells(start_row=first, start_column=2, end_row=r - 1, end_column=2)
        label_col = 2
        ws.cell(row=r, column=label_col, value=f"JUMLAH DESA {str(d.nama_desa).upper()}" if grouped else "JUMLAH")
        for j, v in enumerate(sums):
            ws.cell(row=r, column=first_value_col + j, value=v)
            grand[j] += v
        r += 1
    ws.cell(row=r, column=2, value="TOTAL PUSKESMAS").font = BOLD
    for j, v in enumerate(grand):
        ws.cell(row=r, column=first_value_col + j, value=v)
    wb.save(path)
