"""Workspace loaders: every problem of the master list, sasaran and targets becomes a record with its place."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pws.catalogue import default_catalogue
from pws.config import Workspace
from pws.issues import Issue
from pws.workspace import load_sasaran, load_target, load_wilayah, load_workspace

HEADER = "kode_desa,nama_desa,kode_kecamatan,nama_kecamatan,kode_puskesmas,nama_puskesmas,jenis,alias\n"
GOOD_ROWS = [
    "73.12.01.2001,Watu,73.12.01,Marioriwawo,P7312010201,Marioriwawo,desa,",
    "7312012002,Tellu Limpoe,731201,Marioriwawo,P7312010201,Marioriwawo,desa,Telu Limpoe;Tellulimpoe",
    "73.12.02.1001,Bila,73.12.02,Lalabata,P7312020201,Lalabata,kelurahan,",
]


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def codes(issues: list[Issue]) -> list[str]:
    return [i.code for i in issues]


def only(issues: list[Issue], code: str) -> Issue:
    found = [i for i in issues if i.code == code]
    assert len(found) == 1, f"expected one {code}, got {codes(issues)}"
    return found[0]


def test_good_master_list_loads_with_canonical_codes_and_no_issues(tmp_path: Path) -> None:
    wilayah, issues = load_wilayah(write(tmp_path, "wilayah.csv", HEADER + "\n".join(GOOD_ROWS)))
    assert issues == []
    assert list(wilayah["kode_desa"]) == ["73.12.01.2001", "73.12.01.2002", "73.12.02.1001"]
    assert list(wilayah["kode_kecamatan"]) == ["73.12.01", "73.12.01", "73.12.02"]
    assert wilayah.loc[1, "alias"] == "Telu Limpoe;Tellulimpoe"


def test_semicolon_csv_in_windows_encoding_and_xlsx_are_read(tmp_path: Path) -> None:
    frame = pd.read_csv(write(tmp_path, "w.csv", HEADER + "\n".join(GOOD_ROWS)), dtype=str)
    frame.loc[0, "nama_desa"] = "Watu Élok"
    frame.to_csv(tmp_path / "wilayah.csv", sep=";", index=False, encoding="cp1252")
    wilayah, issues = load_wilayah(tmp_path / "wilayah.csv")
    assert issues == [] and len(wilayah) == 3
    assert wilayah.loc[0, "nama_desa"] == "Watu Élok"
    assert wilayah.loc[1, "alias"] == "Telu Limpoe;Tellulimpoe"
    frame.to_excel(tmp_path / "wilayah.xlsx", index=False)
    from_xlsx, issues = load_wilayah(tmp_path / "wilayah.xlsx")
    assert issues == [] and list(from_xlsx["kode_desa"]) == [
        "73.12.01.2001",
        "73.12.01.2002",
        "73.12.02.1001",
    ]


@pytest.mark.parametrize(
    ("row", "code", "spreadsheet_row"),
    [
        (",Tanpa Kode,73.12.01,Marioriwawo,P7312010201,Marioriwawo,desa,", "kode_desa_kosong", 5),
        (
            "73.12.01.20X1,Rusak,73.12.01,Marioriwawo,P7312010201,Marioriwawo,desa,",
            "kode_desa_tidak_valid",
            5,
        ),
        ("73.12.01.2001,Watu Lagi,73.12.01,Marioriwawo,P7312010201,Marioriwawo,desa,", "kode_desa_ganda", 5),
        ("73.12.01.2001,Watu,73.12.01,Marioriwawo,P7312020201,Lalabata,desa,", "desa_dua_puskesmas", 5),
        ("73.12.01.2009,,73.12.01,Marioriwawo,P7312010201,Marioriwawo,desa,", "nama_desa_kosong", 5),
        ("73.12.01.2009,Tanpa Pkm,73.12.01,Marioriwawo,,,desa,", "puskesmas_kosong", 5),
        (
            "73.12.01.2009,Salah Kec,73.12.02,Lalabata,P7312010201,Marioriwawo,desa,",
            "kode_desa_beda_kecamatan",
            5,
        ),
        (
            "73.12.01.2009,Salah Jenis,73.12.01,Marioriwawo,P7312010201,Marioriwawo,kelurahan,",
            "jenis_desa_tidak_cocok",
            5,
        ),
    ],
)
def test_each_master_list_problem_is_reported_with_file_and_row(
    tmp_path: Path, row: str, code: str, spreadsheet_row: int
) -> None:
    path = write(tmp_path, "wilayah.csv", HEADER + "\n".join([*GOOD_ROWS, row]))
    wilayah, issues = load_wilayah(path)
    found = only(issues, code)
    assert (found.file, found.row) == ("wilayah.csv", spreadsheet_row)
    assert found.message()  # renders in Indonesian without a missing parameter
    assert found.message("en")
    # bad rows never replace good ones
    assert "73.12.01.2001" in set(wilayah["kode_desa"])


def test_desa_assigned_to_two_puskesmas_keeps_the_first_and_names_both(tmp_path: Path) -> None:
    row = "73.12.01.2001,Watu,73.12.01,Marioriwawo,P7312020201,Lalabata,desa,"
    wilayah, issues = load_wilayah(write(tmp_path, "wilayah.csv", HEADER + "\n".join([*GOOD_ROWS, row])))
    found = only(issues, "desa_dua_puskesmas")
    assert "P7312010201" in found.message() and "P7312020201" in found.message()
    assert wilayah.set_index("kode_desa").loc["73.12.01.2001", "kode_puskesmas"] == "P7312010201"


def test_twin_names_in_one_kecamatan_are_a_warning_not_a_failure(tmp_path: Path) -> None:
    rows = [
        *GOOD_ROWS,
        "73.12.01.1006,Inobonto,73.12.01,Marioriwawo,P7312010201,Marioriwawo,kelurahan,",
        "73.12.01.2014,INOBONTO,73.12.01,Marioriwawo,P7312010201,Marioriwawo,desa,",
    ]
    wilayah, issues = load_wilayah(write(tmp_path, "wilayah.csv", HEADER + "\n".join(rows)))
    found = only(issues, "nama_desa_kembar")
    assert found.severity == "warning"
    assert "73.12.01.1006" in found.message() and "73.12.01.2014" in found.message()
    assert len(wilayah) == 5


def test_missing_columns_and_missing_or_unreadable_files(tmp_path: Path) -> None:
    _, issues = load_wilayah(write(tmp_path, "wilayah.csv", "kode,nama\n1,2\n"))
    assert "kode_desa" in only(issues, "kolom_wajib_hilang").message()
    _, issues = load_wilayah(tmp_path / "tidak_ada.csv")
    assert codes(issues) == ["berkas_tidak_ada"]
    (tmp_path / "rusak.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    _, issues = load_wilayah(tmp_path / "rusak.xlsx")
    assert codes(issues) == ["berkas_tidak_terbaca"]


@pytest.fixture
def wilayah(tmp_path: Path) -> pd.DataFrame:
    frame, issues = load_wilayah(write(tmp_path, "wilayah.csv", HEADER + "\n".join(GOOD_ROWS)))
    assert issues == []
    return frame


KNOWN = list(default_catalogue().sasaran_types)


def test_sasaran_long_and_wide_forms_give_the_same_table(tmp_path: Path, wilayah: pd.DataFrame) -> None:
    long_text = "tahun,kode_desa,jenis_sasaran,jumlah\n" + "\n".join(
        f"2025,{k},{j},{v}"
        for k, b, n in [
            ("73.12.01.2001", 40, 38),
            ("73.12.01.2002", 12, 11),
            ("73.12.02.1001", "1.204", "1.150"),
        ]
        for j, v in (("BUMIL", b), ("BULIN", n))
    )
    wide_text = (
        "tahun,kode_desa,BUMIL,BULIN\n2025,7312012001,40,38\n2025,73.12.01.2002,12,11\n2025,73.12.02.1001,1204,1150\n"
    )
    long, issues_long = load_sasaran(write(tmp_path, "long.csv", long_text), wilayah, KNOWN)
    wide, issues_wide = load_sasaran(write(tmp_path, "wide.csv", wide_text), wilayah, KNOWN)
    assert issues_long == [] and issues_wide == []
    key = ["tahun", "kode_desa", "jenis_sasaran"]
    pd.testing.assert_frame_equal(
        long.sort_values(key).reset_index(drop=True), wide.sort_values(key).reset_index(drop=True)
    )
    assert long.set_index(key).loc[(2025, "73.12.02.1001", "BUMIL"), "jumlah"] == 1204


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("2025,73.12.09.2001,BUMIL,10", "sasaran_desa_tidak_dikenal"),
        ("2025,73.12.01.2001,IBU_MENYUSUI,10", "sasaran_jenis_tidak_dikenal"),
        ("2025,73.12.01.2001,BULIN,-4", "angka_negatif"),
        ("2025,73.12.01.2001,BULIN,", "angka_kosong"),
        ("2025,73.12.01.2001,BULIN,sepuluh", "angka_tidak_valid"),
        ("20x5,73.12.01.2001,BULIN,10", "tahun_tidak_valid"),
        ("2025,73.12.01.2001,BUMIL,41", "sasaran_ganda"),
        ("2025,bukan-kode,BULIN,10", "kode_desa_tidak_valid"),
    ],
)
def test_each_sasaran_problem_is_reported(tmp_path: Path, wilayah: pd.DataFrame, line: str, code: str) -> None:
    text = "tahun,kode_desa,jenis_sasaran,jumlah\n2025,73.12.01.2001,BUMIL,40\n" + line + "\n"
    sasaran, issues = load_sasaran(write(tmp_path, "sasaran.csv", text), wilayah, KNOWN)
    found = only(issues, code)
    assert (found.file, found.row) == ("sasaran.csv", 3)
    assert found.message() and found.message("en")
    assert (sasaran["jumlah"] >= 0).all()


def test_desa_without_sasaran_are_listed(tmp_path: Path, wilayah: pd.DataFrame) -> None:
    text = "tahun,kode_desa,BUMIL\n2025,73.12.01.2001,40\n2025,73.12.01.2002,12\n"
    _, issues = load_sasaran(write(tmp_path, "sasaran.csv", text), wilayah, KNOWN)
    found = only(issues, "desa_tanpa_sasaran")
    assert "73.12.02.1001" in found.message()


def test_unknown_wide_column_is_reported_on_the_header_row(tmp_path: Path, wilayah: pd.DataFrame) -> None:
    text = "tahun,kode_desa,BUMIL,IBU_MENYUSUI\n2025,73.12.01.2001,40,3\n"
    sasaran, issues = load_sasaran(write(tmp_path, "sasaran.csv", text), wilayah, KNOWN)
    assert only(issues, "sasaran_jenis_tidak_dikenal").row == 1
    assert set(sasaran["jenis_sasaran"]) == {"BUMIL"}


def test_targets_override_with_local_scope_and_bad_rows_reported(tmp_path: Path, wilayah: pd.DataFrame) -> None:
    text = (
        "tahun,indikator,target,kode_puskesmas,kode_desa\n"
        "2025,K4,95,,\n"
        "2025,k6,82,P7312010201,\n"
        '2025,IDL,"92,5",,7312012001\n'
        "2025,XYZ,90,,\n"
        "2025,K1,120,,\n"
        "2025,K1,90,P0000000000,\n"
        "2025,K1,-5,,\n"
    )
    target, issues = load_target(write(tmp_path, "target.csv", text), default_catalogue(), wilayah)
    assert list(target["indikator"]) == ["K4", "K6", "IDL", "K1"]
    assert target.iloc[2]["target"] == 92.5 and target.iloc[2]["kode_desa"] == "73.12.01.2001"
    assert {(i.code, i.row) for i in issues} == {
        ("target_indikator_tidak_dikenal", 5),
        ("target_di_luar_rentang", 6),
        ("target_wilayah_tidak_dikenal", 7),
        ("angka_negatif", 8),
    }


def test_load_workspace_collects_everything(tmp_path: Path) -> None:
    write(tmp_path, "wilayah.csv", HEADER + "\n".join(GOOD_ROWS))
    write(tmp_path, "sasaran.csv", "tahun,kode_desa,jenis_sasaran,jumlah\n2025,73.12.01.2001,BUMIL,40\n")
    write(tmp_path, "target.csv", "tahun,indikator,target\n2025,K4,95\n")
    data = load_workspace(Workspace(tmp_path))
    assert len(data.wilayah) == 3 and len(data.sasaran) == 1 and len(data.target) == 1
    assert {i.code for i in data.issues} == {"desa_tanpa_sasaran"}
