"""What the dashboard shows of a data-quality report (:class:`pws.quality.QualityReport`): the Kualitas data page's
cards, indicator completeness and findings list, the marks on values that failed a check (the Peta hover and desa
panel, the PWS table) and links from a finding to the archived original of its file. Plain data, no dash.

* :func:`score_cards` — per puskesmas, worst first: the mean score, this month's, the points lost per dimension and
  which checks cost them;
* :func:`indicator_month` — per indicator, the share of desa with a value in the month and over the period;
* :func:`findings_rows` — the findings as rows of the page's grid (labels in the user's language, errors first,
  ``file!sheet!cell`` with the file linked to its archived original);
* :func:`flagged_values` (:func:`indicator_marks` for a catalogue indicator) — per desa, the messages of the
  findings about one indicator's value in one month (for a cumulative indicator also the earlier months of the
  year, which the cumulative coverage shown contains);
* :func:`file_ids` — the ingest id of each finding's file (findings name their file; the store archives it under
  its ingest), so the page can link the file name to ``/berkas/<id>``;
* :func:`archived_file` — the archived raw bytes of one ingest and the name the file was uploaded with, for that
  route; the path comes from the store's own log, never from the request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pws.catalogue import Indicator
from pws.etl.store import Store
from pws.i18n import t
from pws.quality.report import QualityReport
from pws.quality.settings import DIMENSIONS

#: what the dashboard puts in front of a flagged value
MARK = "⚠"
#: finding parameters that name further indicators the finding is about (cascades: both steps; count above
#: sasaran: the other indicators over the same sasaran)
_RELATED_PARAMS = ("hulu", "hilir", "lainnya")
#: statuses of an ingest whose values were stored (``pws.etl.store``)
_STORED = ("baru", "ganti", "sama")
#: severities, most serious first (the findings list starts with the errors)
SEVERITIES = ("error", "warning", "info")
#: the route that serves an archived file (``app.py``)
FILE_ROUTE = "/berkas/{id}"


def _codes(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    return [part.strip() for part in value.split(",") if part.strip() and part.strip() != "-"]


def _indicators(row: Mapping[str, Any]) -> set[str]:
    """The indicators a finding is about: its own and those its parameters name."""
    found = set(_codes(row.get("indikator")))
    params = row.get("params")
    if isinstance(params, Mapping):
        for name in _RELATED_PARAMS:
            found.update(_codes(params.get(name)))
    return found


_INDEX_KEY = "marks.placed"


def _placed(report: QualityReport) -> list[tuple[str, int | None, frozenset[str], Any, str]]:
    """The findings placed on a desa of the report's year as plain tuples (desa, month or None, indicators,
    sasaran type, message), built once per report (kept in ``report.extra``: the marks are looked up on every map
    and table update)."""
    cached = report.extra.get(_INDEX_KEY)
    if cached is not None:
        return cached
    findings = report.findings
    out: list[tuple[str, int | None, frozenset[str], Any, str]] = []
    if not findings.empty:
        columns = ("kode_desa", "tahun", "bulan", "indikator", "params", "pesan")
        for desa, tahun, bulan, indikator, params, pesan in zip(*(findings[c].tolist() for c in columns), strict=True):
            if not isinstance(desa, str) or not desa or pd.isna(tahun) or int(tahun) != report.tahun:
                continue
            row = {"indikator": indikator, "params": params}
            jenis = params.get("jenis") if isinstance(params, Mapping) else None
            month = None if bulan is None or pd.isna(bulan) else int(bulan)
            out.append((desa, month, frozenset(_indicators(row)), jenis, str(pesan)))
    report.extra[_INDEX_KEY] = out
    return out


def flagged_values(
    report: QualityReport,
    indikator: str,
    bulan: int,
    cumulative: bool = False,
    sasaran: str | None = None,
) -> dict[str, list[str]]:
    """Per desa code, the messages of the findings about the value of ``indikator`` in month ``bulan`` of the
    report's year, in month order.

    A finding counts when it is placed on a desa and names the indicator (its own column, or the other step of a
    cascade, or the other indicators above the same sasaran) and its month is ``bulan`` — or any month up to
    ``bulan`` with ``cumulative`` (the cumulative coverage shown contains those months). Denominator findings (a
    year, no month, no indicator) count when their sasaran type (``params["jenis"]``) is ``sasaran``, the
    indicator's denominator. Findings of the puskesmas as a whole (a missing report) mark no desa.
    """
    out: dict[str, list[tuple[int, str]]] = {}
    for desa, month, indicators, jenis, message in _placed(report):
        if month is None:
            hit = bool(sasaran) and (jenis == sasaran or indikator in indicators)
        else:
            hit = indikator in indicators and (month <= bulan if cumulative else month == bulan)
        if hit:
            out.setdefault(desa, []).append((month or 0, message))
    return {kode: [text for _, text in sorted(items, key=lambda item: item[0])] for kode, items in out.items()}


def indicator_marks(report: QualityReport, indicator: Indicator, bulan: int) -> dict[str, list[str]]:
    """:func:`flagged_values` for a catalogue indicator as the PWS pages show it: the cumulative coverage of a
    cumulative or campaign indicator contains the earlier months of the year, a prevalence is the month's value;
    denominator findings count for the indicator's sasaran type."""
    return flagged_values(report, indicator.kode, bulan, cumulative=indicator.jenis != "prevalensi",
                          sasaran=indicator.sasaran)  # fmt: skip


