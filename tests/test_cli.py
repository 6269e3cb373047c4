"""The ``pws`` command: Indonesian help, exit codes of contracts §4, problems on stderr with their place."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pws.cli import main
from pws.demo import DemoSummary


def test_help_is_indonesian(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "Penggunaan:" in out and "perintah" in out and "demo" in out
    assert main(["demo", "--help"]) == 0
    sub = capsys.readouterr().out
    assert "kabupaten demo" in sub
    assert sub.startswith("Penggunaan: pws demo ")  # the prefix once, not repeated in the sub-command's name


def test_python_dash_m_pws_works() -> None:
    out = subprocess.run([sys.executable, "-m", "pws", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "Penggunaan:" in out.stdout


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tidak-ada-perintah"]) == 2
    assert main([]) == 2


def test_demo_refuses_to_overwrite_a_workspace(demo: DemoSummary, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--workspace", str(demo.root)]) == 2
    assert "--force" in capsys.readouterr().err


def test_cek_on_the_demo_reports_only_the_injected_problems(demo: DemoSummary, capsys) -> None:
    # the demo's master list, sasaran and boundaries are clean but for one planted sasaran gap (a warning); its
    # jejaring.csv has three planted problems, two of them rows that cannot be used (errors): exit code 1
    assert main(["cek", "--workspace", str(demo.root)]) == 1
    captured = capsys.readouterr()
    assert "HT_EST" in captured.err and "[warning]" in captured.err
    assert "120 desa, 10 puskesmas" in captured.out
    lines = [line for line in captured.err.splitlines() if line.startswith("[")]
    planted = {f"berkas jejaring.csv, baris {m['row']}" for m in demo.mess_jejaring}
    assert len(lines) == 1 + len(planted) == 4
    assert {line.split(": ")[0].split("] ")[1] for line in lines if "jejaring.csv" in line} == planted


def test_cek_names_file_and_row_of_errors_and_exits_1(tmp_path: Path, capsys) -> None:
    (tmp_path / "wilayah.csv").write_text(
        "kode_desa,nama_desa,kode_kecamatan,nama_kecamatan,kode_puskesmas,nama_puskesmas\n"
        "73.12.01.2001,Watu,73.12.01,Marioriwawo,P7312010201,Marioriwawo\n"
        "73.12.01.20X2,Rusak,73.12.01,Marioriwawo,P7312010201,Marioriwawo\n",
        encoding="utf-8",
    )
    assert main(["cek", "--workspace", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "berkas wilayah.csv, baris 3" in err and "73.12.01.20X2" in err


def test_cek_without_master_list_exits_2(tmp_path: Path) -> None:
    assert main(["cek", "--workspace", str(tmp_path)]) == 2
