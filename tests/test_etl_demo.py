"""Every demo workbook goes through the ETL with exactly the values the generator drew, from the cells it
names, and the mess put in on purpose is reported where it is."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pws.catalogue import default_catalogue
from pws.config import Workspace
from pws.demo import DemoSummary
from pws.etl import FileResult, Tidier, input_files
from pws.workspace import load_workspace

KEY = ["tahun", "bulan", "kode_desa", "indikator", "jk"]


@pytest.fixture(scope="module")
def tidied(demo: DemoSummary) -> list[FileResult]:
    data = load_workspace(Workspace(demo.root))
    tidier = Tidier(data.wilayah, default_catalogue())
    # the desa-level reports (the posyandu SKDN reports under laporan/posyandu/ are tested in test_posyandu.py)
    files = [p for p in input_files([demo.root / "laporan"]) if "posyandu" not in p.relative_to(demo.root).parts]
    return [tidier.tidy(p) for p in files]


@pytest.fixture(scope="module")
def truth(demo: DemoSummary) -> pd.DataFrame:
    return pd.read_csv(demo.root / ".pws" / "demo" / "kebenaran.csv", keep_default_na=False)


@pytest.fixture(scope="module")
def manifest(demo: DemoSummary) -> dict:
    return json.loads((demo.root / ".pws" / "demo" / "manifest.json").read_text(encoding="utf-8"))


def test_every_file_is_recognised_with_family_puskesmas_and_period(tidied: list[FileResult]) -> None:
    for result in tidied:
        assert result.readable, result.path.name
        assert result.family in {"pws_kia", "imunisasi", "rekap_tahunan", "sigizi", "spm"}, result.path.name
        assert result.periods, result.path.name
        if result.family != "sigizi":
            assert result.kode_puskesmas is not None, result.path.name
    by_family = pd.Series([r.family for r in tidied]).value_counts().to_dict()
    assert by_family == {"pws_kia": 217, "imunisasi": 217, "rekap_tahunan": 20, "spm": 20, "sigizi": 2}


def test_every_value_equals_what_the_generator_drew_from_the_same_cell(
    tidied: list[FileResult], truth: pd.DataFrame
) -> None:
    got = pd.concat([r.rows for r in tidied], ignore_index=True)
    assert not got.duplicated(KEY).any()
    merged = truth.merge(got, on=KEY, how="outer", suffixes=("_benar", "_etl"), indicator=True)
    missing = merged[merged["_merge"] == "left_only"]
    extra = merged[merged["_merge"] == "right_only"]
    assert missing.empty, missing.head(10).to_string()
    assert extra.empty, extra.head(10).to_string()
    wrong = merged[merged["nilai_benar"] != merged["nilai_etl"]]
    assert wrong.empty, wrong.head(10).to_string()
    for col in ("sumber_file", "sumber_sheet", "sumber_sel"):
        a = merged[f"{col}_benar"].astype(str).replace("nan", "")
        b = merged[f"{col}_etl"].astype(str).replace("nan", "")
        assert (a == b).all(), merged.loc[a != b, [*KEY, f"{col}_benar", f"{col}_etl"]].head().to_string()


def _issues(tidied: list[FileResult], code: str) -> list:
    return [i for r in tidied for i in r.issues if i.code == code]


def test_injected_problems_are_reported_at_their_cells(tidied: list[FileResult], manifest: dict) -> None:
    mess = manifest["masalah_sengaja"]
    expect = {
        "jumlah_tidak_sama": "jumlah_tidak_sama",
        "kumulatif_tidak_sama": "kumulatif_tidak_sama",
        "l_p_tidak_sama_jml": "l_p_tidak_sama_jml",
        "kumulatif_turun": "kumulatif_turun",
        "baris_ganda": "baris_ganda",
    }
    for item in mess:
        code = expect.get(item["jenis"])
        if code is None:
            continue
        places = {(i.file, i.sheet or "", i.cell) for i in _issues(tidied, code)}
        assert (item["file"], item["sheet"], item["cell"]) in places, (item, sorted(places)[:5])


def test_no_false_alarms_for_the_checks_on_clean_files(tidied: list[FileResult], manifest: dict) -> None:
    injected = {(m.get("file"), m.get("cell")) for m in manifest["masalah_sengaja"]}
    for code in ("jumlah_tidak_sama", "kumulatif_tidak_sama", "l_p_tidak_sama_jml", "kumulatif_turun"):
        false = [i for i in _issues(tidied, code) if (i.file, i.cell) not in injected]
        assert false == [], [str(i) for i in false[:5]]
    assert not _issues(tidied, "desa_tidak_dikenal")
    assert not _issues(tidied, "desa_ragu")
    assert not _issues(tidied, "angka_tidak_valid")
    assert not _issues(tidied, "periode_tidak_ditemukan")


def test_spelling_variants_are_read_and_reported(tidied: list[FileResult], manifest: dict) -> None:
    fuzzy = _issues(tidied, "desa_mirip")
    assert fuzzy, "the misspelt desa must be reported as a fuzzy match"
    assert all(i.severity == "info" for i in fuzzy)
    lalu = _issues(tidied, "bln_lalu_bukan_kumulatif")
    assert lalu  # one puskesmas writes last month's count under BLN LALU
    assert _issues(tidied, "sheet_tersembunyi")  # the SPM helper sheet
