"""The documented, configurable choices of the data-quality checks (``pws periksa``, the Kualitas Data page).

Every field of :class:`QualitySettings` has a default; the help text of each field (Indonesian and English) lives in
the locale files under ``quality_settings.<field>`` and is collected in :data:`QUALITY_SETTINGS_HELP` for the
documentation and the UI. The rules themselves are written out in ``docs/quality.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from pws.i18n import LANGUAGES, messages

#: values of ``QualitySettings.outlier_method``
OUTLIER_METHODS = ("modified_z", "z")

#: the five dimensions of the report (WHO Data Quality Review: completeness & timeliness, internal consistency,
#: outliers as part of internal consistency, and the quality of population denominators), in report order
DIMENSIONS = ("kelengkapan", "ketepatan", "konsistensi", "pencilan", "penyebut")

#: cumulative pairs (earlier step, later step): the later step's year-to-date count cannot exceed the earlier one's
DEFAULT_CASCADES: tuple[tuple[str, str], ...] = (
    ("K1", "K4"),
    ("K4", "K6"),
    ("K1", "K1M"),
    ("KN1", "KN_L"),
    ("KF1", "KF_L"),
    ("DPTHBHIB1", "DPTHBHIB2"),
    ("DPTHBHIB2", "DPTHBHIB3"),
    ("DPTHBHIB1", "DPTHBHIB3"),
)
#: monthly pairs (whole, part) of stock indicators: the part cannot exceed the whole in the same month
DEFAULT_MONTHLY_CASCADES: tuple[tuple[str, str], ...] = (
    ("BALITA_S", "BALITA_D"),
    ("BALITA_D", "STUNTING"),
    ("BALITA_D", "WASTING"),
    ("BALITA_S", "BALITA_K"),  # SKDN of posyandu reports (docs/jejaring.md)
    ("BALITA_D", "BALITA_N"),
)
#: dimension -> the most points a puskesmas-month can lose on it (they add up to 100)
DEFAULT_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("kelengkapan", 40.0),
    ("ketepatan", 10.0),
    ("konsistensi", 25.0),
    ("pencilan", 15.0),
    ("penyebut", 10.0),
)
#: check code -> points one finding costs (capped per dimension by the weights). ``laporan_tidak_ada`` and
#: ``laporan_sebagian`` cost the completeness weight times the share of expected reports missing.
DEFAULT_POINTS: tuple[tuple[str, float], ...] = (
    ("laporan_terlambat", 10.0),
    ("nilai_desa_kosong", 4.0),
    ("kaskade_terbalik", 10.0),
    ("melebihi_sasaran", 3.0),
    ("nilai_negatif", 10.0),
    ("pencilan", 5.0),
    ("nol_mendadak", 5.0),
    ("sasaran_beda_rumus", 3.0),
    ("sasaran_berubah_tajam", 3.0),
    ("desa_tanpa_sasaran", 5.0),
)
#: points of a finding whose code has no entry in ``points`` (stored ETL problems), by severity
DEFAULT_SEVERITY_POINTS: tuple[tuple[str, float], ...] = (("error", 10.0), ("warning", 5.0), ("info", 0.0))


@dataclass(frozen=True)
class QualitySettings:
    """The rule settings of the data-quality report. Immutable and hashable (safe as a cache key).

    Completeness and timeliness

    * ``deadline_day`` — a month's report is due on this day of the following month (default the 10th); a report
      first stored later (ingest time, in ``timezone``) is *terlambat*.
    * ``timezone`` — the office's time zone for the report date (default ``Asia/Jakarta``, WIB).

    Internal consistency

    * ``cascades`` / ``monthly_cascades`` — (earlier, later) pairs: year-to-date counts of the later step cannot
      exceed the earlier one (K1 ≥ K4 ≥ K6, KN1 ≥ KN lengkap, DPT-HB-Hib1 ≥ 2 ≥ 3), and for stock indicators the
      part cannot exceed the whole in the same month (balita ditimbang ≤ terdaftar).
    * ``cascade_tolerance`` — persons the later step may exceed the earlier one before it is reported (default 0).
    * ``over_sasaran_z`` — a year-to-date count is reported above its annual sasaran when it exceeds
      ``sasaran + z·√sasaran``: more than chance can explain (0 = any count above the sasaran).

    Outliers

    * ``outlier_method`` — ``modified_z`` (default: median and MAD, Iglewicz & Hoaglin) or ``z`` (mean and
      standard deviation), on each desa × indicator monthly series after the district's month effect is removed.
    * ``outlier_threshold`` — |score| above which a value is an outlier (default 3.5).
    * ``outlier_count_spread`` — the spread used is at least this many times √(expected count): counts of a few
      persons vary by chance (Poisson) more than a MAD of 0 or 1 suggests.
    * ``outlier_min_difference`` — only differences of at least this many persons from the expected value count.
    * ``outlier_season_adjust`` — divide each month by the district's month factor (Lebaran dip, December rush)
      before judging a desa, so that what happens everywhere is not an outlier anywhere.
    * ``sudden_zero_min_expected`` — a 0 is a *sudden zero* when the desa usually has at least this many per month.

    Denominators

    * ``sasaran_formula_tolerance`` — relative difference from the catalogue formula (after the district's own
      factor) above which a desa sasaran is reported; also the tolerance of the district factor itself.
    * ``sasaran_min_difference`` — differences of fewer persons are never reported (rounding of small sasaran).
    * ``yoy_sasaran_threshold`` — relative change of a desa sasaran from one year to the next that is reported.
    * ``kabupaten_sasaran_tolerance`` — relative difference between the sum of desa sasaran and the kabupaten
      figure (``sasaran_kabupaten.csv``) that is reported.

    Score

    * ``weights`` — the most points a puskesmas-month can lose per dimension (they add up to 100).
    * ``points`` — what one finding of a check costs; ``severity_points`` for codes not listed (stored problems).
    """

    deadline_day: int = 10
    timezone: str = "Asia/Jakarta"
    cascades: tuple[tuple[str, str], ...] = field(default=DEFAULT_CASCADES)
    monthly_cascades: tuple[tuple[str, str], ...] = field(default=DEFAULT_MONTHLY_CASCADES)
    cascade_tolerance: float = 0.0
    over_sasaran_z: float = 2.0
    outlier_method: str = "modified_z"
    outlier_threshold: float = 3.5
    outlier_count_spread: float = 1.5
    outlier_min_difference: float = 5.0
    outlier_season_adjust: bool = True
    sudden_zero_min_expected: float = 10.0
    sasaran_formula_tolerance: float = 0.3
    sasaran_min_difference: float = 5.0
    yoy_sasaran_threshold: float = 0.2
    kabupaten_sasaran_tolerance: float = 0.05
    weights: tuple[tuple[str, float], ...] = field(default=DEFAULT_WEIGHTS)
    points: tuple[tuple[str, float], ...] = field(default=DEFAULT_POINTS)
    severity_points: tuple[tuple[str, float], ...] = field(default=DEFAULT_SEVERITY_POINTS)

    def __post_init__(self) -> None:
        if not 1 <= self.deadline_day <= 28:
            raise ValueError(f"QualitySettings.deadline_day must be 1..28, got {self.deadline_day!r}")
        if self.outlier_method not in OUTLIER_METHODS:
            raise ValueError(f"QualitySettings.outlier_method must be one of {OUTLIER_METHODS}")
        for name in (
            "cascade_tolerance",
            "over_sasaran_z",
            "outlier_threshold",
            "outlier_count_spread",
            "outlier_min_difference",
            "sudden_zero_min_expected",
            "sasaran_formula_tolerance",
            "sasaran_min_difference",
            "yoy_sasaran_threshold",
            "kabupaten_sasaran_tolerance",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"QualitySettings.{name} must be >= 0")
        unknown = {d for d, _ in self.weights} - set(DIMENSIONS)
        if unknown:
            raise ValueError(f"QualitySettings.weights: unknown dimensions {sorted(unknown)}")

    def weight(self, dimension: str) -> float:
        return dict(self.weights).get(dimension, 0.0)

    def points_for(self, code: str, severity: str) -> float:
        """Points one finding of ``code`` costs (by severity when the code has no entry of its own)."""
        own = dict(self.points)
        if code in own:
            return own[code]
        return dict(self.severity_points).get(severity, 0.0)


def _help() -> dict[str, dict[str, str]]:
    return {
        f.name: {lang: messages(lang)[f"quality_settings.{f.name}"] for lang in LANGUAGES}
        for f in fields(QualitySettings)
    }


#: field -> {"id": Indonesian help, "en": English help}; the texts live in the locale files (``quality_settings.*``)
QUALITY_SETTINGS_HELP: dict[str, dict[str, str]] = _help()

__all__ = [
    "DEFAULT_CASCADES",
    "DEFAULT_MONTHLY_CASCADES",
    "DEFAULT_POINTS",
    "DEFAULT_WEIGHTS",
    "DIMENSIONS",
    "OUTLIER_METHODS",
    "QUALITY_SETTINGS_HELP",
    "QualitySettings",
]
