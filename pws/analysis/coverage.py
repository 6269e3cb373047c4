"""The PWS table of one indicator and month: coverage, target to date, trend, position and status per desa.

:func:`pws_table` returns one row per desa of the master list (every desa, with or without data). Its first
columns are the ``pws status`` contract (contracts.md §4, in this order)::

    kode_desa, nama_desa, sasaran, kumulatif, cakupan_kumulatif, target_sd_bulan, cakupan_bulan_ini,
    cakupan_bulan_lalu, tren, posisi, status, kesenjangan

then the extras of :data:`EXTRA_COLUMNS`. Percentages are in percent, in full precision (round for display only),
never clamped at 100 (domain §2.3). Only the ``jk == "T"`` rows of the tidy table are used.

Rules (domain.md §0, §1.2–§1.4; the choices marked *decision* are ours and documented here):

* **Cumulative indicators** (``jenis = kumulatif``, status rule ``pws4``): ``kumulatif`` = Σ of the monthly counts
  January..``bulan`` of ``tahun`` (a month without a report counts 0); ``cakupan_kumulatif = 100 × kumulatif /
  sasaran`` with the *annual* sasaran; ``target_sd_bulan = T × bulan/12`` (``Settings.target_line = "datar"``:
  ``T``). ``T`` comes from :func:`target_for` (desa > puskesmas > kabupaten rows of ``target.csv`` > catalogue).
* **Position**: ``atas`` when ``cakupan_kumulatif ≥ target_sd_bulan`` — equality counts as atas (§1.4 point 2),
  with a tolerance of 1e-9 percentage points for floating-point noise.
* **Trend** compares this month's *count* with last month's (§1.2 caveat: with a constant annual sasaran this is
  the same as comparing monthly coverage, without rounding artefacts): ``naik`` / ``tetap`` / ``turun``. January
  compares with December of the previous year when that report is in ``obs`` (``Settings.january``); its
  ``cakupan_bulan_lalu`` is December's count over *this* year's sasaran, so that the percentages shown agree
  with the trend.
  *Decision*: when the trend cannot be judged — January without the previous December, or last month's report
  missing — ``tren`` is empty (domain §6 "na"; left empty rather than a fourth word so that the column keeps the
  contract's vocabulary), ``status_tanpa_tren`` is True and the status is taken as if the trend were unchanged:
  atas → Baik, bawah → ``Settings.below_target_unchanged``. A missing report is never read as a count of 0
  for the trend. Without a denominator there is no coverage and so no trend either (``tren`` empty).
* **Status** (pws4, §1.4): atas & (naik | tetap) → Baik; atas & turun → Kurang; bawah & naik → Cukup;
  bawah & turun → Jelek; bawah & tetap → ``Settings.below_target_unchanged`` (default Jelek).
* **NO_DATA** when the denominator is missing or 0 (§1.4 point 5) *or* the desa has no report (no ``T`` row)
  for ``bulan`` (``dilaporkan`` False). The coverage columns are still filled where they can be computed (a
  missing month counts 0 in the cumulative), so the gap of an unreported desa stays visible.
* ``kesenjangan = cakupan_kumulatif − target_sd_bulan`` in percentage points, sign flipped for lower-is-better
  indicators so that negative always means behind; ``kesenjangan_orang`` = persons still to serve to reach the
  target to date, ``ceil(target_sd_bulan/100 × sasaran − kumulatif)``, at least 0 (lower-is-better: persons above
  the target level).
* ``ci_bawah``/``ci_atas``: 95 % Wilson interval of ``kumulatif / sasaran`` (NaN above 100 %);
  ``proyeksi_akhir_tahun = cakupan_kumulatif × 12 / bulan`` (December coverage at the average pace so far);
  ``perlu_per_bulan`` = persons per remaining month to reach the annual target (0 when reached; NaN in December
  when not reached); ``akan_tercapai`` = projection ≥ annual target. These three only for cumulative indicators.

**Indicators with the ``target3`` rule** (point prevalence such as STUNTING, WASTING, ANEMIA, KEK; monthly
participation such as BALITA_D; campaigns such as VITA, SKRINING_SEK): domain §1.4 point 4 and [S20] say the
four-category logic is for cumulative coverage and these are judged *target met / not met / no data*, with a
direction-aware trend. *Decision*: that three-state result is the column ``status_target`` (``Tercapai``,
``Tidak tercapai``, ``NO_DATA``), and ``status`` carries it in the contract's vocabulary: **Baik** = target met,
**Jelek** = target not met, ``NO_DATA`` as above — Kurang and Cukup never occur for them (inventing a trend-based
grading for prevalence is what [S20] advises against). So ``pws status`` stays meaningful for every indicator,
and a UI that knows ``aturan_status`` shows ``status_target`` instead.

* ``prevalensi``: no cumulation. ``kumulatif`` holds this month's count and ``cakupan_kumulatif`` this month's
  value ``100 × count / penyebut``; the target is flat (no proration of a point value). The denominator
  (``sasaran`` column, named in ``penyebut``) is the number measured that month when the report gives it
  (``Settings.measured_denominators``: STUNTING and WASTING over BALITA_D, the children weighed/measured, of the
  same desa-month) — the sasaran estimate (``BALITA_UKUR`` ≈ 80 % of balita) is used only when that count is
  not reported. The trend compares the monthly *values* (the denominator changes month to month).
* ``kampanye``: the count is summed inside the current campaign window and the target to date rises in steps
  (:class:`pws.analysis.settings.CampaignRule`; VITA per round Feb–Jul / Aug–Jan, SKRINING_SEK per school year
  from July). The window may start in the previous year: those months are read from ``obs`` when present (a
  month without a report counts 0). The annual sasaran of ``tahun`` is the denominator. Trend on counts.
* ``tren`` is always the raw direction of the value; ``tren_baik`` says whether it moved the good way
  (falling prevalence = True), empty when unchanged or unknown. ``posisi`` is the raw position of the value
  against the target line (for a lower-is-better indicator ``bawah`` is good); ``tercapai`` is the
  direction-aware verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from pws.analysis.settings import Settings
from pws.analysis.stats import wilson_interval
from pws.catalogue import Catalogue, Indicator

NO_DATA = "NO_DATA"
#: the values of ``status`` (contracts §4)
STATUSES = ("Baik", "Kurang", "Cukup", "Jelek", NO_DATA)
#: the values of ``status_target``
TARGET_STATUSES = ("Tercapai", "Tidak tercapai", NO_DATA)
TRENDS = ("naik", "tetap", "turun")
POSITIONS = ("atas", "bawah")

#: the ``pws status`` contract, in order (contracts §4)
CONTRACT_COLUMNS = [
    "kode_desa",
    "nama_desa",
    "sasaran",
    "kumulatif",
    "cakupan_kumulatif",
    "target_sd_bulan",
    "cakupan_bulan_ini",
    "cakupan_bulan_lalu",
    "tren",
    "posisi",
    "status",
    "kesenjangan",
]
#: extra columns of :func:`pws_table`, after the contract ones (``cakupan_halus`` only with smoothing on)
EXTRA_COLUMNS = [
    "kode_puskesmas",
    "nama_puskesmas",
    "kode_kecamatan",
    "nama_kecamatan",
    "tahun",
    "bulan",
    "indikator",
    "jenis",
    "arah",
    "aturan_status",
    "target_tahunan",
    "bulan_ini",
    "bulan_lalu",
    "dilaporkan",
    "status_target",
    "tercapai",
    "status_tanpa_tren",
    "tren_baik",
    "kesenjangan_orang",
    "ci_bawah",
    "ci_atas",
    "sasaran_kecil",
    "sasaran_perkiraan",
    "penyebut",
    "sasaran_bulan_lalu",
    "proyeksi_akhir_tahun",
    "perlu_per_bulan",
    "akan_tercapai",
]
DESA_COLUMNS = ["kode_desa", "nama_desa", "kode_puskesmas", "nama_puskesmas", "kode_kecamatan", "nama_kecamatan"]

#: tolerance, in percentage points, for "equal to the target"
EPS = 1e-9


# ----------------------------------------------------------------------------------------------------
# the rules, as plain functions


def trend_of(this: float | None, last: float | None) -> str | None:
    """``naik`` / ``tetap`` / ``turun`` of ``this`` against ``last``; None when either is missing."""
    if this is None or last is None or pd.isna(this) or pd.isna(last):
        return None
    diff = float(this) - float(last)
    tol = EPS * max(1.0, abs(float(last)))
    if diff > tol:
        return "naik"
    if diff < -tol:
        return "turun"
    return "tetap"


def status_pws4(atas: bool, tren: str | None, settings: Settings | None = None) -> str:
    """The classic four-category status (domain §1.4); an unknown trend (None) is read as ``tetap``."""
    settings = settings or Settings()
    if atas:
        return "Kurang" if tren == "turun" else "Baik"
    if tren == "naik":
        return "Cukup"
    if tren == "turun":
        return "Jelek"
    return settings.below_target_unchanged


def status_target3(tercapai: bool) -> str:
    """``status`` of a target3 indicator in the contract's words: Baik = target met, Jelek = not met."""
    return "Baik" if tercapai else "Jelek"


