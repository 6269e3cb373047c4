"""Loaders for the user's own workspace files: ``wilayah``, ``sasaran`` (long or wide) and ``target``.

Every loader returns ``(frame, issues)``: rows with problems are reported as Issue records naming the file
and spreadsheet row (header = row 1) and are left out of the frame; nothing is raised for bad data.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
from python_calamine import CalamineError

from pws.catalogue import Catalogue, load_catalogue
from pws.codes import jenis_of, kode_kabupaten_of, normalize_kode_desa, normalize_kode_wilayah
from pws.config import Workspace
from pws.issues import Issue, issue
from pws.numbers import NotANumberError, parse_number

WILAYAH_COLUMNS = (
    "kode_desa",
    "nama_desa",
    "kode_kecamatan",
    "nama_kecamatan",
    "kode_puskesmas",
    "nama_puskesmas",
)
SASARAN_LONG_COLUMNS = ("tahun", "kode_desa", "jenis_sasaran", "jumlah")
TARGET_COLUMNS = ("tahun", "indikator", "target")


def detect_delimiter(text: str) -> str:
    """``;``, tab or ``,``: whichever the header line uses most (Excel in Indonesian locale writes ``;``)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: header.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_user_table(path: Path) -> pd.DataFrame:
    """A CSV (``,`` or ``;``, UTF-8 or Windows-1252) or the first sheet of an .xlsx, all cells as text.

    Column names are lower-cased and stripped. Raises OSError/ValueError when the file cannot be read.
    """
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        frame = pd.read_excel(path, dtype=str, engine="calamine")
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        sep = detect_delimiter(text)
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame.fillna("").map(lambda v: str(v).strip())


def _read(path: Path, required: Iterable[str], issues: list[Issue]) -> pd.DataFrame | None:
    if not path.exists():
        issues.append(issue("berkas_tidak_ada", file=path.name))
        return None
    try:
        frame = read_user_table(path)
    except (OSError, ValueError, UnicodeError, CalamineError) as exc:
        issues.append(issue("berkas_tidak_terbaca", file=path.name, detail=str(exc)))
        return None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        issues.append(
            issue(
                "kolom_wajib_hilang",
                file=path.name,
                columns=", ".join(missing),
                found=", ".join(frame.columns),
            )
        )
        return None
    return frame


