"""The PWS analysis engine on small synthetic districts: every rule of domain.md §1.2–§1.4 (with the test vectors
of §1.4b), sasaran and targets, target3 and campaign indicators, aggregation (ratio of sums), ranking, series,
smoothing, properties, and ``status_for_cli`` on a tiny workspace with a real store."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from pws.analysis import (
    CONTRACT_COLUMNS,
    EXTRA_COLUMNS,
    SETTINGS_HELP,
    STATUSES,
    Settings,
    UnknownIndicatorError,
    aggregate,
    coverage_series,
    pws_table,
    ranking,
    sasaran_for,
    smooth_coverage,
    status_for_cli,
    target_for,
    wilson_interval,
)
from pws.analysis.coverage import TARGET_STATUSES, TRENDS, MonthlyCounts, PwsInputs
from pws.catalogue import default_catalogue
from pws.config import Workspace
from pws.etl.model import TIDY_COLUMNS, FileResult
from pws.etl.store import DATABASE_URL_ENV, Store

CAT = default_catalogue()
YEAR = 2025
PKM = "P9901010201"
PKM2 = "P9901010202"


# ---------------------------------------------------------------------- a small synthetic district


def _code(i: int) -> str:
    return f"99.01.01.{2001 + i}"


def make_wilayah(n: int, puskesmas: list[str] | None = None) -> pd.DataFrame:
    pkm = puskesmas or [PKM] * n
    return pd.DataFrame(
        {
            "kode_desa": [_code(i) for i in range(n)],
            "nama_desa": [f"Desa {i}" for i in range(n)],
            "kode_kecamatan": "99.01.01",
            "nama_kecamatan": "Kecamatan Satu",
            "kode_puskesmas": pkm,
            "nama_puskesmas": [f"Puskesmas {p}" for p in pkm],
            "jenis": "desa",
            "alias": "",
        }
    )


def make_sasaran(values: Mapping[str, float | None], jenis: str, tahun: int = YEAR) -> pd.DataFrame:
    rows = [(tahun, kode, jenis, float(v), "berkas") for kode, v in values.items() if v is not None]
    return pd.DataFrame(rows, columns=["tahun", "kode_desa", "jenis_sasaran", "jumlah", "metode"])


def make_obs(series: Mapping[str, Sequence[float | None]], indikator: str, tahun: int = YEAR) -> pd.DataFrame:
    """Tidy ``T`` rows: ``series[kode][k]`` is the count of month k+1 (None = no report that month)."""
    rows = []
    for kode, counts in series.items():
        for month, value in enumerate(counts, start=1):
            if value is not None:
                rows.append((tahun, month, kode, kode, PKM, indikator, "T", float(value), "f.xlsx", "S", "A1"))
    return pd.DataFrame(rows, columns=TIDY_COLUMNS)


def make_targets(rows: list[tuple[int, str, float, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["tahun", "indikator", "target", "kode_puskesmas", "kode_desa"])


def table_for(
    series: Mapping[str, Sequence[float | None]],
    sas: Mapping[str, float | None],
    bulan: int,
    indikator: str = "MR1",
    target: float | None = 90.0,
    settings_: Settings | None = None,
    extra_obs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    codes = list(dict.fromkeys([*series, *sas]))
    wilayah = make_wilayah(len(codes))
    rename = {c: _code(i) for i, c in enumerate(codes)}
    obs = make_obs({rename[k]: v for k, v in series.items()}, indikator)
    if extra_obs is not None:
        obs = pd.concat([obs, extra_obs.assign(kode_desa=extra_obs["kode_desa"].map(rename))], ignore_index=True)
    sasaran = make_sasaran({rename[k]: v for k, v in sas.items()}, CAT.indicators[indikator].sasaran)
    targets = make_targets([(YEAR, indikator, target, "", "")]) if target is not None else None
    table = pws_table(obs, sasaran, targets, CAT, wilayah, YEAR, bulan, indikator, settings_ or Settings())
    table.index = pd.Index(codes)
    return table


# ---------------------------------------------------------------------- domain §1.4b test vectors

#: desa -> (sasaran, monthly counts Jan..Jun) so that cum %, % this month and % last month are those of §1.4b
VECTORS = {
    "A": (100, [10, 10, 5, 5, 10, 20]),  # 60, 20, 10
    "C": (100, [12, 10, 10, 10, 6, 10]),  # 58, 10, 6
    "B": (200, [20, 15, 15, 15, 15, 20]),  # 50, 10, 7.5
    "D": (100, [6, 6, 6, 6, 8, 8]),  # 40, 8, 8
    "E": (100, [5, 5, 5, 5, 5, 5]),  # 30, 5, 5
    "kurang": (100, [9, 9, 9, 9, 9, 5]),  # 50, 5, 9
    "cukup": (100, [4, 4, 4, 4, 5, 9]),  # 30, 9, 5
}
#: desa -> (cum %, % this month, % last month, posisi, tren, status) as printed in domain.md §1.4b
EXPECTED = {
    "A": (60, 20, 10, "atas", "naik", "Baik"),
    "C": (58, 10, 6, "atas", "naik", "Baik"),
    "B": (50, 10, 7.5, "atas", "naik", "Baik"),
    "D": (40, 8, 8, "bawah", "tetap", "Jelek"),
    "E": (30, 5, 5, "bawah", "tetap", "Jelek"),
    "kurang": (50, 5, 9, "atas", "turun", "Kurang"),
    "cukup": (30, 9, 5, "bawah", "naik", "Cukup"),
}


def _vector_table(settings_: Settings | None = None) -> pd.DataFrame:
    series: dict[str, list[float | None]] = {k: list(v[1]) for k, v in VECTORS.items()}
    return table_for(series, {k: v[0] for k, v in VECTORS.items()}, 6, settings_=settings_)


@pytest.mark.parametrize("desa", list(EXPECTED))
def test_domain_1_4b_worked_measles_example_june_target_45_gives_the_source_status(desa: str) -> None:
    row = _vector_table().loc[desa]
    cum, this, last, posisi, tren, status = EXPECTED[desa]
    assert row["target_sd_bulan"] == pytest.approx(45.0)
    assert row["cakupan_kumulatif"] == pytest.approx(cum)
    assert row["cakupan_bulan_ini"] == pytest.approx(this)
    assert row["cakupan_bulan_lalu"] == pytest.approx(last)
    assert (row["posisi"], row["tren"], row["status"]) == (posisi, tren, status)
    assert row["kesenjangan"] == pytest.approx(cum - 45.0)


def test_domain_1_4_open_point_1_below_target_unchanged_is_cukup_when_configured_as_in_s1() -> None:
    table = _vector_table(Settings(below_target_unchanged="Cukup"))
    assert table.loc["D", "status"] == "Cukup"  # [S1] labels desa D Cukup
    assert table.loc["A", "status"] == "Baik"
    assert table.loc["kurang", "status"] == "Kurang"
    assert table.loc["cukup", "status"] == "Cukup"


def test_contract_4_columns_come_first_in_order_then_the_documented_extras() -> None:
    table = _vector_table()
    assert list(table.columns) == CONTRACT_COLUMNS + EXTRA_COLUMNS
    assert set(table["tren"]) <= set(TRENDS)
    assert set(table["posisi"]) <= {"atas", "bawah"}


# ---------------------------------------------------------------------- target line


def test_domain_1_3_k1_annual_80_gives_60_percent_by_september_s2() -> None:
    table = table_for({"x": [5] * 9}, {"x": 100}, 9, indikator="K1", target=80.0)
    assert table.loc["x", "target_sd_bulan"] == pytest.approx(60.0)  # 9 × 80/12 (the source truncates to 59.4)


def test_domain_1_3_annual_90_prorates_to_45_percent_in_june_s1() -> None:
    table = table_for({"x": [1] * 6}, {"x": 100}, 6, target=90.0)
    assert table.loc["x", "target_sd_bulan"] == pytest.approx(45.0)
    assert table.loc["x", "target_tahunan"] == pytest.approx(90.0)


def test_domain_1_2_flat_target_line_setting_uses_the_annual_target_every_month_s3() -> None:
    flat = Settings(target_line="datar")
    series: dict[str, list[float | None]] = {"A": list(VECTORS["A"][1])}
    table = table_for(series, {"A": 100}, 6, settings_=flat)
    assert table.loc["A", "target_sd_bulan"] == pytest.approx(90.0)
    assert table.loc["A", "posisi"] == "bawah"  # 60 % is below a flat 90 %
    assert table.loc["A", "status"] == "Cukup"  # ... and rising


def test_domain_1_4_open_point_2_equality_with_the_target_counts_as_atas() -> None:
    exact = table_for({"x": [9, 9, 9, 9, 9, 0]}, {"x": 100}, 6)  # 45 % = 90 × 6/12
    assert exact.loc["x", "posisi"] == "atas"
    assert exact.loc["x", "status"] == "Kurang"  # atas and falling (9 -> 0)
    # 7/12 of 100 % by July: 7 of 12 persons, equal up to floating point
    fp = table_for({"x": [1, 1, 1, 1, 1, 1, 1]}, {"x": 12}, 7, target=100.0)
    assert fp.loc["x", "posisi"] == "atas"
    assert fp.loc["x", "status"] == "Baik"
    assert fp.loc["x", "kesenjangan_orang"] == 0


def test_catalogue_default_target_is_used_when_target_csv_has_no_row() -> None:
    table = table_for({"x": [1] * 6}, {"x": 100}, 6, indikator="K4", target=None)
    assert table.loc["x", "target_tahunan"] == pytest.approx(CAT.indicators["K4"].target)


def test_target_precedence_desa_over_puskesmas_over_kabupaten_over_catalogue() -> None:
    wilayah = make_wilayah(4, [PKM, PKM, PKM2, PKM2])
    targets = make_targets(
        [
            (YEAR, "K4", 80.0, "", ""),
            (YEAR, "K4", 85.0, PKM, ""),
            (YEAR, "K4", 70.0, "", _code(1)),
            (YEAR - 1, "K4", 10.0, "", ""),  # another year: not carried over
            (YEAR, "K1", 50.0, "", ""),  # another indicator
        ]
    )
    got = target_for(targets, CAT, YEAR, "K4", wilayah)
    assert got.tolist() == [85.0, 70.0, 80.0, 80.0]
    assert target_for(targets, CAT, YEAR + 1, "K4", wilayah).tolist() == [95.0] * 4  # catalogue default
    assert target_for(None, CAT, YEAR, "K4", wilayah).tolist() == [95.0] * 4


# ---------------------------------------------------------------------- January


def test_domain_1_4_open_point_3_january_compares_with_december_of_the_previous_year_when_loaded() -> None:
    december = make_obs({"x": [None] * 11 + [10.0], "y": [None] * 11 + [2.0]}, "MR1", tahun=YEAR - 1)
    table = table_for({"x": [5], "y": [5]}, {"x": 100, "y": 100}, 1, extra_obs=december)
    assert table.loc["x", "target_sd_bulan"] == pytest.approx(7.5)
    assert (table.loc["x", "tren"], table.loc["x", "posisi"], table.loc["x", "status"]) == ("turun", "bawah", "Jelek")
    assert (table.loc["y", "tren"], table.loc["y", "status"]) == ("naik", "Cukup")
    assert table.loc["x", "cakupan_bulan_lalu"] == pytest.approx(10.0)
    assert not table["status_tanpa_tren"].any()


def test_domain_1_4_open_point_3_january_without_december_gives_status_from_position_only() -> None:
    table = table_for({"atas": [8], "bawah": [5]}, {"atas": 100, "bawah": 100}, 1)
    assert table["tren"].isna().all()
    assert table["status_tanpa_tren"].all()
    assert table.loc["atas", "status"] == "Baik"
    assert table.loc["bawah", "status"] == "Jelek"  # as an unchanged trend (default Jelek)
    cukup = table_for({"bawah": [5]}, {"bawah": 100}, 1, settings_=Settings(below_target_unchanged="Cukup"))
    assert cukup.loc["bawah", "status"] == "Cukup"


def test_january_setting_posisi_saja_never_compares_across_years() -> None:
    december = make_obs({"x": [None] * 11 + [10.0]}, "MR1", tahun=YEAR - 1)
    table = table_for({"x": [20]}, {"x": 100}, 1, settings_=Settings(january="posisi_saja"), extra_obs=december)
    assert pd.isna(table.loc["x", "tren"])
    assert table.loc["x", "status"] == "Baik"
    assert bool(table.loc["x", "status_tanpa_tren"])


def test_a_missing_report_last_month_is_not_read_as_zero_for_the_trend() -> None:
    table = table_for({"x": [10, 10, 10, None, 10]}, {"x": 100}, 5)
    assert pd.isna(table.loc["x", "tren"])
    assert table.loc["x", "kumulatif"] == 40  # but counts 0 in the cumulative
    assert table.loc["x", "status"] == "Baik"  # 40 % ≥ 37.5 %, position only


# ---------------------------------------------------------------------- NO_DATA, sasaran


def test_domain_1_4_point_5_missing_or_zero_sasaran_gives_no_data_not_zero_percent() -> None:
    no_estimate = Settings(estimate_missing_sasaran=False)
    table = table_for({"kosong": [5] * 6, "nol": [5] * 6}, {"kosong": None, "nol": 0}, 6, settings_=no_estimate)
    assert (table["status"] == "NO_DATA").all()
    assert (table["status_target"] == "NO_DATA").all()
    assert table["cakupan_kumulatif"].isna().all()
    assert table["posisi"].isna().all()
    assert table["kesenjangan_orang"].isna().all()


def test_a_desa_without_this_months_report_is_no_data_but_keeps_its_cumulative() -> None:
    table = table_for({"x": [10, 10, 10, 10, 10, None], "y": [10] * 6}, {"x": 100, "y": 100}, 6)
    assert table.loc["x", "status"] == "NO_DATA"
    assert not table.loc["x", "dilaporkan"]
    assert table.loc["x", "kumulatif"] == 50
    assert table.loc["x", "cakupan_kumulatif"] == pytest.approx(50.0)
    assert pd.isna(table.loc["x", "cakupan_bulan_ini"])
    assert table.loc["y", "dilaporkan"]
    assert table.loc["y", "status"] == "Baik"


def test_every_desa_of_the_master_list_gets_a_row_even_without_any_data() -> None:
    table = table_for({"x": [1] * 3}, {"x": 100, "tanpa_data": 100}, 3)
    assert len(table) == 2
    assert table.loc["tanpa_data", "status"] == "NO_DATA"
    assert table.loc["tanpa_data", "kumulatif"] == 0


def test_domain_3_missing_sasaran_type_is_estimated_from_penduduk_and_flagged() -> None:
    wilayah = make_wilayah(3)
    sasaran = pd.concat(
        [
            make_sasaran({_code(0): 60.0}, "BUMIL"),
            make_sasaran({_code(1): 2815.0, _code(0): 9999.0}, "PENDUDUK"),
        ]
    )
    got = sasaran_for(sasaran, CAT, wilayah, YEAR, "K4")
    assert got["sasaran"].iloc[0] == 60.0 and not got["sasaran_perkiraan"].iloc[0]  # the file wins
    # 1.10 × CBR × penduduk (domain §3.1, with the catalogue's CBR)
    assert got["sasaran"].iloc[1] == pytest.approx(1.10 * CAT.sasaran_types["BAYI"].faktor * 2815)
    assert got["sasaran_perkiraan"].iloc[1]
    assert math.isnan(got["sasaran"].iloc[2]) and not got["sasaran_perkiraan"].iloc[2]
    # the nearest type of the chain is used: BUMIL_KOMP = 0.20 × BUMIL
    komp = sasaran_for(sasaran, CAT, wilayah, YEAR, "PK")
    assert komp["sasaran"].iloc[0] == pytest.approx(0.20 * 60.0)
    off = sasaran_for(sasaran, CAT, wilayah, YEAR, "K4", Settings(estimate_missing_sasaran=False))
    assert off["sasaran"].isna().tolist() == [False, True, True]


def test_estimated_sasaran_flows_into_the_table_and_small_denominators_are_flagged() -> None:
    wilayah = make_wilayah(1)
    sasaran = make_sasaran({_code(0): 1000.0}, "PENDUDUK")
    obs = make_obs({_code(0): [2, 2, 2]}, "K4")
    table = pws_table(obs, sasaran, None, CAT, wilayah, YEAR, 3, "K4")
    row = table.iloc[0]
    assert row["sasaran"] == pytest.approx(1.10 * CAT.sasaran_types["BAYI"].faktor * 1000)
    assert row["sasaran_perkiraan"]
    assert row["sasaran_kecil"]  # ≈ 18 persons < 30
    assert row["status"] in STATUSES and row["status"] != "NO_DATA"


# ---------------------------------------------------------------------- numbers


def test_domain_2_3_coverage_above_100_percent_is_never_clamped_s20() -> None:
    table = table_for({"x": [5, 5, 5]}, {"x": 10}, 3)
    assert table.loc["x", "cakupan_kumulatif"] == pytest.approx(150.0)
    assert table.loc["x", "kesenjangan"] == pytest.approx(150.0 - 22.5)
    assert math.isnan(table.loc["x", "ci_bawah"])  # a binomial interval does not apply above 100 %


def _wilson_reference(k: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half), 100 * (centre + half)


@pytest.mark.parametrize(("k", "low", "high"), [(0, 0.0, 27.753), (5, 23.659, 76.341), (10, 72.247, 100.0)])
def test_wilson_interval_of_cumulative_coverage_matches_the_formula_and_published_values(
    k: int, low: float, high: float
) -> None:
    counts = [float(k), 0.0, 0.0, 0.0, 0.0, 0.0]
    table = table_for({"x": counts}, {"x": 10}, 6)
    ref_low, ref_high = _wilson_reference(k, 10)
    assert table.loc["x", "ci_bawah"] == pytest.approx(ref_low, abs=1e-9)
    assert table.loc["x", "ci_atas"] == pytest.approx(ref_high, abs=1e-9)
    assert (table.loc["x", "ci_bawah"], table.loc["x", "ci_atas"]) == (pytest.approx(low, abs=1e-3),
                                                                       pytest.approx(high, abs=1e-3))  # fmt: skip
    lo, hi = wilson_interval([k], [10])
    assert (lo[0], hi[0]) == (pytest.approx(ref_low), pytest.approx(ref_high))


def test_kesenjangan_orang_is_the_persons_still_to_serve_to_reach_the_target_to_date() -> None:
    table = table_for({"behind": [2, 2, 2, 2, 1, 1], "ahead": [9] * 6}, {"behind": 33, "ahead": 100}, 6)
    # 45 % of 33 = 14.85 persons due, 10 served -> 5 still to find (rounded up)
    assert table.loc["behind", "kesenjangan_orang"] == 5
    assert table.loc["ahead", "kesenjangan_orang"] == 0


def test_projection_is_the_december_coverage_at_the_current_average_monthly_pace() -> None:
    table = table_for({"slow": [6, 6, 6, 6, 8, 8], "fast": [9, 9, 9, 9, 9, 5]}, {"slow": 100, "fast": 100}, 6)
    assert table.loc["slow", "proyeksi_akhir_tahun"] == pytest.approx(80.0)  # 40 % in 6 months
    assert table.loc["slow", "perlu_per_bulan"] == pytest.approx((90 - 40) / 6)
    assert not table.loc["slow", "akan_tercapai"]
    assert table.loc["fast", "proyeksi_akhir_tahun"] == pytest.approx(100.0)
    assert table.loc["fast", "akan_tercapai"]
    december = table_for({"x": [8] * 12}, {"x": 100}, 12)
    assert december.loc["x", "perlu_per_bulan"] == pytest.approx(0.0)  # 96 % ≥ 90 %: nothing more needed


# ---------------------------------------------------------------------- target3: lower is better, campaigns


def test_domain_1_4_point_4_stunting_is_met_or_not_met_over_children_measured_with_a_quality_trend_s20() -> None:
    stunted = {"baik": [12, 10], "buruk": [15, 20], "tanpa_d": [3, 3]}
    measured = make_obs({"baik": [100, 100], "buruk": [100, 100]}, "BALITA_D")
    table = table_for(stunted, {"baik": 500, "buruk": 500, "tanpa_d": 50}, 2, indikator="STUNTING",
                      target=None, extra_obs=measured)  # fmt: skip
    good, bad, fallback = table.loc["baik"], table.loc["buruk"], table.loc["tanpa_d"]
    assert good["target_sd_bulan"] == pytest.approx(14.0)  # flat: no proration of a point prevalence
    assert good["cakupan_kumulatif"] == pytest.approx(10.0) and good["penyebut"] == "BALITA_D"
    assert (good["status_target"], good["status"], good["tren"], good["tren_baik"]) == ("Tercapai", "Baik",
                                                                                        "turun", True)  # fmt: skip
    assert good["kesenjangan"] == pytest.approx(4.0)  # sign flipped: positive = better than target
    assert (bad["status_target"], bad["status"], bad["tren"], bad["tren_baik"]) == ("Tidak tercapai", "Jelek",
                                                                                    "naik", False)  # fmt: skip
    assert bad["kesenjangan"] == pytest.approx(-6.0)
    assert bad["kesenjangan_orang"] == 6  # stunted children above the 14 % level
    # without a BALITA_D count the catalogue sasaran (BALITA_UKUR) is the denominator
    assert fallback["penyebut"] == "BALITA_UKUR" and fallback["cakupan_kumulatif"] == pytest.approx(6.0)
    assert set(table["status"]) <= {"Baik", "Jelek", "NO_DATA"}
    assert not table["status_tanpa_tren"].any()


def test_prevalence_trend_compares_rates_not_counts_when_the_denominator_changes() -> None:
    measured = make_obs({"x": [100, 50]}, "BALITA_D")
    table = table_for({"x": [10, 8]}, {"x": 500}, 2, indikator="STUNTING", extra_obs=measured)
    assert table.loc["x", "cakupan_bulan_ini"] == pytest.approx(16.0)
    assert table.loc["x", "tren"] == "naik"  # 10 % -> 16 %, although the count fell
    assert not table.loc["x", "tren_baik"]


def test_vitamin_a_is_judged_per_campaign_round_with_the_full_target_from_february_and_august() -> None:
    counts: list[float | None] = [0, 80, 15, 0, 0, 0, 0, 92, 0, 0, 0, 0]
    sas = {"x": 100}
    jan = table_for({"x": counts[:1]}, sas, 1, indikator="VITA")
    assert jan.loc["x", "target_sd_bulan"] == pytest.approx(90.0)  # August round of the previous year
    feb = table_for({"x": counts[:2]}, sas, 2, indikator="VITA")
    assert (feb.loc["x", "cakupan_kumulatif"], feb.loc["x", "status_target"]) == (pytest.approx(80.0),
                                                                                  "Tidak tercapai")  # fmt: skip
    mar = table_for({"x": counts[:3]}, sas, 3, indikator="VITA")  # sweeping in March counts for the round
    assert (mar.loc["x", "cakupan_kumulatif"], mar.loc["x", "status"]) == (pytest.approx(95.0), "Baik")
    aug = table_for({"x": counts[:8]}, sas, 8, indikator="VITA")  # a new window opens in August
    assert aug.loc["x", "kumulatif"] == 92 and aug.loc["x", "status_target"] == "Tercapai"
    previous = make_obs({"x": counts}, "VITA", tahun=YEAR - 1)
    jan_with = table_for({"x": [4]}, sas, 1, indikator="VITA", extra_obs=previous)
    assert jan_with.loc["x", "kumulatif"] == 96  # August..December of last year + January


def test_school_screening_steps_to_half_the_target_in_august_and_the_full_target_in_september() -> None:
    sas = {"x": 100}
    counts: list[float | None] = [0, 0, 0, 0, 0, 0, 0, 45, 40]
    lines = [table_for({"x": counts[:m]}, sas, m, indikator="SKRINING_SEK", target=None).loc["x", "target_sd_bulan"]
             for m in (7, 8, 9)]  # fmt: skip
    assert lines == [pytest.approx(0.0), pytest.approx(50.0), pytest.approx(100.0)]
    sep = table_for({"x": counts}, sas, 9, indikator="SKRINING_SEK", target=None)  # catalogue: 100 % (SPM)
    assert sep.loc["x", "cakupan_kumulatif"] == pytest.approx(85.0)
    assert sep.loc["x", "status"] == "Jelek"


# ---------------------------------------------------------------------- aggregation and ranking


def test_domain_0_5_aggregation_is_the_ratio_of_sums_never_the_mean_of_percentages_s20() -> None:
    table = table_for({"kecil": [10, 0, 0], "besar": [0, 0, 0]}, {"kecil": 10, "besar": 90}, 3)
    kab = aggregate(table, "kabupaten").iloc[0]
    assert table["cakupan_kumulatif"].mean() == pytest.approx(50.0)  # what must NOT come out
    assert kab["cakupan_kumulatif"] == pytest.approx(10.0)  # 10 / 100
    assert kab["sasaran"] == 100 and kab["kumulatif"] == 10
    assert kab["target_sd_bulan"] == pytest.approx(22.5)
    assert kab["kesenjangan_orang"] == 13  # 22.5 persons due, 10 served
    assert kab["kesenjangan_orang_desa"] == 21  # desa "besar" alone still needs 21 (ceil 20.25)
    low, high = _wilson_reference(10, 100)
    assert (kab["ci_bawah"], kab["ci_atas"]) == (pytest.approx(low), pytest.approx(high))


def test_aggregate_counts_desa_per_status_and_groups_by_puskesmas() -> None:
    table = _vector_table()
    table.loc["E", "status"] = "NO_DATA"  # as if E had not reported
    kab = aggregate(table, "kabupaten").iloc[0]
    counts = {c: kab[c] for c in ("desa_baik", "desa_kurang", "desa_cukup", "desa_jelek", "desa_no_data")}
    assert counts == {"desa_baik": 3, "desa_kurang": 1, "desa_cukup": 1, "desa_jelek": 1, "desa_no_data": 1}
    assert kab["jumlah_desa"] == 7
    wilayah = make_wilayah(3, [PKM, PKM2, PKM2])
    obs = make_obs({_code(0): [10] * 3, _code(1): [1] * 3, _code(2): [3] * 3}, "K4")
    sasaran = make_sasaran({_code(0): 100.0, _code(1): 100.0, _code(2): 100.0}, "BUMIL")
    by_pkm = aggregate(pws_table(obs, sasaran, None, CAT, wilayah, YEAR, 3, "K4"), "puskesmas")
    assert by_pkm["kode"].tolist() == [PKM, PKM2]
    assert by_pkm["cakupan_kumulatif"].tolist() == [pytest.approx(30.0), pytest.approx(6.0)]
    assert by_pkm["jumlah_desa"].tolist() == [1, 2]
    assert aggregate(pws_table(obs, sasaran, None, CAT, wilayah, YEAR, 3, "K4"), "kecamatan")["kode"].tolist() == [
        "99.01.01"
    ]


def test_ranking_puts_the_desa_needing_most_persons_first_and_desa_without_sasaran_last() -> None:
    table = table_for(
        {"jauh": [0] * 6, "dekat": [8] * 6, "besar": [5] * 6, "tanpa": [1] * 6},
        {"jauh": 40, "dekat": 100, "besar": 400, "tanpa": None},
        6,
        settings_=Settings(estimate_missing_sasaran=False),
    )
    ranked = ranking(table)
    assert ranked["peringkat"].tolist() == [1, 2, 3, 4]
    names = dict(zip(table["kode_desa"], table.index, strict=True))
    assert [names[k] for k in ranked["kode_desa"]] == ["besar", "jauh", "dekat", "tanpa"]
    by_pp = ranking(table, by="kesenjangan")
    assert [names[k] for k in by_pp["kode_desa"]] == ["jauh", "besar", "dekat", "tanpa"]
    assert ranking(aggregate(table, "puskesmas"))["peringkat"].tolist() == [1]


# ---------------------------------------------------------------------- series and smoothing


def test_coverage_series_gives_twelve_months_with_the_target_line_and_last_years_line() -> None:
    wilayah = make_wilayah(2, [PKM, PKM2])
    obs = pd.concat(
        [
            make_obs({_code(0): [5] * 4, _code(1): [10] * 4}, "K4"),
            make_obs({_code(0): [4] * 12, _code(1): [4] * 12}, "K4", tahun=YEAR - 1),
        ]
    )
    sasaran = pd.concat(
        [make_sasaran({_code(0): 100.0, _code(1): 100.0}, "BUMIL", t) for t in (YEAR - 1, YEAR)], ignore_index=True
    )
    kab = coverage_series(obs, sasaran, None, CAT, wilayah, YEAR, "K4")
    assert kab["bulan"].tolist() == list(range(1, 13))
    assert kab["target_sd_bulan"].tolist() == pytest.approx([95 * m / 12 for m in range(1, 13)])
    assert kab["cakupan_kumulatif"].iloc[:4].tolist() == pytest.approx([7.5, 15.0, 22.5, 30.0])
    assert kab["cakupan_kumulatif"].iloc[4:].isna().all()
    assert kab["cakupan_kumulatif_tahun_lalu"].tolist() == pytest.approx([4.0 * m for m in range(1, 13)])
    desa = coverage_series(obs, sasaran, None, CAT, wilayah, YEAR, "K4", level="puskesmas", kode=PKM2)
    assert desa["cakupan_kumulatif"].iloc[3] == pytest.approx(40.0)
    with pytest.raises(ValueError):
        coverage_series(obs, sasaran, None, CAT, wilayah, YEAR, "K4", level="desa")


def test_empirical_bayes_smoothing_pulls_small_desa_furthest_towards_the_puskesmas_rate() -> None:
    table = table_for({"kecil": [9, 0, 0], "besar": [20, 20, 20], "sedang": [10, 10, 10]},
                      {"kecil": 10, "besar": 200, "sedang": 100}, 3, settings_=Settings(smoothing=True))  # fmt: skip
    mean = 100 * (9 + 60 + 30) / 310
    raw, smooth = table["cakupan_kumulatif"], table["cakupan_halus"]
    shift = (smooth - raw).abs() / (raw - mean).abs()
    assert shift["kecil"] > shift["sedang"] > shift["besar"]
    assert ((smooth - mean).abs() <= (raw - mean).abs() + 1e-9).all()
    flat = smooth_coverage(table.assign(kumulatif=[3.0, 60.0, 30.0]))  # every desa at 30 %: nothing to smooth
    assert flat.tolist() == pytest.approx([30.0, 30.0, 30.0])


# ---------------------------------------------------------------------- properties

counts_st = st.lists(st.one_of(st.none(), st.integers(0, 60)), min_size=12, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=counts_st, sas=st.integers(1, 400))
def test_property_cumulative_coverage_never_decreases_over_the_months_with_non_negative_counts(
    counts: list[int | None], sas: int
) -> None:
    wilayah = make_wilayah(1)
    obs = make_obs({_code(0): list(counts)}, "K4")
    sasaran = make_sasaran({_code(0): float(sas)}, "BUMIL")
    months = [pws_table(obs, sasaran, None, CAT, wilayah, YEAR, m, "K4").iloc[0] for m in (1, 4, 7, 12)]
    kum = [float(r["kumulatif"]) for r in months]
    cov = [float(r["cakupan_kumulatif"]) for r in months]
    assert kum == sorted(kum) and cov == sorted(cov)
    assert kum[-1] == sum(c or 0 for c in counts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    counts=counts_st,
    previous=st.one_of(st.none(), st.integers(0, 60)),
    sas=st.one_of(st.none(), st.just(0.0), st.floats(0.5, 500)),
    target=st.floats(0, 100),
    bulan=st.integers(1, 12),
    indikator=st.sampled_from(["K4", "MR1", "STUNTING", "VITA", "SKRINING_SEK", "BALITA_D"]),
    choice=st.tuples(
        st.sampled_from(["Jelek", "Cukup"]),
        st.sampled_from(["prorata", "datar"]),
        st.sampled_from(["desember_lalu", "posisi_saja"]),
        st.booleans(),
    ),  # fmt: skip
)
def test_property_status_is_always_one_of_the_contract_values(
    counts: list[int | None],
    previous: int | None,
    sas: float | None,
    target: float,
    bulan: int,
    indikator: str,
    choice: tuple[str, str, str, bool],
) -> None:
    wilayah = make_wilayah(1)
    obs = make_obs({_code(0): list(counts)}, indikator)
    if previous is not None:
        obs = pd.concat([obs, make_obs({_code(0): [None] * 11 + [float(previous)]}, indikator, YEAR - 1)])
    sasaran = make_sasaran({_code(0): sas}, CAT.indicators[indikator].sasaran)
    targets = make_targets([(YEAR, indikator, target, "", "")])
    settings_ = Settings(below_target_unchanged=choice[0], target_line=choice[1], january=choice[2],
                         estimate_missing_sasaran=choice[3])  # fmt: skip
    table = pws_table(obs, sasaran, targets, CAT, wilayah, YEAR, bulan, indikator, settings_)
    row = table.iloc[0]
    assert row["status"] in STATUSES
    assert row["status_target"] in TARGET_STATUSES
    assert pd.isna(row["tren"]) or row["tren"] in TRENDS
    assert pd.isna(row["posisi"]) or row["posisi"] in ("atas", "bawah")
    assert (row["status"] == "NO_DATA") == (row["status_target"] == "NO_DATA")
    assert (row["status"] == "NO_DATA") == (not row["dilaporkan"] or not (row["sasaran"] > 0))
    kab = aggregate(table, "kabupaten").iloc[0]
    assert kab["status"] in STATUSES


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    counts=counts_st,
    sas=st.one_of(st.none(), st.floats(1, 500)),
    bulan=st.integers(1, 12),
    indikator=st.sampled_from(["K4", "STUNTING", "VITA"]),
    measured=st.lists(st.one_of(st.none(), st.integers(0, 200)), min_size=12, max_size=12),
)
def test_property_the_aggregate_of_one_desa_equals_that_desa(
    counts: list[int | None], sas: float | None, bulan: int, indikator: str, measured: list[int | None]
) -> None:
    wilayah = make_wilayah(1)
    obs = pd.concat([make_obs({_code(0): list(counts)}, indikator), make_obs({_code(0): list(measured)}, "BALITA_D")])
    sasaran = make_sasaran({_code(0): sas}, CAT.indicators[indikator].sasaran)
    desa = pws_table(obs, sasaran, None, CAT, wilayah, YEAR, bulan, indikator, Settings(estimate_missing_sasaran=False))
    for level in ("kabupaten", "puskesmas", "kecamatan"):
        agg = aggregate(desa, level).iloc[0]
        row = desa.iloc[0]
        for col in ("status", "status_target", "tren", "posisi"):
            assert (pd.isna(agg[col]) and pd.isna(row[col])) or agg[col] == row[col], col
        for col in ("cakupan_kumulatif", "target_sd_bulan", "kesenjangan", "cakupan_bulan_ini", "cakupan_bulan_lalu",
                    "ci_bawah", "ci_atas", "proyeksi_akhir_tahun", "perlu_per_bulan"):  # fmt: skip
            a, b = float(agg[col]), float(row[col])
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b), col
        a_gap, d_gap = agg["kesenjangan_orang"], row["kesenjangan_orang"]
        assert (pd.isna(a_gap) and pd.isna(d_gap)) or a_gap == d_gap


# ---------------------------------------------------------------------- settings and the workspace entry point


def test_every_setting_has_indonesian_and_english_help() -> None:
    from dataclasses import fields

    assert set(SETTINGS_HELP) == {f.name for f in fields(Settings)}
    for name, texts in SETTINGS_HELP.items():
        assert texts["id"] and texts["en"] and texts["id"] != texts["en"], name
    with pytest.raises(ValueError):
        Settings(below_target_unchanged="Kurang")
    with pytest.raises(ValueError):
        Settings(target_line="musiman")
    assert hash(Settings()) == hash(Settings())


def test_status_for_cli_reads_the_workspace_files_and_the_store(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    wilayah = make_wilayah(2)
    wilayah.to_csv(tmp_path / "wilayah.csv", index=False)
    make_sasaran({_code(0): 100.0, _code(1): 100.0}, "BUMIL")[["tahun", "kode_desa", "jenis_sasaran", "jumlah"]].to_csv(
        tmp_path / "sasaran.csv", index=False
    )
    make_targets([(YEAR, "K4", 90.0, "", "")]).to_csv(tmp_path / "target.csv", index=False)
    ws = Workspace(tmp_path)
    rows = pd.concat(
        [
            make_obs({_code(0): [10, 10, 10, 10, 10, 20], _code(1): [5] * 5}, "K4"),
            make_obs({_code(0): [None] * 11 + [7.0]}, "K4", tahun=YEAR - 1),
        ],
        ignore_index=True,
    ).assign(nama_desa=lambda f: f["kode_desa"])
    for (year, month), part in rows.groupby(["tahun", "bulan"]):
        result = FileResult(Path(f"lap_{year}_{month}.xlsx"), "", part.reset_index(drop=True), [], "uji", PKM,
                            [(int(year), int(month))])  # fmt: skip
        with Store.for_workspace(ws) as store:
            assert store.ingest(result, f"{year}-{month}".encode()).status == "baru"
    table = status_for_cli(ws, YEAR, 6, "k4")
    assert list(table.columns[: len(CONTRACT_COLUMNS)]) == CONTRACT_COLUMNS
    assert table["status"].tolist() == ["Baik", "NO_DATA"]
    assert table["cakupan_kumulatif"].tolist() == pytest.approx([70.0, 25.0])
    assert table["target_sd_bulan"].tolist() == pytest.approx([45.0, 45.0])
    january = status_for_cli(ws, YEAR, 1, "K4")
    assert january["tren"].iloc[0] == "naik" and january["cakupan_bulan_lalu"].iloc[0] == pytest.approx(7.0)
    with pytest.raises(UnknownIndicatorError):
        status_for_cli(ws, YEAR, 6, "BUKAN")
    with pytest.raises(ValueError):
        status_for_cli(ws, YEAR, 13, "K4")
    assert np.isfinite(table["ci_bawah"]).all()


# ---------------------------------------------------------------------- reuse of the month-independent inputs


def test_pws_table_sees_frames_changed_in_place_between_calls() -> None:
    """pws_table reuses the preparation of its last calls' frames only while they hold the same values."""
    wilayah = make_wilayah(2)
    obs = make_obs({_code(0): [10, 10, 10], _code(1): [5, 5, 5]}, "K4")
    sasaran = make_sasaran({_code(0): 100.0, _code(1): 100.0}, "BUMIL")
    targets = make_targets([(YEAR, "K4", 90.0, "", "")])
    first = pws_table(obs, sasaran, targets, CAT, wilayah, YEAR, 3, "K4")
    assert first["sasaran"].tolist() == [100.0, 100.0] and first["target_tahunan"].tolist() == [90.0, 90.0]
    sasaran.loc[0, "jumlah"] = 50.0
    targets.loc[0, "target"] = 60.0
    wilayah.loc[1, "nama_desa"] = "Desa Baru"
    again = pws_table(obs, sasaran, targets, CAT, wilayah, YEAR, 3, "K4")
    assert again["sasaran"].tolist() == [50.0, 100.0] and again["target_tahunan"].tolist() == [60.0, 60.0]
    assert again["nama_desa"].tolist() == ["Desa 0", "Desa Baru"]
    fresh = PwsInputs(sasaran.copy(), targets.copy(), wilayah.copy()).table(obs, CAT, YEAR, 3, "K4")
    assert_frame_equal(again, fresh, check_exact=True)


