"""The services the demo district 'really' delivered: monthly counts per desa, indicator and sex.

Counts are drawn so that the clean data obey the programme's own logic (K1 >= K4 >= K6, KN1 >= KN lengkap,
DPT-HB-Hib1 >= 2 >= 3 ...) by thinning a parent count; patterns a district epidemiologist knows are built in:
villages that lag, a seasonal dip around Lebaran, a December rush, a puskesmas that over-reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pws.catalogue import Catalogue

YEARS = (2024, 2025)
LAST_MONTH = {2024: 12, 2025: 10}

#: indicator -> (sasaran type, annual rate of the sasaran, parent indicator or None, thinning share).
#: A child's monthly count is Binomial(parent's monthly count, share), which keeps the cascades consistent.
PLAN: dict[str, tuple[str, float, str | None, float]] = {
    # PWS KIA
    "K1": ("BUMIL", 0.97, None, 0.0),
    "K4": ("BUMIL", 0.0, "K1", 0.90),
    "K6": ("BUMIL", 0.0, "K4", 0.86),
    "RISTI_NAKES": ("BUMIL_KOMP", 0.85, None, 0.0),
    "RISTI_MAS": ("BUMIL_KOMP", 0.0, "RISTI_NAKES", 0.35),
    "PN": ("BULIN", 0.93, None, 0.0),
    "PF": ("BULIN", 0.0, "PN", 0.95),
    "KF1": ("BULIN", 0.0, "PN", 0.97),
    "KF_L": ("BULIN", 0.0, "KF1", 0.88),
    "KN1": ("BAYI", 0.94, None, 0.0),
    "KN_L": ("BAYI", 0.0, "KN1", 0.90),
    # recap desa x month
    "K1M": ("BUMIL", 0.0, "K1", 0.82),
    "PK": ("BUMIL_KOMP", 0.80, None, 0.0),
    "NEO_KOMP": ("NEO_KOMP", 0.78, None, 0.0),
    "SHK": ("BAYI", 0.0, "KN1", 0.65),
    # imunisasi
    "HB0": ("BAYI", 0.0, "KN1", 0.95),
    "BCG": ("BAYI_SI", 0.96, None, 0.0),
    "POLIO1": ("BAYI_SI", 0.0, "BCG", 0.99),
    "DPTHBHIB1": ("BAYI_SI", 0.96, None, 0.0),
    "POLIO2": ("BAYI_SI", 0.0, "DPTHBHIB1", 0.99),
    "DPTHBHIB2": ("BAYI_SI", 0.0, "DPTHBHIB1", 0.97),
    "POLIO3": ("BAYI_SI", 0.0, "DPTHBHIB2", 0.99),
    "DPTHBHIB3": ("BAYI_SI", 0.0, "DPTHBHIB2", 0.97),
    "POLIO4": ("BAYI_SI", 0.0, "DPTHBHIB3", 0.98),
    "IPV": ("BAYI_SI", 0.0, "DPTHBHIB3", 0.96),
    "MR1": ("BAYI_SI", 0.0, "DPTHBHIB3", 0.94),
    "IDL": ("BAYI_SI", 0.0, "MR1", 0.93),
    # SIGIZI (gizi & KIA entry)
    "TTD": ("BUMIL", 0.90, None, 0.0),
    "YANKES_BALITA": ("BALITA", 0.85, None, 0.0),
    "RM_TTD": ("REMATRI", 0.75, None, 0.0),
    # SPM usia produktif, lansia, penyakit menular, sekolah
    "SKR_PROD": ("USIA_PRODUKTIF", 0.62, None, 0.0),
    "HT": ("HT_EST", 0.58, None, 0.0),
    "DM": ("DM_EST", 0.62, None, 0.0),
    "ODGJ": ("ODGJ_EST", 0.80, None, 0.0),
    "SKR_LANSIA": ("LANSIA", 0.74, None, 0.0),
    "TB_TERDUGA": ("TB_EST", 0.70, None, 0.0),
    "HIV_TES": ("HIV_EST", 0.55, None, 0.0),
}
#: counted every month as a stock (balita registered and weighed; prevalence counts among those weighed)
MONTHLY_STOCK = {"BALITA_S": 0.96, "BALITA_D": 0.80, "STUNTING": 0.16, "WASTING": 0.06}
#: campaign indicators: sasaran share reached in each campaign month
CAMPAIGN = {"VITA": ("BALITA", {2: 0.86, 8: 0.90}), "SKRINING_SEK": ("USIA_DIKDAS", {8: 0.45, 9: 0.35})}
#: indicators whose reports split L / P / JML
BY_SEX = {k for k, v in PLAN.items() if v[0] == "BAYI_SI"} | {"HB0"}

SEASON = {
    2024: {4: 0.62, 5: 0.9, 12: 1.2},  # Lebaran in April 2024
    2025: {3: 0.7, 4: 0.65, 12: 1.2},  # Lebaran end of March 2025
}


@dataclass(frozen=True)
class Truth:
    sasaran: pd.DataFrame  # tahun, kode_desa, jenis_sasaran, jumlah
    counts: pd.DataFrame  # tahun, bulan, kode_desa, kode_puskesmas, indikator, jk, nilai


def build_sasaran(desa: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """Every sasaran type the catalogue knows, per desa and year, estimated from population (rounded)."""
    rows = []
    for year in YEARS:
        growth = 1.0 + 0.012 * (year - YEARS[0])
        for kode, pop in zip(desa["kode_desa"], desa["penduduk"], strict=True):
            pop_y = round(pop * growth)
            for jenis in catalogue.sasaran_types:
                value = pop_y if jenis == "PENDUDUK" else catalogue.estimate_sasaran(jenis, pop_y)
                rows.append((year, kode, jenis, max(round(value), 1)))
    return pd.DataFrame(rows, columns=["tahun", "kode_desa", "jenis_sasaran", "jumlah"])


def build_truth(desa: pd.DataFrame, catalogue: Catalogue, rng: np.random.Generator) -> Truth:
    """Monthly counts for two years (2024 complete, 2025 to October)."""
    sasaran = build_sasaran(desa, catalogue)
    s_index = sasaran.set_index(["tahun", "kode_desa", "jenis_sasaran"])["jumlah"]
    n_desa = len(desa)
    pkm_codes = sorted(desa["kode_puskesmas"].unique())
    pkm_factor = {p: 1.0 for p in pkm_codes}
    pkm_factor[pkm_codes[3]] = 1.35  # reports more than its sasaran
    # villages that lag (about one in eight), the rest near 1
    desa_factor = np.where(rng.random(n_desa) < 0.12, rng.uniform(0.45, 0.65, n_desa), rng.normal(1.0, 0.07, n_desa))
    rows: list[tuple[int, int, str, str, str, str, int]] = []
    for year in YEARS:
        for d, (kode, pkm) in enumerate(zip(desa["kode_desa"], desa["kode_puskesmas"], strict=True)):
            factor = desa_factor[d] * pkm_factor[pkm]
            for month in range(1, LAST_MONTH[year] + 1):
                season = SEASON[year].get(month, 1.0)
                month_counts: dict[str, int] = {}
                for code, (jenis, rate, parent, share) in PLAN.items():
                    if parent is None:
                        lam = s_index[(year, kode, jenis)] * rate / 12 * season * factor
                        n = int(rng.poisson(max(lam, 0.0)))
                    else:
                        n = int(rng.binomial(month_counts[parent], min(share, 1.0)))
                    month_counts[code] = n
                balita = s_index[(year, kode, "BALITA")]
                month_counts["BALITA_S"] = int(rng.binomial(balita, MONTHLY_STOCK["BALITA_S"]))
                weighed_share = min(MONTHLY_STOCK["BALITA_D"] * season * desa_factor[d] ** 0.5, 1.0)
                month_counts["BALITA_D"] = int(rng.binomial(month_counts["BALITA_S"], weighed_share))
                stunting = MONTHLY_STOCK["STUNTING"] * (1.5 if desa_factor[d] < 0.7 else 1.0)
                month_counts["STUNTING"] = int(rng.binomial(month_counts["BALITA_D"], stunting))
                month_counts["WASTING"] = int(rng.binomial(month_counts["BALITA_D"], MONTHLY_STOCK["WASTING"]))
                for code, (jenis, months) in CAMPAIGN.items():
                    share = months.get(month, 0.0) * min(factor, 1.1)
                    month_counts[code] = int(rng.binomial(s_index[(year, kode, jenis)], min(share, 1.0)))
                for code, n in month_counts.items():
                    rows.append((year, month, kode, pkm, code, "T", n))
                    if code in BY_SEX:
                        boys = int(rng.binomial(n, 0.51))
                        rows.append((year, month, kode, pkm, code, "L", boys))
                        rows.append((year, month, kode, pkm, code, "P", n - boys))
    counts = pd.DataFrame(rows, columns=["tahun", "bulan", "kode_desa", "kode_puskesmas", "indikator", "jk", "nilai"])
    return Truth(sasaran=sasaran, counts=counts)