def file_ids(names: Iterable[Any], files: pd.DataFrame) -> list[int | None]:
    """The ingest id to link for each file name (None when the store has no archived file of that name): the
    newest ingest of that name that stored values, else the newest one that archived the file at all (a failed
    upload's file is archived too). ``files`` is :meth:`pws.etl.store.Store.files` (newest first)."""
    names = list(names)
    if files.empty:
        return [None for _ in names]
    archived = files[files["arsip"].notna() & (files["arsip"].astype(str) != "")]
    stored = archived[archived["status"].isin(_STORED)]
    best: dict[str, int] = {}
    for frame in (archived, stored):  # the stored ones win: written last
        newest = frame.sort_values("id", ascending=False).drop_duplicates("nama_file")
        best.update(zip(newest["nama_file"].astype(str), newest["id"].astype(int), strict=True))
    return [best.get(name) if isinstance(name, str) and name else None for name in names]


def archived_file(store: Store, berkas_id: int) -> tuple[Path, str] | None:
    """(path of the archived raw file, the name it was uploaded with) of ingest ``berkas_id``; None when the id is
    unknown, nothing was archived, or the archived file is missing. The path is the store's own record, checked to
    lie inside the archive."""
    files = store.files()
    match = files[files["id"] == int(berkas_id)]
    if match.empty:
        return None
    arsip, name = match["arsip"].iloc[0], match["nama_file"].iloc[0]
    if not isinstance(arsip, str) or not arsip:
        return None
    base = store.archive_dir.resolve()
    path = (base / arsip).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        return None
    return path, str(name) if isinstance(name, str) and name else path.name


# ---------------------------------------------------------------------------------------------- the page


def check_label(code: str, lang: str | None = None) -> str:
    """The name of a check in the user's language (``kualitas.cek_<code>``); the code in words when unnamed."""
    try:
        return t(f"kualitas.cek_{code}", lang)
    except KeyError:
        return code.replace("_", " ").capitalize()


@dataclass(frozen=True)
class ScoreCard:
    """One puskesmas' data-quality score over the period, explained."""

    kode: str
    nama: str
    #: the mean of the monthly scores (0-100)
    skor: float
    #: the score of the last month of the period (None when it has none)
    skor_bulan: float | None
    #: (dimension, mean points lost per month), most points first, only dimensions that cost something
    dimensi: list[tuple[str, float]]
    #: (check code, mean points per month, number of findings), most points first
    cek: list[tuple[str, float, int]]


def score_cards(report: QualityReport) -> list[ScoreCard]:
    """One card per puskesmas of the report, worst mean score first (then by name)."""
    means = report.puskesmas_scores()
    if means.empty:
        return []
    last = report.bulan[-1] if report.bulan else None
    scores = report.scores
    month = scores[scores["bulan"] == last].set_index("kode_puskesmas")["skor"] if last is not None else None
    months = max(len(report.bulan), 1)
    details = report.score_details
    points = details.groupby(["kode_puskesmas", "kode"])["poin_dihitung"].sum() / months
    counts = report.findings.groupby(["kode_puskesmas", "kode"]).size()
    cards = []
    for row in means.sort_values(["skor", "nama_puskesmas"]).to_dict("records"):
        kode = str(row["kode_puskesmas"])
        lost = [(d, float(row[f"hilang_{d}"])) for d in DIMENSIONS if float(row[f"hilang_{d}"]) >= 0.05]
        lost.sort(key=lambda item: -item[1])
        checks: list[tuple[str, float, int]] = []
        if kode in points.index.get_level_values(0):
            for code, value in points.loc[kode].items():
                if value >= 0.05:
                    checks.append((str(code), float(value), int(counts.get((kode, code), 0))))
        checks.sort(key=lambda item: (-item[1], item[0]))
        this_month = month.get(kode) if month is not None else None
        cards.append(
            ScoreCard(
                kode=kode,
                nama=str(row["nama_puskesmas"]),
                skor=float(row["skor"]),
                skor_bulan=None if this_month is None or pd.isna(this_month) else float(this_month),
                dimensi=lost,
                cek=checks,
            )
        )
    return cards