def test_pws_inputs_keep_their_own_copies_and_give_pws_table_for_other_desa() -> None:
    wilayah = make_wilayah(3, [PKM, PKM2, PKM2])
    obs = make_obs({_code(0): [10, 10], _code(1): [5, 5], _code(2): [1, 1]}, "K4")
    sasaran = make_sasaran({_code(0): 100.0, _code(1): 100.0, _code(2): 40.0}, "BUMIL")
    inputs = PwsInputs(sasaran, None, wilayah)
    before = inputs.table(obs, CAT, YEAR, 2, "K4")
    sasaran.loc[0, "jumlah"] = 1.0
    assert_frame_equal(inputs.table(obs, CAT, YEAR, 2, "K4"), before, check_exact=True)
    original = sasaran.assign(jumlah=[100.0, 100.0, 40.0])
    assert_frame_equal(before, pws_table(obs, original, None, CAT, wilayah, YEAR, 2, "K4"), check_exact=True)
    area = wilayah[wilayah["kode_puskesmas"] == PKM2]
    assert_frame_equal(
        inputs.area(area).table(obs, CAT, YEAR, 2, "K4"),
        pws_table(obs, original, None, CAT, area, YEAR, 2, "K4"),
        check_exact=True,
    )


def test_monthly_counts_sum_several_rows_skip_missing_values_and_other_rows() -> None:
    index = pd.Index([_code(0), _code(1), _code(2)])
    rows = [
        (_code(0), "K4", "T", 3.0), (_code(0), "K4", "T", 4.0),  # two reports of one month: summed
        (_code(1), "K4", "T", np.nan), (_code(1), "K4", "T", 2.0),  # a missing value next to a number
        (_code(2), "K4", "T", np.nan),  # only a missing value: no report
        (_code(0), "K4", "L", 100.0), ("99.99.99.9999", "K4", "T", 100.0), (_code(0), "K1", "T", 100.0),
    ]  # fmt: skip
    obs = pd.DataFrame(
        [(YEAR, 1, kode, kode, PKM, ind, jk, v, "f.xlsx", "S", "A1") for kode, ind, jk, v in rows], columns=TIDY_COLUMNS
    )
    counts = MonthlyCounts(obs, ["K4"], index)
    np.testing.assert_array_equal(counts.month("K4", YEAR, 1), [7.0, 2.0, np.nan])
    np.testing.assert_array_equal(counts.month("K4", YEAR, 2), [np.nan] * 3)
    single = MonthlyCounts(obs.iloc[[0, 3, 5]], ["K4"], index)  # one row per desa-month: placed as they are
    np.testing.assert_array_equal(single.month("K4", YEAR, 1), [3.0, 2.0, np.nan])


