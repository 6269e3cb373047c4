"""Data quality (pws.quality): every check fires on a crafted workbook or table and stays silent on a clean one;
on the demo every problem the generator injected on purpose is found, and the rest stays below the documented
false-alarm rates (docs/quality.md)."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from test_etl_golden import WILAYAH

from pws.catalogue import default_catalogue
from pws.config import Workspace
from pws.etl.ingest import ingest_files
from pws.etl.store import Store, berkas
from pws.i18n import LANGUAGES, messages
from pws.issues import ISSUE_TYPES
from pws.quality import (
    CHECK_DIMENSIONS,
    FINDING_COLUMNS,
    MATRIX_COLUMNS,
    QUALITY_SETTINGS_HELP,
    QualityReport,
    QualitySettings,
    check_workspace,
    format_text,
)
from pws.quality.completeness import completeness_by_month, deadline
from pws.quality.consistency import cascade_findings, negative_findings, sex_sum_findings
from pws.quality.denominators import denominator_findings
from pws.quality.findings import findings_frame
from pws.quality.inputs import OBS_COLUMNS
from pws.quality.outliers import outlier_findings
from pws.quality.score import score_frames

MONTHS = ["JANUARI", "FEBRUARI", "MARET", "APRIL", "MEI", "JUNI", "JULI", "AGUSTUS", "SEPTEMBER", "OKTOBER",
          "NOPEMBER", "DESEMBER"]  # fmt: skip
PKM_A, PKM_B = "P7312010201", "P7312020201"  # Marioriwawo (Watu, Tellu Limpoe, Mattabulu), Lalabata (Bila)
WATU, TELLU, MATTA, BILA = "73.12.01.2001", "73.12.01.2002", "73.12.01.1003", "73.12.02.2001"
#: clean monthly counts, January to March: K1 and K4 per desa (K4 never above K1, even cumulatively)
CLEAN: dict[str, dict[str, dict[str, list[int]]]] = {
    "MARIORIWAWO": {
        "Watu": {"K1": [5, 4, 6], "K4": [3, 4, 4]},
        "Tellu Limpoe": {"K1": [4, 3, 4], "K4": [2, 3, 3]},
        "Mattabulu": {"K1": [2, 3, 3], "K4": [1, 2, 2]},
    },
    "LALABATA": {"Bila": {"K1": [3, 3, 2], "K4": [2, 2, 2]}},
}
#: population 2200 gives BUMIL = 1.10 × 0.0165 × 2200 = 39.9 by the catalogue formula
SASARAN = {WATU: (2200, 40), TELLU: (2200, 40), MATTA: (2200, 40), BILA: (2200, 40)}


# ------------------------------------------------------------------------------------------------ builders


def kia(
    path: Path,
    puskesmas: str,
    tahun: int,
    bulan: int,
    counts: Mapping[str, Mapping[str, Sequence[int]]],
    cells: Mapping[str, Any] | None = None,
    total_row: bool = False,
) -> Path:
    """A PWS KIA recap (layout A): per indicator BLN LALU (cumulative to last month) / BLN INI / KUMULATIF ABS / %.

    ``counts``: desa name -> indicator -> monthly counts from January. Desa rows start at row 8 in the given
    order; indicator blocks are sorted by code, four columns each from D (K1: D..G, K4: H..K). ``cells`` are
    written last (to break a total on purpose); ``total_row`` adds a JUMLAH row below the desa."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"{MONTHS[bulan - 1][:3]} {tahun}"
    ws["A1"] = "PWS KIA"
    ws["A2"] = f"PUSKESMAS : {puskesmas}"
    ws["A3"] = f"BULAN : {MONTHS[bulan - 1]}  TAHUN : {tahun}"
    ws["A5"], ws["B5"], ws["C5"], ws["C6"] = "NO", "DESA", "SASARAN", "BUMIL"
    for rng in ("A5:A7", "B5:B7", "C6:C7"):
        ws.merge_cells(rng)
    codes = sorted({code for per_desa in counts.values() for code in per_desa})
    for k, code in enumerate(codes):
        col = 4 + 4 * k
        c = [get_column_letter(col + i) for i in range(4)]
        ws[f"{c[0]}5"] = code
        ws.merge_cells(f"{c[0]}5:{c[3]}5")
        ws[f"{c[0]}6"], ws[f"{c[1]}6"], ws[f"{c[2]}6"] = "BLN LALU", "BLN INI", "KUMULATIF"
        ws.merge_cells(f"{c[0]}6:{c[0]}7")
        ws.merge_cells(f"{c[1]}6:{c[1]}7")
        ws.merge_cells(f"{c[2]}6:{c[3]}6")
        ws[f"{c[2]}7"], ws[f"{c[3]}7"] = "ABS", "%"
    row = 8
    totals = [0] * (4 * len(codes))
    for i, (desa, per_desa) in enumerate(counts.items(), start=1):
        ws.cell(row, 1, i)
        ws.cell(row, 2, desa)
        ws.cell(row, 3, 40)
        for k, code in enumerate(codes):
            series = list(per_desa.get(code, [0] * bulan))
            lalu, ini = sum(series[: bulan - 1]), series[bulan - 1]
            for j, value in enumerate((lalu, ini, lalu + ini)):
                ws.cell(row, 4 + 4 * k + j, value)
                totals[4 * k + j] += value
        row += 1
    if total_row:
        ws.cell(row, 2, "JUMLAH")
        for j, value in enumerate(totals):
            if j % 4 != 3:
                ws.cell(row, 4 + j, value)
    for address, value in (cells or {}).items():
        ws[address] = value
    wb.save(path)
    return path


