"""Data quality: completeness, timeliness, consistency, outliers and denominators, down to the cell.

Follows the dimensions of the WHO Data Quality Review and the validation rules of domain.md §6; every rule, its
setting and its source is written out in ``docs/quality.md``.

* :mod:`~pws.quality.settings` — :class:`QualitySettings` (deadline, outlier method and threshold, tolerances,
  score weights) and :data:`QUALITY_SETTINGS_HELP`;
* :mod:`~pws.quality.completeness` — puskesmas × month matrix (received, late, partly, missing) and the share of
  desa with a value per indicator;
* :mod:`~pws.quality.consistency` — cascades (K1 ≥ K4 ≥ K6, drop-out), count vs sasaran, negative monthly
  counts, L + P = JML, and the checks the ETL stored at ingest;
* :mod:`~pws.quality.outliers` — modified z-scores per desa series and sudden zeros;
* :mod:`~pws.quality.denominators` — sasaran against the formula, year-on-year changes, desa without sasaran,
  the kabupaten figure;
* :mod:`~pws.quality.score` — a score per puskesmas and month, explained;
* :mod:`~pws.quality.report` — :func:`check_workspace` → :class:`QualityReport` (``pws periksa``).

Findings are records (one row per problem, like :class:`pws.issues.Issue`), never exceptions.
"""

from __future__ import annotations

from pws.quality.completeness import (
    INDICATOR_COLUMNS,
    MATRIX_COLUMNS,
    STATUSES,
    SYMBOLS,
    completeness_by_month,
    indicator_summary,
)
from pws.quality.findings import CHECK_DIMENSIONS, FINDING_COLUMNS
from pws.quality.report import QualityReport, check_workspace, filter_puskesmas, format_text, run_checks
from pws.quality.score import DETAIL_COLUMNS, SCORE_COLUMNS, score_by_puskesmas
from pws.quality.settings import DIMENSIONS, QUALITY_SETTINGS_HELP, QualitySettings

__all__ = [
    "CHECK_DIMENSIONS",
    "DETAIL_COLUMNS",
    "DIMENSIONS",
    "FINDING_COLUMNS",
    "INDICATOR_COLUMNS",
    "MATRIX_COLUMNS",
    "QUALITY_SETTINGS_HELP",
    "SCORE_COLUMNS",
    "STATUSES",
    "SYMBOLS",
    "QualityReport",
    "QualitySettings",
    "check_workspace",
    "completeness_by_month",
    "filter_puskesmas",
    "format_text",
    "indicator_summary",
    "run_checks",
    "score_by_puskesmas",
]
