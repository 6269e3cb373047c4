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

import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

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


def _copy(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    return None if frame is None else frame.copy(deep=True)


def _same(mine: pd.DataFrame | None, theirs: pd.DataFrame | None) -> bool:
    if mine is None or theirs is None:
        return mine is None and theirs is None
    return mine.equals(theirs)


def _read_only(values: np.ndarray) -> np.ndarray:
    values.flags.writeable = False
    return values


#: the target rule of one indicator and year: (kabupaten target, by puskesmas, by desa), the last row winning
_TargetRule = tuple[float | None, dict[str, float], dict[str, float]]


class _Source:
    """The sasaran and target files normalised once (upper-cased kinds, numeric years, ...), independent of the
    desa list, with their per-year lookups computed on first use. Holds its own copies of the frames."""

    def __init__(self, sasaran: pd.DataFrame | None, targets: pd.DataFrame | None) -> None:
        self.sasaran = _copy(sasaran)
        self.targets = _copy(targets)
        self._years: dict[int, tuple[pd.Series, set[str]] | None] = {}
        self._lookups: dict[tuple[int, str], pd.Series | None] = {}
        self._target_rows: list[tuple[Any, str, Any, str, str]] | None = None
        self._rules: dict[tuple[int, str], _TargetRule | None] = {}
        self._lock = threading.Lock()

    def sasaran_lookup(self, tahun: int, kind: str) -> pd.Series | None:
        """``jumlah`` per ``kode_desa`` of sasaran type ``kind`` in ``tahun`` (the last value per desa), or None."""
        key = (tahun, kind)
        if key not in self._lookups:
            year = self._sasaran_year(tahun)
            self._lookups[key] = year[0].loc[kind] if year is not None and kind in year[1] else None
        return self._lookups[key]

    def _sasaran_year(self, tahun: int) -> tuple[pd.Series, set[str]] | None:
        """The last ``jumlah`` per (upper-cased kind, ``kode_desa``) of ``tahun``, and the kinds present."""
        if tahun not in self._years:
            sasaran = self.sasaran
            if sasaran is None or sasaran.empty:
                self._years[tahun] = None
                return None
            year = sasaran.loc[pd.to_numeric(sasaran["tahun"], errors="coerce") == tahun]
            kinds = year["jenis_sasaran"].astype(str).str.upper()
            last = pd.to_numeric(year["jumlah"], errors="coerce").groupby([kinds, year["kode_desa"].astype(str)]).last()
            self._years[tahun] = (last, set(last.index.get_level_values(0)))
        return self._years[tahun]

    def target_rule(self, tahun: int, kode: str) -> _TargetRule | None:
        """The ``target.csv`` rows of indicator ``kode`` in ``tahun`` that apply (see :func:`target_for`)."""
        key = (tahun, kode)
        if key not in self._rules:
            self._rules[key] = self._target_rule(tahun, kode)
        return self._rules[key]

    def _target_rule(self, tahun: int, kode: str) -> _TargetRule | None:
        targets = self.targets
        if targets is None or targets.empty:
            return None
        with self._lock:
            if self._target_rows is None:  # normalised by pandas once, then small enough for plain Python
                columns = [
                    pd.to_numeric(targets["tahun"], errors="coerce"),
                    _text(targets["indikator"]).str.upper(),
                    pd.to_numeric(targets["target"], errors="coerce"),
                    _text(targets["kode_puskesmas"]) if "kode_puskesmas" in targets else pd.Series([""] * len(targets)),
                    _text(targets["kode_desa"]) if "kode_desa" in targets else pd.Series([""] * len(targets)),
                ]
                self._target_rows = list(zip(*(c.tolist() for c in columns), strict=True))
        kab: float | None = None
        by_pkm: dict[str, float] = {}
        by_desa: dict[str, float] = {}
        found = False
        for year, indikator, target, pkm, desa in self._target_rows:
            if not (year == tahun and indikator == kode and not pd.isna(target)):
                continue
            found = True
            if desa != "":
                by_desa[desa] = float(target)
            elif pkm != "":
                by_pkm[pkm] = float(target)
            else:
                kab = float(target)
        return (kab, by_pkm, by_desa) if found else None


class PwsInputs:
    """The month-independent inputs of :func:`pws_table`: the desa of ``wilayah`` (:func:`desa_frame`), the
    ``sasaran`` and the ``targets``, normalised once and reused for every indicator, year and month.

    A dashboard asks for many tables over the same three frames: make one ``PwsInputs`` and call :meth:`table`
    (as :func:`pws.analysis.series.coverage_series` does for its 24 months). The results are exactly those of
    :func:`pws_table`. The object keeps its own copies of the frames, so changing them afterwards does not change
    its results; its lookups are computed on first use and kept (safe to share between threads).
    """

    def __init__(
        self,
        sasaran: pd.DataFrame | None,
        targets: pd.DataFrame | None,
        wilayah: pd.DataFrame,
        *,
        _source: _Source | None = None,
    ) -> None:
        self._source = _source or _Source(sasaran, targets)
        self.wilayah = wilayah.copy(deep=True)
        self.desa = desa_frame(self.wilayah)
        self.index = pd.Index(self.desa["kode_desa"])
        self._sasaran: dict[tuple[int, str, tuple[tuple[str, float], ...]], tuple[np.ndarray, np.ndarray]] = {}
        self._targets: dict[tuple[int, Indicator], np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.index)

    def area(self, wilayah: pd.DataFrame) -> PwsInputs:
        """The same sasaran and targets over other desa (e.g. the rows of one puskesmas of ``wilayah``)."""
        return PwsInputs(None, None, wilayah, _source=self._source)

    def matches(self, sasaran: pd.DataFrame | None, targets: pd.DataFrame | None, wilayah: pd.DataFrame) -> bool:
        """Whether the frames hold what this object was made from (same values, columns and index)."""
        return (
            _same(self._source.sasaran, sasaran)
            and _same(self._source.targets, targets)
            and _same(self.wilayah, wilayah)
        )

    def sasaran(
        self, catalogue: Catalogue, tahun: int, jenis: str, settings: Settings
    ) -> tuple[np.ndarray, np.ndarray]:
        """(value, estimated) arrays (read-only) of sasaran type ``jenis`` for the desa in ``tahun``: see
        :func:`sasaran_for`."""
        chain = (
            [t.kode for t in catalogue.sasaran_chain(jenis)]
            if settings.estimate_missing_sasaran and jenis in catalogue.sasaran_types
            else [jenis]
        )
        factors = [catalogue.sasaran_types[kind].faktor if len(chain) > 1 else 1.0 for kind in chain]
        key = (tahun, jenis, tuple(zip(chain, factors, strict=True)))
        found = self._sasaran.get(key)
        if found is None:
            found = self._sasaran_of_chain(tahun, jenis, chain, factors)
            self._sasaran[key] = found
        return found

    def _sasaran_of_chain(
        self, tahun: int, jenis: str, chain: list[str], factors: list[float]
    ) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.index)

        def lookup(kind: str) -> np.ndarray:
            found = self._source.sasaran_lookup(tahun, kind)
            if found is None:
                return np.full(n, np.nan)
            return found.reindex(self.index).to_numpy(dtype="float64")

        value = lookup(jenis)
        estimated = np.zeros(n, dtype=bool)
        factor = 1.0
        for i, kind in enumerate(chain):
            if i > 0:
                candidate = lookup(kind) * factor
                fill = np.isnan(value) & ~np.isnan(candidate)
                value = np.where(fill, candidate, value)
                estimated |= fill
            factor *= factors[i]
        return _read_only(value), _read_only(estimated)

    def targets(self, ind: Indicator, tahun: int) -> np.ndarray:
        """The annual target (percent) of ``ind`` in ``tahun`` per desa (read-only): see :func:`target_for`."""
        key = (tahun, ind)
        found = self._targets.get(key)
        if found is None:
            found = _read_only(self._target_series(ind, tahun).to_numpy(dtype="float64").copy())
            self._targets[key] = found
        return found

    def _target_series(self, ind: Indicator, tahun: int) -> pd.Series:
        desa = self.desa
        out = pd.Series(float(ind.target), index=pd.Index(desa["kode_desa"], name="kode_desa"), name="target")
        rule = self._source.target_rule(tahun, ind.kode)
        if rule is None:
            return out
        kab, by_pkm, by_desa = rule
        if kab is not None:
            out[:] = kab
        if by_pkm:
            mapped = desa["kode_puskesmas"].map(pd.Series(by_pkm, dtype="float64")).to_numpy(dtype="float64")
            out[:] = np.where(np.isnan(mapped), out.to_numpy(), mapped)
        if by_desa:
            mapped = out.index.map(pd.Series(by_desa, dtype="float64")).to_numpy(dtype="float64")
            out[:] = np.where(np.isnan(mapped), out.to_numpy(), mapped)
        return out

    def counts(
        self, obs: pd.DataFrame | None, catalogue: Catalogue, indikator: str, settings: Settings
    ) -> MonthlyCounts:
        """The monthly counts :meth:`table` needs for ``indikator`` (and its measured denominator), for reuse
        over several months of the same ``obs``."""
        ind = catalogue.indicators[indikator]
        measured = settings.measured_denominator(ind.kode) if ind.jenis == "prevalensi" else None
        return MonthlyCounts(obs, [ind.kode, *([measured] if measured else [])], self.index)

    def table(
        self,
        obs: pd.DataFrame | None,
        catalogue: Catalogue,
        tahun: int,
        bulan: int,
        indikator: str,
        settings: Settings | None = None,
        counts: MonthlyCounts | None = None,
    ) -> pd.DataFrame:
        """:func:`pws_table` over these inputs. ``counts`` (from :meth:`counts` for the same ``obs``, indicator
        and settings) saves re-reading ``obs`` month after month."""
        settings = settings or Settings()
        columns = self.columns(obs, catalogue, tahun, bulan, indikator, settings, counts)
        table = pd.DataFrame(columns)
        table["kumulatif"] = table["kumulatif"].astype("float64")
        if settings.smoothing:
            from pws.analysis.smoothing import smooth_coverage

            table["cakupan_halus"] = smooth_coverage(table, level=settings.smoothing_level)
        return table

    def columns(
        self,
        obs: pd.DataFrame | None,
        catalogue: Catalogue,
        tahun: int,
        bulan: int,
        indikator: str,
        settings: Settings,
        counts: MonthlyCounts | None = None,
    ) -> dict[str, Any]:
        """The columns of :meth:`table` (without smoothing) as arrays, before they become a DataFrame."""
        if not 1 <= int(bulan) <= 12:
            raise ValueError(f"bulan must be 1..12, got {bulan!r}")
        tahun, bulan = int(tahun), int(bulan)
        ind = catalogue.indicators[indikator]
        if counts is None:
            counts = self.counts(obs, catalogue, ind.kode, settings)
        return _columns(self, counts, catalogue, ind, tahun, bulan, settings)


