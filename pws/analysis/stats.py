"""Small statistics shared by the analysis: the Wilson score interval of a proportion."""

from __future__ import annotations

from typing import Any

import numpy as np

#: two-sided 95 % normal quantile
Z95 = 1.959963984540054


def wilson_interval(k: Any, n: Any, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of ``k`` successes out of ``n``, in percent (arrays, element-wise).

    ``(p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)`` with ``p = k/n`` (Wilson 1927). It stays inside
    [0, 100] and is sensible at 0 and n successes, unlike the normal (Wald) interval. ``n`` may be a non-integer
    estimated sasaran. NaN where ``n ≤ 0``, ``k < 0``, ``k > n`` (coverage above 100 % is a data-quality matter,
    not a sampling one) or either value is missing.
    """
    k_arr = np.asarray(k, dtype="float64")
    n_arr = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (n_arr > 0) & (k_arr >= 0) & (k_arr <= n_arr)
        p = np.where(ok, k_arr / n_arr, np.nan)
        z2 = z * z
        denom = 1.0 + z2 / n_arr
        centre = (p + z2 / (2.0 * n_arr)) / denom
        half = z * np.sqrt(p * (1.0 - p) / n_arr + z2 / (4.0 * n_arr * n_arr)) / denom
        low = np.where(ok, np.clip(centre - half, 0.0, 1.0) * 100.0, np.nan)
        high = np.where(ok, np.clip(centre + half, 0.0, 1.0) * 100.0, np.nan)
    return low, high


__all__ = ["Z95", "wilson_interval"]
