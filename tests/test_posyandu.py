"""Posyandu-level reports: one row per posyandu, rolled up to desa by summation, the posyandu kept with lineage;
names matched to jejaring.csv; corrected files replace; the demo's SKDN reports against what it wrote."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from pws import service
from pws.cli import main
from pws.config import Workspace
from pws.demo import DemoSummary
from pws.etl import Tidier, input_files
from pws.etl.ingest import ingest_files
from pws.etl.model import TIDY_COLUMNS
from pws.etl.store import Store
from pws.network import load_jejaring
from pws.workspace import load_workspace

WILAYAH = (
    "kode_desa,nama_desa,kode_kecamatan,nama_kecamatan,kode_puskesmas,nama_puskesmas\n"
    "73.12.01.2001,Watu,73.12.01,Marioriwawo,P7312010201,Marioriwawo\n"
    "73.12.01.2002,Tellu Limpoe,73.12.01,Marioriwawo,P7312010201,Marioriwawo\n"
    "73.12.01.2003,Soga,73.12.01,Marioriwawo,P7312010201,Marioriwawo\n"
)
JEJARING = (
    "jenis,nama,kode_desa,dusun\n"
    "posyandu,Posyandu Melati,73.12.01.2001,Dusun A\n"
    "posyandu,Posyandu Mawar,73.12.01.2001,Dusun B\n"
    "posyandu,Posyandu Anggrek I,73.12.01.2002,Dusun C\n"
    "posyandu,Posyandu Kenanga,73.12.01.2002,Dusun D\n"
    "posyandu,Posyandu Dahlia,73.12.01.2003,Dusun E\n"
)
CODES = ["BALITA_S", "BALITA_K", "BALITA_D", "BALITA_N"]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    (tmp_path / "wilayah.csv").write_text(WILAYAH, encoding="utf-8")
    (tmp_path / "jejaring.csv").write_text(JEJARING, encoding="utf-8")
    (tmp_path / "laporan").mkdir()
    return Workspace(tmp_path)


# (desa as written, posyandu as written, S, K, D, N); None values: the posyandu did not report
DATA: list[tuple[str, str, tuple[int, int, int, int] | None]] = [
    ("Watu", "Posyandu Melati", (40, 38, 30, 21)),
    ("Watu", "POSYANDU MAWAR", (25, 25, 20, 15)),
    ("Tellu Limpoe", "Anggrek 1", (33, 30, 28, 20)),  # spelt differently: "Posyandu Anggrek I"
    ("Tellu Limpoe", "Posyandu Kenanga", None),  # did not report this month
    ("Soga", "Posyandu Dahlia", (12, 11, 9, 7)),
]


def write_by_desa_column(path: Path, data: list[tuple[str, str, Any]], wrong_total: bool = False) -> dict:
    """Desa column with merged cells, a JUMLAH row per desa and a grand total. Returns {(desa, posyandu):
    {code: (value, cell)}} as written."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Mei"
    ws["A1"] = "REKAP SKDN PER POSYANDU"
    ws["A2"] = "PUSKESMAS MARIORIWAWO"
    ws["A3"] = "BULAN MEI 2025"
    for c, text in enumerate(["No", "Desa/Kelurahan", "Nama Posyandu", "S", "K", "D", "N"], start=1):
        ws.cell(row=5, column=c, value=text)
    written: dict[tuple[str, str], dict[str, tuple[int, str]]] = {}
    r = 6
    desa_order = list(dict.fromkeys(d for d, _, _ in data))
    for desa in desa_order:
        first = r
        sums = [0, 0, 0, 0]
        for _, name, values in [x for x in data if x[0] == desa]:
            ws.cell(row=r, column=3, value=name)
            if values is not None:
                written[(desa, name)] = {}
                for j, v in enumerate(values):
                    ws.cell(row=r, column=4 + j, value=v)
                    written[(desa, name)][CODES[j]] = (v, f"{get_column_letter(4 + j)}{r}")
                    sums[j] += v
            r += 1
        ws.cell(row=first, column=2, value=desa)
        if r - 1 > first:
            ws.merge_cells(start_row=first, start_column=2, end_row=r - 1, end_column=2)
        ws.cell(row=r, column=2, value="JUMLAH")
        for j, v in enumerate(sums):
            ws.cell(row=r, column=4 + j, value=v + (5 if wrong_total and j == 0 and desa == "Watu" else 0))
        r += 1
    wb.save(path)
    return written


