"""Puskesmas, kecamatan and kabupaten rows from a desa PWS table, and the priority ranking.

Aggregation is always a **ratio of sums** (domain §0.5): ``cakupan_kumulatif = 100 × Σ kumulatif / Σ sasaran``,
never the mean of desa percentages, and every other rate of an aggregate row likewise:

* which desa enter the sums: those with a denominator > 0; for cumulative and campaign indicators their
  unreported months count 0 (as at desa level), for prevalence indicators only the desa that reported this month
  (a prevalence has no value without a report);
* ``target_sd_bulan`` (and ``target_tahunan``) = the sasaran-weighted mean of the desa targets, i.e. persons due
  to date / sasaran — the same number as the desa target when all desa share one target (the plain mean when
  no desa has a denominator, so that charts keep their target line);
* ``kesenjangan`` in percentage points, ``kesenjangan_orang`` = persons still to serve for the *aggregate* to
  reach its target (desa ahead offset desa behind), ``kesenjangan_orang_desa`` = Σ of the desa gaps (the persons
  the desa behind still need: what outreach has to find);
* the trend compares Σ this month's counts with Σ last month's over the desa that reported both months
  (prevalence: the ratio of sums of each month); the status uses the same rules as a desa
  (:mod:`pws.analysis.coverage`); ``NO_DATA`` when no desa has a denominator or none reported this month;
* ``desa_baik`` … ``desa_no_data`` count the desa per status; ``ci_bawah``/``ci_atas`` are the Wilson interval
  of Σ kumulatif / Σ sasaran.

So an aggregate of a single desa equals that desa.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from pws.analysis.coverage import CONTRACT_COLUMNS, EPS, NO_DATA, status_pws4, status_target3, trend_of
from pws.analysis.settings import Settings
from pws.analysis.stats import wilson_interval

#: level -> (code column, name column) of the desa table; kabupaten is the whole table; per_kabupaten gives one
#: row per kabupaten of a province (the table needs ``kode_kabupaten``/``nama_kabupaten``: :func:`with_kabupaten`)
LEVELS: dict[str, tuple[str, str] | None] = {
    "puskesmas": ("kode_puskesmas", "nama_puskesmas"),
    "kecamatan": ("kode_kecamatan", "nama_kecamatan"),
    "kabupaten": None,
    "per_kabupaten": ("kode_kabupaten", "nama_kabupaten"),
}
STATUS_COUNT_COLUMNS = {
    "Baik": "desa_baik",
    "Kurang": "desa_kurang",
    "Cukup": "desa_cukup",
    "Jelek": "desa_jelek",
    NO_DATA: "desa_no_data",
}
AGGREGATE_COLUMNS = [
    "tingkat",
    "kode",
    "nama",
    *CONTRACT_COLUMNS[2:],  # the desa table's measures, sasaran .. kesenjangan, in the same order
    "kesenjangan_orang",
    "kesenjangan_orang_desa",
    "ci_bawah",
    "ci_atas",
    "target_tahunan",
    "status_target",
    "tercapai",
    "status_tanpa_tren",
    "tren_baik",
    "bulan_ini",
    "bulan_lalu",
    "jumlah_desa",
    "desa_dilaporkan",
    "desa_tanpa_sasaran",
    "desa_sasaran_perkiraan",
    *STATUS_COUNT_COLUMNS.values(),
    "proyeksi_akhir_tahun",
    "perlu_per_bulan",
    "akan_tercapai",
    "tahun",
    "bulan",
    "indikator",
    "jenis",
    "arah",
    "aturan_status",
]


def _num(values: Any) -> np.ndarray:
    if isinstance(values, np.ndarray | pd.Series) and values.dtype == np.float64:
        return np.asarray(values)
    return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _flag(values: Any) -> np.ndarray:
    if isinstance(values, np.ndarray | pd.Series) and values.dtype == np.bool_:
        return np.asarray(values)
    return pd.Series(values).fillna(False).to_numpy(dtype=bool)


def _ratio(num: float, den: float) -> float:
    return 100.0 * num / den if den > 0 else math.nan


def _weighted(values: np.ndarray, weights: np.ndarray, use: np.ndarray) -> float:
    """Sasaran-weighted mean of the desa targets; the plain mean when no desa has a denominator."""
    total = float(weights[use].sum())
    if total > 0:
        return float((values[use] * weights[use]).sum() / total)
    return float(np.nanmean(values)) if (~np.isnan(values)).any() else math.nan


class Measures:
    """The columns of a desa PWS table that :func:`aggregate` reads, as arrays (one row per desa), so that the
    rows of any group of desa are summed without building a DataFrame per group."""

    _NUMBERS = ("sasaran", "kumulatif", "bulan_ini", "bulan_lalu", "sasaran_bulan_lalu", "target_sd_bulan",
                "target_tahunan", "kesenjangan_orang")  # fmt: skip
    _FLAGS = ("dilaporkan", "sasaran_perkiraan")
    _FIRST = ("jenis", "arah", "aturan_status", "bulan", "tahun", "indikator")

    def __init__(self, columns: dict[str, Any]) -> None:
        self.numbers = {col: _num(columns[col]) for col in self._NUMBERS}
        self.flags = {col: _flag(columns[col]) for col in self._FLAGS}
        status = columns["status"]
        self.status = status.to_numpy(dtype=object) if isinstance(status, pd.Series) else np.array(status, dtype=object)
        self.first_values = {col: columns[col] for col in self._FIRST}

    @classmethod
    def of_table(cls, table: pd.DataFrame) -> Measures:
        return cls({col: table[col] for col in (*cls._NUMBERS, *cls._FLAGS, "status", *cls._FIRST)})

    def first(self, col: str, row: int) -> Any:
        """The value of a per-table column (``jenis``, ``bulan``, ...) in ``row``."""
        values = self.first_values[col]
        if isinstance(values, pd.Series):
            return values.iloc[row]
        return values  # a scalar for the whole table


def aggregate_row(
    m: Measures, rows: np.ndarray, level: str, kode: str, nama: str, settings: Settings
) -> dict[str, Any]:
    """The aggregate row of the desa at positions ``rows`` (ascending) of the table ``m`` was made from."""
    first = int(rows[0])
    jenis, arah = str(m.first("jenis", first)), str(m.first("arah", first))
    aturan = str(m.first("aturan_status", first))
    bulan = int(m.first("bulan", first))
    higher = arah == "naik"
    sign = 1.0 if higher else -1.0

    num = m.numbers
    sas = num["sasaran"][rows]
    kum = num["kumulatif"][rows]
    this = num["bulan_ini"][rows]
    last = num["bulan_lalu"][rows]
    sas_last = num["sasaran_bulan_lalu"][rows]
    valid = np.nan_to_num(sas, nan=0.0) > 0
    reported = m.flags["dilaporkan"][rows]
    use = valid & reported & ~np.isnan(kum) if jenis == "prevalensi" else valid

    s_sum = float(sas[use].sum())
    k_sum = float(np.nan_to_num(kum[use], nan=0.0).sum())
    cak = _ratio(k_sum, s_sum)
    line = _weighted(num["target_sd_bulan"][rows], sas, use)
    annual = _weighted(num["target_tahunan"][rows], sas, use)

    now = valid & reported & ~np.isnan(this)
    before = ~np.isnan(last) & (np.nan_to_num(sas_last, nan=0.0) > 0)
    both = now & before
    if jenis == "prevalensi":
        cak_now = _ratio(float(this[now].sum()), float(sas[now].sum()))
        cak_before = _ratio(float(last[before].sum()), float(sas_last[before].sum()))
        tren = (
            trend_of(
                _ratio(float(this[both].sum()), float(sas[both].sum())),
                _ratio(float(last[both].sum()), float(sas_last[both].sum())),
            )  # fmt: skip
            if both.any()
            else None
        )
    else:
        cak_now = _ratio(float(this[now].sum()), float(sas[now].sum()))
        cak_before = _ratio(float(last[before].sum()), float(sas_last[before].sum()))
        tren = trend_of(float(this[both].sum()), float(last[both].sum())) if both.any() else None

    no_data = s_sum <= 0 or not (valid & reported).any()
    known = not math.isnan(cak)
    atas = known and cak >= line - EPS
    met = known and (atas if higher else cak <= line + EPS)
    if no_data:
        status, status_target, without_trend = NO_DATA, NO_DATA, False
    else:
        status_target = "Tercapai" if met else "Tidak tercapai"
        if aturan == "pws4":
            status, without_trend = status_pws4(atas, tren, settings), tren is None
        else:
            status, without_trend = status_target3(met), False

    gap_persons: float | None = None
    if known:
        gap_persons = float(max(math.ceil(sign * (line / 100.0 * s_sum - k_sum) - EPS), 0))
    desa_gaps = num["kesenjangan_orang"][rows]
    gaps_known = ~np.isnan(desa_gaps)
    low, high = wilson_interval([k_sum if known else math.nan], [s_sum])

    projection = per_month = math.nan
    will_reach: bool | None = None
    if jenis == "kumulatif" and known:
        projection = cak * 12.0 / bulan
        need = annual / 100.0 * s_sum - k_sum
        per_month = 0.0 if need <= 0 else (need / (12 - bulan) if bulan < 12 else math.nan)
        will_reach = bool(projection >= annual - EPS)

    statuses = m.status[rows]
    row: dict[str, Any] = {
        "tingkat": level,
        "kode": kode,
        "nama": nama,
        "sasaran": s_sum if valid.any() else math.nan,
        "kumulatif": k_sum,
        "cakupan_kumulatif": cak,
        "target_sd_bulan": line,
        "cakupan_bulan_ini": cak_now,
        "cakupan_bulan_lalu": cak_before,
        "tren": tren,
        "posisi": ("atas" if atas else "bawah") if known else None,
        "status": status,
        "kesenjangan": sign * (cak - line),
        "kesenjangan_orang": gap_persons,
        "kesenjangan_orang_desa": float(np.where(gaps_known, desa_gaps, 0.0).sum()) if gaps_known.any() else math.nan,
        "ci_bawah": float(low[0]),
        "ci_atas": float(high[0]),
        "target_tahunan": annual,
        "status_target": status_target,
        "tercapai": met if known else None,
        "status_tanpa_tren": without_trend,
        "tren_baik": ({"naik": higher, "turun": not higher}.get(tren) if tren else None),
        "bulan_ini": float(this[now].sum()) if now.any() else math.nan,
        "bulan_lalu": float(last[before].sum()) if before.any() else math.nan,
        "jumlah_desa": len(rows),
        "desa_dilaporkan": int(reported.sum()),
        "desa_tanpa_sasaran": int((~valid).sum()),
        "desa_sasaran_perkiraan": int(m.flags["sasaran_perkiraan"][rows].sum()),
        **{col: int((statuses == name).sum()) for name, col in STATUS_COUNT_COLUMNS.items()},
        "proyeksi_akhir_tahun": projection,
        "perlu_per_bulan": per_month,
        "akan_tercapai": will_reach,
        "tahun": int(m.first("tahun", first)),
        "bulan": bulan,
        "indikator": m.first("indikator", first),
        "jenis": jenis,
        "arah": arah,
        "aturan_status": aturan,
    }
    return row


def aggregate(table: pd.DataFrame, level: str, settings: Settings | None = None) -> pd.DataFrame:
    """One row per puskesmas / kecamatan (sorted by code), or one row for the kabupaten, of a desa table made by
    :func:`pws.analysis.coverage.pws_table` (one indicator and month). Columns: :data:`AGGREGATE_COLUMNS`
    (``tingkat``, ``kode``, ``nama`` then the same measures as the desa table; see the module docstring).
    ``kode`` and ``nama`` are empty for the kabupaten."""
    settings = settings or Settings()
    if level not in LEVELS:
        raise ValueError(f"level must be one of {tuple(LEVELS)}, got {level!r}")
    if table.empty:
        return pd.DataFrame(columns=AGGREGATE_COLUMNS)
    if table["indikator"].nunique() > 1 or table["bulan"].nunique() > 1 or table["tahun"].nunique() > 1:
        raise ValueError("aggregate() takes the table of one indicator, year and month")
    measures = Measures.of_table(table)
    keys = LEVELS[level]
    rows: list[dict[str, Any]] = []
    if keys is None:
        rows.append(aggregate_row(measures, np.arange(len(table)), level, "", "", settings))
    else:
        code_col, name_col = keys
        grouped = table.groupby(code_col, sort=True)
        group_of = grouped.ngroup().to_numpy(dtype="float64", na_value=np.nan)  # NaN: a row without a code
        names = table[name_col]
        for i, kode in enumerate(grouped.size().index):
            members = np.flatnonzero(group_of == i)
            rows.append(aggregate_row(measures, members, level, str(kode), str(names.iloc[members[0]]), settings))
    return _frame(rows)


def with_kabupaten(table: pd.DataFrame, wilayah: pd.DataFrame) -> pd.DataFrame:
    """``table`` (desa rows) with ``kode_kabupaten`` and ``nama_kabupaten`` from the master list; a desa missing
    from it takes the ``PP.KK`` prefix of its code, and a kabupaten without a name its code."""
    codes = wilayah.drop_duplicates("kode_desa").set_index("kode_desa")
    kode_desa = table["kode_desa"].astype(str)
    kab = kode_desa.map(codes["kode_kabupaten"]) if "kode_kabupaten" in codes else pd.Series(pd.NA, index=table.index)
    kab = kab.fillna(kode_desa.str[:5]).astype(str)
    names: dict[str, str] = {}
    if "nama_kabupaten" in codes:
        names = {str(k): str(n) for k, n in zip(codes["kode_kabupaten"], codes["nama_kabupaten"], strict=True) if n}
    return table.assign(kode_kabupaten=kab.to_numpy(), nama_kabupaten=[names.get(k, k) for k in kab])


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=AGGREGATE_COLUMNS)
    for col in ("tercapai", "tren_baik", "akan_tercapai"):
        out[col] = pd.array(out[col].tolist(), dtype="boolean")
    out["kesenjangan_orang"] = pd.array(
        [None if v is None or pd.isna(v) else int(v) for v in out["kesenjangan_orang"]], dtype="Int64"
    )
    return out


#: the default sort direction of the ranking columns: the desa/puskesmas needing attention most come first
_DESCENDING = {"kesenjangan_orang": True, "kesenjangan_orang_desa": True, "perlu_per_bulan": True}


def ranking(table: pd.DataFrame, by: str = "kesenjangan_orang", ascending: bool | None = None) -> pd.DataFrame:
    """The rows of a desa table or of an :func:`aggregate` table, those needing attention most first, with
    ``peringkat`` (1 = most urgent).

    ``by = "kesenjangan_orang"`` (default): most persons still to serve first; ``"kesenjangan"``: the largest
    shortfall in percentage points first (most negative); other columns sort ascending unless ``ascending`` is
    given. Ties are broken by ``kesenjangan`` (most negative first), then by code; rows without a value (no
    sasaran) come last.
    """
    if by not in table.columns:
        raise KeyError(by)
    descending = _DESCENDING.get(by, False) if ascending is None else not ascending
    code = "kode_desa" if "kode_desa" in table.columns else "kode"
    keys = [by]
    order = [not descending]
    if by != "kesenjangan" and "kesenjangan" in table.columns:
        keys.append("kesenjangan")
        order.append(True)
    keys.append(code)
    order.append(True)
    work = table.copy()
    work["_sort"] = pd.to_numeric(work[by], errors="coerce").astype("float64")
    keys[0] = "_sort"
    ranked = work.sort_values(keys, ascending=order, na_position="last", kind="mergesort")
    ranked = ranked.drop(columns="_sort").reset_index(drop=True)
    ranked.insert(0, "peringkat", range(1, len(ranked) + 1))
    return ranked


__all__ = [
    "AGGREGATE_COLUMNS",
    "LEVELS",
    "STATUS_COUNT_COLUMNS",
    "Measures",
    "aggregate",
    "aggregate_row",
    "ranking",
    "with_kabupaten",
]
