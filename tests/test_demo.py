"""The demo district: a gap-free tiling, realistic reports in five families with the mess on purpose, and a
truth table whose every value sits in the cell it names."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from python_calamine import CalamineWorkbook

from pws.catalogue import default_catalogue
from pws.config import Workspace
from pws.demo import DemoSummary
from pws.demo.district import build_district
from pws.demo.truth import build_truth
from pws.geo import load_boundaries
from pws.numbers import parse_number
from pws.workspace import load_workspace


def test_villages_tile_the_district_without_gaps_or_overlaps() -> None:
    desa = build_district(7).desa
    geoms = desa.geometry.to_numpy()
    assert 100 <= len(desa) <= 140
    assert all(shapely.is_valid(geoms))
    assert shapely.coverage_is_valid(geoms)
    union = shapely.union_all(geoms)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0  # no gaps
    assert sum(g.area for g in geoms) == pytest.approx(union.area, rel=1e-9)  # no overlaps


def test_district_shape_puskesmas_and_kecamatan() -> None:
    desa = build_district().desa
    assert desa["kode_puskesmas"].nunique() == 10
    assert desa["kode_kecamatan"].nunique() == 9
    per_kec = desa.groupby("kode_kecamatan")["kode_puskesmas"].nunique()
    assert sorted(per_kec.tolist()) == [1] * 8 + [2]  # one kecamatan holds two puskesmas
    assert (desa.groupby("kode_puskesmas")["kode_kecamatan"].nunique() == 1).all()
    assert set(desa["jenis"]) == {"desa", "kelurahan"}
    assert desa["kode_desa"].str.match(r"^99\.01\.\d{2}\.[12]\d{3}$").all()
    assert (desa["alias"] != "").sum() == 1
    # names sound Indonesian: built from the word lists, and unique inside a kecamatan
    assert not desa.duplicated(["kode_kecamatan", "nama_desa"]).any()


def test_generation_is_deterministic_and_seed_dependent() -> None:
    catalogue = default_catalogue()
    a = build_district(11)
    b = build_district(11)
    c = build_district(12)
    assert a.desa.drop(columns="geometry").equals(b.desa.drop(columns="geometry"))
    assert all(shapely.equals_exact(a.desa.geometry.to_numpy(), b.desa.geometry.to_numpy(), tolerance=0))
    assert not a.desa["nama_desa"].equals(c.desa["nama_desa"])
    frame = pd.DataFrame(a.desa.drop(columns="geometry"))
    ta = build_truth(frame, catalogue, np.random.default_rng(1))
    tb = build_truth(frame, catalogue, np.random.default_rng(1))
    pd.testing.assert_frame_equal(ta.counts, tb.counts)


def test_whole_demo_workspace_is_identical_for_the_same_seed(demo: DemoSummary, tmp_path: Path) -> None:
    from pws.demo import generate

    again = generate(tmp_path / "again")
    first = (demo.root / ".pws" / "demo" / "kebenaran.csv").read_bytes()
    second = (again.root / ".pws" / "demo" / "kebenaran.csv").read_bytes()
    assert first == second
    for name in ("wilayah.csv", "sasaran.csv", "target.csv"):
        assert (demo.root / name).read_bytes() == (again.root / name).read_bytes()


def test_workspace_files_load_cleanly_except_the_injected_gap(demo: DemoSummary) -> None:
    data = load_workspace(Workspace(demo.root))
    assert len(data.wilayah) == demo.n_desa
    assert [i.code for i in data.issues] == ["desa_tanpa_sasaran"]
    assert "HT_EST" in data.issues[0].message()
    assert set(data.sasaran["tahun"]) == {2024, 2025}
    assert set(data.target["indikator"]) >= {"K4", "K6", "IDL"}
    boundaries, issues = load_boundaries(demo.root / "batas_desa.geojson", wilayah=data.wilayah)
    assert len(boundaries) == demo.n_desa
    assert [i for i in issues if i.severity != "info"] == []


def test_report_families_periods_and_file_counts(demo: DemoSummary) -> None:
    fam = demo.files_by_family
    assert set(fam) == {"pws_kia", "imunisasi", "rekap_tahunan", "spm", "sigizi", "posyandu_skdn"}
    # 10 puskesmas x (12 + 10 months) minus the 3 months one puskesmas never sent
    assert fam["pws_kia"] == fam["imunisasi"] == 10 * 22 - 3
    assert fam["posyandu_skdn"] == 10 * 10 - 2  # 2025 only
    assert fam["rekap_tahunan"] == fam["spm"] == 20 and fam["sigizi"] == 2
    files = list((demo.root / "laporan").rglob("*.*"))
    assert len(files) == demo.n_files
    truth = pd.read_csv(demo.root / ".pws" / "demo" / "kebenaran.csv")
    assert truth.groupby("tahun")["bulan"].max().to_dict() == {2024: 12, 2025: 10}
    assert set(truth["jk"]) == {"L", "P", "T"}


def _cell(path: Path, sheet: str, address: str) -> object:
    if path.suffix == ".csv":
        text = path.read_text(encoding="utf-8").splitlines()
        sep = ";" if text[0].count(";") > text[0].count(",") else ","
        col = 0
        letters = "".join(ch for ch in address if ch.isalpha())
        for ch in letters:
            col = col * 26 + ord(ch) - 64
        row = int(address[len(letters) :])
        return text[row - 1].split(sep)[col - 1]
    wb = CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    letters = "".join(ch for ch in address if ch.isalpha())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    row = int(address[len(letters) :])
    return rows[row - 1][col - 1]


def test_every_sampled_truth_value_is_in_the_cell_it_names(demo: DemoSummary) -> None:
    truth = pd.read_csv(demo.root / ".pws" / "demo" / "kebenaran.csv", keep_default_na=False)
    files = {p.name: p for p in (demo.root / "laporan").rglob("*.*")}
    rng = random.Random(5)
    sigizi = truth[truth["sumber_file"].str.startswith("sigizi")]
    sample = [*rng.sample(range(len(truth)), 250)]
    for i in sample:
        rec = truth.iloc[i]
        raw = _cell(files[rec["sumber_file"]], rec["sumber_sheet"], rec["sumber_sel"])
        value = parse_number(raw if raw != "" else None)
        cumulative = rec["sumber_file"].startswith("sigizi") and "s/d" in str(rec["indikator"])
        if not cumulative and rec["indikator"] not in ("TTD", "YANKES_BALITA", "RM_TTD"):
            assert (value or 0) == rec["nilai"], (rec.to_dict(), raw)
    # cumulative SIGIZI columns: the January cell equals the monthly value
    jan = sigizi[(sigizi["bulan"] == 1) & (sigizi["indikator"] == "TTD")].iloc[0]
    assert parse_number(_cell(files[jan["sumber_file"]], "", jan["sumber_sel"])) == jan["nilai"]


def test_the_mess_is_there_on_purpose(demo: DemoSummary) -> None:
    manifest = json.loads((demo.root / ".pws" / "demo" / "manifest.json").read_text(encoding="utf-8"))
    kinds = {m["jenis"] for m in manifest["masalah_sengaja"]}
    assert kinds >= {
        "jumlah_tidak_sama",
        "kumulatif_tidak_sama",
        "l_p_tidak_sama_jml",
        "kumulatif_turun",
        "baris_ganda",
        "laporan_tidak_ada",
        "pencilan",
        "k4_melebihi_k1",
        "desa_tanpa_sasaran",
    }
    names = [p.name for p in (demo.root / "laporan").rglob("*.xlsx")]
    assert any("NOPEMBER" in n for n in names)  # old spelling in file names and titles
    assert any(n.startswith("lap kia") for n in names)  # month only in the title
    assert any(n.startswith("KIA_") for n in names)  # month only in the file name
    files = {p.name: p for p in (demo.root / "laporan").rglob("*.*")}
    kum = next(m for m in manifest["masalah_sengaja"] if m["jenis"] == "kumulatif_tidak_sama")
    path = files[kum["file"]]
    col_letter = "".join(ch for ch in kum["cell"] if ch.isalpha())
    row = int(kum["cell"][len(col_letter) :])
    lalu = parse_number(_cell(path, kum["sheet"], f"{chr(ord(col_letter) - 2)}{row}")) or 0
    ini = parse_number(_cell(path, kum["sheet"], f"{chr(ord(col_letter) - 1)}{row}")) or 0
    assert parse_number(_cell(path, kum["sheet"], kum["cell"])) == lalu + ini + 3
    # dashes for zero, numbers stored as text and a pseudo-village row appear in the PWS KIA reports
    texts: set[str] = set()
    for p in sorted(files.values()):
        if p.name.startswith("PWS KIA"):
            for row_values in CalamineWorkbook.from_path(str(p)).get_sheet_by_index(0).to_python():
                texts.update(v for v in row_values if isinstance(v, str))
    assert "-" in texts
    assert "LUAR WILAYAH" in texts
    assert any(t.isdigit() for t in texts)