def target_to_date(annual: float, bulan: int, settings: Settings | None = None) -> float:
    """The target line of a cumulative indicator: ``T × bulan/12`` (prorata) or ``T`` (datar)."""
    settings = settings or Settings()
    return float(annual) * (bulan / 12.0 if settings.target_line == "prorata" else 1.0)


# ----------------------------------------------------------------------------------------------------
# inputs


def desa_frame(wilayah: pd.DataFrame) -> pd.DataFrame:
    """The desa of the master list (first row per code, master-list order) with the columns of DESA_COLUMNS."""
    out = pd.DataFrame(index=range(len(wilayah)))
    for col in DESA_COLUMNS:
        out[col] = _text(wilayah[col]).to_numpy() if col in wilayah.columns else ""
    return out.drop_duplicates("kode_desa").reset_index(drop=True)


def _text(column: pd.Series) -> pd.Series:
    return column.fillna("").astype(str).str.strip()


def _sasaran_of_type(
    sasaran: pd.DataFrame,
    catalogue: Catalogue,
    index: pd.Index,
    tahun: int,
    jenis: str,
    settings: Settings,
) -> tuple[np.ndarray, np.ndarray]:
    """(value, estimated) arrays of sasaran type ``jenis`` for the desa of ``index`` in ``tahun``."""
    chain = (
        [t.kode for t in catalogue.sasaran_chain(jenis)]
        if settings.estimate_missing_sasaran and jenis in catalogue.sasaran_types
        else [jenis]
    )
    if sasaran is None or sasaran.empty:
        year = pd.DataFrame(columns=["kode_desa", "jenis_sasaran", "jumlah"])
    else:
        kinds = sasaran["jenis_sasaran"].astype(str).str.upper()
        year = sasaran.loc[(pd.to_numeric(sasaran["tahun"], errors="coerce") == tahun) & kinds.isin(chain)]
    table = {
        str(kind): pd.to_numeric(group["jumlah"], errors="coerce").groupby(group["kode_desa"].astype(str)).last()
        for kind, group in year.groupby(year["jenis_sasaran"].astype(str).str.upper())
    }

    def lookup(kind: str) -> np.ndarray:
        found = table.get(kind)
        if found is None:
            return np.full(len(index), np.nan)
        return found.reindex(index).to_numpy(dtype="float64")

    value = lookup(jenis)
    estimated = np.zeros(len(index), dtype=bool)
    factor = 1.0
    for i, kind in enumerate(chain):
        if i > 0:
            candidate = lookup(kind) * factor
            fill = np.isnan(value) & ~np.isnan(candidate)
            value = np.where(fill, candidate, value)
            estimated |= fill
        factor *= catalogue.sasaran_types[kind].faktor if len(chain) > 1 else 1.0
    return value, estimated


