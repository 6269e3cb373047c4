"""End to end on the demo district: the PWS analysis of what the generator drew (``.pws/demo/kebenaran.csv``, the
same values the ETL stores) finds the patterns built into it — the lagging villages, the over-reporting
puskesmas, the missing reports, the sasaran gap."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from pws.analysis import CONTRACT_COLUMNS, STATUSES, Settings, aggregate, coverage_series, pws_table, ranking
from pws.analysis.coverage import TARGET_STATUSES, PwsInputs
from pws.config import Workspace
from pws.demo import DemoSummary
from pws.workspace import WorkspaceData, load_workspace

YEAR, MONTH = 2025, 6


@pytest.fixture(scope="module")
def data(demo: DemoSummary) -> WorkspaceData:
    return load_workspace(Workspace(demo.root))


@pytest.fixture(scope="module")
def obs(demo: DemoSummary, data: WorkspaceData) -> pd.DataFrame:
    """The tidy table as the ETL stores it: the generator's values with the master list's names and puskesmas."""
    truth = pd.read_csv(demo.root / ".pws" / "demo" / "kebenaran.csv", keep_default_na=False, dtype={"kode_desa": str})
    master = data.wilayah[["kode_desa", "nama_desa", "kode_puskesmas"]]
    return truth.merge(master, on="kode_desa", how="left", validate="many_to_one")


@pytest.fixture(scope="module")
def k4(obs: pd.DataFrame, data: WorkspaceData) -> pd.DataFrame:
    return pws_table(obs, data.sasaran, data.target, data.catalogue, data.wilayah, YEAR, MONTH, "K4")


def _lagging(obs: pd.DataFrame, data: WorkspaceData) -> set[str]:
    """Desa the generator made lag (pace 45–65 %), found independently of K4: their adult-screening pace over both
    years, relative to the median desa of their own puskesmas (so the over-reporting puskesmas does not hide them)."""
    counts = obs[(obs["indikator"] == "SKR_PROD") & (obs["jk"] == "T")].groupby("kode_desa")["nilai"].sum()
    sas = data.sasaran[data.sasaran["jenis_sasaran"] == "USIA_PRODUKTIF"].groupby("kode_desa")["jumlah"].sum()
    pace = (counts / sas).rename("pace").to_frame().join(data.wilayah.set_index("kode_desa")["kode_puskesmas"])
    relative = pace["pace"] / pace.groupby("kode_puskesmas")["pace"].transform("median")
    return set(relative.index[relative < 0.75])


def test_k4_june_2025_has_one_valid_row_per_desa_with_the_contract_columns(k4: pd.DataFrame) -> None:
    assert len(k4) == 120
    assert list(k4.columns[: len(CONTRACT_COLUMNS)]) == CONTRACT_COLUMNS
    assert k4["kode_desa"].is_unique
    assert set(k4["status"]) <= set(STATUSES)
    assert k4["dilaporkan"].all()  # every puskesmas reported June
    assert (k4["status"] != "NO_DATA").all()
    assert k4["target_sd_bulan"].eq(95 * 6 / 12).all()  # target.csv: K4 95 % for 2025 -> 47.5 % by June


def test_kabupaten_k4_is_the_ratio_of_sums_of_the_drawn_counts(k4: pd.DataFrame, obs: pd.DataFrame, data) -> None:
    kab = aggregate(k4, "kabupaten").iloc[0]
    drawn = obs[(obs["indikator"] == "K4") & (obs["jk"] == "T") & (obs["tahun"] == YEAR) & (obs["bulan"] <= MONTH)]
    bumil = data.sasaran[(data.sasaran["tahun"] == YEAR) & (data.sasaran["jenis_sasaran"] == "BUMIL")]
    assert kab["cakupan_kumulatif"] == pytest.approx(100 * drawn["nilai"].sum() / bumil["jumlah"].sum())
    assert kab["cakupan_kumulatif"] < kab["target_sd_bulan"]  # the district is behind (Lebaran dip, laggards)
    assert sum(kab[c] for c in ("desa_baik", "desa_kurang", "desa_cukup", "desa_jelek", "desa_no_data")) == 120


def test_the_over_reporting_puskesmas_shows_coverage_above_target(k4: pd.DataFrame) -> None:
    by_pkm = aggregate(k4, "puskesmas")
    assert len(by_pkm) == 10
    over = by_pkm.iloc[3]  # the 4th in sorted code order reports 1.35 × its pace (pws.demo.truth)
    assert over["cakupan_kumulatif"] > over["target_sd_bulan"]
    assert over["posisi"] == "atas"
    assert over["cakupan_kumulatif"] == by_pkm["cakupan_kumulatif"].max()


def test_the_lagging_villages_rank_at_the_top_of_the_gap_ranking(k4: pd.DataFrame, obs, data) -> None:
    lagging = _lagging(obs, data)
    assert 8 <= len(lagging) <= 22  # about one desa in eight
    assert (k4.loc[k4["kode_desa"].isin(lagging), "posisi"] == "bawah").all()
    for by, top10 in (("kesenjangan_orang", 4), ("kesenjangan", 5)):
        ranked = ranking(k4, by=by)
        ranks = ranked.loc[ranked["kode_desa"].isin(lagging), "peringkat"]
        assert ranks.max() <= 0.4 * len(k4), by  # every laggard in the first 40 %
        assert ranks.mean() <= 0.2 * len(k4), by
        assert (ranks <= 10).sum() >= top10, by  # 1.2 expected by chance


def test_the_missing_february_reports_make_exactly_that_puskesmas_no_data(obs: pd.DataFrame, data) -> None:
    feb = pws_table(obs, data.sasaran, data.target, data.catalogue, data.wilayah, YEAR, 2, "K4")
    pkm_codes = sorted(data.wilayah["kode_puskesmas"].unique())
    silent = set(data.wilayah.loc[data.wilayah["kode_puskesmas"] == pkm_codes[6], "kode_desa"])
    assert set(feb.loc[feb["status"] == "NO_DATA", "kode_desa"]) == silent
    assert not feb.loc[feb["kode_desa"].isin(silent), "dilaporkan"].any()
    march = pws_table(obs, data.sasaran, data.target, data.catalogue, data.wilayah, YEAR, 3, "K4")
    without_trend = march.loc[march["kode_desa"].isin(silent)]
    assert without_trend["tren"].isna().all() and without_trend["status_tanpa_tren"].all()


def test_the_desa_lacking_its_ht_sasaran_gets_an_estimate_from_penduduk(obs: pd.DataFrame, data, demo) -> None:
    gap = next(m for m in demo.mess if m["jenis"] == "desa_tanpa_sasaran")
    ht = pws_table(obs, data.sasaran, data.target, data.catalogue, data.wilayah, YEAR, MONTH, "HT")
    assert set(ht.loc[ht["sasaran_perkiraan"], "kode_desa"]) == {gap["kode_desa"]}
    pop = data.sasaran[
        (data.sasaran["tahun"] == YEAR)
        & (data.sasaran["kode_desa"] == gap["kode_desa"])
        & (data.sasaran["jenis_sasaran"] == "PENDUDUK")
    ]["jumlah"].iloc[0]
    row = ht.set_index("kode_desa").loc[gap["kode_desa"]]
    assert row["sasaran"] == pytest.approx(data.catalogue.estimate_sasaran("HT_EST", pop))
    assert row["status"] != "NO_DATA"


def test_every_catalogue_indicator_gives_valid_statuses_for_june(obs: pd.DataFrame, data) -> None:
    for code in data.catalogue.indicators:
        table = pws_table(obs, data.sasaran, data.target, data.catalogue, data.wilayah, YEAR, MONTH, code)
        assert len(table) == 120, code
        assert set(table["status"]) <= set(STATUSES), code
        assert set(table["status_target"]) <= set(TARGET_STATUSES), code
        kab = aggregate(table, "kabupaten").iloc[0]
        assert kab["status"] in STATUSES, code


def test_campaigns_and_prevalence_on_the_demo_read_like_the_generator_drew_them(obs: pd.DataFrame, data) -> None:
    def kab(code: str, month: int) -> pd.Series:
        table = pws_table(obs, data.sasaran, data.target, data.catalogue, data.wilayah, YEAR, month, code)
        return aggregate(table, "kabupaten").iloc[0]

    assert 80 < kab("VITA", 2)["cakupan_kumulatif"] < 110  # the February round (~86 % of balita)
    assert kab("VITA", 5)["cakupan_kumulatif"] == pytest.approx(kab("VITA", 2)["cakupan_kumulatif"])
    assert 70 < kab("SKRINING_SEK", 9)["cakupan_kumulatif"] < 90  # ~45 % + 35 % of the pupils
    stunting = kab("STUNTING", MONTH)
    assert 13 < stunting["cakupan_kumulatif"] < 20  # ~16 % of the children weighed, laggards higher
    assert stunting["status_target"] == "Tidak tercapai"  # above the 14 % target


def test_the_kabupaten_series_follows_the_table_and_stops_after_october(obs: pd.DataFrame, data, k4) -> None:
    series = coverage_series(obs, data.sasaran, data.target, data.catalogue, data.wilayah, YEAR, "K4")
    june = series.set_index("bulan").loc[MONTH]
    assert june["cakupan_kumulatif"] == pytest.approx(aggregate(k4, "kabupaten").iloc[0]["cakupan_kumulatif"])
    assert series["cakupan_kumulatif"].iloc[:10].is_monotonic_increasing
    assert series["cakupan_kumulatif"].iloc[10:].isna().all()  # the demo runs to October 2025
    assert series["cakupan_kumulatif_tahun_lalu"].notna().all()  # 2024 is complete


# ---------------------------------------------------------------------- the fast paths give the plain computation


@pytest.mark.parametrize("code", ["K4", "DPTHBHIB3", "STUNTING", "VITA", "SKRINING_SEK"])
def test_reused_inputs_and_counts_give_the_tables_of_a_fresh_computation(obs: pd.DataFrame, data, code) -> None:
    """pws_table reuses the month-independent preparation of its last frames and coverage_series one PwsInputs
    and one MonthlyCounts for all its months: each table must be the one computed from scratch."""
    inputs = PwsInputs(data.sasaran, data.target, data.wilayah)
    counts = inputs.counts(obs, data.catalogue, code, Settings())
    for month in (1, 2, 6, 9, 12):
        fresh = PwsInputs(data.sasaran.copy(), data.target.copy(), data.wilayah.copy()).table(
            obs, data.catalogue, YEAR, month, code
        )
        for _ in range(2):  # the second call reuses the first one's preparation
            table = pws_table(obs, data.sasaran, data.target, data.catalogue, data.wilayah, YEAR, month, code)
            assert_frame_equal(table, fresh, check_exact=True)
        assert_frame_equal(inputs.table(obs, data.catalogue, YEAR, month, code, counts=counts), fresh, check_exact=True)


@pytest.mark.parametrize("level", ["kabupaten", "puskesmas", "kecamatan", "desa"])
def test_coverage_series_is_the_kabupaten_aggregate_of_each_months_table(obs: pd.DataFrame, data, level) -> None:
    """coverage_series skips the DataFrames of pws_table and aggregate: its numbers must be theirs, exactly."""
    column = {"kabupaten": None, "puskesmas": "kode_puskesmas", "kecamatan": "kode_kecamatan", "desa": "kode_desa"}
    col = column[level]
    kode = None if col is None else str(data.wilayah[col].iloc[40])
    area = data.wilayah if col is None else data.wilayah[data.wilayah[col] == kode]
    obs = obs[obs["indikator"].isin(["K4", "STUNTING", "BALITA_D", "VITA"])]  # quicker: the rest is never read
    for code in ("K4", "STUNTING", "VITA"):
        series = coverage_series(obs, data.sasaran, data.target, data.catalogue, data.wilayah, YEAR, code, level, kode)
        for month in range(1, 13):
            got = series.iloc[month - 1]
            for tahun, suffix in ((YEAR, ""), (YEAR - 1, "_tahun_lalu")):
                table = pws_table(obs, data.sasaran, data.target, data.catalogue, area, tahun, month, code)
                row = aggregate(table, "kabupaten").iloc[0]
                if suffix:
                    assert got["cakupan_kumulatif_tahun_lalu"] == row["cakupan_kumulatif"], (code, month)
                    assert got["kumulatif_tahun_lalu"] == row["kumulatif"], (code, month)
                    continue
                assert got["sasaran"] == row["sasaran"] and got["target_sd_bulan"] == row["target_sd_bulan"]
                if month <= 10:  # the demo runs to October 2025
                    for name in ("kumulatif", "cakupan_kumulatif", "cakupan_bulan_ini", "status"):
                        assert got[name] == row[name] or (pd.isna(got[name]) and pd.isna(row[name])), (code, name)


def test_each_puskesmas_row_is_the_aggregate_of_its_own_desa(k4: pd.DataFrame) -> None:
    by_pkm = aggregate(k4, "puskesmas")
    for i, kode in enumerate(by_pkm["kode"]):
        alone = aggregate(k4[k4["kode_puskesmas"] == kode], "kabupaten")
        measures = [c for c in by_pkm.columns if c not in ("tingkat", "kode", "nama")]
        assert_frame_equal(by_pkm.iloc[[i]][measures].reset_index(drop=True), alone[measures], check_exact=True)
