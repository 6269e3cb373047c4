"""The data-quality report of a workspace: :func:`check_workspace` runs every check and returns a
:class:`QualityReport` (``pws periksa`` prints it; the Kualitas Data page and the meeting pack show it)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pws.config import Workspace
from pws.etl.store import Store
from pws.i18n import current_lang, t
from pws.quality import completeness, consistency, denominators, outliers
from pws.quality.findings import FINDING_COLUMNS, findings_frame, where
from pws.quality.inputs import QualityInput, load_inputs
from pws.quality.score import score_by_puskesmas, score_frames
from pws.quality.settings import DIMENSIONS, QualitySettings
from pws.workspace import WorkspaceData


@dataclass
class QualityReport:
    """What :func:`check_workspace` found for ``tahun``, months ``bulan`` (January to the last month checked).

    * ``completeness`` — puskesmas × month (:data:`pws.quality.completeness.MATRIX_COLUMNS`): status
      ``diterima`` / ``terlambat`` / ``sebagian`` / ``tidak_ada``, report date, deadline, days late, reports
      expected / received / missing.
    * ``indicator_completeness`` — per indicator, month and puskesmas, the desa with a value
      (:data:`pws.quality.completeness.INDICATOR_COLUMNS`).
    * ``findings`` — one row per problem (:data:`pws.quality.findings.FINDING_COLUMNS`), messages in ``lang``.
    * ``scores`` — per puskesmas × month the score and the points lost per dimension; ``score_details`` — which
      checks cost how much (:mod:`pws.quality.score`).
    """

    tahun: int
    bulan: list[int]
    settings: QualitySettings
    completeness: pd.DataFrame
    indicator_completeness: pd.DataFrame
    findings: pd.DataFrame
    scores: pd.DataFrame
    score_details: pd.DataFrame
    lang: str = "id"
    kode_puskesmas: str | None = None
    checked_values: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def has_errors(self) -> bool:
        return bool((self.findings["tingkat"] == "error").any())

    def counts(self) -> dict[str, int]:
        """Findings per severity."""
        return {s: int((self.findings["tingkat"] == s).sum()) for s in ("error", "warning", "info")}

    def by_check(self) -> pd.DataFrame:
        """Findings per check code: dimension, severity, count, in report order."""
        if self.findings.empty:
            return pd.DataFrame(columns=["dimensi", "kode", "tingkat", "jumlah"])
        out = self.findings.groupby(["dimensi", "kode", "tingkat"], sort=False).size().rename("jumlah").reset_index()
        return out

    def completeness_by_month(self) -> pd.DataFrame:
        """Per month: puskesmas complete on time / late / partly / nothing, % complete, % on time (meeting pack)."""
        return completeness.completeness_by_month(self.completeness)

    def indicator_summary(self) -> pd.DataFrame:
        """Per indicator over the period: share of desa-months with a value."""
        return completeness.indicator_summary(self.indicator_completeness)

    def puskesmas_scores(self) -> pd.DataFrame:
        """Per puskesmas: mean score over the months and mean points lost per dimension, worst first."""
        return score_by_puskesmas(self.scores)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-ready values (``pws periksa --json``)."""
        return {
            "tahun": self.tahun,
            "bulan": self.bulan,
            "kode_puskesmas": self.kode_puskesmas,
            "bahasa": self.lang,
            "ringkasan": {**self.counts(), "temuan": len(self.findings), "nilai_diperiksa": self.checked_values},
            "kelengkapan": _records(self.completeness),
            "kelengkapan_per_bulan": _records(self.completeness_by_month()),
            "kelengkapan_indikator": _records(self.indicator_summary()),
            "skor_puskesmas": _records(self.puskesmas_scores()),
            "skor": _records(self.scores),
            "temuan": _records(self.findings),
        }


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else round(value, 4)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def latest_year(ws: Workspace, store: Store | None = None) -> int | None:
    """The newest year with stored values (None for an empty store)."""
    if store is not None:
        periods = store.periods()
    else:
        with Store.for_workspace(ws) as own:
            periods = own.periods()
    return int(periods["tahun"].iloc[0]) if len(periods) else None


def run_checks(
    inputs: QualityInput,
    tahun: int,
    bulan: int | None = None,
    settings: QualitySettings | None = None,
    kode_puskesmas: str | None = None,
    lang: str | None = None,
) -> QualityReport:
    """Every check on already loaded inputs (see :func:`check_workspace`)."""
    settings = settings or QualitySettings()
    lang = lang or current_lang()
    data = inputs.data
    obs = inputs.obs
    end = completeness.period_end(obs, tahun, bulan)
    months = list(range(1, end + 1))
    matrix, found = completeness.completeness_matrix(obs, inputs.files, data.wilayah, tahun, months, settings)
    indicators, gaps = completeness.indicator_completeness(obs, data.wilayah, tahun, months)
    found += gaps

    stored = consistency.stored_findings(inputs.problems, inputs.files, obs, tahun, months)
    derived = consistency.cascade_findings(obs, tahun, months, settings)
    derived += consistency.over_sasaran_findings(obs, data.sasaran, data.catalogue, data.wilayah, tahun, months,
                                                 settings)  # fmt: skip
    derived += consistency.negative_findings(obs, tahun, months)
    derived += consistency.sex_sum_findings(obs, tahun, months)
    derived += outliers.outlier_findings(obs, data.catalogue, tahun, months, settings)
    found += consistency.drop_repeats(derived, stored) + stored
    sasaran_file = data.workspace.sasaran_path.name if data.workspace.sasaran_path is not None else None
    found += denominators.denominator_findings(
        data.sasaran, data.catalogue, tahun, settings, data.issues, inputs.kabupaten_sasaran, sasaran_file
    )
    frame = findings_frame(found, data.wilayah, settings, lang)
    scores, details = score_frames(frame, matrix, settings)
    checked = int(((obs["tahun"] == tahun) & obs["bulan"].isin(months)).sum())
    report = QualityReport(tahun, months, settings, matrix, indicators, frame, scores, details, lang, None, checked)
    return filter_puskesmas(report, kode_puskesmas) if kode_puskesmas else report


