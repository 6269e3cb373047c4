"""Match the desa and puskesmas names written in reports to the master list (``wilayah.csv``).

Reports identify rows by **name**, spelt however the puskesmas likes ("Ds. Sumberjya", "KEL.PASAR BARU",
"Urek - Urek"), so names are first reduced to a comparison key by :func:`normalize_name`, then looked up in
this order by :meth:`DesaMatcher.match`:

1. total rows ("JUMLAH", "TOTAL", ...) -> ``jumlah``; pseudo-villages ("LUAR WILAYAH", "PKM INDUK", "PUSTU X",
   ...) -> ``semu``. Neither ever becomes a desa row (contracts §2).
2. exact key among the puskesmas' own desa -> ``tepat``; then the ``alias`` column -> ``alias``.
3. fuzzy among the puskesmas' own desa -> ``mirip`` when clearly the best, ``ragu`` when two are too close.
4. only when 2-3 did not settle it: exact key or alias anywhere in the district (a desa reported by a
   neighbouring puskesmas) -> ``tepat``/``alias`` with ``outside_puskesmas=True``. Never fuzzy across the
   district: a near miss there is ``tidak_dikenal`` with the district's closest names as candidates.

Two desa sharing a key in the scope (the two "Inobonto" of Kec. Bolaang, or a repeated name across kecamatan
when no puskesmas is given) give ``ragu`` with both candidates, never a silent guess.

**Fuzzy score** (0-100): the larger of ``fuzz.ratio`` on the keys without spaces and ``fuzz.token_sort_ratio``
on the spaced keys. Not ``WRatio``: its partial matching scores a name that is a piece of another at 90
("PAKIS" vs "PAKISKEMBAR", "SUMBER" vs "SUMBERJAYA", "REJO" vs "SUMBERREJO"), and Javanese and Malay village
names share prefixes and suffixes everywhere, so WRatio would accept wrong villages above any useful
threshold. Plain ratio on the space-free key gives the real spelling variants 90-95 (SUMBERREJO/SUMBEREJO 94.7,
GUBUKKLAKAH/GUBUGKLAKAH 90.9, GEDOKKULON/GEDOGKULON 90.0, SUMBERJYA/SUMBERJAYA 94.7) and siblings of a family
stay far below (SUKOREJO/SUKOSARI 62.5, GONDANGLEGIKULON/GONDANGLEGIWETAN 75.0); ``token_sort_ratio`` adds
word-order swaps. Default threshold 88 with a margin of 4 points to the second desa: one wrong or doubled
letter in a name of 8+ letters passes, one letter in a 5-letter name (80) does not.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from pws.issues import Issue, issue

# ------------------------------------------------------------------------------------------ normalisation

#: Words dropped from the start of a desa name (repeatedly: "DESA/KEL. X" -> "X"), as whole words only, and only
#: when something is left. "KAMPUNG", "GAMPONG", "NAGARI", "PEKON", "DUSUN" are kept: they are part of real names.
NAME_PREFIXES = frozenset({"DESA", "DS", "KEL", "KELURAHAN", "KLRH"})

#: Roman numerals turned into digits when they are not the first word ("SUKAMAJU II" == "SUKAMAJU 2").
_ROMAN = {r: str(i) for i, r in enumerate(("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"), start=1)}

_APOSTROPHES = "'`´‘’ʼ"  # removed, not spaced: "TA'A" == "TAA"
_LEAD_JUNK = re.compile(r"^[^A-Z0-9]+")
# "1." "12)" "(3)" "1 ." -- a row number written with a dot or bracket
_NUMBERING = re.compile(r"^\(?\d+\s*[.)]", re.ASCII)
# "01 " "007-" -- a zero-padded row number (an unpadded "1 ULU" is a real Palembang kelurahan name)
_PADDED = re.compile(r"^0\d*(?![A-Z0-9])", re.ASCII)
_WORD = re.compile(r"^([A-Z]+)(?![A-Z0-9])")
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_LETTER = re.compile(r"[A-Z]")


def _is_missing(raw: object) -> bool:
    if raw is None or raw is pd.NA or raw is pd.NaT:
        return True
    return isinstance(raw, float) and math.isnan(raw)


def _base_text(raw: object) -> str:
    """Upper case ASCII-ish text: accents and apostrophes removed, integral floats without ``.0``."""
    if _is_missing(raw):
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw)
    for fold in (str.casefold, str.upper):  # casefold first: "ẞ" and "ß" both read "SS"
        text = unicodedata.normalize("NFKD", fold(text))
        text = "".join(c for c in text if not unicodedata.combining(c))
    for ch in _APOSTROPHES:
        text = text.replace(ch, "")
    return text


def _words(text: str) -> str:
    """Every run of characters other than A-Z and 0-9 becomes one space; trimmed."""
    return _NON_ALNUM.sub(" ", text).strip()


def normalize_name(raw: object) -> str:
    """The comparison key of a desa name as written in a report or in the master list.

    Rules, in order (the result holds only ``A-Z``, ``0-9`` and single spaces, and is idempotent):

    1. ``None``/NaN -> ``""``; a float like ``12.0`` reads as ``12``.
    2. Case-folded, Unicode compatibility-decomposed, accents dropped, upper-cased ("Bélé" -> "BELE").
    3. Apostrophes removed without a space ("Ta'a" -> "TAA").
    4. From the start, repeatedly, while something is left after it:
       - leading punctuation;
       - a row number written with ``.`` or ``)`` ("1.", "12)", "(3)") or zero-padded ("01 "), when a letter
         follows ("12.5" stays a number). An unpadded number without a dot stays: "1 Ulu", "3-4 Ulu" are
         Palembang kelurahan;
       - a prefix word of :data:`NAME_PREFIXES` ("Ds.", "DESA", "Kel.", "KELURAHAN", and so "DESA/KEL",
         "KEL/DESA"), as a whole word only: "DESAKU", "KELAPA DUA" stay intact. "KAMPUNG" is never dropped.
    5. Every other run of non-alphanumerics (``.``, ``-``, ``/``, ``_``, brackets, spaces, tabs) becomes one
       space: "UREK - UREK" == "UREK-UREK" == "UREK UREK".
    6. A Roman numeral I..X that is not the first word becomes digits ("SUKAMAJU II" -> "SUKAMAJU 2").

    Spaces inside names are kept in the key; :class:`DesaMatcher` also compares keys without spaces
    ("SIDO MULYO" == "SIDOMULYO").
    """
    if type(raw) is str:
        return _normalize_text(raw)
    return _normalize(raw)


@lru_cache(maxsize=1 << 16)
def _normalize_text(text: str) -> str:
    """normalize_name on text, cached: reports repeat the same desa names (and title cells) in every file."""
    return _normalize(text)


def _normalize(raw: object) -> str:
    text = _base_text(raw).strip()
    while True:
        before = text
        rest = _LEAD_JUNK.sub("", text)
        if _words(rest):
            text = rest
        for pattern in (_NUMBERING, _PADDED):
            m = pattern.match(text)
            if m and _LETTER.search(text[m.end() :]):
                text = text[m.end() :]
        m = _WORD.match(text)
        if m and m.group(1) in NAME_PREFIXES and _words(text[m.end() :]):
            text = text[m.end() :]
        if text == before:
            break
    tokens = _words(text).split()
    return " ".join([tokens[0], *(_ROMAN.get(tok, tok) for tok in tokens[1:])] if tokens else [])


def _compact(key: str) -> str:
    return key.replace(" ", "")


# ------------------------------------------------------------------------------ total and pseudo labels

#: Labels of total rows, as normalised word sequences; a label is a total when its words START with one of
#: these ("JUMLAH PUSKESMAS SUKAMAJU", "TOTAL KESELURUHAN"). Checked before :data:`PSEUDO`.
TOTAL: tuple[str, ...] = (
    "JUMLAH",  # also JUMLAH KAB, JUMLAH KABUPATEN, JUMLAH PUSKESMAS, JUMLAH TOTAL
    "JML",
    "TOTAL",  # also TOTAL PUSKESMAS
    "SUB TOTAL",
    "SUBTOTAL",
    "GRAND TOTAL",
    "KABUPATEN",
    "KAB",
    "REKAPITULASI",
)

#: Pseudo-villages: rows that are not a desa of the master list (domain §4.3): out-of-area clients, the
#: puskesmas building itself, its pustu, private providers. Matched like :data:`TOTAL` (leading words).
#: "POLINDES"/"POSKESDES X" is NOT here: a polindes sits in one desa, so its row is that desa's data and
#: must reach the user as an unknown name (fixable with an alias) rather than be dropped silently.
PSEUDO: tuple[str, ...] = (
    "LUAR",  # LUAR WILAYAH, LUAR WIL, LUAR DAERAH, LUAR KABUPATEN, LUAR KECAMATAN
    "PKM",  # PKM INDUK, PKM_INDUK, PKM X
    "PUSKESMAS",  # PUSKESMAS, PUSKESMAS INDUK
    "UPT",
    "UPTD",
    "INDUK",
    "PUSTU",  # PUSTU X
    "PUSLING",
    "PUSKEL",
    "LAIN LAIN",
    "LAINNYA",
    "LAIN",
    "DLL",
    "RUMAH SAKIT",
    "RS",
    "RSUD",
    "KLINIK",
    "SWASTA",
    "BPM",
    "TIDAK DIKETAHUI",
)


def _starts_with(key: str, patterns: Iterable[str]) -> bool:
    return any(key == p or key.startswith(p + " ") for p in patterns)


def is_total_label(raw: object) -> bool:
    """True for a total row label: "JUMLAH", "Total", "JML", "SUB TOTAL", "JUMLAH KAB", "KABUPATEN", ..."""
    return _starts_with(normalize_name(raw), TOTAL)


def is_pseudo_label(raw: object) -> bool:
    """True for a pseudo-village: "LUAR WILAYAH", "PKM INDUK", "pkm_induk", "PUSKESMAS", "Pustu Kedung", ...

    Total labels are not pseudo ("TOTAL PUSKESMAS" is a total).
    """
    key = normalize_name(raw)
    return not _starts_with(key, TOTAL) and _starts_with(key, PSEUDO)


# ------------------------------------------------------------------------------------------------ desa


@dataclass(frozen=True)
class Match:
    """How one name of a report was read.

    ``status``: ``tepat`` (same key), ``alias`` (a spelling of the alias column), ``mirip`` (fuzzy, accepted),
    ``ragu`` (two or more desa too close to choose), ``tidak_dikenal`` (nothing close enough), ``semu``
    (pseudo-village), ``jumlah`` (total row). ``kode_desa``/``nama_desa`` (master-list name) are set for
    ``tepat``, ``alias`` and ``mirip`` only. ``candidates``: (kode_desa, nama_desa, score), best first, up to 3.
    ``outside_puskesmas``: resolved to a desa that the master list gives to another puskesmas than the one asked.
    """

    raw: str
    status: str
    kode_desa: str | None
    nama_desa: str | None
    score: float
    candidates: tuple[tuple[str, str, float], ...]
    outside_puskesmas: bool = False

    @property
    def resolved(self) -> bool:
        """A desa was identified (tepat, alias or mirip)."""
        return self.status in RESOLVED


RESOLVED = frozenset({"tepat", "alias", "mirip"})
STATUSES = ("tepat", "alias", "mirip", "ragu", "tidak_dikenal", "semu", "jumlah")
_MAX_CANDIDATES = 3
_TEXT_CACHE_SIZE = 1 << 16  # answers remembered per text as written (then forgotten all at once)


def _raw_text(raw: object) -> str:
    return "" if _is_missing(raw) else str(raw)


@dataclass
class _Scope:
    """The desa one lookup may choose from, with their keys."""

    kode: list[str]
    nama: list[str]
    # key -> desa indices (into kode/nama), per tier
    exact: dict[str, list[int]]
    exact_compact: dict[str, list[int]]
    alias: dict[str, list[int]]
    alias_compact: dict[str, list[int]]
    # fuzzy choices: one entry per (desa, spelling)
    choice_owner: list[int]
    choice_key: list[str]
    choice_compact: list[str]


def _index(pairs: list[tuple[int, str]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, key in pairs:
        if key and i not in out.setdefault(key, []):
            out[key].append(i)
    return out


def _build_scope(kode: list[str], nama: list[str], aliases: list[list[str]]) -> _Scope:
    keys = [normalize_name(n) for n in nama]
    alias_keys = [[k for k in (normalize_name(a) for a in al) if k] for al in aliases]
    owner: list[int] = []
    choice: list[str] = []
    for i, key in enumerate(keys):
        for k in dict.fromkeys([key, *alias_keys[i]]):
            if k:
                owner.append(i)
                choice.append(k)
    return _Scope(
        kode=kode,
        nama=nama,
        exact=_index(list(enumerate(keys))),
        exact_compact=_index([(i, _compact(k)) for i, k in enumerate(keys)]),
        alias=_index([(i, k) for i, ks in enumerate(alias_keys) for k in ks]),
        alias_compact=_index([(i, _compact(k)) for i, ks in enumerate(alias_keys) for k in ks]),
        choice_owner=owner,
        choice_key=choice,
        choice_compact=[_compact(c) for c in choice],
    )


def _split_alias(value: object) -> list[str]:
    text = _raw_text(value)
    return [a.strip() for a in text.split(";") if a.strip()]


class DesaMatcher:
    """Reads the desa names of reports against a master list (the frame of ``load_wilayah``).

    Uses ``kode_desa``, ``nama_desa``, ``kode_puskesmas`` and, when present, ``alias`` (``;``-separated).
    Results are cached per (normalised name, kode_puskesmas): a district of 400 desa answers in microseconds
    after the first time a name is seen.
    """

    def __init__(self, wilayah: pd.DataFrame, threshold: float = 88.0, margin: float = 4.0) -> None:
        self.threshold = float(threshold)
        self.margin = float(margin)
        frame = wilayah.reset_index(drop=True)
        kode = [_raw_text(v).strip() for v in frame["kode_desa"]]
        nama = [_raw_text(v).strip() for v in frame["nama_desa"]]
        alias = [_split_alias(v) for v in frame["alias"]] if "alias" in frame.columns else [[] for _ in kode]
        pkm = (
            [_raw_text(v).strip() for v in frame["kode_puskesmas"]]
            if "kode_puskesmas" in frame.columns
            else ["" for _ in kode]
        )
        self._district = _build_scope(kode, nama, alias)
        self._puskesmas_of = dict(zip(kode, pkm, strict=True))
        self._scopes: dict[str, _Scope] = {}
        for p in dict.fromkeys(pkm):
            idx = [i for i, v in enumerate(pkm) if v == p]
            self._scopes[p] = _build_scope([kode[i] for i in idx], [nama[i] for i in idx], [alias[i] for i in idx])
        self._cache: dict[tuple[str, str | None], Match] = {}
        # (text as written, kode_puskesmas) -> Match with that raw text: the same cells are read in every file,
        # and building a Match per cell (dataclasses.replace) costs more than the lookup itself
        self._by_text: dict[tuple[str, str | None], Match] = {}

    # -- public

    def match(self, raw: object, kode_puskesmas: str | None = None) -> Match:
        """The desa named ``raw`` in a report of puskesmas ``kode_puskesmas`` (None: the whole district)."""
        if type(raw) is str and (kode_puskesmas is None or type(kode_puskesmas) is str):
            by_text = self._by_text.get((raw, kode_puskesmas))
            if by_text is None:
                by_text = self._match(raw, kode_puskesmas)
                if len(self._by_text) >= _TEXT_CACHE_SIZE:  # any text of a title block can come here: bounded
                    self._by_text.clear()
                self._by_text[(raw, kode_puskesmas)] = by_text
            return by_text
        return self._match(raw, kode_puskesmas)

    def _match(self, raw: object, kode_puskesmas: str | None) -> Match:
        text = _raw_text(raw)
        key = normalize_name(raw)
        pkm = kode_puskesmas.strip() if isinstance(kode_puskesmas, str) and kode_puskesmas.strip() else None
        cache_key = (key, pkm)
        hit = self._cache.get(cache_key)
        if hit is None:
            hit = self._match_key(key, pkm)
            self._cache[cache_key] = hit
        return hit if hit.raw == text else replace(hit, raw=text)

    def match_many(self, raws: Iterable[object], kode_puskesmas: str | None = None) -> list[Match]:
        return [self.match(r, kode_puskesmas) for r in raws]

    def puskesmas_of(self, kode_desa: str) -> str | None:
        """The kode_puskesmas serving ``kode_desa`` in the master list."""
        return self._puskesmas_of.get(kode_desa)

    # -- internals

    def _match_key(self, key: str, pkm: str | None) -> Match:
        if _starts_with(key, TOTAL):
            return Match(key, "jumlah", None, None, 100.0, ())
        if _starts_with(key, PSEUDO):
            return Match(key, "semu", None, None, 100.0, ())
        if not key:
            return Match(key, "tidak_dikenal", None, None, 0.0, ())
        district = self._district
        scope = district if pkm is None else self._scopes.get(pkm, _build_scope([], [], []))
        found = self._lookup(key, scope)
        if found is not None:
            return found
        fuzzy = self._fuzzy(key, scope)
        if fuzzy.status == "mirip":
            return fuzzy
        if scope is not district:
            found = self._lookup(key, district)
            if found is not None:
                outside = found.kode_desa is not None and self._puskesmas_of.get(found.kode_desa) != pkm
                return replace(found, outside_puskesmas=outside)
            if fuzzy.status == "tidak_dikenal":
                # the candidates a user needs: the closest names anywhere, but never accepted
                wide = self._fuzzy(key, district)
                return Match(key, "tidak_dikenal", None, None, wide.score, wide.candidates)
        return fuzzy

    def _lookup(self, key: str, scope: _Scope) -> Match | None:
        """Exact then alias, each first on the spaced key, then on the key without spaces."""
        compact = _compact(key)
        for status, table, k in (
            ("tepat", scope.exact, key),
            ("tepat", scope.exact_compact, compact),
            ("alias", scope.alias, key),
            ("alias", scope.alias_compact, compact),
        ):
            hits = table.get(k)
            if not hits:
                continue
            cands = tuple((scope.kode[i], scope.nama[i], 100.0) for i in hits)
            if len(hits) == 1:
                return Match(key, status, cands[0][0], cands[0][1], 100.0, cands)
            return Match(key, "ragu", None, None, 100.0, cands[:_MAX_CANDIDATES])
        return None

    def _fuzzy(self, key: str, scope: _Scope) -> Match:
        if not scope.choice_key:
            return Match(key, "tidak_dikenal", None, None, 0.0, ())
        scores = np.maximum(
            process.cdist([_compact(key)], scope.choice_compact, scorer=fuzz.ratio)[0],
            process.cdist([key], scope.choice_key, scorer=fuzz.token_sort_ratio)[0],
        )
        best: dict[int, float] = {}
        for owner, score in zip(scope.choice_owner, scores.tolist(), strict=True):
            if score > best.get(owner, -1.0):
                best[owner] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], scope.nama[kv[0]], scope.kode[kv[0]]))
        cands = tuple((scope.kode[i], scope.nama[i], round(s, 1)) for i, s in ranked[:_MAX_CANDIDATES])
        top = ranked[0][1]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        if top < self.threshold:
            return Match(key, "tidak_dikenal", None, None, round(top, 1), cands)
        if top - second < self.margin:
            return Match(key, "ragu", None, None, round(top, 1), cands)
        return Match(key, "mirip", cands[0][0], cands[0][1], round(top, 1), cands)


# ------------------------------------------------------------------------------------------- puskesmas

#: Words before a puskesmas' own name, dropped from master names ("UPT Puskesmas Dau" -> "DAU").
PUSKESMAS_WORDS = frozenset({"UPT", "UPTD", "BLUD", "PUSKESMAS", "PUSK", "PKM"})
#: A name right after one of these words names another kind of area, not the puskesmas.
_AREA_WORDS = frozenset({"KEC", "KECAMATAN", "KAB", "KABUPATEN", "KOTA", "DESA", "DS", "KEL", "KELURAHAN", "PROVINSI"})
#: Words of file names and titles that never belong to a puskesmas name (for the fuzzy fallback only).
_NOISE_WORDS = frozenset(
    {
        *PUSKESMAS_WORDS,
        *("PWS", "KIA", "LAP", "LAPORAN", "REKAP", "REKAPITULASI", "DATA", "BULAN", "BLN", "TAHUN", "THN", "PERIODE"),
        *("XLSX", "XLS", "XLSM", "ODS", "CSV", "GIZI", "IMUNISASI", "SPM", "ILP", "FORMAT", "FORM", "COPY", "OF"),
        *("JANUARI", "FEBRUARI", "PEBRUARI", "MARET", "APRIL", "MEI", "JUNI", "JULI", "AGUSTUS", "SEPTEMBER"),
        *("OKTOBER", "NOVEMBER", "NOPEMBER", "DESEMBER", "JAN", "FEB", "PEB", "MAR", "APR", "JUN", "JUL", "AGU"),
        *("AGS", "AGT", "AGUST", "SEP", "SEPT", "OKT", "NOV", "NOP", "DES", "REVISI", "FINAL", "FIX"),
    }
)
_FUZZY_MAX_WORDS = 4
_FUZZY_MARGIN = 4.0
_CODE = re.compile(r"P\d{10}")


def _puskesmas_key(name: object) -> str:
    tokens = _words(_base_text(name)).split()
    while len(tokens) > 1 and tokens[0] in PUSKESMAS_WORDS:
        tokens = tokens[1:]
    return " ".join(tokens)


@dataclass(frozen=True)
class _PuskesmasIndex:
    codes: tuple[str, ...]
    names: tuple[str, ...]
    keys: tuple[str, ...]
    compact: tuple[str, ...]
    max_words: int
    known: dict[str, str]  # upper-cased code -> code
    by_compact: dict[str, list[int]]  # compact key -> indices


@lru_cache(maxsize=32)
def _puskesmas_index(pairs: tuple[tuple[str, str], ...]) -> _PuskesmasIndex:
    keys = tuple(_puskesmas_key(n) for _, n in pairs)
    codes = tuple(c for c, _ in pairs)
    compact = tuple(_compact(k) for k in keys)
    by_compact: dict[str, list[int]] = {}
    for i, c in enumerate(compact):
        if c:
            by_compact.setdefault(c, []).append(i)
    return _PuskesmasIndex(
        codes=codes,
        names=tuple(n for _, n in pairs),
        keys=keys,
        compact=compact,
        max_words=max((len(k.split()) for k in keys), default=1),
        known={c.upper(): c for c in codes},
        by_compact=by_compact,
    )


def _puskesmas_pairs(wilayah: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    if "kode_puskesmas" not in wilayah.columns:
        return ()
    names = wilayah["nama_puskesmas"] if "nama_puskesmas" in wilayah.columns else wilayah["kode_puskesmas"]
    seen: dict[str, str] = {}
    for code, name in zip(wilayah["kode_puskesmas"], names, strict=True):
        c = _raw_text(code).strip()
        if c and c not in seen:
            seen[c] = _raw_text(name).strip() or c
    return tuple(sorted(seen.items()))


def _fuzzy_puskesmas(text_key: str, index: _PuskesmasIndex) -> list[tuple[str, str, float]]:
    if not text_key or not index.codes:
        return []
    scores = np.maximum(
        process.cdist([_compact(text_key)], list(index.compact), scorer=fuzz.ratio)[0],
        process.cdist([text_key], list(index.keys), scorer=fuzz.token_sort_ratio)[0],
    )
    ranked = sorted(zip(index.codes, index.names, scores.tolist(), strict=True), key=lambda r: (-r[2], r[1]))
    return [(c, n, round(s, 1)) for c, n, s in ranked[:_MAX_CANDIDATES]]


def match_puskesmas(
    text: object, wilayah: pd.DataFrame, threshold: float = 85.0
) -> tuple[str | None, list[tuple[str, str, float]]]:
    """The kode_puskesmas named in a free text, and the candidates considered.

    ``text`` may be a title cell ("PUSKESMAS : BATU PUTIH", "PKM. Tanjung Harapan Timur"), a file name ("PWS KIA
    TANJUNG HARAPAN TIMUR MEI 2025.xlsx", "KIA_MEKAR_JAYA_Nop2024.xlsx"), a column value ("BATU PUTIH") or a
    kode_puskesmas ("P9901010202"). In order:

    1. a known kode_puskesmas as a word of the text;
    2. puskesmas names occurring as whole-word phrases of the normalised text, spaces ignored ("sido mulyo"
       finds "SIDOMULYO"), except right after KECAMATAN/KAB/DESA/... (the kecamatan often shares a
       puskesmas' name); a name right after PUSKESMAS/PKM/UPT is preferred, then the LONGEST name
       ("TANJUNG HARAPAN TIMUR" over "TANJUNG HARAPAN"); two different puskesmas tied -> None;
    3. on short texts only (at most 4 words once report words, months and numbers are dropped): fuzzy, with
       score >= ``threshold`` and 4 points ahead of the next puskesmas.

    Returns ``(code, candidates)``; ``code`` is None when nothing or more than one puskesmas fits.
    """
    return _match_puskesmas(text, _puskesmas_index(_puskesmas_pairs(wilayah)), threshold)


class PuskesmasMatcher:
    """:func:`match_puskesmas` against one master list, for many files: the index is built once (reading it from
    the frame costs more than a match) and answers are remembered per text (titles repeat every month)."""

    def __init__(self, wilayah: pd.DataFrame, threshold: float = 85.0) -> None:
        self._index = _puskesmas_index(_puskesmas_pairs(wilayah))
        self._threshold = threshold
        self._cache: dict[str, tuple[str | None, list[tuple[str, str, float]]]] = {}

    def match(self, text: object) -> tuple[str | None, list[tuple[str, str, float]]]:
        """As ``match_puskesmas(text, wilayah)``."""
        if type(text) is not str:
            return _match_puskesmas(text, self._index, self._threshold)
        found = self._cache.get(text)
        if found is None:
            found = _match_puskesmas(text, self._index, self._threshold)
            if len(self._cache) >= _TEXT_CACHE_SIZE:
                self._cache.clear()
            self._cache[text] = found
        return found[0], list(found[1])  # a copy: callers may keep or change the list


def _match_puskesmas(
    text: object, index: _PuskesmasIndex, threshold: float
) -> tuple[str | None, list[tuple[str, str, float]]]:
    base = _base_text(text)
    if not base.strip() or not index.codes:
        return None, []
    known = index.known
    for tok in dict.fromkeys([base.strip(), *_words(base).split(), *_CODE.findall(base)]):
        if tok in known:
            code = known[tok]
            return code, [(code, index.names[index.codes.index(code)], 100.0)]

    tokens = _words(base).split()
    by_compact = index.by_compact
    # (after_puskesmas_word, length, index) of every whole-word occurrence
    hits: dict[int, tuple[bool, int]] = {}
    span = index.max_words * 2 + 2  # "AMPELGADING" may be written in up to twice as many words
    for start in range(len(tokens)):
        prev = tokens[start - 1] if start else ""
        if prev in _AREA_WORDS:
            continue
        joined = ""
        for end in range(start, min(len(tokens), start + span)):
            joined += tokens[end]
            for i in by_compact.get(joined, []):
                rank = (prev in PUSKESMAS_WORDS, len(joined))
                if rank > hits.get(i, (False, -1)):
                    hits[i] = rank
    if hits:
        ranked = sorted(hits.items(), key=lambda kv: (kv[1], -kv[0]), reverse=True)
        cands = [(index.codes[i], index.names[i], 100.0) for i, _ in ranked]
        top_rank = ranked[0][1]
        tied = {index.codes[i] for i, r in ranked if r == top_rank}
        if len(tied) == 1:
            return index.codes[ranked[0][0]], cands[:_MAX_CANDIDATES]
        return None, cands[:_MAX_CANDIDATES]

    content = [t for t in tokens if t not in _NOISE_WORDS and not any(ch.isdigit() for ch in t)]
    cands = _fuzzy_puskesmas(" ".join(content), index)
    if not cands or len(content) > _FUZZY_MAX_WORDS:
        return None, cands
    second = cands[1][2] if len(cands) > 1 else 0.0
    if cands[0][2] >= threshold and cands[0][2] - second >= _FUZZY_MARGIN:
        return cands[0][0], cands
    return None, cands


# ----------------------------------------------------------------------------------------------- issues


def format_candidates(candidates: Sequence[tuple[str, str, float]]) -> str:
    """``"Sumberjaya (35.07.02.2001, 95%), Sumberejo (35.07.02.2008, 80%)"``; ``"-"`` when there are none."""
    if not candidates:
        return "-"
    return ", ".join(f"{nama} ({kode}, {score:.0f}%)" for kode, nama, score in candidates)


def match_issue(m: Match, puskesmas: str | None, **where: Any) -> Issue | None:
    """The Issue a Match deserves (None for tepat, alias, semu and jumlah).

    ``puskesmas`` names the reporting puskesmas in the message ("-" when unknown); ``where`` carries the
    location (``file``, ``sheet``, ``cell``, ``row``).
    """
    pkm = puskesmas or "-"
    kandidat = format_candidates(m.candidates)
    if m.status == "tidak_dikenal":
        return issue("desa_tidak_dikenal", nama=m.raw, puskesmas=pkm, kandidat=kandidat, **where)
    if m.status == "ragu":
        return issue("desa_ragu", nama=m.raw, puskesmas=pkm, kandidat=kandidat, **where)
    if m.status == "mirip":
        return issue(
            "desa_mirip",
            nama=m.raw,
            nama_desa=m.nama_desa,
            kode=m.kode_desa,
            skor=f"{m.score:.0f}",
            puskesmas=pkm,
            **where,
        )
    return None


def puskesmas_issue(text: str, candidates: Sequence[tuple[str, str, float]], **where: Any) -> Issue:
    """``puskesmas_tidak_dikenal`` for a file whose puskesmas could not be identified."""
    return issue("puskesmas_tidak_dikenal", teks=text or "-", kandidat=format_candidates(candidates), **where)
