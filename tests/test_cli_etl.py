"""``pws tidy`` and ``pws ingest`` as a user runs them: summaries, problems on stderr, exit codes, idempotence."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from test_etl_golden import WILAYAH, imunisasi, pws_kia

from pws.cli import main
from pws.config import Workspace
from pws.etl.store import Store


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    WILAYAH.to_csv(tmp_path / "wilayah.csv", index=False)
    laporan = tmp_path / "laporan"
    laporan.mkdir()
    pws_kia(laporan / "PWS KIA MARIORIWAWO NOP 2024.xlsx")
    imunisasi(laporan / "IMUNISASI_MARIORIWAWO_202503.xlsx")
    return tmp_path


def test_tidy_is_a_dry_run_that_writes_the_tidy_csv(workspace: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "rapi.csv"
    code = main(["tidy", str(workspace / "laporan"), "--wilayah", str(workspace / "wilayah.csv"), "-o", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "PWS KIA MARIORIWAWO NOP 2024.xlsx: pws_kia, puskesmas P7312010201, periode 2024-11, 3 baris" in printed
    tidy = pd.read_csv(out)
    assert len(tidy) == 3 + 9
    assert not (workspace / ".pws").exists()  # nothing stored


def test_tidy_names_file_sheet_and_cell_of_problems_and_exits_1(workspace: Path, capsys) -> None:
    bad = workspace / "laporan" / "rusak.xlsx"
    bad.write_bytes(b"PK\x03\x04 rusak")
    code = main(["tidy", str(workspace / "laporan"), "--wilayah", str(workspace / "wilayah.csv"), "--json"])
    assert code == 1
    problems = json.loads(capsys.readouterr().out.split("\n", 3)[-1])
    broken = [p for p in problems if p["berkas"] == "rusak.xlsx"]
    assert broken and broken[0]["kode"] == "berkas_tidak_terbaca"


def test_tidy_of_nothing_readable_exits_2(tmp_path: Path, workspace: Path) -> None:
    (tmp_path / "x.csv").write_text("", encoding="utf-8")
    assert main(["tidy", str(tmp_path / "x.csv"), "--wilayah", str(workspace / "wilayah.csv")]) == 2


def test_ingest_stores_then_reingest_changes_nothing(workspace: Path, capsys) -> None:
    args = ["ingest", str(workspace / "laporan"), "--workspace", str(workspace)]
    assert main(args) == 0
    assert "[baru]" in capsys.readouterr().out
    with Store.for_workspace(Workspace(workspace)) as store:
        first = store.observations()
    assert len(first) == 12
    assert main(args) == 0
    assert capsys.readouterr().out.count("[sama]") == 2
    with Store.for_workspace(Workspace(workspace)) as store:
        pd.testing.assert_frame_equal(store.observations(), first)
        assert len(store.files()) == 4  # every attempt is logged
    archived = list((workspace / ".pws" / "arsip").rglob("*.xlsx"))
    assert len(archived) == 2  # raw files kept by content hash


def test_corrected_report_replaces_the_earlier_values(workspace: Path, capsys) -> None:
    from openpyxl import load_workbook

    path = workspace / "laporan" / "PWS KIA MARIORIWAWO NOP 2024.xlsx"
    assert main(["ingest", str(path), "--workspace", str(workspace)]) == 0
    wb = load_workbook(path)
    wb.active["E9"] = 4
    wb.active["F9"] = 24
    wb.active["E13"] = 7
    wb.active["F13"] = 49
    wb.save(path)
    assert main(["ingest", str(path), "--workspace", str(workspace)]) == 0
    assert "[ganti]" in capsys.readouterr().out
    with Store.for_workspace(Workspace(workspace)) as store:
        obs = store.observations(indikator="K4")
    assert obs.set_index("kode_desa").loc["73.12.01.2001", "nilai"] == 4
    assert len(obs) == 3


def test_ingest_without_master_list_exits_2(tmp_path: Path) -> None:
    assert main(["ingest", str(tmp_path), "--workspace", str(tmp_path)]) == 2


def test_status_prints_the_contract_table_from_stored_reports(workspace: Path, tmp_path: Path, capsys) -> None:
    (workspace / "sasaran.csv").write_text(
        "tahun,kode_desa,jenis_sasaran,jumlah\n2024,73.12.01.2001,BUMIL,40\n2024,73.12.01.2002,BUMIL,30\n"
        "2024,73.12.01.1003,BUMIL,25\n2024,73.12.02.2001,BUMIL,20\n",
        encoding="utf-8",
    )
    assert main(["ingest", str(workspace / "laporan"), "--workspace", str(workspace)]) == 0
    capsys.readouterr()
    out = tmp_path / "status.csv"
    args = ["status", "--tahun", "2024", "--bulan", "11", "--indikator", "k4", "--workspace", str(workspace)]
    assert main([*args, "-o", str(out)]) == 0
    table = pd.read_csv(out).set_index("kode_desa")
    assert list(table.reset_index().columns) == [
        "kode_desa", "nama_desa", "sasaran", "kumulatif", "cakupan_kumulatif", "target_sd_bulan",
        "cakupan_bulan_ini", "cakupan_bulan_lalu", "tren", "posisi", "status", "kesenjangan",
    ]  # fmt: skip
    assert table.loc["73.12.01.2001", "cakupan_kumulatif"] == pytest.approx(100 * 3 / 40)
    assert table.loc["73.12.01.2001", "target_sd_bulan"] == pytest.approx(95 * 11 / 12)
    assert table.loc["73.12.01.2001", "posisi"] == "bawah"
    assert table.loc["73.12.02.2001", "status"] == "NO_DATA"  # another puskesmas' desa, no report
    assert main(args) == 0
    assert "Watu" in capsys.readouterr().out
    assert main([*args[:-4], "--indikator", "ZZZ", "--workspace", str(workspace)]) == 2
