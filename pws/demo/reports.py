"""Puskesmas workbooks for the demo, written the way real ones look (domain.md §5), mess included.

Five report families:
- ``pws_kia``: the classic PWS KIA recap, one workbook per puskesmas and month (layout A), BLN LALU / BLN INI /
  KUMULATIF ABS / %;
- ``imunisasi``: PWS imunisasi per desa with L / P / JML, one workbook per puskesmas and month (layout I);
- ``rekap_tahunan``: desa x month grid, one workbook per puskesmas and year, one sheet per indicator;
- ``sigizi``: SIGIZI-style long CSV export for the whole kabupaten, cumulative "s/d bulan ini" snapshots (layout C);
- ``spm``: SPM monthly entry with desa as columns, one workbook per puskesmas and year, one sheet per service
  (layout F), with a hidden helper sheet.

Every value written for a desa is recorded with its file, sheet and cell, so the ETL can be checked against
exactly what the generator drew.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

MONTHS = [
    "JANUARI", "FEBRUARI", "MARET", "APRIL", "MEI", "JUNI",
    "JULI", "AGUSTUS", "SEPTEMBER", "OKTOBER", "NOVEMBER", "DESEMBER",
]  # fmt: skip
MONTHS_SHORT = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nop", "Des"]

#: header labels per indicator; a puskesmas uses variant ``style.labels`` (index into the list, wrapped)
LABELS: dict[str, list[str]] = {
    "K1": ["K1", "K-1", "K1 AKSES"],
    "K4": ["K4", "K-4", "KUNJUNGAN K4"],
    "K6": ["K6", "K-6", "KUNJUNGAN K6"],
    "RISTI_NAKES": ["DETEKSI RISTI OLEH NAKES", "DETEKSI RESIKO TINGGI NAKES", "DETEKSI RISTI NAKES"],
    "RISTI_MAS": [
        "DETEKSI RISTI OLEH MASYARAKAT",
        "DETEKSI RESIKO TINGGI MASYARAKAT",
        "DETEKSI RISTI MASYARAKAT",
    ],
    "PN": ["PERSALINAN OLEH NAKES", "PERSALINAN OLEH TENAGA KESEHATAN", "LINAKES"],
    "PF": ["PERSALINAN DI FASKES", "PERSALINAN DI FASYANKES", "PERSALINAN DI FASILITAS KESEHATAN"],
    "KF1": ["KF1", "KF 1", "KUNJUNGAN NIFAS 1"],
    "KF_L": ["KF LENGKAP", "KF-LENGKAP", "KUNJUNGAN NIFAS LENGKAP"],
    "KN1": ["KN1", "KN 1", "KUNJUNGAN NEONATAL 1"],
    "KN_L": ["KN LENGKAP", "KN-LENGKAP", "KUNJUNGAN NEONATAL LENGKAP"],
    "K1M": ["K1 MURNI", "K1 MURNI", "K1 TRIMESTER 1"],
    "PK": ["PENANGANAN KOMPLIKASI KEBIDANAN", "PK", "PENANGANAN KOMPLIKASI"],
    "NEO_KOMP": ["NEONATAL KOMPLIKASI DITANGANI", "PENANGANAN NEONATAL KOMPLIKASI", "NEO KOMPLIKASI"],
    "SHK": ["SHK", "SKRINING HIPOTIROID KONGENITAL", "SHK"],
    "HB0": ["HB0 < 24 JAM", "HB 0", "HB-0"],
    "BCG": ["BCG", "BCG", "BCG"],
    "POLIO1": ["POLIO 1", "POLIO1", "OPV 1"],
    "POLIO2": ["POLIO 2", "POLIO2", "OPV 2"],
    "POLIO3": ["POLIO 3", "POLIO3", "OPV 3"],
    "POLIO4": ["POLIO 4", "POLIO4", "OPV 4"],
    "DPTHBHIB1": ["DPT-HB-HIB 1", "DPT/HB/HIB 1", "PENTA 1"],
    "DPTHBHIB2": ["DPT-HB-HIB 2", "DPT/HB/HIB 2", "PENTA 2"],
    "DPTHBHIB3": ["DPT-HB-HIB 3", "DPT/HB/HIB 3", "PENTA 3"],
    "IPV": ["IPV", "IPV", "IPV"],
    "MR1": ["MR", "CAMPAK/MR", "MR 1"],
    "IDL": ["IDL", "IMUNISASI DASAR LENGKAP", "IDL"],
    "SKR_PROD": ["SKRINING USIA PRODUKTIF", "PELAYANAN KESEHATAN USIA PRODUKTIF", "SPM 6 USIA PRODUKTIF"],
    "HT": ["PELAYANAN PENDERITA HIPERTENSI", "HIPERTENSI", "SPM 8 HIPERTENSI"],
    "DM": ["PELAYANAN PENDERITA DM", "DIABETES MELITUS", "SPM 9 DM"],
    "ODGJ": ["PELAYANAN ODGJ BERAT", "ODGJ BERAT", "SPM 10 ODGJ"],
    "SKR_LANSIA": ["SKRINING USIA LANJUT", "PELAYANAN KESEHATAN USIA LANJUT", "SPM 7 LANSIA"],
    "TB_TERDUGA": ["PELAYANAN ORANG TERDUGA TBC", "TERDUGA TB", "SPM 11 TERDUGA TBC"],
    "HIV_TES": ["ORANG BERISIKO HIV DIPERIKSA", "PEMERIKSAAN HIV", "SPM 12 HIV"],
    "SKRINING_SEK": [
        "PENJARINGAN KESEHATAN ANAK SEKOLAH",
        "SKRINING ANAK SEKOLAH",
        "SPM 5 USIA PENDIDIKAN DASAR",
    ],
}

PWS_KIA_BLOCKS = ["K1", "K4", "K6", "RISTI_NAKES", "RISTI_MAS", "PN", "PF", "KF1", "KF_L", "KN1", "KN_L"]
IMUNISASI_ANTIGENS = [
    "HB0", "BCG", "POLIO1", "DPTHBHIB1", "POLIO2", "DPTHBHIB2", "POLIO3", "DPTHBHIB3", "POLIO4", "IPV",
    "MR1", "IDL",
]  # fmt: skip
REKAP_INDICATORS = ["K1M", "PK", "NEO_KOMP", "SHK"]
SPM_INDICATORS = ["SKR_PROD", "HT", "DM", "ODGJ", "SKR_LANSIA", "TB_TERDUGA", "HIV_TES", "SKRINING_SEK"]
SIGIZI_COLUMNS = {
    # label in the export -> (indicator, cumulative snapshot?)
    "Jumlah balita bulan ini (S)": ("BALITA_S", False),
    "Jumlah balita ditimbang (D)": ("BALITA_D", False),
    "Jumlah balita stunting": ("STUNTING", False),
    "Jumlah balita wasting": ("WASTING", False),
    "Jumlah balita mendapat vitamin A": ("VITA", False),
    "Jumlah balita mendapat pelayanan kesehatan sesuai standar s/d bulan ini": ("YANKES_BALITA", True),
    "Jumlah ibu hamil mendapat TTD minimal 180 tablet s/d bulan ini": ("TTD", True),
    "Jumlah remaja putri mendapat TTD s/d bulan ini": ("RM_TTD", True),
}

BOLD = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Style:
    """How one puskesmas fills its reports: the mess is per puskesmas, as in real life."""

    name_case: str = "title"  # title | upper | lower
    prefix: bool = False  # "Ds." / "Kel." before names
    zero: Any = 0  # 0, "-" or None (blank)
    text_numbers: float = 0.0  # share of numbers stored as text
    total_formula: bool = False  # JUMLAH as =SUM() without cached values
    luar_wilayah: bool = False  # a "Luar Wilayah" row with its own counts
    month_in: str = "both"  # both | title | filename
    old_spelling: bool = False  # PEBRUARI, NOPEMBER
    labels: int = 0
    bln_lalu_is_last_month: bool = False  # BLN LALU holds last month's count, not the cumulative
    missing: frozenset[tuple[int, int]] = frozenset()
    typo: dict[str, str] = field(default_factory=dict)  # kode_desa -> name as (mis)written


@dataclass
class Lineage:
    """What was written where: the reported values of desa (``records``) and the mess put in on purpose."""

    records: list[tuple[int, int, str, str, str, float, str, str, str]] = field(default_factory=list)
    mess: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)

    def add(self, year: int, month: int, kode: str, ind: str, jk: str, value: float, f: str, sh: str, c: str) -> None:
        self.records.append((year, month, kode, ind, jk, value, f, sh, c))


def month_name(month: int, style: Style) -> str:
    name = MONTHS[month - 1]
    if style.old_spelling:
        name = {"FEBRUARI": "PEBRUARI", "NOVEMBER": "NOPEMBER"}.get(name, name)
    elif month == 11:
        name = "NOPEMBER"  # the most common spelling in real titles
    return name


def reported_name(kode: str, nama: str, jenis: str, style: Style) -> str:
    name = style.typo.get(kode, nama)
    if style.name_case == "upper":
        name = name.upper()
    elif style.name_case == "lower":
        name = name.lower()
    if style.prefix:
        name = ("Kel. " if jenis == "kelurahan" else "Ds. ") + name
    return name


class _Writer:
    """Writes numbers the way a puskesmas would: zeros as '-' or blank, some numbers as text."""

    def __init__(self, ws: Worksheet, style: Style, rng: np.random.Generator) -> None:
        self.ws = ws
        self.style = style
        self.rng = rng

    def num(self, row: int, col: int, value: float, exact: bool = False) -> str:
        cell = self.ws.cell(row=row, column=col)
        if value == 0 and not exact:
            cell.value = self.style.zero
        elif self.style.text_numbers and self.rng.random() < self.style.text_numbers:
            cell.value = f"{value:g}"
        else:
            cell.value = value
        return cell.coordinate

    def text(self, row: int, col: int, value: str, bold: bool = False) -> None:
        cell = self.ws.cell(row=row, column=col, value=value)
        if bold:
            cell.font = BOLD
            cell.alignment = CENTER

    def merge(self, r1: int, c1: int, r2: int, c2: int, value: str) -> None:
        self.text(r1, c1, value, bold=True)
        if (r1, c1) != (r2, c2):
            self.ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)

    def total(self, row: int, col: int, first: int, last: int, value: float) -> None:
        if self.style.total_formula:
            letter = get_column_letter(col)
            self.ws.cell(row=row, column=col, value=f"=SUM({letter}{first}:{letter}{last})")
        else:
            self.ws.cell(row=row, column=col, value=value)


Lookup = Callable[[int, int, str, str, str], int]


def _pct(num: float, den: float) -> float:
    return round(100.0 * num / den, 2) if den else 0.0


def write_pws_kia(
    path: Path,
    pkm: dict[str, str],
    desa: list[dict[str, Any]],
    year: int,
    month: int,
    count: Lookup,
    cum: Lookup,
    sasaran: Callable[[int, str, str], int],
    style: Style,
    rng: np.random.Generator,
    lineage: Lineage,
    wrong_kumulatif: tuple[str, str, int] | None = None,
    wrong_jumlah: tuple[str, int] | None = None,
) -> None:
    """Layout A: one sheet, title block, 3 merged header rows + column-number row, desa rows, JUMLAH."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"{MONTHS_SHORT[month - 1].upper()} {year}" if style.month_in != "filename" else "PWS KIA"
    w = _Writer(ws, style, rng)
    w.text(1, 1, "PEMANTAUAN WILAYAH SETEMPAT KESEHATAN IBU DAN ANAK (PWS-KIA)", bold=True)
    w.text(2, 1, f"PUSKESMAS : {pkm['nama'].upper()}")
    w.text(2, 8, f"KECAMATAN : {pkm['kecamatan'].upper()}")
    if style.month_in == "filename":
        w.text(3, 1, f"TAHUN : {year}")
    else:
        w.text(3, 1, f"BULAN : {month_name(month, style)}")
        w.text(3, 8, f"TAHUN : {year}")
    top = 5
    w.merge(top, 1, top + 2, 1, "NO")
    w.merge(top, 2, top + 2, 2, "DESA")
    w.merge(top, 3, top, 5, "SASARAN")
    for j, label in enumerate(["BUMIL", "BULIN", "BAYI"]):
        w.merge(top + 1, 3 + j, top + 2, 3 + j, label)
    col = 6
    block_cols: dict[str, int] = {}
    for ind in PWS_KIA_BLOCKS:
        labels = LABELS[ind]
        block_cols[ind] = col
        w.merge(top, col, top, col + 3, labels[style.labels % len(labels)])
        w.merge(top + 1, col, top + 2, col, "BLN LALU")
        w.merge(top + 1, col + 1, top + 2, col + 1, "BLN INI")
        w.merge(top + 1, col + 2, top + 1, col + 3, "KUMULATIF")
        w.text(top + 2, col + 2, "ABS", bold=True)
        w.text(top + 2, col + 3, "%", bold=True)
        col += 4
    last_col = col - 1
    for c in range(1, last_col + 1):
        w.text(top + 3, c, f"({c})" if style.labels == 1 else str(c))
    first = top + 4
    r = first
    totals = np.zeros(last_col + 1)
    sas_den = {"BUMIL": 0, "BULIN": 0, "BAYI": 0}
    denom_of = {"K1": "BUMIL", "K4": "BUMIL", "K6": "BUMIL", "RISTI_NAKES": "BUMIL", "RISTI_MAS": "BUMIL"}
    rows = [*desa, {"kode": None, "nama": "LUAR WILAYAH", "jenis": ""}] if style.luar_wilayah else desa
    for i, d in enumerate(rows):
        w.num(r, 1, i + 1, exact=True)
        kode = d["kode"]
        w.text(r, 2, d["nama"] if kode is None else reported_name(kode, d["nama"], d["jenis"], style))
        sas = {k: (sasaran(year, kode, k) if kode else 0) for k in sas_den}
        for j, k in enumerate(sas_den):
            w.num(r, 3 + j, sas[k], exact=True)
            totals[3 + j] += sas[k]
        for ind in PWS_KIA_BLOCKS:
            c = block_cols[ind]
            if kode is None:
                this = int(rng.poisson(0.6))
                before = int(rng.poisson(0.6 * (month - 1)))
            else:
                this = count(year, month, kode, ind, "T")
                before = cum(year, month - 1, kode, ind, "T")
            kum = before + this
            lalu = before
            if style.bln_lalu_is_last_month and kode is not None:
                lalu = count(year, month - 1, kode, ind, "T") if month > 1 else 0
            w.num(r, c, lalu)
            cell = w.num(r, c + 1, this)
            if wrong_kumulatif is not None and wrong_kumulatif[:2] == (ind, kode):
                kum += wrong_kumulatif[2]
                lineage.mess.append(
                    {"jenis": "kumulatif_tidak_sama", "file": path.name, "sheet": ws.title,
                     "cell": f"{get_column_letter(c + 2)}{r}", "selisih": wrong_kumulatif[2]}
                )  # fmt: skip
            w.num(r, c + 2, kum)
            den = sas[denom_of.get(ind, "BULIN" if ind in ("PN", "PF", "KF1", "KF_L") else "BAYI")]
            w.num(r, c + 3, _pct(kum, den), exact=True)
            totals[c] += lalu
            totals[c + 1] += this
            totals[c + 2] += kum
            if kode is not None:
                lineage.add(year, month, kode, ind, "T", this, path.name, ws.title, cell)
        r += 1
    last = r - 1
    w.text(r, 2, "JUMLAH" if style.labels != 2 else "TOTAL", bold=True)
    for c in range(3, last_col + 1):
        is_pct = c >= 6 and (c - 6) % 4 == 3
        if is_pct:
            block = PWS_KIA_BLOCKS[(c - 6) // 4]
            den = sum(totals[3 + j] for j, k in enumerate(sas_den) if k == denom_of.get(block, "x"))
            den = den or totals[4 if block in ("PN", "PF", "KF1", "KF_L") else 5]
            ws.cell(row=r, column=c, value=_pct(totals[c - 1], den))
        elif wrong_jumlah is not None and c == block_cols[wrong_jumlah[0]] + 1:
            ws.cell(row=r, column=c, value=float(totals[c] + wrong_jumlah[1]))
            lineage.mess.append(
                {"jenis": "jumlah_tidak_sama", "file": path.name, "sheet": ws.title,
                 "cell": f"{get_column_letter(c)}{r}", "selisih": wrong_jumlah[1]}
            )  # fmt: skip
        else:
            w.total(r, c, first, last, float(totals[c]))
    ws.freeze_panes = ws.cell(row=first, column=3)
    wb.save(path)


def write_imunisasi(
    path: Path,
    pkm: dict[str, str],
    desa: list[dict[str, Any]],
    year: int,
    month: int,
    count: Lookup,
    cum: Lookup,
    sasaran: Callable[[int, str, str], int],
    style: Style,
    rng: np.random.Generator,
    lineage: Lineage,
    wrong_jml: tuple[str, str, int] | None = None,
) -> None:
    """Layout I: SASARAN BAYI and SURVIVING INFANT (L/P/JML), per antigen BULAN INI and KUMULATIF (L/P/JML), %."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = month_name(month, style)[:3] if style.month_in != "filename" else "Imunisasi"
    w = _Writer(ws, style, rng)
    w.text(1, 1, "LAPORAN HASIL IMUNISASI RUTIN BAYI (PWS IMUNISASI)", bold=True)
    w.text(2, 1, f"PUSKESMAS : {pkm['nama'].upper()}      KECAMATAN : {pkm['kecamatan'].upper()}")
    if style.month_in == "filename":
        w.text(3, 1, f"TAHUN : {year}")
    else:
        w.text(3, 1, f"BULAN : {month_name(month, style)}      TAHUN : {year}")
    top = 5
    w.merge(top, 1, top + 2, 1, "NO")
    w.merge(top, 2, top + 2, 2, "DESA")
    w.merge(top, 3, top + 1, 5, "SASARAN BAYI")
    w.merge(top, 6, top + 1, 8, "SASARAN SURVIVING INFANT")
    for j, lab in enumerate(["L", "P", "JML", "L", "P", "JML"]):
        w.text(top + 2, 3 + j, lab, bold=True)
    col = 9
    ant_cols: dict[str, int] = {}
    for ind in IMUNISASI_ANTIGENS:
        labels = LABELS[ind]
        ant_cols[ind] = col
        w.merge(top, col, top, col + 6, labels[style.labels % len(labels)])
        w.merge(top + 1, col, top + 1, col + 2, "BULAN INI")
        w.merge(top + 1, col + 3, top + 1, col + 5, "KUMULATIF")
        w.merge(top + 1, col + 6, top + 2, col + 6, "%")
        for j, lab in enumerate(["L", "P", "JML", "L", "P", "JML"]):
            w.text(top + 2, col + j, lab, bold=True)
        col += 7
    last_col = col - 1
    for c in range(1, last_col + 1):
        w.text(top + 3, c, str(c))
    first = top + 4
    r = first
    totals = np.zeros(last_col + 1)
    for i, d in enumerate(desa):
        kode = d["kode"]
        w.num(r, 1, i + 1, exact=True)
        w.text(r, 2, reported_name(kode, d["nama"], d["jenis"], style))
        for base, jenis in ((3, "BAYI"), (6, "BAYI_SI")):
            total = sasaran(year, kode, jenis)
            boys = round(total * 0.51)
            for j, v in enumerate((boys, total - boys, total)):
                w.num(r, base + j, v, exact=True)
                totals[base + j] += v
        si = sasaran(year, kode, "BAYI_SI")
        for ind in IMUNISASI_ANTIGENS:
            c = ant_cols[ind]
            this = {jk: count(year, month, kode, ind, jk) for jk in ("L", "P", "T")}
            kum = {jk: cum(year, month, kode, ind, jk) for jk in ("L", "P", "T")}
            jml = this["T"]
            if wrong_jml is not None and wrong_jml[:2] == (ind, kode):
                jml += wrong_jml[2]
                lineage.mess.append(
                    {"jenis": "l_p_tidak_sama_jml", "file": path.name, "sheet": ws.title,
                     "cell": f"{get_column_letter(c + 2)}{r}", "selisih": wrong_jml[2]}
                )  # fmt: skip
            cells = [w.num(r, c, this["L"]), w.num(r, c + 1, this["P"]), w.num(r, c + 2, jml)]
            w.num(r, c + 3, kum["L"])
            w.num(r, c + 4, kum["P"])
            w.num(r, c + 5, kum["T"] - this["T"] + jml)
            w.num(r, c + 6, _pct(kum["T"], si), exact=True)
            for jk, cell, v in zip(("L", "P", "T"), cells, (this["L"], this["P"], jml), strict=True):
                lineage.add(year, month, kode, ind, jk, v, path.name, ws.title, cell)
            for j, v in enumerate((this["L"], this["P"], jml, kum["L"], kum["P"], kum["T"] - this["T"] + jml)):
                totals[c + j] += v
        r += 1
    last = r - 1
    w.text(r, 2, "JUMLAH", bold=True)
    for c in range(3, last_col + 1):
        if c >= 9 and (c - 9) % 7 == 6:
            ws.cell(row=r, column=c, value=_pct(totals[c - 1], totals[8]))
        else:
            w.total(r, c, first, last, float(totals[c]))
    ws.freeze_panes = ws.cell(row=first, column=3)
    wb.save(path)


def write_rekap_tahunan(
    path: Path,
    pkm: dict[str, str],
    desa: list[dict[str, Any]],
    year: int,
    last_month: int,
    count: Lookup,
    sasaran: Callable[[int, str, str], int],
    denominators: dict[str, str],
    style: Style,
    rng: np.random.Generator,
    lineage: Lineage,
) -> None:
    """Desa x month grid, one sheet per indicator (sheet named after it), months not yet reported left blank."""
    wb = Workbook()
    first_sheet = True
    for ind in REKAP_INDICATORS:
        label = LABELS[ind][style.labels % len(LABELS[ind])]
        if first_sheet:
            ws = wb.active
            assert ws is not None
            ws.title = label[:31]
            first_sheet = False
        else:
            ws = wb.create_sheet(label[:31])
        w = _Writer(ws, style, rng)
        w.text(1, 1, f"REKAPITULASI {label} PER DESA", bold=True)
        w.text(2, 1, f"PUSKESMAS {pkm['nama'].upper()} TAHUN {year}")
        w.text(4, 1, "NO", bold=True)
        w.text(4, 2, "NAMA DESA", bold=True)
        w.text(4, 3, "SASARAN", bold=True)
        for m in range(12):
            w.text(4, 4 + m, MONTHS_SHORT[m].upper(), bold=True)
        w.text(4, 16, "JUMLAH", bold=True)
        r = 5
        for i, d in enumerate(desa):
            kode = d["kode"]
            w.num(r, 1, i + 1, exact=True)
            w.text(r, 2, reported_name(kode, d["nama"], d["jenis"], style))
            w.num(r, 3, sasaran(year, kode, denominators[ind]), exact=True)
            total = 0
            for m in range(1, last_month + 1):
                v = count(year, m, kode, ind, "T")
                cell = w.num(r, 3 + m, v)
                lineage.add(year, m, kode, ind, "T", v, path.name, ws.title, cell)
                total += v
            ws.cell(row=r, column=16, value=f"=SUM(D{r}:O{r})" if style.total_formula else total)
            r += 1
        w.text(r, 2, "JUMLAH", bold=True)
        for m in range(1, last_month + 1):
            col = 3 + m
            if style.total_formula:
                ws.cell(row=r, column=col, value=f"=SUM({get_column_letter(col)}5:{get_column_letter(col)}{r - 1})")
            else:
                ws.cell(row=r, column=col, value=sum(count(year, m, d["kode"], ind, "T") for d in desa))
    wb.save(path)


def write_spm(
    path: Path,
    pkm: dict[str, str],
    desa: list[dict[str, Any]],
    year: int,
    last_month: int,
    count: Lookup,
    style: Style,
    rng: np.random.Generator,
    lineage: Lineage,
) -> None:
    """Layout F raw entry: one row per month, one column per desa plus PKM INDUK, LUAR WILAYAH and JUMLAH."""
    wb = Workbook()
    first_sheet = True
    for ind in SPM_INDICATORS:
        label = LABELS[ind][2]
        if first_sheet:
            ws = wb.active
            assert ws is not None
            ws.title = label[:31]
            first_sheet = False
        else:
            ws = wb.create_sheet(label[:31])
        w = _Writer(ws, style, rng)
        w.text(1, 1, f"REKAP PELAYANAN {LABELS[ind][0]}", bold=True)
        w.text(2, 1, f"PUSKESMAS : {pkm['nama'].upper()}")
        w.text(3, 1, f"TAHUN : {year}")
        w.text(5, 1, "BULAN", bold=True)
        names = [reported_name(d["kode"], d["nama"], d["jenis"], Style(name_case="lower")) for d in desa]
        for j, n in enumerate([*names, "pkm_induk", "luar_wilayah", "JUMLAH"]):
            w.text(5, 2 + j, n, bold=True)
        for m in range(1, 13):
            r = 5 + m
            w.text(r, 1, MONTHS[m - 1])
            if m > last_month:
                continue
            total = 0
            for j, d in enumerate(desa):
                v = count(year, m, d["kode"], ind, "T")
                cell = w.num(r, 2 + j, v)
                lineage.add(year, m, d["kode"], ind, "T", v, path.name, ws.title, cell)
                total += v
            for j in (len(desa), len(desa) + 1):
                extra = int(rng.poisson(1.0))
                w.num(r, 2 + j, extra)
                total += extra
            ws.cell(row=r, column=2 + len(desa) + 2, value=total)
    helper = wb.create_sheet("daftar_desa")
    for j, d in enumerate(desa):
        helper.cell(row=j + 1, column=1, value=d["kode"])
        helper.cell(row=j + 1, column=2, value=d["nama"])
    helper.sheet_state = "hidden"
    wb.save(path)


def write_sigizi(
    path: Path,
    year: int,
    last_month: int,
    desa: pd.DataFrame,
    count: Lookup,
    cum: Lookup,
    with_year: bool,
    sep: str,
    names: dict[str, str],
    rng: np.random.Generator,
    lineage: Lineage,
    decrease: tuple[str, str, int] | None = None,
) -> None:
    """Layout C: one row per desa and month, identity columns then measures; some are cumulative snapshots.

    ``decrease`` = (kode_desa, indicator, month): that snapshot is written 2 lower than the month before (a
    real-world entry error the ETL must report). A duplicate row with an older input time is added once.
    """
    header = ["Tahun"] if with_year else []
    header += ["Kab/Kota", "Kecamatan", "Puskesmas", "Kelurahan/Desa", "Bulan", "Waktu Input"]
    header += ["Jumlah Sasaran Ibu Hamil", "Jumlah sasaran balita", *SIGIZI_COLUMNS]
    first_measure = len(header) - len(SIGIZI_COLUMNS)
    rows: list[list[Any]] = []
    snapshots: dict[tuple[str, str], int] = {}
    for m in range(1, last_month + 1):
        for rec in desa.itertuples():
            kode = rec.kode_desa
            row: list[Any] = [year] if with_year else []
            row += [
                "KAB. SUKAMAKMUR",
                rec.nama_kecamatan.upper(),
                rec.nama_puskesmas.upper(),
                names.get(kode, rec.nama_desa).upper(),
                MONTHS[m - 1].capitalize(),
                f"{year}-{m + 1 if m < 12 else 12:02d}-0{1 + int(rng.integers(8))} 0{int(rng.integers(10))}:15:00",
                rec.bumil,
                rec.balita,
            ]
            excel_row = len(rows) + 2
            for j, (ind, is_cum) in enumerate(SIGIZI_COLUMNS.values()):
                if is_cum:
                    value = cum(year, m, kode, ind, "T")
                    if decrease is not None and decrease == (kode, ind, m):
                        value = snapshots[(kode, ind)] - 2
                        lineage.mess.append(
                            {"jenis": "kumulatif_turun", "file": path.name, "sheet": "",
                             "cell": f"{get_column_letter(first_measure + j + 1)}{excel_row}"}
                        )  # fmt: skip
                    reported = value - snapshots.get((kode, ind), 0) if m > 1 else value
                    snapshots[(kode, ind)] = value
                else:
                    value = count(year, m, kode, ind, "T")
                    reported = value
                row.append(value)
                cell = f"{get_column_letter(first_measure + j + 1)}{excel_row}"
                lineage.add(year, m, kode, ind, "T", reported, path.name, "", cell)
            rows.append(row)
    # one desa-month entered twice; the first entry (older input time) is superseded by the second
    dup = list(rows[len(desa) + 3])
    dup[header.index("Waktu Input")] = f"{year}-01-01 00:00:00"
    dup[first_measure] = int(dup[first_measure]) + 5
    rows.insert(len(desa) + 3, dup)
    desa_letter = get_column_letter(header.index("Kelurahan/Desa") + 1)
    lineage.mess.append(
        {"jenis": "baris_ganda", "file": path.name, "sheet": "", "cell": f"{desa_letter}{len(desa) + 5}"}
    )
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=sep)
        writer.writerow(header)
        writer.writerows(rows)
    # the duplicate shifted every later row down by one: fix the lineage cells of this file
    fixed = []
    for rec_ in lineage.records:
        if rec_[6] == path.name:
            letters = "".join(ch for ch in rec_[8] if ch.isalpha())
            row_no = int("".join(ch for ch in rec_[8] if ch.isdigit()))
            if row_no >= len(desa) + 5:
                rec_ = (*rec_[:8], f"{letters}{row_no + 1}")
        fixed.append(rec_)
    lineage.records[:] = fixed
    for item in lineage.mess:
        if item.get("file") == path.name and item["jenis"] == "kumulatif_turun":
            letters = "".join(ch for ch in item["cell"] if ch.isalpha())
            row_no = int("".join(ch for ch in item["cell"] if ch.isdigit()))
            if row_no >= len(desa) + 5:
                item["cell"] = f"{letters}{row_no + 1}"
