"""Denominators (WHO DQR: quality of population data; domain.md §3; peers.md: "sasaran disagree" is the most common
complaint of district offices). Checks on ``sasaran.csv`` for the year checked:

* ``sasaran_beda_rumus`` — a desa sasaran far from the catalogue formula applied to the desa's population
  (``BUMIL = 1.10 × CBR × penduduk``, chain of ``sasaran_types.csv``), *after* the district's own factor: for each
  type the median ratio sasaran / formula over the desa is the district factor (a local CBR or prevalence), and a
  desa is reported when it differs from ``factor × formula`` by more than ``sasaran_formula_tolerance`` and by at
  least ``sasaran_min_difference`` persons. Needs ``PENDUDUK`` of the desa.
* ``sasaran_faktor_kabupaten`` (info) — the district factor of a type itself differs from 1 by more than the
  tolerance: say where the figures come from (not an error when a local CBR is used on purpose).
* ``sasaran_berubah_tajam`` — a desa sasaran changed by more than ``yoy_sasaran_threshold`` from the previous
  year (and by at least ``sasaran_min_difference`` persons).
* ``desa_tanpa_sasaran`` — a desa lacking a sasaran type the file gives other desa (found when the workspace is
  loaded), with the other problems of the sasaran file (duplicates, unknown desa, non-numbers).
* ``sasaran_tidak_sama_kabupaten`` — Σ desa sasaran differs from the kabupaten figure in the optional
  ``sasaran_kabupaten.csv`` (``tahun, jenis_sasaran, jumlah``) by more than ``kabupaten_sasaran_tolerance``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from pws.catalogue import BASE_SASARAN, Catalogue
from pws.issues import Issue
from pws.quality.findings import finding, number
from pws.quality.settings import QualitySettings

#: workspace issue codes that concern the sasaran file and belong to this dimension
SASARAN_ISSUES = ("desa_tanpa_sasaran", "sasaran_ganda", "sasaran_desa_tidak_dikenal")


def _factor(catalogue: Catalogue, jenis: str) -> float:
    return catalogue.estimate_sasaran(jenis, 1.0)


def _formula_text(catalogue: Catalogue, jenis: str) -> str:
    chain = catalogue.sasaran_chain(jenis)
    factors = " × ".join(f"{t.faktor:g}" for t in chain if t.kode != BASE_SASARAN)
    return f"{factors} × {BASE_SASARAN}" if factors else BASE_SASARAN


def _year_frame(sasaran: pd.DataFrame, tahun: int) -> pd.DataFrame:
    if sasaran.empty:
        return pd.DataFrame(columns=["kode_desa", "jenis_sasaran", "jumlah"])
    rows = sasaran[pd.to_numeric(sasaran["tahun"], errors="coerce") == tahun]
    rows = rows.assign(
        jenis_sasaran=rows["jenis_sasaran"].astype(str).str.upper(),
        jumlah=pd.to_numeric(rows["jumlah"], errors="coerce"),
    )
    return rows.dropna(subset=["jumlah"]).drop_duplicates(["kode_desa", "jenis_sasaran"], keep="last")


def formula_findings(
    sasaran: pd.DataFrame, catalogue: Catalogue, tahun: int, settings: QualitySettings, file: str | None
) -> list[dict[str, Any]]:
    """``sasaran_beda_rumus`` and ``sasaran_faktor_kabupaten`` (see the module docstring)."""
    year = _year_frame(sasaran, tahun)
    pop = year[year["jenis_sasaran"] == BASE_SASARAN].set_index("kode_desa")["jumlah"]
    rows = year[(year["jenis_sasaran"] != BASE_SASARAN) & year["jenis_sasaran"].isin(list(catalogue.sasaran_types))]
    rows = rows.assign(penduduk=rows["kode_desa"].map(pop)).dropna(subset=["penduduk"])
    rows = rows[rows["penduduk"] > 0]
    found: list[dict[str, Any]] = []
    tol = settings.sasaran_formula_tolerance
    for jenis, group in rows.groupby("jenis_sasaran", sort=True):
        formula = group["penduduk"] * _factor(catalogue, str(jenis))
        ratio = group["jumlah"] / formula
        district = float(np.median(ratio)) if len(ratio) else 1.0
        if not np.isfinite(district) or district <= 0:
            district = 1.0
        if abs(district - 1.0) > tol:
            found.append(
                finding(
                    "sasaran_faktor_kabupaten",
                    tahun=tahun,
                    berkas=file,
                    nilai=district,
                    pembanding=1.0,
                    jenis=jenis,
                    rasio=number(round(district, 2)),
                    rumus=_formula_text(catalogue, str(jenis)),
                )
            )
        expected = formula * district
        diff = group["jumlah"] - expected
        bad = (diff.abs() > tol * expected) & (diff.abs() >= settings.sasaran_min_difference)
        for i in np.flatnonzero(bad.to_numpy()):
            row = group.iloc[i]
            exp = float(expected.iloc[i])
            found.append(
                finding(
                    "sasaran_beda_rumus",
                    kode_desa=row["kode_desa"],
                    tahun=tahun,
                    berkas=file,
                    nilai=float(row["jumlah"]),
                    pembanding=exp,
                    jenis=jenis,
                    jumlah=number(row["jumlah"]),
                    harapan=number(round(exp)),
                    rumus=_formula_text(catalogue, str(jenis)),
                    penduduk=number(row["penduduk"]),
                    faktor=number(round(district, 2)),
                    selisih=number(round(100.0 * float(diff.iloc[i]) / exp)),
                )
            )
    return found


def yoy_findings(
    sasaran: pd.DataFrame, tahun: int, settings: QualitySettings, file: str | None
) -> list[dict[str, Any]]:
    """``sasaran_berubah_tajam`` (see the module docstring)."""
    now = _year_frame(sasaran, tahun).set_index(["kode_desa", "jenis_sasaran"])["jumlah"]
    before = _year_frame(sasaran, tahun - 1).set_index(["kode_desa", "jenis_sasaran"])["jumlah"]
    both = pd.DataFrame({"nilai": now, "lalu": before}).dropna()
    both = both[both["lalu"] > 0]
    change = both["nilai"] / both["lalu"] - 1.0
    bad = both[(change.abs() > settings.yoy_sasaran_threshold)
               & ((both["nilai"] - both["lalu"]).abs() >= settings.sasaran_min_difference)]  # fmt: skip
    return [
        finding(
            "sasaran_berubah_tajam",
            kode_desa=kode,
            tahun=tahun,
            berkas=file,
            nilai=float(row.nilai),
            pembanding=float(row.lalu),
            jenis=jenis,
            jumlah=number(row.nilai),
            lalu=number(row.lalu),
            tahun_lalu=tahun - 1,
            perubahan=number(round(100.0 * (row.nilai / row.lalu - 1.0))),
        )
        for (kode, jenis), row in bad.iterrows()
    ]


def kabupaten_findings(
    sasaran: pd.DataFrame, kabupaten: pd.DataFrame, tahun: int, settings: QualitySettings, file: str | None
) -> list[dict[str, Any]]:
    """``sasaran_tidak_sama_kabupaten`` (see the module docstring)."""
    if kabupaten.empty:
        return []
    sums = _year_frame(sasaran, tahun).groupby("jenis_sasaran")["jumlah"].sum()
    found = []
    for row in kabupaten[kabupaten["tahun"] == tahun].itertuples(index=False):
        if row.jenis_sasaran not in sums.index or row.jumlah <= 0:
            continue
        total = float(sums[row.jenis_sasaran])
        diff = total / float(row.jumlah) - 1.0
        if abs(diff) > settings.kabupaten_sasaran_tolerance:
            found.append(
                finding(
                    "sasaran_tidak_sama_kabupaten",
                    tahun=tahun,
                    berkas=file,
                    nilai=total,
                    pembanding=float(row.jumlah),
                    jenis=row.jenis_sasaran,
                    jumlah=number(total),
                    kabupaten=number(row.jumlah),
                    selisih=number(round(100.0 * diff, 1)),
                )
            )
    return found


def workspace_findings(issues: Iterable[Issue], tahun: int) -> list[dict[str, Any]]:
    """The sasaran problems found when the workspace was loaded (``desa_tanpa_sasaran`` ...), for ``tahun``
    (or without a year)."""
    found = []
    for item in issues:
        if item.code not in SASARAN_ISSUES:
            continue
        year = item.params.get("tahun")
        if year is not None and str(year).isdigit() and int(year) != tahun:
            continue
        kode = item.params.get("kode")
        params = {k: v for k, v in item.params.items() if k != "tahun"}
        found.append(
            finding(
                item.code,
                kode_desa=kode if isinstance(kode, str) else None,
                tahun=tahun,
                berkas=item.file,
                sel=f"baris {item.row}" if item.row else None,
                asal="workspace",
                tingkat=item.severity,
                **params,
            )
        )
    return found


def denominator_findings(
    sasaran: pd.DataFrame,
    catalogue: Catalogue,
    tahun: int,
    settings: QualitySettings,
    issues: Iterable[Issue] = (),
    kabupaten: pd.DataFrame | None = None,
    file: str | None = "sasaran.csv",
) -> list[dict[str, Any]]:
    """Every denominator finding of ``tahun``."""
    found = workspace_findings(issues, tahun)
    found += formula_findings(sasaran, catalogue, tahun, settings, file)
    found += yoy_findings(sasaran, tahun, settings, file)
    if kabupaten is not None:
        found += kabupaten_findings(sasaran, kabupaten, tahun, settings, file)
    return found


__all__ = [
    "SASARAN_ISSUES",
    "denominator_findings",
    "formula_findings",
    "kabupaten_findings",
    "workspace_findings",
    "yoy_findings",
]
