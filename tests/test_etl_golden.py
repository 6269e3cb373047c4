"""Golden tests: one small workbook per report family, written by this test in the way real ones look, with the
tidy table it must give (tests/golden/<family>.csv). Also table-driven cases named by Excel address."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from pws.catalogue import default_catalogue
from pws.etl import Tidier
from pws.etl.model import TIDY_COLUMNS

GOLDEN = Path(__file__).parent / "golden"

WILAYAH = pd.DataFrame(
    [
        ("73.12.01.2001", "Watu", "73.12.01", "Marioriwawo", "P7312010201", "Marioriwawo", "desa", ""),
        ("73.12.01.2002", "Tellu Limpoe", "73.12.01", "Marioriwawo", "P7312010201", "Marioriwawo", "desa",
         "Telu Limpoe"),
        ("73.12.01.1003", "Mattabulu", "73.12.01", "Marioriwawo", "P7312010201", "Marioriwawo", "kelurahan", ""),
        ("73.12.02.2001", "Bila", "73.12.02", "Lalabata", "P7312020201", "Lalabata", "desa", ""),
    ],
    columns=["kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan", "kode_puskesmas", "nama_puskesmas",
             "jenis", "alias"],
)  # fmt: skip


def put(ws, cells: dict[str, object], merges: tuple[str, ...] = ()) -> None:  # type: ignore[no-untyped-def]
    for address, value in cells.items():
        ws[address] = value
    for rng in merges:
        ws.merge_cells(rng)


def pws_kia(path: Path) -> None:
    """Layout A: 3 merged header rows, a column-number row, '-' for zero, a text number, LUAR WILAYAH, JUMLAH."""
    wb = Workbook()
    ws = wb.active
    put(ws, {"A1": "PWS KIA", "A2": "PUSKESMAS : MARIORIWAWO", "A3": "BULAN : NOPEMBER  TAHUN : 2024",
             "A5": "NO", "B5": "DESA", "C5": "SASARAN", "C6": "BUMIL", "D5": "K-4", "D6": "BLN LALU",
             "E6": "BLN INI", "F6": "KUMULATIF", "F7": "ABS", "G7": "%",
             "A8": 1, "B8": 2, "C8": 3, "D8": 4, "E8": 5, "F8": 6, "G8": 7,
             "A9": 1, "B9": "DS. WATU", "C9": 40, "D9": 20, "E9": 3, "F9": 23, "G9": 57.5,
             "A10": 2, "B10": "Telu Limpoe", "C10": 30, "D10": "12", "E10": "-", "F10": 12, "G10": 40,
             "A11": 3, "B11": "Kel. Mattabulu", "C11": 25, "D11": 9, "E11": 2, "F11": 11, "G11": 44,
             "B12": "LUAR WILAYAH", "D12": 1, "E12": 1, "F12": 2,
             "B13": "JUMLAH", "C13": 95, "D13": 42, "E13": 6, "F13": 48, "G13": 50.5,
             "B15": "Mengetahui, Kepala Puskesmas"},
        ("A5:A7", "B5:B7", "D5:G5", "D6:D7", "E6:E7", "F6:G6", "C6:C7"))  # fmt: skip
    wb.save(path)


def imunisasi(path: Path) -> None:
    """Layout I: antigen x BULAN INI / KUMULATIF x L / P / JML; month only in the file name."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Imunisasi"
    put(ws, {"A1": "LAPORAN HASIL IMUNISASI RUTIN BAYI", "A2": "PUSKESMAS : MARIORIWAWO", "A3": "TAHUN : 2025",
             "A5": "NO", "B5": "DESA", "C5": "DPT/HB/HIB 1", "C6": "BULAN INI", "F6": "KUMULATIF",
             "C7": "L", "D7": "P", "E7": "JML", "F7": "L", "G7": "P", "H7": "JML",
             "A8": 1, "B8": "Watu", "C8": 2, "D8": 1, "E8": 3, "F8": 5, "G8": 4, "H8": 9,
             "A9": 2, "B9": "Tellu Limpoe", "C9": 0, "D9": 2, "E9": 2, "F9": 1, "G9": 3, "H9": 4,
             "A10": 3, "B10": "Mattabulu", "C10": 1, "D10": 0, "E10": 1, "F10": 1, "G10": 0, "H10": 1,
             "B11": "JUMLAH", "C11": 3, "D11": 3, "E11": 6},
        ("A5:A7", "B5:B7", "C5:H5", "C6:E6", "F6:H6"))  # fmt: skip
    wb.save(path)