#: the inputs of the last :func:`pws_table` calls, by the identity of their frames (checked against their values)
_SHARED: OrderedDict[tuple[int, int, int], PwsInputs] = OrderedDict()
_SHARED_SIZE = 8
_SHARED_LOCK = threading.Lock()


def shared_inputs(sasaran: pd.DataFrame | None, targets: pd.DataFrame | None, wilayah: pd.DataFrame) -> PwsInputs:
    """The :class:`PwsInputs` of these frames, reused from one of the last calls with the same frame objects when
    they still hold the same values (a cheap ``DataFrame.equals`` against the copies made then), else new.

    This is what keeps :func:`pws_table` fast when a caller (the dashboard's service layer) asks month after
    month with the same sasaran, target and wilayah frames without holding a :class:`PwsInputs` itself."""
    key = (id(sasaran), id(targets), id(wilayah))
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is not None:
            _SHARED.move_to_end(key)
    if found is not None and found.matches(sasaran, targets, wilayah):
        return found
    made = PwsInputs(sasaran, targets, wilayah)
    with _SHARED_LOCK:
        _SHARED[key] = made
        _SHARED.move_to_end(key)
        while len(_SHARED) > _SHARED_SIZE:
            _SHARED.popitem(last=False)
    return made


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
    inputs = PwsInputs(sasaran, None, wilayah)
    value, estimated = inputs.sasaran(catalogue, tahun, ind.sasaran, settings)
    return pd.DataFrame({"kode_desa": inputs.desa["kode_desa"], "sasaran": value, "sasaran_perkiraan": estimated})


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
    return PwsInputs(None, targets, wilayah)._target_series(catalogue.indicators[indikator], tahun)


