"""The indicator catalogue: what each indicator code means, its denominator, target and status rule.

The catalogue is *data*, shipped as CSV files in ``pws/reference/`` (read through ``importlib.resources``
so an installed package finds them):

* ``indicators.csv`` — one row per indicator (``kode, nama_id, nama_en, tahap, klaster, pembilang, sasaran,
  target, arah, jenis, aturan_status``);
* ``sasaran_types.csv`` — the denominators and their estimation formula ``jumlah = faktor × jumlah(dasar)``,
  a chain that always ends at ``PENDUDUK``;
* ``tahap.csv`` — the life stages in life-cycle order;
* ``aliases.csv`` — the header labels real puskesmas reports use for each indicator (``indikator, label``).

A workspace may extend it with ``indikator.csv`` (new indicators, or overrides of shipped ones by ``kode``;
an empty cell in an override keeps the shipped value) and ``alias_indikator.csv`` (more labels). Problems in
these files come back as :class:`~pws.issues.Issue` records with the file and the spreadsheet row; the faulty
rows are left out and everything else is used.

Header labels are compared after :func:`normalize_label`, so ``K-4``, ``K 4`` and ``Kunjungan K4`` only need
to be listed once in each spelling family.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pws.config import Workspace
from pws.i18n import current_lang
from pws.issues import Issue, has_errors, issue

INDICATOR_COLUMNS = (
    "kode",
    "nama_id",
    "nama_en",
    "tahap",
    "klaster",
    "pembilang",
    "sasaran",
    "target",
    "arah",
    "jenis",
    "aturan_status",
)
SASARAN_COLUMNS = ("kode", "nama_id", "nama_en", "dasar", "faktor", "keterangan")
TAHAP_COLUMNS = ("kode", "nama_id", "nama_en", "urutan")
ALIAS_COLUMNS = ("indikator", "label")

#: ILP clusters: K1 manajemen, K2 ibu & anak, K3 dewasa & lansia, K4 penyakit menular, LK lintas klaster.
KLASTER = ("K1", "K2", "K3", "K4", "LK")
#: naik = higher is better, turun = lower is better.
ARAH = ("naik", "turun")
#: kumulatif = summed over the calendar year; prevalensi = point value, never summed; kampanye = campaign.
JENIS = ("kumulatif", "prevalensi", "kampanye")
#: pws4 = classic Baik/Kurang/Cukup/Jelek; target3 = target met / not met / no data.
ATURAN_STATUS = ("pws4", "target3")

#: The base of every sasaran chain.
BASE_SASARAN = "PENDUDUK"

_SHIPPED_DIR = "reference"
_INDICATORS_FILE = "indicators.csv"
_SASARAN_FILE = "sasaran_types.csv"
_TAHAP_FILE = "tahap.csv"
_ALIASES_FILE = "aliases.csv"


# ----------------------------------------------------------------------------------------------------
# records


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalogue (one row of ``indicators.csv``)."""

    kode: str
    nama_id: str
    nama_en: str
    tahap: str
    klaster: str
    pembilang: str
    sasaran: str
    target: float
    arah: str
    jenis: str
    aturan_status: str

    @property
    def higher_is_better(self) -> bool:
        return self.arah == "naik"

    def name(self, lang: str | None = None) -> str:
        """The name in ``lang`` (default: the current language, see :func:`pws.i18n.current_lang`)."""
        return self.nama_en if (lang or current_lang()) == "en" else self.nama_id


@dataclass(frozen=True)
class SasaranType:
    """A denominator type: ``jumlah = faktor × jumlah(dasar)``; ``dasar`` is None only for ``PENDUDUK``."""

    kode: str
    nama_id: str
    nama_en: str
    dasar: str | None
    faktor: float
    keterangan: str

    def name(self, lang: str | None = None) -> str:
        return self.nama_en if (lang or current_lang()) == "en" else self.nama_id