def rekap_tahunan(path: Path) -> None:
    """Desa x month grid, one sheet per indicator named after it; months to come left blank."""
    wb = Workbook()
    ws = wb.active
    ws.title = "SHK"
    put(ws, {"A1": "REKAPITULASI SHK PER DESA", "A2": "PUSKESMAS MARIORIWAWO TAHUN 2025",
             "A4": "NO", "B4": "NAMA DESA", "C4": "JAN", "D4": "FEB", "E4": "MAR", "F4": "JUMLAH",
             "A5": 1, "B5": "Watu", "C5": 1, "D5": None, "E5": None, "F5": 1,
             "A6": 2, "B6": "Tellu Limpoe", "C6": 0, "D6": 2, "E6": None, "F6": 2,
             "A7": 3, "B7": "Mattabulu", "C7": 3, "D7": 1, "E7": None, "F7": 4,
             "B8": "JUMLAH", "C8": 4, "D8": 3})  # fmt: skip
    wb.save(path)


def sigizi(path: Path) -> None:
    """Layout C: long CSV with ';', cumulative snapshot column, a duplicate with an older input time."""
    rows = [
        "Tahun;Puskesmas;Kelurahan/Desa;Bulan;Waktu Input;Jumlah balita ditimbang (D);"
        "Jumlah ibu hamil mendapat TTD minimal 180 tablet s/d bulan ini",
        "2025;MARIORIWAWO;WATU;Januari;2025-02-03 10:00;30;4",
        "2025;MARIORIWAWO;WATU;Februari;2025-03-03 10:00;28;9",
        "2025;MARIORIWAWO;WATU;Februari;2025-03-01 10:00;99;99",
        "2025;MARIORIWAWO;TELLU LIMPOE;Januari;2025-02-03 10:00;20;2",
        "2025;MARIORIWAWO;TELLU LIMPOE;Februari;2025-03-03 10:00;21;2",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def spm(path: Path) -> None:
    """Layout F: months down, desa across, PKM INDUK / LUAR WILAYAH / JUMLAH columns."""
    wb = Workbook()
    ws = wb.active
    ws.title = "SPM 7 LANSIA"
    put(ws, {"A1": "REKAP PELAYANAN SKRINING USIA LANJUT", "A2": "PUSKESMAS : MARIORIWAWO", "A3": "TAHUN : 2025",
             "A5": "BULAN", "B5": "watu", "C5": "tellu limpoe", "D5": "mattabulu", "E5": "pkm_induk",
             "F5": "luar_wilayah", "G5": "JUMLAH",
             "A6": "JANUARI", "B6": 10, "C6": 12, "D6": 7, "E6": 2, "F6": 1, "G6": 32,
             "A7": "FEBRUARI", "B7": 11, "C7": None, "D7": 5, "E7": 0, "F7": 0, "G7": 16,
             "A8": "MARET"})  # fmt: skip
    wb.save(path)


FAMILIES = {
    "pws_kia": ("PWS KIA MARIORIWAWO NOP 2024.xlsx", pws_kia),
    "imunisasi": ("IMUNISASI_MARIORIWAWO_202503.xlsx", imunisasi),
    "rekap_tahunan": ("Rekap SHK Marioriwawo 2025.xlsx", rekap_tahunan),
    "sigizi": ("sigizi_2025.csv", sigizi),
    "spm": ("SPM Marioriwawo 2025.xlsx", spm),
}


@pytest.fixture(scope="module")
def tidier() -> Tidier:
    return Tidier(WILAYAH, default_catalogue())


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_gives_its_golden_tidy_table(family: str, tidier: Tidier, tmp_path: Path) -> None:
    name, build = FAMILIES[family]
    path = tmp_path / name
    build(path)
    result = tidier.tidy(path)
    assert result.family == family
    got = result.rows[TIDY_COLUMNS].sort_values(["tahun", "bulan", "kode_desa", "indikator", "jk"])
    expected = pd.read_csv(GOLDEN / f"{family}.csv", dtype={"sumber_sheet": str}, keep_default_na=False)
    got = got.astype({"nilai": float}).reset_index(drop=True)
    expected = expected.astype({"nilai": float}).sort_values(["tahun", "bulan", "kode_desa", "indikator", "jk"])
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), check_dtype=False)


