"""``pws periksa`` as a user runs it: the report in text and JSON, and the exit codes (0 no errors, 1 findings of
severity error, 2 usage)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_quality import PKM_A, PKM_B, build

from pws.cli import main


@pytest.fixture
def missing_one(tmp_path: Path) -> Path:
    """Both puskesmas report January to March, except Lalabata in February."""
    return build(tmp_path / "ws", skip=[("LALABATA", 2)]).root


def test_help_is_indonesian(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["periksa", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Penggunaan: pws periksa ") and "kualitas data" in out and "--puskesmas" in out
    assert main(["--help"]) == 0
    assert "periksa" in capsys.readouterr().out


def test_clean_workspace_prints_the_grid_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = build(tmp_path / "ws").root
    assert main(["periksa", "--workspace", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Januari–Maret 2025" in out
    grid = [line for line in out.splitlines() if f"({PKM_A})" in line or f"({PKM_B})" in line]
    assert len(grid) == 2 * 2  # one grid row and one score row per puskesmas
    assert grid[0].split()[-3:] == ["✓", "✓", "✓"]
    assert "Temuan: 0" in out


def test_missing_report_is_an_error_shown_in_the_grid(missing_one: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["periksa", "--workspace", str(missing_one), "--tahun", "2025"]) == 1
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("Lalabata") and line.rstrip().endswith("✓"))
    assert row.split()[-3:] == ["✓", "–", "✓"]
    assert "[error] laporan_tidak_ada" in out and "Februari 2025" in out
    # checking January only: nothing is missing yet
    assert main(["periksa", "--workspace", str(missing_one), "--bulan", "1"]) == 0
    # the other puskesmas alone has no errors
    assert main(["periksa", "--workspace", str(missing_one), "--puskesmas", PKM_A]) == 0


def test_json_has_every_part_of_the_report(missing_one: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["periksa", "--workspace", str(missing_one), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {"kelengkapan", "kelengkapan_per_bulan", "kelengkapan_indikator", "skor", "skor_puskesmas", "temuan"} <= set(
        data
    )
    assert data["bulan"] == [1, 2, 3]
    missing = [f for f in data["temuan"] if f["kode"] == "laporan_tidak_ada"]
    assert [(f["kode_puskesmas"], f["bulan"], f["tingkat"]) for f in missing] == [(PKM_B, 2, "error")]
    cells = {(c["kode_puskesmas"], c["bulan"]): c["status"] for c in data["kelengkapan"]}
    assert cells[(PKM_B, 2)] == "tidak_ada" and cells[(PKM_A, 2)] == "diterima"


def test_findings_name_file_sheet_and_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from test_quality import CLEAN

    counts = {pkm: {d: dict(v) for d, v in per_desa.items()} for pkm, per_desa in CLEAN.items()}
    counts["MARIORIWAWO"]["Watu"] = {"K1": [5, 4, 6], "K4": [3, 4, 11]}
    root = build(tmp_path / "ws", counts=counts).root
    assert main(["periksa", "--workspace", str(root)]) == 1
    out = capsys.readouterr().out
    assert "[error] kaskade_terbalik" in out
    assert "PWS KIA MARIORIWAWO MARET 2025.xlsx!MAR 2025!I8:" in out


def test_usage_errors_exit_2(missing_one: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["periksa", "--workspace", str(tmp_path / "kosong")]) == 2  # no wilayah.csv
    assert main(["periksa", "--workspace", str(missing_one), "--bulan", "13"]) == 2
    assert main(["periksa", "--workspace", str(missing_one), "--puskesmas", "P0000"]) == 2
    assert "P0000" in capsys.readouterr().err
    assert main(["periksa", "--workspace", str(missing_one), "--tahun", "2019"]) == 2  # no data that year
    assert main(["periksa", "--workspace", str(missing_one), "--bulan", "x"]) == 2