@dataclass(frozen=True)
class Catalogue:
    indicators: dict[str, Indicator]
    sasaran_types: dict[str, SasaranType]
    tahap: list[tuple[str, str, str]]
    aliases: dict[str, str]

    def indicator_for_label(self, label: object) -> str | None:
        """The indicator code a report header label stands for, or None when the label is unknown."""
        key = normalize_label(label)
        return self.aliases.get(key) if key else None

    def by_tahap(self, tahap: str) -> list[Indicator]:
        """The indicators of one life stage, in catalogue order."""
        return [ind for ind in self.indicators.values() if ind.tahap == tahap]

    def estimate_sasaran(self, kode: str, penduduk: float, faktor_override: Mapping[str, float] | None = None) -> float:
        """Estimated size of sasaran ``kode`` for a population of ``penduduk``.

        Multiplies the ``faktor`` of every type along the ``dasar`` chain down to ``PENDUDUK``;
        ``faktor_override`` replaces the factor of a type, e.g. ``{"BAYI": 0.0201}`` for a local CBR of 20.1‰.
        Unknown types raise KeyError (a programming error: the codes come from this catalogue).
        """
        overrides = {k.strip().upper(): float(v) for k, v in (faktor_override or {}).items()}
        value = float(penduduk)
        seen: set[str] = set()
        current: str | None = kode.strip().upper()
        while current is not None:
            if current in seen:  # cannot happen for a validated catalogue
                raise ValueError(f"sasaran chain of {kode!r} loops at {current!r}")
            seen.add(current)
            stype = self.sasaran_types[current]
            value *= overrides.get(current, stype.faktor)
            current = stype.dasar
        return value

    def sasaran_chain(self, kode: str) -> list[SasaranType]:
        """The types from ``kode`` down to ``PENDUDUK`` (to show users how an estimate was made)."""
        chain: list[SasaranType] = []
        current: str | None = kode.strip().upper()
        while current is not None and len(chain) <= len(self.sasaran_types):
            stype = self.sasaran_types[current]
            chain.append(stype)
            current = stype.dasar
        return chain


# ----------------------------------------------------------------------------------------------------
# label normalisation

# Separators ignored when comparing labels: whitespace, - / _ . , : ; ( ) [ ] and the Unicode dashes/minus.
_SEPARATORS = re.compile(r"[\s\-/_.,:;()\[\]\u2010-\u2015\u2212]+")
_MAX_PASSES = 8


def _normalize_pass(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).upper()
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # zero-width spaces, BOMs, ...
    return _SEPARATORS.sub("", text).strip("%")


def normalize_label(label: object) -> str:
    """The comparison key of a report header label.

    Rules, applied until nothing changes (so the function is idempotent):

    1. Unicode NFKC (full-width letters, non-breaking spaces, ligatures) and upper case;
    2. invisible format characters (zero-width space, BOM) are dropped;
    3. all whitespace and the separators ``- / _ . , : ; ( ) [ ]`` (and Unicode dashes) are removed — so
       ``K-4``, ``K 4`` and ``K4`` are equal, as are ``DPT-HB-HIB 1``, ``DPT/HB/Hib1`` and ``DPTHBHIB1``, and
       ``K1 (akses)`` equals ``K1 AKSES``;
    4. ``%`` at either end is dropped (``Cakupan K4 (%)`` equals ``Cakupan K4``).

    Word spacing therefore never matters; letters, digits and other symbols (``<``, ``≥``) do.
    ``None`` and NaN give ``""``.
    """
    if label is None or (isinstance(label, float) and label != label):
        return ""
    return _normalize_text(str(label))


@functools.lru_cache(maxsize=1 << 16)
def _normalize_text(text: str) -> str:
    """normalize_label on text, cached: report headers repeat the same few hundred labels in every file."""
    for _ in range(_MAX_PASSES):
        new = _normalize_pass(text)
        if new == text:
            break
        text = new
    return text


# ----------------------------------------------------------------------------------------------------
# reading CSV text


@dataclass(frozen=True)
class _Table:
    file: str
    columns: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row number, column -> stripped text)


def _to_float(text: str) -> float | None:
    """A decimal number as written in these files: ``95``, ``95.5``, ``95,5``, ``95%``, ``0.0165``; else None.

    Thousands separators are not accepted (targets are at most 100, factors are small fractions), so
    ``0.256`` is read as a fraction, not as 256.
    """
    text = text.strip().replace(" ", "").removesuffix("%")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # CSV saved by Excel on Windows