@pytest.mark.parametrize(
    ("family", "code", "cell"),
    [
        ("pws_kia", "desa_mirip", None),  # 'Telu Limpoe' is an alias: no issue; Kel./DS. prefixes: none either
        ("imunisasi", "l_p_tidak_sama_jml", None),
        ("sigizi", "baris_ganda", "C4"),
    ],
)
def test_family_reports_only_what_is_wrong(
    family: str, code: str, cell: str | None, tidier: Tidier, tmp_path: Path
) -> None:
    name, build = FAMILIES[family]
    build(tmp_path / name)
    issues = tidier.tidy(tmp_path / name).issues
    found = [i for i in issues if i.code == code]
    if cell is None:
        assert found == []
    else:
        assert [i.cell for i in found] == [cell]
    assert not [i for i in issues if i.severity == "error"], [str(i) for i in issues]


@pytest.mark.parametrize(
    ("cells", "code", "cell"),
    [
        ({"E9": 4}, "kumulatif_tidak_sama", "F9"),  # 20 + 4 != 23
        ({"E13": 9}, "jumlah_tidak_sama", "E13"),  # JUMLAH BLN INI 9, desa + luar wilayah = 6
        ({"E10": "dua"}, "angka_tidak_valid", "E10"),
        ({"B11": "Matabulu Baru"}, "desa_tidak_dikenal", "B11"),
        ({"B10": "Bila"}, "desa_puskesmas_lain", "B10"),  # a desa of another puskesmas: read, but reported
        ({"B9": "Wattu"}, "desa_mirip", "B9"),
        ({"A3": "TAHUN : 2024"}, None, None),  # month still found in the file name (NOP)
    ],
)
def test_pws_kia_cases_by_excel_address(
    cells: dict[str, object], code: str | None, cell: str | None, tidier: Tidier, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "PWS KIA MARIORIWAWO NOP 2024.xlsx"
    pws_kia(path)
    wb = load_workbook(path)
    for address, value in cells.items():
        wb.active[address] = value
    wb.save(path)
    result = tidier.tidy(path)
    if code is None:
        assert result.periods == [(2024, 11)]
        assert not [i for i in result.issues if i.severity == "error"]
    else:
        assert cell in [i.cell for i in result.issues if i.code == code], [str(i) for i in result.issues]


def test_one_sheet_per_month_takes_the_month_from_the_sheet_name(tidier: Tidier, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "PWS KIA MARIORIWAWO 2024.xlsx"
    pws_kia(path)
    wb = load_workbook(path)
    first = wb.active
    first.title = "OKT"
    first["A3"] = "TAHUN : 2024"
    second = wb.copy_worksheet(first)
    second.title = "NOP"
    second["E9"] = 5
    second["F9"] = 25
    second["E13"] = 8
    second["F13"] = 50
    wb.save(path)
    result = tidier.tidy(path)
    assert result.periods == [(2024, 10), (2024, 11)]
    k4 = result.rows.set_index(["bulan", "kode_desa"])["nilai"]
    assert k4[(10, "73.12.01.2001")] == 3 and k4[(11, "73.12.01.2001")] == 5
    assert set(result.rows["sumber_sheet"]) == {"OKT", "NOP"}
    assert not [i for i in result.issues if i.severity != "info"], [str(i) for i in result.issues]


def _as_html_table(xlsx: Path) -> str:
    """The first sheet as an HTML table with colspan/rowspan, as web exports saved with an .xls name look."""
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).active
    spans = {}
    covered = set()
    for rng in ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = (rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1)
        covered |= {(r, c) for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)}
        covered.discard((rng.min_row, rng.min_col))
    html = ["<html><body><table border=1>"]
    for r in range(1, ws.max_row + 1):
        cells = []
        for c in range(1, ws.max_column + 1):
            if (r, c) in covered:
                continue
            value = ws.cell(r, c).value
            rs, cs = spans.get((r, c), (1, 1))
            cells.append(f'<td rowspan="{rs}" colspan="{cs}">{"" if value is None else value}</td>')
        html.append("<tr>" + "".join(cells) + "</tr>")
    html.append("</table></body></html>")
    return "\n".join(html)


def test_html_table_saved_as_xls_gives_the_same_values(tidier: Tidier, tmp_path: Path) -> None:
    xlsx = tmp_path / "PWS KIA MARIORIWAWO NOP 2024.xlsx"
    pws_kia(xlsx)
    html = tmp_path / "PWS KIA MARIORIWAWO NOP 2024.xls"
    html.write_text(_as_html_table(xlsx), encoding="utf-8")
    from_xlsx = tidier.tidy(xlsx).rows
    from_html = tidier.tidy(html).rows
    assert list(from_html["nilai"]) == list(from_xlsx["nilai"])
    assert list(from_html["sumber_sel"]) == list(from_xlsx["sumber_sel"])
    assert set(from_html["sumber_sheet"]) == {"Tabel 1"}
