"""pws.figures.network: the Jejaring page's figures, tables and the map layer, on small hand-made frames with the
columns of pws.network's API (expectations worked out by hand below each frame)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from pws.figures import network as nf
from pws.i18n import t

WILAYAH = pd.DataFrame(
    {
        "kode_desa": ["1.01", "1.02", "1.03", "2.01"],
        "nama_desa": ["Alpha", "Beta", "Gamma", "Delta"],
        "nama_kecamatan": ["K1", "K1", "K1", "K2"],
        "kode_puskesmas": ["P1", "P1", "P1", "P2"],
        "nama_puskesmas": ["Satu", "Satu", "Satu", "Dua"],
    }
)


def _unit(kode: str, jenis: str, nama: str, desa: str, lat: float = np.nan, lon: float = np.nan,
          since: str | None = None, dusun: object = pd.NA) -> dict:  # fmt: skip
    names = WILAYAH.set_index("kode_desa")
    return {
        "kode_unit": kode, "jenis": jenis, "nama": nama, "kode_desa": desa, "nama_desa": names.at[desa, "nama_desa"],
        "kode_puskesmas": names.at[desa, "kode_puskesmas"], "nama_puskesmas": names.at[desa, "nama_puskesmas"],
        "dusun": dusun, "rw": pd.NA, "lintang": lat, "bujur": lon,
        "aktif_sejak": pd.Timestamp(since) if since else pd.NaT,
    }  # fmt: skip


JEJARING = pd.DataFrame(
    [
        _unit("u1", "puskesmas", "PKM Satu", "1.01", -7.0, 110.0),
        _unit("u2", "pustu", "Pustu Alpha", "1.01", -7.01, 110.01),
        _unit("u3", "posyandu", "Mawar", "1.01", -7.02, 110.02, dusun="Krajan"),
        _unit("u4", "posyandu", "Melati", "1.01"),  # no coordinates
        _unit("u5", "posyandu", "Anggrek", "1.02", -7.1, 110.1),
        _unit("u6", "pustu", "Pustu Gamma", "1.03", -7.2, 110.2, since="2025-07-15"),  # opens in July
        _unit("u7", "posyandu", "Kenanga", "2.01", -7.3, 110.3, since="2025-03-01"),
    ]
)
# network of June 2025: Alpha pustu 1 posyandu 2; Beta pustu 0 posyandu 1; Gamma pustu 0 (opens July) posyandu 0;
# Delta pustu 0 posyandu 1
BY_DESA = pd.DataFrame(
    {
        "kode_desa": ["1.01", "1.02", "1.03", "2.01"],
        "nama_desa": ["Alpha", "Beta", "Gamma", "Delta"],
        "kode_puskesmas": ["P1", "P1", "P1", "P2"],
        "pustu": [1, 0, 0, 0],
        "posyandu": [2, 1, 0, 1],
        "poskesdes": [0, 0, 0, 0],
        "posbindu": [0, 0, 0, 0],
        "tanpa_pustu": [False, True, True, True],
        "tanpa_posyandu": [False, False, True, False],
    }
)


def _obs(unit: str, posyandu: str, desa: str, indikator: str, tahun: int, bulan: int, nilai: float,
         jk: str = "T") -> dict:  # fmt: skip
    return {
        "tahun": tahun, "bulan": bulan, "kode_desa": desa, "nama_desa": "", "kode_puskesmas": "",
        "indikator": indikator,
        "jk": jk, "nilai": nilai, "sumber_file": "f.xlsx", "sumber_sheet": "S", "sumber_sel": "C3",
        "posyandu": posyandu, "kode_unit": unit,
    }  # fmt: skip


VALUES = pd.DataFrame(
    [
        _obs("u3", "Mawar", "1.01", "BALITA_S", 2025, 5, 40),
        _obs("u3", "Mawar", "1.01", "BALITA_D", 2025, 5, 30),
        _obs("u3", "Mawar", "1.01", "BALITA_S", 2025, 6, 42),
        _obs("u3", "Mawar", "1.01", "BALITA_D", 2025, 6, 35),
        _obs("u3", "Mawar", "1.01", "BALITA_N", 2025, 6, 20),
        _obs("u4", "Melati", "1.01", "BALITA_S", 2025, 6, 25, jk="L"),  # only L and P: total is their sum
        _obs("u4", "Melati", "1.01", "BALITA_S", 2025, 6, 27, jk="P"),
        _obs("u4", "Melati", "1.01", "BALITA_D", 2025, 4, 18),  # silent since April
        _obs("u5", "Anggrek", "1.02", "BALITA_D", 2024, 12, 11),  # silent since December 2024
        _obs("u3", "Mawar", "1.01", "BALITA_D", 2024, 12, 29),
        {**_obs("x", "Flamboyan", "1.02", "BALITA_D", 2025, 6, 9), "kode_unit": pd.NA},  # name not in the list
    ]
)


def test_active_units_and_counts_follow_aktif_sejak() -> None:
    june = nf.active_units(JEJARING, nf.month_end(2025, 6))
    assert "u6" not in set(june["kode_unit"]) and "u7" in set(june["kode_unit"])
    assert "u7" not in set(nf.active_units(JEJARING, nf.month_end(2025, 2))["kode_unit"])
    assert "u6" in set(nf.active_units(JEJARING, date(2025, 7, 15))["kode_unit"])  # active from its first day
    assert nf.month_end(2024, 2) == date(2024, 2, 29)
    counts = nf.unit_counts(june)
    assert counts == {"puskesmas": 1, "pustu": 1, "poskesdes": 0, "posyandu": 4, "posbindu": 0}
    assert list(counts) == list(nf.UNIT_ORDER)


def test_summary_counts_desa_and_reporting_rate() -> None:
    reporting = pd.DataFrame({"kode_unit": ["u3", "u4", "u5", "u7"], "dilaporkan": [True, True, False, False]})
    s = nf.summary(nf.active_units(JEJARING, date(2025, 6, 30)), BY_DESA, reporting)
    assert (s.desa, s.tanpa_pustu, s.tanpa_posyandu, s.posyandu, s.melapor) == (4, 3, 1, 4, 2)
    assert s.reporting_rate == pytest.approx(50.0)
    assert nf.rate_text(s) == "50%"
    almost = nf.NetworkSummary(units={}, desa=1, tanpa_pustu=0, tanpa_posyandu=0, posyandu=298, melapor=297)
    assert nf.rate_text(almost) == "99,7%"
    empty = nf.summary(JEJARING.iloc[:0], BY_DESA.iloc[:0], reporting.iloc[:0])
    assert empty.reporting_rate is None and nf.rate_text(empty) == "–"


def test_gap_rows_puts_desa_missing_both_first() -> None:
    gaps = nf.gap_rows(BY_DESA, WILAYAH)
    # Gamma misses both; then the desa without pustu by puskesmas name (Dua before Satu): Delta, Beta
    assert list(gaps["nama_desa"]) == ["Gamma", "Delta", "Beta"]
    assert list(gaps["prioritas"]) == [1, 2, 2]
    assert gaps.loc[0, "kurang"] == t("jejaring_page.kurang_keduanya")
    assert gaps.loc[1, "nama_puskesmas"] == "Dua" and gaps.loc[1, "nama_kecamatan"] == "K2"
    assert "Alpha" not in set(gaps["nama_desa"])
    per_pkm = nf.gaps_by_puskesmas(BY_DESA, WILAYAH)
    assert per_pkm.to_dict("records") == [
        {"kode_puskesmas": "P1", "nama_puskesmas": "Satu", "desa": 3, "tanpa_pustu": 2, "tanpa_posyandu": 1},
        {"kode_puskesmas": "P2", "nama_puskesmas": "Dua", "desa": 1, "tanpa_pustu": 1, "tanpa_posyandu": 0},
    ]


def test_unreported_rows_longest_silent_first() -> None:
    reporting = pd.DataFrame(
        {
            "kode_unit": ["u3", "u4", "u5", "u7"],
            "nama": ["Mawar", "Melati", "Anggrek", "Kenanga"],
            "kode_desa": ["1.01", "1.01", "1.02", "2.01"],
            "nama_desa": ["Alpha", "Alpha", "Beta", "Delta"],
            "kode_puskesmas": ["P1", "P1", "P1", "P2"],
            "dilaporkan": [True, False, False, False],
            "jumlah_indikator": [3, 0, 0, 0],
        }
    )
    # July 2025: Melati's last values are of June
    rows = nf.unreported_rows(reporting, VALUES, WILAYAH, 2025, 7)
    # Kenanga never reported (first), Anggrek last in Dec 2024 (7 months), Melati last in June 2025 (1 month)
    assert list(rows["nama"]) == ["Kenanga", "Anggrek", "Melati"]
    assert rows["bulan_kosong"].tolist()[1:] == [7, 1] and rows["bulan_kosong"].isna().tolist()[0]
    assert rows.loc[1, "terakhir"] == f"{t('month.12')} 2024"
    assert rows.loc[0, "terakhir"] == "–" and rows.loc[0, "nama_puskesmas"] == "Dua"


def test_posyandu_history_last_months_with_totals() -> None:
    hist = nf.posyandu_history(VALUES, ["u3", "u4"], 2025, 6, months=12)
    months = [f"2024-{m:02d}" for m in range(7, 13)] + [f"2025-{m:02d}" for m in range(1, 7)]
    assert list(hist.columns) == ["kode_unit", "posyandu", "indikator", *months]
    # u3 first with S, D, N (SKDN order), then u4 with S, D
    assert list(zip(hist["kode_unit"], hist["indikator"], strict=True)) == [
        ("u3", "BALITA_S"), ("u3", "BALITA_D"), ("u3", "BALITA_N"), ("u4", "BALITA_S"), ("u4", "BALITA_D"),
    ]  # fmt: skip
    row = hist.set_index(["kode_unit", "indikator"])
    assert row.at[("u3", "BALITA_D"), "2024-12"] == 29 and row.at[("u3", "BALITA_D"), "2025-06"] == 35
    assert row.at[("u4", "BALITA_S"), "2025-06"] == 25 + 27  # L + P
    assert np.isnan(row.at[("u3", "BALITA_N"), "2025-05"])
    short = nf.posyandu_history(VALUES, ["u3"], 2025, 6, months=1)
    assert list(short.columns)[3:] == ["2025-06"] and len(short) == 3
    assert nf.posyandu_history(VALUES, ["nope"], 2025, 6).empty
    fig = nf.history_chart(hist, "u3", {"BALITA_S": "S", "BALITA_D": "D", "BALITA_N": "N"})
    assert [tr.name for tr in fig.data] == ["S", "D", "N"]
    assert fig.data[1].y[-1] == 35 and len(fig.data[1].x) == 12


def test_posyandu_table_counts_cumulative_and_ratio() -> None:
    units = nf.active_units(JEJARING, nf.month_end(2025, 6))
    table = nf.posyandu_table(VALUES, units, WILAYAH, 2025, 6, "BALITA_D")
    by = table.set_index("posyandu")
    # every active posyandu, plus the unmatched Flamboyan that has a value
    assert set(by.index) == {"Mawar", "Melati", "Anggrek", "Kenanga", "Flamboyan"}
    assert by.at["Mawar", "bulan_ini"] == 35 and by.at["Mawar", "bulan_lalu"] == 30
    assert by.at["Mawar", "kumulatif"] == 30 + 35  # 2024 values are not this year's
    assert by.at["Mawar", "penyebut"] == 42 and by.at["Mawar", "persen"] == pytest.approx(100 * 35 / 42)
    assert by.at["Melati", "kumulatif"] == 18 and np.isnan(by.at["Melati", "bulan_ini"])
    assert np.isnan(by.at["Melati", "persen"])  # no D this month
    assert by.at["Flamboyan", "nama_desa"] == "Beta" and by.at["Flamboyan", "bulan_ini"] == 9
    assert list(table["posyandu"][:2]) == ["Mawar", "Flamboyan"]  # highest this month first, no value last
    one = nf.posyandu_table(VALUES, units, WILAYAH, 2025, 6, "BALITA_S", kode_unit="u4")
    assert len(one) == 1 and one.loc[0, "bulan_ini"] == 52 and np.isnan(one.loc[0, "persen"])
    assert nf.posyandu_indicators(VALUES) == {"BALITA_S", "BALITA_D", "BALITA_N"}
    rows = nf.records(table)
    assert rows[0]["posyandu"] == "Mawar" and any(r["bulan_ini"] is None for r in rows)


def test_map_points_and_traces() -> None:
    units = nf.active_units(JEJARING, nf.month_end(2025, 6))
    points = nf.map_points(units)
    # units with both coordinates: u1, u2, u3, u5, u7 (u4 has none, u6 not active yet); puskesmas first
    assert list(points["kode_unit"]) == ["u1", "u2", "u3", "u5", "u7"]
    assert list(nf.map_points(units, ["1.02", "2.01"])["kode_unit"]) == ["u5", "u7"]
    trace = nf.points_trace(points)
    assert trace["type"] == "scattermap" and len(trace["lat"]) == 5
    assert trace["marker"]["color"][0] == nf.UNIT_STYLE["puskesmas"][0]
    assert trace["marker"]["color"][2] == nf.UNIT_STYLE["posyandu"][0]
    assert "Mawar" in trace["text"][2] and "Krajan" in trace["text"][2] and "Alpha" in trace["text"][2]
    outline = nf.no_pustu_trace(["1.02", "1.03"], "/geo/desa.json")
    assert outline["type"] == "choroplethmap" and list(outline["locations"]) == ["1.02", "1.03"]
    legend = nf.legend_items(points)
    assert [item[0] for item in legend] == ["puskesmas", "pustu", "posyandu"] and legend[2][3].endswith("(3)")


def test_desa_hover_counts() -> None:
    texts = nf.desa_count_text(BY_DESA, ["1.01", "1.02", "9.99"])
    assert texts[0] == f"{t('jejaring_page.hover_pustu', n=1)} · {t('jejaring_page.hover_posyandu', n=2)}"
    assert t("jejaring_page.hover_tanpa_pustu") in texts[1] and texts[2] == ""
    assert nf.with_counts(["a", "b", "c"], texts) == [f"a<br>{texts[0]}", f"b<br>{texts[1]}", "c"]
    mine = nf.desa_units(JEJARING, "1.01")
    assert list(mine["kode_unit"]) == ["u1", "u2", "u3", "u4"]  # type order, then name


def test_posyandu_columns_follow_the_indicator() -> None:
    d = [c["field"] for c in nf.posyandu_column_defs("BALITA_D", "prevalensi")]
    assert d == ["posyandu", "nama_desa", "nama_puskesmas", "bulan_lalu", "bulan_ini", "penyebut", "persen"]
    k = nf.posyandu_column_defs("K4", "kumulatif", show_puskesmas=False)
    assert [c["field"] for c in k] == ["posyandu", "nama_desa", "nama_puskesmas", "bulan_lalu", "bulan_ini",
                                       "kumulatif"]  # fmt: skip
    assert next(c for c in k if c["field"] == "nama_puskesmas")["hide"] is True
    ratio = next(c for c in nf.posyandu_column_defs("BALITA_N") if c["field"] == "persen")
    assert "N/D" in ratio["headerName"]
    assert nf.ratio_codes("BALITA_N") == ["BALITA_D"] and nf.ratio_codes("K4") == []


def test_layer_traces_are_valid_plotly_traces() -> None:
    """The layer's traces are built as plain dicts (fast); plotly accepts them as they are."""
    import plotly.graph_objects as go

    points = nf.map_points(nf.active_units(JEJARING, nf.month_end(2025, 6)))
    fig = go.Figure([nf.no_pustu_trace(["1.02"], "/geo/desa.json"), nf.points_trace(points)])
    assert fig.data[1].type == "scattermap" and len(fig.data[1].lat) == len(points)
    assert fig.data[0].type == "choroplethmap" and fig.data[0].hoverinfo == "skip"
