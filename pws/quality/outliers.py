"""Outliers and sudden zeros in each desa's monthly series (WHO DQR: extreme outliers; DHIS2 outlier detection).

For every desa × indicator (``jk == "T"``; campaign indicators excluded: their months are meant to differ) the
monthly values of the stored history (the year checked and up to two before) form a series.

1. **District month effect** (``outlier_season_adjust``): for each indicator and month, ``f`` = the median over
   the desa that reported that month of ``value / desa median``, weighted by the desa median (robust to a spike
   in a few desa), scaled so that the median month is 1. A Lebaran dip or a December rush moves every desa;
   dividing by ``f`` keeps it from being an outlier anywhere.
2. **Score** of a value ``x`` in its desa series: expected ``e = centre × f`` and ``score = (x − e) / spread``,
   where ``centre``/``spread`` are the median and MAD/0.6745 of the adjusted series (``modified_z``, Iglewicz &
   Hoaglin: 0.6745·(x − median)/MAD) or its mean and standard deviation (``z``), the spread taken in the original
   units (× ``f``) and never below ``outlier_count_spread × √max(e, 1)``: counts of a few persons vary by chance
   (Poisson) far more than a MAD of 0 or 1 says.
3. ``pencilan`` when ``|score| > outlier_threshold`` (3.5) and ``|x − e| ≥ outlier_min_difference`` persons.
4. ``nol_mendadak`` when ``x = 0`` and ``e ≥ sudden_zero_min_expected``: a desa that usually has that many per
   month reported none (a blank row read as zeros, a report left empty). It replaces a low ``pencilan``.

Series of fewer than :data:`MIN_SERIES` values are not judged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pws.catalogue import Catalogue
from pws.quality.findings import finding, number
from pws.quality.settings import QualitySettings

#: the fewest monthly values a desa series needs before its values are judged
MIN_SERIES = 6


def _month_factor(x: np.ndarray, m0: np.ndarray, month: np.ndarray) -> pd.Series:
    """Per month id: the median of ``x / m0`` over the desa, weighted by ``m0`` (desa with ``m0 > 0``): the level
    of that month relative to each desa's usual one, robust to a spike in a few desa."""
    ok = m0 > 0
    frame = pd.DataFrame({"g": month[ok], "r": x[ok] / m0[ok], "w": m0[ok]}).sort_values(["g", "r"], kind="stable")
    cum = frame.groupby("g")["w"].cumsum()
    total = frame.groupby("g")["w"].transform("sum")
    return frame[cum >= total / 2].groupby("g")["r"].first()


def scored_series(obs: pd.DataFrame, catalogue: Catalogue, settings: QualitySettings) -> pd.DataFrame:
    """Every judged value with its month factor ``f``, expected value ``harapan`` and score ``skor``."""
    jenis = {k: v.jenis for k, v in catalogue.indicators.items()}
    rows = obs[(obs["jk"] == "T") & (obs["indikator"].map(jenis) != "kampanye")].copy()
    if rows.empty:
        return rows.assign(f=pd.Series(dtype=float), harapan=pd.Series(dtype=float), skor=pd.Series(dtype=float))
    keys = ["kode_desa", "indikator"]
    rows["_n"] = rows.groupby(keys, sort=False)["nilai"].transform("size")
    rows = rows[rows["_n"] >= MIN_SERIES]
    if rows.empty:
        return rows.assign(f=pd.Series(dtype=float), harapan=pd.Series(dtype=float), skor=pd.Series(dtype=float))
    x = rows["nilai"].astype("float64")
    series = rows.groupby(keys, sort=False).ngroup().to_numpy()
    if settings.outlier_season_adjust:
        m0 = x.groupby(series).transform("median")
        month = rows.groupby(["indikator", "tahun", "bulan"], sort=False).ngroup().to_numpy()
        raw = pd.Series(month, index=rows.index).map(_month_factor(x.to_numpy(), m0.to_numpy(), month)).fillna(1.0)
        indicator = rows.groupby("indikator", sort=False).ngroup().to_numpy()
        per_month = pd.DataFrame({"i": indicator, "m": month, "raw": raw.to_numpy()}).drop_duplicates("m")
        typical = per_month.groupby("i")["raw"].median()
        scale = pd.Series(indicator, index=rows.index).map(typical).where(lambda s: s > 0, 1.0)
        f = (raw / scale).clip(lower=0.05).fillna(1.0)
    else:
        f = pd.Series(1.0, index=rows.index)
    adjusted = x / f
    group = adjusted.groupby(series)
    if settings.outlier_method == "modified_z":
        centre = group.transform("median")
        mad = (adjusted - centre).abs().groupby(series).transform("median")
        spread = mad / 0.6745
    else:
        centre = group.transform("mean")
        spread = group.transform("std").fillna(0.0)
    expected = centre * f
    floor = settings.outlier_count_spread * np.sqrt(np.maximum(expected, 1.0))
    spread_units = np.maximum(spread * f, floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = (x - expected) / spread_units
    out = rows.drop(columns="_n").assign(f=f, harapan=expected, skor=score.fillna(0.0))
    return out


def outlier_findings(
    obs: pd.DataFrame, catalogue: Catalogue, tahun: int, months: list[int], settings: QualitySettings
) -> list[dict[str, Any]]:
    """``pencilan`` and ``nol_mendadak`` findings of ``tahun`` (months of the period), judged on the whole
    series in ``obs``."""
    scored = scored_series(obs, catalogue, settings)
    if scored.empty:
        return []
    now = scored[(scored["tahun"] == tahun) & scored["bulan"].isin(months)]
    diff = (now["nilai"] - now["harapan"]).abs()
    zero = (now["nilai"] == 0) & (now["harapan"] >= settings.sudden_zero_min_expected)
    outlier = (now["skor"].abs() > settings.outlier_threshold) & (diff >= settings.outlier_min_difference) & ~zero
    found: list[dict[str, Any]] = []
    for code, mask in (("nol_mendadak", zero), ("pencilan", outlier)):
        for row in now[mask].itertuples(index=False):
            found.append(
                finding(
                    code,
                    kode_desa=row.kode_desa,
                    indikator=row.indikator,
                    tahun=tahun,
                    bulan=int(row.bulan),
                    nilai=float(row.nilai),
                    pembanding=float(row.harapan),
                    berkas=row.sumber_file or None,
                    sheet=row.sumber_sheet or "",
                    sel=row.sumber_sel or None,
                    angka=number(row.nilai),
                    harapan=number(round(float(row.harapan), 1)),
                    skor=number(round(float(row.skor), 1)),
                    metode=settings.outlier_method,
                )
            )
    return found


__all__ = ["MIN_SERIES", "outlier_findings", "scored_series"]
