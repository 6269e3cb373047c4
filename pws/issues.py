"""Data problems as records: ``Issue(code, severity, where, params)``, never raised one at a time.

Each code is registered in ``ISSUE_TYPES`` with its severity; its message lives in the locale files under
``issue.<code>`` so it reads in Indonesian (default) or English. Exceptions are kept for bugs and for files
that cannot be read at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from pws.i18n import t

Severity = Literal["error", "warning", "info"]

#: code -> severity. "error": the row/feature/file is not used; "warning": used but flagged; "info": note.
ISSUE_TYPES: dict[str, Severity] = {
    # keamanan: hostile files, faults, backup (issue 8)
    "berkas_terlalu_besar": "error",
    "zip_terlalu_banyak_isi": "error",
    "zip_terlalu_besar_terurai": "error",
    "zip_rasio_kompresi": "error",
    "terlalu_banyak_sheet": "error",
    "sheet_terlalu_besar": "error",
    "waktu_baca_habis": "error",
    "rumus_tanpa_nilai": "warning",
    "format_beda_ekstensi": "info",
    "pengodean_cadangan": "warning",
    # akses: login, users, roles (issue 8)
    # jejaring: service network master list (issue 10)
    "jejaring_jenis_tidak_dikenal": "error",
    "jejaring_nama_kosong": "error",
    "jejaring_desa_tidak_dikenal": "error",
    "jejaring_nama_ganda": "error",
    "jejaring_kode_unit_ganda": "error",
    "jejaring_kolom_koordinat_sebelah": "warning",
    "jejaring_koordinat_tidak_valid": "warning",
    "jejaring_koordinat_sebelah": "warning",
    "jejaring_koordinat_di_luar_rentang": "warning",
    "jejaring_koordinat_di_luar_desa": "warning",
    "jejaring_tanggal_tidak_valid": "warning",
    "jejaring_puskesmas_beda_wilayah": "warning",
    # posyandu: posyandu-level reports (issue 10)
    "posyandu_tidak_dikenal": "warning",
    "posyandu_ganda": "warning",
    # skala: province scale, distributed ingest (issue 9)
    "pembacaan_gagal": "error",
    "pekerja_hilang": "error",
    # data quality (pws.quality): findings of pws periksa and the Kualitas Data page
    "laporan_tidak_ada": "error",
    "laporan_sebagian": "warning",
    "laporan_terlambat": "warning",
    "nilai_desa_kosong": "warning",
    "kaskade_terbalik": "error",
    "melebihi_sasaran": "warning",
    "nilai_negatif": "error",
    "pencilan": "warning",
    "nol_mendadak": "warning",
    "sasaran_beda_rumus": "warning",
    "sasaran_faktor_kabupaten": "info",
    "sasaran_berubah_tajam": "warning",
    "sasaran_tidak_sama_kabupaten": "warning",
    # files
    "berkas_tidak_ada": "error",
    "berkas_tidak_terbaca": "error",
    "kolom_wajib_hilang": "error",
    # codes and the master list
    "kode_desa_kosong": "error",
    "kode_desa_tidak_valid": "error",
    "kode_desa_ganda": "error",
    "kode_desa_beda_kecamatan": "warning",
    "nama_desa_kosong": "error",
    "puskesmas_kosong": "error",
    "desa_dua_puskesmas": "error",
    "nama_desa_kembar": "warning",
    "jenis_desa_tidak_cocok": "warning",
    # sasaran and targets
    "sasaran_desa_tidak_dikenal": "error",
    "sasaran_jenis_tidak_dikenal": "error",
    "angka_negatif": "error",
    "angka_kosong": "warning",
    "angka_tidak_valid": "error",
    "tahun_tidak_valid": "error",
    "sasaran_ganda": "warning",
    "desa_tanpa_sasaran": "warning",
    "target_indikator_tidak_dikenal": "error",
    "target_di_luar_rentang": "warning",
    "target_wilayah_tidak_dikenal": "error",
    # boundaries
    "batas_kolom_kode_tidak_ditemukan": "error",
    "batas_tanpa_geometri": "error",
    "batas_geometri_diperbaiki": "info",
    "batas_arah_ring_diperbaiki": "info",
    "batas_crs_diubah": "info",
    "batas_crs_tidak_ada": "warning",
    "batas_desa_tidak_di_master": "warning",
    "master_desa_tanpa_batas": "warning",
    "batas_kode_ganda": "warning",
    # catalogue
    "katalog_kode_ganda": "error",
    "katalog_sasaran_tidak_dikenal": "error",
    "katalog_nilai_tidak_valid": "error",
    "katalog_alias_ganda": "error",
    "katalog_alias_indikator_tidak_dikenal": "error",
    # the store
    "konflik_nilai": "warning",
    "penyimpanan_gagal": "error",
    # names in reports (pws.etl.names)
    "desa_tidak_dikenal": "error",
    "desa_ragu": "error",
    "desa_mirip": "info",
    "puskesmas_tidak_dikenal": "error",
    "katalog_sasaran_tidak_valid": "error",
    # ETL: reading reports
    "nilai_ganda_dalam_berkas": "warning",
    "tata_letak_tidak_dikenal": "error",
    "kolom_indikator_tidak_ada": "error",
    "periode_tidak_ditemukan": "error",
    "desa_tidak_ada": "warning",
    "bln_lalu_bukan_kumulatif": "info",
    "kumulatif_tidak_sama": "warning",
    "hanya_kumulatif": "error",
    "jumlah_tidak_sama": "warning",
    "baris_ganda": "warning",
    "kumulatif_turun": "warning",
    "kumulatif_bulan_hilang": "error",
    "sheet_tersembunyi": "info",
    "berkas_tanpa_nilai": "warning",
    "l_p_tidak_sama_jml": "warning",
    "desa_puskesmas_lain": "warning",
    # key indicators of the overview (indikator_utama.csv, pws.analysis.overview)
    "indikator_utama_tahap_tidak_dikenal": "error",
    "indikator_utama_tidak_dikenal": "error",
    "indikator_utama_ganda": "warning",
    "indikator_utama_terlalu_banyak": "warning",
    "indikator_utama_beda_tahap": "warning",
}


@dataclass(frozen=True)
class Issue:
    """One data problem, with where it is: file, sheet, cell, or row (1-based, as the user sees it)."""

    code: str
    severity: Severity
    params: dict[str, Any] = field(default_factory=dict)
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    feature: int | None = None

    def message(self, lang: str | None = None) -> str:
        return t(f"issue.{self.code}", lang, **self.params)

    def where(self, lang: str | None = None) -> str:
        parts = []
        if self.file:
            parts.append(t("where.file", lang, file=self.file))
        if self.sheet:
            parts.append(t("where.sheet", lang, sheet=self.sheet))
        if self.cell:
            parts.append(t("where.cell", lang, cell=self.cell))
        if self.row is not None:
            parts.append(t("where.row", lang, row=self.row))
        if self.feature is not None:
            parts.append(t("where.feature", lang, feature=self.feature))
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"[{self.severity}] {where}: {self.message()}" if where else f"[{self.severity}] {self.message()}"


def issue(code: str, **kwargs: Any) -> Issue:
    """Build an Issue of a registered code; location keywords go to their fields, the rest are params."""
    severity = ISSUE_TYPES[code]
    loc = {k: kwargs.pop(k) for k in ("file", "sheet", "cell", "row", "feature") if k in kwargs}
    return Issue(code=code, severity=severity, params=kwargs, **loc)


def issues_frame(issues: Iterable[Issue], lang: str | None = None) -> pd.DataFrame:
    """Issues as a table (kode, tingkat, pesan, berkas, sheet, sel, baris, fitur)."""
    rows = [
        {
            "kode": i.code,
            "tingkat": i.severity,
            "pesan": i.message(lang),
            "berkas": i.file,
            "sheet": i.sheet,
            "sel": i.cell,
            "baris": i.row,
            "fitur": i.feature,
        }
        for i in issues
    ]
    return pd.DataFrame(rows, columns=["kode", "tingkat", "pesan", "berkas", "sheet", "sel", "baris", "fitur"])


def has_errors(issues: Iterable[Issue]) -> bool:
    return any(i.severity == "error" for i in issues)