def imunisasi(path: Path, tahun: int, bulan: int, values: Mapping[str, tuple[int, int, int]]) -> Path:
    """Layout I for Marioriwawo, one antigen (DPT-HB-Hib 1): BULAN INI L / P / JML per desa (rows from 8)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Imunisasi"
    ws["A1"] = "LAPORAN HASIL IMUNISASI RUTIN BAYI"
    ws["A2"] = "PUSKESMAS : MARIORIWAWO"
    ws["A3"] = f"BULAN : {MONTHS[bulan - 1]}  TAHUN : {tahun}"
    ws["A5"], ws["B5"], ws["C5"], ws["C6"] = "NO", "DESA", "DPT/HB/HIB 1", "BULAN INI"
    ws["C7"], ws["D7"], ws["E7"] = "L", "P", "JML"
    for rng in ("A5:A7", "B5:B7", "C5:E5", "C6:E6"):
        ws.merge_cells(rng)
    for i, (desa, (boys, girls, total)) in enumerate(values.items(), start=1):
        for j, value in enumerate((i, desa, boys, girls, total)):
            ws.cell(7 + i, 1 + j, value)
    wb.save(path)
    return path


def sigizi(path: Path, rows: Iterable[tuple[str, int, int]]) -> Path:
    """SIGIZI long table for Marioriwawo 2025: (desa, month, TTD cumulative 's/d bulan ini')."""
    lines = ["Tahun;Puskesmas;Kelurahan/Desa;Bulan;Waktu Input;"
             "Jumlah ibu hamil mendapat TTD minimal 180 tablet s/d bulan ini"]  # fmt: skip
    for desa, month, value in rows:
        lines.append(f"2025;MARIORIWAWO;{desa};{MONTHS[month - 1].title()};2025-{month + 1:02d}-03 10:00;{value}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_sasaran(root: Path, values: Mapping[tuple[int, str], tuple[float, float]] | None = None) -> None:
    """sasaran.csv: (tahun, kode_desa) -> (PENDUDUK, BUMIL); default: SASARAN for 2024 and 2025."""
    values = values or {(y, k): v for y in (2024, 2025) for k, v in SASARAN.items()}
    rows = ["tahun,kode_desa,jenis_sasaran,jumlah"]
    for (year, kode), (pop, bumil) in values.items():
        rows.append(f"{year},{kode},PENDUDUK,{pop}")
        if not math.isnan(bumil):
            rows.append(f"{year},{kode},BUMIL,{bumil}")
    (root / "sasaran.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def set_ingest_time(root: Path, name: str, when: datetime) -> None:
    """Pretend the file ``name`` was uploaded at ``when`` (the store stamps the real time)."""
    with Store.for_workspace(Workspace(root)) as store, store.engine.begin() as conn:
        conn.execute(sa.update(berkas).where(berkas.c.nama_file == name).values(waktu=when))


def on_time(month: int) -> datetime:
    return datetime(2025, month + 1, 5, 3, 0, tzinfo=UTC)


def build(
    root: Path,
    months: Iterable[int] = (1, 2, 3),
    counts: Mapping[str, Mapping[str, Mapping[str, Sequence[int]]]] = CLEAN,
    cells: Mapping[tuple[str, int], Mapping[str, Any]] | None = None,
    skip: Iterable[tuple[str, int]] = (),
    sasaran: Mapping[tuple[int, str], tuple[float, float]] | None = None,
) -> Workspace:
    """A workspace with the golden master list, sasaran and one KIA report per puskesmas and month, ingested and
    stamped as uploaded on the 5th of the following month (on time)."""
    root.mkdir(parents=True, exist_ok=True)
    WILAYAH.to_csv(root / "wilayah.csv", index=False)
    write_sasaran(root, sasaran)
    laporan = root / "laporan"
    laporan.mkdir(exist_ok=True)
    files = []
    for pkm, per_desa in counts.items():
        for m in months:
            if (pkm, m) in set(skip):
                continue
            path = laporan / f"PWS KIA {pkm} {MONTHS[m - 1]} 2025.xlsx"
            files.append(kia(path, pkm, 2025, m, per_desa, (cells or {}).get((pkm, m))))
    ws = Workspace(root)
    ingest(ws, files)
    for pkm in counts:
        for m in months:
            set_ingest_time(root, f"PWS KIA {pkm} {MONTHS[m - 1]} 2025.xlsx", on_time(m))
    return ws


def ingest(ws: Workspace, files: list[Path]) -> None:
    results, statuses = ingest_files(ws, files)
    assert "gagal" not in statuses, [str(i) for r in results for i in r.issues]


def check(ws: Workspace, **kwargs: Any) -> QualityReport:
    kwargs.setdefault("lang", "id")
    return check_workspace(ws, 2025, **kwargs)


def found(report: QualityReport, code: str) -> pd.DataFrame:
    return report.findings[report.findings["kode"] == code]


def derived_codes(report: QualityReport) -> set[str]:
    return set(report.findings["kode"])


@pytest.fixture
def clean(tmp_path: Path) -> Workspace:
    return build(tmp_path / "bersih")


# ------------------------------------------------------------------------------------------------ the clean case


def test_clean_workspace_has_no_findings_full_scores_and_every_report_on_time(clean: Workspace) -> None:
    report = check(clean)
    assert report.bulan == [1, 2, 3]
    assert report.findings.empty, report.findings[["kode", "pesan"]].to_string()
    assert list(report.completeness.columns) == MATRIX_COLUMNS
    assert len(report.completeness) == 2 * 3
    assert set(report.completeness["status"]) == {"diterima"}
    assert (report.scores["skor"] == 100).all()
    assert (report.indicator_completeness["persen"] == 100).all()
    assert set(report.indicator_completeness["indikator"]) == {"K1", "K4"}
    assert not report.has_errors()


def test_settings_are_documented_in_both_languages_and_checked() -> None:
    fields = set(QualitySettings.__dataclass_fields__)
    assert set(QUALITY_SETTINGS_HELP) == fields
    for field in fields:
        for lang in LANGUAGES:
            assert QUALITY_SETTINGS_HELP[field][lang].strip(), (field, lang)
    with pytest.raises(ValueError):
        QualitySettings(outlier_method="iqr")
    with pytest.raises(ValueError):
        QualitySettings(deadline_day=31)
    assert deadline(2025, 12, QualitySettings()) == date(2026, 1, 10)
    assert deadline(2025, 3, QualitySettings(deadline_day=5)) == date(2025, 4, 5)


def test_every_finding_code_is_registered_with_a_message_in_both_languages() -> None:
    for code in CHECK_DIMENSIONS:
        assert code in ISSUE_TYPES, code
        for lang in LANGUAGES:
            assert f"issue.{code}" in messages(lang), (code, lang)


# ------------------------------------------------------------------------------------------------ completeness


def test_missing_month_is_reported_in_the_matrix_and_costs_the_completeness_weight(tmp_path: Path) -> None:
    ws = build(tmp_path / "w", skip=[("LALABATA", 2)])
    report = check(ws)
    matrix = report.completeness.set_index(["kode_puskesmas", "bulan"])
    assert matrix.loc[(PKM_B, 2), "status"] == "tidak_ada"
    assert matrix.loc[(PKM_B, 2), "laporan_hilang"] == "pws_kia"
    assert matrix.loc[(PKM_B, 1), "status"] == "diterima"
    missing = found(report, "laporan_tidak_ada")
    assert list(zip(missing["kode_puskesmas"], missing["bulan"], strict=True)) == [(PKM_B, 2)]
    assert report.has_errors()
    scores = report.scores.set_index(["kode_puskesmas", "bulan"])
    assert scores.loc[(PKM_B, 2), "skor"] == 100 - QualitySettings().weight("kelengkapan")
    assert scores.loc[(PKM_A, 2), "skor"] == 100
    per_month = completeness_by_month(report.completeness).set_index("bulan")
    assert per_month.loc[2, "tidak_ada"] == 1 and per_month.loc[2, "persen_lengkap"] == 50.0
    assert per_month.loc[1, "persen_tepat_waktu"] == 100.0
    # the missing report's desa have no values that month: shown per indicator, not repeated per desa
    gaps = report.indicator_completeness.set_index(["indikator", "bulan", "kode_puskesmas"])
    assert gaps.loc[("K1", 2, PKM_B), "desa_dengan_nilai"] == 0
    assert found(report, "nilai_desa_kosong").empty


def test_late_report_uses_the_first_upload_and_the_deadline_setting(clean: Workspace) -> None:
    name = "PWS KIA MARIORIWAWO FEBRUARI 2025.xlsx"
    set_ingest_time(clean.root, name, datetime(2025, 3, 14, 2, 0, tzinfo=UTC))
    report = check(clean)
    late = found(report, "laporan_terlambat")
    assert list(zip(late["kode_puskesmas"], late["bulan"], late["nilai"], strict=True)) == [(PKM_A, 2, 4.0)]
    assert late["berkas"].iloc[0] == name
    status = report.completeness.set_index(["kode_puskesmas", "bulan"])["status"]
    assert status[(PKM_A, 2)] == "terlambat" and status[(PKM_A, 1)] == "diterima"
    # a deadline on the 15th makes it on time
    assert found(check(clean, settings=QualitySettings(deadline_day=15)), "laporan_terlambat").empty
    # uploading the same file again later does not make it late: the first upload is the report date
    set_ingest_time(clean.root, name, on_time(2))
    ingest(clean, [clean.laporan_dir / name])
    assert found(check(clean), "laporan_terlambat").empty


def test_a_monthly_family_missing_for_one_puskesmas_is_a_partial_report(clean: Workspace) -> None:
    files = [
        imunisasi(
            clean.laporan_dir / f"IMUNISASI_MARIORIWAWO_2025{m:02d}.xlsx",
            2025,
            m,
            {"Watu": (1, 1, 2), "Tellu Limpoe": (0, 1, 1), "Mattabulu": (1, 0, 1)},
        )  # fmt: skip
        for m in (1, 2, 3)
    ]
    ingest(clean, files)
    for m in (1, 2, 3):
        set_ingest_time(clean.root, f"IMUNISASI_MARIORIWAWO_2025{m:02d}.xlsx", on_time(m))
    report = check(clean)
    matrix = report.completeness.set_index(["kode_puskesmas", "bulan"])
    assert set(matrix.loc[PKM_A, "status"]) == {"diterima"}
    assert set(matrix.loc[PKM_B, "status"]) == {"sebagian"}
    assert set(matrix.loc[PKM_B, "laporan_hilang"]) == {"imunisasi"}
    partial = found(report, "laporan_sebagian")
    assert sorted(partial["bulan"]) == [1, 2, 3] and set(partial["kode_puskesmas"]) == {PKM_B}
    assert partial["poin"].iloc[0] == pytest.approx(QualitySettings().weight("kelengkapan") / 2)


def test_desa_missing_from_a_received_report_is_found(tmp_path: Path) -> None:
    ws = build(tmp_path / "w")
    # February's report of Marioriwawo again, without the Mattabulu row (a corrected upload replaces it)
    february = {k: v for k, v in CLEAN["MARIORIWAWO"].items() if k != "Mattabulu"}
    path = kia(ws.laporan_dir / "PWS KIA MARIORIWAWO FEBRUARI 2025 (2).xlsx", "MARIORIWAWO", 2025, 2, february)
    ingest(ws, [path])
    report = check(ws)
    gaps = found(report, "nilai_desa_kosong")
    assert list(zip(gaps["kode_desa"], gaps["bulan"], strict=True)) == [(MATTA, 2)]
    assert gaps["params"].iloc[0]["daftar"] == "K1, K4"
    share = report.indicator_completeness.set_index(["indikator", "bulan", "kode_puskesmas"])
    assert share.loc[("K1", 2, PKM_A), "desa_dengan_nilai"] == 2 and share.loc[("K1", 1, PKM_A), "persen"] == 100
    summary = report.indicator_summary().set_index("indikator")
    assert summary.loc["K1", "dengan_nilai"] == summary.loc["K1", "desa_bulan"] - 1


# ------------------------------------------------------------------------------------------------ consistency


def test_k4_above_k1_is_a_reversed_cascade_at_the_first_month_with_its_cell(tmp_path: Path) -> None:
    counts = {pkm: {d: dict(v) for d, v in per_desa.items()} for pkm, per_desa in CLEAN.items()}
    counts["MARIORIWAWO"]["Watu"] = {"K1": [5, 4, 6], "K4": [3, 4, 11]}  # cumulative K4 18 > K1 15 in March
    report = check(build(tmp_path / "w", counts=counts))
    cascade = found(report, "kaskade_terbalik")
    assert len(cascade) == 1, cascade[["pesan"]].to_string()
    row = cascade.iloc[0]
    assert (row["kode_desa"], row["indikator"], row["bulan"], row["nilai"], row["pembanding"]) == (
        WATU, "K4", 3, 18, 15,
    )  # fmt: skip
    assert (row["berkas"], row["sel"]) == ("PWS KIA MARIORIWAWO MARET 2025.xlsx", "I8")  # K4 BLN INI of Watu
    assert row["params"]["hulu"] == "K1" and row["params"]["dropout"] == -20
    assert "K4" in row["pesan"] and "K1" in row["pesan"] and "Watu" in row["pesan"]
    assert report.has_errors()
    # a tolerance of 3 persons keeps it silent
    assert found(
        check(Workspace(tmp_path / "w"), settings=QualitySettings(cascade_tolerance=3)), "kaskade_terbalik"
    ).empty


def test_monthly_cascade_and_negative_counts_on_tables() -> None:
    obs = obs_frame(
        [
            (2025, 1, WATU, "BALITA_S", "T", 50),
            (2025, 1, WATU, "BALITA_D", "T", 55),
            (2025, 2, WATU, "BALITA_S", "T", 50),
            (2025, 2, WATU, "BALITA_D", "T", 45),
            (2025, 2, TELLU, "TTD", "T", -2),
            (2025, 2, TELLU, "K1", "T", 3),
        ]
    )
    cascade = cascade_findings(obs, 2025, [1, 2], QualitySettings())
    assert [(f["kode_desa"], f["indikator"], f["bulan"]) for f in cascade] == [(WATU, "BALITA_D", 1)]
    negative = negative_findings(obs, 2025, [1, 2])
    assert [(f["kode_desa"], f["indikator"], f["nilai"]) for f in negative] == [(TELLU, "TTD", -2.0)]
    assert cascade_findings(obs[obs["bulan"] == 2], 2025, [2], QualitySettings()) == []


def test_count_above_sasaran_by_more_than_chance(tmp_path: Path) -> None:
    counts = {pkm: {d: dict(v) for d, v in per_desa.items()} for pkm, per_desa in CLEAN.items()}
    counts["MARIORIWAWO"]["Watu"] = {"K1": [25, 20, 15], "K4": [3, 4, 4]}  # 60 of sasaran 40: far beyond chance
    counts["MARIORIWAWO"]["Tellu Limpoe"] = {"K1": [20, 15, 10], "K4": [2, 3, 3]}  # 45 of 40: within chance
    ws = build(tmp_path / "w", counts=counts)
    over = found(check(ws), "melebihi_sasaran")
    assert list(zip(over["kode_desa"], over["indikator"], over["bulan"], strict=True)) == [(WATU, "K1", 3)]
    row = over.iloc[0]
    assert (row["nilai"], row["pembanding"], row["sel"]) == (60, 40, "E8")
    assert row["params"]["cakupan"] == 150  # shown as it is, never clamped at 100
    strict = found(check(ws, settings=QualitySettings(over_sasaran_z=0)), "melebihi_sasaran")
    assert set(strict["kode_desa"]) == {WATU, TELLU}
    assert strict.set_index("kode_desa").loc[TELLU, "bulan"] == 3


def test_checks_stored_at_ingest_come_with_file_sheet_cell_and_place(clean: Workspace) -> None:
    # March again, with a JUMLAH row: Watu's K1 KUMULATIF written 16 instead of 9 + 6 (F8, and its JUMLAH F11
    # follows), and the JUMLAH of K4 BLN INI written 10 instead of 4 + 3 + 2 (I11)
    march = clean.laporan_dir / "PWS KIA MARIORIWAWO MARET 2025.xlsx"
    kia(march, "MARIORIWAWO", 2025, 3, CLEAN["MARIORIWAWO"], {"F8": 16, "F11": 35, "I11": 10}, total_row=True)
    ingest(clean, [march])
    report = check(clean)
    kum = found(report, "kumulatif_tidak_sama")
    assert len(kum) == 1, report.findings[["kode", "sel", "pesan"]].to_string()
    row = kum.iloc[0]
    assert (row["asal"], row["berkas"], row["sheet"], row["sel"]) == ("etl", march.name, "MAR 2025", "F8")
    assert (row["kode_desa"], row["kode_puskesmas"], row["indikator"], row["bulan"]) == (WATU, PKM_A, "K1", 3)
    jumlah = found(report, "jumlah_tidak_sama")
    assert list(zip(jumlah["sel"], jumlah["kode_puskesmas"], jumlah["bulan"], strict=True)) == [("I11", PKM_A, 3)]
    assert jumlah["kode_desa"].isna().all()
    # the corrected report replaces the file: its stored problems are gone from the report
    fixed = kia(clean.laporan_dir / "PWS KIA MARIORIWAWO MARET 2025 benar.xlsx", "MARIORIWAWO", 2025, 3,
                CLEAN["MARIORIWAWO"], total_row=True)  # fmt: skip
    ingest(clean, [fixed])
    after = check(clean)
    assert found(after, "kumulatif_tidak_sama").empty and found(after, "jumlah_tidak_sama").empty


def test_sex_split_and_decreasing_snapshot_are_reported_once(clean: Workspace) -> None:
    imun = imunisasi(clean.laporan_dir / "IMUNISASI_MARIORIWAWO_202502.xlsx", 2025, 2,
                     {"Watu": (2, 1, 4), "Tellu Limpoe": (1, 1, 2), "Mattabulu": (0, 0, 0)})  # fmt: skip
    gizi = sigizi(clean.laporan_dir / "sigizi_2025.csv", [("WATU", 1, 4), ("WATU", 2, 9), ("WATU", 3, 7),
                                                           ("TELLU LIMPOE", 1, 2), ("TELLU LIMPOE", 2, 3),
                                                           ("TELLU LIMPOE", 3, 3)])  # fmt: skip
    ingest(clean, [imun, gizi])
    report = check(clean)
    sexes = found(report, "l_p_tidak_sama_jml")
    assert list(zip(sexes["kode_desa"], sexes["bulan"], sexes["asal"], strict=True)) == [(WATU, 2, "etl")]
    turun = found(report, "kumulatif_turun")
    assert list(zip(turun["kode_desa"], turun["indikator"], turun["bulan"], strict=True)) == [(WATU, "TTD", 3)]
    assert found(report, "nilai_negatif").empty  # the ETL's own finding for the same value is not repeated
    # the derived checks do find them on the stored values alone
    with Store.for_workspace(clean) as store:
        from pws.quality.inputs import read_observations

        obs = read_observations(store, 2023, 2025)
    assert [(f["kode_desa"], f["bulan"]) for f in sex_sum_findings(obs, 2025, [1, 2, 3])] == [(WATU, 2)]
    assert [(f["kode_desa"], f["indikator"]) for f in negative_findings(obs, 2025, [1, 2, 3])] == [(WATU, "TTD")]


# ------------------------------------------------------------------------------------------------ outliers


def obs_frame(rows: Iterable[tuple[int, int, str, str, str, float]]) -> pd.DataFrame:
    data = [
        {
            "tahun": y,
            "bulan": m,
            "kode_desa": d,
            "kode_puskesmas": PKM_A if d != BILA else PKM_B,
            "indikator": i,
            "jk": jk,
            "nilai": float(v),
            "sumber_file": "f.xlsx",
            "sumber_sheet": "S",
            "sumber_sel": f"B{m}",
            "berkas_id": 1,
            "keluarga": "pws_kia",
        }  # fmt: skip
        for y, m, d, i, jk, v in rows
    ]
    return pd.DataFrame(data, columns=OBS_COLUMNS)


def series_frame(values: Mapping[str, Sequence[float]], indikator: str = "K1", tahun: int = 2025) -> pd.DataFrame:
    return obs_frame(
        (tahun, m, desa, indikator, "T", v) for desa, series in values.items() for m, v in enumerate(series, start=1)
    )


BASE = {
    WATU: [20, 22, 19, 21, 20, 23, 18, 20, 22, 21, 19, 20],
    TELLU: [12, 11, 13, 12, 10, 12, 13, 11, 12, 12, 11, 13],
    MATTA: [8, 9, 7, 8, 8, 9, 7, 8, 9, 8, 7, 8],
    BILA: [30, 28, 31, 29, 30, 32, 29, 30, 31, 28, 30, 29],
}


def test_outlier_and_sudden_zero_fire_on_a_crafted_series_and_not_on_a_clean_one() -> None:
    catalogue = default_catalogue()
    months = list(range(1, 13))
    assert outlier_findings(series_frame(BASE), catalogue, 2025, months, QualitySettings()) == []
    spiked = {k: list(v) for k, v in BASE.items()}
    spiked[TELLU][6] = 120  # July: a typing error (an extra zero)
    spiked[WATU][9] = 0  # October: nothing reported for a desa that has about 20 a month
    out = outlier_findings(series_frame(spiked), catalogue, 2025, months, QualitySettings())
    assert sorted((f["kode"], f["kode_desa"], f["bulan"]) for f in out) == [
        ("nol_mendadak", WATU, 10), ("pencilan", TELLU, 7),
    ]  # fmt: skip
    spike = next(f for f in out if f["kode"] == "pencilan")
    assert spike["nilai"] == 120 and spike["pembanding"] == pytest.approx(12, abs=1.5)
    assert (spike["berkas"], spike["sel"]) == ("f.xlsx", "B7")
    # the classic z-score (mean and standard deviation) finds the spike too
    # (with 12 values a mean/SD z-score cannot exceed 11/√12 = 3.18: the spike inflates its own SD, so a lower
    # threshold is needed; the reason modified z is the default)
    classic = outlier_findings(series_frame(spiked), catalogue, 2025, months,
                               QualitySettings(outlier_method="z", outlier_threshold=3.0))  # fmt: skip
    assert ("pencilan", TELLU, 7) in {(f["kode"], f["kode_desa"], f["bulan"]) for f in classic}
    # a higher threshold, or a larger minimum difference, silences it
    assert not outlier_findings(series_frame(spiked), catalogue, 2025, months,
                                QualitySettings(outlier_threshold=100, sudden_zero_min_expected=50))  # fmt: skip


def test_a_month_that_moves_every_desa_is_no_outlier_anywhere() -> None:
    catalogue = default_catalogue()
    rush = {k: [v * 4 if m == 11 else v for m, v in enumerate(series)] for k, series in BASE.items()}  # December
    months = list(range(1, 13))
    assert outlier_findings(series_frame(rush), catalogue, 2025, months, QualitySettings()) == []
    unadjusted = outlier_findings(series_frame(rush), catalogue, 2025, months,
                                  QualitySettings(outlier_season_adjust=False))  # fmt: skip
    assert {(f["kode_desa"], f["bulan"]) for f in unadjusted} >= {(WATU, 12), (BILA, 12)}


def test_small_counts_varying_by_chance_are_not_outliers() -> None:
    rng = np.random.default_rng(7)
    values = {f"73.12.01.{2100 + i}": rng.poisson(2.0, 24).tolist() for i in range(200)}
    obs = pd.concat([series_frame({k: v[:12]}, tahun=2024) for k, v in values.items()]
                    + [series_frame({k: v[12:]}, tahun=2025) for k, v in values.items()])  # fmt: skip
    out = outlier_findings(obs, default_catalogue(), 2025, list(range(1, 13)), QualitySettings())
    assert len(out) <= 0.001 * 200 * 12  # the documented rate for Poisson noise: at most 0.1 % of values


# ------------------------------------------------------------------------------------------------ denominators


def sasaran_frame(rows: Mapping[tuple[int, str], tuple[float, float]]) -> pd.DataFrame:
    out = []
    for (year, kode), (pop, bumil) in rows.items():
        out.append((year, kode, "PENDUDUK", pop))
        if not math.isnan(bumil):
            out.append((year, kode, "BUMIL", bumil))
    return pd.DataFrame(out, columns=["tahun", "kode_desa", "jenis_sasaran", "jumlah"])


def denominator_codes(rows: Mapping[tuple[int, str], tuple[float, float]], **kw: Any) -> list[tuple[str, Any]]:
    found = denominator_findings(sasaran_frame(rows), default_catalogue(), 2025, QualitySettings(), **kw)
    return sorted((f["kode"], f["kode_desa"]) for f in found)


CLEAN_SASARAN = {(y, k): v for y in (2024, 2025) for k, v in SASARAN.items()}


def test_denominators_are_silent_when_they_follow_the_formula() -> None:
    assert denominator_codes(CLEAN_SASARAN) == []


def test_a_desa_sasaran_far_from_the_formula_is_found() -> None:
    rows = {**CLEAN_SASARAN, (2025, TELLU): (2200, 70)}
    assert denominator_codes(rows) == [("sasaran_beda_rumus", TELLU), ("sasaran_berubah_tajam", TELLU)]
    small = {**CLEAN_SASARAN, (2025, TELLU): (2200, 44)}  # 10 % off: within the tolerance
    assert denominator_codes(small) == []


def test_a_district_factor_other_than_the_formula_is_one_note_not_a_finding_per_desa() -> None:
    rows = {k: (pop, bumil * 1.5) for k, (pop, bumil) in CLEAN_SASARAN.items()}  # a local birth rate, everywhere
    assert denominator_codes(rows) == [("sasaran_faktor_kabupaten", None)]


def test_year_on_year_change_is_found_above_the_threshold() -> None:
    rows = {**CLEAN_SASARAN, **{(2025, k): (pop * 1.5, bumil * 1.5) for k, (pop, bumil) in SASARAN.items()}}
    codes = denominator_codes(rows)
    assert codes.count(("sasaran_berubah_tajam", WATU)) == 2  # PENDUDUK and BUMIL
    rows = {**CLEAN_SASARAN, **{(2025, k): (pop * 1.05, bumil * 1.05) for k, (pop, bumil) in SASARAN.items()}}
    assert denominator_codes(rows) == []


def test_kabupaten_figure_against_the_sum_of_desa() -> None:
    kab = pd.DataFrame({"tahun": [2025], "jenis_sasaran": ["BUMIL"], "jumlah": [200.0]})
    assert denominator_codes(CLEAN_SASARAN, kabupaten=kab) == [("sasaran_tidak_sama_kabupaten", None)]
    kab["jumlah"] = 162.0  # 160 in the desa: 1.2 % off
    assert denominator_codes(CLEAN_SASARAN, kabupaten=kab) == []


def test_desa_without_sasaran_and_the_kabupaten_file_through_the_workspace(clean: Workspace) -> None:
    write_sasaran(clean.root, {**CLEAN_SASARAN, (2025, BILA): (2200, float("nan"))})
    (clean.root / "sasaran_kabupaten.csv").write_text("tahun,jenis_sasaran,jumlah\n2025,BUMIL,250\n", "utf-8")
    report = check(clean)
    missing = found(report, "desa_tanpa_sasaran")
    assert list(zip(missing["kode_desa"], missing["asal"], missing["berkas"], strict=True)) == [
        (BILA, "workspace", "sasaran.csv"),
    ]  # fmt: skip
    assert missing["params"].iloc[0]["jenis"] == "BUMIL"
    kab = found(report, "sasaran_tidak_sama_kabupaten")
    assert list(zip(kab["nilai"], kab["pembanding"], strict=True)) == [(120.0, 250.0)]
    # the desa's puskesmas loses the denominator points in every month; the kabupaten finding costs nobody
    lost = report.scores.set_index(["kode_puskesmas", "bulan"])["hilang_penyebut"]
    assert (lost[PKM_B] > 0).all() and (lost[PKM_A] == 0).all()


# ------------------------------------------------------------------------------------------------ score


def test_score_caps_each_dimension_and_explains_what_cost_how_much() -> None:
    settings = QualitySettings()
    matrix = pd.DataFrame(
        {"kode_puskesmas": [PKM_A, PKM_A, PKM_B], "nama_puskesmas": ["A", "A", "B"], "tahun": 2025, "bulan": [1, 2, 1]}
    )
    records = [
        {"kode": "pencilan", "kode_puskesmas": PKM_A, "tahun": 2025, "bulan": 1},
        *[{"kode": "kaskade_terbalik", "kode_puskesmas": PKM_A, "tahun": 2025, "bulan": 1}] * 4,  # 40 > cap 25
        {"kode": "sasaran_beda_rumus", "kode_puskesmas": PKM_A, "tahun": 2025, "bulan": None},  # every month
        {"kode": "sasaran_faktor_kabupaten", "kode_puskesmas": None, "tahun": 2025, "bulan": None},  # nobody's
    ]
    frame = findings_frame([{**r, "params": {}, "asal": "periksa"} for r in records], WILAYAH, settings, "id")
    scores, detail = score_frames(frame, matrix, settings)
    by = scores.set_index(["kode_puskesmas", "bulan"])
    points = dict(settings.points)
    assert by.loc[(PKM_A, 1), "hilang_konsistensi"] == settings.weight("konsistensi")
    assert by.loc[(PKM_A, 1), "skor"] == pytest.approx(
        100 - settings.weight("konsistensi") - points["pencilan"] - points["sasaran_beda_rumus"]
    )
    assert by.loc[(PKM_A, 2), "skor"] == pytest.approx(100 - points["sasaran_beda_rumus"])
    assert by.loc[(PKM_B, 1), "skor"] == 100
    assert "kaskade_terbalik ×4" in by.loc[(PKM_A, 1), "rincian"]
    cascade = detail[(detail["kode"] == "kaskade_terbalik") & (detail["bulan"] == 1)].iloc[0]
    assert cascade["poin"] == 4 * points["kaskade_terbalik"] and cascade["poin_dihitung"] == 25


# ------------------------------------------------------------------------------------------------ the report


def test_report_as_json_text_and_for_one_puskesmas(tmp_path: Path) -> None:
    ws = build(tmp_path / "w", skip=[("LALABATA", 2)])
    report = check(ws)
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["ringkasan"]["error"] == 1 and len(data["temuan"]) == len(report.findings)
    assert set(data["temuan"][0]) == set(FINDING_COLUMNS)
    text = format_text(report)
    assert "Lalabata (P7312020201)" in text and "–" in text and "laporan_tidak_ada" in text
    only_a = check(ws, kode_puskesmas=PKM_A)
    assert set(only_a.completeness["kode_puskesmas"]) == {PKM_A} and only_a.findings.empty
    english = check(ws, lang="en")
    assert "No report from" in found(english, "laporan_tidak_ada")["pesan"].iloc[0]


# ------------------------------------------------------------------------------------------------ the demo


@pytest.fixture(scope="module")
def demo_reports(demo_store: Path) -> dict[int, QualityReport]:
    ws = Workspace(demo_store)
    return {year: check_workspace(ws, year, lang="id") for year in (2024, 2025)}


@pytest.fixture(scope="module")
def manifest(demo_store: Path) -> list[dict[str, Any]]:
    data = json.loads((demo_store / ".pws" / "demo" / "manifest.json").read_text(encoding="utf-8"))
    return list(data["masalah_sengaja"])


def _matches(findings: pd.DataFrame, problem: Mapping[str, Any]) -> pd.DataFrame:
    """The findings that report an injected problem: same kind, same place."""

    def where(code: str, **place: Any) -> pd.DataFrame:
        mask = findings["kode"] == code
        for column, value in place.items():
            mask &= findings[column].fillna("") == value if column == "sheet" else findings[column] == value
        return findings[mask]

    kind = problem["jenis"]
    if "cell" in problem:  # a problem the ETL finds in a file: file, sheet and cell
        return where(kind, berkas=problem["file"], sheet=problem["sheet"], sel=problem["cell"])
    if kind == "laporan_tidak_ada":
        return where(kind, kode_puskesmas=problem["kode_puskesmas"], bulan=problem["bulan"])
    if kind == "desa_tanpa_sasaran":
        same = where(kind, kode_desa=problem["kode_desa"])
        return same[[p.get("jenis") == problem["jenis_sasaran"] for p in same["params"]]]
    if kind == "pencilan":
        return where(kind, kode_desa=problem["kode_desa"], indikator=problem["indikator"], bulan=problem["bulan"])
    if kind == "k4_melebihi_k1":
        same = where("kaskade_terbalik", kode_desa=problem["kode_desa"], indikator="K4", bulan=problem["bulan"])
        return same[[p.get("hulu") == "K1" for p in same["params"]]]
    raise AssertionError(f"unknown injected problem {kind!r}")


def _year_of(problem: Mapping[str, Any]) -> int:
    if "tahun" in problem:
        return int(problem["tahun"])
    digits = "".join(ch for ch in str(problem.get("sheet", "")) + " " + str(problem["file"]) if ch.isdigit())
    for year in (2024, 2025):
        if str(year) in digits:
            return year
    raise AssertionError(f"no year in {problem}")


def test_every_problem_injected_in_the_demo_is_found(
    demo_reports: dict[int, QualityReport], manifest: list[dict[str, Any]]
) -> None:
    assert len(manifest) >= 10
    for problem in manifest:
        report = demo_reports[_year_of(problem)]
        assert len(_matches(report.findings, problem)) >= 1, problem
        if problem["jenis"] == "laporan_tidak_ada":
            matrix = report.completeness.set_index(["kode_puskesmas", "bulan"])
            assert matrix.loc[(problem["kode_puskesmas"], problem["bulan"]), "status"] == "tidak_ada"


#: documented in docs/quality.md, "False alarms on the demo": the most findings per check that the demo may
#: give beyond the injected problems and the patterns the generator put in on purpose, as a share of what the
#: check looked at (values, desa-year-sasaran groups, puskesmas-months)
FALSE_ALARM_RATES = {"pencilan": 0.0005, "nol_mendadak": 0.0005, "melebihi_sasaran": 0.01, "kaskade_terbalik": 0.0}


def test_the_demo_raises_no_false_alarms_above_the_documented_rates(
    demo_reports: dict[int, QualityReport], manifest: list[dict[str, Any]], demo_store: Path
) -> None:
    over_reporting = sorted(pd.read_csv(demo_store / "wilayah.csv")["kode_puskesmas"].unique())[3]  # truth.py
    for year, report in demo_reports.items():
        injected = [p for p in manifest if _year_of(p) == year]
        explained: set[int] = set()
        for problem in injected:
            explained |= set(_matches(report.findings, problem).index)
        spikes = [p for p in injected if p["jenis"] == "pencilan"]
        f = report.findings
        for i, row in f.iterrows():
            # consequences of an injected spike (its cumulative then exceeds the sasaran)
            if any(row["kode_desa"] == s["kode_desa"] and row["indikator"] == s["indikator"] for s in spikes):
                explained.add(int(i))
            # the puskesmas that reports more than its sasaran on purpose (truth.py: pkm_factor 1.35)
            if row["kode"] == "melebihi_sasaran" and row["kode_puskesmas"] == over_reporting:
                explained.add(int(i))
        rest = f.drop(index=list(explained))
        # what no check should say about clean data at all
        never = ["laporan_tidak_ada", "laporan_sebagian", "nilai_desa_kosong", "sasaran_beda_rumus",
                 "sasaran_berubah_tajam", "nilai_negatif"]  # fmt: skip
        assert rest[rest["kode"].isin(never)].empty, rest[rest["kode"].isin(never)]["pesan"].tolist()
        values = report.checked_values
        groups = 120 * 15
        for code, rate in FALSE_ALARM_RATES.items():
            base = groups if code == "melebihi_sasaran" else values
            assert (rest["kode"] == code).sum() <= rate * base, (year, code, (rest["kode"] == code).sum())
        # the demo was ingested at once, long after every deadline: every received report is late (documented)
        received = report.completeness["status"].isin(["diterima", "terlambat"])
        assert (report.completeness.loc[received, "status"] == "terlambat").all()


def test_the_demo_report_takes_a_few_seconds(demo_store: Path) -> None:
    import time

    start = time.perf_counter()
    check_workspace(Workspace(demo_store), 2025)
    assert time.perf_counter() - start < 30  # a few seconds on a laptop; generous for a shared CI machine


def test_the_check_never_writes_to_the_store(demo_store: Path, tmp_path: Path) -> None:
    root = tmp_path / "salinan"
    shutil.copytree(demo_store, root, ignore=shutil.ignore_patterns("arsip", "cache"))
    with Store.for_workspace(Workspace(root)) as store:
        before = (store.version(), len(store.problems()), len(store.files()))
    check_workspace(Workspace(root), 2025, bulan=2)
    with Store.for_workspace(Workspace(root)) as store:
        assert (store.version(), len(store.problems()), len(store.files())) == before
