"""Findings of the data-quality checks: one record per problem (never an exception), as a table.

Each check returns plain dicts made by :func:`finding`; :func:`findings_frame` turns them into the table of
:data:`FINDING_COLUMNS`: the check code, its dimension and severity (``pws.issues.ISSUE_TYPES``), the place
(puskesmas, desa, indicator, year, month), the value(s), the message in the requested language (``issue.<code>``
in the locale files) and, when the value came from a stored observation or a stored ETL problem, its file, sheet
and cell. ``poin`` is what the finding costs in the score (:mod:`pws.quality.score`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from pws.i18n import t
from pws.issues import ISSUE_TYPES, Issue
from pws.quality.settings import QualitySettings

FINDING_COLUMNS = [
    "kode",
    "dimensi",
    "tingkat",
    "kode_puskesmas",
    "nama_puskesmas",
    "kode_desa",
    "nama_desa",
    "indikator",
    "tahun",
    "bulan",
    "nilai",
    "pembanding",
    "pesan",
    "berkas",
    "sheet",
    "sel",
    "asal",
    "poin",
    "params",
]

#: where a finding comes from: a check of this package, a problem the ETL stored at ingest, a workspace file
ORIGINS = ("periksa", "etl", "workspace")

#: check code -> dimension, for the checks of this package, the stored ETL problems and the workspace issues
CHECK_DIMENSIONS: dict[str, str] = {
    # completeness and timeliness (pws.quality.completeness)
    "laporan_tidak_ada": "kelengkapan",
    "laporan_sebagian": "kelengkapan",
    "nilai_desa_kosong": "kelengkapan",
    "laporan_terlambat": "ketepatan",
    # internal consistency (pws.quality.consistency)
    "kaskade_terbalik": "konsistensi",
    "melebihi_sasaran": "konsistensi",
    "nilai_negatif": "konsistensi",
    # outliers (pws.quality.outliers)
    "pencilan": "pencilan",
    "nol_mendadak": "pencilan",
    # denominators (pws.quality.denominators)
    "sasaran_beda_rumus": "penyebut",
    "sasaran_faktor_kabupaten": "penyebut",
    "sasaran_berubah_tajam": "penyebut",
    "sasaran_tidak_sama_kabupaten": "penyebut",
    "desa_tanpa_sasaran": "penyebut",
    "sasaran_ganda": "penyebut",
    "sasaran_desa_tidak_dikenal": "penyebut",
    # checks the ETL made while reading a file (stored in the ``masalah`` table)
    "kumulatif_tidak_sama": "konsistensi",
    "jumlah_tidak_sama": "konsistensi",
    "l_p_tidak_sama_jml": "konsistensi",
    "kumulatif_turun": "konsistensi",
    "baris_ganda": "konsistensi",
    "nilai_ganda_dalam_berkas": "konsistensi",
    "konflik_nilai": "konsistensi",
    "desa_puskesmas_lain": "konsistensi",
    "angka_tidak_valid": "kelengkapan",
    "desa_tidak_dikenal": "kelengkapan",
    "desa_ragu": "kelengkapan",
    "desa_tidak_ada": "kelengkapan",
    "hanya_kumulatif": "kelengkapan",
    "kumulatif_bulan_hilang": "kelengkapan",
    "berkas_tanpa_nilai": "kelengkapan",
    "kolom_indikator_tidak_ada": "kelengkapan",
    "tata_letak_tidak_dikenal": "kelengkapan",
    "periode_tidak_ditemukan": "kelengkapan",
    "puskesmas_tidak_dikenal": "kelengkapan",
    "berkas_tidak_terbaca": "kelengkapan",
    "penyimpanan_gagal": "kelengkapan",
}


def dimension_of(code: str, severity: str = "warning") -> str:
    """The dimension of a check code (unknown error codes count as completeness, other unknown ones as
    consistency)."""
    found = CHECK_DIMENSIONS.get(code)
    if found is not None:
        return found
    return "kelengkapan" if severity == "error" else "konsistensi"


def finding(
    code: str,
    *,
    kode_puskesmas: str | None = None,
    kode_desa: str | None = None,
    indikator: str | None = None,
    tahun: int | None = None,
    bulan: int | None = None,
    nilai: float | None = None,
    pembanding: float | None = None,
    berkas: str | None = None,
    sheet: str | None = None,
    sel: str | None = None,
    asal: str = "periksa",
    tingkat: str | None = None,
    poin: float | None = None,
    pesan: str | None = None,
    **params: Any,
) -> dict[str, Any]:
    """One finding as a plain record. ``params`` fill the message template ``issue.<code>``; ``tingkat``
    defaults to the code's registered severity, ``poin`` to the settings' points for the code, ``pesan`` (a
    stored message) is only used when the template cannot be filled."""
    return {
        "kode": code,
        "kode_puskesmas": kode_puskesmas,
        "kode_desa": kode_desa,
        "indikator": indikator,
        "tahun": tahun,
        "bulan": bulan,
        "nilai": nilai,
        "pembanding": pembanding,
        "berkas": berkas,
        "sheet": sheet,
        "sel": sel,
        "asal": asal,
        "tingkat": tingkat or ISSUE_TYPES.get(code, "warning"),
        "poin": poin,
        "pesan_tersimpan": pesan,
        "params": dict(params),
    }


def number(value: Any) -> int | float | None:
    """A plain number for messages and JSON: whole floats as int, rounded to 2 decimals otherwise."""
    if value is None or value is pd.NA:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(value):
        return None
    return int(value) if value.is_integer() else round(value, 2)


def _label(name: Any, code: Any) -> str:
    if not isinstance(code, str) or not code:
        return ""
    if isinstance(name, str) and name and name != code:
        return f"{name} ({code})"
    return code


def findings_frame(
    records: Iterable[Mapping[str, Any]],
    wilayah: pd.DataFrame,
    settings: QualitySettings,
    lang: str | None = None,
) -> pd.DataFrame:
    """The findings as a table (:data:`FINDING_COLUMNS`), names filled from the master list and messages rendered
    in ``lang`` (default: the current language)."""
    rows = [dict(r) for r in records]
    if not rows:
        frame = pd.DataFrame(columns=FINDING_COLUMNS)
        return frame.astype({"tahun": "Int64", "bulan": "Int64", "nilai": "float64", "pembanding": "float64"})
    desa_names: dict[str, str] = {}
    desa_pkm: dict[str, str] = {}
    pkm_names: dict[str, str] = {}
    if not wilayah.empty:
        desa_names = dict(zip(wilayah["kode_desa"], wilayah["nama_desa"], strict=True))
        desa_pkm = dict(zip(wilayah["kode_desa"], wilayah["kode_puskesmas"], strict=True))
        pkm_names = dict(zip(wilayah["kode_puskesmas"], wilayah["nama_puskesmas"], strict=True))
    out = []
    for row in rows:
        code = row["kode"]
        desa = row.get("kode_desa")
        pkm = row.get("kode_puskesmas") or (desa_pkm.get(desa) if desa else None)
        params = dict(row.get("params") or {})
        params.setdefault("desa", _label(desa_names.get(desa or ""), desa))
        params.setdefault("puskesmas", _label(pkm_names.get(pkm or ""), pkm))
        bulan = row.get("bulan")
        if bulan is not None and not pd.isna(bulan):
            params.setdefault("bulan_nama", t(f"month.{int(bulan)}", lang))
        params.setdefault("tahun", row.get("tahun"))
        params.setdefault("indikator", row.get("indikator"))
        severity = row.get("tingkat") or ISSUE_TYPES.get(code, "warning")
        message = _render(code, severity, params, lang, row.get("pesan_tersimpan"))
        poin = row.get("poin")
        if poin is None:
            poin = settings.points_for(code, severity)
        out.append(
            {
                "kode": code,
                "dimensi": dimension_of(code, severity),
                "tingkat": severity,
                "kode_puskesmas": pkm,
                "nama_puskesmas": pkm_names.get(pkm or ""),
                "kode_desa": desa,
                "nama_desa": desa_names.get(desa or ""),
                "indikator": row.get("indikator"),
                "tahun": row.get("tahun"),
                "bulan": bulan,
                "nilai": row.get("nilai"),
                "pembanding": row.get("pembanding"),
                "pesan": message,
                "berkas": row.get("berkas"),
                "sheet": row.get("sheet") or None,
                "sel": row.get("sel"),
                "asal": row.get("asal", "periksa"),
                "poin": float(poin),
                "params": {k: v for k, v in (row.get("params") or {}).items()},
            }
        )
    frame = pd.DataFrame(out, columns=FINDING_COLUMNS)
    frame["tahun"] = pd.to_numeric(frame["tahun"], errors="coerce").astype("Int64")
    frame["bulan"] = pd.to_numeric(frame["bulan"], errors="coerce").astype("Int64")
    frame["nilai"] = pd.to_numeric(frame["nilai"], errors="coerce").astype("float64")
    frame["pembanding"] = pd.to_numeric(frame["pembanding"], errors="coerce").astype("float64")
    order = {d: i for i, d in enumerate(("kelengkapan", "ketepatan", "konsistensi", "pencilan", "penyebut"))}
    frame["_d"] = frame["dimensi"].map(order).fillna(len(order))
    frame = frame.sort_values(
        ["_d", "kode", "kode_puskesmas", "kode_desa", "indikator", "tahun", "bulan"], na_position="first", kind="stable"
    )
    return frame.drop(columns="_d").reset_index(drop=True)


def _render(code: str, severity: str, params: dict[str, Any], lang: str | None, stored: str | None) -> str:
    try:
        return Issue(code=code, severity=severity, params=params).message(lang)  # type: ignore[arg-type]
    except (KeyError, IndexError, ValueError):
        return stored or code


def where(row: Mapping[str, Any]) -> str:
    """``file!sheet!cell`` of a finding (the parts that are known), as in a spreadsheet reference."""
    parts = [str(row[k]) for k in ("berkas", "sheet", "sel") if isinstance(row.get(k), str) and row.get(k)]
    return "!".join(parts)


__all__ = ["CHECK_DIMENSIONS", "FINDING_COLUMNS", "ORIGINS", "dimension_of", "finding", "findings_frame", "number"]