def load_wilayah(path: Path) -> tuple[pd.DataFrame, list[Issue]]:
    """The master list of desa: one row per valid desa with canonical codes.

    Columns: kode_desa, nama_desa, kode_kecamatan, nama_kecamatan, kode_puskesmas, nama_puskesmas, jenis,
    alias (``;``-separated, may be empty), kode_kabupaten, nama_kabupaten (optional in the file: when absent the
    code comes from the ``PP.KK`` prefix of ``kode_desa`` and the name is empty).
    """
    issues: list[Issue] = []
    frame = _read(path, WILAYAH_COLUMNS, issues)
    out_cols = [*WILAYAH_COLUMNS, "jenis", "alias", "kode_kabupaten", "nama_kabupaten"]
    if frame is None:
        return pd.DataFrame(columns=out_cols), issues
    fname = path.name
    rows: list[dict[str, str]] = []
    first_row: dict[str, int] = {}
    puskesmas_of: dict[str, str] = {}
    for i, rec in enumerate(frame.to_dict("records")):
        row = i + 2
        raw_code = rec["kode_desa"]
        if raw_code == "":
            issues.append(issue("kode_desa_kosong", file=fname, row=row))
            continue
        kode = normalize_kode_desa(raw_code)
        if kode is None:
            issues.append(issue("kode_desa_tidak_valid", file=fname, row=row, value=raw_code))
            continue
        nama = rec["nama_desa"]
        if nama == "":
            issues.append(issue("nama_desa_kosong", file=fname, row=row, kode=kode))
            continue
        pkm = rec["kode_puskesmas"]
        if pkm == "":
            issues.append(issue("puskesmas_kosong", file=fname, row=row, kode=kode, nama=nama))
            continue
        if kode in first_row:
            if puskesmas_of[kode] != pkm:
                issues.append(
                    issue(
                        "desa_dua_puskesmas",
                        file=fname,
                        row=row,
                        kode=kode,
                        nama=nama,
                        puskesmas=f"{puskesmas_of[kode]}, {pkm}",
                    )
                )
            else:
                issues.append(issue("kode_desa_ganda", file=fname, row=row, kode=kode, first_row=first_row[kode]))
            continue
        kec = normalize_kode_wilayah(rec["kode_kecamatan"]) or kode[:8]
        if not kode.startswith(kec):
            issues.append(issue("kode_desa_beda_kecamatan", file=fname, row=row, kode=kode, kode_kecamatan=kec))
        jenis = rec.get("jenis", "").lower() or jenis_of(kode)
        if jenis in ("desa", "kelurahan") and jenis != jenis_of(kode) and jenis_of(kode) != "desa_adat":
            issues.append(issue("jenis_desa_tidak_cocok", file=fname, row=row, kode=kode, jenis=jenis))
        first_row[kode] = row
        puskesmas_of[kode] = pkm
        rows.append(
            {
                "kode_desa": kode,
                "nama_desa": nama,
                "kode_kecamatan": kec,
                "nama_kecamatan": rec["nama_kecamatan"],
                "kode_puskesmas": pkm,
                "nama_puskesmas": rec["nama_puskesmas"],
                "jenis": jenis,
                "alias": rec.get("alias", ""),
                "kode_kabupaten": _kode_kabupaten(rec.get("kode_kabupaten", ""), kode),
                "nama_kabupaten": rec.get("nama_kabupaten", ""),
            }
        )
    result = pd.DataFrame(rows, columns=out_cols)
    issues.extend(_twin_names(result, fname))
    return result, issues


def _kode_kabupaten(raw: str, kode_desa: str) -> str:
    """``PP.KK`` as given (dotted or 4 digits), else the prefix of the desa code."""
    text = raw.strip()
    if re.fullmatch(r"\d{2}\.\d{2}", text):
        return text
    if re.fullmatch(r"\d{4}", text):
        return f"{text[:2]}.{text[2:]}"
    return kode_kabupaten_of(kode_desa)


def _twin_names(wilayah: pd.DataFrame, fname: str) -> list[Issue]:
    """Several desa with the same name in one kecamatan: reports cannot tell them apart by name."""
    out: list[Issue] = []
    key = wilayah["nama_desa"].str.upper().str.strip()
    for (kec, _), group in wilayah.groupby([wilayah["kode_kecamatan"], key]):
        if len(group) > 1:
            out.append(
                issue(
                    "nama_desa_kembar",
                    file=fname,
                    nama=group["nama_desa"].iloc[0],
                    kecamatan=f"{group['nama_kecamatan'].iloc[0]} ({kec})",
                    kodes=", ".join(group["kode_desa"]),
                )
            )
    return out


def _year(raw: str) -> int | None:
    try:
        value = parse_number(raw)
    except NotANumberError:
        return None
    if value is None or not value.is_integer() or not 1990 <= value <= 2100:
        return None
    return int(value)


