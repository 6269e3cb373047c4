"""Months and years as Indonesian reports write them: in titles, sheet names, file names and date cells.

Reports say ``BULAN : JANUARI 2024``, ``Periode : April 2025``, ``Apr-2022``, ``Nopember``, ``2024-01``,
``01/2024``; file names glue things together (``KIA_MEKAR_JAYA_Nop2024.xlsx``, ``IMUNISASI_..._202401.xlsx``);
some title cells hold real Excel dates. Everything here works on tokens with regexes; the exact rules are in
each function's docstring. Nothing raises: an unrecognised input gives None.
"""

from __future__ import annotations

import datetime
import numbers
import re

__all__ = ["MONTH_TOKENS", "find_month", "find_period", "find_year", "parse_month"]

#: upper-case spelling -> month number. Indonesian names, old spellings (PEBRUARI, NOPEMBER), the short forms of
#: reports and dashboards, and the English names/abbreviations that do not clash with an Indonesian word.
MONTH_TOKENS: dict[str, int] = {
    "JANUARI": 1,
    "JANUARY": 1,
    "JAN": 1,
    "FEBRUARI": 2,
    "PEBRUARI": 2,
    "FEBRUARY": 2,
    "FEB": 2,
    "PEB": 2,
    "MARET": 3,
    "MARCH": 3,
    "MAR": 3,
    "MRT": 3,
    "APRIL": 4,
    "APR": 4,
    "MEI": 5,
    "MAY": 5,
    "JUNI": 6,
    "JUNE": 6,
    "JUN": 6,
    "JULI": 7,
    "JULY": 7,
    "JUL": 7,
    "AGUSTUS": 8,
    "AUGUST": 8,
    "AGUST": 8,
    "AGU": 8,
    "AGS": 8,
    "AGT": 8,
    "AUG": 8,
    "SEPTEMBER": 9,
    "SEPT": 9,
    "SEP": 9,
    "OKTOBER": 10,
    "OCTOBER": 10,
    "OKT": 10,
    "OCT": 10,
    "NOVEMBER": 11,
    "NOPEMBER": 11,
    "NOV": 11,
    "NOP": 11,
    "DESEMBER": 12,
    "DECEMBER": 12,
    "DES": 12,
    "DEC": 12,
}

# A token is bounded by anything that is not a letter: digits, "_", "-", punctuation, spaces, the ends of the text.
# So "Nop2024" and "Apr-2022" hold a month, while "DESA", "MEIJA", "JUNIOR" and "MARETNO" do not.
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"
_TOKENS = "|".join(sorted(MONTH_TOKENS, key=len, reverse=True))
_MONTH = re.compile(rf"{_NOT_LETTER_BEFORE}({_TOKENS}){_NOT_LETTER_AFTER}", re.IGNORECASE)
_LABELLED_MONTH = re.compile(
    rf"{_NOT_LETTER_BEFORE}(?:BULAN|BLN|PERIODE|PERIOD|MONTH){_NOT_LETTER_AFTER}"
    rf"\s*[:.=-]?\s*(?:\d{{1,2}}\s+)?({_TOKENS}){_NOT_LETTER_AFTER}",
    re.IGNORECASE,
)
# what may stand between the two months of a range: "JANUARI S/D MARET", "Jan - Des", "1 Januari 2024 s.d. 31 Maret"
_RANGE_GAP = re.compile(
    r"\s*(?:20\d\d)?\s*(?:s\s*[./]?\s*d\.?|sampai(?:\s+dengan)?|hingga|to|until|[-–—])\s*(?:\d{1,2}\s*)?",
    re.IGNORECASE,
)

# A year stands alone: no digit on either side, and not the integer part of a decimal (2024,5) or of a number with
# thousands dots (2.024.000 is no year, nor is 2024.000).
_YEAR = re.compile(r"(?<!\d)(?<!\d,)(20\d\d)(?!\d)(?!,\d)(?!\.\d{3}(?!\d))")
_LABELLED_YEAR = re.compile(
    rf"{_NOT_LETTER_BEFORE}(?:TAHUN|THN|TH|YEAR){_NOT_LETTER_AFTER}\s*[:.=-]?\s*(20\d\d)(?!\d)", re.IGNORECASE
)

# Numeric periods, tried in this order (Indonesian dates are day/month/year):
_DMY = re.compile(r"(?<!\d)(?:0?[1-9]|[12]\d|3[01])[-/.](0?[1-9]|1[0-2])[-/.](20\d\d)(?!\d)")  # 15/01/2024
_YM = re.compile(r"(?<!\d)(20\d\d)[-/.](0?[1-9]|1[0-2])(?!\d)")  # 2024-01, 2024-01-15, 2024/1
_MY = re.compile(r"(?<![\d/.-])(0?[1-9]|1[0-2])[-/.](20\d\d)(?!\d)")  # 01/2024, 1-2024
_GLUED = re.compile(r"(?<!\d)(20\d\d)(0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])?(?!\d)")  # 202401, 20240115

_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_SMALL_NUMBER = re.compile(r"\d{1,2}(?:\.0+)?")


