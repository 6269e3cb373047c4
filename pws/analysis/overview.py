"""The overview for the head of office (the *Ringkasan* page and, later, the review-meeting pack): per life stage
the coverage of its key indicators against the target to date, the puskesmas league table and the desa that
need attention most. Plain functions over the frames of :mod:`pws.analysis.coverage` (desa table) and
:mod:`pws.analysis.aggregate` (puskesmas / kabupaten rows); no dash, no service, so the pack reuses them as is.

**Key indicators** (:data:`KEY_INDICATORS`, a setting): the indicator(s) a Dinkes head looks at first for each
life stage of ``tahap.csv``. The defaults are the SPM service indicators, plus K4 (the classic PWS KIA
indicator, next to K6 of the newer standard) and DPT-HB-Hib 3 (the usual immunisation performance and drop-out
marker, next to IDL):

=====================  =======================  =====================  ====================
tahap                  default                  tahap                  default
=====================  =======================  =====================  ====================
ibu_hamil              K4, K6                   usia_sekolah_remaja    SKRINING_SEK
bersalin_nifas         PF                       usia_produktif         SKR_PROD
bayi_baru_lahir        KN_L                     lansia                 SKR_LANSIA
bayi_imunisasi         IDL, DPTHBHIB3           penyakit_menular       TB_TERDUGA
balita                 YANKES_BALITA
=====================  =======================  =====================  ====================

A workspace overrides them with an optional file ``indikator_utama.csv`` (``,`` or ``;``; or
``indikator_utama.xlsx``), columns ``tahap, indikator``, one row per key indicator in the order to show::

    tahap,indikator
    ibu_hamil,K6
    balita,BALITA_D
    balita,YANKES_BALITA

A stage named in the file shows exactly the file's indicators (at most :data:`MAX_PER_STAGE`); stages not named
keep the default; stages always follow the life-cycle order of ``tahap.csv``. Faulty rows are reported as
:class:`~pws.issues.Issue` records (file and spreadsheet row) and left out: an unknown stage
(``indikator_utama_tahap_tidak_dikenal``) or indicator (``indikator_utama_tidak_dikenal``), a repeated row
(``indikator_utama_ganda``), more than :data:`MAX_PER_STAGE` for one stage (``indikator_utama_terlalu_banyak``).
An indicator of another stage is used but flagged (``indikator_utama_beda_tahap``), e.g. HIV tests shown under
pregnancy. An unreadable file or missing column (``berkas_tidak_terbaca``, ``kolom_wajib_hilang``) leaves the
defaults in place.

**League table** (:func:`league`): puskesmas (or, inside one puskesmas, its desa) ranked by coverage relative to
the target to date, the ``kesenjangan`` column = ``cakupan_kumulatif − target_sd_bulan`` in percentage points
(sign flipped for lower-is-better indicators, so larger is always better); rank 1 is the furthest ahead of its
target. Ties: fewer desa Jelek first, then code. Rows without a coverage (no sasaran) come last.

**Desa needing attention** (:func:`attention`): the desa behind the target to date (``kesenjangan_orang`` > 0:
persons still to serve to reach the target to date), Jelek desa first, then the most persons still to serve,
then the largest shortfall in points, then code; the first ``n`` (default 10). A desa at or above its target
never appears, whatever its trend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from python_calamine import CalamineError

from pws.analysis.aggregate import STATUS_COUNT_COLUMNS
from pws.analysis.coverage import NO_DATA
from pws.catalogue import Catalogue, load_catalogue
from pws.config import Workspace
from pws.i18n import current_lang
from pws.issues import Issue, issue

#: the default key indicators per life stage (``tahap.csv`` codes), in display order
KEY_INDICATORS: dict[str, tuple[str, ...]] = {
    "ibu_hamil": ("K4", "K6"),
    "bersalin_nifas": ("PF",),
    "bayi_baru_lahir": ("KN_L",),
    "bayi_imunisasi": ("IDL", "DPTHBHIB3"),
    "balita": ("YANKES_BALITA",),
    "usia_sekolah_remaja": ("SKRINING_SEK",),
    "usia_produktif": ("SKR_PROD",),
    "lansia": ("SKR_LANSIA",),
    "penyakit_menular": ("TB_TERDUGA",),
}
#: the workspace file that overrides :data:`KEY_INDICATORS` (an ``.xlsx`` of the same name works too)
KEY_INDICATOR_FILE = "indikator_utama.csv"
KEY_INDICATOR_COLUMNS = ("tahap", "indikator")
#: most key indicators one stage may show (a card stays readable on a projector)
MAX_PER_STAGE = 3
#: how many desa :func:`attention` returns by default
ATTENTION_N = 10

KeyIndicators = list[tuple[str, str]]

SUMMARY_COLUMNS = [
    "tahap",
    "nama_tahap",
    "indikator",
    "nama",
    "jenis",
    "arah",
    "aturan_status",
    "cakupan_kumulatif",
    "target_sd_bulan",
    "kesenjangan",
    "kesenjangan_orang",
    "status",
    "status_target",
    *STATUS_COUNT_COLUMNS.values(),
    "desa_dilaporkan",
    "jumlah_desa",
]
LEAGUE_COLUMNS = [
    "peringkat",
    "tingkat",
    "kode",
    "nama",
    "cakupan_kumulatif",
    "target_sd_bulan",
    "kesenjangan",
    "kesenjangan_orang",
    "status",
    "status_target",
    "desa_jelek",
    "desa_dilaporkan",
    "jumlah_desa",
]
ATTENTION_COLUMNS = [
    "peringkat",
    "kode_desa",
    "nama_desa",
    "kode_puskesmas",
    "nama_puskesmas",
    "nama_kecamatan",
    "sasaran",
    "kumulatif",
    "cakupan_kumulatif",
    "target_sd_bulan",
    "kesenjangan",
    "kesenjangan_orang",
    "status",
    "status_target",
    "dilaporkan",
    "arah",
]


# ----------------------------------------------------------------------------------------------------
# key indicators


def default_key_indicators(catalogue: Catalogue) -> KeyIndicators:
    """``(tahap, kode)`` of :data:`KEY_INDICATORS` in life-cycle order, keeping the codes the catalogue knows; a
    stage whose defaults are all unknown falls back to its first catalogue indicator (a stage without
    indicators is left out)."""
    out: KeyIndicators = []
    for tahap, _, _ in catalogue.tahap:
        codes = [c for c in KEY_INDICATORS.get(tahap, ()) if c in catalogue.indicators]
        if not codes:
            codes = [ind.kode for ind in catalogue.by_tahap(tahap)[:1]]
        out += [(tahap, kode) for kode in codes]
    return out


def parse_key_indicators(
    frame: pd.DataFrame, catalogue: Catalogue, file: str = KEY_INDICATOR_FILE
) -> tuple[KeyIndicators, list[Issue]]:
    """The valid ``(tahap, kode)`` rows of an override table (text cells, lower-case column names, header =
    spreadsheet row 1) in file order, and the problems of the others (see the module docstring)."""
    issues: list[Issue] = []
    missing = [c for c in KEY_INDICATOR_COLUMNS if c not in frame.columns]
    if missing:
        found = ", ".join(str(c) for c in frame.columns)
        return [], [issue("kolom_wajib_hilang", file=file, columns=", ".join(missing), found=found)]
    stages = [t[0] for t in catalogue.tahap]
    rows: KeyIndicators = []
    per_stage: dict[str, int] = {}
    for i, rec in enumerate(frame.to_dict("records")):
        row = i + 2
        tahap = str(rec["tahap"] or "").strip().lower()
        kode = str(rec["indikator"] or "").strip().upper()
        if not tahap and not kode:
            continue  # a blank line
        if tahap not in stages:
            issues.append(
                issue("indikator_utama_tahap_tidak_dikenal", file=file, row=row, tahap=tahap, known=", ".join(stages))
            )
            continue
        if kode not in catalogue.indicators:
            issues.append(issue("indikator_utama_tidak_dikenal", file=file, row=row, indikator=kode))
            continue
        if (tahap, kode) in rows:
            issues.append(issue("indikator_utama_ganda", file=file, row=row, tahap=tahap, indikator=kode))
            continue
        if per_stage.get(tahap, 0) >= MAX_PER_STAGE:
            too_many = issue(
                "indikator_utama_terlalu_banyak", file=file, row=row, tahap=tahap, indikator=kode, n=MAX_PER_STAGE
            )
            issues.append(too_many)
            continue
        own = catalogue.indicators[kode].tahap
        if own != tahap:
            issues.append(
                issue("indikator_utama_beda_tahap", file=file, row=row, indikator=kode, tahap=tahap, tahap_katalog=own)
            )
        rows.append((tahap, kode))
        per_stage[tahap] = per_stage.get(tahap, 0) + 1
    return rows, issues


def merge_key_indicators(catalogue: Catalogue, chosen: Sequence[tuple[str, str]]) -> KeyIndicators:
    """The defaults with every stage named in ``chosen`` replaced by its ``chosen`` codes (in their order);
    stages in life-cycle order."""
    by_stage: dict[str, list[str]] = {}
    for tahap, kode in chosen:
        by_stage.setdefault(tahap, []).append(kode)
    defaults = default_key_indicators(catalogue)
    out: KeyIndicators = []
    for tahap, _, _ in catalogue.tahap:
        codes = by_stage.get(tahap) or [k for s, k in defaults if s == tahap]
        out += [(tahap, kode) for kode in codes]
    return out


def key_indicator_path(ws: Workspace) -> Path | None:
    """The workspace's ``indikator_utama.csv`` (or ``.xlsx``), None when there is none."""
    for suffix in (".csv", ".xlsx"):
        path = ws.root / (Path(KEY_INDICATOR_FILE).stem + suffix)
        if path.exists():
            return path
    return None