def load_sasaran(path: Path, wilayah: pd.DataFrame, known_types: Iterable[str]) -> tuple[pd.DataFrame, list[Issue]]:
    """Annual target populations, long form: tahun, kode_desa, jenis_sasaran, jumlah, metode.

    Accepts the long form (``tahun, kode_desa, jenis_sasaran, jumlah``) and the wide form (``tahun,
    kode_desa`` plus one column per sasaran type). ``metode`` is ``berkas`` for values read here.
    """
    issues: list[Issue] = []
    out_cols = ["tahun", "kode_desa", "jenis_sasaran", "jumlah", "metode"]
    known = list(known_types)
    frame = _read(path, ("tahun", "kode_desa"), issues)
    if frame is None:
        return pd.DataFrame(columns=out_cols), issues
    fname = path.name
    if "jenis_sasaran" in frame.columns and "jumlah" in frame.columns:
        cells = [
            (i + 2, rec["tahun"], rec["kode_desa"], rec["jenis_sasaran"].upper(), rec["jumlah"])
            for i, rec in enumerate(frame.to_dict("records"))
        ]
    else:
        type_cols = [c for c in frame.columns if c not in ("tahun", "kode_desa", "nama_desa")]
        for col in type_cols:
            if col.upper() not in known:
                issues.append(
                    issue("sasaran_jenis_tidak_dikenal", file=fname, row=1, jenis=col, known=", ".join(known))
                )
        type_cols = [c for c in type_cols if c.upper() in known]
        cells = [
            (i + 2, rec["tahun"], rec["kode_desa"], col.upper(), rec[col])
            for i, rec in enumerate(frame.to_dict("records"))
            for col in type_cols
        ]
    master = set(wilayah["kode_desa"])
    values: dict[tuple[int, str, str], float] = {}
    bad_rows: set[int] = set()
    for row, raw_year, raw_code, jenis, raw_value in cells:
        kode = normalize_kode_desa(raw_code)
        if kode is None:
            if row not in bad_rows:
                code = "kode_desa_kosong" if raw_code == "" else "kode_desa_tidak_valid"
                issues.append(issue(code, file=fname, row=row, value=raw_code))
                bad_rows.add(row)
            continue
        if kode not in master:
            if row not in bad_rows:
                issues.append(issue("sasaran_desa_tidak_dikenal", file=fname, row=row, kode=kode))
                bad_rows.add(row)
            continue
        year = _year(raw_year)
        if year is None:
            if row not in bad_rows:
                issues.append(issue("tahun_tidak_valid", file=fname, row=row, value=raw_year))
                bad_rows.add(row)
            continue
        if jenis not in known:
            issues.append(
                issue("sasaran_jenis_tidak_dikenal", file=fname, row=row, jenis=jenis, known=", ".join(known))
            )
            continue
        try:
            value = parse_number(raw_value)
        except NotANumberError:
            issues.append(issue("angka_tidak_valid", file=fname, row=row, kolom=jenis, value=raw_value))
            continue
        if value is None:
            issues.append(issue("angka_kosong", file=fname, row=row, kolom=jenis, kode=kode))
            continue
        if value < 0:
            issues.append(issue("angka_negatif", file=fname, row=row, kolom=jenis, value=raw_value))
            continue
        key = (year, kode, jenis)
        if key in values:
            issues.append(issue("sasaran_ganda", file=fname, row=row, jenis=jenis, tahun=year, kode=kode))
        values[key] = value
    result = pd.DataFrame(
        [(y, k, j, v, "berkas") for (y, k, j), v in values.items()],
        columns=out_cols,
    )
    issues.extend(_desa_without_sasaran(result, wilayah, fname))
    return result, issues


def _desa_without_sasaran(sasaran: pd.DataFrame, wilayah: pd.DataFrame, fname: str) -> list[Issue]:
    """For each year and sasaran type present in the file, the desa of the master list that lack it."""
    out: list[Issue] = []
    have = set(zip(sasaran["tahun"], sasaran["kode_desa"], sasaran["jenis_sasaran"], strict=True))
    names = dict(zip(wilayah["kode_desa"], wilayah["nama_desa"], strict=True))
    for year, jenis in sorted(set(zip(sasaran["tahun"], sasaran["jenis_sasaran"], strict=True))):
        for kode in wilayah["kode_desa"]:
            if (year, kode, jenis) not in have:
                out.append(
                    issue("desa_tanpa_sasaran", file=fname, kode=kode, nama=names[kode], jenis=jenis, tahun=year)
                )
    return out


