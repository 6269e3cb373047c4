"""The real SIGIZI-KESGA export of Kab. Malang (../shared/data/real, skipped when absent) through ``pws tidy``
with a master list built from the real Malang village polygons."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from pws.cli import main
from pws.etl.names import normalize_name


def _key(text: object) -> str:
    return normalize_name(text).replace(" ", "")


@pytest.fixture(scope="module")
def malang_wilayah(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """wilayah.csv for Kab. Malang: Kemendagri codes from the polygons, puskesmas from SIGIZI's own desa list
    (joined within the puskesmas' kecamatan); the three desa SIGIZI spells differently go to their kecamatan's
    first puskesmas, as a dinkes would assign them by hand."""
    real = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
    if not (real / "sigizi-kab-malang").is_dir():
        pytest.skip("../shared/data/real is not present (fresh clone)")
    desa = gpd.read_file(real / "cahyadsn-wilayah-boundaries" / "desa_3507_malang.geojson")
    catchment = gpd.read_file(real / "sigizi-kab-malang" / "puskesmas_wilayah_kerja_kab_malang.geojson")
    ref = pd.read_csv(real / "sigizi-kab-malang" / "ref_puskesmas_desa.csv")
    kec_of_name = {_key(n): k for k, n in zip(desa["kode_kec"], desa["nama_kec"], strict=True)}
    pkm_kec = {
        _key(p): kec_of_name.get(_key(k))
        for p, k in zip(catchment["nama_puskesmas"], catchment["nama_kecamatan"], strict=True)
    }
    code_of = {p: f"P3507{i:03d}" for i, p in enumerate(sorted(set(ref["Puskesmas"])))}
    assigned: dict[str, str] = {}
    for pkm, name in zip(ref["Puskesmas"], ref["Kelurahan"], strict=True):
        hits = desa[(desa["kode_kec"] == pkm_kec.get(_key(pkm))) & (desa["nama"].map(_key) == _key(name))]
        if len(hits) == 1:
            assigned[hits["kode"].iloc[0]] = pkm
    first_pkm_of_kec = {}
    for pkm in sorted(set(ref["Puskesmas"])):
        first_pkm_of_kec.setdefault(pkm_kec.get(_key(pkm)), pkm)
    rows = []
    for rec in desa.itertuples():
        pkm = assigned.get(rec.kode) or first_pkm_of_kec[rec.kode_kec]
        rows.append((rec.kode, rec.nama, rec.kode_kec, rec.nama_kec, code_of[pkm], pkm))
    out = tmp_path_factory.mktemp("malang") / "wilayah.csv"
    cols = ["kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan", "kode_puskesmas", "nama_puskesmas"]
    pd.DataFrame(rows, columns=cols).to_csv(out, index=False)
    return out


def test_real_sigizi_export_resolves_every_desa_but_real_spelling_variants(
    malang_wilayah: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real" / "sigizi-kab-malang"
    files = [
        str(src / "sigizi_balita_gizi_per_desa_bulan01-02.csv"),
        str(src / "sigizi_balita_kia_per_desa_bulan01-02.csv"),
    ]
    out = tmp_path / "rapi.csv"
    code = main(["tidy", *files, "--wilayah", str(malang_wilayah), "--tahun", "2025", "-o", str(out), "--json"])
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err
    tidy = pd.read_csv(out)
    raw = pd.read_csv(files[0])
    # every (puskesmas, desa, month) row of the export became tidy rows for a known desa
    assert tidy["kode_desa"].str.startswith("35.07.").all()
    got_pairs = tidy[tidy["sumber_file"] == Path(files[0]).name].groupby(["bulan", "kode_desa"]).ngroups
    assert got_pairs == len(raw)  # 265 desa-months, none lost
    assert set(tidy["indikator"]) >= {"BALITA_D", "STUNTING", "WASTING"}
    assert set(tidy["bulan"]) == {1, 2} and set(tidy["tahun"]) == {2025}
    # the known spelling variants are read and reported with the desa they were matched to
    out_text = captured.out
    assert "desa_tidak_dikenal" not in out_text and "desa_ragu" not in out_text
    for variant in ("SUMBERREJO", "GUBUKKLAKAH", "BANJARREJO"):
        if variant in set(raw["Kelurahan"]):
            assert variant in out_text, variant
    # values are the export's own numbers, from the cell they were in
    first = raw.iloc[0]
    row = tidy[(tidy["indikator"] == "BALITA_D") & (tidy["sumber_sel"] == "G2")]
    assert float(row["nilai"].iloc[0]) == float(first["Jumlah_balita_ditimbang"])