def sasaran_for(
    sasaran: pd.DataFrame,
    catalogue: Catalogue,
    wilayah: pd.DataFrame,
    tahun: int,
    indikator: str,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """The annual denominator of ``indikator`` per desa: ``kode_desa, sasaran, sasaran_perkiraan``.

    From ``sasaran`` (the long frame of :func:`pws.workspace.load_sasaran`) for the indicator's catalogue sasaran
    type. When the type is missing for a desa and ``settings.estimate_missing_sasaran`` is on, it is estimated
    from the nearest type of its catalogue chain that the desa has (e.g. BUMIL_KOMP = 0.20 × BUMIL when BUMIL is
    there, else 0.20 × 1.10 × CBR × PENDUDUK) and flagged ``sasaran_perkiraan``; else it stays missing (NaN).
    A 0 in the file stays 0 (the status is then NO_DATA).
    """
    settings = settings or Settings()
    ind = catalogue.indicators[indikator]
    desa = desa_frame(wilayah)
    index = pd.Index(desa["kode_desa"])
    value, estimated = _sasaran_of_type(sasaran, catalogue, index, tahun, ind.sasaran, settings)
    return pd.DataFrame({"kode_desa": desa["kode_desa"], "sasaran": value, "sasaran_perkiraan": estimated})


def target_for(
    targets: pd.DataFrame | None,
    catalogue: Catalogue,
    tahun: int,
    indikator: str,
    wilayah: pd.DataFrame,
) -> pd.Series:
    """The annual target (percent) of ``indikator`` in ``tahun`` per desa (Series indexed by ``kode_desa``).

    Precedence: a ``target.csv`` row for the desa > one for its puskesmas > a kabupaten row (empty
    ``kode_puskesmas`` and ``kode_desa``) > the catalogue default. Rows of other years are not carried over.
    When several rows hold for the same place the last one wins.
    """
    return _targets(targets, catalogue.indicators[indikator], tahun, desa_frame(wilayah))


def _targets(targets: pd.DataFrame | None, ind: Indicator, tahun: int, desa: pd.DataFrame) -> pd.Series:
    out = pd.Series(float(ind.target), index=pd.Index(desa["kode_desa"], name="kode_desa"), name="target")
    if targets is None or targets.empty:
        return out
    rows = pd.DataFrame(
        {
            "tahun": pd.to_numeric(targets["tahun"], errors="coerce"),
            "indikator": _text(targets["indikator"]).str.upper(),
            "target": pd.to_numeric(targets["target"], errors="coerce"),
            "kode_puskesmas": _text(targets["kode_puskesmas"]) if "kode_puskesmas" in targets else "",
            "kode_desa": _text(targets["kode_desa"]) if "kode_desa" in targets else "",
        }
    )
    rows = rows[(rows["tahun"] == tahun) & (rows["indikator"] == ind.kode) & rows["target"].notna()]
    if rows.empty:
        return out
    kab = rows[(rows["kode_puskesmas"] == "") & (rows["kode_desa"] == "")]
    if not kab.empty:
        out[:] = float(kab["target"].iloc[-1])
    pkm_rows = rows[(rows["kode_puskesmas"] != "") & (rows["kode_desa"] == "")]
    if not pkm_rows.empty:
        by_pkm = pkm_rows.groupby("kode_puskesmas")["target"].last()
        mapped = desa["kode_puskesmas"].map(by_pkm).to_numpy(dtype="float64")
        out[:] = np.where(np.isnan(mapped), out.to_numpy(), mapped)
    desa_rows = rows[rows["kode_desa"] != ""]
    if not desa_rows.empty:
        by_desa = desa_rows.groupby("kode_desa")["target"].last()
        mapped = out.index.map(by_desa).to_numpy(dtype="float64")
        out[:] = np.where(np.isnan(mapped), out.to_numpy(), mapped)
    return out


class MonthlyCounts:
    """The ``jk == "T"`` monthly counts of some indicators, looked up per (indicator, tahun, bulan) as arrays
    aligned with a list of desa (NaN where the desa has no report)."""

    def __init__(self, obs: pd.DataFrame | None, codes: Iterable[str], index: pd.Index) -> None:
        self.index = index
        self._columns: dict[tuple[str, int, int], int] = {}
        self._values = np.empty((len(index), 0))
        if obs is None or obs.empty:
            return
        mask = obs["indikator"].isin(list(codes)) & (obs["jk"] == "T")
        sel = obs.loc[mask, ["kode_desa", "indikator", "tahun", "bulan", "nilai"]]
        if sel.empty:
            return
        sel = sel.assign(
            kode_desa=sel["kode_desa"].astype(str),
            indikator=sel["indikator"].astype(str),
            tahun=sel["tahun"].astype("int64"),
            bulan=sel["bulan"].astype("int64"),
            nilai=pd.to_numeric(sel["nilai"], errors="coerce"),
        )
        wide = sel.groupby(["kode_desa", "indikator", "tahun", "bulan"])["nilai"].sum(min_count=1)
        wide = wide.unstack(["indikator", "tahun", "bulan"]).reindex(index)
        self._columns = {(str(c), int(y), int(m)): i for i, (c, y, m) in enumerate(wide.columns)}
        self._values = wide.to_numpy(dtype="float64")

    def month(self, code: str, tahun: int, bulan: int) -> np.ndarray:
        column = self._columns.get((code, tahun, bulan))
        if column is None:
            return np.full(len(self.index), np.nan)
        return self._values[:, column].copy()


# ----------------------------------------------------------------------------------------------------
# the table


def _pct(count: np.ndarray, denom: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denom > 0, 100.0 * count / denom, np.nan)


def _trends(this: np.ndarray, last: np.ndarray) -> list[str | None]:
    return [trend_of(a, b) for a, b in zip(this.tolist(), last.tolist(), strict=True)]


def _nullable_bool(values: Sequence[bool | None]) -> pd.arrays.BooleanArray:
    return pd.array(list(values), dtype="boolean")


def _previous(tahun: int, bulan: int) -> tuple[int, int]:
    return (tahun, bulan - 1) if bulan > 1 else (tahun - 1, 12)


def pws_table(
    obs: pd.DataFrame,
    sasaran: pd.DataFrame,
    targets: pd.DataFrame | None,
    catalogue: Catalogue,
    wilayah: pd.DataFrame,
    tahun: int,
    bulan: int,
    indikator: str,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """The PWS table of ``indikator`` for ``bulan``/``tahun``: one row per desa of ``wilayah`` (see the module
    docstring for every rule). ``obs`` is the tidy table (contracts §2); include December of ``tahun − 1`` for
    January's trend, and the previous year for campaign windows that start there. Raises KeyError for an
    indicator the catalogue does not know and ValueError for a month outside 1..12."""
    settings = settings or Settings()
    if not 1 <= int(bulan) <= 12:
        raise ValueError(f"bulan must be 1..12, got {bulan!r}")
    tahun, bulan = int(tahun), int(bulan)
    ind = catalogue.indicators[indikator]
    desa = desa_frame(wilayah)
    index = pd.Index(desa["kode_desa"])
    n = len(index)

    annual = _targets(targets, ind, tahun, desa).to_numpy(dtype="float64")
    sas, sas_est = _sasaran_of_type(sasaran, catalogue, index, tahun, ind.sasaran, settings)
    measured = settings.measured_denominator(ind.kode) if ind.jenis == "prevalensi" else None
    counts = MonthlyCounts(obs, [ind.kode, *([measured] if measured else [])], index)

    prev = _previous(tahun, bulan)
    compare = bulan > 1 or settings.january == "desember_lalu"
    this_count = counts.month(ind.kode, tahun, bulan)
    last_count = counts.month(ind.kode, *prev) if compare else np.full(n, np.nan)
    reported = ~np.isnan(this_count)

    denom, denom_last, estimated = sas, sas, sas_est
    penyebut = np.full(n, ind.sasaran, dtype=object)
    cumulative_rule = ind.jenis == "kumulatif"
    if ind.jenis == "prevalensi":
        if measured:
            got = counts.month(measured, tahun, bulan)
            got_last = counts.month(measured, *prev)
            denom = np.where(np.isnan(got), sas, got)
            denom_last = np.where(np.isnan(got_last), sas, got_last)
            estimated = np.where(np.isnan(got), sas_est, False)
            penyebut = np.where(np.isnan(got), ind.sasaran, measured)
        kumulatif = this_count
        line = annual.copy()
        this_cmp, last_cmp = _pct(this_count, denom), _pct(last_count, denom_last)
    elif ind.jenis == "kampanye":
        rule = settings.campaign_rule(ind.kode)
        kumulatif = np.zeros(n)
        for year, month in rule.window_months(tahun, bulan):
            kumulatif = kumulatif + np.nan_to_num(counts.month(ind.kode, year, month), nan=0.0)
        line = annual * rule.target_fraction(bulan)
        this_cmp, last_cmp = this_count, last_count
    else:
        kumulatif = np.zeros(n)
        for month in range(1, bulan + 1):
            kumulatif = kumulatif + np.nan_to_num(counts.month(ind.kode, tahun, month), nan=0.0)
        line = np.array([target_to_date(t, bulan, settings) for t in annual], dtype="float64")
        this_cmp, last_cmp = this_count, last_count

    valid = np.nan_to_num(denom, nan=0.0) > 0
    no_data = ~valid | ~reported
    cakupan = _pct(kumulatif, denom)
    known = ~np.isnan(cakupan)
    higher = ind.higher_is_better
    sign = 1.0 if higher else -1.0
    atas = cakupan >= line - EPS
    met = atas if higher else cakupan <= line + EPS
    tren = [t if ok else None for t, ok in zip(_trends(this_cmp, last_cmp), valid, strict=True)]

    status: list[str] = []
    status_target: list[str] = []
    without_trend: list[bool] = []
    for i in range(n):
        if no_data[i]:
            status.append(NO_DATA)
            status_target.append(NO_DATA)
            without_trend.append(False)
            continue
        status_target.append("Tercapai" if met[i] else "Tidak tercapai")
        if ind.aturan_status == "pws4":
            status.append(status_pws4(bool(atas[i]), tren[i], settings))
            without_trend.append(tren[i] is None)
        else:
            status.append(status_target3(bool(met[i])))
            without_trend.append(False)

    with np.errstate(invalid="ignore"):
        gap_persons = sign * (line / 100.0 * denom - kumulatif)
        gap_persons = np.where(known, np.maximum(np.ceil(gap_persons - EPS), 0.0), np.nan)
    ci_low, ci_high = wilson_interval(np.where(known, kumulatif, np.nan), denom)

    projection = np.full(n, np.nan)
    per_month = np.full(n, np.nan)
    will_reach: list[bool | None] = [None] * n
    if cumulative_rule:
        projection = cakupan * 12.0 / bulan
        need = annual / 100.0 * denom - kumulatif
        remaining = 12 - bulan
        with np.errstate(invalid="ignore"):
            per_month = np.where(need <= 0, 0.0, need / remaining if remaining else np.nan)
        per_month = np.where(known, per_month, np.nan)
        will_reach = [bool(p >= a - EPS) if k else None for p, a, k in zip(projection, annual, known, strict=True)]

    good = {"naik": higher, "turun": not higher}
    table = pd.DataFrame(
        {
            "kode_desa": desa["kode_desa"],
            "nama_desa": desa["nama_desa"],
            "sasaran": denom,
            "kumulatif": kumulatif,
            "cakupan_kumulatif": cakupan,
            "target_sd_bulan": line,
            "cakupan_bulan_ini": _pct(this_count, denom),
            "cakupan_bulan_lalu": _pct(last_count, denom_last),
            "tren": pd.array(tren, dtype=object),
            "posisi": pd.array(
                [("atas" if a else "bawah") if k else None for a, k in zip(atas, known, strict=True)], dtype=object
            ),  # fmt: skip
            "status": status,
            "kesenjangan": sign * (cakupan - line),
            "kode_puskesmas": desa["kode_puskesmas"],
            "nama_puskesmas": desa["nama_puskesmas"],
            "kode_kecamatan": desa["kode_kecamatan"],
            "nama_kecamatan": desa["nama_kecamatan"],
            "tahun": tahun,
            "bulan": bulan,
            "indikator": ind.kode,
            "jenis": ind.jenis,
            "arah": ind.arah,
            "aturan_status": ind.aturan_status,
            "target_tahunan": annual,
            "bulan_ini": this_count,
            "bulan_lalu": last_count,
            "dilaporkan": reported,
            "status_target": status_target,
            "tercapai": _nullable_bool([bool(m) if k else None for m, k in zip(met, known, strict=True)]),
            "status_tanpa_tren": without_trend,
            "tren_baik": _nullable_bool([good.get(t) if t else None for t in tren]),
            "kesenjangan_orang": pd.array([int(v) if not np.isnan(v) else None for v in gap_persons], dtype="Int64"),
            "ci_bawah": ci_low,
            "ci_atas": ci_high,
            "sasaran_kecil": _nullable_bool(
                [bool(d < settings.small_denominator) if not np.isnan(d) else None for d in denom]
            ),
            "sasaran_perkiraan": estimated.astype(bool),
            "penyebut": penyebut.astype(str),
            "sasaran_bulan_lalu": denom_last,
            "proyeksi_akhir_tahun": projection,
            "perlu_per_bulan": per_month,
            "akan_tercapai": _nullable_bool(will_reach),
        }
    )
    table["kumulatif"] = table["kumulatif"].astype("float64")
    if settings.smoothing:
        from pws.analysis.smoothing import smooth_coverage

        table["cakupan_halus"] = smooth_coverage(table, level=settings.smoothing_level)
    return table


def indicator_of(catalogue: Catalogue, indikator: str) -> Indicator:
    """The catalogue record of ``indikator`` (code compared in upper case); KeyError when unknown."""
    return catalogue.indicators[indikator.strip().upper()]


__all__ = [
    "CONTRACT_COLUMNS",
    "DESA_COLUMNS",
    "EXTRA_COLUMNS",
    "NO_DATA",
    "POSITIONS",
    "STATUSES",
    "TARGET_STATUSES",
    "TRENDS",
    "MonthlyCounts",
    "desa_frame",
    "indicator_of",
    "pws_table",
    "sasaran_for",
    "status_pws4",
    "status_target3",
    "target_for",
    "target_to_date",
    "trend_of",
]