def load_target(path: Path, catalogue: Catalogue, wilayah: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    """Annual % targets overriding the catalogue defaults: tahun, indikator, target, kode_puskesmas, kode_desa.

    An empty ``kode_puskesmas`` and ``kode_desa`` means the target holds for the whole kabupaten.
    """
    issues: list[Issue] = []
    out_cols = ["tahun", "indikator", "target", "kode_puskesmas", "kode_desa"]
    frame = _read(path, TARGET_COLUMNS, issues)
    if frame is None:
        return pd.DataFrame(columns=out_cols), issues
    fname = path.name
    puskesmas = set(wilayah["kode_puskesmas"])
    desa = set(wilayah["kode_desa"])
    rows = []
    for i, rec in enumerate(frame.to_dict("records")):
        row = i + 2
        year = _year(rec["tahun"])
        if year is None:
            issues.append(issue("tahun_tidak_valid", file=fname, row=row, value=rec["tahun"]))
            continue
        code = rec["indikator"].upper()
        if code not in catalogue.indicators:
            issues.append(issue("target_indikator_tidak_dikenal", file=fname, row=row, indikator=code))
            continue
        try:
            value = parse_number(rec["target"])
        except NotANumberError:
            issues.append(issue("angka_tidak_valid", file=fname, row=row, kolom="target", value=rec["target"]))
            continue
        if value is None:
            issues.append(issue("angka_kosong", file=fname, row=row, kolom="target", kode=code))
            continue
        if value < 0:
            issues.append(issue("angka_negatif", file=fname, row=row, kolom="target", value=rec["target"]))
            continue
        if value > 100:
            issues.append(issue("target_di_luar_rentang", file=fname, row=row, indikator=code, value=value))
        pkm = rec.get("kode_puskesmas", "")
        if pkm and pkm not in puskesmas:
            issues.append(issue("target_wilayah_tidak_dikenal", file=fname, row=row, kolom="kode_puskesmas", value=pkm))
            continue
        raw_desa = rec.get("kode_desa", "")
        kode_desa = normalize_kode_desa(raw_desa) if raw_desa else ""
        if raw_desa and kode_desa not in desa:
            issues.append(issue("target_wilayah_tidak_dikenal", file=fname, row=row, kolom="kode_desa", value=raw_desa))
            continue
        rows.append((year, code, value, pkm, kode_desa or ""))
    return pd.DataFrame(rows, columns=out_cols), issues


@dataclass
class WorkspaceData:
    """Everything a workspace's own files say, with every problem found while reading them."""

    workspace: Workspace
    catalogue: Catalogue
    wilayah: pd.DataFrame
    sasaran: pd.DataFrame
    target: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    boundaries: gpd.GeoDataFrame | None = None


def load_workspace(workspace: Workspace, with_boundaries: bool = False) -> WorkspaceData:
    """Load catalogue, wilayah, sasaran and target (and the boundaries when asked)."""
    catalogue, issues = load_catalogue(workspace.root)
    wilayah_path = workspace.wilayah_path
    if wilayah_path is None:
        issues.append(issue("berkas_tidak_ada", file=str(workspace.root / "wilayah.csv")))
        wilayah = pd.DataFrame(columns=[*WILAYAH_COLUMNS, "jenis", "alias", "kode_kabupaten", "nama_kabupaten"])
    else:
        wilayah, found = load_wilayah(wilayah_path)
        issues += found
    sasaran = pd.DataFrame(columns=["tahun", "kode_desa", "jenis_sasaran", "jumlah", "metode"])
    if workspace.sasaran_path is not None:
        sasaran, found = load_sasaran(workspace.sasaran_path, wilayah, catalogue.sasaran_types)
        issues += found
    target = pd.DataFrame(columns=["tahun", "indikator", "target", "kode_puskesmas", "kode_desa"])
    if workspace.target_path is not None:
        target, found = load_target(workspace.target_path, catalogue, wilayah)
        issues += found
    data = WorkspaceData(workspace, catalogue, wilayah, sasaran, target, issues)
    if with_boundaries and workspace.batas_path is not None:
        from pws.geo import load_boundaries

        data.boundaries, found = load_boundaries(workspace.batas_path, wilayah=wilayah)
        data.issues += found
    return data