def parse_month(token: object) -> int | None:
    """The month of one token, or None.

    * an int (or integral float, as Excel stores numbers) 1..12, or a string of one or two digits (``"07"``);
    * a spelling in :data:`MONTH_TOKENS`, case-insensitive, once punctuation at both ends is stripped
      (``"Nop."`` -> 11, ``"(Januari)"`` -> 1);
    * a date or datetime -> its month.

    Anything else (several words, ``"13"``, ``True``, ``None``, other objects) gives None.
    """
    if token is None or isinstance(token, bool):
        return None
    if isinstance(token, datetime.date):
        return token.month
    if isinstance(token, numbers.Real):
        value = float(token)
        return int(value) if value.is_integer() and 1 <= value <= 12 else None
    if not isinstance(token, str):
        return None
    text = _EDGE_PUNCT.sub("", token.strip())
    if _SMALL_NUMBER.fullmatch(text):
        number = int(float(text))
        return number if 1 <= number <= 12 else None
    return MONTH_TOKENS.get(text.upper())


def find_year(text: object) -> int | None:
    """A year 2000..2099 written as four digits standing alone in ``text``, or None.

    Standing alone means no digit directly before or after (``3273141201`` and ``202401`` hold no year; ``Nop2024``,
    ``01/2024`` and ``2024-01`` do) and not part of a decimal or thousands-grouped number (``2024,5``,
    ``2024.000``). A year right after ``TAHUN``/``THN``/``TH``/``YEAR`` wins; otherwise the first one.
    Dates give their year; other non-strings are read as their ``str()``.
    """
    if isinstance(text, datetime.date):
        return text.year
    if not isinstance(text, str):
        text = str(text)
    match = _LABELLED_YEAR.search(text) or _YEAR.search(text)
    return int(match.group(1)) if match else None


def find_month(text: object) -> int | None:
    """The month named in free text, or None. Only month *names* count here (see :func:`find_period` for numbers).

    A name is a token of :data:`MONTH_TOKENS` bounded by non-letters (see ``_MONTH``): ``"BULAN : NOPEMBER"``,
    ``"Apr-2022"`` and ``"..._Nop2024.xlsx"`` hold one; ``"DESA"``, ``"MEIJA"``, ``"JUNIOR"`` do not. When several
    names appear:

    1. the one right after a ``BULAN``/``BLN``/``PERIODE`` label is taken (``"BULAN : MARET"``);
    2. if a range starts there (or, without a label, anywhere): ``"JANUARI S/D MARET"``, ``"Jan - Des"``, the end of
       the range is taken, since cumulative reports are named after their last month;
    3. otherwise the first name.

    Dates give their month; other non-strings are read as their ``str()``.
    """
    if isinstance(text, datetime.date):
        return text.month
    if not isinstance(text, str):
        text = str(text)
    matches = list(_MONTH.finditer(text))
    if not matches:
        return None
    labelled = _LABELLED_MONTH.search(text)
    if labelled:
        candidates = [next((i for i, m in enumerate(matches) if m.start() == labelled.start(1)), 0)]
    else:
        candidates = list(range(len(matches)))
    for i in candidates:
        if i + 1 < len(matches) and _RANGE_GAP.fullmatch(text, matches[i].end(), matches[i + 1].start()):
            return MONTH_TOKENS[matches[i + 1].group(1).upper()]
    return MONTH_TOKENS[matches[candidates[0]].group(1).upper()]


def _numeric_period(text: str) -> tuple[int, int] | None:
    """(year, month) written with digits only: dd/mm/yyyy, yyyy-mm[-dd], mm/yyyy, yyyymm[dd]."""
    match = _DMY.search(text)
    if match:
        return int(match.group(2)), int(match.group(1))
    for pattern in (_YM, _GLUED):
        match = pattern.search(text)
        if match:
            return int(match.group(1)), int(match.group(2))
    match = _MY.search(text)
    if match:
        return int(match.group(2)), int(match.group(1))
    return None


def find_period(text: object) -> tuple[int | None, int | None]:
    """(year, month) from a title, a sheet name, a file name or a cell; either may be None.

    * a date/datetime cell -> its year and month;
    * a number (Excel stores ``2024`` or ``202401`` as floats) is read as its digits;
    * in text, a month *name* (:func:`find_month`) comes first, with the year of :func:`find_year`;
    * without a month name, numeric forms (year and month taken together) are tried in this order:
      ``15/01/2024`` (day/month/year, the Indonesian order), ``2024-01`` / ``2024-01-15`` / ``2024/1``, ``202401`` /
      ``20240115`` glued (only when the digits make a valid month, and day), ``01/2024``;
    * a year on its own gives ``(year, None)``.
    """
    if isinstance(text, datetime.date):
        return text.year, text.month
    if text is None or isinstance(text, bool):
        return None, None
    if isinstance(text, numbers.Real):
        value = float(text)
        if not value.is_integer():
            return None, None
        text = str(int(value))
    elif not isinstance(text, str):
        text = str(text)
    month = find_month(text)
    year = find_year(text)
    if month is None or year is None:
        numeric = _numeric_period(text)
        if numeric is not None:
            if month is None:
                year, month = numeric  # a numeric date is one unit: its year goes with its month
            else:
                year = numeric[0]
    return year, month
