"""The PWS analysis engine: plain functions over DataFrames (no dash, no I/O except :mod:`pws.analysis.load`).

* :mod:`~pws.analysis.settings` — the documented rule choices (:class:`Settings`, :data:`SETTINGS_HELP`);
* :mod:`~pws.analysis.coverage` — sasaran, targets and the desa PWS table (:func:`pws_table`);
* :mod:`~pws.analysis.aggregate` — puskesmas/kecamatan/kabupaten rows (ratio of sums) and the priority ranking;
* :mod:`~pws.analysis.series` — monthly coverage against the target line, for trend charts;
* :mod:`~pws.analysis.smoothing` — empirical-Bayes smoothed coverage for maps;
* :mod:`~pws.analysis.load` — :func:`status_for_cli`: the table straight from a workspace (``pws status``).
"""

from __future__ import annotations

from pws.analysis.aggregate import AGGREGATE_COLUMNS, aggregate, ranking
from pws.analysis.coverage import (
    CONTRACT_COLUMNS,
    EXTRA_COLUMNS,
    NO_DATA,
    STATUSES,
    TARGET_STATUSES,
    pws_table,
    sasaran_for,
    status_pws4,
    target_for,
    trend_of,
)
from pws.analysis.load import UnknownIndicatorError, status_for_cli
from pws.analysis.series import coverage_series
from pws.analysis.settings import SETTINGS_HELP, CampaignRule, Settings
from pws.analysis.smoothing import smooth_coverage
from pws.analysis.stats import wilson_interval

__all__ = [
    "AGGREGATE_COLUMNS",
    "CONTRACT_COLUMNS",
    "EXTRA_COLUMNS",
    "NO_DATA",
    "SETTINGS_HELP",
    "STATUSES",
    "TARGET_STATUSES",
    "CampaignRule",
    "Settings",
    "UnknownIndicatorError",
    "aggregate",
    "coverage_series",
    "pws_table",
    "ranking",
    "sasaran_for",
    "smooth_coverage",
    "status_for_cli",
    "status_pws4",
    "target_for",
    "trend_of",
    "wilson_interval",
]