def _parse_csv(text: str, file: str, required: tuple[str, ...]) -> tuple[_Table | None, list[Issue]]:
    """Rows of a CSV text with a header; ``;`` is accepted as the delimiter (Excel with Indonesian locale)."""
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: tuple[str, ...] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for rownum, cells in enumerate(reader, start=1):
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = tuple(c.strip().lower() for c in cells)
            missing = [c for c in required if c not in header]
            if missing:
                found = ", ".join(c for c in header if c)
                return None, [issue("kolom_wajib_hilang", columns=", ".join(missing), found=found, file=file)]
            continue
        rows.append((rownum, {col: (cells[i].strip() if i < len(cells) else "") for i, col in enumerate(header)}))
    if header is None:
        return None, [issue("kolom_wajib_hilang", columns=", ".join(required), found="", file=file)]
    return _Table(file=file, columns=header, rows=rows), []


def _read_shipped(name: str, required: tuple[str, ...]) -> tuple[_Table | None, list[Issue]]:
    data = resources.files("pws").joinpath(_SHIPPED_DIR, name).read_bytes()
    return _parse_csv(_decode(data), name, required)


def _read_workspace(path: Path | None, required: tuple[str, ...]) -> tuple[_Table | None, list[Issue]]:
    if path is None:
        return None, []
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [issue("berkas_tidak_terbaca", detail=str(exc), file=path.name)]
    return _parse_csv(_decode(data), path.name, required)


# ----------------------------------------------------------------------------------------------------
# sasaran types and tahap


def _parse_sasaran_types(table: _Table) -> tuple[dict[str, SasaranType], list[Issue]]:
    """Sasaran types of a table; every chain must end at PENDUDUK without loops (bad types are dropped)."""
    issues: list[Issue] = []
    types: dict[str, SasaranType] = {}
    rows: dict[str, int] = {}

    def bad(kode: str, kolom: str, value: str, allowed: str, row: int) -> None:
        issues.append(
            issue(
                "katalog_sasaran_tidak_valid",
                kode=kode,
                kolom=kolom,
                value=value,
                allowed=allowed,
                file=table.file,
                row=row,
            )
        )

    for rownum, row in table.rows:
        kode = row.get("kode", "").upper()
        if not kode:
            bad(kode, "kode", "", "kode", rownum)
            continue
        if kode in types:
            bad(kode, "kode", kode, "kode yang belum dipakai", rownum)
            continue
        dasar = row.get("dasar", "").upper() or None
        faktor = _to_float(row.get("faktor", ""))
        if faktor is None or faktor <= 0:
            bad(kode, "faktor", row.get("faktor", ""), "> 0", rownum)
            continue
        if dasar is None and kode != BASE_SASARAN:
            bad(kode, "dasar", "", "jenis sasaran lain", rownum)
            continue
        nama_id = row.get("nama_id", "") or kode
        types[kode] = SasaranType(
            kode=kode,
            nama_id=nama_id,
            nama_en=row.get("nama_en", "") or nama_id,
            dasar=dasar,
            faktor=faktor,
            keterangan=row.get("keterangan", ""),
        )
        rows[kode] = rownum

    # keep only types whose chain reaches PENDUDUK
    def reaches_base(kode: str) -> bool:
        seen: set[str] = set()
        current: str | None = kode
        while current is not None:
            if current in seen or current not in types:
                return False
            seen.add(current)
            current = types[current].dasar
        return True

    good = {k: v for k, v in types.items() if reaches_base(k)}
    for kode in types.keys() - good.keys():
        dasar = types[kode].dasar or ""
        bad(kode, "dasar", dasar, ", ".join(sorted(good)) or BASE_SASARAN, rows[kode])
    issues.sort(key=lambda i: i.row or 0)
    return {k: v for k, v in types.items() if k in good}, issues


def _parse_tahap(table: _Table) -> tuple[list[tuple[str, str, str]], list[Issue]]:
    issues: list[Issue] = []
    entries: list[tuple[float, int, tuple[str, str, str]]] = []
    for rownum, row in table.rows:
        kode = row.get("kode", "").lower()
        urutan = _to_float(row.get("urutan", ""))
        if urutan is None:
            issues.append(
                issue(
                    "katalog_nilai_tidak_valid",
                    kode=kode,
                    kolom="urutan",
                    value=row.get("urutan", ""),
                    allowed="1, 2, 3, …",
                    file=table.file,
                    row=rownum,
                )
            )
            urutan = float("inf")
        nama_id = row.get("nama_id", "") or kode
        entries.append((urutan, rownum, (kode, nama_id, row.get("nama_en", "") or nama_id)))
    entries.sort()
    return [e[2] for e in entries], issues