def load_key_indicators(ws: Workspace, catalogue: Catalogue | None = None) -> tuple[KeyIndicators, list[Issue]]:
    """The key indicators of a workspace (defaults overridden by ``indikator_utama.csv``) and the file's problems.
    ``catalogue`` defaults to the workspace's own (give it when you have it: loading it costs time)."""
    from pws.workspace import read_user_table  # the file reader; imported here to keep this module light

    catalogue = catalogue if catalogue is not None else load_catalogue(ws.root)[0]
    path = key_indicator_path(ws)
    if path is None:
        return default_key_indicators(catalogue), []
    try:
        frame = read_user_table(path)
    except (OSError, ValueError, UnicodeError, CalamineError) as exc:
        return default_key_indicators(catalogue), [issue("berkas_tidak_terbaca", file=path.name, detail=str(exc))]
    chosen, issues = parse_key_indicators(frame, catalogue, file=path.name)
    return merge_key_indicators(catalogue, chosen), issues


def key_indicators(source: Workspace | Catalogue, catalogue: Catalogue | None = None) -> KeyIndicators:
    """``[(tahap, kode), …]`` in display order: the defaults of a catalogue, or of a workspace with its
    ``indikator_utama.csv`` applied (problems in that file: :func:`load_key_indicators`)."""
    if isinstance(source, Catalogue):
        return default_key_indicators(source)
    return load_key_indicators(source, catalogue)[0]