def filter_puskesmas(report: QualityReport, kode_puskesmas: str) -> QualityReport:
    """The report limited to one puskesmas (kabupaten-level findings are kept: they concern every puskesmas)."""

    def keep(frame: pd.DataFrame, allow_empty: bool = False) -> pd.DataFrame:
        mask = frame["kode_puskesmas"] == kode_puskesmas
        if allow_empty:
            mask |= frame["kode_puskesmas"].isna()
        return frame[mask].reset_index(drop=True)

    return QualityReport(
        report.tahun,
        report.bulan,
        report.settings,
        keep(report.completeness),
        keep(report.indicator_completeness),
        keep(report.findings, allow_empty=True),
        keep(report.scores),
        keep(report.score_details),
        report.lang,
        kode_puskesmas,
        report.checked_values,
    )


def check_workspace(
    ws: Workspace,
    tahun: int | None = None,
    bulan: int | None = None,
    settings: QualitySettings | None = None,
    kode_puskesmas: str | None = None,
    lang: str | None = None,
    store: Store | None = None,
    data: WorkspaceData | None = None,
) -> QualityReport:
    """The data-quality report of ``tahun`` (default: the newest year with stored values), January to ``bulan``
    (default: the newest month of that year with any stored value), optionally for one puskesmas, messages in
    ``lang``. ``store`` and ``data`` may be passed when already open (the dashboard's cached ones)."""
    if bulan is not None and not 1 <= int(bulan) <= 12:
        raise ValueError(f"bulan must be 1..12, got {bulan!r}")
    if tahun is None:
        tahun = latest_year(ws, store) or pd.Timestamp.now().year
    inputs = load_inputs(ws, int(tahun), store, data)
    return run_checks(inputs, int(tahun), bulan, settings, kode_puskesmas, lang)


# ------------------------------------------------------------------------------------------------ text


def _grid(report: QualityReport, lang: str) -> list[str]:
    matrix = report.completeness
    if matrix.empty:
        return [t("cli.periksa.no_months", lang)]
    names = {p: f"{n} ({p})" for p, n in zip(matrix["kode_puskesmas"], matrix["nama_puskesmas"], strict=True)}
    width = min(max(len(v) for v in names.values()), 44)
    head = " " * width + " " + " ".join(f"{m:>2}" for m in report.bulan)
    lines = [head]
    for pkm, group in matrix.groupby("kode_puskesmas", sort=True):
        cells = dict(zip(group["bulan"], group["status"], strict=True))
        marks = " ".join(f"{completeness.SYMBOLS[cells[m]]:>2}" for m in report.bulan)
        lines.append(f"{names[str(pkm)][:width]:<{width}} {marks}")
    return lines


def format_text(report: QualityReport, limit: int = 20) -> str:
    """The report as a short readable text (``pws periksa``): the completeness grid, the score per puskesmas,
    then the findings grouped by check with their file!sheet!cell."""
    lang = report.lang
    months = report.bulan
    period = (
        f"{t(f'month.{months[0]}', lang)}–{t(f'month.{months[-1]}', lang)} {report.tahun}"
        if months
        else str(report.tahun)
    )
    out = [t("cli.periksa.title", lang, periode=period), ""]
    out.append(t("cli.periksa.grid_title", lang))
    out += _grid(report, lang)
    by_month = report.completeness_by_month()
    if not by_month.empty:
        complete = by_month["diterima"].sum() + by_month["terlambat"].sum()
        out.append(
            t(
                "cli.periksa.grid_summary",
                lang,
                lengkap=int(complete),
                tepat=int(by_month["diterima"].sum()),
                total=int(by_month["puskesmas"].sum()),
            )
        )
    out.append("")
    out.append(t("cli.periksa.score_title", lang))
    for row in report.puskesmas_scores().itertuples(index=False):
        lost = ", ".join(
            f"{t(f'quality.dimensi.{d}', lang)} −{getattr(row, f'hilang_{d}'):.0f}"
            for d in DIMENSIONS
            if getattr(row, f"hilang_{d}") >= 0.5
        )
        out.append(f"  {row.skor:5.1f}  {row.nama_puskesmas} ({row.kode_puskesmas})" + (f": {lost}" if lost else ""))
    out.append("")
    counts = report.counts()
    out.append(t("cli.periksa.findings_title", lang, jumlah=len(report.findings), **counts))
    for check in report.by_check().itertuples(index=False):
        rows = report.findings[report.findings["kode"] == check.kode]
        label = t(f"quality.dimensi.{check.dimensi}", lang)
        out.append(f"[{check.tingkat}] {check.kode} ({label}): {check.jumlah}")
        for row in rows.head(limit).to_dict("records"):
            place = where(row)
            out.append(f"  - {place + ': ' if place else ''}{row['pesan']}")
        if len(rows) > limit:
            out.append("  " + t("cli.periksa.more", lang, jumlah=len(rows) - limit))
    return "\n".join(out)


__all__ = [
    "FINDING_COLUMNS",
    "QualityReport",
    "check_workspace",
    "filter_puskesmas",
    "format_text",
    "run_checks",
]
