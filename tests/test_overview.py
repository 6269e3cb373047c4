"""The overview for the head of office (pws.analysis.overview): key indicators per life stage and their override
file, the stage summary, the league table and the desa needing attention. Expectations come from the service's
own frames (desa tables and aggregates of the ingested demo), computed here independently."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pws import service
from pws.analysis import overview
from pws.catalogue import default_catalogue
from pws.config import Workspace

TAHUN, BULAN = 2025, 6


@pytest.fixture(scope="module")
def ws(demo_store: Path) -> Workspace:
    return Workspace(demo_store)


def _write(root: Path, text: str) -> Workspace:
    root.mkdir(parents=True, exist_ok=True)
    (root / overview.KEY_INDICATOR_FILE).write_text(text, encoding="utf-8")
    return Workspace(root)


# ---------------------------------------------------------------------------------------------- key indicators


def test_default_key_indicators_cover_every_life_stage_with_known_codes_of_that_stage() -> None:
    catalogue = default_catalogue()
    keys = overview.key_indicators(catalogue)
    stages = [code for code, _, _ in catalogue.tahap]
    assert set(overview.KEY_INDICATORS) == set(stages)
    assert [s for s, _ in keys] == sorted((s for s, _ in keys), key=stages.index)  # life-cycle order
    for stage in stages:
        codes = [k for s, k in keys if s == stage]
        assert 1 <= len(codes) <= overview.MAX_PER_STAGE, stage
        for code in codes:
            assert code in catalogue.indicators
            assert catalogue.indicators[code].tahap == stage
    assert len(set(keys)) == len(keys)


def test_a_workspace_without_the_file_uses_the_defaults(tmp_path: Path) -> None:
    catalogue = default_catalogue()
    keys, issues = overview.load_key_indicators(Workspace(tmp_path), catalogue)
    assert keys == overview.default_key_indicators(catalogue) and issues == []


def test_the_override_file_replaces_the_stages_it_names_and_keeps_the_others(tmp_path: Path) -> None:
    catalogue = default_catalogue()
    ws = _write(tmp_path / "ws", "tahap;indikator\nbalita;BALITA_D\nibu_hamil;k6\nbalita;YANKES_BALITA\n")
    keys, issues = overview.load_key_indicators(ws, catalogue)
    assert issues == []
    defaults = overview.default_key_indicators(catalogue)
    by_stage: dict[str, list[str]] = {}
    for stage, code in keys:
        by_stage.setdefault(stage, []).append(code)
    assert by_stage["ibu_hamil"] == ["K6"]
    assert by_stage["balita"] == ["BALITA_D", "YANKES_BALITA"]
    for stage, code in defaults:
        if stage not in ("ibu_hamil", "balita"):
            assert (stage, code) in keys
    stages = [code for code, _, _ in catalogue.tahap]
    assert [s for s, _ in keys] == sorted((s for s, _ in keys), key=stages.index)
    assert overview.key_indicators(ws, catalogue) == keys


def test_bad_rows_of_the_override_file_are_reported_with_their_row_and_left_out(tmp_path: Path) -> None:
    catalogue = default_catalogue()
    text = "\n".join(
        [
            "tahap,indikator",
            "ibu_hamil,K1",  # 2 ok
            "hamil,K4",  # 3 unknown stage
            "lansia,TIDAKADA",  # 4 unknown indicator
            "ibu_hamil,K1",  # 5 repeated
            "ibu_hamil,K4",  # 6 ok
            "ibu_hamil,K6",  # 7 ok (third)
            "ibu_hamil,TTD",  # 8 one too many
            "penyakit_menular,HIV_TES",  # 9 ok
            "ibu_hamil,",  # 10 empty indicator
            ",",  # 11 blank line: ignored
            "balita,HIV_TES",  # 12 another stage's indicator: used, flagged
        ]
    )
    keys, issues = overview.load_key_indicators(_write(tmp_path / "ws", text), catalogue)
    found = {(i.code, i.row) for i in issues}
    assert found == {
        ("indikator_utama_tahap_tidak_dikenal", 3),
        ("indikator_utama_tidak_dikenal", 4),
        ("indikator_utama_ganda", 5),
        ("indikator_utama_terlalu_banyak", 8),
        ("indikator_utama_tidak_dikenal", 10),
        ("indikator_utama_beda_tahap", 12),
    }
    assert all(i.file == overview.KEY_INDICATOR_FILE for i in issues)
    assert [k for s, k in keys if s == "ibu_hamil"] == ["K1", "K4", "K6"]
    assert [k for s, k in keys if s == "penyakit_menular"] == ["HIV_TES"]
    assert [k for s, k in keys if s == "balita"] == ["HIV_TES"]
    assert [k for s, k in keys if s == "lansia"] == list(overview.KEY_INDICATORS["lansia"])
    severities = {i.code: i.severity for i in issues}
    assert severities["indikator_utama_beda_tahap"] == "warning"
    assert severities["indikator_utama_tidak_dikenal"] == "error"
    assert all(i.message("id") and i.message("en") for i in issues)


def test_an_override_file_without_its_columns_keeps_the_defaults(tmp_path: Path) -> None:
    catalogue = default_catalogue()
    keys, issues = overview.load_key_indicators(_write(tmp_path / "ws", "stage,code\nbalita,BALITA_D\n"), catalogue)
    assert keys == overview.default_key_indicators(catalogue)
    assert [i.code for i in issues] == ["kolom_wajib_hilang"]


# ---------------------------------------------------------------------------------------------- stage summary


def _same(a: object, b: object) -> bool:
    x, y = pd.to_numeric(pd.Series([a, b], dtype=object), errors="coerce").astype(float)
    return (math.isnan(x) and math.isnan(y)) or bool(np.isclose(x, y))


def test_stage_summary_gives_the_kabupaten_rows_of_the_service(ws: Workspace) -> None:
    catalogue = service.workspace_data(ws).catalogue
    keys = overview.key_indicators(catalogue)
    aggregates = {k: service.aggregate_table(ws, TAHUN, BULAN, k, "kabupaten") for _, k in keys}
    summary = overview.stage_summary(keys, aggregates, catalogue, lang="id")
    assert list(summary.columns) == overview.SUMMARY_COLUMNS
    assert list(zip(summary["tahap"], summary["indikator"], strict=True)) == keys
    for row in summary.to_dict("records"):
        kab = service.aggregate_table(ws, TAHUN, BULAN, row["indikator"], "kabupaten").iloc[0]
        for col in ("cakupan_kumulatif", "target_sd_bulan", "kesenjangan", "kesenjangan_orang"):
            assert _same(row[col], kab[col]), (row["indikator"], col)
        assert row["status"] == kab["status"]
        # counted again from the desa table
        desa = service.table(ws, TAHUN, BULAN, row["indikator"])
        assert row["desa_jelek"] == int((desa["status"] == "Jelek").sum())
        assert row["desa_baik"] == int((desa["status"] == "Baik").sum())
        assert row["desa_dilaporkan"] == int(desa["dilaporkan"].sum())
        assert row["jumlah_desa"] == len(desa)
        assert row["nama"] == catalogue.indicators[row["indikator"]].nama_id
    assert summary["desa_jelek"].sum() > 0  # the demo has Jelek desa: the comparison above is not vacuous


def test_stage_summary_of_one_puskesmas_counts_only_its_desa(ws: Workspace) -> None:
    catalogue = service.workspace_data(ws).catalogue
    pkm = str(service.puskesmas_list(ws)["kode_puskesmas"].iloc[3])
    keys = overview.key_indicators(catalogue)
    aggregates = {k: service.aggregate_table(ws, TAHUN, BULAN, k, "puskesmas") for _, k in keys}
    summary = overview.stage_summary(keys, aggregates, catalogue, area=pkm)
    for row in summary.to_dict("records"):
        desa = service.table(ws, TAHUN, BULAN, row["indikator"])
        own = desa[desa["kode_puskesmas"] == pkm]
        assert row["jumlah_desa"] == len(own) > 0
        assert row["desa_jelek"] == int((own["status"] == "Jelek").sum())
        valid = own["sasaran"].fillna(0) > 0
        expected = 100 * own.loc[valid, "kumulatif"].sum() / own.loc[valid, "sasaran"].sum()
        if row["jenis"] != "prevalensi":
            assert np.isclose(row["cakupan_kumulatif"], expected)


def test_an_indicator_without_rows_is_shown_as_no_data() -> None:
    catalogue = default_catalogue()
    summary = overview.stage_summary([("ibu_hamil", "K4")], {}, catalogue)
    row = summary.iloc[0]
    assert row["status"] == "NO_DATA" and math.isnan(row["cakupan_kumulatif"]) and pd.isna(row["desa_jelek"])


# ---------------------------------------------------------------------------------------------- league


def _league_key(gap: float, jelek: float, kode: str) -> tuple:
    return (math.isnan(gap), -gap if not math.isnan(gap) else 0.0, jelek if not math.isnan(jelek) else math.inf, kode)


def test_the_league_ranks_puskesmas_by_coverage_minus_target_to_date(ws: Workspace) -> None:
    for indikator in ("K4", "IDL", "SKRINING_SEK"):
        rows = service.aggregate_table(ws, TAHUN, BULAN, indikator, "puskesmas")
        table = overview.league(rows)
        assert list(table.columns) == overview.LEAGUE_COLUMNS
        assert list(table["peringkat"]) == list(range(1, len(rows) + 1))
        gap = rows["cakupan_kumulatif"] - rows["target_sd_bulan"]  # all higher-is-better
        expected = sorted(
            zip(gap, rows["desa_jelek"].astype(float), rows["kode"], strict=True), key=lambda r: _league_key(*r)
        )
        assert list(table["kode"]) == [kode for _, _, kode in expected]
        assert np.allclose(table["kesenjangan"], [g for g, _, _ in expected])
        lookup = rows.set_index("kode")
        assert list(table["desa_jelek"]) == [int(lookup.loc[k, "desa_jelek"]) for k in table["kode"]]
        assert list(table["nama"]) == [lookup.loc[k, "nama"] for k in table["kode"]]


def test_league_ties_go_to_fewer_desa_jelek_then_code_and_no_coverage_comes_last() -> None:
    rows = pd.DataFrame(
        {
            "tingkat": "puskesmas",
            "kode": ["P4", "P1", "P2", "P3", "P5"],
            "nama": ["D", "A", "B", "C", "E"],
            "cakupan_kumulatif": [np.nan, 40.0, 40.0, 40.0, 60.0],
            "target_sd_bulan": [50.0] * 5,
            "kesenjangan": [np.nan, -10.0, -10.0, -10.0, 10.0],
            "kesenjangan_orang": [None, 5, 5, 5, 0],
            "status": ["NO_DATA", "Jelek", "Cukup", "Cukup", "Baik"],
            "status_target": ["NO_DATA", "Tidak tercapai", "Tidak tercapai", "Tidak tercapai", "Tercapai"],
            "desa_jelek": [0, 3, 1, 1, 0],
            "desa_dilaporkan": [0, 5, 5, 5, 5],
            "jumlah_desa": [5] * 5,
        }
    )
    assert list(overview.league(rows)["kode"]) == ["P5", "P2", "P3", "P1", "P4"]


def test_the_league_inside_one_puskesmas_has_only_its_desa(ws: Workspace) -> None:
    pkm = str(service.puskesmas_list(ws)["kode_puskesmas"].iloc[0])
    desa = service.table(ws, TAHUN, BULAN, "K4")
    table = overview.league(overview.in_puskesmas(desa, pkm))
    wilayah = service.workspace_data(ws).wilayah
    assert set(table["kode"]) == set(wilayah.loc[wilayah["kode_puskesmas"] == pkm, "kode_desa"])
    assert (table["tingkat"] == "desa").all() and table["desa_jelek"].isna().all()
    gaps = table["kesenjangan"].dropna().to_numpy()
    assert (np.diff(gaps) <= 1e-12).all()


# ---------------------------------------------------------------------------------------------- attention


@pytest.mark.parametrize("indikator", ["K4", "TB_TERDUGA", "SKRINING_SEK"])
def test_attention_lists_desa_behind_target_jelek_first_then_most_persons(ws: Workspace, indikator: str) -> None:
    desa = service.table(ws, TAHUN, BULAN, indikator)
    behind = [
        r for r in desa.to_dict("records") if not pd.isna(r["kesenjangan_orang"]) and int(r["kesenjangan_orang"]) > 0
    ]
    behind.sort(key=lambda r: (r["status"] != "Jelek", -int(r["kesenjangan_orang"]), r["kesenjangan"], r["kode_desa"]))
    top = overview.attention(desa)
    assert list(top.columns) == overview.ATTENTION_COLUMNS
    assert len(top) == min(overview.ATTENTION_N, len(behind)) > 0
    assert list(top["kode_desa"]) == [r["kode_desa"] for r in behind[: overview.ATTENTION_N]]
    assert list(top["peringkat"]) == list(range(1, len(top) + 1))
    assert (top["kesenjangan_orang"] > 0).all()
    assert list(overview.attention(desa, n=3)["kode_desa"]) == list(top["kode_desa"][:3])


def test_attention_inside_one_puskesmas_has_only_its_desa(ws: Workspace) -> None:
    pkm = str(service.puskesmas_list(ws)["kode_puskesmas"].iloc[5])
    desa = service.table(ws, TAHUN, BULAN, "K4")
    top = overview.attention(overview.in_puskesmas(desa, pkm))
    assert len(top) > 0 and (top["kode_puskesmas"] == pkm).all()
    own = desa[(desa["kode_puskesmas"] == pkm) & (desa["kesenjangan_orang"].fillna(0) > 0)]
    assert len(top) == min(overview.ATTENTION_N, len(own))


def test_attention_is_empty_when_every_desa_is_on_target() -> None:
    desa = pd.DataFrame(
        {
            "kode_desa": ["1", "2"],
            "kesenjangan_orang": pd.array([0, None], dtype="Int64"),
            "kesenjangan": [1.0, np.nan],
            "status": ["Baik", "NO_DATA"],
            **{c: None for c in overview.ATTENTION_COLUMNS if c not in ("peringkat", "kode_desa", "kesenjangan",
                                                                            "kesenjangan_orang", "status")},
        }
    )  # fmt: skip
    assert overview.attention(desa).empty
