"""The documented, configurable choices of the PWS analysis (domain.md §1.2–§1.4, open points of §1.4 and §7).

Every field of :class:`Settings` has a default that follows the domain specification; the alternatives are the
readings found in other sources. The help text of each field (Indonesian and English) lives in the locale files
under ``settings.<field>`` and is collected in :data:`SETTINGS_HELP` for the documentation and the UI.

Campaign indicators (``jenis = kampanye``) are judged per *campaign window* (:class:`CampaignRule`): the count is
summed from the month the current window opened (which may lie in the previous year) up to the month shown, and
the target to date rises in steps inside the window. Defaults (:data:`DEFAULT_CAMPAIGN_RULES`):

* ``VITA`` (vitamin A, rounds in February and August): two windows, February–July and August–January. Every
  round is meant to reach the whole sasaran (each child gets one capsule per round), so the full annual target
  applies from the round month on; in January the August round of the previous year is still the current one.
  The counts in the reports are doses *per round* (the demo gives ~86 % in February and ~90 % in August), which
  is why the count is not summed over the calendar year: Feb + Aug would read ~176 % against a 90 % target, and a
  "50 % of the target from February" step would be met by every village that ran the February round at all.
* ``SKRINING_SEK`` (school screening, once per school year): one window per school year, opening in July; the
  screening is done in August–September, so 50 % of the target is due from August and 100 % from September,
  and the school year's result (window July Y−1 to June Y) is still the one judged from January to June.
* A kampanye indicator without a rule (a user's own) is judged over the calendar year against the full target
  from January (flat line).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from pws.i18n import LANGUAGES, messages

#: values of ``Settings.below_target_unchanged``
BELOW_TARGET_UNCHANGED = ("Jelek", "Cukup")
#: values of ``Settings.target_line``: prorata = T × m/12 (domain §1.3), datar = the annual target every month
TARGET_LINES = ("prorata", "datar")
#: values of ``Settings.january``
JANUARY = ("desember_lalu", "posisi_saja")
#: values of ``Settings.smoothing_level``
SMOOTHING_LEVELS = ("puskesmas", "kabupaten")


@dataclass(frozen=True)
class CampaignRule:
    """How a campaign indicator is cumulated and targeted.

    ``windows``: calendar months in which a campaign window opens; the cumulative count restarts there and runs
    until the month before the next opening (across the new year when needed). ``steps``: ``(month, fraction)``
    pairs; from ``month`` on (inside the current window) the target to date is ``fraction × annual target``.
    Before the first step of a window the target to date is 0.
    """

    windows: tuple[int, ...]
    steps: tuple[tuple[int, float], ...]

    def __post_init__(self) -> None:
        if not self.windows or any(not 1 <= m <= 12 for m in self.windows):
            raise ValueError(f"campaign windows must be months 1..12, got {self.windows!r}")
        if any(not 1 <= m <= 12 or f < 0 for m, f in self.steps):
            raise ValueError(f"campaign steps must be (month 1..12, fraction >= 0), got {self.steps!r}")

    def window_start(self, bulan: int) -> tuple[int, int]:
        """``(year offset, month)`` of the opening of the window that holds ``bulan``: offset 0 = this year,
        -1 = the previous year (e.g. January for a window opened in August)."""
        opened = [m for m in sorted(set(self.windows)) if m <= bulan]
        if opened:
            return 0, opened[-1]
        return -1, max(self.windows)

    def window_months(self, tahun: int, bulan: int) -> list[tuple[int, int]]:
        """The ``(tahun, bulan)`` pairs of the current window, from its opening up to ``bulan`` of ``tahun``."""
        offset, start = self.window_start(bulan)
        if offset == 0:
            return [(tahun, m) for m in range(start, bulan + 1)]
        return [(tahun - 1, m) for m in range(start, 13)] + [(tahun, m) for m in range(1, bulan + 1)]

    def target_fraction(self, bulan: int) -> float:
        """Share of the annual target due by ``bulan``: the fraction of the last step reached in the window."""
        steps = dict(self.steps)
        fraction = 0.0
        for _, m in self.window_months(2000, bulan):  # in calendar order from the window's opening
            fraction = steps.get(m, fraction)
        return fraction


#: shipped campaign rules (see the module docstring)
DEFAULT_CAMPAIGN_RULES: tuple[tuple[str, CampaignRule], ...] = (
    ("VITA", CampaignRule(windows=(2, 8), steps=((2, 1.0), (8, 1.0)))),
    ("SKRINING_SEK", CampaignRule(windows=(7,), steps=((8, 0.5), (9, 1.0)))),
)
#: calendar year, full target from January: for kampanye indicators without a rule
FLAT_CAMPAIGN = CampaignRule(windows=(1,), steps=((1, 1.0),))

#: prevalence indicators whose denominator is the number measured that month in another indicator of the same
#: report (same desa and month), used instead of the catalogue sasaran when that count was reported
#: (SKDN: K/S and N/D, docs/jejaring.md)
DEFAULT_MEASURED_DENOMINATORS: tuple[tuple[str, str], ...] = (
    ("STUNTING", "BALITA_D"),
    ("WASTING", "BALITA_D"),
    ("BALITA_K", "BALITA_S"),
    ("BALITA_N", "BALITA_D"),
)


@dataclass(frozen=True)
class Settings:
    """The rule settings of the PWS analysis. Immutable and hashable (safe as a cache key).

    * ``below_target_unchanged`` — status of a desa below the target whose monthly count did not change
      (domain §1.4 open point 1): ``"Jelek"`` (default: no improvement while behind, covers 0 → 0) or ``"Cukup"``
      (the reading of one desa in the worked example [S1]).
    * ``target_line`` — ``"prorata"`` (default: ``T × m/12``, domain §1.3) or ``"datar"`` (the annual target in
      every month, the "Target Sama" charts [S3]).
    * ``january`` — ``"desember_lalu"`` (default: January's trend compares with December of the previous year
      when that report is loaded, else position only) or ``"posisi_saja"`` (never compare across years).
      "Position only" means: ``tren`` is empty, ``status_tanpa_tren`` is True, and the status is taken as if the
      trend were unchanged (atas → Baik, bawah → ``below_target_unchanged``); see :mod:`pws.analysis.coverage`.
    * ``small_denominator`` — sasaran below this many persons is flagged ``sasaran_kecil`` (percentages of tiny
      denominators jump by whole steps; read them with their interval).
    * ``estimate_missing_sasaran`` — fill a sasaran type missing from ``sasaran.csv`` from the nearest type of
      its catalogue chain that is present (ultimately ``PENDUDUK``), flagged ``sasaran_perkiraan``.
    * ``campaign_rules`` — :class:`CampaignRule` per kampanye indicator (see the module docstring).
    * ``measured_denominators`` — prevalence indicator → indicator holding the number measured (default:
      STUNTING and WASTING over BALITA_D, children weighed/measured the same month).
    * ``smoothing`` — add ``cakupan_halus``: empirical-Bayes smoothed cumulative coverage, for maps
      (:mod:`pws.analysis.smoothing`); ``smoothing_level`` — the rate it shrinks towards.
    """

    below_target_unchanged: str = "Jelek"
    target_line: str = "prorata"
    january: str = "desember_lalu"
    small_denominator: float = 30.0
    estimate_missing_sasaran: bool = True
    campaign_rules: tuple[tuple[str, CampaignRule], ...] = field(default=DEFAULT_CAMPAIGN_RULES)
    measured_denominators: tuple[tuple[str, str], ...] = field(default=DEFAULT_MEASURED_DENOMINATORS)
    smoothing: bool = False
    smoothing_level: str = "puskesmas"

    def __post_init__(self) -> None:
        checks = (
            ("below_target_unchanged", self.below_target_unchanged, BELOW_TARGET_UNCHANGED),
            ("target_line", self.target_line, TARGET_LINES),
            ("january", self.january, JANUARY),
            ("smoothing_level", self.smoothing_level, SMOOTHING_LEVELS),
        )
        for name, value, allowed in checks:
            if value not in allowed:
                raise ValueError(f"Settings.{name} must be one of {allowed}, got {value!r}")
        if self.small_denominator < 0:
            raise ValueError("Settings.small_denominator must be >= 0")

    def campaign_rule(self, indikator: str) -> CampaignRule:
        """The campaign rule of a kampanye indicator (:data:`FLAT_CAMPAIGN` when none is configured)."""
        return dict(self.campaign_rules).get(indikator, FLAT_CAMPAIGN)

    def measured_denominator(self, indikator: str) -> str | None:
        """The indicator holding the measured denominator of a prevalence indicator, if configured."""
        return dict(self.measured_denominators).get(indikator)


def _help() -> dict[str, dict[str, str]]:
    return {f.name: {lang: messages(lang)[f"settings.{f.name}"] for lang in LANGUAGES} for f in fields(Settings)}


#: field -> {"id": Indonesian help, "en": English help}; the texts live in the locale files (``settings.*``)
SETTINGS_HELP: dict[str, dict[str, str]] = _help()

__all__ = [
    "BELOW_TARGET_UNCHANGED",
    "DEFAULT_CAMPAIGN_RULES",
    "DEFAULT_MEASURED_DENOMINATORS",
    "FLAT_CAMPAIGN",
    "JANUARY",
    "SETTINGS_HELP",
    "SMOOTHING_LEVELS",
    "TARGET_LINES",
    "CampaignRule",
    "Settings",
]