# ----------------------------------------------------------------------------------------------------
# the numbers


_MEASURES = SUMMARY_COLUMNS[7:]  # cakupan_kumulatif … jumlah_desa: taken from the aggregate row
_COUNT_COLUMNS = ("kesenjangan_orang", *STATUS_COUNT_COLUMNS.values(), "desa_dilaporkan", "jumlah_desa")


def _row_of(frame: pd.DataFrame | None, area: str | None) -> dict[str, object] | None:
    """The measures of the kabupaten row (``area`` None) or of the row whose ``kode`` is ``area``."""
    if frame is None or len(frame) == 0:
        return None
    if area is None:
        found = np.flatnonzero(frame["tingkat"].to_numpy() == "kabupaten") if "tingkat" in frame.columns else [0]
    else:
        found = np.flatnonzero(frame["kode"].astype(str).to_numpy() == str(area))
    if len(found) == 0:
        return None
    record = frame.iloc[int(found[0])].to_dict()  # one row to a dict: cheaper than one Series per column
    return {col: record[col] for col in _MEASURES if col in record}


def _int_or_none(value: object) -> int | None:
    number = pd.to_numeric(value, errors="coerce")
    return None if pd.isna(number) else int(number)


def stage_summary(
    keys: Sequence[tuple[str, str]],
    aggregates: Mapping[str, pd.DataFrame],
    catalogue: Catalogue,
    area: str | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """One row per key indicator (in ``keys`` order): its stage and name, the coverage, target to date, gap
    (points and persons) and status of the kabupaten — or of the puskesmas ``area`` — and its desa per status.

    ``aggregates[kode]`` is :func:`pws.analysis.aggregate` output for that indicator: the kabupaten row (level
    ``kabupaten``) or the puskesmas rows (level ``puskesmas``, the row of ``area`` is taken). An indicator
    missing from ``aggregates`` or without that row gives a row with status ``NO_DATA`` and no numbers.
    Columns: :data:`SUMMARY_COLUMNS`.
    """
    lang = lang or current_lang()
    stage_names = {k: (en if lang == "en" else nid) for k, nid, en in catalogue.tahap}
    columns: dict[str, list[object]] = {col: [] for col in SUMMARY_COLUMNS}
    for tahap, kode in keys:
        ind = catalogue.indicators[kode]
        found = _row_of(aggregates.get(kode), area) or {"status": NO_DATA, "status_target": NO_DATA}
        head = (tahap, stage_names.get(tahap, tahap), kode, ind.name(lang), ind.jenis, ind.arah, ind.aturan_status)
        for col, value in zip(SUMMARY_COLUMNS[:7], head, strict=True):
            columns[col].append(value)
        for col in _MEASURES:
            raw = found.get(col)
            if col in _COUNT_COLUMNS:
                columns[col].append(_int_or_none(raw))
            elif col in ("status", "status_target"):
                columns[col].append(raw)
            else:
                columns[col].append(float(pd.to_numeric(raw, errors="coerce")) if raw is not None else np.nan)
    out = pd.DataFrame(columns, columns=SUMMARY_COLUMNS)
    for col in _COUNT_COLUMNS:
        out[col] = pd.array(columns[col], dtype="Int64")
    return out


def _num(frame: pd.DataFrame, col: str) -> np.ndarray:
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def league(rows: pd.DataFrame) -> pd.DataFrame:
    """Puskesmas rows of :func:`pws.analysis.aggregate` — or the desa rows of a desa table, for the league
    inside one puskesmas — ranked by ``kesenjangan`` (coverage minus target to date, direction-aware), the best
    first; ties by fewer desa Jelek, then code; no coverage last. Columns: :data:`LEAGUE_COLUMNS`
    (``peringkat`` 1 = best; ``desa_jelek``, ``desa_dilaporkan`` and ``jumlah_desa`` are empty for desa rows)."""
    desa_level = "kode_desa" in rows.columns
    size = len(rows)
    gap = _num(rows, "kesenjangan")
    counts = {
        col: _num(rows, col) if not desa_level and col in rows.columns else np.full(size, np.nan)
        for col in ("desa_jelek", "desa_dilaporkan", "jumlah_desa")
    }
    kode = rows["kode_desa" if desa_level else "kode"].astype(str).to_numpy()
    # lexsort: the last key is the primary one; NaN gaps last, larger gap first, fewer Jelek, then code
    jelek = counts["desa_jelek"]
    order = np.lexsort((kode, np.nan_to_num(jelek, nan=np.inf), -np.nan_to_num(gap, nan=-np.inf), np.isnan(gap)))
    tingkat = "desa" if desa_level else (rows["tingkat"].to_numpy() if "tingkat" in rows.columns else "puskesmas")
    out = pd.DataFrame(
        {
            "peringkat": np.arange(1, size + 1),
            "tingkat": np.asarray(tingkat, dtype=object)[order] if not isinstance(tingkat, str) else tingkat,
            "kode": kode[order],
            "nama": rows["nama_desa" if desa_level else "nama"].astype(str).to_numpy()[order],
            "cakupan_kumulatif": _num(rows, "cakupan_kumulatif")[order],
            "target_sd_bulan": _num(rows, "target_sd_bulan")[order],
            "kesenjangan": gap[order],
            "kesenjangan_orang": pd.array(_num(rows, "kesenjangan_orang")[order], dtype="Int64"),
            "status": rows["status"].to_numpy(dtype=object)[order],
            "status_target": rows["status_target"].to_numpy(dtype=object)[order],
            **{col: pd.array(values[order], dtype="Int64") for col, values in counts.items()},
        },
        columns=LEAGUE_COLUMNS,
    )
    return out


def attention(table: pd.DataFrame, n: int = ATTENTION_N) -> pd.DataFrame:
    """The desa of a desa table (:func:`pws.analysis.pws_table`, whole kabupaten or one puskesmas' rows) that
    need attention most: behind the target to date (``kesenjangan_orang`` > 0), Jelek first, then most persons
    still to serve, then largest shortfall in points, then code; at most ``n``. Columns:
    :data:`ATTENTION_COLUMNS` (``peringkat`` 1 = most urgent)."""
    persons = _num(table, "kesenjangan_orang")
    behind = np.flatnonzero(np.nan_to_num(persons, nan=0.0) > 0)
    jelek = (table["status"].to_numpy(dtype=object)[behind] == "Jelek").astype(int)
    points = np.nan_to_num(_num(table, "kesenjangan")[behind], nan=np.inf)
    kode = table["kode_desa"].astype(str).to_numpy()[behind]
    order = np.lexsort((kode, points, -persons[behind], -jelek))[: max(int(n), 0)]
    ranked = table.iloc[behind[order]].reset_index(drop=True)
    ranked.insert(0, "peringkat", np.arange(1, len(ranked) + 1))
    return ranked[ATTENTION_COLUMNS]


def in_puskesmas(table: pd.DataFrame, kode_puskesmas: str | None) -> pd.DataFrame:
    """The rows of a desa table that belong to one puskesmas (all rows when ``kode_puskesmas`` is empty)."""
    if not kode_puskesmas:
        return table
    return table[table["kode_puskesmas"].astype(str) == str(kode_puskesmas)]


__all__ = [
    "ATTENTION_COLUMNS",
    "ATTENTION_N",
    "KEY_INDICATORS",
    "KEY_INDICATOR_COLUMNS",
    "KEY_INDICATOR_FILE",
    "LEAGUE_COLUMNS",
    "MAX_PER_STAGE",
    "SUMMARY_COLUMNS",
    "KeyIndicators",
    "attention",
    "default_key_indicators",
    "in_puskesmas",
    "key_indicator_path",
    "key_indicators",
    "league",
    "load_key_indicators",
    "merge_key_indicators",
    "parse_key_indicators",
    "stage_summary",
]