def write_group_rows(path: Path, data: list[tuple[str, str, Any]]) -> dict:
    """No desa column: "DESA X" group rows above their posyandu, "JUMLAH DESA X" after them, L/P for S."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "SKDN"
    ws["A1"] = "LAPORAN KEGIATAN POSYANDU PUSKESMAS MARIORIWAWO BULAN JUNI 2025"
    ws.append([])
    ws.append(["NO", "POSYANDU", "S", "", "K", "D", "N"])
    ws.append(["", "", "L", "P", "", "", ""])
    written: dict[tuple[str, str], dict[str, tuple[int, str]]] = {}
    for desa in dict.fromkeys(d for d, _, _ in data):
        ws.append(["", f"DESA {desa.upper()}"])
        for _, name, values in [x for x in data if x[0] == desa]:
            if values is None:
                ws.append(["", name])
                continue
            s, k, d, n = values
            s_l = s // 2
            ws.append(["", name, s_l, s - s_l, k, d, n])
            r = ws.max_row
            written[(desa, name)] = {
                "BALITA_S": (s, f"C{r}"),  # T = L + P, lineage on the L cell
                "BALITA_K": (k, f"E{r}"),
                "BALITA_D": (d, f"F{r}"),
                "BALITA_N": (n, f"G{r}"),
            }
        ws.append(["", f"JUMLAH DESA {desa.upper()}"])
    ws.merge_cells("C3:D3")
    wb.save(path)
    return written


def _desa_totals(written: dict) -> dict[tuple[str, str], tuple[float, str]]:
    """Independently: desa x indicator -> (sum of its posyandu, cells summed joined by '+')."""
    codes = {"Watu": "73.12.01.2001", "Tellu Limpoe": "73.12.01.2002", "Soga": "73.12.01.2003"}
    out: dict[tuple[str, str], tuple[float, str]] = {}
    for (desa, _), values in written.items():
        for code, (v, cell) in values.items():
            key = (codes[desa], code)
            total, cells = out.get(key, (0.0, ""))
            out[key] = (total + v, f"{cells}+{cell}" if cells else cell)
    return out


@pytest.mark.parametrize("writer", [write_by_desa_column, write_group_rows])
def test_a_posyandu_workbook_is_rolled_up_to_desa_with_the_posyandu_kept(ws: Workspace, writer: Any) -> None:
    path = ws.laporan_dir / "skdn.xlsx"
    written = writer(path, DATA)
    results, statuses = ingest_files(ws, [path])
    assert statuses == ["baru"]
    result = results[0]
    assert result.family == "posyandu_skdn" and result.kode_puskesmas == "P7312010201"
    assert [i.code for i in result.issues] == []
    month = 5 if writer is write_by_desa_column else 6
    store = Store.for_workspace(ws)
    desa = store.observations(tahun=2025, bulan=month)
    desa = desa[desa["jk"] == "T"]
    expected = _desa_totals(written)
    got = {(r.kode_desa, r.indikator): (r.nilai, r.sumber_sel) for r in desa.itertuples()}
    assert got == expected
    posyandu = store.posyandu_observations(tahun=2025, bulan=month)
    posyandu = posyandu[posyandu["jk"] == "T"]
    assert list(posyandu.columns) == [*TIDY_COLUMNS, "posyandu", "kode_unit"]
    # names as in jejaring.csv (the spelling variant matched), every one with its unit code
    assert set(posyandu["posyandu"]) == {"Posyandu Melati", "Posyandu Mawar", "Posyandu Anggrek I", "Posyandu Dahlia"}
    assert posyandu["kode_unit"].notna().all()
    for (d, name), values in written.items():
        for code, (v, cell) in values.items():
            row = posyandu[(posyandu["sumber_sel"] == cell) & (posyandu["indikator"] == code)]
            assert row["nilai"].tolist() == [v], (d, name, code)
    # the desa sums equal the sum of their posyandu rows as stored
    summed = posyandu.groupby(["kode_desa", "indikator"])["nilai"].sum().to_dict()
    assert summed == {k: v for k, (v, _) in expected.items()}
    if writer is write_group_rows:  # L and P were stored for S, T = L + P
        s_rows = store.posyandu_observations(tahun=2025, bulan=6, indikator="BALITA_S")
        assert set(s_rows["jk"]) == {"L", "P", "T"}


def test_the_network_view_sees_who_reported(ws: Workspace) -> None:
    path = ws.laporan_dir / "skdn.xlsx"
    write_by_desa_column(path, DATA)
    ingest_files(ws, [path])
    reporting = service.posyandu_reporting(ws, 2025, 5).set_index("nama")
    assert reporting["dilaporkan"].to_dict() == {
        "Posyandu Melati": True,
        "Posyandu Mawar": True,
        "Posyandu Anggrek I": True,
        "Posyandu Kenanga": False,
        "Posyandu Dahlia": True,
    }
    assert reporting.loc["Posyandu Melati", "jumlah_indikator"] == 4
    lineage = service.posyandu_lineage(ws, 2025, "BALITA_D", "73.12.01.2001")
    assert lineage[["posyandu", "nilai"]].values.tolist() == [["Posyandu Mawar", 20.0], ["Posyandu Melati", 30.0]]


def test_an_unknown_posyandu_is_a_warning_at_its_cell_and_still_counts(ws: Workspace) -> None:
    data = [*DATA[:4], ("Soga", "Posyandu Cempaka Baru", (12, 11, 9, 7))]
    path = ws.laporan_dir / "skdn.xlsx"
    write_by_desa_column(path, data)
    results, _ = ingest_files(ws, [path])
    unknown = [i for i in results[0].issues if i.code == "posyandu_tidak_dikenal"]
    assert len(unknown) == 1
    assert (unknown[0].file, unknown[0].sheet, unknown[0].cell) == ("skdn.xlsx", "Mei", "C12")
    assert "Posyandu Dahlia" in unknown[0].params["kandidat"] and unknown[0].severity == "warning"
    store = Store.for_workspace(ws)
    soga = store.observations(tahun=2025, bulan=5, indikator="BALITA_S")
    assert soga.loc[soga["kode_desa"] == "73.12.01.2003", "nilai"].tolist() == [12.0]
    rows = store.posyandu_observations(tahun=2025, kode_desa="73.12.01.2003", indikator="BALITA_S")
    assert rows["posyandu"].tolist() == ["Posyandu Cempaka Baru"] and rows["kode_unit"].isna().all()


def test_a_wrong_jumlah_row_is_reported_at_its_cell(ws: Workspace) -> None:
    path = ws.laporan_dir / "skdn.xlsx"
    write_by_desa_column(path, DATA, wrong_total=True)
    results, _ = ingest_files(ws, [path])
    wrong = [i for i in results[0].issues if i.code == "jumlah_tidak_sama"]
    assert [(i.cell, i.params["jumlah"], i.params["hitung"]) for i in wrong] == [("D8", 70.0, 65.0)]


def test_a_corrected_file_replaces_its_posyandu_rows_and_desa_sums(ws: Workspace) -> None:
    path = ws.laporan_dir / "skdn.xlsx"
    write_by_desa_column(path, DATA)
    ingest_files(ws, [path])
    corrected = [DATA[0], ("Watu", "POSYANDU MAWAR", None), *DATA[2:4], ("Soga", "Posyandu Dahlia", (13, 12, 10, 8))]
    path.unlink()
    written = write_by_desa_column(ws.laporan_dir / "skdn (revisi).xlsx", corrected)
    _, statuses = ingest_files(ws, [ws.laporan_dir / "skdn (revisi).xlsx"])
    assert statuses == ["ganti"]
    store = Store.for_workspace(ws)
    posyandu = store.posyandu_observations(tahun=2025, bulan=5)
    assert "Posyandu Mawar" not in set(posyandu["posyandu"])  # did not report in the corrected file
    assert set(posyandu["sumber_file"]) == {"skdn (revisi).xlsx"}
    desa = store.observations(tahun=2025, bulan=5)
    got = {(r.kode_desa, r.indikator): r.nilai for r in desa.itertuples()}
    assert got == {k: v for k, (v, _) in _desa_totals(written).items()}


def test_tidy_output_gets_the_posyandu_column_only_for_posyandu_reports(ws: Workspace, tmp_path: Path) -> None:
    path = ws.laporan_dir / "skdn.xlsx"
    written = write_by_desa_column(path, DATA)
    out = tmp_path / "tidy.csv"
    main(["tidy", str(path), "--wilayah", str(ws.root / "wilayah.csv"), "-o", str(out)])
    frame = pd.read_csv(out, keep_default_na=False)
    assert list(frame.columns) == [*TIDY_COLUMNS, "posyandu"]
    desa_rows = frame[frame["posyandu"] == ""]
    assert len(desa_rows) == len(_desa_totals(written))
    assert len(frame) - len(desa_rows) == 4 * len(written)
    assert desa_rows["nilai"].sum() == frame.loc[frame["posyandu"] != "", "nilai"].sum()


# ------------------------------------------------------------------------------------------------ the demo


def test_the_demo_skdn_reports_are_read_exactly_as_written(demo: DemoSummary) -> None:
    ws = Workspace(demo.root)
    data = load_workspace(ws)
    jejaring, _ = load_jejaring(ws, data.wilayah, None)
    tidier = Tidier(data.wilayah, data.catalogue, jejaring=jejaring)
    files = input_files([demo.root / "laporan" / "posyandu"])
    assert len(files) == demo.files_by_family["posyandu_skdn"] == 98
    results = [tidier.tidy(p) for p in files]
    assert {r.family for r in results} == {"posyandu_skdn"}
    assert [str(i) for r in results for i in r.issues] == []
    rows = pd.concat([r.posyandu_rows for r in results if r.posyandu_rows is not None], ignore_index=True)
    truth = pd.read_csv(demo.root / ".pws" / "demo" / "kebenaran_posyandu.csv")
    key = ["sumber_file", "sumber_sel"]
    merged = truth.merge(rows, on=key, how="outer", suffixes=("_benar", "_etl"), indicator=True)
    assert (merged["_merge"] == "both").all()
    for col in ("tahun", "bulan", "kode_desa", "posyandu", "indikator", "nilai"):
        assert (merged[f"{col}_benar"] == merged[f"{col}_etl"]).all(), col
    assert rows["kode_unit"].notna().all()
    # S and D of each desa equal the desa-level counts the demo drew (what SIGIZI reports): no conflicts
    desa = pd.concat([r.rows for r in results], ignore_index=True)
    kebenaran = pd.read_csv(demo.root / ".pws" / "demo" / "kebenaran.csv")
    both = desa[desa["indikator"].isin(["BALITA_S", "BALITA_D"])].merge(
        kebenaran, on=["tahun", "bulan", "kode_desa", "indikator", "jk"], suffixes=("", "_desa")
    )
    assert len(both) == (desa["indikator"].isin(["BALITA_S", "BALITA_D"])).sum() > 0
    assert (both["nilai"] == both["nilai_desa"]).all()
    # K ≤ S and N ≤ D in every posyandu row
    wide = rows.pivot_table(index=key[:1] + ["kode_desa", "posyandu"], columns="indikator", values="nilai")
    assert (wide["BALITA_K"] <= wide["BALITA_S"]).all() and (wide["BALITA_N"] <= wide["BALITA_D"]).all()


def test_the_demo_store_holds_the_posyandu_and_who_did_not_report(demo_store: Path, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(demo_store, root)
    ws = Workspace(root)
    manifest = json.loads((root / ".pws" / "demo" / "manifest.json").read_text(encoding="utf-8"))
    silent = manifest["posyandu_tidak_melapor"]
    assert silent
    for item in silent:
        reporting = service.posyandu_reporting(ws, item["tahun"], item["bulan"])
        row = reporting[(reporting["kode_desa"] == item["kode_desa"]) & (reporting["nama"] == item["posyandu"])]
        assert row["dilaporkan"].tolist() == [False], item
    # every other active posyandu of a month its puskesmas reported did report
    may = service.posyandu_reporting(ws, 2025, 5)
    silent_may = {(i["kode_desa"], i["posyandu"]) for i in silent if i["bulan"] == 5}
    missing_pkm = {
        p for p, style in manifest["gaya_puskesmas"].items() if "2025-05" in style["missing"]
    }  # fmt: skip
    expected = ~may["kode_puskesmas"].isin(missing_pkm) & ~pd.Series(
        [(k, n) in silent_may for k, n in zip(may["kode_desa"], may["nama"], strict=True)], index=may.index
    )
    assert (may["dilaporkan"] == expected).all()
    # K and N exist only from the SKDN reports; S and D stayed one value per desa-month
    store = Store.for_workspace(ws)
    k = store.observations(tahun=2025, indikator="BALITA_K")
    assert len(k) > 0 and set(k["sumber_file"].str.startswith("SKDN")) == {True}
    problems = store.problems()
    assert not (problems["kode"] == "konflik_nilai").any()