INDICATOR_MONTH_COLUMNS = ["indikator", "desa_total", "desa_dengan_nilai", "persen", "persen_periode"]


def indicator_month(report: QualityReport, bulan: int) -> pd.DataFrame:
    """Per indicator reported in the year: desa expected and with a value in month ``bulan``, the percentage, and
    the percentage over the report's period (desa-months); lowest month first, then lowest period, then by code."""
    frame = report.indicator_completeness
    if frame.empty:
        return pd.DataFrame(columns=INDICATOR_MONTH_COLUMNS)
    month = frame[frame["bulan"] == int(bulan)].groupby("indikator")[["desa_total", "desa_dengan_nilai"]].sum()
    period = frame.groupby("indikator")[["desa_total", "desa_dengan_nilai"]].sum()
    out = month.reindex(period.index, fill_value=0).reset_index()
    out["persen"] = (100.0 * out["desa_dengan_nilai"] / out["desa_total"].where(out["desa_total"] > 0)).astype(float)
    share = 100.0 * period["desa_dengan_nilai"] / period["desa_total"].where(period["desa_total"] > 0)
    out["persen_periode"] = out["indikator"].map(share).astype(float)
    out = out.astype({"desa_total": "int64", "desa_dengan_nilai": "int64"})
    out = out.sort_values(["persen", "persen_periode", "indikator"], na_position="first")
    return out.reset_index(drop=True)[INDICATOR_MONTH_COLUMNS]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def _markdown_text(text: str) -> str:
    """``text`` as literal Markdown (every punctuation character Markdown could read as syntax escaped)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def source_markdown(berkas: Any, sheet: Any, sel: Any, berkas_id: int | None) -> str:
    """``file!sheet!cell`` as Markdown, the file name linked to its archived original when there is one."""
    name, parts = _text(berkas), [_text(sheet), _text(sel)]
    head = _markdown_text(name)
    if name and berkas_id is not None:
        head = f"[{head}]({FILE_ROUTE.format(id=int(berkas_id))})"
    return "!".join(_markdown_text(p) if i else p for i, p in enumerate([head, *parts]) if p)


def findings_rows(
    report: QualityReport, files: pd.DataFrame, check: str | None = None, lang: str | None = None
) -> list[dict[str, Any]]:
    """The findings (of one check, or all) as rows of the Kualitas data grid, errors first, then warnings and
    info, each in report order. ``files`` is the store's ingest log (:meth:`pws.etl.store.Store.files`), used to
    link each file name to its archived original (:func:`file_ids`)."""
    frame = report.findings
    if check:
        frame = frame[frame["kode"] == check]
    if frame.empty:
        return []
    rank = frame["tingkat"].map({s: i for i, s in enumerate(SEVERITIES)}).fillna(len(SEVERITIES))
    frame = frame.assign(_rank=rank.to_numpy()).sort_values("_rank", kind="stable")
    ids = file_ids(frame["berkas"].tolist(), files)
    severity = {s: t(f"severity.{s}", lang).capitalize() for s in SEVERITIES}
    dimension = {d: t(f"quality.dimensi.{d}", lang) for d in DIMENSIONS}
    labels: dict[str, str] = {}
    rows = []
    for index, record, berkas_id in zip(frame.index.tolist(), frame.to_dict("records"), ids, strict=True):
        code = str(record["kode"])
        if code not in labels:
            labels[code] = check_label(code, lang)
        month = record["bulan"]
        points = record["poin"]
        rows.append(
            {
                "id": str(index),
                "tingkat": severity.get(str(record["tingkat"]), str(record["tingkat"])),
                "tingkat_key": str(record["tingkat"]),
                "kode": code,
                "cek": labels[code],
                "dimensi": dimension.get(str(record["dimensi"]), str(record["dimensi"])),
                "kode_puskesmas": _text(record["kode_puskesmas"]),
                "puskesmas": _text(record["nama_puskesmas"]) or _text(record["kode_puskesmas"]),
                "kode_desa": _text(record["kode_desa"]),
                "desa": _text(record["nama_desa"]) or _text(record["kode_desa"]),
                "indikator": _text(record["indikator"]),
                "bulan": None if month is None or pd.isna(month) else int(month),
                "pesan": str(record["pesan"]),
                "poin": 0.0 if points is None or pd.isna(points) else float(points),
                "berkas": _text(record["berkas"]),
                "berkas_id": berkas_id,
                "asal": source_markdown(record["berkas"], record["sheet"], record["sel"], berkas_id),
            }
        )
    return rows


__all__ = [
    "FILE_ROUTE",
    "INDICATOR_MONTH_COLUMNS",
    "MARK",
    "SEVERITIES",
    "ScoreCard",
    "archived_file",
    "check_label",
    "file_ids",
    "findings_rows",
    "flagged_values",
    "indicator_marks",
    "indicator_month",
    "score_cards",
    "source_markdown",
]