def _is_text(column: pd.Series) -> bool:
    return column.dtype == object or isinstance(column.dtype, pd.StringDtype)


def _equal_to_any(column: pd.Series, values: Iterable[str]) -> np.ndarray:
    """``column.isin(values)`` as a bool array (element-wise ``==`` on text, quicker on small frames)."""
    values = list(values)
    if not _is_text(column):
        return column.isin(values).to_numpy(dtype=bool)
    nan_strings = isinstance(column.dtype, pd.StringDtype) and column.dtype.na_value is not pd.NA
    cells = column.to_numpy() if nan_strings else column.to_numpy(dtype=object, na_value=None)  # NA == x: no bool
    out = np.zeros(len(cells), dtype=bool)
    for value in values:
        out |= cells == value
    return out


def _selected(column: pd.Series, mask: np.ndarray, dtype: str) -> np.ndarray:
    """``column[mask].astype(dtype)`` (``to_numeric`` for float64) as an array, without pandas when it is one."""
    if column.dtype == dtype:
        return column.to_numpy()[mask]
    if dtype == "float64":
        return pd.to_numeric(column[mask], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return column[mask].astype(dtype).to_numpy()


class MonthlyCounts:
    """The ``jk == "T"`` monthly counts of some indicators, looked up per (indicator, tahun, bulan) as arrays
    aligned with a list of desa (NaN where the desa has no report; the sum when a desa has several rows)."""

    def __init__(self, obs: pd.DataFrame | None, codes: Iterable[str], index: pd.Index) -> None:
        self.index = index
        self._columns: dict[tuple[str, int, int], int] = {}
        self._values = np.empty((len(index), 0))
        if obs is None or obs.empty:
            return
        codes = list(dict.fromkeys(codes))
        mask = _equal_to_any(obs["indikator"], codes) & _equal_to_any(obs["jk"], ["T"])
        if not mask.any():
            return
        desa_column = obs["kode_desa"]
        if isinstance(desa_column.dtype, pd.StringDtype):
            desa = desa_column.to_numpy()[mask]
        else:
            desa = desa_column[mask].astype(str).to_numpy()
        indikator = obs["indikator"].to_numpy()[mask]
        tahun = _selected(obs["tahun"], mask, "int64")
        bulan = _selected(obs["bulan"], mask, "int64")
        nilai = _selected(obs["nilai"], mask, "float64")
        # (indicator, year, month) of each row, numbered: every row's indikator is one of the codes
        c_codes = np.zeros(len(indikator), dtype="int64")
        for i, code in enumerate(codes[1:], start=1):
            c_codes[indikator == code] = i
        y_keys, y_codes = np.unique(tahun, return_inverse=True)
        m_keys, m_codes = np.unique(bulan, return_inverse=True)
        key_ids, key_codes = np.unique((c_codes * len(y_keys) + y_codes) * len(m_keys) + m_codes, return_inverse=True)
        per_code = len(y_keys) * len(m_keys)
        keys = [
            (str(codes[k // per_code]), int(y_keys[k // len(m_keys) % len(y_keys)]), int(m_keys[k % len(m_keys)]))
            for k in key_ids.tolist()
        ]
        # one value per (desa, indicator, month), the rule: place it; else pandas' (compensated) sum as before
        single = index.is_unique
        if single:
            rows = index.get_indexer(desa)
            keep = rows >= 0
            single = pd.Index(rows[keep].astype("int64") * len(keys) + key_codes[keep]).is_unique
        if single:
            values = np.full((len(index), len(keys)), np.nan)
            values[rows[keep], key_codes[keep]] = nilai[keep] + 0.0  # + 0.0: -0.0 sums to 0.0
        else:
            wide = pd.Series(nilai).groupby([desa, indikator.astype(str), tahun, bulan]).sum(min_count=1)
            wide = wide.unstack([1, 2, 3]).reindex(index=index, columns=pd.MultiIndex.from_tuples(keys))
            values = wide.to_numpy(dtype="float64")
        self._columns = {key: i for i, key in enumerate(keys)}
        self._values = values

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


def _trends(this: np.ndarray, last: np.ndarray) -> np.ndarray:
    """:func:`trend_of` element-wise (object array of str / None), with the same arithmetic."""
    with np.errstate(invalid="ignore"):
        diff = this - last
        tol = EPS * np.maximum(1.0, np.abs(last))
        out = np.where(diff > tol, "naik", np.where(diff < -tol, "turun", "tetap")).astype(object)
    out[np.isnan(this) | np.isnan(last)] = None
    return out


def _nullable_bool(values: np.ndarray, known: np.ndarray) -> pd.arrays.BooleanArray:
    """A nullable boolean array: ``values`` where ``known``, else NA."""
    known = np.asarray(known, dtype=bool)
    return pd.arrays.BooleanArray(np.asarray(values, dtype=bool) & known, ~known)


def _nullable_int(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A nullable Int64 array of whole numbers stored as floats (NaN = NA)."""
    missing = np.isnan(values)
    if not np.isfinite(values[~missing]).all():  # out of range: let pandas raise as it would for the list
        return pd.array([int(v) if not np.isnan(v) else None for v in values], dtype="Int64")
    return pd.arrays.IntegerArray(np.where(missing, 0.0, values).astype("int64"), missing)


def _previous(tahun: int, bulan: int) -> tuple[int, int]:
    return (tahun, bulan - 1) if bulan > 1 else (tahun - 1, 12)


def _columns(
    inputs: PwsInputs,
    counts: MonthlyCounts,
    catalogue: Catalogue,
    ind: Indicator,
    tahun: int,
    bulan: int,
    settings: Settings,
) -> dict[str, Any]:
    """The columns of the PWS table (see the module docstring for every rule)."""
    desa = inputs.desa
    n = len(inputs)
    annual = inputs.targets(ind, tahun)
    sas, sas_est = inputs.sasaran(catalogue, tahun, ind.sasaran, settings)
    measured = settings.measured_denominator(ind.kode) if ind.jenis == "prevalensi" else None

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
        line = annual * (bulan / 12.0 if settings.target_line == "prorata" else 1.0)  # target_to_date per desa
        this_cmp, last_cmp = this_count, last_count

    valid = np.nan_to_num(denom, nan=0.0) > 0
    no_data = ~valid | ~reported
    cakupan = _pct(kumulatif, denom)
    known = ~np.isnan(cakupan)
    higher = ind.higher_is_better
    sign = 1.0 if higher else -1.0
    with np.errstate(invalid="ignore"):
        atas = cakupan >= line - EPS
        met = atas if higher else cakupan <= line + EPS
    tren = _trends(this_cmp, last_cmp)
    tren[~valid] = None  # no denominator, no coverage: no trend either
    naik, turun = tren == "naik", tren == "turun"
    no_trend = np.array([t is None for t in tren.tolist()], dtype=bool)

    if ind.aturan_status == "pws4":  # status_pws4 element-wise
        below = np.where(naik, "Cukup", np.where(turun, "Jelek", settings.below_target_unchanged))
        judged = np.where(atas, np.where(turun, "Kurang", "Baik"), below)
        without_trend = no_trend & ~no_data
    else:  # status_target3
        judged = np.where(met, "Baik", "Jelek")
        without_trend = np.zeros(n, dtype=bool)
    status = np.where(no_data, NO_DATA, judged).tolist() if n else []
    status_target = np.where(no_data, NO_DATA, np.where(met, "Tercapai", "Tidak tercapai")).tolist() if n else []

    with np.errstate(invalid="ignore"):
        gap_persons = sign * (line / 100.0 * denom - kumulatif)
        gap_persons = np.where(known, np.maximum(np.ceil(gap_persons - EPS), 0.0), np.nan)
    ci_low, ci_high = wilson_interval(np.where(known, kumulatif, np.nan), denom)

    projection = np.full(n, np.nan)
    per_month = np.full(n, np.nan)
    will_reach = _nullable_bool(np.zeros(n, dtype=bool), np.zeros(n, dtype=bool))
    if cumulative_rule:
        projection = cakupan * 12.0 / bulan
        need = annual / 100.0 * denom - kumulatif
        remaining = 12 - bulan
        with np.errstate(invalid="ignore"):
            per_month = np.where(need <= 0, 0.0, need / remaining if remaining else np.nan)
            reach = projection >= annual - EPS
        per_month = np.where(known, per_month, np.nan)
        will_reach = _nullable_bool(reach, known)

    with np.errstate(invalid="ignore"):
        small = denom < settings.small_denominator
    posisi = np.where(atas, "atas", "bawah").astype(object)
    posisi[~known] = None
    return {
        "kode_desa": desa["kode_desa"],
        "nama_desa": desa["nama_desa"],
        "sasaran": denom,
        "kumulatif": kumulatif,
        "cakupan_kumulatif": cakupan,
        "target_sd_bulan": line,
        "cakupan_bulan_ini": _pct(this_count, denom),
        "cakupan_bulan_lalu": _pct(last_count, denom_last),
        "tren": pd.array(tren.tolist(), dtype=object),
        "posisi": pd.array(posisi.tolist(), dtype=object),
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
        "tercapai": _nullable_bool(met, known),
        "status_tanpa_tren": without_trend.tolist() if n else [],
        "tren_baik": _nullable_bool(np.where(naik, higher, not higher), naik | turun),
        "kesenjangan_orang": _nullable_int(gap_persons),
        "ci_bawah": ci_low,
        "ci_atas": ci_high,
        "sasaran_kecil": _nullable_bool(small, ~np.isnan(denom)),
        "sasaran_perkiraan": estimated.astype(bool),
        "penyebut": penyebut.astype(str),
        "sasaran_bulan_lalu": denom_last,
        "proyeksi_akhir_tahun": projection,
        "perlu_per_bulan": per_month,
        "akan_tercapai": will_reach,
    }


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
    indicator the catalogue does not know and ValueError for a month outside 1..12.

    The month-independent part (desa list, sasaran, targets) is reused from the last calls with the same frames
    (:func:`shared_inputs`); hold a :class:`PwsInputs` to reuse it explicitly."""
    settings = settings or Settings()
    if not 1 <= int(bulan) <= 12:
        raise ValueError(f"bulan must be 1..12, got {bulan!r}")
    catalogue.indicators[indikator]  # KeyError first, as documented
    return shared_inputs(sasaran, targets, wilayah).table(obs, catalogue, tahun, bulan, indikator, settings)


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
    "PwsInputs",
    "desa_frame",
    "indicator_of",
    "pws_table",
    "sasaran_for",
    "shared_inputs",
    "status_pws4",
    "status_target3",
    "target_for",
    "target_to_date",
    "trend_of",
]
