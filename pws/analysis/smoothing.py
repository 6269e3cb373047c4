"""Empirical-Bayes smoothing of desa coverage, for maps (only used when ``Settings.smoothing`` is on).

Small desa have noisy percentages: with a sasaran of 12 one person moves the coverage by 8 points, so a map of
raw coverage is dominated by the smallest desa. The smoothed value shrinks each desa towards the rate of its
group (its puskesmas, or the kabupaten), the more the smaller its denominator:

* model: the desa's true proportion ``θ_i ~ Beta(μM, (1−μ)M)``, its count ``k_i ~ Binomial(n_i, θ_i)`` with
  ``k_i`` = ``kumulatif`` and ``n_i`` = ``sasaran``;
* ``μ`` = the group's ratio of sums ``Σk / Σn``; the between-desa variance is estimated by moments
  (Marshall 1991, "Mapping disease and mortality rates using empirical Bayes estimators", for proportions):
  ``φ = s² − μ(1−μ)/n̄`` with ``s² = Σ n_i (p_i − μ)² / Σ n_i`` and ``n̄ = Σn / N``;
* ``M = μ(1−μ)/φ − 1`` (the prior's weight in persons); ``φ ≤ 0`` (no more spread than chance) gives complete
  pooling — every desa gets ``μ``; ``M ≤ 0`` gives no shrinkage;
* smoothed coverage = ``100 × (k_i + μM) / (n_i + M)``, the posterior mean.

Groups whose rate is not strictly between 0 and 100 % (e.g. over-reporting above 100 %) are left unsmoothed, as
are desa without a denominator (NaN). Only descriptive: status, gaps and aggregates always use raw counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_GROUP = {"puskesmas": "kode_puskesmas", "kabupaten": None}


def shrink(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Posterior-mean proportions (in percent) of one group; NaN where ``n`` is not > 0 or ``k`` is missing."""
    k = np.asarray(k, dtype="float64")
    n = np.asarray(n, dtype="float64")
    ok = (np.nan_to_num(n, nan=0.0) > 0) & ~np.isnan(k)
    out = np.full(k.shape, np.nan)
    if not ok.any():
        return out
    kk, nn = k[ok], n[ok]
    raw = kk / nn
    mu = kk.sum() / nn.sum()
    if not 0.0 < mu < 1.0:
        out[ok] = 100.0 * raw
        return out
    s2 = float((nn * (raw - mu) ** 2).sum() / nn.sum())
    n_bar = float(nn.sum() / len(nn))
    phi = s2 - mu * (1.0 - mu) / n_bar
    if phi <= 0:
        out[ok] = 100.0 * mu
        return out
    weight = mu * (1.0 - mu) / phi - 1.0
    if weight <= 0:
        out[ok] = 100.0 * raw
        return out
    out[ok] = 100.0 * (kk + mu * weight) / (nn + weight)
    return out


def smooth_coverage(table: pd.DataFrame, level: str = "puskesmas") -> pd.Series:
    """Smoothed ``cakupan_kumulatif`` (percent) of a desa PWS table, shrunk towards its puskesmas (or the
    kabupaten) rate; aligned with ``table``'s index."""
    if level not in _GROUP:
        raise ValueError(f"level must be one of {tuple(_GROUP)}, got {level!r}")
    k = pd.to_numeric(table["kumulatif"], errors="coerce").to_numpy(dtype="float64")
    n = pd.to_numeric(table["sasaran"], errors="coerce").to_numpy(dtype="float64")
    out = np.full(len(table), np.nan)
    column = _GROUP[level]
    if column is None:
        out = shrink(k, n)
    else:
        codes = table[column].to_numpy()
        for code in pd.unique(codes):
            members = codes == code
            out[members] = shrink(k[members], n[members])
    return pd.Series(out, index=table.index, name="cakupan_halus")


__all__ = ["shrink", "smooth_coverage"]
