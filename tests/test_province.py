"""The demo province (``pws demo --skala provinsi``): kabupaten/kecamatan/desa polygons tiling the province,
codes that nest, counts that obey the programme's cascades, and reports that the ETL reads back to exactly the
values the generator drew."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from pws.catalogue import default_catalogue
from pws.cli import build_parser
from pws.config import Workspace
from pws.demo import DemoSummary
from pws.demo.province import FULL, SMALL, YEAR, build_province, build_sasaran, draw_counts, generate_province
from pws.etl.store import Store
from pws.workspace import load_wilayah


def test_small_province_tiles_without_gaps_or_overlaps() -> None:
    desa = build_province(3, SMALL).desa
    geoms = desa.geometry.to_numpy()
    assert 80 <= len(desa) <= 240
    assert all(shapely.is_valid(geoms))
    assert shapely.coverage_is_valid(geoms)
    union = shapely.union_all(geoms)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0  # no gaps
    assert sum(g.area for g in geoms) == pytest.approx(union.area, rel=1e-9)  # no overlaps
    # each kabupaten is one piece too (desa of a kabupaten are contiguous)
    for _, group in desa.groupby("kode_kabupaten"):
        assert shapely.union_all(group.geometry.to_numpy()).geom_type == "Polygon"


def test_codes_nest_and_names_are_usable() -> None:
    desa = build_province(3, SMALL).desa
    assert desa["kode_kabupaten"].nunique() == 3
    assert desa["kode_desa"].str.match(r"^99\.\d{2}\.\d{2}\.[12]\d{3}$").all()
    assert (desa["kode_desa"].str[:8] == desa["kode_kecamatan"]).all()
    assert (desa["kode_kecamatan"].str[:5] == desa["kode_kabupaten"]).all()
    assert (desa["kode_desa"].str[9].map({"1": "kelurahan", "2": "desa"}) == desa["jenis"]).all()
    # one kota (code 71 and up), all kelurahan; kabupaten names say which they are
    kota = desa[desa["kode_kabupaten"].str[3:].astype(int) >= 71]
    assert kota["kode_kabupaten"].nunique() == 1 and (kota["jenis"] == "kelurahan").all()
    assert kota["nama_kabupaten"].str.startswith("Kota ").all()
    assert desa.loc[~desa.index.isin(kota.index), "nama_kabupaten"].str.startswith("Kabupaten ").all()
    # one puskesmas per kecamatan; puskesmas names unique in the province (reports name their puskesmas)
    assert (desa.groupby("kode_puskesmas")["kode_kecamatan"].nunique() == 1).all()
    assert desa.groupby("kode_puskesmas")["nama_puskesmas"].first().is_unique
    assert not desa.duplicated(["kode_kabupaten", "nama_desa"]).any()
    assert desa["kode_desa"].is_unique


def test_full_province_has_the_size_of_a_real_one() -> None:
    desa = build_province(2024, FULL).desa
    assert 5_000 <= len(desa) <= 7_500
    assert 250 <= desa["kode_puskesmas"].nunique() <= 350
    assert desa["kode_kabupaten"].nunique() == 25
    assert shapely.coverage_is_valid(desa.geometry.to_numpy())


def test_counts_follow_the_cascades() -> None:
    desa = pd.DataFrame(build_province(5, SMALL).desa.drop(columns="geometry"))
    kab = desa[desa["kode_kabupaten"] == desa["kode_kabupaten"].iloc[0]]
    sasaran = build_sasaran(kab, default_catalogue())
    values = draw_counts(kab, sasaran, np.random.default_rng(1))
    for kode in kab["kode_desa"]:
        for m in range(1, 13):
            v = {ind: values[(YEAR, m, kode, ind, "T")] for ind in ("K1", "K4", "K6", "KN1", "KN_L", "BCG")}
            assert v["K1"] >= v["K4"] >= v["K6"] and v["KN1"] >= v["KN_L"]
            assert values[(YEAR, m, kode, "BCG", "L")] + values[(YEAR, m, kode, "BCG", "P")] == v["BCG"]
    k1_year = sum(values[(YEAR, m, k, "K1", "T")] for m in range(1, 13) for k in kab["kode_desa"])
    bumil = sasaran.loc[sasaran["jenis_sasaran"] == "BUMIL", "jumlah"].sum()
    assert 0.6 * bumil < k1_year < 1.3 * bumil  # about 97 % of pregnant women reached in a year


def test_workspace_files_and_report_count(province: DemoSummary) -> None:
    root = province.root
    wilayah, issues = load_wilayah(root / "wilayah.csv")
    assert not [i for i in issues if i.severity == "error"]
    assert len(wilayah) == province.n_desa
    assert wilayah["nama_kabupaten"].ne("").all() and wilayah["kode_kabupaten"].nunique() == 3
    files = sorted((root / "laporan").rglob("*.xlsx"))
    assert len(files) == province.n_files
    # every puskesmas sends two workbooks a month (one skips a month on purpose) and one SPM recap
    missing = sum(1 for m in province.mess if m["jenis"] == "laporan_tidak_ada" and m["bulan"] <= SMALL.months)
    n_pkm = province.n_puskesmas
    assert province.n_files == n_pkm * SMALL.months * 2 - 2 * missing + n_pkm
    truth = pd.read_csv(root / ".pws" / "demo" / "kebenaran.csv", dtype={"kode_desa": str})
    assert len(truth) == province.n_values
    assert set(truth["bulan"]) == set(range(1, SMALL.months + 1))
    assert set(truth["kode_desa"]) == set(wilayah["kode_desa"])


def test_reports_ingest_to_the_values_drawn(province: DemoSummary, province_store: Path) -> None:
    truth = pd.read_csv(province.root / ".pws" / "demo" / "kebenaran.csv", dtype={"kode_desa": str})
    with Store.for_workspace(Workspace(province_store)) as store:
        obs = store.observations(tahun=YEAR)
        files = store.files()
    assert len(files) == province.n_files and (files["status"] != "gagal").all()
    key = ["tahun", "bulan", "kode_desa", "indikator", "jk"]
    merged = truth.merge(obs[[*key, "nilai"]], on=key, how="left", suffixes=("_benar", "_simpan"))
    assert merged["nilai_simpan"].notna().all()
    assert (merged["nilai_benar"] == merged["nilai_simpan"]).all()
    assert set(obs["kode_desa"].str[:5]) == set(truth["kode_desa"].str[:5])


def test_any_number_of_processes_writes_the_same_province(tmp_path: Path) -> None:
    tiny = dataclasses.replace(SMALL, n_kabupaten=2, kecamatan_per_kabupaten=2, desa_per_kecamatan=4, months=1)
    a = generate_province(tmp_path / "a", seed=9, size=tiny, jobs=1)
    b = generate_province(tmp_path / "b", seed=9, size=tiny, jobs=2)
    assert a.n_files == b.n_files
    for name in ("wilayah.csv", "sasaran.csv", ".pws/demo/kebenaran.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_wilayah_without_kabupaten_columns_takes_the_code_prefix(tmp_path: Path) -> None:
    path = tmp_path / "wilayah.csv"
    path.write_text(
        "kode_desa,nama_desa,kode_kecamatan,nama_kecamatan,kode_puskesmas,nama_puskesmas\n"
        "7312012004,Bonto,731201,Barru,P1,Barru\n"
        "73.13.01.2001,Lalabata,73.13.01,Lilirilau,P2,Cabenge\n",
        encoding="utf-8",
    )
    wilayah, issues = load_wilayah(path)
    assert not issues
    assert wilayah["kode_kabupaten"].tolist() == ["73.12", "73.13"]
    assert wilayah["nama_kabupaten"].tolist() == ["", ""]


def test_cli_demo_takes_a_scale() -> None:
    args = build_parser().parse_args(["demo", "--skala", "provinsi", "--tanpa-ingest"])
    assert args.skala == "provinsi" and args.tanpa_ingest
    assert build_parser().parse_args(["demo"]).skala == "kabupaten"
