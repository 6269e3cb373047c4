"""Making user-supplied text safe in what the program writes: one function for a spreadsheet cell.

Names of desa, puskesmas and uploaded files come from users' files and may hold anything. A text beginning with
``=``, ``+``, ``-``, ``@`` (or a tab or carriage return before one) is a formula to Excel and LibreOffice when a CSV
or sheet is opened ("CSV injection", OWASP): :func:`neutralise` puts a ``'`` in front, which both programs show as
text. Every CSV and Excel export goes through it (``pws tidy -o``, ``pws status -o``, the meeting pack's Excel, the
PWS page's CSV download through ``layouts/assets/aman.js``, which applies the same rule in the browser). HTML is
escaped where it is built (``html.escape`` in pws/report/pdf.py; Dash escapes every text it renders).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "neutralise", "neutralise_frame"]

#: a text starting with one of these is a formula (or DDE) to a spreadsheet program
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """``text`` made safe as a spreadsheet cell: a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return gets
    a ``'`` in front, so Excel and LibreOffice show it instead of evaluating it."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _cell(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and column name) neutralised; numbers stay numbers."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[column] = series.map(_cell, na_action="ignore")
    out.columns = [_cell(c) for c in out.columns]
    return out
