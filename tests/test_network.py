"""The service network (jejaring.csv): every loader problem on small hand-written files, the demo's network and its
planted problems, counts per desa against an independent count, posyandu reporting, the cached service calls."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from pws import service
from pws.config import Workspace
from pws.demo import DemoSummary
from pws.issues import Issue
from pws.network import (
    JEJARING_COLUMNS,
    NETWORK_COLUMNS,
    REPORTING_COLUMNS,
    UNIT_TYPES,
    load_jejaring,
    network_by_desa,
    posyandu_reporting,
    unit_code,
)

# two desa of one puskesmas and one of another, with square polygons side by side (0.01° ≈ 1.1 km wide)
WILAYAH = pd.DataFrame(
    {
        "kode_desa": ["73.12.01.2001", "73.12.01.2002", "73.12.02.2001"],
        "nama_desa": ["Watu", "Tellu Limpoe", "Bila"],
        "kode_kecamatan": ["73.12.01", "73.12.01", "73.12.02"],
        "nama_kecamatan": ["Marioriwawo", "Marioriwawo", "Lalabata"],
        "kode_puskesmas": ["P7312010201", "P7312010201", "P7312020201"],
        "nama_puskesmas": ["Marioriwawo", "Marioriwawo", "Lalabata"],
        "jenis": ["desa", "desa", "desa"],
        "alias": ["", "", ""],
    }
)
GEOMETRY = gpd.GeoDataFrame(
    {"kode_desa": WILAYAH["kode_desa"]},
    geometry=[box(119.90, -4.40, 119.91, -4.39), box(119.91, -4.40, 119.92, -4.39), box(119.92, -4.40, 119.93, -4.39)],
    crs="EPSG:4326",
)
HEADER = "jenis,nama,kode_desa,dusun,rw,lintang,bujur,aktif_sejak\n"


def write(tmp_path: Path, text: str, name: str = "jejaring.csv") -> Workspace:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return Workspace(tmp_path)


def load(tmp_path: Path, rows: list[str], header: str = HEADER) -> tuple[pd.DataFrame, list[Issue]]:
    return load_jejaring(write(tmp_path, header + "\n".join(rows) + "\n"), WILAYAH, GEOMETRY)


def only(issues: list[Issue], code: str) -> Issue:
    found = [i for i in issues if i.code == code]
    assert len(found) == 1, f"expected one {code}, got {[i.code for i in issues]}"
    return found[0]


def test_no_network_file_is_an_empty_frame_without_issues(tmp_path: Path) -> None:
    frame, issues = load_jejaring(Workspace(tmp_path), WILAYAH, GEOMETRY)
    assert issues == []
    assert frame.empty and list(frame.columns) == JEJARING_COLUMNS


def test_a_clean_file_loads_every_unit_with_its_desa_and_puskesmas(tmp_path: Path) -> None:
    frame, issues = load(
        tmp_path,
        [
            "puskesmas,Puskesmas Marioriwawo,73.12.01.2001,,,-4.395,119.905,",
            'Puskesmas Pembantu,Pustu Tellu Limpoe,7312012002,,,"-4,395","119,915",2019',
            "posyandu,Posyandu Melati,73.12.01.2002,Dusun Krajan,01,,,01/03/2025",
            "POSYANDU,Posyandu Mawar,73.12.02.2001,Dusun Tengah,02,-4.3951,119.9251,2025-06-01",
            "Posbindu PTM,Posbindu Bila,73.12.02.2001,,,,,",
        ],
    )
    assert issues == []
    assert list(frame.columns) == JEJARING_COLUMNS
    assert frame["jenis"].tolist() == ["puskesmas", "pustu", "posyandu", "posyandu", "posbindu"]
    assert frame["kode_desa"].tolist()[1] == "73.12.01.2002"  # undotted code normalised
    assert frame["nama_puskesmas"].tolist() == ["Marioriwawo"] * 3 + ["Lalabata"] * 2
    pustu = frame.iloc[1]
    assert (pustu["lintang"], pustu["bujur"]) == (-4.395, 119.915)  # decimal commas
    assert pustu["aktif_sejak"] == pd.Timestamp(2019, 1, 1)
    assert frame.iloc[2]["aktif_sejak"] == pd.Timestamp(2025, 3, 1)  # day first
    assert pd.isna(frame.iloc[2]["lintang"]) and pd.isna(frame.iloc[0]["aktif_sejak"])
    assert frame.iloc[2]["dusun"] == "Dusun Krajan" and frame.iloc[2]["rw"] == "01"
    assert pd.isna(frame.iloc[0]["dusun"])
    assert frame["kode_unit"].iloc[2] == "73.12.01.2002/posyandu/posyandu-melati"
    assert frame["kode_unit"].is_unique


def test_common_column_spellings_and_xlsx_are_read(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {
            "Jenis Unit": ["posyandu", "pustu"],
            "Nama": ["Posyandu Anggrek", "Pustu Watu"],
            "Kode Desa": ["73.12.01.2001", "73.12.01.2001"],
            "Latitude": ["-4.396", ""],
            "Longitude": ["119.904", ""],
            "Kode_Unit": ["PSY-001", ""],
        }
    )
    table.to_excel(tmp_path / "jejaring.xlsx", index=False)
    frame, issues = load_jejaring(Workspace(tmp_path), WILAYAH, GEOMETRY)
    assert issues == []
    assert frame["lintang"].iloc[0] == -4.396 and frame["bujur"].iloc[0] == 119.904
    assert frame["kode_unit"].tolist() == ["PSY-001", unit_code("73.12.01.2001", "pustu", "Pustu Watu")]


def test_missing_required_columns_name_the_file(tmp_path: Path) -> None:
    frame, issues = load(tmp_path, ["posyandu,Posyandu Melati"], header="jenis,nama\n")
    problem = only(issues, "kolom_wajib_hilang")
    assert problem.file == "jejaring.csv" and "kode_desa" in problem.params["columns"]
    assert frame.empty


@pytest.mark.parametrize(
    ("row", "code", "severity"),
    [
        ("posyandu,Posyandu Melati,73.12.09.2001,,,,,", "jejaring_desa_tidak_dikenal", "error"),
        ("posyandu,Posyandu Melati,73.12.X1.2001,,,,,", "kode_desa_tidak_valid", "error"),
        ("posyandu,Posyandu Melati,,,,,,", "kode_desa_kosong", "error"),
        ("klinik,Klinik Sehat,73.12.01.2001,,,,,", "jejaring_jenis_tidak_dikenal", "error"),
        ("posyandu,,73.12.01.2001,,,,,", "jejaring_nama_kosong", "error"),
        ("posyandu,Posyandu Melati,73.12.01.2001,,,utara,119.905,", "jejaring_koordinat_tidak_valid", "warning"),
        ("posyandu,Posyandu Melati,73.12.01.2001,,,-4.395,,", "jejaring_koordinat_sebelah", "warning"),
        ("posyandu,Posyandu Melati,73.12.01.2001,,,119.905,-4.395,", "jejaring_koordinat_di_luar_rentang", "warning"),
        ("posyandu,Posyandu Melati,73.12.01.2001,,,0,0,", "jejaring_koordinat_di_luar_rentang", "warning"),
        # a point in the neighbouring desa, 5 km away (far beyond the 100 m tolerance)
        ("posyandu,Posyandu Melati,73.12.01.2001,,,-4.395,119.955,", "jejaring_koordinat_di_luar_desa", "warning"),
        ("posyandu,Posyandu Melati,73.12.01.2001,,,,,kemarin", "jejaring_tanggal_tidak_valid", "warning"),
        # Puskesmas Lalabata listed in a desa served by Puskesmas Marioriwawo
        ("puskesmas,Puskesmas Lalabata,73.12.01.2001,,,,,", "jejaring_puskesmas_beda_wilayah", "warning"),
    ],
)
def test_each_problem_is_reported_at_its_row(tmp_path: Path, row: str, code: str, severity: str) -> None:
    good = "pustu,Pustu Watu,73.12.01.2001,,,-4.395,119.905,"
    frame, issues = load(tmp_path, [good, row])
    problem = only(issues, code)
    assert (problem.file, problem.row, problem.severity) == ("jejaring.csv", 3, severity)
    assert len(issues) == 1
    assert problem.message("id") and problem.message("en") and "{" not in problem.message("id")
    if severity == "error":  # the row is not used
        assert frame["nama"].tolist() == ["Pustu Watu"]
    else:  # the unit is kept; a bad point or date is dropped from it
        assert len(frame) == 2
        kept = frame.iloc[1]
        if "koordinat" in code:
            assert pd.isna(kept["lintang"]) and pd.isna(kept["bujur"])
        if code == "jejaring_tanggal_tidak_valid":
            assert pd.isna(kept["aktif_sejak"])


def test_a_point_just_outside_its_desa_is_within_the_tolerance(tmp_path: Path) -> None:
    # 0.0005° ≈ 56 m west of Watu's western border: accepted with the 100 m default, refused with 20 m
    rows = ["posyandu,Posyandu Melati,73.12.01.2001,,,-4.395,119.8995,"]
    frame, issues = load(tmp_path, rows)
    assert issues == [] and frame["bujur"].iloc[0] == 119.8995
    _, issues = load_jejaring(Workspace(tmp_path), WILAYAH, GEOMETRY, tolerance_m=20)
    assert only(issues, "jejaring_koordinat_di_luar_desa").params["jarak_m"] == pytest.approx(56, abs=2)


def test_without_boundaries_points_are_only_range_checked(tmp_path: Path) -> None:
    write(tmp_path, HEADER + "posyandu,Posyandu Melati,73.12.01.2001,,,-4.395,119.955,\n")
    frame, issues = load_jejaring(Workspace(tmp_path), WILAYAH, None)
    assert issues == [] and frame["bujur"].iloc[0] == 119.955


def test_duplicate_names_of_one_type_within_a_desa_are_refused(tmp_path: Path) -> None:
    frame, issues = load(
        tmp_path,
        [
            "posyandu,Posyandu Melati,73.12.01.2001,Dusun A,01,,,",
            "posyandu,Posyandu Melati,73.12.01.2002,,,,,",  # same name, other desa: fine
            "posbindu,Posyandu Melati,73.12.01.2001,,,,,",  # same name, other type: fine
            "posyandu,POSYANDU  melati,73.12.01.2001,Dusun B,02,,,",  # the same name spelt differently
        ],
    )
    problem = only(issues, "jejaring_nama_ganda")
    assert (problem.row, problem.params["first_row"]) == (5, 2)
    assert len(frame) == 3 and "Dusun B" not in set(frame["dusun"].dropna())


def test_duplicate_kode_unit_is_refused(tmp_path: Path) -> None:
    header = "jenis,nama,kode_desa,kode_unit\n"
    frame, issues = load(
        tmp_path, ["posyandu,Posyandu A,73.12.01.2001,U1", "posyandu,Posyandu B,73.12.01.2001,U1"], header
    )
    assert only(issues, "jejaring_kode_unit_ganda").row == 3
    assert frame["kode_unit"].tolist() == ["U1"]


def test_only_one_coordinate_column_is_reported_once(tmp_path: Path) -> None:
    frame, issues = load(tmp_path, ["posyandu,Posyandu A,73.12.01.2001,-4.395"], "jenis,nama,kode_desa,lat\n")
    assert only(issues, "jejaring_kolom_koordinat_sebelah").params["kolom"] == "lintang"
    assert len(frame) == 1 and pd.isna(frame["lintang"].iloc[0])


def test_generated_unit_codes_do_not_depend_on_row_order(tmp_path: Path) -> None:
    rows = ["posyandu,Posyandu A,73.12.01.2001,,,,,", "posyandu,Posyandu B,73.12.01.2001,,,,,"]
    first, _ = load(tmp_path, rows)
    second, _ = load(tmp_path, rows[::-1])
    assert dict(zip(first["nama"], first["kode_unit"], strict=True)) == dict(
        zip(second["nama"], second["kode_unit"], strict=True)
    )


def test_network_by_desa_counts_units_active_on_the_day(tmp_path: Path) -> None:
    frame, _ = load(
        tmp_path,
        [
            "puskesmas,Puskesmas Marioriwawo,73.12.01.2001,,,,,",
            "pustu,Pustu Tellu Limpoe,73.12.01.2002,,,,,2025-06-01",
            "posyandu,Posyandu A,73.12.01.2002,,,,,",
            "posyandu,Posyandu B,73.12.01.2002,,,,,2025-03-15",
            "poskesdes,Poskesdes Bila,73.12.02.2001,,,,,",
        ],
    )
    may = network_by_desa(frame, WILAYAH, date(2025, 5, 31)).set_index("kode_desa")
    assert list(may.reset_index().columns) == NETWORK_COLUMNS
    assert may["pustu"].tolist() == [0, 0, 0]
    assert may["posyandu"].tolist() == [0, 2, 0]
    assert may["poskesdes"].tolist() == [0, 0, 1]
    # the desa with the puskesmas building is not "without pustu"; the two others are (the pustu opens in June)
    assert may["tanpa_pustu"].tolist() == [False, True, True]
    assert may["tanpa_posyandu"].tolist() == [True, False, True]
    march = network_by_desa(frame, WILAYAH, date(2025, 3, 1)).set_index("kode_desa")
    assert march.loc["73.12.01.2002", "posyandu"] == 1
    everything = network_by_desa(frame, WILAYAH).set_index("kode_desa")
    assert everything.loc["73.12.01.2002", "pustu"] == 1 and not everything.loc["73.12.01.2002", "tanpa_pustu"]
    empty = network_by_desa(frame.iloc[0:0], WILAYAH, date(2025, 1, 31))
    assert len(empty) == 3 and empty["tanpa_posyandu"].all()


def test_posyandu_reporting_marks_who_reported_in_the_month(tmp_path: Path) -> None:
    frame, _ = load(
        tmp_path,
        [
            "posyandu,Posyandu A,73.12.01.2002,,,,,",
            "posyandu,Posyandu B,73.12.01.2002,,,,,",
            "posyandu,Posyandu C,73.12.01.2002,,,,,2025-09-01",
            "pustu,Pustu Tellu Limpoe,73.12.01.2002,,,,,",
        ],
    )
    code = dict(zip(frame["nama"], frame["kode_unit"], strict=True))
    obs = pd.DataFrame(
        {
            "tahun": [2025, 2025, 2025, 2025, 2025],
            "bulan": [5, 5, 5, 4, 5],
            "indikator": ["BALITA_S", "BALITA_D", "BALITA_D", "BALITA_S", "BALITA_S"],
            "jk": ["T"] * 5,
            "kode_unit": [code["Posyandu A"], code["Posyandu A"], code["Posyandu A"], code["Posyandu B"], pd.NA],
        }
    )
    may = posyandu_reporting(frame, obs, 2025, 5)
    assert list(may.columns) == REPORTING_COLUMNS
    assert may["nama"].tolist() == ["Posyandu A", "Posyandu B"]  # C opens in September; the pustu is no posyandu
    assert may["dilaporkan"].tolist() == [True, False]
    assert may["jumlah_indikator"].tolist() == [2, 0]
    september = posyandu_reporting(frame, obs.iloc[0:0], 2025, 9)
    assert len(september) == 3 and not september["dilaporkan"].any()


# ------------------------------------------------------------------------------------------------ the demo


def _demo_rows(root: Path) -> list[dict[str, str]]:
    with (root / "jejaring.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_demo_network_has_the_planted_problems_and_only_those(demo: DemoSummary) -> None:
    from pws.geo import load_boundaries
    from pws.workspace import load_workspace

    ws = Workspace(demo.root)
    data = load_workspace(ws)
    assert ws.batas_path is not None
    boundaries, _ = load_boundaries(ws.batas_path, wilayah=data.wilayah)
    frame, issues = load_jejaring(ws, data.wilayah, boundaries)
    manifest = json.loads((demo.root / ".pws" / "demo" / "manifest.json").read_text(encoding="utf-8"))
    planted = manifest["masalah_jejaring"]
    assert {m["jenis"] for m in planted} == {
        "jejaring_desa_tidak_dikenal",
        "jejaring_nama_ganda",
        "jejaring_koordinat_di_luar_desa",
    }
    assert sorted((i.code, i.file, i.row) for i in issues) == sorted((m["jenis"], m["file"], m["row"]) for m in planted)
    raw = _demo_rows(demo.root)
    assert len(frame) == len(raw) - 2  # the unknown desa and the duplicate are left out
    # the shape the issue asks for: ten puskesmas, a pustu in most desa (a few without), 1-4 posyandu per desa
    desa = set(data.wilayah["kode_desa"])
    assert (frame["jenis"] == "puskesmas").sum() == 10
    per_desa = frame[frame["jenis"] == "posyandu"].groupby("kode_desa").size().reindex(sorted(desa), fill_value=0)
    assert per_desa.min() >= 1 and per_desa.max() <= 4
    has_pustu = set(frame.loc[frame["jenis"] == "pustu", "kode_desa"])
    assert 0.8 * len(desa) <= len(has_pustu) < len(desa) - 10
    # most units have a point, a few have none; every kept point lies in its desa (checked with shapely here)
    with_point = frame.dropna(subset=["lintang", "bujur"])
    assert 0.75 * len(frame) <= len(with_point) < len(frame)
    shapes = dict(zip(boundaries["kode_desa"], boundaries.geometry, strict=True))
    pts = gpd.points_from_xy(with_point["bujur"], with_point["lintang"])
    assert all(shapes[k].buffer(0.001).contains(p) for k, p in zip(with_point["kode_desa"], pts, strict=True))
    # every posyandu has dusun and RW
    posyandu = frame[frame["jenis"] == "posyandu"]
    assert posyandu["dusun"].notna().all() and posyandu["rw"].notna().all()


def test_network_by_desa_on_the_demo_matches_an_independent_count(demo: DemoSummary) -> None:
    from pws.workspace import load_workspace

    ws = Workspace(demo.root)
    data = load_workspace(ws)
    frame, _ = load_jejaring(ws, data.wilayah, None)
    on = date(2025, 4, 30)
    table = network_by_desa(frame, data.wilayah, on).set_index("kode_desa")
    assert len(table) == len(data.wilayah)
    # count the CSV rows directly: known desa, first of each (desa, jenis, name), active by the day
    expected: dict[tuple[str, str], int] = {}
    seen: set[tuple[str, str, str]] = set()
    for rec in _demo_rows(demo.root):
        key = (rec["kode_desa"], rec["jenis"], rec["nama"].upper())
        if rec["kode_desa"] not in table.index or key in seen:
            continue
        seen.add(key)
        since = rec["aktif_sejak"]
        if since and pd.Timestamp(since if "-" in since else f"{since}-01-01") > pd.Timestamp(on):
            continue
        expected[(rec["kode_desa"], rec["jenis"])] = expected.get((rec["kode_desa"], rec["jenis"]), 0) + 1
    for jenis in UNIT_TYPES:
        got = table[jenis].to_dict()
        assert got == {k: expected.get((k, jenis), 0) for k in table.index}, jenis
    assert table["tanpa_pustu"].sum() >= 3
    # units opened during 2025: the count at the end of October is larger than at the end of April
    october = network_by_desa(frame, data.wilayah, date(2025, 10, 31))
    assert october["posyandu"].sum() > table["posyandu"].sum()
    assert october["tanpa_pustu"].sum() < table["tanpa_pustu"].sum()


def test_service_caches_the_network_and_sees_a_changed_file(demo_store: Path, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(demo_store, root)
    ws = Workspace(root)
    frame, issues = service.jejaring(ws)
    assert len(issues) == 3 and len(frame) > 400
    assert service.jejaring(ws)[0] is frame  # cached
    counts = service.network_by_desa(ws, 2025, 10)
    assert list(counts.columns) == NETWORK_COLUMNS and len(counts) == 120
    assert counts["posyandu"].sum() == (frame["jenis"] == "posyandu").sum()  # all opened by October
    reporting = service.posyandu_reporting(ws, 2025, 10)
    assert list(reporting.columns) == REPORTING_COLUMNS
    assert len(reporting) == (frame["jenis"] == "posyandu").sum()
    # a corrected file (the unknown desa row removed) is read again
    path = root / "jejaring.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line for line in lines if "99.01.09.2999" not in line) + "\n", encoding="utf-8")
    frame2, issues2 = service.jejaring(ws)
    assert len(issues2) == 2 and len(frame2) == len(frame)