# ----------------------------------------------------------------------------------------------------
# indicators


def _parse_indicator(
    row: dict[str, str],
    rownum: int,
    file: str,
    base: Indicator | None,
    tahap_codes: tuple[str, ...],
    sasaran_codes: Mapping[str, SasaranType],
) -> tuple[Indicator | None, list[Issue]]:
    """One indicator row; ``base`` (the shipped indicator of the same code) fills empty cells."""
    kode = row.get("kode", "").upper()
    issues: list[Issue] = []

    def cell(col: str) -> str:
        value = row.get(col, "")
        if value == "" and base is not None:
            return str(getattr(base, col))
        return value

    def invalid(kolom: str, value: str, allowed: str) -> None:
        issues.append(
            issue(
                "katalog_nilai_tidak_valid",
                kode=kode,
                kolom=kolom,
                value=value,
                allowed=allowed,
                file=file,
                row=rownum,
            )
        )

    def enum(col: str, allowed: tuple[str, ...], upper: bool = False) -> str:
        raw = cell(col)
        value = raw.upper() if upper else raw.lower()
        if value not in allowed:
            invalid(col, raw, ", ".join(allowed))
        return value

    nama_id = cell("nama_id")
    if not nama_id:
        invalid("nama_id", "", "teks")
    nama_en = cell("nama_en") or nama_id
    tahap = enum("tahap", tahap_codes)
    klaster = enum("klaster", KLASTER, upper=True)
    arah = enum("arah", ARAH)
    jenis = enum("jenis", JENIS)
    aturan = enum("aturan_status", ATURAN_STATUS)
    raw_target = cell("target")
    target = _to_float(raw_target)
    if target is None or not 0 <= target <= 100:
        invalid("target", raw_target, "0–100")
    if aturan == "pws4" and (arah != "naik" or jenis != "kumulatif") and not issues:
        # the four-category PWS rule only makes sense for cumulative higher-is-better coverage (domain §1.4)
        invalid("aturan_status", aturan, "target3")
    sasaran = cell("sasaran").upper()
    if sasaran not in sasaran_codes:
        issues.append(issue("katalog_sasaran_tidak_dikenal", kode=kode, sasaran=sasaran, file=file, row=rownum))
    if issues or target is None:
        return None, issues
    return (
        Indicator(
            kode=kode,
            nama_id=nama_id,
            nama_en=nama_en,
            tahap=tahap,
            klaster=klaster,
            pembilang=cell("pembilang"),
            sasaran=sasaran,
            target=target,
            arah=arah,
            jenis=jenis,
            aturan_status=aturan,
        ),
        [],
    )


def _merge_indicators(
    table: _Table,
    into: dict[str, Indicator],
    tahap_codes: tuple[str, ...],
    sasaran_types: Mapping[str, SasaranType],
    added_rows: dict[str, tuple[str, int]],
) -> list[Issue]:
    """Add (or, for codes already in ``into``, override) the indicators of ``table``."""
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    for rownum, row in table.rows:
        kode = row.get("kode", "").upper()
        if not kode:
            issues.append(
                issue(
                    "katalog_nilai_tidak_valid",
                    kode="",
                    kolom="kode",
                    value="",
                    allowed="kode",
                    file=table.file,
                    row=rownum,
                )
            )
            continue
        if kode in seen:
            issues.append(issue("katalog_kode_ganda", kode=kode, first_row=seen[kode], file=table.file, row=rownum))
            continue
        seen[kode] = rownum
        indicator, problems = _parse_indicator(row, rownum, table.file, into.get(kode), tahap_codes, sasaran_types)
        issues.extend(problems)
        if indicator is None:
            continue
        if kode not in into:
            added_rows[kode] = (table.file, rownum)
        into[kode] = indicator
    return issues


# ----------------------------------------------------------------------------------------------------
# aliases


