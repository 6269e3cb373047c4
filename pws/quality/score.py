"""A data-quality score per puskesmas and month, explained.

Every puskesmas-month starts at 100. Each finding placed on it costs its points (``poin``: the settings' points
per check; a missing report costs the completeness weight times the share of expected reports missing); within a
dimension the points lost are capped at the dimension's weight (``QualitySettings.weights``: kelengkapan 40,
ketepatan 10, konsistensi 25, pencilan 15, penyebut 10). So a month with nothing received scores at most 60, and
no single kind of problem can take more than its dimension's share. Findings with a year but no month (the
denominators) count in every month of the period; findings that belong to no puskesmas (kabupaten level) do not
count in any score.

:func:`score_frames` returns the scores (one row per puskesmas-month: ``skor`` and the points lost per dimension,
``hilang_<dimensi>``, plus ``rincian``: which checks cost how much) and the detail (one row per puskesmas-month,
dimension and check: number of findings, points before the cap and points counted).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pws.quality.settings import DIMENSIONS, QualitySettings

SCORE_COLUMNS = [
    "kode_puskesmas",
    "nama_puskesmas",
    "tahun",
    "bulan",
    "skor",
    *[f"hilang_{d}" for d in DIMENSIONS],
    "jumlah_temuan",
    "rincian",
]
DETAIL_COLUMNS = ["kode_puskesmas", "tahun", "bulan", "dimensi", "kode", "jumlah", "poin", "poin_dihitung"]


def score_frames(
    findings: pd.DataFrame, matrix: pd.DataFrame, settings: QualitySettings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores, detail) for every puskesmas-month of ``matrix`` (see the module docstring)."""
    grid = matrix[["kode_puskesmas", "nama_puskesmas", "tahun", "bulan"]].copy()
    if grid.empty:
        return pd.DataFrame(columns=SCORE_COLUMNS), pd.DataFrame(columns=DETAIL_COLUMNS)
    months = sorted(set(grid["bulan"].astype(int)))
    placed = findings[findings["kode_puskesmas"].notna() & findings["tahun"].notna()]
    placed = placed[["kode_puskesmas", "tahun", "bulan", "dimensi", "kode", "poin"]].copy()
    undated = placed["bulan"].isna()
    spread = placed[undated].drop(columns="bulan").merge(pd.DataFrame({"bulan": months}), how="cross")
    placed = pd.concat([placed[~undated], spread], ignore_index=True)
    placed = placed.astype({"tahun": "int64", "bulan": "int64"})
    placed = placed.merge(grid[["kode_puskesmas", "tahun", "bulan"]], on=["kode_puskesmas", "tahun", "bulan"])

    keys = ["kode_puskesmas", "tahun", "bulan", "dimensi"]
    detail = placed.groupby([*keys, "kode"], as_index=False).agg(jumlah=("poin", "size"), poin=("poin", "sum"))
    dim_total = detail.groupby(keys)["poin"].transform("sum")
    cap = detail["dimensi"].map(lambda d: settings.weight(d)).astype("float64")
    share = np.where(dim_total > 0, np.minimum(dim_total, cap) / dim_total.where(dim_total > 0, 1.0), 0.0)
    detail["poin_dihitung"] = detail["poin"] * share
    detail = detail[DETAIL_COLUMNS]

    lost = detail.pivot_table(
        index=["kode_puskesmas", "tahun", "bulan"], columns="dimensi", values="poin_dihitung", aggfunc="sum"
    )
    lost = lost.reindex(columns=list(DIMENSIONS), fill_value=0.0).fillna(0.0)
    lost.columns = [f"hilang_{d}" for d in DIMENSIONS]
    count = detail.groupby(["kode_puskesmas", "tahun", "bulan"])["jumlah"].sum().rename("jumlah_temuan")
    scores = grid.join(lost, on=["kode_puskesmas", "tahun", "bulan"]).join(
        count, on=["kode_puskesmas", "tahun", "bulan"]
    )
    for d in DIMENSIONS:
        scores[f"hilang_{d}"] = scores[f"hilang_{d}"].fillna(0.0)
    scores["jumlah_temuan"] = scores["jumlah_temuan"].fillna(0).astype("int64")
    scores["skor"] = 100.0 - scores[[f"hilang_{d}" for d in DIMENSIONS]].sum(axis=1)
    text = {
        key: "; ".join(
            f"{row.dimensi} −{row.poin_dihitung:.0f} ({row.kode} ×{row.jumlah})"
            for row in group.sort_values("poin_dihitung", ascending=False).itertuples(index=False)
            if row.poin_dihitung > 0
        )
        for key, group in detail.groupby(["kode_puskesmas", "tahun", "bulan"])
    }
    scores["rincian"] = [
        text.get((p, int(y), int(m)), "")
        for p, y, m in zip(scores["kode_puskesmas"], scores["tahun"], scores["bulan"], strict=True)  # fmt: skip
    ]
    return scores[SCORE_COLUMNS].reset_index(drop=True), detail.reset_index(drop=True)


def score_by_puskesmas(scores: pd.DataFrame) -> pd.DataFrame:
    """Per puskesmas over the period: the mean monthly score and mean points lost per dimension, worst first."""
    columns = ["kode_puskesmas", "nama_puskesmas", "skor", *[f"hilang_{d}" for d in DIMENSIONS], "jumlah_temuan"]
    if scores.empty:
        return pd.DataFrame(columns=columns)
    means = scores.groupby(["kode_puskesmas", "nama_puskesmas"], as_index=False).agg(
        {"skor": "mean", **{f"hilang_{d}": "mean" for d in DIMENSIONS}, "jumlah_temuan": "sum"}
    )
    return means[columns].sort_values(["skor", "kode_puskesmas"]).reset_index(drop=True)


__all__ = ["DETAIL_COLUMNS", "SCORE_COLUMNS", "score_by_puskesmas", "score_frames"]
