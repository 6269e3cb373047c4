"""Kemendagri area codes: canonical dotted form ``PP.KK.CC.DDDD`` (desa) and its parts."""

from __future__ import annotations

import math
import re

_DOTTED = re.compile(r"^(\d{2})\.(\d{2})\.(\d{2})\.(\d{4})$")
_DIGITS = re.compile(r"^\d{10}$")


def normalize_kode_desa(raw: object) -> str | None:
    """The canonical dotted desa code for ``raw``, or None when it is not a desa code.

    Accepts ``73.12.01.2004``, ``7312012004``, the number 7312012004 (or 7312012004.0 as spreadsheets
    store it), with surrounding spaces. Rejects anything else rather than guessing.
    """
    if raw is None:
        return None
    if isinstance(raw, float):
        if math.isnan(raw) or not raw.is_integer():
            return None
        raw = int(raw)
    text = str(raw).strip()
    m = _DOTTED.match(text)
    if m:
        return text
    if _DIGITS.match(text):
        return f"{text[0:2]}.{text[2:4]}.{text[4:6]}.{text[6:10]}"
    return None


def kode_kecamatan_of(kode_desa: str) -> str:
    """``73.12.01.2004`` -> ``73.12.01``."""
    return kode_desa[:8]


def kode_kabupaten_of(kode: str) -> str:
    return kode[:5]


def jenis_of(kode_desa: str) -> str:
    """``desa``, ``kelurahan`` or ``desa_adat`` from the first digit of the village part."""
    return {"1": "kelurahan", "2": "desa", "3": "desa_adat"}.get(kode_desa[9], "desa")


def normalize_kode_wilayah(raw: object) -> str | None:
    """A dotted kecamatan (``PP.KK.CC``) code, accepting the 6-digit undotted form."""
    if raw is None:
        return None
    if isinstance(raw, float):
        if math.isnan(raw) or not raw.is_integer():
            return None
        raw = int(raw)
    text = str(raw).strip()
    if re.match(r"^\d{2}\.\d{2}\.\d{2}$", text):
        return text
    if re.match(r"^\d{6}$", text):
        return f"{text[0:2]}.{text[2:4]}.{text[4:6]}"
    return None