def test_monthly_counts_do_not_depend_on_the_column_dtypes() -> None:
    index = pd.Index([_code(0), _code(1)])
    obs = pd.concat(
        [make_obs({_code(0): [1, None, 3], _code(1): [4, 5, 6]}, "K4"), make_obs({_code(0): [7, 8, 9]}, "BALITA_D")],
        ignore_index=True,
    )
    obs.loc[len(obs)] = [YEAR, 1, None, None, PKM, "K4", None, 50.0, "f.xlsx", "S", "A1"]  # a row without desa/jk
    variants = {
        "object": obs.astype(object),
        "string (pd.NA)": obs.astype({c: "string" for c in ("kode_desa", "indikator", "jk")}),
        "float years": obs.astype({"tahun": "float64", "bulan": "float64"}),
        "text values": obs.assign(nilai=obs["nilai"].map(lambda v: "" if pd.isna(v) else str(v))),
    }
    expected = MonthlyCounts(obs, ["K4", "BALITA_D"], index)
    for name, variant in variants.items():
        counts = MonthlyCounts(variant, ["K4", "BALITA_D"], index)
        for code in ("K4", "BALITA_D"):
            for month in range(1, 5):
                np.testing.assert_array_equal(
                    counts.month(code, YEAR, month), expected.month(code, YEAR, month), err_msg=f"{name} {code}"
                )
    np.testing.assert_array_equal(expected.month("K4", YEAR, 1), [1.0, 4.0])
    np.testing.assert_array_equal(expected.month("BALITA_D", YEAR, 3), [9.0, np.nan])