class _AliasMap:
    def __init__(self, indicators: Mapping[str, Indicator]) -> None:
        self.indicators = indicators
        self.labels: dict[str, str] = {}

    def add(self, label: str, kode: str, file: str | None, row: int | None) -> Issue | None:
        key = normalize_label(label)
        if not key:
            return None
        if kode not in self.indicators:
            return issue("katalog_alias_indikator_tidak_dikenal", label=label, kode=kode, file=file, row=row)
        existing = self.labels.get(key)
        if existing is None:
            self.labels[key] = kode
        elif existing != kode:
            return issue("katalog_alias_ganda", label=label, kodes=f"{existing}, {kode}", file=file, row=row)
        return None

    def add_table(self, table: _Table) -> Iterator[Issue]:
        for rownum, row in table.rows:
            found = self.add(row.get("label", ""), row.get("indikator", "").upper(), table.file, rownum)
            if found is not None:
                yield found


# ----------------------------------------------------------------------------------------------------
# loading


def load_catalogue(workspace_dir: Path | None = None) -> tuple[Catalogue, list[Issue]]:
    """The shipped catalogue, extended by the workspace's ``indikator.csv`` and ``alias_indikator.csv``.

    Never raises for data problems: they come back as issues (``katalog_*``, with file and spreadsheet row)
    and the faulty rows are left out. Label lookup order: indicator codes and shipped aliases first, then the
    workspace's new codes and labels; a label already taken by another indicator is reported, not re-pointed.
    Indicator names are usable as labels too when no other indicator claims them.
    """
    issues: list[Issue] = []

    tahap_table, found = _read_shipped(_TAHAP_FILE, TAHAP_COLUMNS)
    issues += found
    tahap, found = _parse_tahap(tahap_table) if tahap_table else ([], [])
    issues += found
    tahap_codes = tuple(t[0] for t in tahap)

    sasaran_table, found = _read_shipped(_SASARAN_FILE, SASARAN_COLUMNS)
    issues += found
    sasaran_types, found = _parse_sasaran_types(sasaran_table) if sasaran_table else ({}, [])
    issues += found

    indicators: dict[str, Indicator] = {}
    new_rows: dict[str, tuple[str, int]] = {}  # workspace-added code -> (file, row)
    shipped_table, found = _read_shipped(_INDICATORS_FILE, INDICATOR_COLUMNS)
    issues += found
    if shipped_table:
        issues += _merge_indicators(shipped_table, indicators, tahap_codes, sasaran_types, {})

    workspace = Workspace(Path(workspace_dir)) if workspace_dir is not None else None
    if workspace is not None:
        ws_table, found = _read_workspace(workspace.indikator_path, ("kode",))
        issues += found
        if ws_table:
            issues += _merge_indicators(ws_table, indicators, tahap_codes, sasaran_types, new_rows)

    aliases = _AliasMap(indicators)
    shipped_codes = [k for k in indicators if k not in new_rows]
    for kode in shipped_codes:
        aliases.add(kode, kode, _INDICATORS_FILE, None)
    alias_table, found = _read_shipped(_ALIASES_FILE, ALIAS_COLUMNS)
    issues += found
    if alias_table:
        issues += list(aliases.add_table(alias_table))
    for kode, (file, row) in new_rows.items():
        found_issue = aliases.add(kode, kode, file, row)
        if found_issue is not None:
            issues.append(found_issue)
    if workspace is not None:
        ws_alias, found = _read_workspace(workspace.alias_path, ALIAS_COLUMNS)
        issues += found
        if ws_alias:
            issues += list(aliases.add_table(ws_alias))
    # names as a convenience, only where free
    for ind in indicators.values():
        for name in (ind.nama_id, ind.nama_en):
            key = normalize_label(name)
            if key and key not in aliases.labels:
                aliases.labels[key] = ind.kode

    catalogue = Catalogue(
        indicators=indicators,
        sasaran_types=sasaran_types,
        tahap=tahap,
        aliases=aliases.labels,
    )
    return catalogue, issues


@functools.cache
def default_catalogue() -> Catalogue:
    """The shipped catalogue (no workspace). Errors in the shipped files are a bug and raise RuntimeError."""
    catalogue, issues = load_catalogue(None)
    if has_errors(issues):
        details = "; ".join(str(i) for i in issues if i.severity == "error")
        raise RuntimeError(f"the shipped indicator catalogue is invalid: {details}")
    return catalogue


__all__ = [
    "ARAH",
    "ATURAN_STATUS",
    "BASE_SASARAN",
    "JENIS",
    "KLASTER",
    "Catalogue",
    "Indicator",
    "SasaranType",
    "default_catalogue",
    "load_catalogue",
    "normalize_label",
]
