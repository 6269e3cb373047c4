"""Numbers as people type them in Indonesian spreadsheets: ``12``, ``"12"``, ``"1.234"``, ``"12,5"``,
``"45,5%"``, ``"-"`` (zero), blanks."""

from __future__ import annotations

import math
import re

_THOUSANDS_DOT = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")
_THOUSANDS_DOT_DECIMAL_COMMA = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*,\d+$")
_THOUSANDS_COMMA_DECIMAL_DOT = re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d+$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DASHES = {"-", "–", "—", "--"}


class NotANumberError(ValueError):
    """The text is present but is not a number."""


def parse_number(raw: object) -> float | None:
    """The number in ``raw``; None when blank; raises NotANumberError for text that is not a number.

    Dashes mean zero. A dot followed by exactly three digits groups thousands (``1.234`` = 1234), as in
    Indonesian usage; a comma is the decimal mark (``12,5``). A trailing ``%`` is dropped (the caller
    decides what a percent means).
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise NotANumberError(str(raw))
    if isinstance(raw, int | float):
        value = float(raw)
        if math.isnan(value):
            return None
        return value
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    if text == "":
        return None
    if text in _DASHES:
        return 0.0
    if text.endswith("%"):
        text = text[:-1]
    if _PLAIN.match(text) and not _THOUSANDS_DOT.match(text):
        return float(text)
    if _THOUSANDS_DOT.match(text):
        return float(text.replace(".", ""))
    if _DECIMAL_COMMA.match(text) or _THOUSANDS_DOT_DECIMAL_COMMA.match(text):
        return float(text.replace(".", "").replace(",", "."))
    if _THOUSANDS_COMMA_DECIMAL_DOT.match(text):
        return float(text.replace(",", ""))
    raise NotANumberError(text)
